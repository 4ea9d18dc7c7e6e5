"""A routine's report against a small club worked out by hand, the scope of
who sees what, the rows behind it, and its queries at two club sizes.

The club, on the ground-up routine from Monday November 16 (Mondays and
Thursdays, four weeks), seen on Friday December 4, when six sessions are
due (Nov 16, 19, 23, 26, 30 and Dec 3):
- Alex: sessions 1-4 (wall 12, 13, 14, 15), pain on the calf raise once;
  checked in before (feet 6/4, knees 5/3, stairs 4) and half-way (feet
  4/2, knees 5/3, stairs 7): 4 of 6 done, 67 %.
- Jordan: sessions 1-2 (wall 12), checked in before only; no session
  since Nov 19, fifteen days: stopped. 2 of 6, 33 %.
- Casey: session 1 (wall 14), no check-in, ended early on Nov 20: the
  sessions from then are dropped, so 1 of 2 due, 50 %.
- Drew: sessions 1-4 (wall 12), checked in before and half-way with no
  change (feet 7/5, knees 6/4, stairs 3), then deleted the account today,
  which ends the block: 4 of 6, 67 %, unnamed.
- Erin: session 1 (wall 12), paused on Nov 20: 1 of 2 due, 50 %.
And Kai's member Sam, whom only the head trainer's report counts."""

import datetime as dt

import pytest
import time_machine

from members.blocks.steering import end_block, pause_block
from members.models import CheckIn, PainFlag
from members.outcomes.services import record_check_in
from members.privacy.services import forget
from tests.factories import UserFactory, put_on_block, signed_in
from tests.members.logger_helpers import CLUB, MONDAY, finished_workout, session_of
from tests.members.outcomes.test_check_in_page import text_of

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 12, 4)
URL = "/trainer/reports/reversing-foot-ankle-and-knee-pain/"


def on(day, hour=12):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=CLUB), tick=False)


def checked_in(block, kind, day, feet, knees, stairs):
    record_check_in(
        block,
        kind,
        areas={"feet": feet, "knees": knees},
        new_activities=[("Stairs", stairs)] if kind == CheckIn.Kind.BASELINE else [],
        scores={} if kind == CheckIn.Kind.BASELINE else {block.activities.get().pk: stairs},
        today=day,
    )


def sessions(member, block, walls):
    return [
        finished_workout(member, session_of(block, number), wall=wall)
        for number, wall in enumerate(walls, start=1)
    ]


@pytest.fixture
def club(member, second_member, trainer, other_trainer):
    with on(MONDAY, 8):
        blocks = {
            name: put_on_block(person, trainer=coach, start_date=MONDAY)
            for name, person, coach in [
                ("alex", member, trainer),
                ("jordan", second_member, trainer),
                ("casey", UserFactory(display_name="Casey"), trainer),
                ("drew", UserFactory(display_name="Drew"), trainer),
                ("erin", UserFactory(display_name="Erin"), trainer),
                ("sam", UserFactory(display_name="Sam"), other_trainer),
            ]
        }
    alex = sessions(member, blocks["alex"], [12, 13, 14, 15])
    PainFlag.objects.create(
        member=member, workout=alex[1], exercise_id=_calf(alex[1]), level=2, note="Heel"
    )
    checked_in(blocks["alex"], "baseline", MONDAY, (6, 4), (5, 3), 4)
    checked_in(blocks["alex"], "midway", MONDAY + dt.timedelta(days=14), (4, 2), (5, 3), 7)
    sessions(second_member, blocks["jordan"], [12, 12])
    checked_in(blocks["jordan"], "baseline", MONDAY, (5, 3), (4, 2), 5)
    casey = blocks["casey"]
    sessions(casey.member, casey, [14])
    with on(MONDAY + dt.timedelta(days=4)):
        end_block(assignment=casey)
    drew = blocks["drew"]
    sessions(drew.member, drew, [12, 12, 12, 12])
    checked_in(drew, "baseline", MONDAY, (7, 5), (6, 4), 3)
    checked_in(drew, "midway", MONDAY + dt.timedelta(days=14), (7, 5), (6, 4), 3)
    with on(FRIDAY, 9):
        forget(drew.member)
    erin = blocks["erin"]
    sessions(erin.member, erin, [12])
    pause_block(assignment=erin, today=MONDAY + dt.timedelta(days=4))
    sam = blocks["sam"]
    sessions(sam.member, sam, [12, 12, 12, 12, 12, 12])
    return blocks


