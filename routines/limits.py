"""How much a prescription, a logged set, a pain report and a note may hold.

The numbers live here once. The routine and member models validate with them
(and so the admin's forms), and the logger's and the trainer's forms read them
from here, so a limit changed here changes everywhere it is checked.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MAX_SETS = 20
MAX_REPS = 500
MAX_SECONDS = 3 * 60 * 60
MAX_REST_SECONDS = 10 * 60

NO_PAIN = 0
MAX_PAIN = 10
PAIN_LEVELS = range(NO_PAIN, MAX_PAIN + 1)

# What a member types beside pain, at the end of a session, and what a trainer
# writes back when they resolve a pain flag or leave a note.
PAIN_NOTE_LENGTH = 1000
WORKOUT_NOTE_LENGTH = 2000
RESOLUTION_NOTE_LENGTH = 2000
TRAINER_NOTE_LENGTH = 1000
# A trainer's few words about themselves, on their members' Today.
BIO_LENGTH = 300
# A question, an answer, and each reply in its conversation.
REPLY_LENGTH = 3000

# The largest id a form accepts: the database's integer key.
MAX_ID = 2**31 - 1


def sets_field(**options) -> models.PositiveSmallIntegerField:
    """A step's sets, from 1 to ``MAX_SETS``: the routine's or a member's own."""
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SETS)], **options
    )


def reps_field(**options) -> models.PositiveSmallIntegerField:
    """Reps per set, from 1 to ``MAX_REPS``; empty on a timed step."""
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REPS)],
        **options,
    )


def duration_field(**options) -> models.PositiveIntegerField:
    """A timed step's seconds, up to ``MAX_SECONDS``; empty on a counted one."""
    return models.PositiveIntegerField(
        "duration (seconds)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SECONDS)],
        **options,
    )
