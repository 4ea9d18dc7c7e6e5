"""A trainer authors a routine in the admin the way a new trainer would: steps,
a pair, a per-side step, an alternative, a reorder, then duplicate and publish."""

import re

import pytest
from playwright.sync_api import expect

from routines.models import Routine
from routines.personal import guide_steps
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in


@pytest.fixture
def viewport():
    # Authoring happens at a desk; the member journeys also run at phone size.
    return DESKTOP


def fill_step(page, index, *, exercise, sets, reps, per_side=False, extra=0):
    """A new row, filled in; it goes after the others (the page numbers it)."""
    prefix = f"steps-{index}-"
    page.locator(f"#id_{prefix}exercise").select_option(label=exercise)
    page.locator(f"#id_{prefix}sets").fill(str(sets))
    page.locator(f"#id_{prefix}reps").fill(str(reps))
    if per_side:
        page.locator(f"#id_{prefix}per_side").check()
    page.locator(f"#id_{prefix}weaker_side_extra_sets").fill(str(extra))


@pytest.mark.django_db(transaction=True)
def test_trainer_authors_duplicates_and_publishes_a_routine(page, site, trainer, member):
    seed_ground_up_routine()  # the exercises to build from
    signed_in(page, site, trainer.email, lands_on="/trainer/")
    page.get_by_role("link", name="Admin", exact=True).click()
    page.locator("#routines-routine").get_by_role("link", name="Routines").click()
    page.get_by_role("link", name="Add routine").click()
    assert_accessible(page)

    page.get_by_label("Title:").fill("Knee care basics")
    page.keyboard.press("Tab")  # the admin fills the slug in when the title loses focus
    expect(page.get_by_label("Slug:")).to_have_value("knee-care-basics")
    page.get_by_label("Introduction:").fill("Three gentle exercises for the knees.")
    page.get_by_label("Disclaimer:").fill("Start from zero pain. If it hurts, see a doctor.")
    fill_step(page, 0, exercise="Tibialis raise", sets=2, reps=25)
    add_step = page.get_by_text("Add another Step")
    add_step.click()
    fill_step(page, 1, exercise="Calf raise", sets=2, reps=25)
    add_step.click()
    fill_step(page, 2, exercise="Patrick step", sets=2, reps=25, per_side=True, extra=1)
    add_step.click()
    fill_step(page, 3, exercise="Single-leg hamstring curl", sets=3, reps=15, per_side=True)
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Pair the raises, move the Patrick step first, and add the at-home
    # alternative (its list names the steps as they are now headed).
    page.locator("#id_steps-0-paired_with").select_option(label="2 Calf raise")
    for row in (2, 1):  # the Patrick step, up twice
        page.locator(".step-row").nth(row).locator(".step-move[data-move=up]").click()
    page.get_by_text("Add another Step").click()
    page.locator("#id_steps-4-exercise").select_option(
        label="Standing hamstring curl with ankle weight"
    )
    page.locator("#id_steps-4-sets").fill("3")
    page.locator("#id_steps-4-reps").fill("15")
    page.locator("#id_steps-4-per_side").check()
    page.locator("#id_steps-4-alternative_to").select_option(label="3 Single-leg hamstring curl")
    page.locator("#id_steps-4-notes").fill("At home")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert_accessible(page)

    routine = Routine.objects.get(slug="knee-care-basics")
    assert routine.author == trainer
    assert [(step.label, step.exercise.name) for step in guide_steps(routine)] == [
        ("1", "Patrick step"),
        ("2a", "Tibialis raise"),
        ("2b", "Calf raise"),
        ("3", "Single-leg hamstring curl"),
    ]
    curl = guide_steps(routine)[-1]
    assert [option.exercise.name for option in curl.options] == [
        "Standing hamstring curl with ankle weight"
    ]

    # A mistake gets a message at the field, and what was typed stays.
    page.locator("#id_steps-1-duration_seconds").fill("60")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("Give either reps or a duration, not both.")).to_be_visible()
    expect(page.locator("#id_steps-1-duration_seconds")).to_have_value("60")
    page.locator("#id_steps-1-duration_seconds").fill("")

    # Preview as a member sees it, while still a draft.
    with page.context.expect_page() as preview_info:
        page.get_by_role("link", name="View as member").click()
    preview = preview_info.value
    expect(preview.get_by_text("Draft: members cannot see it")).to_be_visible()
    expect(preview.locator("#step-2a")).to_contain_text("alternating set by set with Calf raise")
    preview.close()

    # Duplicate, then publish the copy, from the list.
    page.goto(site + "/admin/routines/routine/")
    page.get_by_role("row", name=re.compile("Knee care basics")).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Duplicate as a new draft")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("a draft copy of “Knee care basics”")

    page.get_by_role("row", name=re.compile(r"Knee care basics \(copy\)")).get_by_role(
        "checkbox"
    ).check()
    page.get_by_label("Action:").select_option(label="Publish: members can see them")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("Published 1 routine.")

    copy = Routine.objects.get(slug="knee-care-basics-copy")
    assert copy.is_published
    assert not Routine.objects.get(slug="knee-care-basics").is_published
    assert [s.label for s in guide_steps(copy)] == ["1", "2a", "2b", "3"]
