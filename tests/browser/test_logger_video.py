"""A member on a phone watches the club's video of an exercise from its card
in the logger: nothing of it is fetched until they play it, and it plays
muted, looping, with the written steps beside it."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from members.management.demo_video import CLIP
from routines.models import Exercise
from tests.browser.conftest import assert_accessible, signed_in
from tests.members.logger_helpers import started_workout


@pytest.mark.django_db(transaction=True)
def test_a_member_plays_the_exercise_video_from_its_card(
    watched_page, site, member, trainer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    workout = started_workout(member, trainer)
    tibialis = Exercise.objects.get(slug="tibialis-raise")
    tibialis.video = ContentFile(CLIP.read_bytes(), name="clip.webm")
    tibialis.save()
    page = watched_page
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))

    signed_in(page, site, member.email, lands_on=f"/me/sessions/{workout.pk}/")
    page.wait_for_load_state("networkidle")
    assert not [url for url in fetched if "/media/" in url]  # the first load has none of it

    how = page.get_by_text("How to do it: Tibialis raise")
    how.click()
    video = page.get_by_label("Tibialis raise: a video without sound")
    expect(video).to_be_visible()
    assert_accessible(page)
    video.evaluate("v => v.play()")
    page.wait_for_function("v => v.currentTime > 0.2", arg=video.element_handle(), timeout=8_000)
    assert video.evaluate("v => v.muted && v.loop && !v.autoplay")
    assert [url for url in fetched if url.endswith(".webm")]
    # The written steps are beside it.
    expect(page.get_by_text("Use your shin muscles to raise your toes.").first).to_be_visible()
