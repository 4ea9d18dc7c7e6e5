"""Words the app writes about a member's training: exercise names as the
trainer wrote them, one full stop after a time, "each" only for a group, a
knob's trend without repeats, and knobs in the order of the routine."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from routines.models import Exercise
from tests.factories import ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB

MONDAY = dt.date(2026, 11, 16)
LATE_THURSDAY = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


# An exercise's name keeps its capitals -------------------------------------


@pytest.mark.django_db
def test_a_question_about_the_nordic_keeps_its_capital(member_client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=MONDAY)
    nordic = Exercise.objects.get(name="Regressed reverse Nordic")
    page = member_client.get(f"/contact/?exercise={nordic.pk}").text
    assert 'value="About Regressed reverse Nordic"' in page


@pytest.mark.django_db
def test_the_guide_names_exercises_as_written(member_client):
    routine = ground_up_routine()
    Exercise.objects.filter(name="Regressed reverse Nordic").update(
        video_url="https://video.example.com/nordic"
    )
    page = member_client.get(routine.get_absolute_url()).text
    assert "Watch a video: Regressed reverse Nordic</a>" in page
    assert "<summary>How to do it: Deadmill</summary>" in page
    assert "regressed reverse nordic" not in page
