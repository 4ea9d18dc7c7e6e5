"""Invitations and questions follow the member's trainer now: Kai can no longer
send a handed-over invitee a link, and inviting again cannot take a member
off another trainer's block; a trainer's own question stays with the club."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from members.accounts.invitations import invite_member
from members.models import (
    Invitation,
    Profile,
)
from members.questions.services import ask
from tests.factories import put_on_block, signed_in
from tests.members.coaching.handover import (
    FRI,
    TUE,
    TUESDAY,
    fingerprint,
)
from tests.members.logger_helpers import CLUB

pytestmark = pytest.mark.usefixtures("tuesday")


@pytest.mark.django_db
def test_an_invitation_is_for_the_trainer_who_has_the_member_now(
    other_trainer, trainer, django_capture_on_commit_callbacks
):
    """Kai invited Robin; before Robin accepts, Kai hands Robin over and
    Makana puts Robin on a block. Kai can no longer send Robin a new link;
    Makana can."""
    invitation, _ = invite_member(
        trainer=other_trainer, email="robin@example.com", display_name="Robin"
    )
    Profile.objects.filter(user=invitation.member).update(trainer=trainer)
    put_on_block(invitation.member, trainer=trainer, start_date=TUESDAY, weekdays=(TUE, FRI))
    mail.outbox.clear()
    before = fingerprint()
    kai = signed_in(other_trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = kai.post(f"/trainer/invitations/{invitation.pk}/send-again/")
    assert response.status_code == 404 and fingerprint() == before and mail.outbox == []
    assert "robin@example.com" not in kai.get("/admin/members/invitation/").text
    # Later than a repeated tap of Kai's first send.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        sent = signed_in(trainer).post(f"/trainer/invitations/{invitation.pk}/send-again/")
    assert sent.status_code == 302
    assert [email.to for email in mail.outbox] == [["robin@example.com"]]


@pytest.mark.django_db
def test_a_question_from_a_trainer_still_reaches_the_clubs_desk(settings, trainer, other_trainer):
    """Questions follow the member; one from staff (no trainer of their own)
    stays with whom it was sent to."""
    settings.CLUB_CONTACT_EMAIL = trainer.email
    ask(member=other_trainer, name="Kai", email=other_trainer.email, subject="Mats", message="?")
    assert "Mats" in signed_in(trainer).get("/trainer/questions/").text
    assert "Mats" not in signed_in(other_trainer).get("/trainer/questions/").text


@pytest.mark.django_db
def test_inviting_again_cannot_take_a_member_off_another_trainers_block(trainer, other_trainer):
    """Kai invited Robin and put Robin on a block; the link expired unused.
    Inviting Robin again would make Makana Robin's trainer mid-block: refused,
    at the field, on the trainer page, the group form and the admin."""
    invitation, _ = invite_member(
        trainer=other_trainer, email="robin@example.com", display_name="Robin"
    )
    put_on_block(invitation.member, trainer=other_trainer, start_date=TUESDAY)
    with time_machine.travel(
        dt.datetime.combine(TUESDAY + dt.timedelta(days=15), dt.time(10), tzinfo=CLUB)
    ):
        makana = signed_in(trainer)
        single = makana.post(
            "/trainer/members/invite/", {"display_name": "Robin", "email": "robin@example.com"}
        )
        group = makana.post(
            "/trainer/members/invite/group/", {"people": "Robin, robin@example.com"}
        )
        admin = makana.post(
            "/admin/members/invitation/add/",
            {"display_name": "Robin", "email": "robin@example.com"},
        )
    for response in [single, group, admin]:
        assert response.status_code == 200
        assert "Robin is on a block already" in response.text
    assert Profile.objects.get(user=invitation.member).trainer == other_trainer
    assert Invitation.objects.get().invited_by == other_trainer
    assert mail.outbox == []
