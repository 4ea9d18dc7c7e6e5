"""Access follows people: a trainer acts on a member only while that member is
theirs now. Kai put Alex on a block; Makana then takes Alex on (a new block,
and Alex's profile names Makana). From then on Kai, the former trainer, gets a
404 that changes nothing and sends nothing on every URL about Alex, the
refused-form page included; and once Alex deletes their account, no one acts
on Alex's blocks any more, not even to renew one."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from members.accounts.invitations import invite_member
from members.blocks.steering import end_block, pause_block, renew_block
from members.logbook import emails as notices
from members.models import (
    Assignment,
    EmailDelivery,
    Invitation,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    StepOverride,
    TrainerNote,
    User,
)
from members.privacy import services as privacy
from members.questions.services import ask
from routines.models import Step
from tests.factories import ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout

TUESDAY = dt.date(2026, 11, 17)
MON, TUE, THU, FRI = 0, 1, 3, 4
# What Alex's page shows that must never reach a trainer who may not see it.
ALEX = ["Alex", "alex@example.com", "Heel sore on the step"]


@pytest.fixture(autouse=True)
def tuesday():
    with time_machine.travel(dt.datetime.combine(TUESDAY, dt.time(10), tzinfo=CLUB), tick=False):
        yield


def _calf() -> Step:
    return ground_up_routine().steps.get(exercise__name="Calf raise")


@pytest.fixture
def kai_trains_alex(member, other_trainer):
    """Kai's block for Alex, three weeks from last Monday, one session done,
    a pain report and a question to Kai."""
    block = put_on_block(
        member, trainer=other_trainer, start_date=TUESDAY - dt.timedelta(days=8), weeks=3
    )
    workout = finished_workout(member, block.planned_sessions.get(number=1))
    flag = PainFlag.objects.create(member=member, workout=workout, level=3, note=ALEX[2])
    notices.pain_alert(flag)  # queued to Kai
    question = ask(
        member=member, name="Alex", email=member.email, subject="Wall", message="How far?"
    )
    assert question.trainer == other_trainer
    mail.outbox.clear()
    return block, flag, question


@pytest.fixture
def makana_takes_alex_on(kai_trains_alex, member, trainer):
    """Kai ends the block and hands Alex over; Makana puts Alex on a new one
    and sets Alex's numbers for a step."""
    kai_block, flag, question = kai_trains_alex
    end_block(assignment=kai_block)
    Profile.objects.filter(user=member).update(trainer=trainer)
    makana_block = put_on_block(
        member, trainer=trainer, start_date=TUESDAY, weekdays=(TUE, FRI), weeks=3
    )
    assert Profile.objects.get(user=member).trainer == trainer
    override = StepOverride.objects.create(member=member, step=_calf(), reps=12, set_by=trainer)
    mail.outbox.clear()
    return {
        "kai_block": kai_block,
        "makana_block": makana_block,
        "flag": flag,
        "question": question,
        "override": override,
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fingerprint() -> tuple:
    """Every row a trainer's action on a member can change or add."""
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "status", "weeks", "weekdays")),
        list(PlannedSession.objects.order_by("pk").values_list("pk", "date")),
        list(StepOverride.objects.order_by("pk").values_list("pk", "reps", "sets", "note")),
        list(TrainerNote.objects.values_list("pk", flat=True)),
        list(PainFlag.objects.order_by("pk").values_list("pk", "status", "resolution_note")),
        list(Question.objects.order_by("pk").values_list("pk", "status", "answer")),
        list(Invitation.objects.order_by("pk").values_list("pk", "send_count", "token_hash")),
        list(EmailDelivery.objects.order_by("pk").values_list("pk", "state")),
        list(Profile.objects.order_by("pk").values_list("pk", "trainer_id")),
    )


def _renew_data(block) -> dict:
    return {
        "renew-start_date": (TUESDAY + dt.timedelta(days=7)).isoformat(),
        "renew-weekdays": [str(day) for day in block.weekday_list],
        "renew-weeks": "2",
    }


