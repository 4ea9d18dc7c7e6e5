"""What a hostile post may hold: the strategies the hostile-input tests draw
their fields from, plus how each post is sent (htmx or not, form-encoded or
multipart)."""

import datetime as dt
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.clubsite.hostile import Ref, Sent

# Repeatable in CI: the same examples on every run, and no example database
# written to the work tree. HOSTILE_EXAMPLES=300 searches deeper, with fresh
# random examples each run (minutes, not seconds).
FUZZ = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", 25)),
    derandomize="HOSTILE_EXAMPLES" not in os.environ,
    database=None,
    deadline=None,
    # The world is built once per test and each example rolls back to it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# What people, bots and broken phones send: empty, blank, NUL bytes, numbers
# Python reads but a form should not ("NaN", "1e400", "١٢" are all numbers to
# someone), overlong values, markup, and a body too big to read.
SURPRISES = [
    "",
    " ",
    "\x00",
    "12\x00",
    "\x00note",
    "0",
    "-1",
    "-0",
    "1",
    "10",
    "11",
    "501",
    "32768",
    "2147483648",
    "99999999999999999999999",
    "1e400",
    "-1e400",
    "1e30",
    "1E2",
    "NaN",
    "nan",
    "sNaN",
    "inf",
    "-Infinity",
    "1.5",
    "0.05",
    "12.34",
    "99999.95",
    " 12 ",
    "١٢",
    "𝟙𝟚",
    "²",
    "0x10",
    "1_000",
    "+5",
    "true",
    "null",
    "[]",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a\r\nBcc: victim@example.com",
    "\u202etxt.exe",
    "\ufeff",
    "😀" * 3,
    "é" * 3001,
    "x" * 100_000,
    # Above DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses the body with a 400.
    "y" * 2_700_000,
]

SHORT_SURPRISES = [text for text in SURPRISES if 0 < len(text) < 300]

any_text = st.text(st.characters(codec="utf-8"), max_size=40)
numbers = st.one_of(
    st.integers().map(str),
    st.floats().map(str),
    st.decimals().map(str),
)
junk = st.one_of(st.sampled_from(SURPRISES), any_text, numbers)


def prose(start: str) -> st.SearchStrategy:
    """Text a person would type, then anything: valid unless the tail is not."""
    return st.builds(lambda tail: f"{start} {tail}".strip(), any_text)


def field_value(plausible: st.SearchStrategy | None = None) -> st.SearchStrategy:
    """A field's value: plausible or junk, once or repeated."""
    one = junk if plausible is None else st.one_of(plausible, junk)
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


# Fields no form of ours takes, some of which a careless view would assign.
EXTRA_KEYS = st.sampled_from(
    ["pk", "id", "member", "trainer", "status", "is_staff", "is_superuser", "finished_at"]
) | st.from_regex(r"[a-z][a-z_-]{0,11}", fullmatch=True)


def form(*, like: st.SearchStrategy | None = None, **fields: st.SearchStrategy):
    """A post for a form of these fields (name to a strategy of plausible
    values, or ``like``, a strategy of whole plausible posts when fields
    depend on each other): all plausible, one field spoiled or dropped, or
    anything at all; with a few fields of no form's."""
    names = sorted(fields)
    plausible = like if like is not None else st.fixed_dictionaries(fields)

    def spoil(data, name, value):
        data = dict(data)
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
        return data

    spoiled = (
        st.builds(spoil, plausible, st.sampled_from(names), st.none() | field_value())
        if names
        else plausible
    )
    anything = st.fixed_dictionaries(
        {}, optional={name: field_value(fields[name]) for name in names}
    )
    extras = st.dictionaries(EXTRA_KEYS, field_value(), max_size=2)
    return st.builds(
        lambda data, extra: {**extra, **data},
        st.one_of(plausible, spoiled, anything),
        extras,
    )


def ints(low: int, high: int) -> st.SearchStrategy:
    return st.integers(low, high).map(str)


def dates(around: dt.date, days: int = 400, *, past: bool = True) -> st.SearchStrategy:
    """ISO dates within ``days`` of ``around``: before it too, unless not ``past``."""
    return st.integers(-days if past else 0, days).map(
        lambda n: (around + dt.timedelta(days=n)).isoformat()
    )


weekday_lists = st.lists(st.integers(-1, 7).map(str), min_size=0, max_size=4)

# What a form may answer: done (a redirect, or the fragment for htmx), shown
# again with its errors, or refused as unreadable.
FORM_STATUSES = {200, 302, 400, 422}

# How a post is sent: as htmx sends it or as a browser does, form-encoded or multipart.
sent = st.builds(Sent, htmx=st.booleans(), form_encoded=st.booleans())

# The steps of today's session on the logger, by name.
STEPS = [
    Ref(name)
    for name in [
        "timed_step",
        "reps_step",
        "per_side_step",
        "levels_step",
        "option_step",
        "option",
    ]
]
steps = st.sampled_from(STEPS)
# A step in the address: one of the session's, or any number at all.
step_ids = st.one_of(steps, st.integers(0, 10**25))
LOGGER_STATUSES = {200, 204, 302, 400, 404, 422}
