"""The private calendar feed: planned sessions as all-day events."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from icalendar import Calendar

from members.models import Assignment
from tests.factories import put_on_block

CLUB = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _feed_url(member) -> str:
    member.profile.refresh_from_db()
    token = member.profile.calendar_token or member.profile.create_calendar_token()
    return f"/calendar/{token}.ics"


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


@pytest.mark.django_db
def test_the_feed_is_valid_icalendar_with_all_day_events_across_daylight_saving(
    client, member, trainer
):
    # Daylight saving ends on Sunday, November 1, 2026, inside this block.
    put_on_block(member, trainer=trainer, start_date=dt.date(2026, 10, 26))
    with time_machine.travel(dt.datetime(2026, 10, 31, 23, 30, tzinfo=CLUB), tick=False):
        events = _events(client.get(_feed_url(member)))

    starts = [event.decoded("dtstart") for event in events]
    assert starts == [
        dt.date(2026, 10, 26),
        dt.date(2026, 10, 29),
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 5),
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 12),
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 19),
    ]
    # Dates, not midnight date-times that a time zone could shift to the day before.
    assert all(type(start) is dt.date for start in starts)
    assert all(
        event.decoded("dtend") == event.decoded("dtstart") + dt.timedelta(days=1)
        for event in events
    )
    first = events[0]
    assert str(first["summary"]) == "Reversing Foot, Ankle, and Knee Pain: session 1 of 8"
    assert str(first["url"]) == "http://testserver/me/"
    assert "Week 1 of 4" in str(first["description"])


@pytest.mark.django_db
def test_event_ids_are_stable_between_fetches(client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    url = _feed_url(member)
    first = [str(event["uid"]) for event in _events(client.get(url))]
    second = [str(event["uid"]) for event in _events(client.get(url))]
    assert first == second
    assert len(set(first)) == 8


@pytest.mark.django_db
def test_a_poll_with_the_current_etag_gets_an_empty_304_until_the_plan_changes(
    client, member, trainer
):
    block = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    url = _feed_url(member)
    first = client.get(url)
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "private, max-age=900"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # Ending the block early drops its future sessions: a new feed, a new ETag.
    with time_machine.travel(dt.datetime(2026, 11, 24, 12, 0, tzinfo=CLUB), tick=False):
        block.status = Assignment.Status.ENDED_EARLY
        block.save()
        changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(_events(changed)) == 3


@pytest.mark.django_db
def test_a_revoked_token_is_a_404(client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    url = _feed_url(member)
    member.profile.revoke_calendar_token()
    assert client.get(url).status_code == 404
    assert client.get("/calendar/made-up-token.ics").status_code == 404
    # Not a token's shape: a 404. A NUL (a server error on PostgreSQL before)
    # is refused before any view runs (clubsite/request_guard.py).
    assert client.get("/calendar/made.up.ics").status_code == 404
    assert client.get("/calendar/made%00up.ics").status_code == 400


@pytest.mark.django_db
def test_one_members_feed_never_shows_anothers_sessions(client, member, second_member, trainer):
    mine = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    theirs = put_on_block(second_member, trainer=trainer, start_date=dt.date(2026, 11, 17))
    events = _events(client.get(_feed_url(member)))
    uids = {str(event["uid"]) for event in events}
    assert all(f"planned-session-{s.pk}@" in " ".join(uids) for s in mine.planned_sessions.all())
    assert not any(
        f"planned-session-{s.pk}@" in " ".join(uids) for s in theirs.planned_sessions.all()
    )
    assert len(events) == 8


@pytest.mark.django_db
def test_an_ended_block_keeps_its_past_sessions_only(client, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    Assignment.objects.filter(pk=block.pk).update(status=Assignment.Status.ENDED_EARLY)
    with time_machine.travel(dt.datetime(2026, 11, 24, 12, 0, tzinfo=CLUB), tick=False):
        events = _events(client.get(_feed_url(member)))
    assert [event.decoded("dtstart") for event in events] == [
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 19),
        dt.date(2026, 11, 23),
    ]


@pytest.mark.django_db
def test_settings_make_revoke_and_remake_the_link(member_client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    assert "Make my calendar link" in member_client.get("/me/settings/").text

    member_client.post("/me/settings/calendar/new/")
    member.profile.refresh_from_db()
    first = member.profile.calendar_token
    assert len(first) >= 40
    page = member_client.get("/me/settings/").text
    assert f"http://testserver/calendar/{first}.ics" in page
    assert f"webcal://testserver/calendar/{first}.ics" in page

    member_client.post("/me/settings/calendar/new/")
    member.profile.refresh_from_db()
    second = member.profile.calendar_token
    assert second != first
    assert member_client.get(f"/calendar/{first}.ics").status_code == 404
    assert member_client.get(f"/calendar/{second}.ics").status_code == 200

    member_client.post("/me/settings/calendar/revoke/")
    member.profile.refresh_from_db()
    assert member.profile.calendar_token is None
    assert member_client.get(f"/calendar/{second}.ics").status_code == 404


@pytest.mark.django_db
def test_program_makes_the_link_and_returns_to_program(member_client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 16))
    response = member_client.post("/me/settings/calendar/new/", {"next": "/me/program/"})
    assert response["Location"] == "/me/program/"
    assert "Subscribe in Calendar" in member_client.get("/me/program/").text
    # Anywhere else is not a place to be sent back to.
    elsewhere = member_client.post("/me/settings/calendar/new/", {"next": "https://evil.test/"})
    assert elsewhere["Location"] == "/me/settings/"


@pytest.mark.django_db
def test_the_calendar_actions_take_posts_only(member_client):
    assert member_client.get("/me/settings/calendar/new/").status_code == 405
    assert member_client.get("/me/settings/calendar/revoke/").status_code == 405
