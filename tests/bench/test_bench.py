"""The benchmark's own parts: the floor and the ceiling it measures against,
the in-process profile, and the posts that log a new set each time."""

import datetime as dt

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from bench import instructions
from bench.endpoints import set_posts
from bench.profile import Profiler
from bench.run import _lua_string
from members.logbook.plan import build_plan
from members.logbook.workouts import accept_zero_pain_rule
from members.models import SetLog, Workout
from tests.factories import put_on_block
from tests.members.logger_helpers import started_workout

HTMX = {"HX-Request": "true"}


@pytest.mark.django_db
def test_the_ceiling_goes_through_the_same_middleware_and_reads_nothing(
    settings, member_client, django_assert_num_queries
):
    settings.ROOT_URLCONF = "bench.urls"
    # Signed in, as in the run: the session is not read unless a view asks.
    with django_assert_num_queries(0):
        response = member_client.get("/bench/ceiling/")
    assert response.status_code == 200 and response.content == b"ceiling"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    # The site itself is all there beside it.
    assert member_client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_the_floor_is_the_layout_for_a_signed_in_member(
    settings, member_client, django_assert_num_queries
):
    settings.ROOT_URLCONF = "bench.urls"
    # The session and the user: what every signed-in page reads before its own.
    with django_assert_num_queries(2):
        response = member_client.get("/bench/floor/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="site-header"' in page and "Sign out" in page
    assert "nonce=" in page or "script-src" in response["Content-Security-Policy"]
    # Signed out, it is the sign-in page, as for any member page.
    assert Client().get("/bench/floor/").status_code == 302


@pytest.mark.parametrize("path", ["/bench/floor/", "/bench/ceiling/"])
def test_the_yardsticks_exist_only_in_the_bench_settings(path):
    with pytest.raises(Resolver404):
        resolve(path, urlconf="clubsite.urls")
    assert resolve(path, urlconf="bench.urls").route == path.lstrip("/")


@pytest.mark.django_db
def test_the_profile_splits_a_page_into_sql_templates_and_the_rest(settings, member_client):
    settings.ROOT_URLCONF = "bench.urls"
    cookies = "; ".join(f"{key}={morsel.value}" for key, morsel in member_client.cookies.items())
    raw = f"GET /bench/floor/ HTTP/1.1\r\nHost: testserver\r\nCookie: {cookies}\r\n\r\n"
    # As the test client does: the handler would otherwise close the test's
    # database connection at the end of each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        row = Profiler().measure([raw], count=3, warmup=1)
        signed_out = "GET /bench/floor/ HTTP/1.1\r\nHost: testserver\r\n\r\n"
        refused = Profiler().measure([signed_out], count=2, warmup=0)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    assert row["non_2xx"] == 0
    assert row["queries"] == 2
    assert row["sql_ms"] > 0 and row["templates_ms"] > 0
    assert row["sql_ms"] + row["templates_ms"] + row["python_ms"] == pytest.approx(row["ms"])
    assert refused["non_2xx"] == 2


@pytest.mark.django_db
def test_every_post_logs_a_set_not_logged_before(
    member, second_member, trainer, client, django_assert_max_num_queries
):
    # A weaker side adds sets: the two sessions are not the same length.
    first = started_workout(member, trainer)
    second = started_workout(second_member, trainer, weaker_side="unsure")
    sets_today = sum(
        len(build_plan(w, weaker_side=w.member.profile.weaker_side).slots) for w in (first, second)
    )
    needed = 2 * sets_today + 5  # more than today's sessions hold: further ones are made
    posts = set_posts(["alex", "jordan"], [first.pk, second.pk], needed)
    assert len(posts) == needed
    assert Workout.objects.count() == 2 * 3
    keys = {
        (path, form["step"], form["set_number"], form["side"]) for _visitor, path, form in posts
    }
    assert len(keys) == needed
    # Both members take turns, and each post is one the logger accepts.
    assert {visitor for visitor, _path, _form in posts[:2]} == {"alex", "jordan"}
    clients = {"alex": member, "jordan": second_member}
    for visitor, path, form in posts:
        client.force_login(clients[visitor])
        assert client.post(path, form, headers=HTMX).status_code == 200
    assert SetLog.objects.count() == needed


@pytest.mark.django_db
def test_the_instruction_counts_make_the_floor_and_log_new_sets(settings, member, trainer):
    settings.ROOT_URLCONF = "bench.urls"
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    accept_zero_pain_rule(member=member)

    floors = instructions.requests("floor", 2, email=member.email)
    assert [floor().status_code for floor in floors] == [200, 200]
    assert b'class="site-header' in floors[0]().content

    posts = instructions.requests("log a set", 5, email=member.email)
    assert [post().status_code for post in posts] == [200] * 5
    (workout,) = Workout.objects.filter(member=member)
    assert workout.pain_before == 0
    assert len({(log.step_id, log.set_number, log.side) for log in workout.set_logs.all()}) == 5


def test_requests_survive_the_trip_into_lua_byte_for_byte():
    raw = 'POST /me/ HTTP/1.1\r\nCookie: a="b\\c"\r\n\r\nstep=1'
    assert _lua_string(raw) == '"POST /me/ HTTP/1.1\\r\\nCookie: a=\\"b\\\\c\\"\\r\\n\\r\\nstep=1"'
