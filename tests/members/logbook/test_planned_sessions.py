"""A session addressed by its planned session: the page a phone keeps before
the session starts, and every logger action by the planned session's id, so
a phone with no signal can start a session and log it, and send it all later
without ever having known the workout's id."""

import re

import pytest
from django.urls import reverse

from members.blocks.steering import pause_block
from members.logbook.views import ACTIONS
from members.models import ActionKey, KnobSetting, PainFlag, Profile, SetLog, Workout
from routines.models import Knob
from tests.factories import put_on_block
from tests.members.logbook import test_action_keys
from tests.members.logbook.action_keys import KEY, assert_same_answer, fresh, keyed
from tests.members.logger_helpers import HTMX, session_of

pytestmark = pytest.mark.django_db


def planned_url(session, action: str = "") -> str:
    return f"/me/sessions/planned/{session.pk}/{action}"


def as_planned(path: str, workout: Workout) -> str:
    """A workout's action path, addressed by its planned session instead."""
    prefix = f"/me/sessions/{workout.pk}/"
    assert path.startswith(prefix), path
    return planned_url(workout.planned_session, path.removeprefix(prefix))


# The page before the start


def test_a_session_not_started_opens_on_the_pain_check_and_starts_nothing(
    member_client, member, block
):
    tonight = session_of(block, 4)

    page = member_client.get(planned_url(tonight))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Any pain right now?" in html
    assert f'action="{planned_url(tonight, "pain-check/")}"' in html
    # The session itself is on the page, hidden until the pain check is
    # answered, its every form addressed by the planned session.
    assert 'data-before-start="session" hidden' in html
    assert f'hx-post="{planned_url(tonight, "sets/")}"' in html
    assert f'action="{planned_url(tonight, "finish/")}"' in html
    assert "/me/sessions/None/" not in html
    assert Workout.objects.count() == 0


def test_before_the_first_session_the_rule_comes_first_and_the_pain_check_waits(
    member_client, member, block
):
    Profile.objects.filter(user=member).update(zero_pain_accepted_at=None)

    html = member_client.get(planned_url(session_of(block, 4))).content.decode()

    assert "I start every exercise from zero pain" in html
    assert 'data-before-start="pain-check" hidden' in html
    assert f'action="{planned_url(session_of(block, 4), "zero-pain/")}"' in html


def test_a_started_session_opens_on_its_workout(member_client, member, block):
    tonight = session_of(block, 4)
    member_client.post(planned_url(tonight, "pain-check/"), {"level": "0"})
    (workout,) = Workout.objects.all()

    html = member_client.get(planned_url(tonight)).content.decode()

    assert f'hx-post="/me/sessions/{workout.pk}/sets/"' in html
    assert "Any pain right now?" not in html


def test_a_session_that_cannot_start_says_why_on_today(member_client, member, block):
    pause_block(assignment=block)

    response = member_client.get(planned_url(session_of(block, 4)), follow=True)

    assert response.redirect_chain == [(reverse("members:home"), 302)]
    assert "Your block is paused" in response.content.decode()
    assert Workout.objects.count() == 0


def test_another_members_session_is_a_404_by_page_and_by_action(
    member_client, second_member, trainer, block
):
    theirs = put_on_block(second_member, trainer=trainer, start_date=block.start_date)
    their_session = session_of(theirs, 4)

    assert member_client.get(planned_url(their_session)).status_code == 404
    response = member_client.post(planned_url(their_session, "pain-check/"), {"level": "0"})
    assert response.status_code == 404
    assert Workout.objects.count() == 0


# Actions by the planned session


def test_a_whole_session_sent_by_its_planned_session_is_logged_once(
    member_client, member, block, mailoutbox
):
    """What a phone that started the session offline sends once back online,
    each action with its own key, and then all of it again."""
    tonight = session_of(block, 4)
    Profile.objects.filter(user=member).update(zero_pain_accepted_at=None)
    page = member_client.get(planned_url(tonight)).context
    calf = next(
        card
        for group in page["plan"].groups
        for card in group.cards
        if card.exercise.name == "Calf raise"
    )
    tibialis = next(
        card
        for group in page["plan"].groups
        for card in group.cards
        if card.exercise.name == "Tibialis raise"
    )
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    queue = [
        ("zero-pain/", {}, False),
        ("pain-check/", {"level": "0"}, False),
        *(
            ("sets/", {"step": calf.step_id, "set_number": n, "side": "both", "reps": "12"}, True)
            for n in (1, 2)
        ),
        (f"steps/{tibialis.step_id}/knob/", {"knob": wall.pk, "value": "14"}, True),
        (f"steps/{calf.step_id}/pain/", {"level": "2", "note": "Heel"}, True),
        ("finish/", {"feeling": "about_right"}, False),
    ]
    keys = [fresh(htmx=htmx) for _, _, htmx in queue]
    first = [
        member_client.post(planned_url(tonight, action), data, **key)
        for (action, data, _), key in zip(queue, keys, strict=True)
    ]
    again = [
        member_client.post(planned_url(tonight, action), data, **key)
        for (action, data, _), key in zip(queue, keys, strict=True)
    ]

    assert [r.status_code for r in first] == [302, 302, 200, 200, 200, 200, 302]
    for one, two in zip(first, again, strict=True):
        assert_same_answer(one, two)
    (workout,) = Workout.objects.all()
    assert workout.planned_session == tonight and workout.is_finished
    assert workout.pain_before == 0
    assert sorted(SetLog.objects.values_list("set_number", "reps")) == [(1, 12), (2, 12)]
    assert KnobSetting.objects.get().value == 14
    (flag,) = PainFlag.objects.all()
    assert flag.level == 2 and flag.step_id == calf.step_id
    assert [m.to for m in mailoutbox] == [["makana@example.com"]]  # one pain alert
    assert ActionKey.objects.count() == len(queue)


