"""What the logger's htmx answers cost and carry: queries that stay flat with
what is logged, and out-of-band swaps only into what the page has."""

import re
import uuid
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_htmx.middleware import HtmxDetails

from clubsite import kept_pages
from members.logbook.sets import log_all_as_prescribed, report_pain
from members.logbook.views import _row_response
from members.logbook.workouts import (
    record_pain_before,
    start_workout,
)
from members.models import KnobSetting, Profile, SetLog, Workout
from routines.models import Exercise, Knob
from tests.factories import stamped
from tests.html import without_tokens
from tests.members.logger_helpers import (
    HTMX,
    session_url,
    set_post,
    started_workout,
    step,
)


def _log_everything(workout):
    for main in workout.prescription["steps"]:
        log_all_as_prescribed(workout=workout, step_id=main["id"])


@pytest.mark.django_db
@pytest.mark.parametrize("logged", [False, True], ids=["no-sets", "all-sets"])
def test_the_logger_query_count_stays_flat(
    member_client, workout, logged, django_assert_num_queries
):
    if logged:
        _log_everything(workout)
        SetLog.objects.filter(set_number=1, side__in=["both", "left"]).delete()
    stamped(workout.member)
    # The first page read the exercises for this version of the routines;
    # a page rendered after the member's next write does not.
    member_client.get(session_url(workout))
    kept_pages.member_changed([workout.member_id])
    # Session, user, the page stamps, the workout with its sets, knob settings
    # and pain flags, the profile, the club's stamp, the block's session count.
    with django_assert_num_queries(7):
        page = member_client.get(session_url(workout)).text
    # Opened again with nothing written: the page as kept.
    with django_assert_num_queries(3):
        assert without_tokens(member_client.get(session_url(workout)).text) == without_tokens(page)
    data = set_post(workout, "Calf raise", reps="20")
    # Session, user, then in a savepoint: the lock and, in the same round
    # trip, the workout read again with what it holds, the member's weaker
    # side and the version of the club's routines (the earlier workouts' sets
    # are the workout's copy, the exercises kept per version); the upsert.
    # The answer is built from what the write read and wrote. Then a new
    # token for the member's kept pages, which a set committed on its own
    # drops with its upsert (``test_each_htmx_action_takes_…``).
    with django_assert_num_queries(7):
        response = member_client.post(session_url(workout, "sets/"), data, **HTMX)
    assert response.status_code == 200


