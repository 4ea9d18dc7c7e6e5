"""Words the app writes about a member's training: exercise names as the
trainer wrote them, one full stop after a time, "each" only for a group, a
knob's trend without repeats, and knobs in the order of the routine."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from members.coaching.attention import reviews_with_reasons
from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import finish_workout
from members.models import Assignment, Workout
from routines.models import Exercise, Knob
from tests.factories import UserFactory, ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout, no_pain, started_workout, step
from tests.routines.factories import KnobFactory, RoutineFactory, StepFactory

MONDAY = dt.date(2026, 11, 16)
LATE_THURSDAY = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


# An exercise's name keeps its capitals -------------------------------------


@pytest.mark.django_db
def test_a_question_about_the_nordic_keeps_its_capital(member_client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=MONDAY)
    nordic = Exercise.objects.get(name="Regressed reverse Nordic")
    page = member_client.get(f"/contact/?exercise={nordic.pk}").text
    assert 'value="About Regressed reverse Nordic"' in page


@pytest.mark.django_db
def test_the_guide_names_exercises_as_written(member_client):
    routine = ground_up_routine()
    Exercise.objects.filter(name="Regressed reverse Nordic").update(
        video_url="https://video.example.com/nordic"
    )
    page = member_client.get(routine.get_absolute_url()).text
    assert "Watch a video: Regressed reverse Nordic</a>" in page
    assert "<summary>How to do it: Deadmill</summary>" in page
    assert "regressed reverse nordic" not in page


# One full stop after "p.m." ------------------------------------------------


@pytest.mark.django_db
def test_the_pain_email_ends_its_sentence_once_after_the_time(
    member, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(dt.datetime(2026, 11, 26, 19, 49, tzinfo=CLUB), tick=False):
        workout = started_workout(member, trainer)
        with django_capture_on_commit_callbacks(execute=True):
            report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=3)
    (alert,) = mailoutbox
    html = alert.alternatives[0].content
    for part in (alert.body, html):
        assert "during Calf raise at 7:49 p.m. on Thursday, November 26." in part
        assert "p.m.." not in part


# Each template filter whose output ends in a full stop: "a" and "P" (a.m.,
# p.m.) and "N" (Sept.). Followed by a literal full stop, it reads "p.m..".
ENDS_WITH_A_STOP = re.compile(r"\|(?:date|time)(?::\"[^\"]*[aPN]\")?\s*}}\.")


def test_no_template_puts_a_full_stop_after_a_time_that_has_one():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*")
        if path.suffix in {".html", ".txt"}
        for match in ENDS_WITH_A_STOP.finditer(path.read_text())
    ]
    assert found == []


def test_the_template_check_finds_what_it_looks_for():
    assert ENDS_WITH_A_STOP.search('at {{ when|date:"l, F j, g:i a" }}.')
    assert ENDS_WITH_A_STOP.search("at {{ when|time }}.")
    assert not ENDS_WITH_A_STOP.search('at {{ when|time:"g:i A" }}.')


# "Each" only for a group ---------------------------------------------------


def _block(routine, members, weekdays, weeks):
    return {
        "members": [m.pk for m in members],
        "routine": routine.pk,
        "start_date": (MONDAY + dt.timedelta(weeks=52)).isoformat(),
        "weekdays": weekdays,
        "weeks": weeks,
        "notes": "",
    }


@pytest.mark.django_db
def test_one_member_put_on_a_routine_gets_no_each(trainer_client, member):
    routine = ground_up_routine()
    response = trainer_client.post(
        "/trainer/assign/", _block(routine, [member], [0, 3], 4), follow=True
    )
    assert "Monday and Thursday, 4 weeks, 8 sessions." in response.text
    assert "each" not in response.text.split("Alex Rivera is on", 1)[1].split("</", 1)[0]


@pytest.mark.django_db
def test_one_session_in_one_week_is_singular(trainer_client, member):
    routine = RoutineFactory(sessions_per_week=1, min_weeks=1, max_weeks=1)
    StepFactory(routine=routine)
    response = trainer_client.post(
        "/trainer/assign/", _block(routine, [member], [2], 1), follow=True
    )
    assert "Wednesday, 1 week, 1 session." in response.text


@pytest.mark.django_db
def test_a_group_put_on_a_routine_gets_each(trainer_client):
    group = UserFactory.create_batch(3)
    response = trainer_client.post(
        "/trainer/assign/", _block(ground_up_routine(), group, [0, 3], 2), follow=True
    )
    assert "3 members are on" in response.text
    assert "Monday and Thursday, 2 weeks, 4 sessions each." in response.text


# A knob's trend shows its changes -------------------------------------------


@pytest.fixture
def late_thursday():
    with time_machine.travel(LATE_THURSDAY, tick=False):
        yield


def _walls(member, trainer, walls):
    """Finished sessions from two Mondays before, with the wall at each distance."""
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    sessions = list(block.planned_sessions.order_by("number"))
    for session, wall in zip(sessions, walls, strict=False):
        finished_workout(member, session, wall=wall)
    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))
    (trend,) = [trend for trend in review.knobs if trend.exercise == "Tibialis raise"]
    return review, trend


@pytest.mark.django_db
def test_an_eased_knob_lists_each_change_once(late_thursday, member, trainer):
    review, trend = _walls(member, trainer, [16, 16, 14, 14, 12])
    assert trend.eased == 2
    assert "Feet distance from wall made easier 2 times (16 → 14 → 12 in)" in review.reasons


@pytest.mark.django_db
def test_a_knob_that_stayed_put_is_one_value(late_thursday, member, trainer, trainer_client):
    _, trend = _walls(member, trainer, [10, 10, 10])
    assert (trend.text, trend.moved) == ("feet distance from wall 10 in", False)
    page = trainer_client.get(f"/trainer/members/{member.pk}/").text
    assert "<li>Tibialis raise: feet distance from wall 10 in</li>" in page


@pytest.mark.django_db
def test_a_knob_that_went_there_and_back_shows_the_way(late_thursday, member, trainer):
    _, trend = _walls(member, trainer, [12, 14, 14, 12])
    assert (trend.text, trend.moved) == ("feet distance from wall 12 → 14 → 12 in", True)
    _, trend = _walls(UserFactory(), trainer, [12, 14, 16])
    assert trend.text == "feet distance from wall 12 → 14 → 16 in"


# Knobs in the order of the routine ------------------------------------------


@pytest.fixture
def set_in_every_order(member, trainer):
    """A session whose knobs were set last step first; the tibialis raise has
    two knobs, the ankle weight first in the knob's own order."""
    ground_up_routine()
    tibialis = Exercise.objects.get(name="Tibialis raise")
    Knob.objects.filter(exercise=tibialis).update(order=1)
    weight = KnobFactory(exercise=tibialis, label="Ankle weight", unit=Knob.Unit.POUND, order=0)
    workout = started_workout(member, trainer)
    for name, knob, value in [
        ("Calf raise", Knob.objects.get(exercise__name="Calf raise"), "20"),
        ("Tibialis raise", Knob.objects.get(exercise=tibialis, order=1), "12"),
        ("Tibialis raise", weight, "3"),
        ("Backwards walking", Knob.objects.get(exercise__name="Backwards walking"), "long"),
    ]:
        set_knob(
            workout=workout, step_id=step(workout, name)["id"], knob_id=knob.pk, raw_value=value
        )
    for main in workout.prescription["steps"]:
        log_all_as_prescribed(workout=workout, step_id=main["id"])
    no_pain(workout)
    return finish_workout(workout=workout, feeling="about_right")


