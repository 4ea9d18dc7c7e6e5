"""A member takes their data and leaves, in Chromium on a phone:
Settings, the password asked again, both downloads, then the account deleted."""

import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect

from members.models import User
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, put_on_block
from tests.members.logger_helpers import finished_workout


@pytest.mark.django_db(transaction=True)
def test_download_everything_then_delete_the_account(page, site, member, trainer):
    from django.utils import timezone

    block = put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    finished_workout(member, block.planned_sessions.get(number=1), wall=12)
    sign_in(page, site, member.email)

    page.get_by_role("link", name="Settings").first.click()
    data = page.get_by_role("region", name="Your data")
    data.get_by_role("link", name="Download your data").click()

    # The password again, even just after signing in, with a way back.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert_accessible(page)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Incorrect password.")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_accessible(page)
    with page.expect_download() as everything:
        page.get_by_role("link", name="Download all your data").click()
    exported = json.loads(open(everything.value.path()).read())  # noqa: SIM115
    assert exported["account"]["email"] == "alex@example.com"
    assert len(exported["workouts"]) == 1
    with page.expect_download() as sets:
        page.get_by_role("link", name="Download your sets").click()
    rows = list(csv.reader(io.StringIO(open(sets.value.path()).read())))  # noqa: SIM115
    assert rows[0][0] == "date" and len(rows) > 10
    assert re.fullmatch(r"ground-up-sets-\d{4}-\d\d-\d\d\.csv", sets.value.suggested_filename)

    page.get_by_role("link", name="Back to Settings").click()
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    assert_accessible(page)
    # Not ticked: the message at the box, nothing deleted.
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert_accessible(page)
    assert User.objects.get(pk=member.pk).is_active
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()

    expect(page).to_have_url(site + "/")
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    assert not User.objects.get(pk=member.pk).is_active
    # The old sign-in opens nothing.
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill("alex@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text(re.compile("not correct"))).to_be_visible()
