"""What the forms answer: the message after each post, the logger's htmx
fragments, and refused input shown again in its form; every payload as text."""

import pytest
from django.urls import reverse

from members.models import PainFlag
from tests.clubsite.xss import payloads
from tests.clubsite.xss.world import band

pytestmark = pytest.mark.django_db


def test_the_messages_after_each_post_are_escaped(world):
    """Where a form says what it did ("Sent to <name>…"), the names are text."""
    for response in world.posts:
        assert response.status_code == 200
        payloads.assert_inert(response.content.decode(), response.request["PATH_INFO"])
    assert len(world.posts) == 11


def test_the_loggers_htmx_fragments_show_the_payloads_as_text(world):
    """The fragment a knob tap swaps in carries the knob's guidance."""
    band_step, knob = band(world.routine)
    member_client = world.client("member")
    url = reverse("members:knob", args=[world.today.pk, band_step.pk])
    for direction, guidance in (("harder", payloads.HARDER), ("easier", payloads.EASIER)):
        response = member_client.post(
            url, {"knob": knob.pk, "direction": direction}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        payloads.assert_inert(html, f"knob {direction}")
        payloads.assert_escaped(
            html, (guidance, payloads.KNOB, payloads.EXERCISE, payloads.SETUP), f"knob {direction}"
        )

    log = member_client.post(
        reverse("members:log_set", args=[world.today.pk]),
        {"step": band_step.pk, "set_number": 1, "side": "both", "reps": 20},
        headers={"HX-Request": "true"},
    )
    assert log.status_code == 200
    payloads.assert_inert(log.content.decode(), "log a set")
    payloads.assert_escaped(log.content.decode(), (payloads.EXERCISE,), "log a set")


# Refused input comes back in the form (and in its error) as text.


def test_the_group_invitation_form_shows_refused_input_as_text(world):
    group = world.client("trainer").post(
        reverse("trainer:invite_group"), {"people": f"{payloads.GROUP_LINE.text}, not-an-address"}
    )
    assert group.status_code == 200
    payloads.assert_inert(group.content.decode(), "group invitation")
    payloads.assert_escaped(group.content.decode(), (payloads.GROUP_LINE,), "group invitation")


def test_the_finish_form_shows_refused_input_as_text(world):
    finish = world.client("member").post(
        reverse("members:finish", args=[world.today.pk]),
        {"feeling": "sideways", "note": payloads.WORKOUT_NOTE.text},
    )
    payloads.assert_inert(finish.content.decode(), "finish, refused")
    payloads.assert_escaped(finish.content.decode(), (payloads.WORKOUT_NOTE,), "finish, refused")


def test_the_pain_resolution_form_shows_refused_input_as_text(world):
    flag = PainFlag.objects.filter(member=world.member, status="open").first()
    resolve = world.client("trainer").post(
        reverse("trainer:resolve_pain", args=[flag.pk]),
        {"note": payloads.RESOLUTION.text + "x" * 2000},
    )
    assert resolve.status_code == 422
    payloads.assert_inert(resolve.content.decode(), "resolve, refused")
    payloads.assert_escaped(resolve.content.decode(), (payloads.RESOLUTION,), "resolve, refused")
