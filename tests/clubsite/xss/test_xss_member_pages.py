"""The member's pages, the routine guide and the pages a link opens without
signing in: every payload on them is text."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from members.nudges.services import unsubscribe_token
from tests.clubsite.xss.payloads import (
    ANSWER,
    CLOSING_NOTE,
    CUES,
    DISCLAIMER,
    EASIER,
    EQUIPMENT,
    EXECUTION,
    EXERCISE,
    HARDER,
    IMAGE_ALT,
    INTRODUCTION,
    INVITED_NAME,
    KNOB,
    LEVEL,
    MEMBER_NAME,
    MESSAGE,
    OVERRIDE_NOTE,
    PURPOSE,
    SETUP,
    START,
    STEP_NOTES,
    SUBJECT,
    TITLE,
    TRAINER_NAME,
    TRAINER_NOTE,
    VIDEO_LINK,
    WORKOUT_NOTE,
    link_targets,
)
from tests.clubsite.xss.world import Page, assert_shown_as_text

pytestmark = pytest.mark.django_db

GUIDE_FIELDS = (
    TITLE,
    INTRODUCTION,
    DISCLAIMER,
    CLOSING_NOTE,
    EXERCISE,
    PURPOSE,
    SETUP,
    EXECUTION,
    CUES,
    IMAGE_ALT,
    KNOB,
    LEVEL,
    START,
    EASIER,
    HARDER,
    STEP_NOTES,
    EQUIPMENT,
    OVERRIDE_NOTE,
    TRAINER_NAME,
)

PAGES = [
    Page(
        "today",
        "member",
        lambda w: reverse("members:home"),
        (MEMBER_NAME, TRAINER_NAME, TITLE, EXERCISE, OVERRIDE_NOTE, LEVEL, TRAINER_NOTE),
    ),
    Page("program", "member", lambda w: reverse("members:program"), (TITLE, TRAINER_NAME)),
    Page(
        "history",
        "member",
        lambda w: reverse("members:history"),
        (EXERCISE, KNOB, LEVEL, TRAINER_NOTE, TRAINER_NAME),
    ),
    Page(
        "questions",
        "member",
        lambda w: reverse("members:questions"),
        (SUBJECT, MESSAGE, ANSWER, TRAINER_NAME, EXERCISE),
    ),
    Page("settings", "member", lambda w: reverse("members:settings"), (MEMBER_NAME,)),
    Page("routines", "member", lambda w: reverse("routines:list"), (TITLE,)),
    Page("guide", "member", lambda w: w.routine.get_absolute_url(), GUIDE_FIELDS),
    Page(
        "logger, under way",
        "member",
        lambda w: reverse("members:workout", args=[w.today.pk]),
        (TITLE, EXERCISE, SETUP, EXECUTION, CUES, KNOB, LEVEL, START, STEP_NOTES, OVERRIDE_NOTE),
    ),
    Page(
        "logger, finished",
        "member",
        lambda w: reverse("members:workout", args=[w.second.pk]),
        (TITLE, WORKOUT_NOTE, EXERCISE, KNOB, LEVEL),
    ),
    Page(
        "contact about an exercise",
        "member",
        lambda w: reverse("contact") + f"?exercise={w.exercise.pk}",
        (EXERCISE, TRAINER_NAME, MEMBER_NAME),
    ),
    Page(
        "contact about a session",
        "member",
        lambda w: reverse("contact") + f"?workout={w.second.pk}",
        (EXERCISE, TRAINER_NAME),
    ),
    Page(
        "reminders",
        "anonymous",
        lambda w: reverse("reminders", args=[unsubscribe_token(w.member)]),
        # Only the name's first word: tests/members/nudges/test_unsubscribe.py escapes it.
        (),
    ),
    Page(
        "invitation",
        "anonymous",
        lambda w: reverse("invitation", args=[w.invitation_token]),
        (INVITED_NAME, TRAINER_NAME),
    ),
]


@pytest.mark.parametrize("shown", PAGES, ids=str)
def test_the_page_shows_the_payloads_as_text(world, shown):
    assert_shown_as_text(world, shown)


def _guide(world):
    return world.client("member").get(world.routine.get_absolute_url()).content.decode()


def test_the_video_link_stays_inside_its_href(world):
    # Quotes and markup and all, the whole address is the link's target.
    assert VIDEO_LINK in link_targets(_guide(world))


def test_the_closing_note_links_only_web_addresses(world):
    closing = _guide(world).split('id="closing-title"')[1]
    assert escape('<a href="javascript:alert(14)">this</a>') in closing
    assert "javascript:alert(14) and" in closing  # as words, not a link
    links = [href for href in link_targets(closing) if "example.com" in href]
    assert links == ["https://example.com/?q=%22%27%3E%3Csvg%2Fonload%3Dalert%2814%29%3E"]
