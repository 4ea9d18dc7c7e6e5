"""A signed-in phone is not the account: adding, removing or switching an email
address asks for the password again, a reset link only goes to a verified
address, and every change is told to the verified addresses. Sign-up does the
same work for a known address as for a new one, and a double tap on it is one
account and two ordinary answers."""

import threading

import pytest
from allauth.account import signals as allauth_signals
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, override_settings

from members.models import Profile, User
from tests.concurrency import at_once, needs_postgresql
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "/accounts/email/"
REAUTH = "/accounts/reauthenticate/"
RESET = "/accounts/password/reset/"
CHANGE_PASSWORD = "/accounts/password/change/"
SIGNUP = "/accounts/signup/"
ATTACKER = "mallory@attacker.example"


def _add_address(client, email=ATTACKER):
    return client.post(EMAIL, {"email": email, "action_add": ""})


def _reauthenticate(client, next_url=EMAIL, password=PASSWORD):
    return client.post(REAUTH, {"password": password, "next": next_url})


def _sent_to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]


# Finding 1: account takeover from a signed-in session.


def test_a_stolen_session_cannot_add_an_address_and_reset_the_password_to_it(
    member_client, member, mailoutbox, clear_cache
):
    """The attack as found: on a signed-in phone, add your own address, ask a
    reset for it, set a new password. Now the add asks for the password, and
    no reset link goes to the address."""
    added = _add_address(member_client)
    assert added.status_code == 302
    assert added.url == f"{REAUTH}?next=%2Faccounts%2Femail%2F"
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()

    attacker = Client()
    asked = attacker.post(RESET, {"email": ATTACKER})
    assert asked.status_code == 302 and asked.url == "/accounts/password/reset/done/"
    # A stranger's address hears only that it has no account here; no link.
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox)
    assert not _sent_to(mailoutbox, member.email)


def test_a_reset_never_goes_to_an_unverified_address_of_the_account(
    member, client, mailoutbox, clear_cache
):
    """Even an address on the account (added before this rule, or by the member
    and never confirmed) gets the same answer as a stranger's, and no mail."""
    EmailAddress.objects.create(user=member, email=ATTACKER, verified=False, primary=False)

    asked = client.post(RESET, {"email": ATTACKER})
    assert asked.status_code == 302 and asked.url == "/accounts/password/reset/done/"
    assert mailoutbox == []

    # The verified address still gets its link.
    client.post(RESET, {"email": member.email})
    (reset,) = mailoutbox
    assert reset.to == [member.email]
    assert "/accounts/password/reset/key/" in reset.body


def test_adding_an_address_after_the_password_tells_the_verified_address(
    member_client, member, mailoutbox, clear_cache
):
    _add_address(member_client)
    wrong = _reauthenticate(member_client, password="not-it")
    assert wrong.status_code == 200 and "Incorrect password." in wrong.text
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()

    # The post that was stopped is carried out once the password is given.
    confirmed = _reauthenticate(member_client)
    assert confirmed.status_code == 302 and confirmed.url == EMAIL
    added = EmailAddress.objects.get(email=ATTACKER)
    assert added.user == member and not added.verified

    (verify,) = _sent_to(mailoutbox, ATTACKER)
    assert "/accounts/confirm-email/" in verify.body
    (notice,) = _sent_to(mailoutbox, member.email)
    assert notice.subject == "[Ballard Health Club] A new email address was added to your account"
    assert f"{ATTACKER} was added to your account" in notice.body
    assert "Ballard Health Club" in notice.body
    assert "http://testserver/accounts/password/reset/" in notice.body
    html, mimetype = notice.alternatives[0]
    assert mimetype == "text/html" and "Ground Up · Ballard Health Club" in html

    # Within five minutes of the password, the page does not ask again.
    _add_address(member_client, "second@example.com")
    assert EmailAddress.objects.filter(email="second@example.com", user=member).exists()


def test_removing_or_switching_an_address_asks_for_the_password_and_tells(
    member_client, member, mailoutbox, clear_cache
):
    EmailAddress.objects.create(user=member, email="work@example.com", verified=True)
    EmailAddress.objects.create(user=member, email=ATTACKER, verified=False)

    for action in ["action_remove", "action_primary"]:
        response = member_client.post(EMAIL, {"email": "work@example.com", action: ""})
        assert response.url.startswith(REAUTH)
    assert EmailAddress.objects.get(email="work@example.com").primary is False
    assert mailoutbox == []

    member_client.post(EMAIL, {"email": ATTACKER, "action_remove": ""})
    _reauthenticate(member_client)
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()
    # Told at both verified addresses; never at the address that went.
    removed = [m for m in mailoutbox if "removed from your account" in m.subject]
    assert sorted(m.to[0] for m in removed) == [member.email, "work@example.com"]
    assert all(f"{ATTACKER} was removed" in m.body for m in removed)

    mailoutbox.clear()
    member_client.post(EMAIL, {"email": "work@example.com", "action_primary": ""})
    assert EmailAddress.objects.get(email="work@example.com").primary is True
    changed = sorted(m.to[0] for m in mailoutbox)
    assert changed == [member.email, "work@example.com"]
    assert f"from {member.email} to work@example.com" in mailoutbox[0].body


def test_changing_the_password_asks_for_the_current_one_and_tells(
    member_client, member, mailoutbox, clear_cache
):
    new = {"password1": "heels-lift-slowly-77", "password2": "heels-lift-slowly-77"}
    refused = member_client.post(CHANGE_PASSWORD, {"oldpassword": "not-it", **new})
    assert refused.status_code == 200
    assert "Please type your current password." in refused.text
    assert mailoutbox == []

    changed = member_client.post(CHANGE_PASSWORD, {"oldpassword": PASSWORD, **new})
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.check_password("heels-lift-slowly-77")
    (notice,) = mailoutbox
    assert notice.to == [member.email]
    assert notice.subject == "[Ballard Health Club] Your password was changed"


