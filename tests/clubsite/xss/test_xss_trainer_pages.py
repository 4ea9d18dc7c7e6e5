"""The trainer's pages: the dashboard and its htmx list, a member's page, the
members list and its search, the inbox and each question, assign and invite:
every payload on them is text."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.clubsite.xss.payloads import (
    EXERCISE,
    INVITED_NAME,
    KNOB,
    LEVEL,
    MEMBER_NAME,
    MESSAGE,
    OVERRIDE_NOTE,
    PAIN_NOTE,
    RESOLUTION,
    SEARCH,
    SUBJECT,
    TITLE,
    TRAINER_NAME,
    TRAINER_NOTE,
    VISITOR,
    WORKOUT_NOTE,
)
from tests.clubsite.xss.world import Page, assert_shown_as_text

pytestmark = pytest.mark.django_db

PAGES = [
    Page(
        "dashboard",
        "trainer",
        lambda w: reverse("trainer:dashboard"),
        (MEMBER_NAME, TITLE, EXERCISE, SUBJECT, KNOB, LEVEL),
    ),
    Page(
        "dashboard, htmx list",
        "trainer",
        lambda w: reverse("trainer:dashboard") + "?show=attention",
        (MEMBER_NAME, TITLE),
        htmx=True,
    ),
    Page(
        "member detail",
        "trainer",
        lambda w: reverse("trainer:member", args=[w.member.pk]),
        (
            MEMBER_NAME,
            TRAINER_NAME,
            TITLE,
            EXERCISE,
            KNOB,
            LEVEL,
            WORKOUT_NOTE,
            PAIN_NOTE,
            RESOLUTION,
            TRAINER_NOTE,
            OVERRIDE_NOTE,
            SUBJECT,
        ),
    ),
    Page(
        "members",
        "trainer",
        lambda w: reverse("trainer:members"),
        (MEMBER_NAME, INVITED_NAME, TITLE),
    ),
    Page(
        "members, searched",
        "trainer",
        lambda w: reverse("trainer:members") + "?q=" + quote(SEARCH.text),
        (SEARCH,),
    ),
    Page(
        "inbox",
        "trainer",
        lambda w: reverse("trainer:questions") + "?show=all",
        (MEMBER_NAME, VISITOR, SUBJECT, MESSAGE, EXERCISE),
    ),
    Page(
        "question from a member",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.waiting.pk]),
        (MEMBER_NAME, SUBJECT, MESSAGE, EXERCISE, TITLE),
    ),
    Page(
        "question answered",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.answered.pk]),
        (MEMBER_NAME, SUBJECT, MESSAGE, TRAINER_NAME),
    ),
    Page(
        "question from a visitor",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.visitors.pk]),
        (VISITOR, SUBJECT, MESSAGE),
    ),
    Page(
        "assign",
        "trainer",
        lambda w: reverse("trainer:assign") + f"?member={w.invited.member_id}",
        (INVITED_NAME, TITLE),
    ),
    Page("invite", "trainer", lambda w: reverse("trainer:invite"), ()),
]


@pytest.mark.parametrize("shown", PAGES, ids=str)
def test_the_page_shows_the_payloads_as_text(world, shown):
    assert_shown_as_text(world, shown)
