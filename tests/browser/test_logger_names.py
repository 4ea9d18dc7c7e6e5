"""What a screen reader hears for the logger's knob buttons: "Easier: band
assistance", as one phrase, not "Easier : band assistance"."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import signed_in
from tests.members.logger_helpers import started_workout, step


@pytest.mark.django_db(transaction=True)
def test_the_knob_buttons_are_named_as_one_phrase(page, site, member, trainer):
    workout = started_workout(member, trainer)
    signed_in(page, site, member.email)
    page.goto(f"{site}/me/sessions/{workout.pk}/")

    nordic = page.locator(f"#step-{step(workout, 'Regressed reverse Nordic')['id']}")
    for name in ["Easier: band assistance", "Harder: band assistance"]:
        expect(nordic.get_by_role("button", name=name, exact=True)).to_be_visible()
    # The words on the button are still the start of its name (voice control).
    expect(nordic.get_by_role("button", name="Easier: band assistance")).to_have_text("Easier")

    # No control on the page has a name with a space before its colon.
    tree = page.locator("main").aria_snapshot()
    assert " :" not in tree, tree
