"""The admin, where trainers author routines and look things up: every list
and change page, and the messages and forms of its actions, show the payloads
as text."""

import pytest
from django.utils.html import escape

from members.models import PainFlag
from tests.clubsite.xss.payloads import (
    ANSWER,
    BLOCK_NOTES,
    BODY_AREA,
    CLOSING_NOTE,
    CUES,
    DISCLAIMER,
    EASIER,
    EQUIPMENT,
    EXERCISE,
    HARDER,
    IMAGE_ALT,
    INTRODUCTION,
    INVITED_NAME,
    KNOB,
    LEVEL,
    MEMBER_NAME,
    MESSAGE,
    PAIN_NOTE,
    PURPOSE,
    SETUP,
    STEP_NOTES,
    SUBJECT,
    TITLE,
    TRAINER_NOTE,
    VISITOR,
    WORKOUT_NOTE,
    assert_escaped,
    assert_inert,
)
from tests.clubsite.xss.world import Page, assert_shown_as_text, band

pytestmark = pytest.mark.django_db

PAGES = [
    Page("admin: routines", "superuser", lambda w: "/admin/routines/routine/", (TITLE,)),
    Page(
        "admin: routine",
        "superuser",
        lambda w: f"/admin/routines/routine/{w.routine.pk}/change/",
        (TITLE, INTRODUCTION, DISCLAIMER, CLOSING_NOTE, EXERCISE, STEP_NOTES),
    ),
    Page(
        "admin: exercises",
        "superuser",
        lambda w: "/admin/routines/exercise/",
        (EXERCISE, KNOB, EQUIPMENT),
    ),
    Page(
        "admin: exercise",
        "superuser",
        lambda w: f"/admin/routines/exercise/{band(w.routine)[1].exercise_id}/change/",
        (
            EXERCISE,
            PURPOSE,
            SETUP,
            CUES,
            IMAGE_ALT,
            KNOB,
            LEVEL,
            EASIER,
            HARDER,
            EQUIPMENT,
            BODY_AREA,
        ),
    ),
    Page("admin: equipment", "superuser", lambda w: "/admin/routines/equipment/", (EQUIPMENT,)),
    Page("admin: body areas", "superuser", lambda w: "/admin/routines/bodyarea/", (BODY_AREA,)),
    Page("admin: users", "superuser", lambda w: "/admin/members/user/", (MEMBER_NAME,)),
    Page(
        "admin: user",
        "superuser",
        lambda w: f"/admin/members/user/{w.member.pk}/change/",
        (MEMBER_NAME,),
    ),
    Page(
        "admin: invitations",
        "superuser",
        lambda w: "/admin/members/invitation/",
        (INVITED_NAME,),
    ),
    Page(
        "admin: blocks",
        "superuser",
        lambda w: "/admin/members/assignment/",
        (TITLE,),
    ),
    Page(
        "admin: block",
        "superuser",
        lambda w: f"/admin/members/assignment/{w.block.pk}/change/",
        (BLOCK_NOTES, TRAINER_NOTE, TITLE),
    ),
    Page(
        "admin: workout",
        "superuser",
        lambda w: f"/admin/members/workout/{w.first.pk}/change/",
        (WORKOUT_NOTE,),
    ),
    Page(
        "admin: pain flag",
        "superuser",
        lambda w: f"/admin/members/painflag/{PainFlag.objects.get(workout=w.first).pk}/change/",
        (PAIN_NOTE,),
    ),
    Page(
        "admin: overrides",
        "superuser",
        lambda w: "/admin/members/stepoverride/",
        (LEVEL,),
    ),
    Page(
        "admin: questions", "superuser", lambda w: "/admin/members/question/", (SUBJECT, VISITOR)
    ),
    Page(
        "admin: question",
        "superuser",
        lambda w: f"/admin/members/question/{w.answered.pk}/change/",
        (SUBJECT, MESSAGE, ANSWER),
    ),
    Page("admin: emails", "superuser", lambda w: "/admin/members/emaildelivery/", (SUBJECT,)),
]


@pytest.mark.parametrize("shown", PAGES, ids=str)
def test_the_page_shows_the_payloads_as_text(world, shown):
    assert_shown_as_text(world, shown)


def test_the_put_on_a_routine_form_escapes_routine_titles(world):
    """The block form's help text names every routine: as text."""
    response = world.client("superuser").post(
        "/admin/members/user/",
        {"action": "put_on_a_routine", "_selected_action": [world.invited.member_id]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, "put on a routine")
    assert_escaped(html, (TITLE, INVITED_NAME), "put on a routine")


def test_a_duplicated_routines_title_is_escaped_in_the_message(world):
    response = world.client("superuser").post(
        "/admin/routines/routine/",
        {"action": "duplicate", "_selected_action": [world.routine.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert_inert(html, "duplicate action")
    assert f"a draft copy of “{escape(TITLE.text)}”" in html
