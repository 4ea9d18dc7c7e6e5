"""Questions members and visitors send the trainers, kept whatever happens to
the email that carries them."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.timesince import timesince

from members.models.access import open_account, trained_by
from routines.fields import optional_key
from routines.limits import REPLY_LENGTH
from routines.models import Exercise


class QuestionQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(member=user)

    def for_trainer(self, user):
        """The questions a trainer sees and answers.

        A member's questions are for whoever trains them now (``trained_by``):
        when another trainer takes the member on, those still waiting move to
        the new trainer's inbox, and the trainer they were sent to no longer
        sees or answers them (an answer is emailed to the member, and the
        member is no longer theirs). A question from a visitor, a member of
        staff, or a member with no trainer now stays with whom it was sent
        to: the trainer named, or the one whose account has the club's
        address. A closed account's questions are no one's. A superuser sees
        every other one."""
        not_a_members = Q(member=None) | Q(member__is_staff=True)
        if user.is_superuser:
            return self.filter(not_a_members | open_account())
        sent_to_them = Q(trainer=user) | Q(trainer=None, to_email__iexact=user.email)
        no_trainer_now = not_a_members | (open_account() & Q(member__profile__trainer=None))
        return self.filter(trained_by(user) | (no_trainer_now & sent_to_them))

    def waiting(self):
        """Not answered and not closed: the sender wrote last."""
        return self.filter(status=Question.Status.NEW)

    def unread_by_member(self):
        """Conversations the trainer wrote in since the member last read them."""
        return self.filter(
            Q(trainer_wrote_at__isnull=False)
            & (Q(member_read_at__isnull=True) | Q(trainer_wrote_at__gt=models.F("member_read_at")))
        )

    def latest_first(self):
        """The conversation written in last first."""
        return self.alias(
            last_written=Greatest(
                "member_wrote_at", Coalesce("trainer_wrote_at", "member_wrote_at")
            )
        ).order_by("-last_written", "-pk")

    def with_latest_from_member(self):
        """Each question with ``reply_count`` and ``latest_from_member``: what
        the member wrote last (their newest reply, or the question), for a
        list that shows one line of each."""
        newest = Reply.objects.filter(question=models.OuterRef("pk"), from_trainer=False)
        return self.annotate(
            reply_count=models.Count("replies"),
            latest_reply=models.Subquery(newest.order_by("-created_at", "-pk").values("text")[:1]),
        )

    def with_messages(self):
        """Each question's replies loaded, in order, with their authors."""
        return self.prefetch_related(
            models.Prefetch(
                "replies",
                queryset=Reply.objects.select_related("author__profile").order_by(
                    "created_at", "pk"
                ),
            )
        )


