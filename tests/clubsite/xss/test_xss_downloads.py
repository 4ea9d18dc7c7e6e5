"""Files the club hands out: the calendar feed, the trainers' CSV export and a
member's own downloads (the JSON of everything, the CSV of the sets); each
payload exactly as typed, in its own cell or property."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from routines.models import Routine
from tests.clubsite.xss import payloads
from tests.clubsite.xss.world import download, export, reauthenticated

pytestmark = pytest.mark.django_db


def test_the_calendar_feed_keeps_the_title_in_its_summary(world):
    Routine.objects.filter(pk=world.routine.pk).update(
        title=f"{payloads.TITLE.text}\r\nATTENDEE:mailto:evil@example.org"
    )
    response = Client().get(reverse("calendar_feed", args=[world.calendar_token]))
    assert response.status_code == 200
    ics = response.content.decode()
    unfolded = ics.replace("\r\n ", "")
    summaries = [line for line in unfolded.splitlines() if line.startswith("SUMMARY:")]
    assert len(summaries) == unfolded.count("BEGIN:VEVENT") == 8
    # The line break is escaped inside the summary (RFC 5545), never a new property.
    assert all(payloads.TITLE.text in line and "\\nATTENDEE" in line for line in summaries)
    assert not any(line.startswith("ATTENDEE") for line in unfolded.splitlines())


def test_the_trainers_export_keeps_each_payload_in_its_own_cell(world):
    header, *rows = export(world.client("trainer"))
    assert rows and all(len(row) == len(header) for row in rows)
    column = {name: index for index, name in enumerate(header)}
    assert {row[column["member"]] for row in rows} == {payloads.MEMBER_NAME.text}
    assert all(row[column["exercise"]].startswith(payloads.EXERCISE.text) for row in rows)
    assert any(
        f"{payloads.KNOB.text}: {payloads.LEVEL.text}" == row[column["knob settings"]]
        for row in rows
    )


def _strings(value):
    """Every string in decoded JSON, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_members_own_downloads_keep_every_payload_as_typed(world):
    """The JSON of everything and the CSV of the sets, from Settings: files
    to download (never a page), each payload exactly as it was typed."""
    client = reauthenticated(world.client("member"))
    page = client.get(reverse("members:your_data"))
    assert page.status_code == 200
    payloads.assert_inert(page.content.decode(), "your data")

    response = client.get(reverse("members:data_json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    texts = set(_strings(json.loads(response.content)))
    fields = (
        payloads.MEMBER_NAME,
        payloads.TRAINER_NAME,
        payloads.TITLE,
        payloads.KNOB,
        payloads.LEVEL,
        payloads.WORKOUT_NOTE,
        payloads.PAIN_NOTE,
        payloads.RESOLUTION,
        payloads.TRAINER_NOTE,
        payloads.OVERRIDE_NOTE,
        payloads.SUBJECT,
        payloads.MESSAGE,
        payloads.ANSWER,
    )
    missing = [field.label for field in fields if field.text not in texts]
    assert not missing, f"not in the JSON as typed: {missing}"
    assert any(text.startswith(payloads.EXERCISE.text) for text in texts)

    header, *rows = download(client, reverse("members:sets_csv"))
    assert rows and all(len(row) == len(header) for row in rows)
    column = {name: index for index, name in enumerate(header)}
    assert {row[column["routine"]] for row in rows} == {payloads.TITLE.text}
    assert all(row[column["exercise"]].startswith(payloads.EXERCISE.text) for row in rows)
    assert any(
        row[column["knobs"]] == f"{payloads.KNOB.text}: {payloads.LEVEL.text}" for row in rows
    )
