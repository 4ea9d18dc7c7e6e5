"""A member reads the routine guide on a phone, and prints it on at most two pages."""

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from routines.models import Exercise
from routines.seed import ROUTINE_SLUG
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in
from tests.factories import TrainerFactory, put_on_block
from tests.routines.test_videos import MP4

CARDS = [
    ("1", "Backwards walking", "10 minutes"),
    ("2a", "Tibialis raise", "alternating set by set with Calf raise"),
    ("2b", "Calf raise", "alternating set by set with Tibialis raise"),
    ("3", "Patrick step", "plus 1 extra set on your weaker or stiffer side"),
    ("4", "Regressed reverse Nordic", "2 sets of 25"),
    ("5", "Single-leg hamstring curl", "3 sets of 15 per side"),
]


def open_guide(page, site, member):
    """The way a member on the routine gets there: Program, then the guide link."""
    put_on_block(member, trainer=TrainerFactory(), start_date=timezone.localdate())
    signed_in(page, site, member.email)
    page.get_by_role("link", name="Program", exact=True).click()
    page.get_by_role("link", name="How to do each exercise").click()
    expect(page).to_have_url(f"{site}/routines/{ROUTINE_SLUG}/")


@pytest.mark.django_db(transaction=True)
def test_member_reads_every_step_card(page, site, member):
    open_guide(page, site, member)
    expect(page.get_by_role("heading", name="Start from zero pain")).to_be_visible()
    assert_accessible(page)
    cards = page.locator("article.step-card")
    expect(cards).to_have_count(len(CARDS))
    for label, name, prescription in CARDS:
        card = page.locator(f"#step-{label}")
        card.scroll_into_view_if_needed()
        expect(card.get_by_role("heading", level=2)).to_have_text(name)
        expect(card.locator(".step-label")).to_have_text(f"Step {label}")
        expect(card.locator(".prescription").first).to_contain_text(prescription)
        expect(card.get_by_role("heading", name="How to do it")).to_be_visible()
        # Nothing on the card is wider than the screen.
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]

    # The alternative's instructions open on demand.
    walking = page.locator("#step-1")
    expect(walking.get_by_role("heading", name="Or instead: Deadmill")).to_be_visible()
    walking.get_by_text("How to do it: Deadmill").click()
    expect(walking.get_by_text("powered off, with your back resting")).to_be_visible()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP], ids=["print"])  # paper, not a screen
def test_the_printed_guide_fits_on_two_pages(page, site, member):
    open_guide(page, site, member)
    pdf = page.pdf(format="Letter", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2, f"the guide prints on {pages} pages"


@pytest.mark.django_db(transaction=True)
def test_a_video_is_watched_on_the_screen_and_scanned_from_paper(
    watched_page, site, member, settings, tmp_path
):
    """On a phone the video plays when asked, muted; printed, each video's
    QR code is there for a phone to scan, and the guide still fits two pages."""
    settings.MEDIA_ROOT = tmp_path
    page = watched_page
    open_guide(page, site, member)
    exercise = Exercise.objects.get(slug="tibialis-raise")
    exercise.video = ContentFile(MP4, name="clip.mp4")
    exercise.save()
    page.reload()
    heading = page.get_by_role("heading", name="Tibialis raise")
    card = page.locator("article.step-card", has=heading)
    qr = card.get_by_role("img", name="QR code: scan it to watch Tibialis raise on a phone")
    expect(qr).to_be_hidden()  # paper's, not the screen's
    card.get_by_text("Watch Tibialis raise: a video without sound").click()
    video = card.locator("video")
    expect(video).to_be_visible()
    assert video.evaluate("v => v.muted && v.loop && v.paused && !v.autoplay")
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    pdf = page.pdf(format="Letter", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) <= 2
