"""How much a prescription, a logged set, a pain report and a note may hold.

The numbers live here once. The routine and member models validate with them
(and so the admin's forms), and the logger's and the trainer's forms read them
from here, so a limit changed here changes everywhere it is checked.
"""

MAX_SETS = 20
MAX_REPS = 500
MAX_SECONDS = 3 * 60 * 60

NO_PAIN = 0
MAX_PAIN = 10
PAIN_LEVELS = range(NO_PAIN, MAX_PAIN + 1)

# What a member types beside pain, at the end of a session, and what a trainer
# writes back when they resolve a pain flag or leave a note.
PAIN_NOTE_LENGTH = 1000
WORKOUT_NOTE_LENGTH = 2000
RESOLUTION_NOTE_LENGTH = 2000
TRAINER_NOTE_LENGTH = 1000

# The largest id a form accepts: the database's integer key.
MAX_ID = 2**31 - 1
