"""The logger's way in and out: starting today's session, the zero-pain rule and
the pain check before it, finishing and reopening, and the visitor sent to
sign in."""

import pytest

from members.models import PainFlag, Profile, Workout
from tests.members.logger_helpers import (
    HTMX,
    no_pain,
    session_url,
    started_workout,
    step,
)


@pytest.mark.django_db
def test_today_starts_the_session_and_a_retry_lands_on_the_same_one(
    member_client, member, trainer
):
    workout = started_workout(member, trainer)
    Workout.objects.all().delete()
    session = workout.planned_session
    first = member_client.post("/me/sessions/start/", {"session": session.pk})
    again = member_client.post("/me/sessions/start/", {"session": session.pk})
    assert first["Location"] == again["Location"]
    assert Workout.objects.count() == 1


@pytest.mark.django_db
def test_the_first_session_asks_for_the_zero_pain_rule_then_for_pain(
    member_client, member, trainer
):
    workout = started_workout(member, trainer)
    Profile.objects.filter(user=member).update(zero_pain_accepted_at=None)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    page = member_client.get(session_url(workout))
    assert "Before your first session" in page.text
    assert "Any pain right now?" not in page.text
    member_client.post(session_url(workout, "zero-pain/"))
    page = member_client.get(session_url(workout))
    assert "Any pain right now?" in page.text
    assert " checked" not in page.text.split("Any pain right now?")[1].split("</form>")[0]
    response = member_client.post(session_url(workout, "pain-check/"), {"level": "0"})
    assert response["Location"] == session_url(workout)
    page = member_client.get(session_url(workout))
    assert "0 of 18 sets done" in page.text
    assert page.text.count('class="set-row') == 18


@pytest.mark.django_db
def test_pain_before_shows_the_stop_guidance(
    member_client, workout, mailoutbox, django_capture_on_commit_callbacks
):
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(session_url(workout, "pain-check/"), {"level": "6"})
    page = member_client.get(session_url(workout))
    assert "No session today: pain 6/10" in page.text
    assert "see a doctor" in page.text.lower()
    assert PainFlag.objects.get().level == 6
    assert len(mailoutbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["11", "-1", "abc", ""])
def test_a_bad_pain_answer_is_refused_at_the_field(member_client, workout, level):
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    response = member_client.post(session_url(workout, "pain-check/"), {"level": level})
    assert response.status_code == 422
    assert 'class="field-error"' in response.text
    assert Workout.objects.get().pain_before is None


@pytest.mark.django_db
def test_finish_and_reopen(member_client, workout):
    calf = step(workout, "Calf raise")["id"]
    member_client.post(session_url(workout, f"steps/{calf}/all/"))
    member_client.post(session_url(workout, f"steps/{calf}/pain/"), {"level": "0"})
    response = member_client.post(
        session_url(workout, "finish/"), {"feeling": "about_right", "note": "Heels <b>sore</b>"}
    )
    assert response["Location"] == session_url(workout)
    page = member_client.get(session_url(workout))
    assert "Session partly done" in page.text
    assert "2 of 18 sets logged" in page.text
    assert "Heels &lt;b&gt;sore&lt;/b&gt;" in page.text
    # A retried finish lands on the summary too.
    assert member_client.post(session_url(workout, "finish/"), {})["Location"] == session_url(
        workout
    )
    member_client.post(session_url(workout, "reopen/"))
    assert "Finish session" in member_client.get(session_url(workout)).text


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_finishing_before_the_pain_check_is_refused_with_a_message(
    member_client, member, trainer, htmx
):
    workout = started_workout(member, trainer)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    response = member_client.post(
        session_url(workout, "finish/"),
        {"feeling": "about_right", "note": "Typed before the check"},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 422
    assert "Answer “any pain right now?” before logging." in response.text
    assert "Any pain right now?" in response.text  # the question is there to answer
    assert not Workout.objects.get().is_finished


@pytest.mark.django_db
def test_a_bad_feeling_is_refused_and_the_note_kept(member_client, workout):
    response = member_client.post(
        session_url(workout, "finish/"), {"feeling": "great", "note": "Kept text"}
    )
    assert response.status_code == 422
    assert "Choose how it felt." in response.text
    assert "Kept text" in response.text
    assert not Workout.objects.get().is_finished


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, workout):
    response = client.get(session_url(workout))
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_pain_check_waits_for_the_members_own_answer(member_client, workout):
    """“None” was chosen already, so one tap on Start recorded zero pain the
    member never gave. Nothing is chosen; no answer is a message at the field."""
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    page = member_client.get(session_url(workout)).text
    question = page.split("Any pain right now?")[1].split("</form>")[0]
    assert "checked" not in question
    response = member_client.post(session_url(workout, "pain-check/"), {})
    assert response.status_code == 422
    assert "Choose None, or how much it hurts from 1 to 10, to start." in response.text
    assert 'aria-describedby="pain-check-error"' in response.text
    assert Workout.objects.get().pain_before is None
    assert (
        member_client.post(session_url(workout, "pain-check/"), {"level": "0"}).status_code == 302
    )
    assert Workout.objects.get().pain_before == 0


@pytest.mark.django_db
def test_how_it_felt_is_not_chosen_for_the_member(member_client, workout):
    """“About right” was chosen already: a member who skipped the question
    told the trainer the session felt about right. Unanswered stays blank."""
    page = member_client.get(session_url(workout)).text
    feelings = page.split("How did it feel?")[1].split("</fieldset>")[0]
    assert "checked" not in feelings
    no_pain(workout)
    member_client.post(session_url(workout, "finish/"), {})
    assert Workout.objects.get().feeling == ""
