"""What a member actually did: the workout, each set, each knob setting and
any pain they reported."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models.access import trained_by
from members.models.fields import member_key
from routines.fields import optional_key
from routines.limits import MAX_PAIN, PAIN_NOTE_LENGTH, RESOLUTION_NOTE_LENGTH, WORKOUT_NOTE_LENGTH
from routines.models import Exercise, Knob, Step
from routines.models.exercises import format_amount


def clock(seconds: int) -> str:
    """A timed set's length as a member reads a stopwatch: 462 is "7:42"."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


class WorkoutQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(member=user)

    def for_trainer(self, user):
        """The workouts of the members ``user`` trains now (``trained_by``)."""
        return self.filter(trained_by(user))

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def summaries(self):
        """Without the copied prescription, choices and earlier sets: what lists,
        counts and statuses need, not the JSON a page of hundreds would decode
        for nothing."""
        return self.defer("prescription", "choices", "earlier")


class Workout(models.Model):
    """A session the member did (or started): for a planned session, or an extra one.

    ``prescription`` is a copy of the routine's steps as they were when the
    workout started, so editing the routine later never rewrites what the
    member was asked to do."""

    class Feeling(models.TextChoices):
        TOO_EASY = "too_easy", "Too easy"
        ABOUT_RIGHT = "about_right", "About right"
        TOO_HARD = "too_hard", "Too hard"

    member = member_key("workouts")
    planned_session = optional_key(
        "members.PlannedSession",
        on_delete=models.SET_NULL,
        related_name="workouts",
        help_text="Empty for an extra session outside the plan.",
    )
    routine = optional_key("routines.Routine", on_delete=models.PROTECT, related_name="workouts")
    date = models.DateField(help_text="The day it was done, in the club's time zone.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    is_complete = models.BooleanField(
        "every set done", default=False, help_text="Set when the member finishes."
    )
    prescription = models.JSONField(
        default=dict, blank=True, help_text="The steps and targets when the workout started."
    )
    choices = models.JSONField(
        default=dict,
        blank=True,
        help_text="Alternatives chosen: the main step's id to the alternative step's id.",
    )
    earlier = models.JSONField(
        "before this workout",
        null=True,
        blank=True,
        editable=False,
        help_text="What the logger shows of the member's earlier workouts, as it stood when "
        "this one started: last time's sets and where each knob was left. Empty for a "
        "workout made otherwise, which reads them as it is shown.",
    )
    pain_before = models.PositiveSmallIntegerField(
        "pain before starting",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PAIN)],
        help_text="The answer to “any pain right now?”, 0 to 10.",
    )
    pain_after = models.JSONField(
        "no pain during",
        default=dict,
        blank=True,
        help_text="Each exercise answered “no pain” after its sets: the step's id to 0. "
        "Pain above zero is a pain flag instead.",
    )
    feeling = models.CharField("how it felt", max_length=12, choices=Feeling, blank=True)
    note = models.TextField("note to the trainer", blank=True, max_length=WORKOUT_NOTE_LENGTH)

    objects = WorkoutQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-started_at"]
        constraints = [
            # A double tap on "start" continues the same workout instead of making two.
            models.UniqueConstraint(
                fields=["planned_session"],
                condition=Q(planned_session__isnull=False),
                name="one_workout_per_planned_session",
            ),
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__lte=10),
                name="workout_pain_0_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.member} on {self.date:%b %-d, %Y}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def stopped_for_pain(self) -> bool:
        return bool(self.pain_before)

    def has_step(self, step_id: int) -> bool:
        """Whether ``step_id`` is one of the steps this session was prescribed."""
        return any(main["id"] == step_id for main in self.prescription["steps"])


