"""Every place that shows a member's session numbers (Today, Program, History,
the calendar, the logger, the trainer's dashboard, member and question pages,
the digest, the export) agrees with the truth worked out from the dates, in
two stories: a session done early, and one missed. Clocks stop at 23:30 in
the club's zone.

Each story is built once for its ten places (the places only read; what a
reader makes, such as a question, is undone after its test)."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from icalendar import Calendar

from members.models import Assignment, PainFlag, Question, User, Workout
from tests.conftest import kept_for_many_tests, make_persona
from tests.factories import put_on_block
from tests.members.blocks.test_numbering import (
    MONDAY,
    SATURDAY,
    _four_done,
    _late,
    _program_weeks,
    _sessions,
    _this_week,
)
from tests.members.logger_helpers import finished_workout


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


@pytest.fixture(
    scope="module", params=[_done_early, _one_missed], ids=["done early", "one missed"]
)
def story(request, django_db_setup, django_db_blocker):
    """The story's day, Alex and Makana, built once for every place."""
    with kept_for_many_tests(django_db_blocker):
        with django_db_blocker.unblock():
            member, trainer = make_persona("member"), make_persona("trainer")
            day = request.param(member, trainer)
        yield day, member.pk, trainer.pk


@pytest.mark.django_db
@pytest.mark.parametrize("place", list(PLACES))
def test_every_page_agrees_on_the_numbers(place, story, client, settings):
    day, member_pk, trainer_pk = story
    member, trainer = User.objects.get(pk=member_pk), User.objects.get(pk=trainer_pk)
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
