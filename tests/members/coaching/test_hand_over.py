"""A trainer takes on only members with no trainer now or their own. Kai
trains Alex and ends Alex's block; Makana then tries to put Alex on a block
(alone, in a group, by invitation): refused at the field, naming Kai and how
to hand over, and nothing changes. A superuser may still assign Alex, which
hands Alex over."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.blocks.steering import end_block
from members.models import Assignment, Profile
from tests.factories import ground_up_routine, put_on_block, signed_in
from tests.members.logger_helpers import CLUB

TUESDAY = dt.date(2026, 11, 17)
REFUSED = "Alex Rivera trains with Kai. Kai or a club admin can hand Alex Rivera over."


@pytest.fixture(autouse=True)
def tuesday():
    with time_machine.travel(dt.datetime.combine(TUESDAY, dt.time(10), tzinfo=CLUB), tick=False):
        yield


@pytest.fixture
def alex_between_blocks(member, other_trainer):
    """Kai ran Alex's block and ended it: Alex is Kai's, on no block."""
    block = put_on_block(member, trainer=other_trainer, start_date=TUESDAY - dt.timedelta(days=8))
    end_block(assignment=block)
    assert not Assignment.objects.current().filter(member=member).exists()
    assert Profile.objects.get(user=member).trainer == other_trainer
    return member


def _assign_post(*members) -> dict:
    return {
        "members": [m.pk for m in members],
        "routine": ground_up_routine().pk,
        "start_date": "2026-11-23",
        "weekdays": ["0", "3"],
        "weeks": "4",
        "notes": "Typed by Makana",
    }


def test_another_trainers_member_is_refused_at_the_field(alex_between_blocks, trainer):
    makana = signed_in(trainer)
    response = makana.post(reverse("trainer:assign"), _assign_post(alex_between_blocks))
    assert response.status_code == 200
    assert REFUSED in response.context["form"].errors["members"]
    assert "Typed by Makana" in response.content.decode()
    assert Profile.objects.get(user=alex_between_blocks).trainer.email == "kai@example.com"
    assert not Assignment.objects.current().filter(member=alex_between_blocks).exists()
    member_page = reverse("trainer:member", args=[alex_between_blocks.pk])
    assert makana.get(member_page).status_code == 404


def test_a_group_with_one_such_member_is_refused_naming_them(
    alex_between_blocks, second_member, trainer
):
    makana = signed_in(trainer)
    response = makana.post(
        reverse("trainer:assign"), _assign_post(alex_between_blocks, second_member)
    )
    assert response.status_code == 200
    assert REFUSED in response.context["form"].errors["members"]
    assert not Assignment.objects.filter(trainer=trainer).exists()
    assert Profile.objects.get(user=alex_between_blocks).trainer.email == "kai@example.com"


def test_inviting_another_trainers_invited_member_is_refused(member, other_trainer, trainer):
    """Kai invited Alex (Alex has no password yet): Makana's invitation is refused."""
    from members.accounts.invitations import invite_member

    member.set_unusable_password()
    member.save()
    invite_member(trainer=other_trainer, email=member.email, display_name="Alex Rivera")
    # Kai's invitation was sent days ago, and has expired: re-inviting is open.
    member.invitations.update(expires_at=timezone.now() - dt.timedelta(days=1))
    makana = signed_in(trainer)
    response = makana.post(
        reverse("trainer:invite"), {"display_name": "Alex Rivera", "email": member.email}
    )
    assert response.status_code == 200
    assert REFUSED in response.context["form"].errors["email"]
    assert Profile.objects.get(user=member).trainer == other_trainer


def test_the_same_trainer_and_a_free_member_may_be_assigned(
    alex_between_blocks, other_trainer, second_member, trainer
):
    kai = signed_in(other_trainer)
    response = kai.post(reverse("trainer:assign"), _assign_post(alex_between_blocks))
    assert response.status_code == 302
    makana = signed_in(trainer)
    response = makana.post(reverse("trainer:assign"), _assign_post(second_member))
    assert response.status_code == 302
    assert Profile.objects.get(user=second_member).trainer == trainer


def test_a_superusers_assign_hands_the_member_over(alex_between_blocks, superuser):
    owner = signed_in(superuser)
    response = owner.post(reverse("trainer:assign"), _assign_post(alex_between_blocks))
    assert response.status_code == 302
    assert Profile.objects.get(user=alex_between_blocks).trainer == superuser


def test_the_admins_add_form_refuses_another_trainers_member(alex_between_blocks, trainer):
    makana = signed_in(trainer)
    response = makana.post(
        "/admin/members/assignment/add/",
        {
            "member": alex_between_blocks.pk,
            "routine": ground_up_routine().pk,
            "start_date": "2026-11-23",
            "weekdays": ["0", "3"],
            "weeks": "4",
        },
    )
    assert response.status_code == 200
    assert REFUSED in response.text
    assert not Assignment.objects.filter(trainer=trainer).exists()
    assert Profile.objects.get(user=alex_between_blocks).trainer.email == "kai@example.com"


def test_the_admins_group_action_refuses_another_trainers_member(
    alex_between_blocks, second_member, trainer
):
    makana = signed_in(trainer)
    response = makana.post(
        "/admin/members/user/",
        {
            "action": "put_on_a_routine",
            "_selected_action": [alex_between_blocks.pk, second_member.pk],
            "apply": "1",
            "routine": ground_up_routine().pk,
            "start_date": "2026-11-23",
            "weekdays": ["0", "3"],
            "weeks": "4",
        },
    )
    assert response.status_code in (200, 302)
    assert not Assignment.objects.filter(trainer=trainer, member=alex_between_blocks).exists()
    assert Profile.objects.get(user=alex_between_blocks).trainer.email == "kai@example.com"


def test_the_current_trainer_hands_the_member_over(
    alex_between_blocks, other_trainer, trainer, django_capture_on_commit_callbacks
):
    from django.core import mail

    kai = signed_in(other_trainer)
    page = kai.get(reverse("trainer:member", args=[alex_between_blocks.pk]))
    assert "Hand Alex Rivera over" in page.text
    url = reverse("trainer:hand_over", args=[alex_between_blocks.pk])
    refused = kai.post(url, {"handover-trainer": trainer.pk})
    assert refused.status_code == 302
    assert Profile.objects.get(user=alex_between_blocks).trainer == other_trainer
    # Makana, not Alex's trainer, cannot take Alex through this form.
    assert (
        signed_in(trainer)
        .post(url, {"handover-trainer": trainer.pk, "handover-confirm": "on"})
        .status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        moved = kai.post(url, {"handover-trainer": trainer.pk, "handover-confirm": "on"})
    assert moved.status_code == 302
    assert Profile.objects.get(user=alex_between_blocks).trainer == trainer
    assert sorted(to for email in mail.outbox for to in email.to) == [
        "alex@example.com",
        "kai@example.com",
        "makana@example.com",
    ]
    told = {email.to[0]: email for email in mail.outbox}
    assert told["alex@example.com"].subject == "Makana is your trainer now"
    assert told["alex@example.com"].reply_to == ["Makana <makana@example.com>"]
    # The new trainer gets a link to the member's page; the former one none.
    member_page = reverse("trainer:member", args=[alex_between_blocks.pk])
    assert member_page in told["makana@example.com"].body
    assert member_page not in told["kai@example.com"].body
    assert kai.get(reverse("trainer:member", args=[alex_between_blocks.pk])).status_code == 404
    makana = signed_in(trainer)
    assert makana.get(reverse("trainer:member", args=[alex_between_blocks.pk])).status_code == 200
