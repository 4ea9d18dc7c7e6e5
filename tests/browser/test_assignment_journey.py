"""A trainer invites a new member and puts them on the ground-up routine; the
member accepts the invitation from the email and sees what is due and when."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Assignment
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import assert_accessible, signed_in

NEW_PASSWORD = "tibialis-at-the-wall-12"


def invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", message.body).group(1)


@pytest.mark.django_db(transaction=True)
def test_trainer_invites_and_assigns_then_the_member_accepts(page, site, trainer, mailoutbox):
    seed_ground_up_routine()
    today = timezone.localdate()
    this_monday = today - dt.timedelta(days=today.weekday())

    signed_in(page, site, trainer.email, lands_on="/trainer/")
    assert_accessible(page)
    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("link", name="Invite members").click()
    page.get_by_label(re.compile(r"^Name:?$")).fill("Sam Park")
    page.get_by_label(re.compile(r"^Email address:?$")).fill("sam@example.com")
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation", exact=True).click()

    expect(page.get_by_text("Invitation sent to Sam Park.")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("Sam Park"))).to_be_checked()
    page.get_by_label(re.compile(r"^Start date:?$")).fill(this_monday.isoformat())
    expect(page.get_by_role("checkbox", name="Monday")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Thursday")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Start their block").click()

    expect(page).to_have_url(site + "/trainer/members/")
    expect(page.get_by_text(re.compile(r"Sam Park is on Reversing Foot"))).to_be_visible()
    row = page.locator(".member-row", has_text="Sam Park")
    expect(row).to_contain_text("Monday and Thursday")
    expect(row).to_contain_text("not accepted yet")
    assert Assignment.objects.get().planned_sessions.count() == 8

    # The member opens the emailed link, in the same browser after the trainer leaves.
    page.get_by_role("button", name="Sign out").click()
    (message,) = mailoutbox
    assert message.to == ["sam@example.com"]
    page.goto(site + invitation_link(message))
    expect(page.get_by_role("heading", name="Welcome, Sam Park")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^New password:?$")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^New password confirmation:?$")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()

    expect(page).to_have_url(site + "/me/")
    expect(page.get_by_text("Welcome to Ground Up. Your password is set.")).to_be_visible()
    progress = page.locator("progress#block-progress")
    expect(progress).to_have_attribute("max", "8")
    expect(page.get_by_text("0 of 8 sessions done")).to_be_visible()
    expect(page.get_by_text(re.compile(r"week 1 of 4"))).to_be_visible()
    start = page.get_by_role("button", name=re.compile(r"^Start session \d$"))
    expect(start).to_be_visible()
    box = start.bounding_box()
    assert box["height"] >= 44
    assert_accessible(page)

    page.get_by_role("link", name="Program", exact=True).click()
    expect(page.locator(".session")).to_have_count(8)
    expect(page.get_by_role("heading", name=re.compile(r"^Week 4 of 4"))).to_be_visible()
    expect(page.get_by_text("Makana", exact=True)).to_be_visible()
    assert_accessible(page)

    # The calendar feed, made from the Program page.
    page.get_by_role("button", name="Make my calendar link").click()
    expect(page).to_have_url(site + "/me/program/")
    feed = page.get_by_role("link", name="Subscribe in Calendar").get_attribute("href")
    assert feed.startswith("webcal://") and feed.endswith(".ics")
    ics = page.request.get(site + "/calendar/" + feed.rsplit("/calendar/", 1)[1])
    assert ics.ok
    assert ics.text().count("BEGIN:VEVENT") == 8
    # The Copy button is the site's own script, allowed by the CSP.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied. Paste it into your calendar app.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.get_by_label("Your calendar address").input_value()
    assert copied.endswith(".ics")


@pytest.mark.django_db(transaction=True)
def test_members_cannot_open_the_trainer_pages(page, site, member):
    signed_in(page, site, member.email)
    expect(page.get_by_role("link", name="Members")).to_have_count(0)
    response = page.goto(site + "/trainer/assign/")
    assert response.status == 403