@override_settings(CLUB_NAME="O'Brien & Sons Gym")
def test_the_plain_text_notice_is_not_html_escaped_and_the_html_is(
    member_client, member, mailoutbox, clear_cache
):
    address = "o'neil&co@example.com"
    _reauthenticate(member_client)
    _add_address(member_client, address)
    (notice,) = _sent_to(mailoutbox, member.email)
    assert f"{address} was added" in notice.body
    assert "O'Brien & Sons Gym" in notice.body
    html, _ = notice.alternatives[0]
    assert "o&#x27;neil&amp;co@example.com was added" in html
    assert "O&#x27;Brien &amp; Sons Gym" in html


def test_staff_are_held_to_the_same_rules(client, trainer, mailoutbox, clear_cache):
    client.force_login(trainer)
    added = _add_address(client)
    assert added.url.startswith(REAUTH)
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()
    # The admin's own password form is allauth's, which tells the verified address.
    admin_change = client.get("/admin/password_change/")
    assert admin_change.status_code == 302 and admin_change.url == CHANGE_PASSWORD


# Finding 8: sign-up time tells who is a member.


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting every hash it computes: hashing a new
    password and checking one (its ``verify`` hashes through ``encode`` and
    compares) are one each, as they are one key derivation each in production."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


def _sign_up(client, email):
    new_password = "ankles-and-knees-2026"
    return client.post(
        SIGNUP,
        {
            "email": email,
            "display_name": "River",
            "password1": new_password,
            "password2": new_password,
        },
    )


@override_settings(
    PASSWORD_HASHERS=[
        "tests.members.accounts.test_account_security.CountingHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_signing_up_with_a_members_address_hashes_as_much_as_a_new_one(
    client, member, mailoutbox, clear_cache
):
    CountingHasher.calls = 0
    fresh = _sign_up(client, "river@example.com")
    new_address_hashes = CountingHasher.calls

    CountingHasher.calls = 0
    known = _sign_up(Client(), member.email)
    known_address_hashes = CountingHasher.calls

    assert fresh.status_code == known.status_code == 302
    assert fresh.url == known.url == "/accounts/confirm-email/"
    assert new_address_hashes >= 1
    assert known_address_hashes == new_address_hashes
    # The member is not signed up twice; they are told they already have an account.
    assert User.objects.filter(email=member.email).count() == 1
    assert [m.to for m in mailoutbox] == [["river@example.com"], [member.email]]


# Finding 3 (sign-up): a double tap is one account and two ordinary answers.


class MeetingHasher(MD5PasswordHasher):
    """Holds each sign-up at its password hash until both have got there: both
    have then checked that the address is free, and neither has saved."""

    algorithm = "meeting_md5"
    barrier: threading.Barrier | None = None

    def encode(self, password, salt):
        if self.barrier is not None:
            self.barrier.wait(timeout=10)
        return super().encode(password, salt)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(
    PASSWORD_HASHERS=[
        "tests.members.accounts.test_account_security.MeetingHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_two_identical_sign_ups_at_once_make_one_account_and_no_error(mailoutbox, clear_cache):
    MeetingHasher.barrier = threading.Barrier(2)
    try:
        answers = at_once(
            lambda: _sign_up(Client(raise_request_exception=False), "river@example.com")
            for _ in range(2)
        )
    finally:
        MeetingHasher.barrier = None

    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer.url for answer in answers} == {"/accounts/confirm-email/"}
    assert User.objects.filter(email="river@example.com").count() == 1
    assert Profile.objects.filter(user__email="river@example.com").count() == 1
    assert EmailAddress.objects.filter(email="river@example.com").count() == 1
    # One mail: the winner's verification link (the loser is the same person).
    (verify,) = mailoutbox
    assert verify.to == ["river@example.com"]
    assert "/accounts/confirm-email/" in verify.body


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_identical_adds_of_an_address_at_once_make_one_row_and_one_notice(
    member, mailoutbox, clear_cache
):
    taps = []
    for _ in range(2):
        tap = Client(raise_request_exception=False)
        tap.force_login(member)
        _reauthenticate(tap)
        taps.append(tap)
    barrier = threading.Barrier(2)

    def both_checked(sender, **kwargs):
        # Both posts have found the address free before either saves it.
        barrier.wait(timeout=10)

    allauth_signals._add_email.connect(both_checked)
    try:
        answers = at_once(lambda tap=tap: _add_address(tap) for tap in taps)
    finally:
        allauth_signals._add_email.disconnect(both_checked)

    assert [answer.status_code for answer in answers] == [302, 302]
    assert EmailAddress.objects.filter(email=ATTACKER).count() == 1
    assert len(_sent_to(mailoutbox, ATTACKER)) == 1
    assert len(_sent_to(mailoutbox, member.email)) == 1


@override_settings(
    PASSWORD_HASHERS=[
        "tests.members.accounts.test_account_security.CountingHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_signing_in_hashes_as_much_for_a_stranger_as_for_a_member(client, member, clear_cache):
    """The sibling of sign-up: a wrong password for a member and any password
    for an unknown address cost the same hashing (allauth and Django both
    hash a throwaway password for an unknown user)."""
    member.set_password(PASSWORD)  # hashed by the counting hasher, like every other
    member.save()
    counts = []
    for email in [member.email, "nobody@example.com"]:
        CountingHasher.calls = 0
        answer = Client().post("/accounts/login/", {"login": email, "password": "not-it"})
        assert answer.status_code == 200
        counts.append(CountingHasher.calls)
    assert counts[0] == counts[1] >= 1
