"""The member's pages, the routine guide and the pages a link opens without
signing in: every payload on them is text."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from members.nudges.services import unsubscribe_token
from tests.clubsite.xss import payloads
from tests.clubsite.xss.world import Page, assert_shown_as_text

pytestmark = pytest.mark.django_db

GUIDE_FIELDS = (
    payloads.TITLE,
    payloads.INTRODUCTION,
    payloads.DISCLAIMER,
    payloads.CLOSING_NOTE,
    payloads.EXERCISE,
    payloads.PURPOSE,
    payloads.SETUP,
    payloads.EXECUTION,
    payloads.CUES,
    payloads.IMAGE_ALT,
    payloads.KNOB,
    payloads.LEVEL,
    payloads.START,
    payloads.EASIER,
    payloads.HARDER,
    payloads.STEP_NOTES,
    payloads.EQUIPMENT,
    payloads.OVERRIDE_NOTE,
    payloads.TRAINER_NAME,
)

PAGES = [
    Page(
        "today",
        "member",
        lambda w: reverse("members:home"),
        (
            payloads.MEMBER_NAME,
            payloads.TRAINER_NAME,
            payloads.TITLE,
            payloads.EXERCISE,
            payloads.OVERRIDE_NOTE,
            payloads.LEVEL,
            payloads.TRAINER_NOTE,
            payloads.TRAINER_BIO,
        ),
    ),
    Page(
        "program",
        "member",
        lambda w: reverse("members:program"),
        (payloads.TITLE, payloads.TRAINER_NAME),
    ),
    Page(
        "block report",
        "member",
        lambda w: reverse("members:block_report", args=[w.block.pk]),
        (
            payloads.TITLE,
            payloads.MEMBER_NAME,
            payloads.TRAINER_NAME,
            payloads.EXERCISE,
            payloads.KNOB,
            payloads.PAIN_NOTE,
        ),
    ),
    Page(
        "history",
        "member",
        lambda w: reverse("members:history"),
        (
            payloads.EXERCISE,
            payloads.KNOB,
            payloads.LEVEL,
            payloads.TRAINER_NOTE,
            payloads.TRAINER_NAME,
        ),
    ),
    Page(
        "questions",
        "member",
        lambda w: reverse("members:questions"),
        (
            payloads.SUBJECT,
            payloads.MESSAGE,
            payloads.ANSWER,
            payloads.MEMBER_REPLY,
            payloads.TRAINER_REPLY,
            payloads.TRAINER_NAME,
            payloads.EXERCISE,
        ),
    ),
    Page("settings", "member", lambda w: reverse("members:settings"), (payloads.MEMBER_NAME,)),
    Page("routines", "member", lambda w: reverse("routines:list"), (payloads.TITLE,)),
    Page("guide", "member", lambda w: w.routine.get_absolute_url(), GUIDE_FIELDS),
    Page(
        "logger, under way",
        "member",
        lambda w: reverse("members:workout", args=[w.today.pk]),
        (
            payloads.TITLE,
            payloads.EXERCISE,
            payloads.SETUP,
            payloads.EXECUTION,
            payloads.CUES,
            payloads.KNOB,
            payloads.LEVEL,
            payloads.START,
            payloads.STEP_NOTES,
            payloads.OVERRIDE_NOTE,
        ),
    ),
    Page(
        "logger, finished",
        "member",
        lambda w: reverse("members:workout", args=[w.second.pk]),
        (payloads.TITLE, payloads.WORKOUT_NOTE, payloads.EXERCISE, payloads.KNOB, payloads.LEVEL),
    ),
    Page(
        "contact about an exercise",
        "member",
        lambda w: reverse("contact") + f"?exercise={w.exercise.pk}",
        (payloads.EXERCISE, payloads.TRAINER_NAME, payloads.MEMBER_NAME),
    ),
    Page(
        "contact about a session",
        "member",
        lambda w: reverse("contact") + f"?workout={w.second.pk}",
        (payloads.EXERCISE, payloads.TRAINER_NAME),
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
        (payloads.INVITED_NAME, payloads.TRAINER_NAME),
    ),
]


@pytest.mark.parametrize("shown", PAGES, ids=str)
def test_the_page_shows_the_payloads_as_text(world, shown):
    assert_shown_as_text(world, shown)


def _guide(world):
    return world.client("member").get(world.routine.get_absolute_url()).content.decode()


def test_the_video_link_stays_inside_its_href(world):
    # Quotes and markup and all, the whole address is the link's target.
    assert payloads.VIDEO_LINK in payloads.link_targets(_guide(world))


def test_the_closing_note_links_only_web_addresses(world):
    closing = _guide(world).split('id="closing-title"')[1]
    assert escape('<a href="javascript:alert(14)">this</a>') in closing
    assert "javascript:alert(14) and" in closing  # as words, not a link
    links = [href for href in payloads.link_targets(closing) if "example.com" in href]
    assert links == ["https://example.com/?q=%22%27%3E%3Csvg%2Fonload%3Dalert%2814%29%3E"]
