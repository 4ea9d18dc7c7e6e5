"""The member's History: past sessions and each exercise's trend, charted on
the server with the numbers in a table."""

import datetime as dt

import pytest

from members.logbook.sets import log_all_as_prescribed, set_knob
from members.logbook.workouts import finish_workout, record_pain_before, start_workout
from members.models import Workout
from routines.models import Knob
from tests.factories import stamped
from tests.html import without_tokens
from tests.members.logger_helpers import no_pain, started_workout, step


def _session(member, workout, *, wall):
    tibialis = step(workout, "Tibialis raise")["id"]
    knob = Knob.objects.get(exercise__name="Tibialis raise")
    set_knob(workout=workout, step_id=tibialis, knob_id=knob.pk, raw_value=str(wall))
    for main in workout.prescription["steps"]:
        log_all_as_prescribed(workout=workout, step_id=main["id"])
    no_pain(workout)
    return finish_workout(workout=workout, feeling="about_right")


def _history(member, trainer, sessions):
    workout = started_workout(member, trainer)
    _session(member, workout, wall=12)
    for index in range(1, sessions):
        later = start_workout(member=member, today=workout.date + dt.timedelta(days=3 * index))
        record_pain_before(workout=later, level=0)
        _session(member, later, wall=12 + 2 * index)


@pytest.mark.django_db
def test_history_lists_sessions_and_charts_the_wall_distance(member_client, member, trainer):
    _history(member, trainer, 2)
    text = member_client.get("/me/history/").text
    assert text.count('class="card history-item"') == 2
    assert "18 sets, 365 reps · done · about right" in text
    assert '<svg class="chart"' in text
    assert '<title id="knob-tibialis-raise-title">Tibialis raise: feet distance from wall' in text
    assert "From 12 in on" in text and "to 14 in on" in text
    assert "<td>14 in</td>" in text
    assert 'aria-current="page">History' in text


@pytest.mark.django_db
def test_history_with_nothing_yet(member_client):
    assert "No sessions yet" in member_client.get("/me/history/").text


@pytest.mark.django_db
@pytest.mark.parametrize("sessions", [1, 4])
def test_history_query_count_stays_flat(
    member_client, member, trainer, sessions, django_assert_num_queries
):
    _history(member, trainer, sessions)
    assert Workout.objects.count() == sessions
    stamped(member)
    # Session, user, the page stamps, the trainer's notes on the block, the
    # workouts with totals, their knob settings, pain flags and notes, the
    # recent workouts, their rep totals, their knob settings; the check-ins
    # (none here: their answers are not read).
    with django_assert_num_queries(12):
        page = member_client.get("/me/history/").text
    # Opened again with nothing written: the page as kept.
    with django_assert_num_queries(3):
        assert without_tokens(member_client.get("/me/history/").text) == without_tokens(page)
