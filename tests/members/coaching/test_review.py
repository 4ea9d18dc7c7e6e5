"""Trainer review: adherence, knob trends and the needs-attention reasons,
computed on hand-built histories with the clock at 23:30 club time; the
dashboard's scope, filters and query counts; pain follow-up; the CSV export."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from members.coaching.attention import needing_attention, reviews_with_reasons
from members.logbook.sets import report_pain
from members.logbook.workouts import record_pain_before, start_workout
from members.models import (
    Assignment,
    KnobSetting,
    PainFlag,
    Profile,
    Question,
    TrainerNote,
    Workout,
)
from members.web.downloads import neutralise
from routines.models import Knob
from tests.factories import UserFactory, put_on_block
from tests.html import elements
from tests.members.logger_helpers import CLUB, finished_workout, step

MONDAY = dt.date(2026, 11, 16)
# Thursday, November 26, 23:30 at the club: Friday in UTC.
LATE_THURSDAY = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)


def _sessions(assignment):
    return list(assignment.planned_sessions.order_by("number"))


@pytest.fixture
def late_thursday():
    with time_machine.travel(LATE_THURSDAY, tick=False):
        yield


@pytest.mark.django_db
def test_adherence_trends_and_reasons_on_a_hand_built_history(late_thursday, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    one, two = _sessions(block)[:2]
    finished_workout(member, one, wall=12, feeling="too_hard")
    # Session 2 (Thursday the 19th) done a day late, on Friday: it still counts.
    finished_workout(member, two, day=dt.date(2026, 11, 20), wall=16, feeling="too_hard")
    # Monday the 23rd missed; Thursday the 26th still due tonight.

    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))

    # Tonight's session is still doable, so it is not counted against them yet.
    assert review.planned_so_far == 3
    assert review.progress.done == 2
    assert review.adherence == 67
    assert review.progress.week == 2
    assert review.last_workout.date == dt.date(2026, 11, 20)
    (wall,) = [trend for trend in review.knobs if trend.exercise == "Tibialis raise"]
    assert wall.text == "feet distance from wall 12 → 16 in"
    assert wall.eased == 0
    assert review.reasons == ["“Too hard” on the last two workouts"]
    # Waiting since the second "too hard" workout was finished.
    assert review.waiting_since == dt.datetime(2026, 11, 20, 18, tzinfo=CLUB)
    assert review.end_date == dt.date(2026, 12, 10)


@pytest.mark.django_db
def test_a_session_done_early_never_puts_adherence_over_100(
    late_thursday, trainer_client, member, trainer
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    sessions = _sessions(block)
    for session in sessions[:6]:
        finished_workout(member, session)
    # Tonight, after Thursday's session, Monday the 30th's is done too.
    finished_workout(member, sessions[6], day=dt.date(2026, 11, 26))

    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))

    assert (review.progress.done, review.planned_so_far, review.adherence) == (7, 7, 100)
    assert review.reasons == []
    sorted_page = trainer_client.get("/trainer/?sort=adherence").text
    assert "7 of 7 sessions so far (100%)" in sorted_page
    assert 'value="100">100%</meter>' in sorted_page


@pytest.mark.django_db
def test_missed_sessions_pain_and_an_eased_knob_are_reasons(late_thursday, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    sessions = _sessions(block)
    finished_workout(member, sessions[0], wall=16)
    finished_workout(member, sessions[2], wall=14)
    finished_workout(member, sessions[3], wall=12)
    # Monday the 23rd missed; tonight's session stopped on the calf raise.
    workout = start_workout(member=member, planned_session=sessions[5])
    record_pain_before(workout=workout, level=0)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=3)

    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))

    assert review.reasons[0].startswith("Pain 3/10 on Calf raise on Nov 26")
    assert "Missed 2 sessions (Nov 12, Nov 23)" in review.reasons
    assert "Feet distance from wall made easier 2 times (16 → 14 → 12 in)" in review.reasons
    # The oldest reason: the knob made easier a second time on Thursday the 19th
    # (the second miss became one when Monday the 23rd was over).
    assert review.waiting_since == dt.datetime(2026, 11, 19, tzinfo=CLUB)


@pytest.mark.django_db
def test_a_resolved_flag_is_no_longer_a_reason(late_thursday, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY + dt.timedelta(weeks=1))
    flag = PainFlag.objects.create(member=member, level=2)
    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))
    assert review.reasons == ["Pain 2/10 before a session on Nov 26, not resolved"]
    PainFlag.objects.filter(pk=flag.pk).update(status=PainFlag.Status.RESOLVED)
    (review,) = reviews_with_reasons(Assignment.objects.filter(pk=block.pk))
    assert review.reasons == []


@pytest.mark.django_db
def test_the_dashboard_puts_pain_first_and_says_why(
    late_thursday, trainer_client, trainer, member, second_member
):
    put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    put_on_block(second_member, trainer=trainer, start_date=MONDAY)
    PainFlag.objects.create(member=second_member, level=4)

    page = trainer_client.get("/trainer/")
    text = page.text
    assert page.status_code == 200
    attention = text[text.index("Needs you") : text.index('id="blocks-title"')]
    assert attention.index("Jordan Lee") < attention.index("Alex Rivera")
    assert "Pain 4/10 before a session" in attention
    assert "Missed 5 sessions" in attention
    assert "0 of 3 sessions so far (0%)" in text


@pytest.mark.django_db
def test_the_dashboard_filters_and_its_htmx_answer(late_thursday, trainer_client, trainer):
    ending = UserFactory(display_name="Ending Soon")
    fresh = UserFactory(display_name="Fresh Start")
    # Its third and last week ends with tonight's session.
    put_on_block(ending, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1), weeks=3)
    put_on_block(fresh, trainer=trainer, start_date=MONDAY)
    text = trainer_client.get("/trainer/", {"show": "ending"}).text
    assert "Ending Soon" in text and "Fresh Start" not in text
    fragment = trainer_client.get(
        "/trainer/", {"show": "all", "sort": "name"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in fragment.text
    assert fragment.text.strip().startswith('<div id="member-list">')
    assert fragment.text.index("Ending Soon") < fragment.text.index("Fresh Start")
    # Unknown values fall back to the defaults instead of failing.
    assert trainer_client.get("/trainer/", {"show": "x", "routine": "abc"}).status_code == 200


@pytest.mark.django_db
def test_a_trainer_sees_only_their_own_members(trainer_client, trainer, other_trainer, member):
    theirs = UserFactory(display_name="Not Yours")
    put_on_block(member, trainer=trainer, start_date=MONDAY)
    put_on_block(theirs, trainer=other_trainer, start_date=MONDAY)
    text = trainer_client.get("/trainer/").text
    assert "Alex Rivera" in text and "Not Yours" not in text
    assert trainer_client.get(f"/trainer/members/{theirs.pk}/").status_code == 404
    flag = PainFlag.objects.create(member=theirs, level=2)
    assert trainer_client.post(f"/trainer/pain/{flag.pk}/acknowledge/").status_code == 404
    export = b"".join(trainer_client.get("/trainer/export.csv").streaming_content)
    assert b"Not Yours" not in export
    assert trainer_client.get(f"/trainer/export.csv?member={theirs.pk}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    # A member's page (/trainer/members/<pk>/) is a row of the authorization matrix.
    "path",
    ["/trainer/", "/trainer/export.csv", "/trainer/members/"],
)
def test_members_get_403_on_trainer_pages(member_client, path):
    assert member_client.get(path).status_code == 403


def _club(trainer, count):
    """``count`` members on the routine since three weeks ago, each with four
    weeks of history written in bulk: sessions done, knob settings, a few flags."""
    members = UserFactory.create_batch(count)
    from members.blocks.services import assign_routine
    from tests.factories import ground_up_routine

    blocks = assign_routine(
        trainer=trainer,
        members=members,
        routine=ground_up_routine(),
        start_date=MONDAY - dt.timedelta(weeks=1),
        weekdays=[0, 3],
        weeks=4,
    )
    knob = Knob.objects.get(exercise__name="Tibialis raise")
    workouts = Workout.objects.bulk_create(
        Workout(
            member_id=block.member_id,
            planned_session=session,
            routine=block.routine,
            date=session.date,
            started_at=dt.datetime.combine(session.date, dt.time(18), tzinfo=CLUB),
            finished_at=dt.datetime.combine(session.date, dt.time(19), tzinfo=CLUB),
            is_complete=True,
            pain_before=0,
            feeling="about_right",
        )
        for block in blocks
        for session in block.planned_sessions.all()
        if session.date < dt.date(2026, 11, 26)
    )
    KnobSetting.objects.bulk_create(
        KnobSetting(
            workout=workout,
            knob=knob,
            exercise_id=knob.exercise_id,
            value=Decimal(12 + index % 3),
            unit="in",
        )
        for index, workout in enumerate(workouts)
    )
    PainFlag.objects.bulk_create(PainFlag(member=member, level=2) for member in members[::5])


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_the_dashboard_query_count_stays_flat(
    late_thursday, trainer_client, trainer, count, django_assert_num_queries
):
    _club(trainer, count)
    # Session, user, the Trainers group check, the blocks with members and
    # routines, their sessions, the members' workouts, open pain flags,
    # questions waiting over a day, knob settings, their knobs, then the
    # routines for the filter and the count of questions waiting.
    with django_assert_num_queries(12):
        response = trainer_client.get("/trainer/")
    assert len(elements(response.text, class_="card review-card")) == min(count, 50)
    with django_assert_num_queries(12):
        last = trainer_client.get("/trainer/?page=last")
    assert len(elements(last.text, class_="card review-card")) == (count % 50 or 50)


@pytest.mark.django_db
def test_a_large_club_comes_in_pages_and_needs_you_shows_the_most_pressing(
    late_thursday, trainer_client, trainer
):
    _club(trainer, 120)
    waiting = len(needing_attention(reviews_with_reasons(Assignment.objects.current())))
    assert waiting > 12
    first = trainer_client.get("/trainer/?sort=name")
    assert len(elements(first.text, class_="card review-card")) == 50
    assert "Everyone on a block (120)" in first.text
    assert "1–50 of 120" in first.text
    assert elements(first.text, "a", rel="next", href="?sort=name&page=2")
    assert not elements(first.text, rel="prev")
    assert f"Needs you ({waiting})" in first.text
    assert len(elements(first.text, class_="attention-item")) == 12
    assert f"All {waiting} who need you</a>" in first.text
    assert elements(first.text, "a", href="?sort=name&show=attention")

    names = sorted(
        Assignment.objects.values_list("member__profile__display_name", flat=True),
        key=str.lower,
    )
    third = trainer_client.get("/trainer/?sort=name&page=3", headers={"HX-Request": "true"})
    assert third.text.lstrip().startswith('<div id="member-list">')
    assert len(elements(third.text, class_="card review-card")) == 20
    assert "101–120 of 120" in third.text and not elements(third.text, rel="next")
    assert names[100] in third.text and names[99] not in third.text
    # A page past the end shows the last; nonsense shows the first.
    assert "101–120 of 120" in trainer_client.get("/trainer/?page=9").text
    assert "1–50 of 120" in trainer_client.get("/trainer/?page=x").text

    attention = trainer_client.get("/trainer/?show=attention")
    assert len(elements(attention.text, class_="card review-card")) == min(waiting, 50)


@pytest.mark.django_db
def test_needs_you_ranks_pain_by_level_and_age_then_the_longest_wait(
    late_thursday, trainer_client, trainer, settings
):
    """Seventeen need the trainer: a two-day-old 4/10 flag comes first, ahead
    of a new 4/10 and of twelve newer 2/10s whose names sort earlier; then the
    others by how long they have waited. The digest lists them in that order."""
    now = timezone.now()
    later = MONDAY + dt.timedelta(weeks=2)  # nothing missed yet

    def member(name, start=later):
        person = UserFactory(display_name=name)
        put_on_block(person, trainer=trainer, start_date=start)
        return person

    zoe, yan = member("Zoe Old"), member("Yan New")
    PainFlag.objects.create(member=zoe, level=4, created_at=now - dt.timedelta(days=2))
    PainFlag.objects.create(member=zoe, level=4, created_at=now)
    # Yan's older, milder flag does not make his 4/10 older.
    PainFlag.objects.create(member=yan, level=2, created_at=now - dt.timedelta(days=3))
    PainFlag.objects.create(member=yan, level=4, created_at=now)
    for minutes in range(1, 13):
        PainFlag.objects.create(
            member=member(f"Ann {minutes:02}"),
            level=2,
            created_at=now - dt.timedelta(minutes=minutes),
        )
    for name, days in (("Bo Asked", 3), ("Cy Asked", 5)):
        person = member(name)
        Question.objects.create(
            member=person,
            name=name,
            email=person.email,
            trainer=trainer,
            to_email=trainer.email,
            subject="Knees",
            message="Is this normal?",
            created_at=now - dt.timedelta(days=days),
        )
    # Missed Nov 9 and 12 (and more): a reason since Friday the 13th.
    member("Di Missed", start=MONDAY - dt.timedelta(weeks=1))
    expected = [
        "Zoe Old",
        "Yan New",
        *(f"Ann {minutes:02}" for minutes in range(12, 0, -1)),
        "Di Missed",
        "Cy Asked",
        "Bo Asked",
    ]

    page = trainer_client.get("/trainer/")
    assert "Needs you (17)" in page.text
    shown = re.findall(r'class="attention-name">([^<]+)</a>', page.text)
    assert shown == expected[:12]
    # The reason names the flag that ranks them.
    assert "Pain 4/10 before a session on Nov 24 (and 1 more), not resolved" in page.text

    settings.DIGEST_DAY = "thursday"
    call_command("send_nudges", stdout=io.StringIO())
    (digest,) = [m for m in mail.outbox if m.to == [trainer.email]]
    attention = digest.body.split("BLOCKS ENDING")[0]
    listed = [line.split(",")[0] for line in attention.splitlines()]
    listed = [name for name in listed if name in expected]
    assert listed == expected


@pytest.mark.django_db
@pytest.mark.parametrize("sessions", [1, 5])
def test_member_detail_query_count_stays_flat(
    late_thursday, trainer_client, trainer, member, sessions, django_assert_num_queries
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1))
    for session in _sessions(block)[:sessions]:
        workout = finished_workout(member, session, wall=12)
        TrainerNote.objects.create(assignment=block, workout=workout, author=trainer, text="Good")
    # Session, user, group check, the member, their blocks, the block's review
    # (seven), its workouts with sets, knob settings and pain flags (four), the
    # member's overrides, the routine's steps and knobs for the override form,
    # the notes, the pain history, the member's questions, the trends (three),
    # and the trainers to hand over to.
    with django_assert_num_queries(26):
        page = trainer_client.get(f"/trainer/members/{member.pk}/")
    assert page.text.count('class="card timeline-item') == 8
    assert page.text.count("<strong>Calf raise</strong>: 25 reps, 25 reps") == sessions
    assert "<svg" in page.text


@pytest.mark.django_db
def test_acknowledge_and_resolve_a_pain_flag_with_a_note(
    trainer_client, trainer, member, mailoutbox, django_capture_on_commit_callbacks
):
    put_on_block(member, trainer=trainer, start_date=MONDAY)
    flag = PainFlag.objects.create(member=member, level=3, note="heel")
    trainer_client.post(f"/trainer/pain/{flag.pk}/acknowledge/")
    flag.refresh_from_db()
    assert flag.status == "acknowledged" and flag.acknowledged_at

    empty = trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": " "})
    assert empty.status_code == 422
    assert f'id="resolve-error-{flag.pk}" role="alert">Write the member a note' in empty.text
    # Too long: the message at the field, and every word typed still there.
    long_note = "Rest, then <ease> back in. " * 80
    too_long = trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": long_note})
    assert too_long.status_code == 422
    assert "Keep the note under 2,000 characters (it has 2,159)." in too_long.text
    assert f'aria-describedby="resolve-error-{flag.pk}"' in too_long.text
    assert f"{escape(long_note)}</textarea>" in too_long.text
    # A NUL character (PostgreSQL refuses it: a server error there) is refused too.
    nul = trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest\x00"})
    assert nul.status_code == 422
    assert "Null characters are not allowed." in nul.text
    flag.refresh_from_db()
    assert flag.status == "acknowledged"
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(
            f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest <b>two</b> days, then 10 in."}
        )
        trainer_client.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Again"})
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_by == trainer
    assert flag.resolution_note == "Rest <b>two</b> days, then 10 in."
    (message,) = mailoutbox
    assert message.to == [member.email]
    assert message.reply_to == [trainer.email]
    assert "Rest <b>two</b> days, then 10 in." in message.body
    assert "Rest &lt;b&gt;two&lt;/b&gt; days" in message.alternatives[0].content


@pytest.mark.django_db
def test_the_export_has_one_row_per_set_and_neutralises_formulas(trainer_client, trainer, member):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    Profile.objects.filter(user=member).update(display_name="=HYPERLINK(evil)")
    finished_workout(member, _sessions(block)[0], wall=12)
    response = trainer_client.get("/trainer/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["member", "email", "date"]
    # 18 sets: a session done in full answered the weaker side, so the
    # Patrick step's extra set is logged too.
    assert len(rows) == 1 + 18
    assert rows[1][0] == "'=HYPERLINK(evil)"
    assert {row[5] for row in rows[1:]} >= {"Tibialis raise", "Calf raise"}
    tibialis = next(row for row in rows[1:] if row[5] == "Tibialis raise")
    assert tibialis[8:11] == ["25 reps", "25 reps", "Feet distance from wall: 12 in"]
    dated = trainer_client.get("/trainer/export.csv", {"start": "2026-11-17"})
    assert len(list(csv.reader(io.StringIO(b"".join(dated.streaming_content).decode())))) == 1


def test_neutralise_every_formula_prefix():
    assert [neutralise(v) for v in ["=1", "+1", "-1", "@a", "plain", None, 12]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "plain",
        "",
        "12",
    ]


def test_today_in_the_tests_is_the_club_date():
    with time_machine.travel(LATE_THURSDAY, tick=False):
        assert timezone.localdate() == dt.date(2026, 11, 26)
