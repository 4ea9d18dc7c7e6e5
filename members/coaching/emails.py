"""Emails from a trainer's side: pain resolved, a trainer's note, a hand-over.
Each kind is registered with the outbox, which sends it."""

from django.core.mail import EmailMultiAlternatives

from clubsite import kept_pages
from members.mail import outbox
from members.mail.messages import address, link, render_email
from members.models import EmailDelivery, PainFlag, TrainerNote, User


def pain_resolution(flag: PainFlag) -> None:
    """The trainer's note on a resolved flag, to the member."""
    member = User.objects.only("email").get(pk=flag.member_id)
    _queue_to_member(
        member,
        kind=EmailDelivery.Kind.PAIN_RESOLVED,
        key=f"pain:{flag.pk}:resolved",
        pain_flag=flag,
    )


def trainer_note(note: TrainerNote) -> None:
    member = User.objects.only("email").get(assignments__trainer_notes=note)
    _queue_to_member(
        member, kind=EmailDelivery.Kind.TRAINER_NOTE, key=f"note:{note.pk}", trainer_note=note
    )


def _queue_to_member(member: User, *, kind: str, key: str, **about) -> None:
    """An email to the member's own account, at its address now."""
    outbox.queue(kind=kind, key=key, to_email=member.email, recipient=member, **about)


def hand_over_messages(
    *, member: User, former: User | None, new: User
) -> list[EmailMultiAlternatives]:
    """The member, their new trainer and the former one each hear of a hand-over."""
    context = {"member": member, "former": former, "new": new}
    messages = [
        render_email(
            "members/email/hand_over_member",
            {**context, "today_url": link("members:home")},
            to=[member.email],
            reply_to=[address(new.display_name, new.email)],
        )
    ]
    for trainer in (new, former):
        if trainer is not None:
            member_url = link("trainer:member", member.pk) if trainer == new else ""
            messages.append(
                render_email(
                    "members/email/hand_over_trainer",
                    {**context, "member_url": member_url},
                    to=[trainer.email],
                )
            )
    return messages


def pain_resolution_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The trainer's note on a resolved pain flag, to the member, who also
    finds it on Today and on that session in History."""
    flag = PainFlag.objects.select_related(
        "member__profile", "resolved_by__profile", "exercise"
    ).get(pk=outbox.subject(delivery.pain_flag_id, "pain flag"))
    trainer = flag.resolved_by
    return render_email(
        "members/email/pain_resolved",
        {
            "flag": flag,
            "member": flag.member,
            "trainer": trainer,
            "today_url": link("members:home"),
        },
        to=[delivery.to_email],
        reply_to=[trainer.email] if trainer else None,
    )


def trainer_note_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """A note the trainer wrote on the member's block or one session."""
    note = TrainerNote.objects.select_related(
        "assignment__member__profile", "assignment__routine", "author__profile", "workout"
    ).get(pk=outbox.subject(delivery.trainer_note_id, "note"))
    trainer = note.author
    return render_email(
        "members/email/trainer_note",
        {
            "note": note,
            "member": note.assignment.member,
            "trainer": trainer,
            "today_url": link("members:home"),
            "history_url": link("members:history"),
        },
        to=[delivery.to_email],
        reply_to=[trainer.email] if trainer else None,
    )


def _resolution_sent(delivery: EmailDelivery) -> None:
    if (pk := delivery.pain_flag_id) is not None:
        flag = PainFlag.objects.filter(pk=pk)
        flag.update(resolution_sent_at=delivery.sent_at)
        kept_pages.member_changed(flag.values_list("member_id", flat=True))


def _note_sent(delivery: EmailDelivery) -> None:
    """The member's page says "emailed" from now on."""
    if (pk := delivery.trainer_note_id) is not None:
        note = TrainerNote.objects.filter(pk=pk)
        note.update(sent_at=delivery.sent_at)
        kept_pages.member_changed(note.values_list("assignment__member_id", flat=True))


outbox.register(
    EmailDelivery.Kind.PAIN_RESOLVED, build=pain_resolution_message, sent=_resolution_sent
)
outbox.register(EmailDelivery.Kind.TRAINER_NOTE, build=trainer_note_message, sent=_note_sent)
