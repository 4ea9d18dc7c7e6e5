"""Sign-in, password reset, invitations and the contact form each refuse
beyond their limit, with a clear message and nothing sent or stored. That they
hold across OS processes and for requests at once, on the database cache and
on Redis, is in test_rate_limits_at_once.py.

Limits: sign-in, 5 failed passwords per address in 5 minutes (allauth's
login_failed); password reset, 5 emails per address a minute (allauth's
reset_password); the contact form, 5 questions an hour per visitor or member
(members.questions.services); invitations, 60 an hour per trainer
(members.accounts.limits)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings

from members.accounts import limits as invitation_limit
from members.accounts.limits import INVITATIONS_PER_HOUR
from members.models import Invitation, Question, User
from members.questions.services import QUESTIONS_PER_HOUR
from tests.clubsite.rate_limited import (
    MESSAGE,
    VISITOR_ADDRESS,
    ask,
    invite,
    password_reset,
    sign_in,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("clear_cache")

FAILED_SIGN_INS = 5  # allauth: login_failed, 5 per 5 minutes per address
RESETS = 5  # allauth: reset_password, 5 a minute per address


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


@pytest.mark.django_db
def test_an_invitation_that_was_not_sent_gives_its_use_back(trainer_client, trainer):
    """Taken before the work, so given back when the work does not happen:
    "send again" for someone who has accepted sends nothing and costs nothing."""
    assert invite(trainer_client, people=["sam@example.com"])["emails"] == 1
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=invitation.created_at)
    assert invitation_limit.reserve(trainer, INVITATIONS_PER_HOUR - 2) is None

    response = trainer_client.post(
        f"/trainer/invitations/{invitation.pk}/send-again/", follow=True
    )
    assert "has already accepted" in response.text
    assert invite(trainer_client, people=["kim@example.com"])["status"] == 302  # the 60th
    assert invite(trainer_client, people=["lee@example.com"])["status"] == 429


@pytest.mark.django_db
def test_a_flood_of_other_entries_does_not_wipe_a_members_failed_sign_ins(member):
    """The database cache culls a third of its rows, lowest keys first, once it
    holds more than MAX_ENTRIES (Django's default: 300). allauth's failed
    sign-ins sort below its password resets, so four hundred resets for made-up
    addresses, twenty from each of twenty addresses (under allauth's limits),
    would wipe them and let the guessing go on."""
    guesser = Client()
    for _ in range(FAILED_SIGN_INS):
        sign_in(guesser, email=member.email, password="wrong-password")
    assert sign_in(guesser, email=member.email, password=PASSWORD)["refused"]

    flood = Client()
    for n in range(400):
        response = flood.post(
            "/accounts/password/reset/",
            {"email": f"nobody{n}@example.com"},
            REMOTE_ADDR=f"198.51.100.{n // 20}",
        )
        assert response.status_code == 302

    outcome = sign_in(guesser, email=member.email, password=PASSWORD)
    assert outcome["refused"] and not outcome["signed_in"]


@pytest.mark.django_db
@pytest.mark.parametrize("post", ["sign_in", "ask"])
def test_a_redis_out_of_reach_is_a_503_to_try_again(post, member):
    """Where REDIS_URL is set and Redis stops answering, a post that counts a
    limit answers the "try again" page, as when the database is out of reach."""
    nothing_listens = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    client = Client(raise_request_exception=False)
    with override_settings(CACHES=nothing_listens):
        if post == "sign_in":
            response = client.post(
                "/accounts/login/", {"login": member.email, "password": PASSWORD}
            )
        else:
            response = client.post(
                "/contact/",
                {
                    "name": "Robin",
                    "email": "robin@example.net",
                    "subject": "Heels",
                    "message": MESSAGE,
                    "token": "0b7c1c1e-8f4e-4f39-9d0b-3c3c8d3b6a10",
                },
                REMOTE_ADDR=VISITOR_ADDRESS,
            )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.text
    assert not Question.objects.exists()
