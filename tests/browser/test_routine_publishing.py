"""The author unpublishes a routine a member is on: the admin asks first, on a
page that names who is on it; the member keeps the guide."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routines.models import Routine
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in
from tests.factories import put_on_block
from tests.routines.factories import RoutineFactory, StepFactory


@pytest.fixture
def viewport():
    # Publishing happens at a desk, in the admin.
    return DESKTOP


@pytest.mark.django_db(transaction=True)
def test_author_confirms_unpublishing_a_routine_a_member_is_on(page, site, trainer, member):
    routine = RoutineFactory(author=trainer, title="Knee care")
    StepFactory(routine=routine)
    put_on_block(member, trainer=trainer, start_date=timezone.localdate(), routine=routine)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    signed_in(page, site, trainer.email, lands_on="/trainer/")
    page.goto(site + "/admin/routines/routine/")
    page.get_by_role("row", name="Knee care").get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Unpublish: back to draft")
    page.get_by_role("button", name="Run").click()

    expect(page.get_by_role("heading", name="Unpublish a routine members are on?")).to_be_visible()
    expect(page.get_by_text("1 member is on this routine now.")).to_be_visible()
    row = page.get_by_role("row", name="Alex Rivera")
    expect(row).to_contain_text("Makana")
    expect(row).to_contain_text("Active")
    assert_accessible(page)

    page.get_by_role("button", name="Yes, unpublish").click()
    expect(page.locator(".messagelist")).to_contain_text("1 routine is a draft again.")
    routine.refresh_from_db()
    assert routine.status == Routine.Status.DRAFT
    assert not errors, errors
