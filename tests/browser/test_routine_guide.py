"""A member reads the routine guide on a phone, and prints it on at most two pages."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routines.seed import ROUTINE_SLUG
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in
from tests.factories import TrainerFactory, put_on_block

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
