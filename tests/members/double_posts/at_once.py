"""What the tests of identical posts at once share: the marker for committed
rows, and the checks on the answers."""

import pytest

from routines.models import Knob
from tests.concurrency import server_errors


def at_once(test):
    """Committed rows, seen by every thread's connection; rate limits cleared."""
    return pytest.mark.usefixtures("clear_cache")(pytest.mark.django_db(transaction=True)(test))


def only_normal_answers(responses, *statuses) -> None:
    assert server_errors(responses) == []
    assert {response.status_code for response in responses} <= set(statuses or {302})


def step_with_knob(workout):
    """A step counted in reps, with a knob to set."""
    return next(
        step
        for step in workout.prescription["steps"]
        if step["reps"] and Knob.objects.filter(exercise_id=step["exercise_id"]).exists()
    )


def back_to_workout(responses, workout, anchor=""):
    only_normal_answers(responses)
    assert {r["Location"] for r in responses} == {f"/me/sessions/{workout.pk}/{anchor}"}
