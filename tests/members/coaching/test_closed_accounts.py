"""Once Alex deletes the account, no one acts on Alex's blocks any more, not
even to renew one, through the trainer pages or the admin; a deactivated
member is no one's to steer."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from members.blocks.steering import renew_block
from members.models import (
    Assignment,
    Question,
    User,
)
from members.privacy import services as privacy
from tests.factories import ground_up_routine, put_on_block, signed_in
from tests.members.coaching.handover import (
    FRI,
    TUE,
    TUESDAY,
    assert_refused,
    renew_data,
)

pytestmark = pytest.mark.usefixtures("tuesday")


@pytest.mark.django_db
def test_after_alex_deletes_the_account_no_one_steers_or_renews(
    makana_takes_alex_on,
    member,
    trainer,
    other_trainer,
    superuser,
    django_capture_on_commit_callbacks,
):
    world = makana_takes_alex_on
    privacy.forget(member)
    mail.outbox.clear()
    for who, user in [("Makana", trainer), ("Kai", other_trainer), ("the owner", superuser)]:
        client = signed_in(user)
        for which in ["kai_block", "makana_block"]:
            block = world[which]
            with django_capture_on_commit_callbacks(execute=True):
                renewed = client.post(f"/trainer/blocks/{block.pk}/renew/", renew_data(block))
            assert renewed.status_code == 404, f"{who} renewed {which}"
        assert "Former member" not in client.get("/trainer/").text
    # The steering URLs too, for each of them (the question went with the account).
    world["question"] = Question(pk=0)
    for who, user in [("Makana", trainer), ("Kai", other_trainer), ("the owner", superuser)]:
        assert_refused(signed_in(user), world, who, django_capture_on_commit_callbacks)
    assert not Assignment.objects.current().filter(member=member).exists()


@pytest.mark.django_db
def test_the_admin_cannot_put_a_deleted_account_back_on_a_block(
    makana_takes_alex_on, member, trainer, superuser
):
    """The admin reaches the steering services without the trainer pages'
    scoping: the services refuse a closed account themselves."""
    privacy.forget(member)
    block = makana_takes_alex_on["makana_block"]
    owner = signed_in(superuser)
    response = owner.post(
        "/admin/members/assignment/",
        {"action": "renew_same_shape", "_selected_action": [str(block.pk)]},
        follow=True,
    )
    assert "account is closed" in response.text
    assert not Assignment.objects.current().filter(member=member).exists()
    with pytest.raises(ValidationError, match="account is closed"):
        renew_block(
            assignment=block,
            trainer=trainer,
            start_date=TUESDAY + dt.timedelta(days=7),
            weekdays=[TUE, FRI],
            weeks=2,
        )
    added = signed_in(trainer).post(
        "/admin/members/assignment/add/",
        {
            "member": member.pk,
            "routine": ground_up_routine().pk,
            "start_date": (TUESDAY + dt.timedelta(days=7)).isoformat(),
            "weekdays": [str(TUE), str(FRI)],
            "weeks": "2",
        },
    )
    assert added.status_code == 200 and "account is closed" in added.text
    assert not Assignment.objects.current().filter(member=member).exists()


@pytest.mark.django_db
def test_a_deactivated_member_is_no_ones_to_steer(on_block_member_deactivated, trainer):
    block = on_block_member_deactivated
    makana = signed_in(trainer)
    assert makana.post(f"/trainer/blocks/{block.pk}/pause/").status_code == 404
    assert makana.get(f"/trainer/members/{block.member_id}/").status_code == 404
    assert "Alex" not in makana.get("/trainer/").text
    assert Assignment.objects.get(pk=block.pk).status == "active"


@pytest.fixture
def on_block_member_deactivated(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=TUESDAY, weekdays=(TUE, FRI))
    User.objects.filter(pk=member.pk).update(is_active=False)
    return block
