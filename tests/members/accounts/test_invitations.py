"""Invitations: a trainer adds a member by name and email; the member sets a
password through the emailed link, once, before it expires."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Invitation, User
from tests.factories import PASSWORD
from tests.html import elements

NEW_PASSWORD = "calf-raise-at-the-wall"


def _link(message) -> str:
    return re.search(r"http://testserver(/invitation/[^/\s]+/)", message.body).group(1)


def _invite(client, name="Sam Park", email="sam@example.com"):
    return client.post("/trainer/members/invite/", {"display_name": name, "email": email})


def _accept(client, link, password=NEW_PASSWORD):
    return client.post(link, {"new_password1": password, "new_password2": password})


@pytest.mark.django_db
def test_a_trainer_invites_and_the_email_carries_a_link(trainer_client, trainer, mailoutbox):
    response = _invite(trainer_client)

    sam = User.objects.get(email="sam@example.com")
    assert response.status_code == 302
    assert response["Location"] == f"/trainer/assign/?member={sam.pk}"
    assert sam.profile.display_name == "Sam Park"
    assert sam.profile.trainer == trainer
    assert not sam.has_usable_password()
    assert not EmailAddress.objects.get(user=sam).verified
    (message,) = mailoutbox
    assert message.to == ["sam@example.com"]
    assert message.reply_to == ["makana@example.com"]
    assert message.subject == "Makana invited you to Ground Up at Ballard Health Club"
    assert "Hi Sam Park," in message.body
    html = message.alternatives[0].content
    assert _link(message) in html


@pytest.mark.django_db
def test_the_invited_member_sets_a_password_once_and_lands_on_today(
    client, trainer_client, mailoutbox
):
    _invite(trainer_client)
    link = _link(mailoutbox[0])
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert "Welcome, Sam Park" in page.text
    assert "Makana invited you" in page.text

    response = _accept(client, link)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    today = client.get("/me/")
    assert "You are not on a routine yet" in today.text
    assert "Makana will set you up" in today.text
    sam = User.objects.get(email="sam@example.com")
    assert sam.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=sam).verified

    # The link works once.
    client.logout()
    again = _accept(client, link, password="another-password-1")
    assert again.status_code == 410
    assert "already used" in again.text
    sam.refresh_from_db()
    assert sam.check_password(NEW_PASSWORD)

    # And the member signs in like anyone else.
    signed_in = client.post(
        "/accounts/login/", {"login": "sam@example.com", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/me/"


@pytest.mark.django_db
def test_set_password_sent_again_moments_later_signs_in_only_with_that_password(
    client, trainer_client, mailoutbox
):
    """A double tap: the second post carries the password the first set."""
    _invite(trainer_client)
    link = _link(mailoutbox[0])
    client.logout()
    _accept(client, link)
    client.logout()

    assert _accept(client, link, password="another-password-1").status_code == 410
    assert client.get("/me/").status_code == 302  # still signed out
    again = _accept(client, link)
    assert again.status_code == 302 and again["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    client.logout()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert _accept(client, link).status_code == 410


@pytest.mark.django_db
def test_a_weak_password_is_refused_at_the_field(client, trainer_client, mailoutbox):
    _invite(trainer_client)
    link = _link(mailoutbox[0])
    client.logout()
    response = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "This password is too short" in response.text
    assert not Invitation.objects.get().accepted_at


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, trainer_client, mailoutbox):
    _invite(trainer_client)
    link = _link(mailoutbox[0])
    client.logout()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        page = client.get(link)
        posted = _accept(client, link)
    assert page.status_code == posted.status_code == 410
    assert "This invitation has expired" in page.text
    assert "Ask Makana" in page.text
    assert not User.objects.get(email="sam@example.com").has_usable_password()


@pytest.mark.django_db
def test_send_again_makes_a_new_link_and_kills_the_old(
    client, trainer, trainer_client, mailoutbox
):
    _invite(trainer_client)
    old_link = _link(mailoutbox[0])
    invitation = Invitation.objects.get()
    # The first link has expired by the time the trainer sends it again.
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        trainer_client.force_login(trainer)
        listing = trainer_client.get("/trainer/members/")
        assert "Invitation expired" in listing.text
        response = trainer_client.post(f"/trainer/invitations/{invitation.pk}/send-again/")
        assert response.status_code == 302
        new_link = _link(mailoutbox[1])
        assert new_link != old_link
        client.logout()
        assert client.get(old_link).status_code == 404
        assert _accept(client, new_link)["Location"] == "/me/"
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert invitation.accepted_at


@pytest.mark.django_db
def test_an_unknown_link_is_a_404(client):
    assert client.get("/invitation/not-a-real-token/").status_code == 404


@pytest.mark.django_db
def test_inviting_someone_with_an_account_says_so_at_the_field(trainer_client, member):
    response = _invite(trainer_client, name="Alex", email="ALEX@example.com")
    assert response.status_code == 200
    assert "Alex Rivera already has an account" in response.text
    assert elements(response.text, "input", name="email", value="ALEX@example.com")
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_inviting_twice_points_to_send_again(trainer_client, mailoutbox):
    _invite(trainer_client)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        response = _invite(trainer_client)
    assert "was invited on" in response.text
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_same_invitation_posted_again_at_once_lands_where_the_first_did(
    trainer_client, mailoutbox
):
    """A double tap: the second post answers as the first did and sends nothing."""
    first = _invite(trainer_client)
    again = _invite(trainer_client)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Invitation.objects.get().send_count == 1
    assert len(mailoutbox) == 1
    assert _link(mailoutbox[0])  # still the link that works


@pytest.mark.django_db
def test_bad_input_keeps_what_was_typed(trainer_client):
    response = _invite(trainer_client, name="  ", email="sam@")
    assert response.status_code == 200
    assert "Enter the member&#x27;s name." in response.text
    assert "Enter a valid email address." in response.text
    assert elements(response.text, "input", name="email", value="sam@")


@pytest.mark.django_db
def test_a_line_break_in_the_name_is_a_space(trainer_client, mailoutbox):
    trainer_client.post(
        "/trainer/members/invite/",
        {"display_name": "Sam\r\nPark", "email": "sam@example.com"},
    )
    assert User.objects.get(email="sam@example.com").display_name == "Sam Park"
    assert mailoutbox[0].body.startswith("Hi Sam Park,")


def test_a_group_is_invited_in_one_go_and_lands_on_assign(trainer_client, mailoutbox):
    response = trainer_client.post(
        "/trainer/members/invite/group/",
        {"people": "Sam Park, sam@example.com\n\nRiley Chen <riley@example.com>\n"},
    )
    sam, riley = (
        User.objects.get(email="sam@example.com"),
        User.objects.get(email="riley@example.com"),
    )
    assert response["Location"] == f"/trainer/assign/?member={sam.pk}&member={riley.pk}"
    assert riley.profile.display_name == "Riley Chen"
    assert sorted(m.to[0] for m in mailoutbox) == ["riley@example.com", "sam@example.com"]
    assert (
        "Invitations sent to Sam Park, Riley Chen."
        in trainer_client.get(response["Location"]).text
    )


@pytest.mark.django_db
def test_a_group_line_may_put_the_email_first(trainer_client):
    trainer_client.post("/trainer/members/invite/group/", {"people": "sam@example.com, Sam Park"})
    assert User.objects.get(email="sam@example.com").profile.display_name == "Sam Park"


@pytest.mark.django_db
def test_a_group_with_a_bad_line_invites_nobody_and_says_which(trainer_client, member):
    response = trainer_client.post(
        "/trainer/members/invite/group/",
        {"people": "Sam Park, sam@example.com\nbob@\nAlex, alex@example.com"},
    )
    assert response.status_code == 200
    assert "Line 2 (bob@)" in response.text
    assert "Line 3 (Alex, alex@example.com): Alex Rivera already has an account" in response.text
    assert "Sam Park, sam@example.com" in response.text
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_members_cannot_invite(member_client):
    assert member_client.get("/trainer/members/invite/").status_code == 403
    assert _invite(member_client).status_code == 403
    assert not User.objects.filter(email="sam@example.com").exists()


@pytest.mark.django_db
def test_the_admin_invites_too(client, trainer, mailoutbox):
    client.force_login(trainer)
    response = client.post(
        "/admin/members/invitation/add/",
        {"display_name": "Sam Park", "email": "sam@example.com"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.member.email == "sam@example.com"
    assert invitation.invited_by == trainer
    assert len(mailoutbox) == 1
    listing = client.get("/admin/members/invitation/")
    assert "sam@example.com" in listing.text
    assert "Waiting for the member" in listing.text


@pytest.mark.django_db
def test_the_admin_lists_only_the_trainers_own_invitations(client, trainer, other_trainer):
    client.force_login(other_trainer)
    _invite(client, name="Kim", email="kim@example.com")
    client.force_login(trainer)
    _invite(client)
    listing = client.get("/admin/members/invitation/")
    assert "sam@example.com" in listing.text
    assert "kim@example.com" not in listing.text


@pytest.mark.django_db
def test_a_member_with_a_password_cannot_be_invited_through_the_admin(client, trainer, member):
    client.force_login(trainer)
    response = client.post(
        "/admin/members/invitation/add/", {"display_name": "Alex", "email": member.email}
    )
    assert response.status_code == 200
    assert "already has an account" in response.text
    assert member.check_password(PASSWORD)
