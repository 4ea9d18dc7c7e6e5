"""Identical keyed posts at once (a phone's queue sent twice, a retry while
the first is still running): one action, one answer for all, never a 5xx.
On PostgreSQL, each post in its own thread and connection."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from members.logbook.workouts import finish_workout
from members.models import ActionKey, KnobSetting, SetLog, Workout
from routines.models import Knob
from tests.concurrency import (
    at_once,
    needs_postgresql,
    post_at_once,
    server_errors,
    signed_in_client,
)
from tests.members.logbook.action_keys import KEY, a_set, fresh, keyed
from tests.members.logger_helpers import no_pain, started_workout, step

pytestmark = [
    needs_postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clear_cache"),
]


def _one_answer_for_all(responses, status: int) -> None:
    assert server_errors(responses) == []
    assert {response.status_code for response in responses} == {status}
    assert len({response.content for response in responses}) == 1
    replayed = [response for response in responses if "Idempotent-Replayed" in response]
    assert len(replayed) == len(responses) - 1
    assert ActionKey.objects.filter(key=KEY).count() == 1


def test_harder_tapped_once_and_sent_ten_times_at_once_steps_once(member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")

    responses = post_at_once(
        reverse("members:knob", args=[workout.pk, tibialis]),
        {"knob": wall.pk, "direction": "harder"},
        user=member,
        **keyed(htmx=True),
    )

    _one_answer_for_all(responses, 200)
    (setting,) = KnobSetting.objects.filter(knob=wall)
    assert setting.value == wall.start_value + wall.step


def test_one_start_sent_ten_times_at_once_opens_one_workout(member, trainer):
    started_workout(member, trainer)
    Workout.objects.all().delete()

    responses = post_at_once(reverse("members:start_workout"), {}, user=member, **keyed())

    _one_answer_for_all(responses, 302)
    (workout,) = Workout.objects.all()
    assert responses[0]["Location"] == f"/me/sessions/{workout.pk}/"


def test_a_refused_set_sent_ten_times_at_once_is_one_refusal(member, trainer):
    workout = started_workout(member, trainer)
    no_pain(workout)
    finish_workout(workout=workout)

    responses = post_at_once(
        reverse("members:log_set", args=[workout.pk]),
        a_set(workout, reps="25"),
        user=member,
        **keyed(htmx=True),
    )

    _one_answer_for_all(responses, 409)
    assert unquote(responses[0]["X-Refusal-Reason"]).startswith("This session is finished.")
    assert not SetLog.objects.exists()


def test_one_set_logged_with_ten_keys_at_once_is_one_row_as_without_keys(member, trainer):
    """Each key a separate tap on the same set: the set's own upsert holds."""
    workout = started_workout(member, trainer)
    url = reverse("members:log_set", args=[workout.pk])
    clients = [signed_in_client(member) for _ in range(10)]

    responses = at_once(
        lambda client=client, reps=reps: client.post(
            url, a_set(workout, reps=str(reps)), **fresh(htmx=True)
        )
        for reps, client in enumerate(clients, start=15)
    )

    assert server_errors(responses) == []
    assert {response.status_code for response in responses} == {200}
    assert not any("Idempotent-Replayed" in response for response in responses)
    (log,) = SetLog.objects.all()
    assert 15 <= log.reps <= 24
    assert ActionKey.objects.count() == 10
