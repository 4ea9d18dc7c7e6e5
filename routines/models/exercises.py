"""Exercises and the knobs that make each one easier or harder."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from routines.images import ReencodedImageField
from routines.videos import CONTENT_TYPES as VIDEO_CONTENT_TYPES
from routines.videos import CheckedVideoField


class Equipment(models.Model):
    name = models.CharField(
        max_length=60,
        unique=True,
        help_text="As a member would say it, for example “resistance band”.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "equipment"

    def __str__(self):
        return self.name


class BodyArea(models.Model):
    name = models.CharField(
        max_length=40,
        unique=True,
        help_text="A part of the body an exercise protects, for example “knees”.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Exercise(models.Model):
    name = models.CharField(max_length=80, unique=True, help_text="For example: “Tibialis raise”.")
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in links. Filled in from the name."
    )
    purpose = models.TextField(
        "why it matters",
        help_text="What the exercise strengthens or protects, in a sentence or two.",
    )
    setup = models.TextField(
        help_text="How to get into position: where to stand, what to hold, where the feet go."
    )
    execution = models.TextField(
        "how to do it",
        help_text="The movement, one step per line. Each line becomes a numbered step.",
    )
    cues = models.TextField(
        blank=True,
        help_text="Short reminders while moving, one per line: “Keep your heel down”.",
    )
    equipment = models.ManyToManyField(
        Equipment, blank=True, related_name="exercises", help_text="What the member needs."
    )
    body_areas = models.ManyToManyField(
        BodyArea, blank=True, related_name="exercises", help_text="What it protects."
    )
    image = ReencodedImageField(
        upload_to="exercises/",
        blank=True,
        help_text="Optional photo or drawing of the position: a JPEG, PNG, WebP or GIF image.",
    )
    image_alt = models.CharField(
        "image description",
        max_length=200,
        blank=True,
        help_text="What the image shows, for members who cannot see it. Required with an image.",
    )
    video_url = models.URLField("video link", blank=True, help_text="Optional link to a video.")
    video = CheckedVideoField(
        "demonstration video",
        upload_to="exercises/videos/",
        blank=True,
        help_text="Optional: a short clip the club filmed, MP4 or WebM, under 50 MB. Members "
        "play it, muted and looping, beside the written steps.",
    )
    video_poster = ReencodedImageField(
        "video's first picture",
        upload_to="exercises/",
        blank=True,
        help_text="Optional: the picture members see before they play the video.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.image and not self.image_alt.strip():
            raise ValidationError(
                {"image_alt": "Describe the image for members who use a screen reader."}
            )

    @property
    def video_type(self) -> str:
        """The type its stored name says (a name made from its content)."""
        return VIDEO_CONTENT_TYPES.get((self.video.name or "").rsplit(".", 1)[-1], "video/mp4")

    @property
    def execution_steps(self) -> list[str]:
        return _lines(self.execution)

    @property
    def cue_list(self) -> list[str]:
        return _lines(self.cues)


def format_amount(value: Decimal, unit: str) -> str:
    """A knob's number in words: “12 in”, “15 lb”, or the bare number."""
    number = f"{value.normalize():f}"
    return number if unit == Knob.Unit.NONE else f"{number} {unit}"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Knob(models.Model):
    """One way to make an exercise easier or harder: wall distance, band, reach, load."""

    class Unit(models.TextChoices):
        INCH = "in", "inches (in)"
        CENTIMETRE = "cm", "centimetres (cm)"
        POUND = "lb", "pounds (lb)"
        KILOGRAM = "kg", "kilograms (kg)"
        LEVEL = "level", "named levels"
        NONE = "none", "no unit"

    class Harder(models.TextChoices):
        HIGHER = "higher", "A higher value (or a later level) is harder"
        LOWER = "lower", "A lower value (or an earlier level) is harder"

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="knobs")
    label = models.CharField(
        max_length=60,
        help_text="What the member adjusts, for example “Feet distance from wall”.",
    )
    unit = models.CharField(
        max_length=5,
        choices=Unit,
        default=Unit.INCH,
        help_text="Choose “named levels” for settings like band strength.",
    )
    minimum = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, help_text="Smallest value allowed."
    )
    maximum = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, help_text="Largest value allowed."
    )
    step = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="How much one “easier” or “harder” tap changes the value.",
    )
    levels = models.CharField(
        max_length=200,
        blank=True,
        help_text="For named levels only: the levels in order, separated by commas "
        "(“none, light, medium, heavy”).",
    )
    start_value = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Where a member starts, if the routine gives a number (12 for 12 in).",
    )
    start_level = models.CharField(
        max_length=40, blank=True, help_text="Where a member starts, for named levels."
    )
    start_description = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where to start in words, when there is no number: "
        "“where your heels begin to lift”.",
    )
    harder = models.CharField(
        "which way is harder", max_length=6, choices=Harder, default=Harder.HIGHER
    )
    easier_guidance = models.TextField(
        "to make it easier", help_text="What the member does to make it easier."
    )
    harder_guidance = models.TextField(
        "to make it harder", help_text="What the member does to make it harder."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position among the knobs.")

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=models.F("maximum")),
                name="knob_minimum_not_above_maximum",
                violation_error_message="The smallest value must not be above the largest.",
            ),
        ]

    def __str__(self):
        return f"{self.exercise.name}: {self.label}"

    @property
    def is_levels(self) -> bool:
        return self.unit == self.Unit.LEVEL

    @property
    def level_names(self) -> list[str]:
        return [level.strip() for level in self.levels.split(",") if level.strip()]

    @property
    def start_text(self) -> str:
        """Where a member starts, in words: “12 in”, “none”, “where your heels begin to lift”."""
        if self.start_level:
            return self.start_level
        if self.start_value is not None:
            return self.format_value(self.start_value)
        return self.start_description

    def format_value(self, value: Decimal) -> str:
        return format_amount(value, self.unit)

    def range_problem(self, value: Decimal) -> str | None:
        """What is wrong with ``value`` for this knob's range, in words; None if nothing."""
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return (
                f"Enter a value from {self.format_value(low or Decimal(0))} "
                f"to {self.format_value(high or Decimal(999))}."
            )
        return None

    def clean(self):
        super().clean()
        errors = {}
        if self.is_levels:
            names = self.level_names
            if len(names) < 2:
                errors["levels"] = "Give at least two levels, in order, separated by commas."
            if self.start_level and self.start_level not in names:
                errors["start_level"] = f"Choose one of the levels: {', '.join(names)}."
            if self.start_value is not None:
                errors["start_value"] = "Named levels start at a level, not a number."
        else:
            if self.levels:
                errors["levels"] = "Levels are only for the “named levels” unit."
            if self.start_level:
                errors["start_level"] = "A start level needs the “named levels” unit."
            low, high = self.minimum, self.maximum
            if low is not None and high is not None and low > high:
                errors["maximum"] = "The largest value must be at least the smallest."
            if self.start_value is not None and (
                (low is not None and self.start_value < low)
                or (high is not None and self.start_value > high)
            ):
                errors["start_value"] = "The starting value must be within the range."
        if errors:
            raise ValidationError(errors)
