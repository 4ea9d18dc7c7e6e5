"""A member's first check-in, on a phone: Today offers it, the form says at
each scale what is missing and keeps what was typed, and once saved Today
says so and offers it no more. The session's Start stays where it was."""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Activity, CheckIn
from tests.browser.conftest import assert_accessible, signed_in
from tests.factories import put_on_block

SHOTS = os.environ.get("CHECK_IN_SHOTS")


def shoot(page, name):
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def rate(page, area, scale, level):
    group = page.get_by_role("group", name=area).get_by_role("group", name=scale)
    group.get_by_role("radio", name=str(level), exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_a_member_checks_in_before_the_first_session(watched_page, site, member, trainer):
    page = watched_page
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    signed_in(page, site, member.email)
    card = page.get_by_role("region", name="Check-in before you start")
    expect(card).to_contain_text("how your feet, ankles and knees feel in daily life")
    expect(page.get_by_role("button", name=re.compile(r"^Start session 1"))).to_be_visible()
    shoot(page, "today")
    card.get_by_role("link", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in before you start")
    assert_accessible(page)

    # Feet answered, one activity named but not rated: said at each field.
    rate(page, "Your feet", "At their worst", 6)
    rate(page, "Your feet", "Usually", 3)
    page.get_by_label("Activity 1").fill("Going down the stairs at work")
    with page.watch.expecting("status of 422"):
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_role("alert")).to_contain_text("Please fix these 5 things")
    ankles = "Choose how bad your ankles were at their worst, 0 to 10."
    expect(page.get_by_text(ankles)).to_have_count(2)  # at the top and at its scale
    expect(page.get_by_text("Rate Going down the stairs at work, from 0 to 10.")).to_have_count(2)
    expect(page.get_by_label("Activity 1")).to_have_value("Going down the stairs at work")
    feet_worst = page.get_by_role("group", name="Your feet").get_by_role(
        "group", name="At their worst"
    )
    expect(feet_worst.get_by_role("radio", name="6")).to_be_checked()
    shoot(page, "refused")
    assert_accessible(page)

    for area in ("Your ankles", "Your knees"):
        rate(page, area, "At their worst", 5)
        rate(page, area, "Usually", 2)
    first = page.locator(".new-activity").first
    first.get_by_role("radio", name="4", exact=True).check()
    page.get_by_role("button", name="Save check-in").click()

    expect(page).to_have_url(site + "/me/")
    expect(page.get_by_text("Your check-in is saved. Thank you.")).to_be_visible()
    expect(page.get_by_role("region", name="Check-in before you start")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Start session 1"))).to_be_visible()
    (check_in,) = CheckIn.objects.all()
    assert sorted(check_in.areas.values_list("area", "worst", "usual")) == [
        ("ankles", 5, 2),
        ("feet", 6, 3),
        ("knees", 5, 2),
    ]
    assert list(Activity.objects.values_list("name", "scores__score")) == [
        ("Going down the stairs at work", 4)
    ]
