"""A member's session reminder, on a phone: the email's
link opens a page whose button turns reminders off without signing in, the
page turns them back on, and Settings shows the same switch."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in


@pytest.mark.django_db(transaction=True)
def test_member_stops_reminders_from_the_email_and_turns_them_on_in_settings(
    page, site, member, todays_reminder
):
    assert todays_reminder.subject.startswith("Today: session 1 of 8")
    link = re.search(r"(/reminders/\S+/off/)", todays_reminder.body).group(1)

    # Signed out, the link asks first; the button turns them off.
    page.goto(site + link)
    expect(page.get_by_role("heading", name="Stop reminder emails?")).to_be_visible()
    page.get_by_role("button", name="Stop reminder emails").click()
    expect(page.get_by_role("heading", name="Session reminders are off")).to_be_visible()
    expect(page.get_by_text("No more reminder emails to Alex (a•••@example.com)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Turn reminders back on").click()
    expect(page.get_by_role("heading", name="Session reminders are on")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Stop reminder emails").click()
    expect(page.get_by_role("heading", name="Session reminders are off")).to_be_visible()

    # Settings shows the same switch, and turns it back on.
    signed_in(page, site, member.email)
    page.goto(site + "/me/settings/")
    switch = page.get_by_label("Email me on session mornings")
    expect(switch).not_to_be_checked()
    assert_accessible(page)
    switch.check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    expect(page.get_by_label("Email me on session mornings")).to_be_checked()
    member.profile.refresh_from_db()
    assert member.profile.session_reminders is True
