"""The trainer's pages: the dashboard and its htmx list, a member's page, a
routine's report, the members list and its search, the inbox and each
question, assign and invite: every payload on them is text."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.clubsite.xss import payloads
from tests.clubsite.xss.world import Page, assert_shown_as_text

pytestmark = pytest.mark.django_db

PAGES = [
    Page(
        "dashboard",
        "trainer",
        lambda w: reverse("trainer:dashboard"),
        (
            payloads.MEMBER_NAME,
            payloads.TITLE,
            payloads.EXERCISE,
            payloads.SUBJECT,
            payloads.KNOB,
            payloads.LEVEL,
        ),
    ),
    Page(
        "dashboard, htmx list",
        "trainer",
        lambda w: reverse("trainer:dashboard") + "?show=attention",
        (payloads.MEMBER_NAME, payloads.TITLE),
        htmx=True,
    ),
    Page(
        "member detail",
        "trainer",
        lambda w: reverse("trainer:member", args=[w.member.pk]),
        (
            payloads.MEMBER_NAME,
            payloads.TRAINER_NAME,
            payloads.TITLE,
            payloads.EXERCISE,
            payloads.KNOB,
            payloads.LEVEL,
            payloads.WORKOUT_NOTE,
            payloads.PAIN_NOTE,
            payloads.RESOLUTION,
            payloads.TRAINER_NOTE,
            payloads.OVERRIDE_NOTE,
            payloads.SUBJECT,
        ),
    ),
    Page(
        "routine report",
        "trainer",
        lambda w: reverse("trainer:routine_report", args=[w.routine.slug]),
        (payloads.TITLE, payloads.EXERCISE, payloads.KNOB),
    ),
    Page("reports", "trainer", lambda w: reverse("trainer:reports"), (payloads.TITLE,)),
    Page(
        "members",
        "trainer",
        lambda w: reverse("trainer:members"),
        (payloads.MEMBER_NAME, payloads.INVITED_NAME, payloads.TITLE),
    ),
    Page(
        "members, searched",
        "trainer",
        lambda w: reverse("trainer:members") + "?q=" + quote(payloads.SEARCH.text),
        (payloads.SEARCH,),
    ),
    Page(
        "inbox",
        "trainer",
        lambda w: reverse("trainer:questions") + "?show=all",
        (
            payloads.MEMBER_NAME,
            payloads.VISITOR,
            payloads.SUBJECT,
            payloads.MESSAGE,
            payloads.EXERCISE,
        ),
    ),
    Page(
        "question from a member",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.waiting.pk]),
        (
            payloads.MEMBER_NAME,
            payloads.SUBJECT,
            payloads.MESSAGE,
            payloads.EXERCISE,
            payloads.TITLE,
        ),
    ),
    Page("settings", "trainer", lambda w: reverse("members:settings"), (payloads.TRAINER_BIO,)),
    Page(
        "question answered, and replied to",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.answered.pk]),
        (
            payloads.MEMBER_NAME,
            payloads.SUBJECT,
            payloads.MESSAGE,
            payloads.TRAINER_NAME,
            payloads.ANSWER,
            payloads.MEMBER_REPLY,
            payloads.TRAINER_REPLY,
        ),
    ),
    Page(
        "question from a visitor",
        "trainer",
        lambda w: reverse("trainer:question", args=[w.visitors.pk]),
        (payloads.VISITOR, payloads.SUBJECT, payloads.MESSAGE),
    ),
    Page(
        "assign",
        "trainer",
        lambda w: reverse("trainer:assign") + f"?member={w.invited.member_id}",
        (payloads.INVITED_NAME, payloads.TITLE),
    ),
    Page("invite", "trainer", lambda w: reverse("trainer:invite"), ()),
]


@pytest.mark.parametrize("shown", PAGES, ids=str)
def test_the_page_shows_the_payloads_as_text(world, shown):
    assert_shown_as_text(world, shown)
