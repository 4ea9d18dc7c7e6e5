"""Putting members on a routine: from the trainer pages and the admin, one
member or a group, and what trainers see of it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.blocks.forms import coming_monday
from members.blocks.services import assign_routine
from members.models import Assignment, BlockStanding, PlannedSession
from tests.factories import UserFactory, ground_up_routine, put_on_block

MON, THU = 0, 3


def _block(routine, members, **overrides):
    return {
        "members": [m.pk for m in members],
        "routine": routine.pk,
        "start_date": coming_monday().isoformat(),
        "weekdays": [MON, THU],
        "weeks": 4,
        "notes": "",
        **overrides,
    }


@pytest.mark.django_db
def test_a_trainer_puts_one_member_on_the_routine(trainer_client, trainer, member):
    routine = ground_up_routine()
    page = trainer_client.get(f"/trainer/assign/?member={member.pk}")
    # The member picked on the Members page arrives ticked.
    assert f'value="{member.pk}" id="id_members_0" checked' in page.text

    response = trainer_client.post("/trainer/assign/", _block(routine, [member]))

    assert response.status_code == 302
    assert response["Location"] == "/trainer/members/"
    assignment = Assignment.objects.get(member=member)
    assert assignment.trainer == trainer
    assert assignment.weekday_list == [MON, THU]
    assert assignment.planned_sessions.count() == 8
    listing = trainer_client.get("/trainer/members/")
    assert "Alex Rivera is on Reversing Foot, Ankle, and Knee Pain from" in listing.text
    assert "Monday and Thursday" in listing.text


@pytest.mark.django_db
def test_a_group_starts_together(trainer_client, trainer):
    routine = ground_up_routine()
    group = UserFactory.create_batch(3)
    response = trainer_client.post("/trainer/assign/", _block(routine, group, weeks=2))
    assert response.status_code == 302
    assert Assignment.objects.filter(member__in=group, weeks=2).count() == 3
    assert PlannedSession.objects.count() == 3 * 4


@pytest.mark.django_db
def test_a_bad_block_keeps_what_was_typed(trainer_client, member):
    routine = ground_up_routine()
    response = trainer_client.post(
        "/trainer/assign/", _block(routine, [member], weekdays=[MON], notes="Knees first")
    )
    assert response.status_code == 200
    assert "pick exactly 2 days (you picked 1)" in response.text
    # On a phone the form is long: a summary at its top links to the field.
    assert 'class="error-summary" role="alert"' in response.text
    assert '<a href="#id_weekdays">Training days: Reversing Foot' in response.text
    assert "Knees first" in response.text
    assert f'value="{member.pk}" id="id_members_0" checked' in response.text
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_assigning_thirty_takes_the_same_queries_as_three(trainer):
    routine = ground_up_routine()
    counts = []
    for size in (3, 30):
        members = UserFactory.create_batch(size)
        with CaptureQueriesContext(connection) as queries:
            assign_routine(
                trainer=trainer,
                members=members,
                routine=routine,
                start_date=dt.date(2026, 11, 30),
                weekdays=[MON, THU],
                weeks=4,
            )
        counts.append(len(queries))
    # Savepoint, whose trainer they are now, the busy check, a savepoint
    # around one insert of blocks (a post sent twice at once meets the other's
    # blocks there) and its release, one insert of the dashboard's standings,
    # one of sessions, the profiles' trainer, release.
    assert counts == [10, 10]
    assert BlockStanding.objects.count() == 33
    assert PlannedSession.objects.count() == 33 * 8


@pytest.mark.django_db
def test_members_cannot_reach_the_assign_pages(member_client, member):
    assert member_client.get("/trainer/assign/").status_code == 403
    assert member_client.get("/trainer/members/").status_code == 403
    response = member_client.post("/trainer/assign/", _block(ground_up_routine(), [member]))
    assert response.status_code == 403
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/trainer/members/")
    assert response["Location"] == "/accounts/login/?next=/trainer/members/"


@pytest.mark.django_db
def test_search_finds_any_member_by_name_or_email(trainer_client, second_member, other_trainer):
    put_on_block(second_member, trainer=other_trainer, start_date=dt.date(2026, 11, 16), weeks=2)
    by_name = trainer_client.get("/trainer/members/", {"q": "jordan"})
    assert "jordan@example.com" in by_name.text
    assert "Trainer: Kai" in by_name.text
    by_email = trainer_client.get("/trainer/members/", {"q": "JORDAN@EXAMPLE"})
    assert "Jordan Lee" in by_email.text
    nobody = trainer_client.get("/trainer/members/", {"q": "zz-nobody"})
    assert "Nobody matches “zz-nobody”" in nobody.text
    # A NUL was a server error on PostgreSQL; every query string with one is
    # refused before any view runs (clubsite/request_guard.py).
    with_nul = trainer_client.get("/trainer/members/", {"q": "jor\x00dan"})
    assert with_nul.status_code == 400


@pytest.mark.django_db
def test_a_trainer_lists_only_their_own_members(trainer_client, trainer, other_trainer):
    mine = UserFactory(display_name="Mine")
    theirs = UserFactory(display_name="Theirs")
    put_on_block(mine, trainer=trainer, start_date=dt.date(2026, 11, 16))
    put_on_block(theirs, trainer=other_trainer, start_date=dt.date(2026, 11, 16))
    listing = trainer_client.get("/trainer/members/")
    assert "Mine" in listing.text
    assert "Theirs" not in listing.text


def _fill_club(trainer, count):
    routine = ground_up_routine()
    members = UserFactory.create_batch(count)
    assign_routine(
        trainer=trainer,
        members=members[: count // 2],
        routine=routine,
        start_date=dt.date(2026, 11, 16),
        weekdays=[MON, THU],
        weeks=4,
    )
    for member in members[count // 2 :]:
        member.profile.trainer = trainer
        member.profile.save()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_the_members_page_query_count_stays_flat(
    trainer_client, trainer, count, django_assert_num_queries
):
    _fill_club(trainer, count)
    # Session, user, the Trainers group check, the members with profiles and
    # trainers, their current blocks with routines, their open invitations,
    # and the sessions done with the trainer.
    with django_assert_num_queries(7):
        response = trainer_client.get("/trainer/members/")
    assert response.text.count('class="member-row"') == count
    # A search adds its three queries, however many match.
    with django_assert_num_queries(10):
        trainer_client.get("/trainer/members/", {"q": "member"})


@pytest.mark.django_db
def test_the_admin_action_puts_a_group_on_a_routine(client, trainer):
    routine = ground_up_routine()
    group = UserFactory.create_batch(3)
    client.force_login(trainer)
    selected = {"action": "put_on_a_routine", "_selected_action": [m.pk for m in group]}
    form = client.post("/admin/members/user/", selected)
    assert form.status_code == 200
    assert "These 3 members start the same block together" in form.text

    bad = client.post(
        "/admin/members/user/", {**selected, **_block(routine, group, weeks=9), "apply": "1"}
    )
    assert "lasts 2–4 weeks; 9 is outside that" in bad.text
    assert not Assignment.objects.exists()

    done = client.post(
        "/admin/members/user/", {**selected, **_block(routine, group), "apply": "1"}
    )
    assert done.status_code == 302
    assert Assignment.objects.filter(member__in=group, trainer=trainer).count() == 3


@pytest.mark.django_db
def test_the_admin_adds_one_block_and_plans_it(client, trainer, member):
    routine = ground_up_routine()
    client.force_login(trainer)
    response = client.post(
        "/admin/members/assignment/add/",
        {
            "member": member.pk,
            "routine": routine.pk,
            "start_date": "2026-11-30",
            "weekdays": [MON, THU],
            "weeks": 3,
            "notes": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assignment = Assignment.objects.get()
    assert assignment.trainer == trainer
    assert assignment.planned_sessions.count() == 6
    detail = client.get(f"/admin/members/assignment/{assignment.pk}/change/")
    assert "Upcoming" in detail.text

    second = client.post(
        "/admin/members/assignment/add/",
        {
            "member": member.pk,
            "routine": routine.pk,
            "start_date": "2026-12-28",
            "weekdays": [MON],
            "weeks": 3,
        },
    )
    assert second.status_code == 200
    assert "already on a block" in second.text
    assert "pick exactly 2 days" in second.text


@pytest.mark.django_db
def test_the_admin_shows_a_trainer_only_their_members_blocks(client, trainer, other_trainer):
    mine, theirs = UserFactory(), UserFactory()
    put_on_block(mine, trainer=trainer, start_date=dt.date(2026, 11, 16))
    other_block = put_on_block(theirs, trainer=other_trainer, start_date=dt.date(2026, 11, 16))
    client.force_login(trainer)
    listing = client.get("/admin/members/assignment/")
    assert mine.email in listing.text
    assert theirs.email not in listing.text
    assert client.get(f"/admin/members/assignment/{other_block.pk}/change/").status_code == 302
