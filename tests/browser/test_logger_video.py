"""The club's exercise videos: a trainer uploads one in the admin, and a
member on a phone watches it in the guide and from its card in the logger,
where nothing of it is fetched until they play it; it plays muted,
looping, with the written steps beside it."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from members.management.demo_video import CLIP
from routines.models import Exercise
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in, watched_page_in
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


@pytest.mark.django_db(transaction=True)
def test_a_trainer_uploads_a_video_that_a_member_watches_in_the_guide(
    watched_page, site, member, trainer, settings, tmp_path, browser
):
    settings.MEDIA_ROOT = tmp_path
    started_workout(member, trainer)  # Alex is on the routine
    renamed = tmp_path / "tibialis.mov"  # the name does not matter; the content does
    renamed.write_bytes(CLIP.read_bytes())
    tibialis = Exercise.objects.get(slug="tibialis-raise")

    context = browser.new_context(viewport=DESKTOP)
    with watched_page_in(context) as desk:
        signed_in(
            desk, site, trainer.email, lands_on=f"/admin/routines/exercise/{tibialis.pk}/change/"
        )
        desk.get_by_text("Picture and video").click()
        desk.locator("#id_video").set_input_files(str(renamed))
        desk.get_by_role("button", name="Save and continue editing").click()
        expect(desk.locator(".messagelist")).to_contain_text("was changed successfully")
    tibialis.refresh_from_db()
    assert tibialis.video.name.endswith(".webm")

    page = watched_page
    signed_in(page, site, member.email, lands_on="/routines/reversing-foot-ankle-and-knee-pain/")
    page.get_by_text("Watch Tibialis raise: a video without sound").click()
    video = page.locator("video").first
    video.evaluate("v => v.play()")
    page.wait_for_function("v => v.currentTime > 0.2", arg=video.element_handle(), timeout=8_000)
    assert_accessible(page)
