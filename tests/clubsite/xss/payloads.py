"""The payloads: markup that would run if shown unescaped, one per free-text
field, each with its own number in ``alert(n)``; and the checks that a page,
email or file shows them as text."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.html import escape


def markup(number: int, room: int) -> str:
    """Markup that would run if shown unescaped, as long as the field holds."""
    n = number
    for text in (
        f"<script>alert({n})</script><img src=x onerror=alert({n})>\"'><svg onload=alert({n})>",
        f"<img src=x onerror=alert({n})>\"'><svg onload=alert({n})>",
        f"\"'><img src=x onerror=alert({n})>",
    ):
        if len(text) <= room:
            return text
    raise ValueError(f"no payload fits {room} characters")


@dataclass(frozen=True)
class Field:
    """A free-text field, and the payload it carries here."""

    label: str
    number: int
    room: int = 10_000

    @property
    def text(self) -> str:
        return markup(self.number, self.room)


# Authored by trainers in the admin.
TITLE = Field("Routine.title", 11, 120)
INTRODUCTION = Field("Routine.introduction", 12)
DISCLAIMER = Field("Routine.disclaimer", 13)
CLOSING_NOTE = Field("Routine.closing_note", 14)
EXERCISE = Field("Exercise.name", 15, 80 - 3)  # room for " #1": names are unique
PURPOSE = Field("Exercise.purpose", 16)
SETUP = Field("Exercise.setup", 17)
EXECUTION = Field("Exercise.execution", 18)
CUES = Field("Exercise.cues", 19)
IMAGE_ALT = Field("Exercise.image_alt", 20, 200)
VIDEO_URL = Field("Exercise.video_url", 21)
KNOB = Field("Knob.label", 22, 60)
LEVEL = Field("Knob.levels", 23, 40)  # also Knob.start_level, KnobSetting.level, …knob_level
START = Field("Knob.start_description", 24, 200)
EASIER = Field("Knob.easier_guidance", 25)
HARDER = Field("Knob.harder_guidance", 26)
STEP_NOTES = Field("Step.notes", 28, 200)
EQUIPMENT = Field("Equipment.name", 29, 60 - 2)
BODY_AREA = Field("BodyArea.name", 30, 40 - 2)
# Typed by members, trainers and visitors.
MEMBER_NAME = Field("Profile.display_name (member)", 40, 80)
TRAINER_NAME = Field("Profile.display_name (trainer)", 41, 80)
VISITOR = Field("Question.name", 42, 100)
SUBJECT = Field("Question.subject", 43, 120)
MESSAGE = Field("Question.message", 44)
ANSWER = Field("Question.answer", 45)
MEMBER_REPLY = Field("Reply.text (member)", 61)
TRAINER_REPLY = Field("Reply.text (trainer)", 62)
TRAINER_BIO = Field("Profile.bio", 63, 300)
WORKOUT_NOTE = Field("Workout.note", 46, 2000)
PAIN_NOTE = Field("PainFlag.note", 47, 1000)
RESOLUTION = Field("PainFlag.resolution_note", 49, 2000)
TRAINER_NOTE = Field("TrainerNote.text", 50, 1000)
OVERRIDE_NOTE = Field("StepOverride.note", 51, 300)
BLOCK_NOTES = Field("Assignment.notes", 52)
INVITED_NAME = Field("Profile.display_name (invited)", 53, 80)
GROUP_LINE = Field("GroupInvitationForm.people", 54)
ACTIVITY = Field("Activity.name", 55, 80)
SEARCH = Field("?q= on the trainer's Members page", 60, 100)

# javascript: where a field could end up in a link: urlize on the closing
# note, and the exercise's video link (the admin refuses the scheme; a link
# with quotes in it stays inside its href).
CLOSING_LINKS = (
    'Read <a href="javascript:alert(14)">this</a>, javascript:alert(14) and '
    "https://example.com/?q=\"'><svg/onload=alert(14)>"
)
VIDEO_LINK = "https://video.example/watch?v=\"'><svg/onload=alert(21)>"

# Every CharField and TextField of our models is a field above, or is here
# with the reason it carries nothing a person typed.
NOT_TYPED = {
    "User.password": "a hash",
    "User.email": "an EmailField: validated, cannot hold < or >",
    "Question.email": "an EmailField: validated, cannot hold < or >",
    "Question.to_email": "an EmailField: the club's or a trainer's address",
    "EmailDelivery.to_email": "an EmailField",
    "Profile.calendar_token": "made by the app",
    "Invitation.token_hash": "made by the app",
    "EmailDelivery.key": "made by the app",
    "RateCount.key": "made by the app: a limit's scope, who and window, never shown",
    "EmailDelivery.last_error": "the mail server's error, shown escaped to trainers",
    "EmailDelivery.skipped_because": "the app's own words",
    "KnobSetting.unit": "a copy of Knob.unit, a choice",
    "AreaPain.area": "a copy of BodyArea.name (BODY_AREA)",
    "KnobSetting.level": "one of Knob.levels (LEVEL)",
    "Knob.start_level": "one of Knob.levels (LEVEL)",
    "StepOverride.knob_level": "one of Knob.levels (LEVEL), typed on the trainer's form",
    "Exercise.slug": "a SlugField: letters, digits and hyphens",
    "Routine.slug": "a SlugField: letters, digits and hyphens",
    "Workout.prescription": "a copy of the routine's fields above, made when a workout starts",
    "Workout.choices": "step ids",
    "Workout.earlier": "numbers and ids copied from earlier sets and knob settings",
    "Workout.pain_after": "step ids to 0",
    "SetLog.knobs": "Knob.label to a value or level: KNOB and LEVEL",
    "ActionKey.key": "the phone's key: only letters, digits, - and _ are taken, never shown",
    "ActionKey.method": "the request's method, never shown",
    "ActionKey.path": "a logger URL the request resolved to, never shown",
    "ActionKey.headers": "headers the logger answered with, given back to the same member",
    "ActionKey.body": "an answer the logger rendered (escaped), given back to the same member",
    "ActionKey.nonce": "made by the app",
    # The dashboard's kept standings: sentences the app makes from the fields
    # above (a question's subject, exercise, knob and activity names), shown
    # on the dashboard that test_xss_trainer_pages fills with every payload.
    "BlockStanding.reasons": "the app's sentences from the fields above",
    "BlockStanding.change": "the app's sentence from Activity.name and BODY_AREA",
    "BlockStanding.knobs": "the app's lines from EXERCISE, KNOB and LEVEL",
    "PageStamp.key": "made by the app: club or member:<id>, never shown",
    "PageStamp.token": "made by the app, never shown",
}
FIELDS = [value for value in list(globals().values()) if isinstance(value, Field)]


# Inert: what the payloads must never become.

RAW = re.compile(r"<script>alert|<img src=x|<svg[ /]onload|\"'><", re.IGNORECASE)
LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


class _Inspector(HTMLParser):
    """Every element the browser would build: an ``on…`` attribute, a
    ``javascript:`` link or a script calling ``alert`` is a payload that ran."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            scheme = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name in LINK_ATTRIBUTES and scheme.startswith(("javascript:", "data:text/html")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if tag == "img" and name == "src" and value == "x":
                self.problems.append("<img src=x>")
        self._script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._script = False

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.problems.append(f"<script>{data[:40]}")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href")


def link_targets(html: str) -> list[str]:
    """The ``href`` of every link, as the browser reads it (entities decoded)."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def assert_inert(html: str, where: str) -> None:
    raw = RAW.search(html)
    assert raw is None, f"{where}: raw markup {html[max(raw.start() - 80, 0) : raw.end() + 40]!r}"
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert not inspector.problems, f"{where}: {inspector.problems}"


def assert_escaped(html: str, fields, where: str) -> None:
    """Each field's payload is on the page, escaped: it was shown, as text."""
    absent = [field.label for field in fields if escape(field.text) not in html]
    assert not absent, f"{where}: the escaped payload of {absent} is not there"