class Question(models.Model):
    """A question to a trainer, stored before any email about it is sent.

    A member's question goes to the trainer of their current block (or their
    trainer); a visitor's, and a member's without a trainer, to the club's
    contact address."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    member = optional_key(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="questions",
        help_text="Empty for a visitor who was not signed in.",
    )
    name = models.CharField(max_length=100, help_text="The sender's name, as they gave it.")
    email = models.EmailField(help_text="Where answers go.")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions_received",
        limit_choices_to={"is_staff": True},
        help_text="Empty when it went to the club's contact address.",
    )
    to_email = models.EmailField("sent to", help_text="The address the question went to.")
    subject = models.CharField(max_length=120)
    message = models.TextField(max_length=3000)
    exercise = optional_key(
        Exercise,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text="The exercise it is about, if any.",
    )
    workout = optional_key(
        "members.Workout",
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text="The logged session it is about, if any.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    answer = models.TextField(
        blank=True, max_length=3000, help_text="An answer written in Ground Up."
    )
    answered_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The conversation: when each side last wrote in it, and when each last
    # read it, for the "New reply" markers and the wait a trainer is shown.
    member_wrote_at = models.DateTimeField(
        null=True, blank=True, help_text="When the question was asked, unless set."
    )
    trainer_wrote_at = models.DateTimeField(null=True, blank=True)
    member_read_at = models.DateTimeField(null=True, blank=True)
    trainer_read_at = models.DateTimeField(null=True, blank=True)
    # From a hidden field of the form: the same form posted twice is one question.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox and the dashboard's "unanswered for a day" reason.
            models.Index(fields=["trainer", "status", "created_at"]),
            models.Index(fields=["member", "status", "member_wrote_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="question_subject_not_empty"),
            models.CheckConstraint(condition=~Q(message=""), name="question_message_not_empty"),
        ]

    def __str__(self):
        return f"{self.subject} ({self.name}, {timezone.localtime(self.created_at):%b %-d})"

    def save(self, *args, **kwargs):
        if self.member_wrote_at is None:
            self.member_wrote_at = self.created_at
        super().save(*args, **kwargs)

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.NEW

    @property
    def member_last_wrote(self) -> dt.datetime:
        """When the member last wrote: their last reply, else the question."""
        return self.member_wrote_at or self.created_at

    @property
    def waiting_for(self) -> str:
        """How long since the sender last wrote: “3 hours”, or “moments” in
        the first minute."""
        wrote = self.member_last_wrote
        waited = timezone.now() - wrote
        return "moments" if waited.total_seconds() < 60 else timesince(wrote)

    @property
    def latest_from_member(self) -> str:
        """What the member wrote last (``with_latest_from_member``)."""
        return getattr(self, "latest_reply", None) or self.message

    @property
    def message_count(self) -> int:
        """The turns so far (``with_latest_from_member`` counts the replies)."""
        return 1 + bool(self.answer) + getattr(self, "reply_count", 0)

    @property
    def unread_by_member(self) -> bool:
        """The trainer wrote here since the member last read it."""
        wrote, read = self.trainer_wrote_at, self.member_read_at
        return wrote is not None and (read is None or wrote > read)

    @property
    def unread_by_trainer(self) -> bool:
        """The member wrote here since a trainer last read it."""
        wrote, read = self.member_last_wrote, self.trainer_read_at
        return read is None or wrote > read

    @property
    def messages(self) -> list["Message"]:
        """The conversation in order: the question, the answer written in the
        app (if any), then the replies (``with_messages`` loads them)."""
        said = [
            Message(
                by=self.name,
                from_trainer=False,
                text=self.message,
                at=self.created_at,
            )
        ]
        if self.answer:
            by = self.answered_by.display_name if self.answered_by else "A trainer"
            said.append(Message(by=by, from_trainer=True, text=self.answer, at=self.answered_at))
        said.extend(reply.as_message() for reply in self.replies.all())
        # An answer written after the member had added a reply comes after it.
        return sorted(said, key=lambda turn: turn.at or self.created_at)

    @property
    def answerer(self) -> str:
        """Who will answer, in the words the sender sees."""
        return trainer.display_name if (trainer := self.trainer) else "the club's trainers"

    @property
    def topic(self) -> str:
        """What it is about: an exercise, a session, or nothing in particular."""
        workout, exercise = self.workout, self.exercise
        session = f"the session on {workout.date:%a, %b %-d}" if workout else ""
        if exercise:
            return f"{exercise.name}, in {session}" if session else exercise.name
        return session

    @property
    def trainer_delivery(self):
        """The email to the trainer: its state is the question's delivery state.
        Reads prefetched deliveries when there are some."""
        for delivery in self.deliveries.all():
            if delivery.kind == delivery.Kind.QUESTION:
                return delivery
        return None


@dataclass(frozen=True)
class Message:
    """One turn of a conversation, whichever row holds it."""

    by: str
    from_trainer: bool
    text: str
    at: dt.datetime | None


class Reply(models.Model):
    """A turn in a question's conversation other than the question itself and
    the first answer written in the app (both on ``Question``): the member's,
    or a trainer's. Emailed to the other side."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="replies")
    author = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    from_trainer = models.BooleanField()
    text = models.TextField(max_length=REPLY_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "replies"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="reply_text_not_empty"),
        ]

    def __str__(self):
        side = "trainer" if self.from_trainer else "member"
        return f"Reply from the {side} to “{self.question.subject}”"

    def as_message(self) -> Message:
        if self.from_trainer:
            by = self.author.display_name if self.author else "A trainer"
        else:
            by = self.author.display_name if self.author else self.question.name
        return Message(by=by, from_trainer=self.from_trainer, text=self.text, at=self.created_at)
