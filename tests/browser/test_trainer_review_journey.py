"""The trainer's review, on a phone: the member in pain is at the
top with the reason, their page has the chart and its numbers, the flag is
acknowledged and resolved with a note, the calf raise goes to 15 reps for that
member; then the member sees the note and the 15 reps in their logger."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import PainFlag, StepOverride
from routines.models import Knob
from tests.browser.conftest import assert_accessible, signed_in
from tests.factories import put_on_block
from tests.members.logger_helpers import finished_workout, step


@pytest.fixture
def class_of_two(member, second_member, trainer):
    """Alex moved the wall from 12 to 14 in, then reported pain (3/10) on the
    calf raise; Jordan is on track."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday(), weeks=1)
    alex = put_on_block(member, trainer=trainer, start_date=start)
    put_on_block(second_member, trainer=trainer, start_date=start)
    finished_workout(member, alex.planned_sessions.get(number=1), wall=12)
    second = alex.planned_sessions.get(number=2)
    workout = start_workout(member=member, planned_session=second, today=second.date)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    tibialis = step(workout, "Tibialis raise")
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    set_knob(workout=workout, step_id=tibialis["id"], knob_id=wall.pk, raw_value="14")
    log_all_as_prescribed(workout=workout, step_id=tibialis["id"])
    report_pain(
        workout=workout, step_id=step(workout, "Calf raise")["id"], level=3, note="Left heel"
    )
    return member


@pytest.mark.django_db(transaction=True)
def test_trainer_follows_up_pain_and_sets_the_members_own_numbers(
    page, site, class_of_two, trainer, mailoutbox
):
    member = class_of_two
    signed_in(page, site, trainer.email, lands_on="/trainer/")

    # The member in pain is first under "Needs you", with the reason in words.
    first = page.locator(".attention-item").first
    expect(first.locator(".attention-name")).to_have_text("Alex Rivera")
    expect(first).to_contain_text(re.compile(r"Pain 3/10 on Calf raise on \w+ \d+, not resolved"))
    assert_accessible(page)
    first.locator(".attention-name").click()
    expect(page).to_have_url(f"{site}/trainer/members/{member.pk}/")

    # How each exercise moved: a titled chart, and its numbers in a table.
    expect(page.locator("figure.chart-figure svg title").first).to_have_count(1)
    table = page.get_by_role("table", name="Tibialis raise, session by session")
    expect(table).to_contain_text("12 in")

    # Acknowledge, then resolve with a note that is emailed to the member.
    pain = page.locator(".pain-item").first
    pain.get_by_role("button", name="Mark as seen").click()
    expect(page.locator(".pain-item").first).to_contain_text("Acknowledged")
    note = "Rest the calf two days. Then 15 reps instead of 25, and tell me how it feels."
    page.get_by_label("Note to Alex Rivera (emailed when you resolve)").fill(note)
    page.get_by_role("button", name="Resolve and send the note").click()
    expect(page.locator(".pain-item").first).to_contain_text("Resolved")
    assert PainFlag.objects.get().status == "resolved"
    assert [m.to for m in mailoutbox if note in m.body] == [[member.email]]

    # Alex's own numbers: the calf raise at 15 reps, with a note.
    page.get_by_text("Change an exercise for Alex Rivera").click()
    exercise = page.get_by_label("Exercise:", exact=True)
    calf_option = exercise.locator("option", has_text="2b. Calf raise").text_content()
    exercise.select_option(label=calf_option)
    page.get_by_label("Reps per set").fill("15")
    page.get_by_label("Note to the member").fill("15 reps until the heel settles.")
    assert_accessible(page)
    page.get_by_role("button", name="Save Alex Rivera's numbers").click()
    expect(page.get_by_text("Calf raise for Alex Rivera: 15 reps.")).to_be_visible()
    expect(page.locator(".override-list")).to_contain_text("Calf raise: 2 sets of 15")
    assert StepOverride.objects.get().reps == 15
    assert_accessible(page)

    # The member: the note on the resolved pain came by email; Today and the
    # logger show the calf raise at 15 reps with the trainer's note.
    page.context.clear_cookies()
    signed_in(page, site, member.email)
    expect(page.locator(".session-steps")).to_contain_text("Calf raise: 2 sets of 15")
    expect(page.locator(".session-steps")).to_contain_text("15 reps until the heel settles.")
    page.get_by_role("button", name=re.compile(r"^Start session \d$")).click()
    expect(page.get_by_text("Any pain right now?")).to_be_visible()
    page.get_by_role("radio", name="None").check()  # nothing is chosen for her
    page.get_by_role("button", name="Start the session").click()
    calf = page.locator(".exercise-block", has=page.locator("h3", has_text="Calf raise"))
    expect(calf.locator(".prescription")).to_contain_text("2 sets of 15")
    expect(calf.locator(".override-note")).to_contain_text(
        "Changed for you by Makana: 15 reps until the heel settles."
    )
    calf_row = page.locator(".set-row", has_text="Calf raise").first
    expect(calf_row.locator("input[name=reps]")).to_have_value("15")
    assert_accessible(page)