def attacks(world: dict) -> list[tuple[str, str, dict | None]]:
    """(what, path, post data or None for a GET): everything Kai tried."""
    calf = _calf()
    attempts = []
    for which in ["kai_block", "makana_block"]:
        block = world[which]
        base = f"/trainer/blocks/{block.pk}"
        attempts += [
            (f"note on {which}", f"{base}/notes/", {"note-text": "Call me, not Makana."}),
            (
                f"override on {which}",
                f"{base}/overrides/",
                {"override-step": calf.pk, "override-reps": "40"},
            ),
            # No change and no note: a refused form, answered with the page (422).
            (f"refused override on {which}", f"{base}/overrides/", {"override-step": calf.pk}),
            (f"refused note on {which}", f"{base}/notes/", {"note-text": " "}),
            (f"pause {which}", f"{base}/pause/", {}),
            (f"resume {which}", f"{base}/resume/", {}),
            (f"extend {which}", f"{base}/extend/", {"extend-weeks": "1"}),
            (f"end {which}", f"{base}/end/", {}),
            (f"renew {which}", f"{base}/renew/", _renew_data(block)),
        ]
    flag, question = world["flag"], world["question"]
    return [
        *attempts,
        ("remove override", f"/trainer/overrides/{world['override'].pk}/remove/", {}),
        ("acknowledge pain", f"/trainer/pain/{flag.pk}/acknowledge/", {}),
        ("resolve pain", f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest, says Kai."}),
        ("refused pain note", f"/trainer/pain/{flag.pk}/resolve/", {"note": ""}),
        ("member page", f"/trainer/members/{world['makana_block'].member_id}/", None),
        ("member's sets", f"/trainer/export.csv?member={world['makana_block'].member_id}", None),
        ("question", f"/trainer/questions/{question.pk}/", None),
        ("answer", f"/trainer/questions/{question.pk}/answer/", {"answer-text": "12 in."}),
        ("refused answer", f"/trainer/questions/{question.pk}/answer/", {"answer-text": ""}),
        ("close question", f"/trainer/questions/{question.pk}/close/", {}),
    ]


def _try(client, path, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        if data is None:
            return client.get(path)
        return client.post(path, data)


def _assert_refused(client, world, who, django_capture_on_commit_callbacks):
    for what, path, data in attacks(world):
        before = fingerprint()
        response = _try(client, path, data, django_capture_on_commit_callbacks)
        assert response.status_code == 404, f"{who}: {what} ({path})"
        assert fingerprint() == before, f"{who}: {what} changed something"
        assert mail.outbox == [], f"{who}: {what} sent an email"
        assert not any(word in response.text for word in ALEX), f"{who}: {what} showed Alex"


@pytest.mark.django_db
def test_before_the_change_kai_acts_on_alex(
    kai_trains_alex, member, other_trainer, django_capture_on_commit_callbacks
):
    """The boundary: while Alex is Kai's, the same posts go through."""
    block, flag, question = kai_trains_alex
    kai = _client(other_trainer)
    base = f"/trainer/blocks/{block.pk}"
    calf = _calf()
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
    _assert_refused(
        _client(other_trainer), makana_takes_alex_on, "Kai", django_capture_on_commit_callbacks
    )
    # Nor does Alex linger in Kai's lists, inbox or dashboard.
    kai = _client(other_trainer)
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
    makana = _client(trainer)
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
    makana, kai = _client(trainer), _client(other_trainer)
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
        client = _client(user)
        for which in ["kai_block", "makana_block"]:
            block = world[which]
            with django_capture_on_commit_callbacks(execute=True):
                renewed = client.post(f"/trainer/blocks/{block.pk}/renew/", _renew_data(block))
            assert renewed.status_code == 404, f"{who} renewed {which}"
        assert "Former member" not in client.get("/trainer/").text
    # The steering URLs too, for each of them (the question went with the account).
    world["question"] = Question(pk=0)
    for who, user in [("Makana", trainer), ("Kai", other_trainer), ("the owner", superuser)]:
        _assert_refused(_client(user), world, who, django_capture_on_commit_callbacks)
    assert not Assignment.objects.current().filter(member=member).exists()


@pytest.mark.django_db
def test_the_admin_cannot_put_a_deleted_account_back_on_a_block(
    makana_takes_alex_on, member, trainer, superuser
):
    """The admin reaches the steering services without the trainer pages'
    scoping: the services refuse a closed account themselves."""
    privacy.forget(member)
    block = makana_takes_alex_on["makana_block"]
    owner = _client(superuser)
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
    added = _client(trainer).post(
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
    makana = _client(trainer)
    assert makana.post(f"/trainer/blocks/{block.pk}/pause/").status_code == 404
    assert makana.get(f"/trainer/members/{block.member_id}/").status_code == 404
    assert "Alex" not in makana.get("/trainer/").text
    assert Assignment.objects.get(pk=block.pk).status == "active"


@pytest.fixture
def on_block_member_deactivated(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=TUESDAY, weekdays=(TUE, FRI))
    User.objects.filter(pk=member.pk).update(is_active=False)
    return block


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
    kai = _client(other_trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = kai.post(f"/trainer/invitations/{invitation.pk}/send-again/")
    assert response.status_code == 404 and fingerprint() == before and mail.outbox == []
    assert "robin@example.com" not in kai.get("/admin/members/invitation/").text
    # Later than a repeated tap of Kai's first send.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        sent = _client(trainer).post(f"/trainer/invitations/{invitation.pk}/send-again/")
    assert sent.status_code == 302
    assert [email.to for email in mail.outbox] == [["robin@example.com"]]


@pytest.mark.django_db
def test_the_former_trainers_admin_shows_nothing_of_alex(makana_takes_alex_on, other_trainer):
    kai = _client(other_trainer)
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
def test_a_question_from_a_trainer_still_reaches_the_clubs_desk(settings, trainer, other_trainer):
    """Questions follow the member; one from staff (no trainer of their own)
    stays with whom it was sent to."""
    settings.CLUB_CONTACT_EMAIL = trainer.email
    ask(member=other_trainer, name="Kai", email=other_trainer.email, subject="Mats", message="?")
    assert "Mats" in _client(trainer).get("/trainer/questions/").text
    assert "Mats" not in _client(other_trainer).get("/trainer/questions/").text


@pytest.mark.django_db
def test_a_member_handed_over_mid_block_is_the_new_trainers(
    kai_trains_alex, member, trainer, other_trainer, django_capture_on_commit_callbacks
):
    """The club's admin hands Alex to Makana on the member's profile while
    Kai's block runs: the block is Makana's to steer now, Kai's no longer, and
    Alex's next question goes to Makana."""
    block, _, _ = kai_trains_alex
    Profile.objects.filter(user=member).update(trainer=trainer)
    kai, makana = _client(other_trainer), _client(trainer)
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
        makana = _client(trainer)
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
