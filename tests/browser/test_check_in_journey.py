"""A member's first check-in, on a phone: Today offers it, the form says at
each scale what is missing and keeps what was typed, and once saved Today
says so and offers it no more. The session's Start stays where it was. And
a whole block's report, for a doctor or physio, prints on one page."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Activity, CheckIn, PainFlag
from members.outcomes.services import record_check_in
from tests.browser.conftest import DESKTOP, assert_accessible, signed_in
from tests.factories import put_on_block
from tests.members.logger_helpers import MONDAY, finished_workout, session_of

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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP], ids=["print"])  # paper, not a screen
def test_a_whole_blocks_report_prints_on_one_page(watched_page, site, member, trainer):
    """Four weeks, every session done, pain once, three check-ins with three
    areas and two activities: what a doctor is handed fits one sheet."""
    page = watched_page
    start = MONDAY - dt.timedelta(weeks=4)
    block = put_on_block(member, trainer=trainer, start_date=start)
    for number in range(1, 9):
        workout = finished_workout(member, session_of(block, number), wall=11 + number)
    PainFlag.objects.create(member=member, workout=workout, level=2, note="Left heel, briefly")
    for kind, day, better in (("baseline", 0, 0), ("midway", 14, 1), ("end", 27, 3)):
        record_check_in(
            block,
            kind,
            areas=dict.fromkeys(("feet", "ankles", "knees"), (7 - better, 4 - better)),
            new_activities=[("Walking down stairs", 4), ("Standing for an hour", 5)]
            if kind == "baseline"
            else [],
            scores={a.pk: 4 + better for a in block.activities.all()},
            today=start + dt.timedelta(days=day),
        )
    signed_in(page, site, member.email, lands_on=f"/me/program/{block.pk}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text(block.routine.title)
    assert_accessible(page)
    shoot(page, "report")
    pdf = page.pdf(format="Letter", prefer_css_page_size=True)
    if SHOTS:
        (Path(SHOTS) / "report.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the report prints on {pages} pages"


@pytest.mark.django_db(transaction=True)
def test_a_trainer_reads_a_routines_report_and_narrows_it(watched_page, site, member, trainer):
    """From the nav to the routine's report, its filter said at the field
    when the dates are the wrong way round, then narrowed."""
    page = watched_page
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=2))
    finished_workout(member, session_of(block, 1), wall=12)
    signed_in(page, site, trainer.email, lands_on="/trainer/")
    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name=block.routine.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(block.routine.title)
    expect(page.get_by_text("1, on 1 block")).to_be_visible()
    page.get_by_label("Blocks starting from").fill("2026-12-01")
    page.get_by_label("Blocks starting up to").fill("2026-11-01")
    with page.watch.expecting("status of 422"):
        page.get_by_role("button", name="Show").click()
        expect(
            page.get_by_text("The end comes before the start: pick a later day.")
        ).to_be_visible()
    expect(page.get_by_label("Blocks starting from")).to_have_value("2026-12-01")
    assert_accessible(page)
    page.get_by_label("Blocks starting up to").fill("2026-12-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("0, on 0 blocks")).to_be_visible()
    assert_accessible(page)
