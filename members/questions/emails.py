"""A question to the trainer, the receipt to the sender and the answer,
registered with the outbox."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from members.mail import outbox
from members.mail.messages import address, link, render_email, wants
from members.models import EmailDelivery, Question, Reply, User
from members.questions.services import sender_summary


def _question(delivery: EmailDelivery) -> Question:
    return Question.objects.select_related(
        "member__profile", "trainer__profile", "answered_by__profile", "exercise", "workout"
    ).get(pk=outbox.subject(delivery.question_id, "question"))


def _unless_turned_off(delivery: EmailDelivery) -> None:
    """A trainer who turned question emails off reads them under Questions."""
    trainer = (
        User.objects.filter(email__iexact=delivery.to_email, is_staff=True)
        .select_related("profile")
        .first()
    )
    if trainer is not None and not wants(trainer, "question_emails"):
        raise outbox.NotNeeded("The trainer reads questions in Ground Up, not by email.")


def question_to_trainer(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The question, who asked it and how their block is going; Reply-To the
    sender, so answering is one click on Reply."""
    _unless_turned_off(delivery)
    question = _question(delivery)
    return render_email(
        "members/email/question",
        {
            "question": question,
            "summary": sender_summary(question),
            "answer_url": link("trainer:question", question.pk),
            "member_url": link("trainer:member", question.member_id) if question.member_id else "",
        },
        to=[delivery.to_email],
        reply_to=[address(question.name, question.email)],
    )


def _answerer_address(question: Question) -> list[str]:
    trainer = question.answered_by or question.trainer
    if trainer:
        return [address(trainer.display_name, trainer.email)]
    return [settings.CLUB_CONTACT_EMAIL]


def _to_sender(template: str, delivery: EmailDelivery) -> EmailMultiAlternatives:
    question = _question(delivery)
    return render_email(
        template,
        {
            "question": question,
            "questions_url": link("members:questions"),
        },
        to=[delivery.to_email],
        reply_to=_answerer_address(question),
    )


def question_receipt(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """That the question arrived and who will answer. It never repeats what
    the sender typed: the address may not be theirs."""
    return _to_sender("members/email/question_receipt", delivery)


def question_answer(delivery: EmailDelivery) -> EmailMultiAlternatives:
    return _to_sender("members/email/question_answer", delivery)


def _reply(delivery: EmailDelivery) -> Reply:
    return Reply.objects.select_related(
        "author__profile", "question__member__profile", "question__trainer__profile"
    ).get(pk=outbox.subject(delivery.reply_id, "reply"))


def reply_to_member(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """A trainer's turn after the first answer; Reply-To the trainer."""
    reply = _reply(delivery)
    question = reply.question
    trainer = reply.author
    return render_email(
        "members/email/reply_to_member",
        {
            "question": question,
            "reply": reply.as_message(),
            "questions_url": link("members:questions"),
        },
        to=[delivery.to_email],
        reply_to=[address(trainer.display_name, trainer.email)]
        if trainer
        else [settings.CLUB_CONTACT_EMAIL],
    )


def reply_to_trainer(delivery: EmailDelivery) -> EmailMultiAlternatives:
    """The member's turn; Reply-To the member, as the question was."""
    _unless_turned_off(delivery)
    reply = _reply(delivery)
    question = reply.question
    return render_email(
        "members/email/reply_to_trainer",
        {
            "question": question,
            "reply": reply.as_message(),
            "answer_url": link("trainer:question", question.pk),
        },
        to=[delivery.to_email],
        reply_to=[address(question.name, question.email)],
    )


outbox.register(EmailDelivery.Kind.QUESTION, build=question_to_trainer)
outbox.register(EmailDelivery.Kind.QUESTION_RECEIPT, build=question_receipt)
outbox.register(EmailDelivery.Kind.ANSWER, build=question_answer)
outbox.register(EmailDelivery.Kind.REPLY_TO_MEMBER, build=reply_to_member)
outbox.register(EmailDelivery.Kind.REPLY_TO_TRAINER, build=reply_to_trainer)
