"""Questions members and visitors send the trainers, kept whatever happens to
the email that carries them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.timesince import timesince

from members.models.access import open_account, trained_by
from routines.fields import optional_key
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
        """Not answered and not closed."""
        return self.filter(status=Question.Status.NEW)


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
    # From a hidden field of the form: the same form posted twice is one question.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox and the dashboard's "unanswered for a day" reason.
            models.Index(fields=["trainer", "status", "created_at"]),
            models.Index(fields=["member", "status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="question_subject_not_empty"),
            models.CheckConstraint(condition=~Q(message=""), name="question_message_not_empty"),
        ]

    def __str__(self):
        return f"{self.subject} ({self.name}, {timezone.localtime(self.created_at):%b %-d})"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.NEW

    @property
    def waiting_for(self) -> str:
        """“3 hours”, or “moments” in the first minute."""
        waited = timezone.now() - self.created_at
        return "moments" if waited.total_seconds() < 60 else timesince(self.created_at)

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
