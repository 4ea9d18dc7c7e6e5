"""The ground-up routine edited at a desk: steps dragged and moved into order,
durations as minutes and seconds, an alternative's duration changed, the
member's guide beside the form; and the order typed with JavaScript off."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from routines.models import Routine
from routines.personal import guide_steps
from routines.seed import ROUTINE_SLUG, seed_ground_up_routine
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in
from tests.routines.test_admin import SEEDED_HEADINGS

SHOTS = os.environ.get("EDITOR_SHOTS")

# The seeded routine's page at 1280x900 with its six exercises (eight rows
# with the two alternatives): about two screens and a half at most.
MOST_PIXELS = 2250


@pytest.fixture
def viewport():
    return DESKTOP


def headings(page) -> list[str]:
    return [text.strip() for text in page.locator(".step-row .inline_label").all_inner_texts()][
        :-1  # the empty row new steps are made from
    ]


def row(page, label):
    """The step whose heading is ``label`` (“2a Tibialis raise”)."""
    return page.locator(".step-row").filter(
        has=page.locator(".inline_label").get_by_text(label, exact=True)
    )


def drag(page, grip, *, above):
    """Drag ``grip`` by the mouse to the top half of the row ``above``, with both
    on the screen as a trainer would have them."""
    above.evaluate("row => row.scrollIntoView()")
    start, end = grip.bounding_box(), above.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 10, steps=8)
    page.mouse.up()


@pytest.mark.django_db(transaction=True)
def test_a_trainer_reorders_and_retimes_the_routine(watched_page, site, trainer):
    page = watched_page
    routine = seed_ground_up_routine()
    signed_in(page, site, trainer.email, lands_on=f"/admin/routines/routine/{routine.pk}/change/")
    assert headings(page) == SEEDED_HEADINGS
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MOST_PIXELS, f"the routine page is {height} px tall"
    expect(page.locator("#id_steps-0-duration_seconds")).to_have_value("10:00")
    preview = page.frame_locator("iframe[title^='The member']")
    expect(preview.get_by_role("heading", level=1)).to_have_text(routine.title)
    # The guide alone, as a member reads it: no site nav, no link to the admin.
    expect(preview.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(preview.get_by_role("link", name="Edit in the admin")).to_have_count(0)
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "editor.png"), full_page=True)

    # Patrick step dragged to the top; the Nordic moved down one with its arrow.
    patrick, first = row(page, "3 Patrick step"), row(page, "1 Backwards walking")
    drag(page, patrick.get_by_role("button", name="Drag to move 3 Patrick step"), above=first)
    # Each row is headed anew, as members will read it once saved.
    expect(page.locator(".step-row .inline_label")).to_have_text(
        [
            "1 Patrick step",
            "2 Backwards walking",
            "2 alt. Deadmill",
            "3a Tibialis raise",
            "3b Calf raise",
            "4 Regressed reverse Nordic",
            "5 Single-leg hamstring curl",
            "5 alt. Standing hamstring curl with ankle weight",
            "New step",
        ]
    )
    expect(row(page, "3b Calf raise").locator(".step-pairing")).to_have_text(
        "alternates set by set with 3a Tibialis raise"
    )
    # The alternative's list names its step as it is now headed.
    expect(
        row(page, "2 alt. Deadmill").get_by_label("Instead of:").locator("option:checked")
    ).to_have_text("2 Backwards walking")
    # The order numbers follow the rows, out of sight: rows are moved here.
    patrick = row(page, "1 Patrick step")
    expect(patrick.get_by_label("Order:")).to_have_value("1")
    expect(patrick.get_by_label("Order:")).to_be_hidden()
    page.get_by_role("button", name="Move 4 Regressed reverse Nordic down").click()
    expect(page.get_by_role("status")).to_have_text(
        "5 Regressed reverse Nordic is now row 7 of 8."
    )
    expect(page.get_by_role("button", name="Move 5 Regressed reverse Nordic down")).to_be_focused()

    # Durations in minutes and seconds; a slip is said at its field and kept.
    walking = row(page, "2 Backwards walking")
    deadmill = row(page, "2 alt. Deadmill")
    walking.get_by_label("Duration:").fill("12:00")
    deadmill.get_by_label("Duration:").fill("0:90")
    page.get_by_role("button", name="Save and continue editing").first.click()
    deadmill = row(page, "2 alt. Deadmill")
    expect(
        deadmill.get_by_text("Seconds go up to 59: write 1:30 rather than 0:90.")
    ).to_be_visible()
    expect(deadmill.get_by_label("Duration:")).to_have_value("0:90")
    # The rows stay in the order just given, not the order saved, and the
    # page opens at the step with the mistake.
    expect(page.locator(".step-row .inline_label").first).to_have_text("1 Patrick step")
    expect(deadmill.get_by_label("Duration:")).to_be_in_viewport()
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "refused.png"), full_page=True)
    deadmill.get_by_label("Duration:").fill("6:00")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    assert headings(page)[:3] == ["1 Patrick step", "2 Backwards walking", "2 alt. Deadmill"]
    routine = Routine.objects.get(slug=ROUTINE_SLUG)
    steps = guide_steps(routine)
    assert [(step.label, step.exercise.slug, step.duration_seconds) for step in steps[:2]] == [
        ("1", "patrick-step", None),
        ("2", "backwards-walking", 720),
    ]
    assert steps[1].options[0].duration_seconds == 360
    assert [step.exercise.slug for step in steps[-2:]] == [
        "single-leg-hamstring-curl",
        "regressed-reverse-nordic",
    ]
    expect(preview.locator("#step-1")).to_contain_text("Patrick step")

    # A step added now comes last.
    page.get_by_text("Add another Step").click()
    expect(page.locator(".step-row .inline_label").nth(8)).to_have_text("New step")
    new_step = page.locator(".step-row").nth(8)
    expect(new_step.get_by_label("Order:")).to_have_value("7")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_order_is_typed(browser, site, trainer):
    routine = seed_ground_up_routine()
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(8_000)
    try:
        signed_in(
            page, site, trainer.email, lands_on=f"/admin/routines/routine/{routine.pk}/change/"
        )
        # No handles or arrows that would do nothing.
        expect(page.get_by_role("button", name=re.compile("^Drag to move"))).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^Move "))).to_have_count(0)
        row(page, "5 Single-leg hamstring curl").get_by_label("Order:").fill("0")
        page.get_by_role("button", name="Save and continue editing").first.click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    finally:
        context.close()
    steps = guide_steps(Routine.objects.get(slug=ROUTINE_SLUG))
    assert [(step.label, step.exercise.slug) for step in steps[:2]] == [
        ("1", "single-leg-hamstring-curl"),
        ("2", "backwards-walking"),
    ]
    assert [option.exercise.slug for option in steps[0].options] == ["standing-hamstring-curl"]
