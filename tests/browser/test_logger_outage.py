"""The club's database out of reach for a moment (a restart, a failover): the
logger says so at the set the member tapped, and the same tap logs it, once,
when the database is back. ``make drills`` restarts a real PostgreSQL."""

import re

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from playwright.sync_api import expect

from clubsite.views import server_error
from members.models import SetLog
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import signed_in
from tests.members.logger_helpers import started_workout


@pytest.fixture
def browser_context_args(browser_context_args):
    """No service worker: ``page.route`` cannot see a request the worker lets
    through, and when the worker takes the page first is a matter of timing."""
    return {**browser_context_args, "service_workers": "block"}


def _outage_answer(path: str):
    """What the site answers an htmx post while PostgreSQL is down."""
    request = RequestFactory().post(path, HTTP_HX_REQUEST="true")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        return server_error(request)


@pytest.mark.django_db(transaction=True)
def test_a_set_tapped_while_the_database_is_down_logs_on_the_next_tap(page, site, member, trainer):
    seed_ground_up_routine()
    workout = started_workout(member, trainer)
    signed_in(page, site, member.email)
    page.goto(f"{site}/me/sessions/{workout.pk}/")
    answer = _outage_answer(f"/me/sessions/{workout.pk}/sets/")
    assert answer.status_code == 503

    page.route(
        "**/sets/",
        lambda route: route.fulfill(
            status=answer.status_code,
            headers={"Retry-After": answer["Retry-After"]},
            content_type=answer["Content-Type"],
            body=answer.content,
        ),
    )
    row = page.locator(".set-row").first
    row.locator(".log-button").click()
    expect(row.get_by_role("alert")).to_have_text(
        "Not saved: the club's records are out of reach for a moment. Tap again in a minute."
    )
    expect(row).not_to_have_class(re.compile(r"\bis-logged\b"))
    assert not SetLog.objects.filter(workout=workout).exists()

    page.unroute("**/sets/")
    row.locator(".log-button").click()
    expect(page.locator(".set-row.is-logged")).to_have_count(1)
    assert SetLog.objects.filter(workout=workout).count() == 1