class SetLog(models.Model):
    """One set the member logged. Logging is an upsert on (workout, step, set
    number, side): a retried post updates the row instead of adding another."""

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        # Never empty: a NULL side would let duplicates past the unique constraint.
        BOTH = "both", "Both"

    workout = models.ForeignKey(Workout, on_delete=models.CASCADE, related_name="set_logs")
    step = models.ForeignKey(
        Step,
        on_delete=models.PROTECT,
        related_name="set_logs",
        help_text="The routine's step (the slot), even when an alternative was done.",
    )
    exercise = models.ForeignKey(
        Exercise,
        on_delete=models.PROTECT,
        related_name="set_logs",
        help_text="What was actually done: the step's exercise or its alternative.",
    )
    set_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    side = models.CharField(max_length=5, choices=Side, default=Side.BOTH)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.PositiveIntegerField(null=True, blank=True)
    target_reps = models.PositiveSmallIntegerField(null=True, blank=True)
    target_seconds = models.PositiveIntegerField(null=True, blank=True)
    knobs = models.JSONField(
        "knob settings in effect", default=dict, blank=True, help_text="Label to value."
    )
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["workout", "step__order", "set_number", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["workout", "step", "set_number", "side"], name="one_log_per_set"
            ),
            models.CheckConstraint(
                condition=Q(side__in=["left", "right", "both"]), name="set_side_is_named"
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=False) | Q(seconds__isnull=False),
                name="set_has_reps_or_seconds",
            ),
        ]

    def __str__(self):
        side = "" if self.side == self.Side.BOTH else f" {self.side}"
        return f"{self.exercise} set {self.set_number}{side}"

    @property
    def amount(self) -> str:
        if self.seconds is not None:
            return f"{clock(self.seconds)} min"
        return f"{self.reps} reps"


class KnobSettingQuerySet(models.QuerySet):
    def in_routine_order(self):
        """As the member met them: by their exercise's step in the workout's
        routine (an alternative in its main step's place), then the knob's own
        order; settings from a routine since changed go last, by name."""
        place = (
            Step.objects.filter(
                routine=OuterRef("workout__routine"), exercise=OuterRef("exercise")
            )
            .annotate(place=Coalesce("alternative_to__order", "order"))
            .order_by("place")
            .values("place")[:1]
        )
        return self.annotate(place=Subquery(place)).order_by(
            F("place").asc(nulls_last=True), "exercise__name", "knob__order", "knob_id"
        )


class KnobSetting(models.Model):
    """Where a knob was set for one workout: wall distance 14 in, band light."""

    workout = models.ForeignKey(Workout, on_delete=models.CASCADE, related_name="knob_settings")
    knob = models.ForeignKey(Knob, on_delete=models.PROTECT, related_name="settings")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="knob_settings")
    value = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    level = models.CharField(max_length=40, blank=True)
    unit = models.CharField(max_length=5, help_text="The knob's unit when it was set.")
    changed_at = models.DateTimeField(default=timezone.now)

    objects = KnobSettingQuerySet.as_manager()

    class Meta:
        ordering = ["workout", "knob"]
        constraints = [
            models.UniqueConstraint(fields=["workout", "knob"], name="one_setting_per_knob"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(level=""),
                name="knob_setting_has_a_value",
            ),
        ]

    def __str__(self):
        return f"{self.knob.label}: {self.display}"

    @property
    def display(self) -> str:
        if self.level or self.value is None:  # a setting has one or the other
            return self.level
        # The unit stored with the setting, which the knob may since have changed.
        return format_amount(self.value, self.unit)


class MembersRowsQuerySet(models.QuerySet):
    """Rows that belong to a member (``member``): a trainer's are those of the
    members they train now (``trained_by``), never a former member's."""

    def for_trainer(self, user):
        return self.filter(trained_by(user))


class PainFlagQuerySet(MembersRowsQuerySet):
    def open(self):
        """Not yet resolved: new or acknowledged."""
        return self.exclude(status=PainFlag.Status.RESOLVED)


class PainFlag(models.Model):
    """Pain a member reported: before a workout, or during an exercise. The
    trainer is emailed and sees it until they resolve it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    member = member_key("pain_flags")
    workout = optional_key(Workout, on_delete=models.CASCADE, related_name="pain_flags")
    step = optional_key(Step, on_delete=models.SET_NULL, related_name="pain_flags")
    exercise = optional_key(
        Exercise,
        on_delete=models.PROTECT,
        related_name="pain_flags",
        help_text="Empty when the pain was reported before the workout.",
    )
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PAIN)]
    )
    note = models.TextField(blank=True, max_length=PAIN_NOTE_LENGTH)
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    alert_sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(
        "note to the member",
        blank=True,
        max_length=RESOLUTION_NOTE_LENGTH,
        help_text="Emailed to the member when the flag is resolved.",
    )
    resolution_sent_at = models.DateTimeField(null=True, blank=True)

    objects = PainFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=10), name="pain_flag_level_1_to_10"
            ),
            # Reporting pain on an exercise twice (a retried post) raises one flag.
            models.UniqueConstraint(
                fields=["workout", "step"],
                condition=Q(workout__isnull=False, step__isnull=False),
                name="one_pain_flag_per_step_per_workout",
            ),
        ]

    def __str__(self):
        where = exercise.name if (exercise := self.exercise) else "before the workout"
        return f"Pain {self.level}/10 ({where})"
