"""The trainer's dashboard: pain first with its reasons, filters and the htmx
answer, scope, pages of a large club, what Needs you puts first, and query
counts that stay flat."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from members.blocks.services import assign_routine
from members.coaching.attention import needing_attention, reviews_with_reasons
from members.models import (
    Assignment,
    KnobSetting,
    PainFlag,
    Question,
    TrainerNote,
    Workout,
)
from routines.models import Knob
from tests.factories import UserFactory, ground_up_routine, put_on_block, stamped
from tests.html import elements, without_tokens
from tests.members.logger_helpers import (
    CLUB,
    MONDAY,
    finished_workout,
    sessions_of,
)
from tests.members.outcomes.helpers import baseline


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
    for block in blocks:
        baseline(block)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_the_dashboard_query_count_stays_flat(
    late_thursday,
    trainer_client,
    trainer,
    count,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    _club(trainer, count)
    stamped(trainer)
    # The first load works out every block's standing: session, user, the
    # Trainers group check, the page stamps, the blocks whose standing is
    # missing or out of date, the standings made, then the review (the
    # blocks, their sessions, the members' workouts, open pain flags,
    # questions waiting over a day, knob settings, their knobs, the check-ins
    # with their areas and scores), the questions still short of a day, the
    # standings locked and stored (a batch of them a query, in a savepoint of
    # the test's transaction)...
    with django_assert_max_num_queries(30):
        response = trainer_client.get("/trainer/")
    assert len(elements(response.text, class_="card review-card")) == min(count, 50)
    # ...then the list, as every later load after a write: session, user,
    # group, the page stamps, none out of date, when the first standing
    # lapses, "Needs you" and how many, the page of blocks and how many, the
    # routines for the filter and the count of questions waiting.
    with django_assert_num_queries(12):
        last = trainer_client.get("/trainer/?page=last")
    assert len(elements(last.text, class_="card review-card")) == (count % 50 or 50)
    # Opened again with nothing written: session, user, group, the stamps.
    with django_assert_num_queries(4):
        again = trainer_client.get("/trainer/?page=last")
    assert without_tokens(again.text) == without_tokens(last.text)


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
    for session in sessions_of(block)[:sessions]:
        workout = finished_workout(member, session, wall=12)
        TrainerNote.objects.create(assignment=block, workout=workout, author=trainer, text="Good")
    baseline(block)
    stamped(member)
    # Session, user, group check, the page stamps, the member, their blocks,
    # the block's review (seven, and three for its check-ins), its workouts
    # with sets, knob settings and pain flags (four), the member's overrides,
    # the routine's steps and knobs for the override form, the notes, the
    # pain history, the member's questions, the trends (three), and the
    # trainers to hand over to.
    with django_assert_num_queries(30):
        page = trainer_client.get(f"/trainer/members/{member.pk}/")
    assert page.text.count('class="card timeline-item') == 8
    assert page.text.count("<strong>Calf raise</strong>: 25 reps, 25 reps") == sessions
    assert "<svg" in page.text
    # Opened again with nothing written: session, user, group check, stamps.
    with django_assert_num_queries(4):
        again = trainer_client.get(f"/trainer/members/{member.pk}/")
    assert without_tokens(again.text) == without_tokens(page.text)
