"""The trainer's dashboard on a phone and at a desk: "Needs you" is on the
first screen, above the filters, which fold away until a filter is in use;
the filters still work when opened, with no console error and no htmx error."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import PainFlag
from tests.browser.conftest import assert_accessible, signed_in
from tests.factories import UserFactory, put_on_block

# Errors htmx reports as events; any of them fails the test.
WATCH_HTMX_ERRORS = """
window.htmxErrors = [];
for (const name of ["htmx:responseError", "htmx:swapError", "htmx:targetError",
                    "htmx:oobErrorNoTarget", "htmx:sendError", "htmx:onLoadError"]) {
  document.addEventListener(name, (event) => window.htmxErrors.push(name));
}
"""


@pytest.fixture
def busy_club(trainer):
    """Fourteen members with open pain flags, and one who is on track; their
    blocks start next Monday, so nobody has missed a session."""
    today = timezone.localdate()
    start = today + dt.timedelta(days=7 - today.weekday())
    now = timezone.now()
    for index in range(14):
        person = UserFactory(display_name=f"Member {index + 1:02}")
        put_on_block(person, trainer=trainer, start_date=start)
        PainFlag.objects.create(
            member=person, level=2 + index % 3, created_at=now - dt.timedelta(hours=index)
        )
    put_on_block(UserFactory(display_name="On Track"), trainer=trainer, start_date=start)
    return trainer


@pytest.mark.layout
@pytest.mark.django_db(transaction=True)
def test_needs_you_comes_first_and_the_filters_fold_away(page, site, busy_club, viewport):
    problems = []
    page.on("console", lambda m: m.type in {"error", "warning"} and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(WATCH_HTMX_ERRORS)
    signed_in(page, site, busy_club.email, lands_on="/trainer/")

    needs_you = page.get_by_role("heading", name="Needs you (14)")
    filters = page.locator("details.filters")
    heading = needs_you.bounding_box()
    assert heading["y"] + heading["height"] <= viewport["height"]
    # Above the filters, folded or not (a page without the fold has just the form).
    form = page.locator("details.filters, form.filter-form").first
    assert heading["y"] < form.bounding_box()["y"]
    # Nothing filtered: folded, one line.
    expect(filters).not_to_have_attribute("open", re.compile(".*"))
    expect(page.get_by_label("Show")).to_be_hidden()
    assert_accessible(page)

    # Opened, a filter applies in place and keeps the focus where it was.
    filters.locator("summary").click()
    page.get_by_label("Show").focus()
    page.get_by_label("Show").select_option(label="Ending this week")
    expect(page).to_have_url(re.compile(r"\?show=ending"))
    expect(page.get_by_role("heading", name="Ending this week (0)")).to_be_visible()
    expect(page.locator("#attention-title")).to_have_count(0)
    expect(page.get_by_label("Show")).to_be_focused()
    page.get_by_label("Show").select_option(label="Needs attention")
    expect(page.get_by_role("heading", name="Needs attention (14)")).to_be_visible()
    expect(needs_you).to_be_visible()
    assert_accessible(page)

    # A filter in use keeps them open on a fresh load, and the list stays first.
    page.reload()
    expect(filters).to_have_attribute("open", "")
    expect(page.get_by_label("Show")).to_have_value("attention")
    assert needs_you.bounding_box()["y"] < filters.bounding_box()["y"]
    assert_accessible(page)

    assert page.evaluate("window.htmxErrors") == []
    assert problems == []