def _action_posts(workout):
    """Each htmx action of the logger, as (path, data)."""
    curl = step(workout, "Single-leg hamstring curl")["id"]
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    walking = step(workout, "Backwards walking")["id"]
    band = Knob.objects.get(label="Band assistance")
    return {
        "log": ("sets/", set_post(workout, "Calf raise", set_number=2, reps="20")),
        "undo": ("sets/undo/", set_post(workout, "Calf raise", set_number=2)),
        "all": (f"steps/{curl}/all/", {}),
        "knob": (f"steps/{nordic}/knob/", {"knob": band.pk, "direction": "easier"}),
        "option": (f"steps/{walking}/option/", {"option": step(workout, "Deadmill")["id"]}),
        "no pain": (f"steps/{curl}/pain/", {"level": "0"}),
        "pain": (f"steps/{nordic}/pain/", {"level": "1"}),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clear_cache")
@pytest.mark.parametrize("keyed", [False, True], ids=["bare", "keyed"])
def test_each_htmx_action_takes_the_same_queries_however_much_is_logged(
    member_client, member, trainer, keyed
):
    """Sent bare, and as the phone sends it, with a key of its own."""
    counts = {}
    started_workout(member, trainer)
    for size in ("empty", "full"):
        Workout.objects.all().delete()
        workout = start_workout(member=member)
        record_pain_before(workout=workout, level=0)
        # Read once: the page stamps, and the exercises for this version of the routines.
        stamped(member)
        member_client.get(session_url(workout))
        if size == "full":
            _log_everything(workout)
            # Leave the curl open, as in the empty workout, to log it all again.
            SetLog.objects.filter(exercise__name="Single-leg hamstring curl").delete()
            KnobSetting.objects.filter(exercise__name="Single-leg hamstring curl").delete()
        for name, (path, data) in _action_posts(workout).items():
            key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if keyed else {}
            with CaptureQueriesContext(connection) as queries:
                response = member_client.post(session_url(workout, path), data, **HTMX, **key)
            assert response.status_code == 200, (name, response.content[:300])
            counts.setdefault(name, []).append(len(queries))
    assert all(empty == full for empty, full in counts.values()), counts
    # Each commits as in production (this test has no transaction of its
    # own): session, user; BEGIN, the lock and the read in one round trip,
    # the write, COMMIT; the answer is built from what the write read and
    # wrote. On PostgreSQL the write also drops the member's kept pages
    # (``kept_pages.dropped_with_last_write``) and records where the card's
    # knobs were, in the same statement (``clubsite.together``); SQLite
    # sends each on its own. A pain above zero also raises a flag,
    # marks the block's standing and emails the trainer (sent here at once).
    counted = {name: empty for name, (empty, _) in counts.items()}
    if connection.vendor == "postgresql":
        # With a key, the key's insert goes with the lock and the read, and
        # the action's write with its answer, kept (``idempotency``): six too.
        assert counted == {
            "log": 6,
            "undo": 6,
            "all": 6,
            "knob": 6,
            "option": 6,
            "no pain": 6,
            "pain": 23,
        }
    else:
        # With a key: the key's insert and the answer kept, each a
        # statement of its own.
        assert counted == {
            "log": 7 + 2 * keyed,
            "undo": 7 + 2 * keyed,
            "all": 8 + 2 * keyed,
            "knob": 7 + 2 * keyed,
            "option": 7 + 2 * keyed,
            "no pain": 7 + 2 * keyed,
            "pain": 23 + 2 * keyed,
        }


class _Fragment(HTMLParser):
    """The ids of a fragment's out-of-band elements, and of those nested
    inside another element (which htmx would move out of the new content)."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.oob: list[str] = []
        self.nested: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if "hx-swap-oob" in attributes:
            self.oob.append(attributes.get("id", tag))
            if self.depth:
                self.nested.append(attributes.get("id", tag))
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.depth -= 1


def _parse(text):
    fragment = _Fragment()
    fragment.feed(text)
    return fragment


@pytest.mark.django_db
def test_every_htmx_answer_swaps_out_of_band_only_into_what_the_page_has(
    member_client, member, trainer
):
    """A card's answer once carried its count and "All N" buttons out of band
    inside the card: htmx put them into the old card, swapped away, and the
    next set's answer met no target (htmx:oobErrorNoTarget)."""
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = step(workout, "Patrick step")["id"]
    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    posts = [
        *_action_posts(workout).items(),
        ("harder", (f"steps/{tibialis}/knob/", {"knob": wall.pk, "direction": "harder"})),
        ("side", (f"steps/{patrick}/weaker-side/", {"side": "left"})),
        ("log after the card", ("sets/", set_post(workout, "Tibialis raise", reps="25"))),
        ("refused value", (f"steps/{tibialis}/knob/", {"knob": wall.pk, "value": "99"})),
        ("refused count", ("sets/", set_post(workout, "Calf raise", reps="-1"))),
    ]
    for name, (path, data) in posts:
        page_ids = _parse(member_client.get(session_url(workout)).text).ids
        response = member_client.post(session_url(workout, path), data, **HTMX)
        assert response.status_code == (422 if name.startswith("refused") else 200), name
        fragment = _parse(response.text)
        assert fragment.nested == [], f"{name}: out-of-band inside the swap: {fragment.nested}"
        assert set(fragment.oob) <= page_ids, f"{name}: no target for {fragment.oob}"
        assert "session-progress" in fragment.oob, name
        # What the card shows comes with it: its count and its "All" area.
        swapped = fragment.ids - set(fragment.oob)
        assert any(i.endswith("-count") for i in swapped | set(fragment.oob)), name
        assert any(i.endswith("-all") for i in swapped | set(fragment.oob)), name


def _fresh_answer(member, workout, post, key: str) -> str:
    """The set's htmx answer as the logger gives it from the database."""
    request = RequestFactory().post(session_url(workout, "sets/"), post, **HTMX)
    request.user = member
    request.htmx = HtmxDetails(request)
    edited = bool(post.get("edit"))
    return _row_response(request, workout, key, edited=edited).content.decode()


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.django_db
def test_a_set_logged_is_answered_as_a_fresh_read_would_answer(member_client, member, workout):
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    report_pain(workout=workout, step_id=nordic, level=0)
    posts = [
        # The first set of an exercise with a knob: its setting is stored too.
        set_post(workout, "Tibialis raise", reps="20"),
        set_post(workout, "Tibialis raise", set_number=2, reps="18"),
        # A count corrected with the row's Save button.
        {**set_post(workout, "Tibialis raise", reps="22"), "edit": "1"},
        set_post(workout, "Single-leg hamstring curl", side="left", reps="10"),
    ]
    for post in posts:
        response = member_client.post(session_url(workout, "sets/"), post, **HTMX)
        assert response.status_code == 200
        key = f"{post['step']}-{post['set_number']}-{post['side']}"
        assert f'id="set-{key}"' in response.text
        fresh = _fresh_answer(member, workout, post, key)
        assert _without_tokens(response.text) == _without_tokens(fresh)


@pytest.mark.django_db
def test_a_set_logged_after_an_exercise_is_renamed_answers_with_its_new_name(
    member_client, workout
):
    url = session_url(workout, "sets/")
    first = member_client.post(url, set_post(workout, "Calf raise", reps="20"), **HTMX)
    assert "All 2 sets of Tibialis raise as prescribed" in first.text
    # Renamed in the admin between two taps: the exercises read for the
    # routines as they were are not used again.
    tibialis = Exercise.objects.get(name="Tibialis raise")
    tibialis.name = "Tib raise"
    tibialis.save()
    second = member_client.post(
        url, set_post(workout, "Calf raise", set_number=2, reps="20"), **HTMX
    )
    assert "All 2 sets of Tib raise as prescribed" in second.text
