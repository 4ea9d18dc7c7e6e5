"""One count and one numbering of a member's sessions, wherever they show.

A session is due so far once its day is over, or once it is done (early
included), so done is never more than due. A session's week is the block week
of its planned date, never of the day it was done. Clocks stop at 23:30 in
the club's zone, when UTC is already on the next day."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from icalendar import Calendar

from members.blocks.review import review_blocks
from members.blocks.steering import end_block
from members.models import Assignment, PainFlag, Question, Workout
from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB, finished_workout

MONDAY = dt.date(2026, 11, 16)  # block week 1: sessions Mon 16, Thu 19; week 2: 23, 26...
SATURDAY = dt.date(2026, 11, 28)  # block week 2, all done; Monday the 30th is week 3


def _late(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(23, 30), tzinfo=CLUB), tick=False)


def _sessions(block):
    return list(block.planned_sessions.order_by("number"))


def _four_done(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    for session in _sessions(block)[:4]:
        finished_workout(member, session)
    return block


@pytest.mark.django_db
def test_mondays_session_done_the_saturday_before_is_five_of_five(member, trainer, trainer_client):
    block = _four_done(member, trainer)
    monday = _sessions(block)[4]
    assert (monday.number, monday.date) == (5, dt.date(2026, 11, 30))
    finished_workout(member, monday, day=SATURDAY)

    with _late(SATURDAY):
        (review,) = review_blocks(Assignment.objects.filter(pk=block.pk))
        page = trainer_client.get(f"/trainer/members/{member.pk}/").text
        dashboard = trainer_client.get("/trainer/").text

    # Done early, Monday's session is due already: five of five, never 125 %.
    assert (review.progress.done, review.planned_so_far, review.adherence) == (5, 5, 100)
    assert "<dd>5 of 5 sessions so far (100%), 8 in all</dd>" in page
    assert "5 of 5 sessions so far (100%)" in dashboard
    # On Monday itself nothing more is due: still five of five.
    with _late(dt.date(2026, 11, 30)):
        (review,) = review_blocks(Assignment.objects.filter(pk=block.pk))
    assert (review.progress.done, review.planned_so_far, review.adherence) == (5, 5, 100)


@pytest.mark.django_db
def test_today_and_program_put_the_next_session_in_the_same_week(member, trainer, member_client):
    _four_done(member, trainer)
    with _late(SATURDAY):
        today = member_client.get("/me/").text
        program = member_client.get("/me/program/").text
    # Monday the 30th is session 5, in block week 3, on both pages.
    (caption,) = re.findall(r"Session (\d+) of 8 · week (\d+) of 4", today)
    assert caption == ("5", "3")
    assert _program_weeks(program)[5] == 3
    # Saturday itself is in week 2: that is the week Program marks as this one.
    assert _this_week(program) == 2


@pytest.mark.django_db
def test_a_workout_started_without_a_session_counts_for_the_one_today_offers(
    member, trainer, member_client
):
    _four_done(member, trainer)
    with _late(SATURDAY):
        offered = re.search(r'name="session" value="(\d+)"', member_client.get("/me/").text)
        response = member_client.post("/me/sessions/start/")
    workout = Workout.objects.get(date=SATURDAY)
    assert response.status_code == 302
    assert workout.planned_session_id == int(offered.group(1))
    assert workout.planned_session.number == 5


# Every place that shows the numbers, read as the person would ----------------


def _program_weeks(text: str) -> dict[int, int]:
    weeks = {}
    sections = re.findall(r'id="week-(\d+)" class="week-title">(.*?)</section>', text, re.S)
    for week, body in sections:
        for number in re.findall(r'class="session-name">Session (\d+)<', body):
            weeks[int(number)] = int(week)
    return weeks


def _this_week(text: str) -> int:
    (week,) = re.findall(r'class="week week-current" aria-labelledby="week-(\d+)"', text)
    return int(week)


def _today(client, member):
    text = client.get("/me/").text
    done, total = re.search(r"(\d+) of (\d+) sessions done", text).groups()
    number, week = re.search(r"Session (\d+) of \d+ · week (\d+) of \d+", text).groups()
    return {"done": int(done), "total": int(total), "weeks": {int(number): int(week)}}


def _program(client, member):
    text = client.get("/me/program/").text
    done, total = re.search(r"<dt>Done</dt><dd>(\d+) of (\d+) sessions</dd>", text).groups()
    return {
        "done": int(done),
        "total": int(total),
        "weeks": _program_weeks(text),
        "this_week": _this_week(text),
    }


def _history(client, member):
    text = client.get("/me/history/").text
    found = re.findall(r"Session (\d+), week (\d+)<", text)
    assert found
    return {"weeks": {int(n): int(w) for n, w in found}}


def _calendar(client, member):
    token = member.profile.create_calendar_token()
    events = Calendar.from_ical(client.get(f"/calendar/{token}.ics").content).walk("VEVENT")
    weeks, totals = {}, set()
    for event in events:
        number, total = re.search(r"session (\d+) of (\d+)$", str(event["summary"])).groups()
        week = re.search(r"^Week (\d+) of", str(event["description"])).group(1)
        weeks[int(number)] = int(week)
        totals.add(int(total))
    (total,) = totals
    return {"weeks": weeks, "total": total}


def _logger(client, member):
    facts = {"weeks": {}}
    for workout in Workout.objects.filter(member=member).select_related("planned_session"):
        text = client.get(f"/me/sessions/{workout.pk}/").text
        number, total = re.search(r"Session (\d+) of (\d+) ·", text).groups()
        assert int(number) == workout.planned_session.number
        facts["total"] = int(total)
    return facts


def _dashboard(client, member):
    text = client.get("/trainer/").text
    done, due, percent = re.search(r"(\d+) of (\d+) sessions so far \((\d+)%\)", text).groups()
    week = re.search(r" · week (\d+) of 4 · ", text).group(1)
    return {"done": int(done), "due": int(due), "percent": int(percent), "this_week": int(week)}


def _member_page(client, member):
    text = client.get(f"/trainer/members/{member.pk}/").text
    done, due, percent, total = re.search(
        r"<dd>(\d+) of (\d+) sessions so far \((\d+)%\), (\d+) in all</dd>", text
    ).groups()
    week = re.search(r"<dt>Week</dt><dd>(\d+) of 4</dd>", text).group(1)
    return {
        "done": int(done),
        "due": int(due),
        "percent": int(percent),
        "total": int(total),
        "this_week": int(week),
    }


def _question_page(client, member):
    question = Question.objects.create(
        member=member,
        name="Alex",
        email=member.email,
        trainer=member.profile.trainer,
        to_email="makana@example.com",
        subject="Knees",
        message="Is this normal?",
    )
    text = client.get(f"/trainer/questions/{question.pk}/").text
    done, due, percent = re.search(r"(\d+) of (\d+) sessions so far \((\d+)%\)", text).groups()
    week = re.search(r", week (\d+) of 4<", text).group(1)
    return {"done": int(done), "due": int(due), "percent": int(percent), "this_week": int(week)}


def _digest(client, member):
    call_command("send_nudges", stdout=io.StringIO())
    (digest,) = [m for m in mail.outbox if m.subject.startswith("Your week")]
    percent = re.search(r"Alex Rivera, [^\n]*, (\d+)% of sessions done", digest.body).group(1)
    return {"percent": int(percent)}


def _export(client, member):
    body = b"".join(client.get("/trainer/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    numbers = {(row["date"], row["planned session"]) for row in rows}
    planned = {
        (w.date.isoformat(), str(w.planned_session.number))
        for w in Workout.objects.filter(member=member).select_related("planned_session")
    }
    assert numbers == planned
    return {}


PLACES = {
    "today": (_today, "member"),
    "program": (_program, "member"),
    "history": (_history, "member"),
    "calendar": (_calendar, "member"),
    "logger": (_logger, "member"),
    "dashboard": (_dashboard, "trainer"),
    "member page": (_member_page, "trainer"),
    "question page": (_question_page, "trainer"),
    "digest": (_digest, "trainer"),
    "export": (_export, "trainer"),
}


def _done_early(member, trainer):
    """Sessions 1 to 4 on their days; Monday's session 5 on the Saturday before."""
    block = _four_done(member, trainer)
    finished_workout(member, _sessions(block)[4], day=SATURDAY)
    return SATURDAY