def test_pain_at_the_door_tapped_twice_is_one_report(member_client, member, block, mailoutbox):
    """Pain above zero ends the session before it starts and leaves the
    planned session open: only the form's own key tells a second tap of the
    same answer from a new start."""
    tonight = session_of(block, 4)
    form = {"level": "3", "note": "Knee"}
    form["action_key"] = member_client.get(planned_url(tonight)).context["start_keys"][
        "pain_check"
    ]

    first = member_client.post(planned_url(tonight, "pain-check/"), form)
    again = member_client.post(planned_url(tonight, "pain-check/"), form)

    assert_same_answer(first, again)
    (workout,) = Workout.objects.all()
    assert workout.stopped_for_pain
    assert PainFlag.objects.count() == len(mailoutbox) == 1
    # A later answer from the page, opened again, is a new one.
    form["action_key"] = member_client.get(planned_url(tonight)).context["start_keys"][
        "pain_check"
    ]
    member_client.post(planned_url(tonight, "pain-check/"), form)
    assert PainFlag.objects.count() == 2


def test_a_queued_action_for_a_session_that_can_no_longer_start_is_refused_with_why(
    member_client, member, block
):
    tonight = session_of(block, 4)
    pause_block(assignment=block)

    response = member_client.post(planned_url(tonight, "pain-check/"), {"level": "0"}, **keyed())

    assert response.status_code == 409
    assert "paused" in response["X-Refusal-Reason"]
    assert Workout.objects.count() == 0


# Every action the key tests try, but Start: a planned session's own page
# starts it with its first action.
TWINNED = sorted(set(test_action_keys.ACTIONS) - {"start_workout"})


def test_every_logger_action_has_its_planned_twin():
    names = {name for _, _, name in ACTIONS}
    assert names == set(TWINNED)
    for name in names:
        assert reverse(f"members:planned_{name}", kwargs=_kwargs(name)).startswith(
            "/me/sessions/planned/7/"
        )


def _kwargs(name):
    takes_step = any("<int:step_id>" in route for route, _, n in ACTIONS if n == name)
    return {"session": 7, **({"step_id": 3} if takes_step else {})}


@pytest.mark.parametrize("name", TWINNED)
def test_a_planned_action_sent_again_with_its_key_is_answered_again_and_not_done_again(
    name, member_client, member, trainer
):
    path, data, htmx, then = test_action_keys.ACTIONS[name](member_client, member, trainer)
    workout = Workout.objects.get(member=member)
    path = as_planned(path, workout)
    before = test_action_keys.the_state(member)

    first = member_client.post(path, data, **keyed(htmx=htmx))
    assert first.status_code in {200, 302}, first.text[:2000]
    assert test_action_keys.the_state(member) != before, "the first post did something"
    then()
    went_on = test_action_keys.the_state(member)
    again = member_client.post(path, data, **keyed(htmx=htmx))

    assert_same_answer(first, again)
    assert test_action_keys.the_state(member) == went_on
    assert ActionKey.objects.get(key=KEY).path == path


def test_a_planned_set_answers_htmx_with_the_row(member_client, member, block):
    tonight = session_of(block, 4)
    member_client.post(planned_url(tonight, "pain-check/"), {"level": "0"})
    (workout,) = Workout.objects.all()
    calf = next(s for s in workout.prescription["steps"] if s["name"] == "Calf raise")

    response = member_client.post(
        planned_url(tonight, "sets/"),
        {"step": calf["id"], "set_number": 1, "side": "both", "reps": "12"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="set-{calf["id"]}-1-both"\n      class="set-row is-logged"' in html
    assert 'id="session-progress" hx-swap-oob="true"' in html


def test_today_names_the_next_sessions_page_for_the_phone_to_keep(member_client, block):
    today = member_client.get(reverse("members:home"))
    next_session = today.context["progress"].next_session
    html = today.content.decode()

    (pages,) = re.findall(r'<meta name="offline-pages" content="([^"]*)">', html)
    assert planned_url(next_session) in pages.split()
    assert f'data-offline-href="{planned_url(next_session)}"' in html
    # Once started, the workout's own page instead.
    member_client.post(planned_url(next_session, "pain-check/"), {"level": "0"})
    (workout,) = Workout.objects.all()
    html = member_client.get(reverse("members:home")).content.decode()
    (pages,) = re.findall(r'<meta name="offline-pages" content="([^"]*)">', html)
    assert f"/me/sessions/{workout.pk}/" in pages.split()
    assert planned_url(next_session) not in pages.split()
