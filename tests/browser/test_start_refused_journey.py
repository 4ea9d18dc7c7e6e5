"""A Start button from an old page (last week's session) is refused on
Today with a message, and Today still offers this week's session."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from members.models import Workout
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import assert_accessible, signed_in
from tests.factories import put_on_block


def test_a_stale_start_button_is_refused_with_a_message_on_today(page, site, member, trainer):
    seed_ground_up_routine()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    # In block week 2: Today offers one of this week's sessions, whatever the day.
    block = put_on_block(member, trainer=trainer, start_date=monday - dt.timedelta(weeks=1))
    last_week = block.planned_sessions.get(number=1)
    signed_in(page, site, member.email)

    # Today's page as it was a week ago: its button named last week's session.
    page.locator("input[name=session]").evaluate("(input, pk) => input.value = pk", last_week.pk)
    page.get_by_role("button", name="Start session").click()

    expect(page).to_have_url(site + "/me/")
    expect(page.get_by_text("Session 1 was for last week.")).to_be_visible()
    expect(page.get_by_role("button", name="Start session")).to_be_visible()
    assert not Workout.objects.exists()
    assert_accessible(page)
