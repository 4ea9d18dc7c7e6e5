"""Asking and answering questions. Every write stores the question first and
queues its emails in the same transaction (``members.mail.outbox``)."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from clubsite import kept_pages
from members.blocks.review import MemberReview
from members.coaching.attention import reviews_with_reasons
from members.coaching.standings import mark_stale
from members.mail import outbox
from members.models import (
    Assignment,
    EmailDelivery,
    PainFlag,
    Question,
    Reply,
    User,
    Workout,
)
from routines.models import Exercise

# The contact form's limits: per member or visitor, and per network address
# (a club's Wi-Fi is one address for everyone in the gym).
QUESTIONS_PER_HOUR = 5
QUESTIONS_PER_ADDRESS_PER_HOUR = 30


def trainer_for(user: User | None) -> User | None:
    """Who answers a member: the trainer who trains them now, else the
    trainer of their current block. None sends the question to the club's
    address. (The block's trainer may be a former one: the club can hand a
    member to another trainer mid-block.)"""
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None and profile.trainer is not None:
        return profile.trainer
    block = Assignment.objects.current().filter(member=user).select_related("trainer").first()
    return block.trainer if block is not None else None


def email_key(question: Question, kind: str) -> str:
    """One email of each kind per question: the outbox's key for it."""
    return f"question:{question.pk}:{kind}"


def reply_key(reply: Reply) -> str:
    """One email per reply: the outbox's key for it."""
    return f"reply:{reply.pk}"


def _queue(question: Question, kind: str, to_email: str) -> None:
    outbox.queue(kind=kind, key=email_key(question, kind), to_email=to_email, question=question)


@transaction.atomic
def ask_once(
    *,
    member: User | None,
    name: str,
    email: str,
    subject: str,
    message: str,
    exercise: Exercise | None = None,
    workout: Workout | None = None,
    token=None,
) -> tuple[Question, bool]:
    """Store a question, then queue the email to whoever answers it and a
    receipt to the sender; True when this call stored it. ``token`` comes
    from the form: posting the same form twice, one after the other or at
    once, finds the question already stored (and False)."""
    if token is not None:
        existing = sent_with_form(token, member=member, email=email)
        if existing is not None:
            return existing, False
        if Question.objects.filter(token=token).exists():
            token = None  # Someone else's form: never show them that question.
    trainer = trainer_for(member)
    question = Question(
        member=member,
        name=name,
        email=email,
        trainer=trainer,
        to_email=trainer.email if trainer else settings.CLUB_CONTACT_EMAIL,
        subject=subject,
        message=message,
        exercise=exercise,
        workout=workout,
    )
    if token is not None:
        question.token = token
    # The token's uniqueness is the database's to enforce, at the insert below.
    question.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        # The same form, posted at the same moment, stored it first.
        existing = sent_with_form(token, member=member, email=email)
        if existing is not None:
            return existing, False
        # Someone else's form won the token: this question gets one of its own.
        question.token = uuid.uuid4()
        question.save()
    _queue(question, EmailDelivery.Kind.QUESTION, question.to_email)
    _queue(question, EmailDelivery.Kind.QUESTION_RECEIPT, question.email)
    return question, True


def ask(**question) -> Question:
    """``ask_once``, for callers that need only the question."""
    asked, _ = ask_once(**question)
    return asked


def sent_with_form(token, *, member: User | None, email: str) -> Question | None:
    """The question this sender already sent with this form, if any."""
    existing = Question.objects.filter(token=token).first() if token is not None else None
    if existing is not None and (existing.member_id, existing.email) == (
        member.pk if member else None,
        email,
    ):
        return existing
    return None


def _repeats_last(question: Question, *, author: User, text: str, from_trainer: bool) -> bool:
    """The newest turn of the conversation is this one already: the same
    person, the same words. A double tap or a retried post, not a new turn."""
    last = question.replies.order_by("-created_at", "-pk").first()
    if last is not None:
        return (last.author_id, last.from_trainer, last.text) == (author.pk, from_trainer, text)
    if from_trainer:
        return (question.answered_by_id, question.answer) == (author.pk, text)
    return False


