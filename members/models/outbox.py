"""Emails waiting to go, one row per recipient, until they are sent or given up on."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.access import trained_by
from members.models.blocks import Assignment
from members.models.questions import Question
from members.models.workouts import PainFlag
from routines.fields import optional_key


class EmailDeliveryQuerySet(models.QuerySet):
    def for_trainer(self, user):
        """Emails about the questions a trainer sees, emails to and about the
        members they train now (``trained_by``), and their own, except those
        about a member who is no longer theirs (sending one again would mail
        them that member's report as it is now); a superuser sees all."""

        if user.is_superuser:
            return self
        questions = Question.objects.for_trainer(user)
        flags = PainFlag.objects.for_trainer(user)
        own = (
            Q(recipient=user)
            & (Q(question=None) | Q(question__in=questions))
            & (Q(pain_flag=None) | Q(pain_flag__in=flags))
        )
        return self.filter(
            own
            | Q(question__in=questions)
            | trained_by(user, "recipient")
            | Q(planned_session__assignment__in=Assignment.objects.for_trainer(user))
            | Q(pain_flag__in=flags)
            | Q(trainer_note__assignment__in=Assignment.objects.for_trainer(user))
        )

    def failed(self):
        return self.filter(state=EmailDelivery.State.FAILED)

    def stalled(self, *, older_than: dt.timedelta):
        """Queued, and due for longer than a worker takes to pick a task up:
        their task was lost (or the worker is down)."""
        return self.filter(
            state=EmailDelivery.State.QUEUED, next_attempt_at__lt=timezone.now() - older_than
        )


class EmailDelivery(models.Model):
    """One email to one address, kept until it is sent.

    ``key`` names what the email is for ("question 12 to the trainer"), so
    asking twice for the same email finds the row already there: an email is
    queued once, and a retry never re-sends a copy that already went."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Question to the trainer"
        QUESTION_RECEIPT = "question_receipt", "Receipt to the sender"
        ANSWER = "answer", "Answer to the sender"
        REMINDER = "reminder", "Session reminder"
        DIGEST = "digest", "Trainer's weekly digest"
        PAIN_ALERT = "pain_alert", "Pain alert to the trainer"
        PAIN_RESOLVED = "pain_resolved", "Trainer's reply to a pain report"
        TRAINER_NOTE = "trainer_note", "Trainer's note to the member"
        REPLY_TO_TRAINER = "reply_to_trainer", "Member's reply to the trainer"
        REPLY_TO_MEMBER = "reply_to_member", "Trainer's reply to the member"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed"

    kind = models.CharField(max_length=20, choices=Kind)
    key = models.CharField(max_length=100, unique=True)
    to_email = models.EmailField("to")
    question = optional_key(
        "members.Question", on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = optional_key(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_deliveries",
        help_text="The member or trainer it is for, when it is for an account.",
    )
    planned_session = optional_key(
        "members.PlannedSession", on_delete=models.SET_NULL, related_name="reminders"
    )
    pain_flag = optional_key(
        "members.PainFlag", on_delete=models.CASCADE, related_name="deliveries"
    )
    trainer_note = optional_key(
        "members.TrainerNote", on_delete=models.CASCADE, related_name="deliveries"
    )
    reply = optional_key("members.Reply", on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    skipped_because = models.CharField(
        max_length=200, blank=True, help_text="Why it was not sent, when it was no longer needed."
    )
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EmailDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "email deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False) | ~Q(state="sent"),
                name="email_delivery_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to_email} ({self.get_state_display()})"
