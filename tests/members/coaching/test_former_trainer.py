"""Access follows people: a trainer acts on a member only while that member is
theirs now. Kai put Alex on a block; Makana then takes Alex on (a new block,
and Alex's profile names Makana). From then on Kai, the former trainer, gets a
404 that changes nothing and sends nothing on every URL about Alex, the
refused-form page included; and once Alex deletes their account, no one acts
on Alex's blocks any more, not even to renew one."""

import pytest
from django.core import mail

from members.blocks.steering import pause_block
from members.models import (
    Assignment,
    EmailDelivery,
    Profile,
    StepOverride,
)
from members.questions.services import ask
from tests.factories import signed_in
from tests.members.coaching.handover import (
    ALEX,
    FRI,
    TUE,
    TUESDAY,
    assert_refused,
    calf_step,
    fingerprint,
)

pytestmark = pytest.mark.usefixtures("tuesday")


@pytest.mark.django_db
def test_before_the_change_kai_acts_on_alex(
    kai_trains_alex, member, other_trainer, django_capture_on_commit_callbacks
):
    """The boundary: while Alex is Kai's, the same posts go through."""
    block, flag, question = kai_trains_alex
    kai = signed_in(other_trainer)
    base = f"/trainer/blocks/{block.pk}"
    calf = calf_step()
    refused = kai.post(f"{base}/overrides/", {"override-step": calf.pk})
    assert refused.status_code == 422 and "Alex Rivera" in refused.text
    with django_capture_on_commit_callbacks(execute=True):
        assert kai.post(f"{base}/notes/", {"note-text": "Nice."}).status_code == 302
    assert [email.to for email in mail.outbox] == [[member.email]]
    changed = kai.post(f"{base}/overrides/", {"override-step": calf.pk, "override-reps": "15"})
    assert changed.status_code == 302
    assert StepOverride.objects.get(member=member).reps == 15
    assert kai.post(f"{base}/pause/").status_code == 302
    # Paused, the block is still Kai's to steer.
    assert kai.post(f"{base}/extend/", {"extend-weeks": "1"}).status_code == 302
    assert Assignment.objects.get(pk=block.pk).weeks == 4
    assert kai.post(f"/trainer/pain/{flag.pk}/acknowledge/").status_code == 302
    assert kai.get(f"/trainer/questions/{question.pk}/").status_code == 200
    assert kai.get(f"/trainer/members/{member.pk}/").status_code == 200


@pytest.mark.django_db
def test_after_makana_takes_alex_on_kai_gets_404s_that_change_nothing(
    makana_takes_alex_on, other_trainer, django_capture_on_commit_callbacks
):
    assert_refused(
        signed_in(other_trainer), makana_takes_alex_on, "Kai", django_capture_on_commit_callbacks
    )
    # Nor does Alex linger in Kai's lists, inbox or dashboard.
    kai = signed_in(other_trainer)
    for page in ["/trainer/", "/trainer/members/", "/trainer/questions/?show=all"]:
        assert not any(word in kai.get(page).text for word in ALEX), page
    export = kai.get("/trainer/export.csv")
    assert b"".join(export.streaming_content).decode().count("\n") == 1  # the header only
    # What Kai keeps: the sessions done on the block Kai ran, counted, unnamed.
    assert "Sessions done with you so far: 1 by 1 member," in kai.get("/trainer/members/").text


@pytest.mark.django_db
def test_makana_now_acts_on_alex_and_inherits_the_waiting_question(
    makana_takes_alex_on, member, trainer, django_capture_on_commit_callbacks
):
    world = makana_takes_alex_on
    makana = signed_in(trainer)
    question = world["question"]
    assert "Wall" in makana.get("/trainer/questions/").text
    with django_capture_on_commit_callbacks(execute=True):
        answered = makana.post(
            f"/trainer/questions/{question.pk}/answer/", {"answer-text": "Start at 12 in."}
        )
    assert answered.status_code == 302
    assert [email.to for email in mail.outbox] == [[member.email]]
    block = world["makana_block"]
    assert makana.post(f"/trainer/blocks/{block.pk}/pause/").status_code == 302
    resumed = makana.post(
        f"/trainer/blocks/{block.pk}/resume/",
        {"resume-on": TUESDAY.isoformat(), "resume-weekdays": [str(TUE), str(FRI)]},
    )
    assert resumed.status_code == 302
    assert Assignment.objects.get(pk=block.pk).status == "active"


@pytest.mark.django_db
def test_paused_the_block_is_still_only_the_current_trainers(
    makana_takes_alex_on, trainer, other_trainer
):
    """Pausing changes nothing about who may act: Makana still may, Kai still not."""
    block = makana_takes_alex_on["makana_block"]
    pause_block(assignment=block)
    makana, kai = signed_in(trainer), signed_in(other_trainer)
    assert (
        kai.post(f"/trainer/blocks/{block.pk}/extend/", {"extend-weeks": "1"}).status_code == 404
    )
    assert (
        makana.post(f"/trainer/blocks/{block.pk}/extend/", {"extend-weeks": "1"}).status_code
        == 302
    )
    assert Assignment.objects.get(pk=block.pk).weeks == 4
    assert "Alex" in makana.get("/trainer/").text
    assert "Alex" not in kai.get("/trainer/").text


def test_the_former_trainers_admin_shows_nothing_of_alex(makana_takes_alex_on, other_trainer):
    kai = signed_in(other_trainer)
    for model in [
        "assignment",
        "painflag",
        "stepoverride",
        "question",
        "workout",
        "emaildelivery",
    ]:
        page = kai.get(f"/admin/members/{model}/")
        assert page.status_code == 200
        assert not any(word in page.text for word in ALEX[:2]), model
    # Kai's own email about Alex's pain: not Kai's to open or send again
    # (it would be written from Alex's report as it is now).
    alert = EmailDelivery.objects.get(kind="pain_alert", recipient=other_trainer)
    assert kai.get(f"/admin/members/emaildelivery/{alert.pk}/change/").status_code == 302
    # Kai's own block is gone from Kai's admin: its page and its actions.
    block = makana_takes_alex_on["kai_block"]
    assert kai.get(f"/admin/members/assignment/{block.pk}/change/").status_code == 302
    before = fingerprint()
    kai.post(
        "/admin/members/assignment/",
        {"action": "renew_same_shape", "_selected_action": [str(block.pk)]},
    )
    assert fingerprint() == before


@pytest.mark.django_db
def test_a_member_handed_over_mid_block_is_the_new_trainers(
    kai_trains_alex, member, trainer, other_trainer, django_capture_on_commit_callbacks
):
    """The club's admin hands Alex to Makana on the member's profile while
    Kai's block runs: the block is Makana's to steer now, Kai's no longer, and
    Alex's next question goes to Makana."""
    block, _, _ = kai_trains_alex
    Profile.objects.filter(user=member).update(trainer=trainer)
    kai, makana = signed_in(other_trainer), signed_in(trainer)
    assert kai.post(f"/trainer/blocks/{block.pk}/pause/").status_code == 404
    assert makana.post(f"/trainer/blocks/{block.pk}/pause/").status_code == 302
    assert Assignment.objects.get(pk=block.pk).status == "paused"
    assert "Alex" in makana.get("/trainer/").text and "Alex" not in kai.get("/trainer/").text
    member.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(
            member=member, name="Alex", email=member.email, subject="Mats", message="Which?"
        )
    assert question.trainer == trainer
    assert trainer.email in [address for email in mail.outbox for address in email.to]
    assert other_trainer.email not in [address for email in mail.outbox for address in email.to]
