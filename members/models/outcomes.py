"""Whether a block worked, in the member's own words: check-ins before its
first session, half-way and at its end. Each records pain in daily life over
the past week for each body area the routine is for (the worst and the
usual, 0 to 10), and the Patient-Specific Functional Scale: up to three
everyday activities the member named at the baseline, each rated 0 (cannot
do it) to 10 (as well as before the problem)."""

from django.core.validators import MaxValueValidator
from django.db import models

from members.models.blocks import Assignment
from routines.limits import MAX_PAIN

# The PSFS: how many activities a member names, and how long each name may be.
MAX_ACTIVITIES = 3
ACTIVITY_NAME_LENGTH = 80
# Both scales run 0 to 10, as the pain levels do.
MAX_SCORE = MAX_PAIN


def _score(verbose_name: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, validators=[MaxValueValidator(MAX_SCORE)], help_text=help_text
    )


class CheckIn(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", "Before you start"
        MIDWAY = "midway", "Half-way"
        END = "end", "End of the block"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="check_ins")
    kind = models.CharField(max_length=8, choices=Kind)
    done_on = models.DateField(help_text="The day the member answered it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment", "done_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                name="one_check_in_of_each_kind_per_block",
                violation_error_message="This check-in is done already.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} check-in on {self.done_on:%b %-d, %Y}"

    @property
    def moment(self) -> str:
        """When in the block it was, in words."""
        return {"baseline": "before the block", "midway": "half-way", "end": "at the end"}[
            self.kind
        ]


class AreaPain(models.Model):
    """Pain in daily life over the past week in one body area."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="areas")
    # The area's name as it was asked: a routine's areas may change later.
    area = models.CharField(max_length=40)
    worst = _score("worst pain", "The worst it was over the past week, 0 to 10.")
    usual = _score("usual pain", "How it usually was over the past week, 0 to 10.")

    class Meta:
        ordering = ["check_in", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["check_in", "area"], name="one_answer_per_area"),
            models.CheckConstraint(
                condition=models.Q(worst__lte=MAX_SCORE, usual__lte=MAX_SCORE),
                name="area_pain_0_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.area}: worst {self.worst}, usual {self.usual}"


class Activity(models.Model):
    """An everyday activity the member finds hard because of the problem,
    named at the block's baseline and rated again at each later check-in."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="activities")
    name = models.CharField(max_length=ACTIVITY_NAME_LENGTH)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assignment", "position"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "position"], name="one_activity_per_place"
            )
        ]

    def __str__(self):
        return self.name


class ActivityScore(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="scores")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="scores")
    score = _score("score", "0 (cannot do it) to 10 (as well as before the problem).")

    class Meta:
        ordering = ["check_in", "activity__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "activity"], name="one_score_per_activity"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=MAX_SCORE), name="activity_score_0_to_10"
            ),
        ]

    def __str__(self):
        return f"{self.activity}: {self.score}"
