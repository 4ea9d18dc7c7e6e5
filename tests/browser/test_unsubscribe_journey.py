"""Stopping reminders from the email in a fresh browser, signed out: the link
asks first (mail scanners open every link), one tap on a full-size button
turns reminders off, and the page says so and points to Settings."""

import re

import pytest
from playwright.sync_api import expect

from members.models import Profile
from tests.browser.conftest import assert_accessible

TAP = 44  # px: the smallest target a thumb hits reliably (WCAG 2.5.5)


@pytest.mark.django_db(transaction=True)
def test_a_signed_out_member_stops_reminders_with_one_tap(page, site, member, todays_reminder):
    link = re.search(r"(/reminders/\S+/off/)", todays_reminder.body).group(1)

    problems = []
    page.on("console", lambda m: m.type in {"error", "warning"} and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    assert page.context.cookies() == []  # a fresh browser, signed out

    page.goto(site + link)
    expect(page.get_by_role("heading", name="Stop reminder emails?")).to_be_visible()
    expect(page.get_by_text("Alex (a•••@example.com) gets an email")).to_be_visible()
    button = page.get_by_role("button", name="Stop reminder emails")
    expect(button).to_have_count(1)
    box = button.bounding_box()
    assert box["height"] >= TAP and box["width"] >= TAP, box
    assert_accessible(page)
    assert Profile.objects.get(user=member).session_reminders is True

    button.click()

    expect(page.get_by_role("heading", name="Session reminders are off")).to_be_visible()
    expect(page.get_by_text("No more reminder emails to Alex (a•••@example.com).")).to_be_visible()
    expect(page.get_by_role("link", name="your settings")).to_have_attribute(
        "href", "/me/settings/"
    )
    assert_accessible(page)
    assert Profile.objects.get(user=member).session_reminders is False
    assert problems == []
