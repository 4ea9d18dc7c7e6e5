"""The soak's own logic: what counts as acknowledged, missing, stale or
doubled, read from the logger's real pages."""

import pytest

from bench.phone import set_rows, shows_logged
from bench.tally import SetPost, compare, percentile, tap_of
from members.logbook.plan import build_plan
from members.models import Profile, SetLog
from tests.members.logger_helpers import started_workout

HTMX = {"HX-Request": "true"}


def _post(set_number, amount, acknowledged, *, workout=1):
    return SetPost(workout, 10, set_number, "both", amount, acknowledged)


def test_every_acknowledged_set_stored_once_counts_nothing():
    posts = [_post(1, 25, True), _post(2, 24, True)]
    stored = [(1, 10, 1, "both", 25), (1, 10, 2, "both", 24)]
    result = compare(posts, stored)
    assert (result.acknowledged, result.stored, result.failures) == (2, 2, 0)


def test_an_acknowledged_set_not_stored_is_missing():
    result = compare([_post(1, 25, True), _post(2, 24, True)], [(1, 10, 1, "both", 25)])
    assert (result.missing, result.failures) == (1, 1)


def test_a_set_stored_twice_is_doubled():
    stored = [(1, 10, 1, "both", 25), (1, 10, 1, "both", 25)]
    result = compare([_post(1, 25, True)], stored)
    assert (result.doubled, result.missing) == (1, 0)


def test_the_count_kept_is_the_last_acknowledged_or_a_later_try():
    # Logged 25, corrected to 26 (acknowledged): 25 stored means the edit was lost.
    edited = [_post(1, 25, True), _post(1, 26, True)]
    assert compare(edited, [(1, 10, 1, "both", 25)]).stale == 1
    assert compare(edited, [(1, 10, 1, "both", 26)]).stale == 0
    # A correction whose answer was lost may or may not have landed.
    unanswered = [_post(1, 25, True), _post(1, 26, False)]
    assert compare(unanswered, [(1, 10, 1, "both", 25)]).failures == 0
    assert compare(unanswered, [(1, 10, 1, "both", 26)]).failures == 0


def test_a_set_never_acknowledged_may_be_stored_or_not():
    dropped = [_post(1, 25, False)]
    assert compare(dropped, []).failures == 0
    assert compare(dropped, [(1, 10, 1, "both", 25)]).failures == 0


def test_a_row_for_a_set_never_sent_is_counted():
    result = compare([_post(1, 25, True)], [(1, 10, 1, "both", 25), (1, 10, 9, "both", 5)])
    assert (result.unsent, result.failures) == (1, 1)


def test_percentiles():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.95) == 0.0


@pytest.mark.django_db
def test_the_logger_page_and_its_answers_read_as_the_soak_reads_them(member, trainer, client):
    workout = started_workout(member, trainer)
    client.force_login(member)
    page = client.get(f"/me/sessions/{workout.pk}/").content.decode()
    rows = set_rows(page)
    slots = build_plan(workout, weaker_side=Profile.objects.get(user=member).weaker_side).slots
    assert sorted(row.key for row in rows) == sorted(slot.key for slot in slots)
    assert not any(row.logged for row in rows)
    timed = next(row for row in rows if row.field == "minutes")
    counted = next(row for row in rows if row.field == "reps")

    answer = client.post(
        f"/me/sessions/{workout.pk}/sets/",
        {
            "step": counted.step,
            "set_number": counted.set_number,
            "side": counted.side,
            "reps": counted.prefill - 1,
        },
        headers=HTMX,
    ).content.decode()
    assert shows_logged(answer, counted, counted.prefill - 1)
    # Not for another count, nor for another row.
    assert not shows_logged(answer, counted, counted.prefill)
    assert not shows_logged(answer, timed, timed.prefill)
    assert SetLog.objects.filter(workout=workout).count() == 1


@pytest.mark.parametrize(
    ("method", "path", "tap"),
    [
        ("POST", "/me/sessions/start/", "start a session"),
        ("GET", "/me/sessions/12/", "open the logger"),
        ("POST", "/me/sessions/12/sets/", "log a set"),
        ("POST", "/me/sessions/12/steps/3/pain/", "pain during an exercise"),
        ("POST", "/me/sessions/12/finish/", "finish"),
        ("GET", "/me/sessions/12/sets/", "other"),
        ("POST", "/me/sessions/12/sets/undo/", "other"),
    ],
)
def test_each_request_is_counted_as_the_tap_a_member_made(method, path, tap):
    assert tap_of(method, path) == tap
