"""Routines made of ordered steps, each an exercise with its prescription."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from routines.fields import optional_key
from routines.limits import MAX_REST_SECONDS, duration_field, reps_field, sets_field
from routines.models.exercises import Exercise
from routines.prescriptions import describe_prescription


class RoutineQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Routine.Status.PUBLISHED)

    def with_step_counts(self):
        """Annotate ``step_count``: the steps a member does, alternatives not counted."""
        return self.annotate(
            step_count=models.Count("steps", filter=Q(steps__alternative_to__isnull=True))
        )

    def visible_to(self, user):
        """Members see published routines, and any routine they have been on a
        block of, so unpublishing it never takes a member's guide away
        mid-block. Trainers and admins see drafts too."""
        if user.is_staff:
            return self
        # A subquery, not a join: a join on blocks would multiply step counts.
        theirs = Routine.objects.filter(assignments__member=user).values("pk")
        return self.filter(Q(status=Routine.Status.PUBLISHED) | Q(pk__in=theirs))


class Routine(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (only trainers see it)"
        PUBLISHED = "published", "Published"

    title = models.CharField(
        max_length=120, help_text="For example: “Reversing Foot, Ankle, and Knee Pain”."
    )
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Used in links. Filled in from the title."
    )
    introduction = models.TextField(
        help_text="Why this routine, in the trainer's words. Blank lines start new paragraphs."
    )
    disclaimer = models.TextField(
        help_text="The safety rule members read first: start from zero pain, stop and see a "
        "doctor if it hurts."
    )
    closing_note = models.TextField(
        "what to expect and who to ask",
        blank=True,
        help_text="How long progress takes and who to contact with questions.",
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="How many times a week members do it.",
    )
    min_weeks = models.PositiveSmallIntegerField(
        "shortest block (weeks)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="The shortest block a member can be assigned.",
    )
    max_weeks = models.PositiveSmallIntegerField(
        "longest block (weeks)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="The longest block, extensions included.",
    )
    check_in_areas = models.ManyToManyField(
        "routines.BodyArea",
        blank=True,
        related_name="+",
        verbose_name="check-in areas",
        help_text="Where members rate their pain in daily life at each check-in (before "
        "the block, half-way, at its end), for example feet, ankles and knees. Empty: "
        "every area its exercises name.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Members see a routine once it is published.",
    )
    author = optional_key(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="authored_routines",
        help_text="The trainer who wrote it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoutineQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        # A routine's author may publish and unpublish it; this lets a head
        # trainer do so for every routine (superusers hold every permission).
        permissions = [("publish_routine", "Can publish and unpublish any routine")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=7),
                name="routine_sessions_per_week_1_to_7",
                violation_error_message="Sessions per week must be between 1 and 7.",
            ),
            models.CheckConstraint(
                condition=Q(min_weeks__gte=1, max_weeks__gte=models.F("min_weeks")),
                name="routine_block_weeks_in_order",
                violation_error_message="The longest block must be at least the shortest.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("routines:guide", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def weeks_text(self) -> str:
        if self.min_weeks == self.max_weeks:
            return f"{self.min_weeks} weeks"
        return f"{self.min_weeks}–{self.max_weeks} weeks"

    @property
    def frequency_text(self) -> str:
        return {1: "Once a week", 2: "Twice a week"}.get(
            self.sessions_per_week, f"{self.sessions_per_week} times a week"
        )

    def check_in_area_names(self) -> list[str]:
        """The body areas its check-ins ask about: those chosen, or else every
        area its exercises name, in alphabetical order."""
        # In the order they were chosen: the ground-up routine's run from the
        # ground up, feet first.
        chosen = Routine.check_in_areas.through.objects.filter(routine=self).order_by("pk")
        names = list(chosen.values_list("bodyarea__name", flat=True))
        if names:
            return names
        named = self.steps.values_list("exercise__body_areas__name", flat=True)
        return sorted({name for name in named if name})

    def clean(self):
        super().clean()
        if self.min_weeks and self.max_weeks and self.max_weeks < self.min_weeks:
            raise ValidationError(
                {"max_weeks": "The longest block must be at least the shortest."}
            )


class Step(models.Model):
    """One exercise of a routine with its prescription.

    A step with ``alternative_to`` set is not done in addition: it is another
    exercise, with its own prescription, that a member may choose instead of
    that step (Deadmill instead of backwards walking).
    """

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text="Steps are done from the lowest number up. Change the numbers to reorder.",
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="steps")
    sets = sets_field(default=1, help_text="How many sets (per side, for one-sided work).")
    reps = reps_field(help_text="Repetitions per set. Leave empty for a timed step.")
    duration_seconds = duration_field(
        help_text="For a timed step instead of reps: 600 for 10 minutes."
    )
    per_side = models.BooleanField(
        default=False,
        help_text="One leg at a time: the sets are done on each side, alternating sides.",
    )
    weaker_side_extra_sets = models.PositiveSmallIntegerField(
        "extra sets on the weaker side",
        default=0,
        validators=[MaxValueValidator(10)],
        help_text="Added on the member's weaker or stiffer side (per-side steps only).",
    )
    hold_seconds = models.PositiveSmallIntegerField(
        "pause at the top (seconds)",
        default=0,
        validators=[MaxValueValidator(60)],
        help_text="Pause or squeeze at the top of each rep. 0 for none.",
    )
    rest_seconds = models.PositiveSmallIntegerField(
        "rest between sets (seconds)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_REST_SECONDS)],
        help_text="Optional.",
    )
    notes = models.CharField(
        max_length=200,
        blank=True,
        help_text="Anything the numbers do not say: “toe-to-heel, then longer strides”, "
        "“at home”.",
    )
    paired_with = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paired_from",
        error_messages={"unique": "That step already alternates with another step."},
        help_text="A step whose sets alternate with this one's, set by set (tibialis raise "
        "with calf raise). New steps appear here once saved.",
    )
    alternative_to = models.ForeignKey(
        "self",
        verbose_name="instead of",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alternatives",
        help_text="Makes this an option members may do instead of that step, with its own "
        "numbers (Deadmill instead of backwards walking).",
    )

    class Meta:
        ordering = ["order", "id"]
        # No unique order: the admin saves inline rows one at a time, so a unique
        # constraint would reject swapping two steps' numbers.
        indexes = [models.Index(fields=["routine", "order"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reps__isnull=False) & Q(duration_seconds__isnull=True))
                | (Q(reps__isnull=True) & Q(duration_seconds__isnull=False)),
                name="step_reps_or_duration",
                violation_error_message="Give either reps or a duration, not both or neither.",
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1),
                name="step_sets_positive",
                violation_error_message="A step needs at least one set.",
            ),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(reps__gte=1),
                name="step_reps_positive",
                violation_error_message="Reps must be at least 1.",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__gte=1),
                name="step_duration_positive",
                violation_error_message="A duration must be at least 1 second.",
            ),
            models.CheckConstraint(
                condition=~Q(paired_with=models.F("id")),
                name="step_not_paired_with_itself",
                violation_error_message="A step cannot alternate with itself.",
            ),
        ]

    def __str__(self):
        prefix = "or " if self.alternative_to_id else f"{self.order}. "
        return f"{prefix}{self.exercise.name}"

    @property
    def partner(self) -> "Step | None":
        """The step whose sets alternate with this one's, whichever side holds the link."""
        if self.paired_with_id:
            return self.paired_with
        try:
            return self.paired_from
        except ObjectDoesNotExist:
            return None

    @property
    def is_timed(self) -> bool:
        return self.duration_seconds is not None

    @property
    def prescription(self) -> str:
        """The prescription in plain words; the guide, logger and trainer pages all use it."""
        return self.describe(
            sets=self.sets, reps=self.reps, duration_seconds=self.duration_seconds
        )

    def describe(self, *, sets: int, reps: int | None, duration_seconds: int | None) -> str:
        """The prescription in plain words with these numbers: the step's own,
        or a member's (``routines.personal``)."""
        partner = self.partner
        return describe_prescription(
            sets=sets,
            reps=reps,
            duration_seconds=duration_seconds,
            per_side=self.per_side,
            weaker_side_extra_sets=self.weaker_side_extra_sets,
            hold_seconds=self.hold_seconds,
            rest_seconds=self.rest_seconds,
            alternating_with=partner.exercise.name if partner else "",
        )

    def clean(self):
        super().clean()
        errors = {}
        if self.reps is not None and self.duration_seconds is not None:
            errors["duration_seconds"] = "Give either reps or a duration, not both."
        elif self.reps is None and self.duration_seconds is None:
            errors["reps"] = "Give the reps per set, or a duration for a timed step."
        if self.weaker_side_extra_sets and not self.per_side:
            errors["weaker_side_extra_sets"] = (
                "Extra sets on the weaker side need a per-side step: tick “per side”."
            )
        if (partner := self.paired_with) is not None:
            errors.update(self._pairing_errors(partner))
        if (main := self.alternative_to) is not None:
            errors.update(self._alternative_errors(main))
        if errors:
            raise ValidationError(errors)

    def _pairing_errors(self, partner: "Step") -> dict[str, str]:
        if self.pk and partner.pk == self.pk:
            return {"paired_with": "A step cannot alternate with itself."}
        if partner.routine_id != self.routine_id:
            return {"paired_with": "A pair must be two steps of the same routine."}
        if partner.paired_with_id and partner.paired_with_id != self.pk:
            return {"paired_with": f"“{partner}” already alternates with another step."}
        if self.pk:
            other = Step.objects.filter(paired_with=self).exclude(pk=partner.pk).first()
            if other:
                return {"paired_with": f"This step already alternates with “{other}”."}
        if self.alternative_to_id or partner.alternative_to_id:
            return {"paired_with": "Alternatives cannot be paired; pair the main steps."}
        # Equal set counts are checked where both steps' new values are known: the
        # routine admin's step formset (routines.admin.StepFormSet).
        return {}

    def _alternative_errors(self, main: "Step") -> dict[str, str]:
        if self.pk and main.pk == self.pk:
            return {"alternative_to": "A step cannot be an alternative to itself."}
        if main.routine_id != self.routine_id:
            return {"alternative_to": "An alternative must belong to a step of the same routine."}
        if main.alternative_to_id:
            return {"alternative_to": f"“{main}” is itself an alternative; choose its main step."}
        if main.exercise_id == self.exercise_id:
            return {"alternative_to": "An alternative must be a different exercise."}
        return {}
