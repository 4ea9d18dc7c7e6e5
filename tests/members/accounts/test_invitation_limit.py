"""The hourly limit on invitations, per trainer: the form, a group, sending
again and the admin all count against it, and each trainer has their own."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from members.accounts import limits as invitation_limit
from members.accounts.limits import INVITATIONS_PER_HOUR
from members.models import Invitation, User
from tests.html import elements


def _invite(client, name="Sam Park", email="sam@example.com"):
    return client.post("/trainer/members/invite/", {"display_name": name, "email": email})


@pytest.fixture
def sent_this_hour(trainer, clear_cache):
    """Makana has sent ``count`` invitations this hour."""

    def sent(count):
        assert invitation_limit.reserve(trainer, count) is None

    # Twenty past the hour, so the hour does not end during the test.
    with time_machine.travel(dt.datetime(2026, 3, 2, 18, 20, tzinfo=dt.UTC), tick=False):
        yield sent


@pytest.mark.django_db
def test_past_the_limit_the_form_says_when_and_keeps_what_was_typed(
    trainer_client, sent_this_hour, mailoutbox
):
    sent_this_hour(INVITATIONS_PER_HOUR - 1)
    assert _invite(trainer_client, email="last@example.com").status_code == 302

    response = _invite(trainer_client)
    assert response.status_code == 429
    assert (
        "You have sent 60 invitations this hour, the most one trainer can send. "
        "Send more after 11:00 AM." in response.text
    )
    assert elements(response.text, "input", name="display_name", value="Sam Park")
    assert elements(response.text, "input", name="email", value="sam@example.com")
    assert not User.objects.filter(email="sam@example.com").exists()
    assert [m.to for m in mailoutbox] == [["last@example.com"]]


@pytest.mark.django_db
def test_a_group_bigger_than_what_is_left_is_refused_whole(
    trainer_client, sent_this_hour, mailoutbox
):
    sent_this_hour(INVITATIONS_PER_HOUR - 2)
    people = "Ana, ana@example.com\nBo, bo@example.com\nCy, cy@example.com"
    response = trainer_client.post("/trainer/members/invite/group/", {"people": people})
    assert response.status_code == 429
    assert "That is 3 invitations, and 2 more can go this hour" in response.text
    assert "Invite 2 now, or everyone after 11:00 AM." in response.text
    assert "cy@example.com" in response.text  # the list is kept
    assert Invitation.objects.count() == 0 and mailoutbox == []

    people = "Ana, ana@example.com\nBo, bo@example.com"
    assert (
        trainer_client.post("/trainer/members/invite/group/", {"people": people}).status_code
        == 302
    )
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_send_again_counts_and_is_refused_past_the_limit(
    trainer_client, sent_this_hour, mailoutbox
):
    _invite(trainer_client)
    invitation = Invitation.objects.get()
    sent_this_hour(INVITATIONS_PER_HOUR - 2)
    url = f"/trainer/invitations/{invitation.pk}/send-again/"
    # Minutes later: at once, a second post is the first one repeated.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert trainer_client.post(url).status_code == 302  # the 60th
    assert len(mailoutbox) == 2

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        response = trainer_client.post(url, follow=True)
    assert "You have sent 60 invitations this hour" in response.text
    assert len(mailoutbox) == 2
    invitation.refresh_from_db()
    assert invitation.send_count == 2


@pytest.mark.django_db
def test_the_admin_keeps_the_same_count(client, trainer, sent_this_hour, mailoutbox):
    client.force_login(trainer)
    client.post("/admin/members/invitation/add/", {"display_name": "Sam", "email": "sam@ex.com"})
    invitation = Invitation.objects.get()
    sent_this_hour(INVITATIONS_PER_HOUR - 1)

    response = client.post(
        "/admin/members/invitation/add/", {"display_name": "Kim", "email": "kim@example.com"}
    )
    assert response.status_code == 200
    assert "You have sent 60 invitations this hour" in response.text
    again = client.post(
        "/admin/members/invitation/",
        {"action": "send_again", "_selected_action": [invitation.pk]},
        follow=True,
    )
    assert "You have sent 60 invitations this hour" in again.text
    assert len(mailoutbox) == 1 and Invitation.objects.count() == 1


@pytest.mark.django_db
def test_each_trainer_has_their_own_count_and_it_starts_again_each_hour(
    client, trainer, other_trainer, sent_this_hour
):
    sent_this_hour(INVITATIONS_PER_HOUR)
    client.force_login(other_trainer)
    assert _invite(client, email="kim@example.com").status_code == 302
    client.force_login(trainer)
    assert _invite(client).status_code == 429
    with time_machine.travel(dt.datetime(2026, 3, 2, 19, 0, tzinfo=dt.UTC), tick=False):
        assert _invite(client).status_code == 302