@transaction.atomic
def answer(*, question: Question, trainer: User, text: str) -> bool:
    """A trainer's turn in the conversation, written in the app: the first
    answer, or a reply after it. Shown on the member's Questions page and
    emailed to the sender, once. False when this same message was just sent."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if _repeats_last(question, author=trainer, text=text, from_trainer=True):
        return False
    now = timezone.now()
    question.status = Question.Status.ANSWERED
    question.trainer_wrote_at = question.trainer_read_at = now
    fields = ["status", "trainer_wrote_at", "trainer_read_at"]
    if not question.answer:
        question.answer = text
        question.answered_by = trainer
        question.answered_at = now
        question.save(update_fields=[*fields, "answer", "answered_by", "answered_at"])
        _queue(question, EmailDelivery.Kind.ANSWER, question.email)
        return True
    if question.answered_at is None:
        question.answered_by, question.answered_at = trainer, now
        fields += ["answered_by", "answered_at"]
    question.save(update_fields=fields)
    reply = Reply.objects.create(question=question, author=trainer, from_trainer=True, text=text)
    outbox.queue(
        kind=EmailDelivery.Kind.REPLY_TO_MEMBER,
        key=reply_key(reply),
        to_email=question.email,
        question=question,
        reply=reply,
    )
    return True


@transaction.atomic
def member_reply(*, question: Question, member: User, text: str) -> bool:
    """The member's turn: the conversation waits for the trainer again (a
    closed one opens), and the reply is emailed to whoever trains them now.
    False when this same message was just sent."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if _repeats_last(question, author=member, text=text, from_trainer=False):
        return False
    now = timezone.now()
    question.status = Question.Status.NEW
    question.closed_at = None
    question.member_wrote_at = question.member_read_at = now
    question.save(update_fields=["status", "closed_at", "member_wrote_at", "member_read_at"])
    reply = Reply.objects.create(question=question, author=member, from_trainer=False, text=text)
    trainer = trainer_for(member)
    outbox.queue(
        kind=EmailDelivery.Kind.REPLY_TO_TRAINER,
        key=reply_key(reply),
        to_email=trainer.email if trainer else question.to_email,
        question=question,
        reply=reply,
    )
    return True


def read_by_member(questions) -> None:
    """The member has seen these conversations as they are now."""
    unread = [q for q in questions if q.unread_by_member]
    if unread:
        Question.objects.filter(pk__in=[q.pk for q in unread]).update(
            member_read_at=timezone.now()
        )
        # Read on a page (a GET): Today's "new answer" goes.
        kept_pages.member_changed({q.member_id for q in unread if q.member_id})


def read_by_trainer(question: Question) -> None:
    if question.unread_by_trainer:
        Question.objects.filter(pk=question.pk).update(trainer_read_at=timezone.now())
        # Read on a page (a GET): the member's page loses its "New".
        kept_pages.member_changed([question.member_id])


def mark_answered(*, question: Question, trainer: User) -> bool:
    """The trainer answered by replying to the email. False if it was not waiting."""
    return _changed(
        question,
        Question.objects.filter(pk=question.pk, status=Question.Status.NEW).update(
            status=Question.Status.ANSWERED, answered_by=trainer, answered_at=timezone.now()
        ),
    )


def close(*, question: Question) -> bool:
    return _changed(
        question,
        Question.objects.filter(pk=question.pk)
        .exclude(status=Question.Status.CLOSED)
        .update(status=Question.Status.CLOSED, closed_at=timezone.now()),
    )


def reopen(*, question: Question) -> bool:
    """Back to where it was before it was closed: answered if it had been."""
    return _changed(
        question,
        Question.objects.filter(pk=question.pk, status=Question.Status.CLOSED).update(
            status=Case(
                When(answered_at__isnull=False, then=Value(Question.Status.ANSWERED)),
                default=Value(Question.Status.NEW),
            ),
            closed_at=None,
        ),
    )


def _changed(question: Question, updated: int) -> bool:
    """Whether the update changed the question; if so, whether it waits is
    news for the dashboard's standings (an update sends no signal)."""
    if updated:
        mark_stale([question.member_id])
    return bool(updated)


@dataclass
class SenderSummary:
    """What the trainer needs beside a member's question: their block, how it
    is going, their last workouts and their last pain report."""

    review: MemberReview | None
    recent_workouts: list[Workout]
    last_pain: PainFlag | None


def sender_summary(question: Question, *, workouts: int = 3) -> SenderSummary | None:
    if question.member_id is None:
        return None
    member = question.member
    block = Assignment.objects.current().filter(member=member)
    reviews = reviews_with_reasons(block)
    recent = list(
        Workout.objects.summaries()
        .finished()
        .filter(member=member)
        .select_related("planned_session")
        .order_by("-started_at")[:workouts]
    )
    last_pain = (
        PainFlag.objects.filter(member=member)
        .select_related("exercise")
        .order_by("-created_at")
        .first()
    )
    return SenderSummary(
        review=reviews[0] if reviews else None, recent_workouts=recent, last_pain=last_pain
    )
