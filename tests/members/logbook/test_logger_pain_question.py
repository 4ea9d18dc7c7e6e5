"""The pain question after an exercise's last set: one tap for none, pain that
stops the exercise and tells the trainer, and finishing with it unanswered."""

import pytest

from members.logbook.sets import log_all_as_prescribed
from members.logbook.workouts import PainUnanswered, finish_workout
from members.models import PainFlag, Workout
from tests.members.logger_helpers import (
    HTMX,
    no_pain,
    session_url,
    set_post,
    started_workout,
    step,
)


def _log_calf_raise(member_client, workout):
    """Both calf raise sets, one tap each, as htmx posts them; the last answer."""
    for number in (1, 2):
        response = member_client.post(
            session_url(workout, "sets/"),
            set_post(workout, "Calf raise", set_number=number, reps=25),
            **HTMX,
        )
    return response


@pytest.mark.django_db
def test_after_the_last_set_the_card_asks_about_pain_and_none_is_one_tap(
    member_client, workout, mailoutbox
):
    calf = step(workout, "Calf raise")["id"]
    page = member_client.get(session_url(workout)).text
    assert "Any pain during Calf raise?" not in page
    card = page.split('id="step-3"')[1].split("</section>")[0]
    assert 'id="step-3-pain"' in card  # the out-of-band target is always there

    first = member_client.post(
        session_url(workout, "sets/"),
        set_post(workout, "Calf raise", set_number=1, reps=25),
        **HTMX,
    )
    assert "Any pain during Calf raise?" not in first.text
    last = _log_calf_raise(member_client, workout)
    assert 'id="step-3-pain" hx-swap-oob="true"' in last.text
    assert "Any pain during Calf raise?" in last.text
    assert 'name="level" value="0"' in last.text

    answer = member_client.post(
        session_url(workout, f"steps/{calf}/pain/"), {"level": "0"}, **HTMX
    )
    assert answer.status_code == 200
    assert "Any pain during Calf raise?" not in answer.text
    assert Workout.objects.get().pain_after == {str(calf): 0}
    # Said twice (a retried post), still one answer; and no flag, no email.
    member_client.post(session_url(workout, f"steps/{calf}/pain/"), {"level": "0"}, **HTMX)
    assert Workout.objects.get().pain_after == {str(calf): 0}
    assert not PainFlag.objects.exists() and not mailoutbox
    # Without htmx, the same answer is a form post that redirects to the card.
    tibialis = step(workout, "Tibialis raise")["id"]
    response = member_client.post(session_url(workout, f"steps/{tibialis}/pain/"), {"level": "0"})
    assert response["Location"] == session_url(workout) + f"#step-{tibialis}"


@pytest.mark.django_db
def test_pain_on_the_question_stops_the_exercise_flags_it_and_emails_the_trainer(
    member_client, workout, mailoutbox, django_capture_on_commit_callbacks
):
    calf = step(workout, "Calf raise")["id"]
    _log_calf_raise(member_client, workout)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            session_url(workout, f"steps/{calf}/pain/"), {"level": "4", "note": "Heel"}, **HTMX
        )
    assert "Stopped: pain 4/10" in response.text
    assert "Any pain during Calf raise?" not in response.text
    assert PainFlag.objects.get().level == 4 and len(mailoutbox) == 1
    assert Workout.objects.get().pain_after == {}


@pytest.mark.django_db
def test_finish_lists_the_exercises_whose_pain_question_is_unanswered(member_client, workout):
    calf = step(workout, "Calf raise")["id"]
    tibialis = step(workout, "Tibialis raise")["id"]
    _log_calf_raise(member_client, workout)
    member_client.post(
        session_url(workout, "sets/"),
        set_post(workout, "Tibialis raise", set_number=1, reps=25),
        **HTMX,
    )
    response = member_client.post(
        session_url(workout, "finish/"), {"feeling": "too_hard", "note": "Tired legs"}
    )
    assert response.status_code == 422
    listed = response.text.split('id="finish-pain"')[1].split("</div>")[0]
    assert f'<a href="#pain-{calf}">Calf raise</a>' in listed
    assert f'<a href="#pain-{tibialis}">Tibialis raise</a>' in listed
    assert "Patrick step" not in listed  # nothing done there, nothing to ask
    # Each listed card asks again, at the anchor the list links to; nothing typed is lost.
    assert f'id="pain-{calf}"' in response.text and f'id="pain-{tibialis}"' in response.text
    assert "Any pain during Tibialis raise?" in response.text
    assert "Tired legs</textarea>" in response.text
    assert 'value="too_hard" checked' in response.text
    assert Workout.objects.get().finished_at is None

    for step_id in (calf, tibialis):
        member_client.post(session_url(workout, f"steps/{step_id}/pain/"), {"level": "0"})
    assert member_client.post(session_url(workout, "finish/"), {})["Location"] == session_url(
        workout
    )
    assert Workout.objects.get().finished_at is not None


@pytest.mark.django_db
def test_an_exercise_is_complete_only_once_its_pain_question_is_answered(member, trainer):
    workout = started_workout(member, trainer)
    for main in workout.prescription["steps"]:
        log_all_as_prescribed(workout=workout, step_id=main["id"])
    with pytest.raises(PainUnanswered):
        finish_workout(workout=workout)
    no_pain(workout)
    assert finish_workout(workout=workout).is_complete