IN_ROUTINE_ORDER = (
    "Backwards walking long · Tibialis raise 3 lb · Tibialis raise 12 in · Calf raise 20 in"
)


@pytest.mark.django_db
def test_history_lists_knobs_in_the_routines_order(member_client, set_in_every_order):
    assert IN_ROUTINE_ORDER in member_client.get("/me/history/").text


@pytest.mark.django_db
def test_the_trainers_page_lists_knobs_in_the_routines_order(
    client, trainer, member, set_in_every_order
):
    client.force_login(trainer)
    assert IN_ROUTINE_ORDER in client.get(f"/trainer/members/{member.pk}/").text


@pytest.mark.django_db
def test_the_reminder_lists_last_times_knobs_in_the_routines_order(member, set_in_every_order):
    workout = Workout.objects.get()
    block = Assignment.objects.get(member=member)
    session = block.planned_sessions.filter(date__gt=workout.date).order_by("date").first()
    with time_machine.travel(dt.datetime.combine(session.date, dt.time(7), tzinfo=CLUB)):
        call_command("send_nudges", stdout=io.StringIO())
    (reminder,) = [m for m in mail.outbox if m.to == [member.email]]
    lines = [line for line in reminder.body.splitlines() if line.startswith("- ")]
    assert lines[:4] == [
        "- Backwards walking: stride length long",
        "- Tibialis raise: ankle weight 3 lb",
        "- Tibialis raise: feet distance from wall 12 in",
        "- Calf raise: feet distance from wall 20 in",
    ]
