"""The member's Today and Program pages."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from pytest_django.asserts import assertContains, assertInHTML

from members.models import Assignment, Workout
from tests.factories import put_on_block, stamped
from tests.html import elements, without_tokens

CLUB = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# Tuesday, November 24, 2026, 23:30 at the club (Wednesday in UTC).
LATE_TUESDAY = dt.datetime(2026, 11, 24, 23, 30, tzinfo=CLUB)


@pytest.fixture
def late_tuesday():
    with time_machine.travel(LATE_TUESDAY, tick=False):
        yield


def _do(assignment, *numbers):
    for session in assignment.planned_sessions.filter(number__in=numbers):
        started = dt.datetime.combine(session.date, dt.time(18), tzinfo=CLUB)
        Workout.objects.create(
            member=assignment.member,
            planned_session=session,
            date=session.date,
            started_at=started,
            finished_at=started + dt.timedelta(minutes=40),
            is_complete=True,
        )


def _history(member, trainer, *, earlier_blocks):
    """Finished blocks before the current one, each with every session done."""
    for index in range(earlier_blocks):
        start = dt.date(2026, 11, 16) - dt.timedelta(weeks=4 * (earlier_blocks - index))
        old = put_on_block(member, trainer=trainer, start_date=start)
        _do(old, *range(1, 9))
        Assignment.objects.filter(pk=old.pk).update(status=Assignment.Status.COMPLETED)
    current = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    _do(current, 1, 2)
    return current


@pytest.mark.django_db
def test_today_shows_what_is_next_and_how_far_along(late_tuesday, member_client, member, trainer):
    _history(member, trainer, earlier_blocks=0)
    response = member_client.get("/me/")
    text = response.text
    assert response.status_code == 200
    # Monday's session was missed; it can still be done this week, so it is next.
    assert "Session 3 of 8" in text
    assert "Still to do this week" in text
    assert "Was due Monday" in text
    assertContains(
        response,
        '<progress id="block-progress" class="block-progress" max="8" value="2">2 of 8</progress>',
        html=True,
    )
    assert "2 of 8 sessions done" in text
    assert "week 2 of 4" in text
    assert "Thursday, November 19" in text  # the last workout
    assert elements(text, "a", href="/routines/reversing-foot-ankle-and-knee-pain/")
    assertContains(response, '<a href="/me/" aria-current="page">Today</a>', html=True)


@pytest.mark.django_db
def test_a_session_finished_partly_gives_way_to_the_next(
    late_tuesday, member_client, member, trainer
):
    """Monday's session, missed, is made up on Tuesday and finished with sets
    left: it is closed (its page shows only the summary now), so Today offers
    Thursday's session, not "Continue" on Monday's."""
    _history(member, trainer, earlier_blocks=0)
    block = Assignment.objects.get(member=member)
    monday = block.planned_sessions.get(number=3)
    started = LATE_TUESDAY - dt.timedelta(hours=1)
    Workout.objects.create(
        member=member,
        planned_session=monday,
        date=LATE_TUESDAY.date(),
        started_at=started,
        finished_at=started + dt.timedelta(minutes=20),
        is_complete=False,
    )

    text = member_client.get("/me/").text

    assert "Continue session" not in text
    assert "Session 4 of 8" in text and "Thursday, November 26" in text
    assertInHTML('<button type="submit" class="button button-big">Start session 4</button>', text)
    assert "2 of 8 sessions done" in text  # partly done is not done


@pytest.mark.django_db
def test_today_on_a_session_day_says_it_is_due(member_client, member, trainer):
    current = _history(member, trainer, earlier_blocks=0)
    _do(current, 3)
    with time_machine.travel(dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB), tick=False):
        text = member_client.get("/me/").text
    assert "Due today" in text
    assert "Session 4 of 8" in text
    assert "Thursday, November 26" in text
    assert "You missed" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "now", "says"),
    [
        (
            dt.date(2026, 11, 16),
            dt.datetime(2026, 11, 25, 9, 0, tzinfo=CLUB),
            ["You missed 2 sessions (Mon, Nov 16, Thu, Nov 19).", "That happens."],
        ),
        (
            dt.date(2026, 11, 30),
            dt.datetime(2026, 11, 28, 23, 30, tzinfo=CLUB),
            ["Your block starts soon", "In 2 days", "starts Monday, November 30"],
        ),
    ],
    ids=["sessions-missed-for-good", "before-the-block-starts"],
)
def test_today_says_where_the_block_stands(member_client, member, trainer, start, now, says):
    put_on_block(member, trainer=trainer, start_date=start)
    with time_machine.travel(now, tick=False):
        text = member_client.get("/me/").text
    for words in says:
        assert words in text


@pytest.mark.django_db
def test_a_member_with_no_block_is_told_their_trainer_will_set_them_up(member_client):
    for path in ["/me/", "/me/program/"]:
        text = member_client.get(path).text
        assert "You are not on a routine yet" in text


@pytest.mark.django_db
def test_program_lists_every_session_by_week(late_tuesday, member_client, member, trainer):
    _history(member, trainer, earlier_blocks=0)
    text = member_client.get("/me/program/").text
    assert len(elements(text, class_="session")) == 8
    assert text.count("Week ") >= 4
    assert len(elements(text, class_="session session-done")) == 2
    assert len(elements(text, class_="session session-missed")) == 1
    assert len(elements(text, class_="session session-upcoming")) == 5
    assertInHTML("<dt>Trainer</dt><dd>Makana</dd>", text)
    assert "Monday and Thursday" in text
    assert elements(text, "a", href="/routines/reversing-foot-ankle-and-knee-pain/")
    assert "Make my calendar link" in text


@pytest.mark.django_db
def test_an_earlier_block_can_be_opened(late_tuesday, member_client, member, trainer):
    _history(member, trainer, earlier_blocks=1)
    earlier = Assignment.objects.get(status=Assignment.Status.COMPLETED)
    program = member_client.get("/me/program/").text
    assert elements(program, "a", href=f"/me/program/{earlier.pk}/")
    old = member_client.get(f"/me/program/{earlier.pk}/").text
    assert len(elements(old, class_="session session-done")) == 8


@pytest.mark.django_db
@pytest.mark.parametrize("earlier_blocks", [0, 6])
def test_today_and_program_query_counts_stay_flat(
    late_tuesday, member_client, member, trainer, earlier_blocks, django_assert_num_queries
):
    _history(member, trainer, earlier_blocks=earlier_blocks)
    stamped(member)
    # Session, user, the page stamps, the current block with routine and
    # trainer, its sessions, their workouts, its check-ins, the trainer's
    # notes, the trainer's replies to pain, answers to their questions not yet
    # read, the member's overrides, the routine's steps and their knobs, the
    # member's profile (their name).
    with django_assert_num_queries(14):
        today = member_client.get("/me/").text
    # Session, user, the page stamps, block, sessions, workouts, the profile
    # (for the calendar link), the earlier blocks with their routines.
    with django_assert_num_queries(8):
        response = member_client.get("/me/program/")
    assert len(re.findall(r'href="/me/program/\d+/"', response.text)) == earlier_blocks
    # Opened again with nothing written: the pages as kept.
    with django_assert_num_queries(3):
        assert without_tokens(member_client.get("/me/").text) == without_tokens(today)
    with django_assert_num_queries(3):
        again = member_client.get("/me/program/").text
    assert without_tokens(again) == without_tokens(response.text)
