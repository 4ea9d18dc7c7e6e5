"""The admin, where trainers author routines and look things up: every list
and change page, and the messages and forms of its actions, show the payloads
as text."""

import pytest
from django.utils.html import escape

from members.models import PainFlag
from tests.clubsite.xss import payloads
from tests.clubsite.xss.world import Page, assert_shown_as_text, band

pytestmark = pytest.mark.django_db

PAGES = [
    Page("admin: routines", "superuser", lambda w: "/admin/routines/routine/", (payloads.TITLE,)),
    Page(
        "admin: routine",
        "superuser",
        lambda w: f"/admin/routines/routine/{w.routine.pk}/change/",
        (
            payloads.TITLE,
            payloads.INTRODUCTION,
            payloads.DISCLAIMER,
            payloads.CLOSING_NOTE,
            payloads.EXERCISE,
            payloads.STEP_NOTES,
        ),
    ),
    Page(
        "admin: exercises",
        "superuser",
        lambda w: "/admin/routines/exercise/",
        (payloads.EXERCISE, payloads.KNOB, payloads.EQUIPMENT),
    ),
    Page(
        "admin: exercise",
        "superuser",
        lambda w: f"/admin/routines/exercise/{band(w.routine)[1].exercise_id}/change/",
        (
            payloads.EXERCISE,
            payloads.PURPOSE,
            payloads.SETUP,
            payloads.CUES,
            payloads.IMAGE_ALT,
            payloads.KNOB,
            payloads.LEVEL,
            payloads.EASIER,
            payloads.HARDER,
            payloads.EQUIPMENT,
            payloads.BODY_AREA,
        ),
    ),
    Page(
        "admin: equipment",
        "superuser",
        lambda w: "/admin/routines/equipment/",
        (payloads.EQUIPMENT,),
    ),
    Page(
        "admin: body areas",
        "superuser",
        lambda w: "/admin/routines/bodyarea/",
        (payloads.BODY_AREA,),
    ),
    Page("admin: users", "superuser", lambda w: "/admin/members/user/", (payloads.MEMBER_NAME,)),
    Page(
        "admin: user",
        "superuser",
        lambda w: f"/admin/members/user/{w.member.pk}/change/",
        (payloads.MEMBER_NAME,),
    ),
    Page(
        "admin: invitations",
        "superuser",
        lambda w: "/admin/members/invitation/",
        (payloads.INVITED_NAME,),
    ),
    Page(
        "admin: blocks",
        "superuser",
        lambda w: "/admin/members/assignment/",
        (payloads.TITLE,),
    ),
    Page(
        "admin: block",
        "superuser",
        lambda w: f"/admin/members/assignment/{w.block.pk}/change/",
        (payloads.BLOCK_NOTES, payloads.TRAINER_NOTE, payloads.TITLE),
    ),
    Page(
        "admin: workout",
        "superuser",
        lambda w: f"/admin/members/workout/{w.first.pk}/change/",
        (payloads.WORKOUT_NOTE,),
    ),
    Page(
        "admin: pain flag",
        "superuser",
        lambda w: f"/admin/members/painflag/{PainFlag.objects.get(workout=w.first).pk}/change/",
        (payloads.PAIN_NOTE,),
    ),
    Page(
        "admin: overrides",
        "superuser",
        lambda w: "/admin/members/stepoverride/",
        (payloads.LEVEL,),
    ),
    Page(
        "admin: questions",
        "superuser",
        lambda w: "/admin/members/question/",
        (payloads.SUBJECT, payloads.VISITOR),
    ),
    Page(
        "admin: question",
        "superuser",
        lambda w: f"/admin/members/question/{w.answered.pk}/change/",
        (payloads.SUBJECT, payloads.MESSAGE, payloads.ANSWER),
    ),
    Page(
        "admin: emails",
        "superuser",
        lambda w: "/admin/members/emaildelivery/",
        (payloads.SUBJECT,),
    ),
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
    payloads.assert_inert(html, "put on a routine")
    payloads.assert_escaped(html, (payloads.TITLE, payloads.INVITED_NAME), "put on a routine")


def test_a_duplicated_routines_title_is_escaped_in_the_message(world):
    response = world.client("superuser").post(
        "/admin/routines/routine/",
        {"action": "duplicate", "_selected_action": [world.routine.pk]},
        follow=True,
    )
    html = response.content.decode()
    payloads.assert_inert(html, "duplicate action")
    assert f"a draft copy of “{escape(payloads.TITLE.text)}”" in html
