"""Sign-in, password reset, invitations and the contact form each refuse
beyond their limit, with a clear message and nothing sent or stored, and the
limits hold when the requests are split between two OS processes: the
counters live in the database cache, which every web process shares.

Limits: sign-in, 5 failed passwords per address in 5 minutes (allauth's
login_failed); password reset, 5 emails per address a minute (allauth's
reset_password); the contact form, 5 questions an hour per visitor or member
(members.questions); invitations, 60 an hour per trainer
(members.invitation_limit)."""

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client

from members.invitation_limit import INVITATIONS_PER_HOUR
from members.models import Invitation, Question, User
from members.questions import QUESTIONS_PER_HOUR
from tests.clubsite.rate_limited import (
    MESSAGE,
    VISITOR_ADDRESS,
    ask,
    invite,
    make,
    password_reset,
    sign_in,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("clear_cache")

FAILED_SIGN_INS = 5  # allauth: login_failed, 5 per 5 minutes per address
RESETS = 5  # allauth: reset_password, 5 a minute per address
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def mid_hour():
    """Twenty past the hour, so no hourly window closes while a test runs."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 18, 20, tzinfo=dt.UTC), tick=True):
        yield


def _addresses(count: int, start: int = 0) -> list[str]:
    return [f"new{n}@example.com" for n in range(start, start + count)]


# Each limit, in this process.


@pytest.mark.django_db
def test_sign_in_refuses_the_sixth_failed_password_even_when_right(member):
    client = Client()
    for _ in range(FAILED_SIGN_INS):
        outcome = sign_in(client, email=member.email, password="wrong-password")
        assert outcome["status"] == 200 and not outcome["refused"]

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_refuses_the_sixth_email_a_minute(member):
    client = Client()
    for _ in range(RESETS):
        assert password_reset(client, email=member.email) == {
            "status": 302,
            "refused": False,
            "emails": 1,
        }

    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 429
    assert "Too many tries" in response.text
    assert len(mail.outbox) == RESETS


@pytest.mark.django_db
def test_the_contact_form_refuses_the_sixth_question_an_hour(trainer):
    client = Client()
    for n in range(QUESTIONS_PER_HOUR):
        outcome = ask(client, subject=f"Question {n}")
        assert outcome["status"] == 302 and outcome["emails"] == 2  # to the club, and a receipt

    page = client.get("/contact/", REMOTE_ADDR=VISITOR_ADDRESS).text
    response = client.post(
        "/contact/",
        {
            "name": "Robin",
            "email": "robin@example.net",
            "subject": "One more",
            "message": MESSAGE,
            "token": re.search(r'name="token" value="([^"]+)"', page).group(1),
        },
        REMOTE_ADDR=VISITOR_ADDRESS,
    )
    assert response.status_code == 429
    assert f"You have sent {QUESTIONS_PER_HOUR} questions this hour" in response.text
    assert "send it after 11:00 AM" in response.text  # the club's clock: 10:20 AM
    assert Question.objects.count() == QUESTIONS_PER_HOUR
    assert len(mail.outbox) == 2 * QUESTIONS_PER_HOUR


@pytest.mark.django_db
def test_invitations_refuse_the_sixty_first_an_hour(trainer_client):
    assert invite(trainer_client, people=_addresses(50))["status"] == 302
    for address in _addresses(INVITATIONS_PER_HOUR - 50, start=50):
        assert invite(trainer_client, people=[address])["emails"] == 1

    response = trainer_client.post(
        "/trainer/members/invite/", {"display_name": "One More", "email": "one.more@example.com"}
    )
    assert response.status_code == 429
    assert f"You have sent {INVITATIONS_PER_HOUR} invitations this hour" in response.text
    assert 'value="One More"' in response.text  # what was typed is kept
    assert not User.objects.filter(email="one.more@example.com").exists()
    assert Invitation.objects.count() == INVITATIONS_PER_HOUR
    assert len(mail.outbox) == INVITATIONS_PER_HOUR


# Two processes, one cache.


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The test database where a second process can open it; yields the
    DATABASE_URL that process needs. PostgreSQL's test database is one
    already. SQLite's is in this process's memory: it is copied to a file,
    and this process uses that file too until the test ends."""
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ["DATABASE_URL"])
        yield urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
        return
    assert connection.vendor == "sqlite"
    if not connection.is_in_memory_db():
        yield f"sqlite:///{connection.settings_dict['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    copy = sqlite3.connect(path)
    in_memory.backup(copy)
    copy.close()
    # Django never closes an in-memory test database: set it aside, still open.
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


def in_second_process(database_url: str, requests, *, trainer_email: str) -> list[dict]:
    plan = {"now": time.time(), "trainer": trainer_email, "requests": requests}
    finished = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.clubsite.rate_limited", json.dumps(plan)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "clubsite.settings"
            ),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    (line,) = [line for line in finished.stdout.splitlines() if line.startswith("OUTCOMES ")]
    return json.loads(line.removeprefix("OUTCOMES "))


def _refused(outcomes) -> list[bool]:
    return [outcome["refused"] for outcome in outcomes]


@pytest.mark.django_db(transaction=True)
def test_each_limit_holds_across_two_processes(shared_database, member, trainer):
    """This process uses part of each limit; the second process uses the rest
    and is refused once over; then this process is refused too. Were the
    counters per process (a local-memory cache), neither would be refused."""
    wrong = {"email": member.email, "password": "wrong-password"}
    reset = {"email": member.email}
    group = _addresses(30)
    here = make(
        [("sign_in", wrong)] * 2
        + [("password_reset", reset)] * 2
        + [("ask", {"subject": f"Here {n}"}) for n in range(2)]
        + [("invite", {"people": group})],
        trainer_email=trainer.email,
    )
    assert not any(_refused(here))
    sent_here = len(mail.outbox)

    there = in_second_process(
        shared_database,
        [("sign_in", wrong)] * (FAILED_SIGN_INS - 2)
        + [("sign_in", {**wrong, "password": PASSWORD})]
        + [("password_reset", reset)] * (RESETS - 2 + 1)
        + [("ask", {"subject": f"There {n}"}) for n in range(QUESTIONS_PER_HOUR - 2 + 1)]
        + [("invite", {"people": _addresses(INVITATIONS_PER_HOUR - 30 - 1, start=30)})]
        + [("invite", {"people": ["last@example.com"]})]
        + [("invite", {"people": ["over@example.com"]})],
        trainer_email=trainer.email,
    )
    assert _refused(there) == (
        [False] * (FAILED_SIGN_INS - 2)
        + [True]
        + [False] * (RESETS - 2)
        + [True]
        + [False] * (QUESTIONS_PER_HOUR - 2)
        + [True]
        + [False, False, True]
    )
    # A refused request sent nothing and signed no one in.
    assert all(o["emails"] == 0 for o in there if o["refused"])
    assert not any(o.get("signed_in") for o in there)

    # Back here, every limit is used up too.
    again = make(
        [
            ("sign_in", {**wrong, "password": PASSWORD}),
            ("password_reset", reset),
            ("ask", {"subject": "Here again"}),
            ("invite", {"people": ["here.over@example.com"]}),
        ],
        trainer_email=trainer.email,
    )
    assert _refused(again) == [True, True, True, True]
    assert len(mail.outbox) == sent_here
    # Nothing the refused requests carried was stored, whichever process made them.
    assert Question.objects.count() == QUESTIONS_PER_HOUR
    assert Invitation.objects.count() == INVITATIONS_PER_HOUR
    assert not User.objects.filter(
        email__in=["over@example.com", "here.over@example.com"]
    ).exists()