def _calf(workout):
    return next(
        s["exercise_id"] for s in workout.prescription["steps"] if s["name"] == "Calf raise"
    )


def report_text(user, query="", *, status=200):
    with on(FRIDAY):
        response = signed_in(user).get(URL + query)
    assert response.status_code == status
    return text_of(response.content)


def test_the_figures_match_the_club_worked_out_by_hand(club, trainer):
    text = report_text(trainer)
    assert "Members 5, on 5 blocks" in text
    assert "Finished 0" in text
    assert "Dropped out 2 ended early, 1 with no session for two weeks or more" in text
    assert "Paused now 1" in text
    assert "Gave a baseline check-in 3 of 5" in text
    # 12 sessions; done of due 67, 33, 50, 67, 50: the median 50.
    assert "12 sessions done; the median block did 50 % of what was due" in text
    assert "90–100 % 0 75–89 % 0 50–74 % 4 under 50 % 1" in text
    # One calf-raise report in 12 sessions.
    assert "Calf raise 1 8.3" in text
    # The wall, first: 12, 12, 14, 12, 12 (median 12); last: 15, 12, 14, 12,
    # 12 (median 12). Only Alex moved it.
    assert "Tibialis raise: feet distance from wall 12 → 12 in 5" in text
    # Alex and Drew have a baseline and a later check-in; Jordan only the first.
    assert "Feet, worst pain 6.5 → 5.5 2 50 %" in text
    assert "Knees, usual pain 3.5 → 3.5 2 0 %" in text
    assert "Everyday activities (each member's mean) 3.5 → 5 2 50 %" in text
    # Nobody is named, the deleted member least of all.
    assert "Drew" not in text and "Former member" not in text


def test_the_head_trainer_sees_the_club_and_can_narrow_it(club, superuser, other_trainer):
    assert "Members 6, on 6 blocks" in report_text(superuser)
    only_kai = report_text(superuser, f"?trainer={other_trainer.pk}")
    assert "Members 1, on 1 block" in only_kai
    # A start later than every block's: none.
    assert "Members 0, on 0 blocks" in report_text(superuser, "?start=2026-11-17")


def test_a_filter_that_makes_no_sense_is_said_at_its_field(club, trainer):
    """And no figure is shown, nor a CSV given, for blocks not asked about."""
    wrong_way = "?start=2026-12-01&end=2026-11-01"
    text = report_text(trainer, wrong_way, status=422)
    assert "The end comes before the start: pick a later day." in text
    assert "Fix the filter above to see the report." in text
    assert "on 5 blocks" not in text and "Download the rows" not in text
    assert report_text(trainer, "?start=not-a-date", status=422).count("Enter a valid date.") == 1
    with on(FRIDAY):
        rows = signed_in(trainer).get(URL + "rows.csv" + wrong_way)
    assert rows.status_code == 400


def test_the_rows_behind_it_are_a_block_each_unnamed(club, trainer):
    with on(FRIDAY):
        response = signed_in(trainer).get(URL + "rows.csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("block,start date,weeks,status,sessions done,sessions due")
    assert len(lines) == 6
    assert "Alex" not in body and "Drew" not in body and "@" not in body
    assert sorted(line.split(",")[4] for line in lines[1:]) == ["1", "1", "2", "4", "4"]


def test_members_are_refused(club, member):
    assert signed_in(member).get(URL).status_code == 403
    assert signed_in(member).get("/trainer/reports/").status_code == 403


@pytest.mark.parametrize("size", [2, 8])
def test_the_report_takes_the_same_queries_for_any_club_size(
    trainer, size, django_assert_num_queries
):
    with on(MONDAY, 8):
        blocks = [
            put_on_block(UserFactory(), trainer=trainer, start_date=MONDAY) for _ in range(size)
        ]
    for block in blocks:
        sessions(block.member, block, [12, 13])
        checked_in(block, "baseline", MONDAY, (6, 4), (5, 3), 4)
        checked_in(block, "midway", MONDAY + dt.timedelta(days=14), (4, 2), (5, 3), 7)
    client = signed_in(trainer)
    # Session, user, the Trainers group check, the routine; the blocks'
    # reviews (the blocks, sessions, workouts, open pain, questions, knob
    # settings, knobs, check-ins, their areas and scores); the pain reports
    # by exercise.
    with on(FRIDAY), django_assert_num_queries(15):
        response = client.get(URL)
    assert f"Members {size}, on {size} blocks" in text_of(response.content)