def _one_missed(member, trainer):
    """Sessions 1 and 2 done, Monday the 23rd missed, Thursday's still due tonight."""
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    for session in _sessions(block)[:2]:
        finished_workout(member, session)
    return dt.date(2026, 11, 26)


@pytest.mark.django_db
@pytest.mark.parametrize("story", [_done_early, _one_missed], ids=["done early", "one missed"])
@pytest.mark.parametrize("place", list(PLACES))
def test_every_page_agrees_on_the_numbers(place, story, client, member, trainer, settings):
    day = story(member, trainer)
    # A reason to be in the trainer's digest, which is sent on this day.
    PainFlag.objects.create(member=member, level=2)
    settings.DIGEST_DAY = f"{day:%A}".lower()
    read, who = PLACES[place]
    client.force_login(member if who == "member" else trainer)
    with _late(day):
        shown = read(client, member)

    # What is true, worked out here from the dates, not by the code under test.
    sessions = list(Assignment.objects.get(member=member).planned_sessions.order_by("number"))
    done = {w.planned_session.number for w in Workout.objects.filter(is_complete=True)}
    due = {s.number for s in sessions if s.date < day or s.number in done}
    truth = {
        "done": len(done),
        "due": len(due),
        "percent": round(100 * len(done) / len(due)),
        "total": len(sessions),
        "this_week": (day - MONDAY).days // 7 + 1,
    }
    weeks = {s.number: (s.date - MONDAY).days // 7 + 1 for s in sessions}

    assert {key: shown[key] for key in truth if key in shown} == {
        key: truth[key] for key in truth if key in shown
    }
    assert shown.get("weeks", {}).items() <= weeks.items()
    if "done" in shown and "due" in shown:
        assert shown["done"] <= shown["due"]


@pytest.mark.django_db
def test_the_logger_counts_the_sessions_of_a_block_ended_early(member, trainer, member_client):
    """Ended after week 1, the block has two sessions: the logger says so, as
    Program and the calendar do, not weeks times days of what was planned."""
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    workout = finished_workout(member, _sessions(block)[0])
    with _late(dt.date(2026, 11, 20)):
        end_block(assignment=block)
        text = member_client.get(f"/me/sessions/{workout.pk}/").text
    assert block.planned_sessions.count() == 2
    assert "Session 1 of 2 ·" in text
