"""The phone's outbox (static/js/outbox.js): with no signal, each logger
action is kept on the phone ("Saved on this phone"), shown as done, and sent in
order, once, when the signal returns. A refusal is listed with its reason; an
expired sign-in keeps the queue until the member signs in again."""

import re

import pytest
from playwright.sync_api import expect

from members.models import ActionKey, EmailDelivery, KnobSetting, PainFlag, SetLog, Workout
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    sign_in,
    signed_in,
    watched_page_in,
)
from tests.browser.test_offline_app import wait_until_kept
from tests.factories import PASSWORD
from tests.members.logger_helpers import started_workout, step

SAVED = "Saved on this phone"


@pytest.fixture
def workout(member, trainer):
    """Alex on the routine, with this week's session started."""
    seed_ground_up_routine()
    return started_workout(member, trainer)


def open_session(page, site, workout, *, kept=False):
    """Alex signs in and opens the session's logger; with ``kept``, once the
    worker keeps it for offline."""
    sign_in(page, site, workout.member.email)
    path = f"/me/sessions/{workout.pk}/"
    page.goto(site + path)
    if kept:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # the first visit registers the worker; this one it keeps
        wait_until_kept(page, path)
    return path


def card(page, workout, name):
    return page.locator(f"#step-{step(workout, name)['id']}")


def badge(page):
    return page.get_by_role("status").and_(page.locator("#outbox-badge"))


def one_set_kept(page, site, workout):
    """The session opened with signal, then the Nordic's first set logged with
    none: kept on the phone. Returns its row."""
    open_session(page, site, workout)
    row = card(page, workout, "Regressed reverse Nordic").locator(".set-row").first
    page.context.set_offline(True)
    row.locator(".log-button").click()
    expect(row).to_contain_text(SAVED)
    expect(badge(page)).to_have_text("1 waiting")
    return row


def logged_by_the_server(row):
    """The server's row, in place of the one shown as saved here: one set stored."""
    expect(row).not_to_contain_text(SAVED)
    expect(row).to_have_class(re.compile(r"\bis-logged\b"))
    assert SetLog.objects.count() == 1


# Every action the phone holds, whoever's: its URL and whether it was refused.
STORED = """() => new Promise((resolve) => {
  const open = indexedDB.open("ground-up-outbox");
  open.onsuccess = () => {
    const read = open.result.transaction("actions").objectStore("actions").getAll();
    read.onsuccess = () =>
      resolve(read.result.map((a) => ({ url: a.url, refused: a.refused || null })));
  };
})"""


def all_sent(page):
    """The queue is empty: nothing waits, and what the badge said is gone or "Sent"."""
    expect(page.locator("#outbox-badge")).not_to_have_text(re.compile("waiting"))
    page.wait_for_function(
        f"async () => (await ({STORED})()).every((action) => action.refused)", polling=200
    )


@pytest.mark.django_db(transaction=True)
def test_a_session_logged_with_no_signal_is_kept_and_sent_once_when_it_returns(
    watched_page, site, workout, member, trainer
):
    page = watched_page
    open_session(page, site, workout, kept=True)
    nordic = card(page, workout, "Regressed reverse Nordic")
    rows = nordic.locator(".set-row")

    page.context.set_offline(True)
    nordic.get_by_role("button", name=re.compile("^Easier")).click()
    expect(nordic.locator(".knob-form")).to_contain_text(SAVED)
    expect(nordic.locator(".knob-now strong")).to_have_text("light")  # as the server will
    rows.nth(0).locator(".log-button").click()
    expect(rows.nth(0)).to_contain_text(SAVED)
    expect(rows.nth(0)).to_have_class(re.compile(r"\bis-logged\b"))
    # Focus moves on to the next set, as after a real answer.
    expect(rows.nth(1).locator(".log-button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(rows.nth(1)).to_contain_text(SAVED)
    expect(nordic.locator(".group-count")).to_have_text("2 of 2 sets")
    expect(page.locator("#session-progress label")).to_have_text("2 of 18 sets done")

    # Pain: the stop-and-see-a-doctor guidance at once, from the page itself.
    nordic.get_by_text("Pain during Regressed reverse Nordic?", exact=True).click()
    nordic.get_by_role("radio", name="2", exact=True).check()
    nordic.get_by_role("button", name="Stop this exercise").click()
    stopped = nordic.get_by_role("alert").filter(has_text="Stopped: pain 2/10")
    expect(stopped).to_contain_text("see a doctor")
    expect(stopped).to_contain_text("your trainer has not been told yet")
    # The button tapped is gone: focus goes on to the session's next set.
    expect(page.locator(".set-row .log-button:focus")).to_have_count(1)

    # The walk's only set: the card asks "any pain during it?", None in one tap.
    walking = card(page, workout, "Backwards walking")
    walking.locator(".log-button").click()
    expect(walking.get_by_role("button", name="None")).to_be_focused()
    page.keyboard.press("Enter")
    expect(walking.locator(".pain-ask")).to_contain_text(f"No pain: {SAVED.lower()}")

    page.get_by_role("button", name="Finish session").click()
    expect(page.locator(".finish-form")).to_contain_text(SAVED)
    expect(badge(page)).to_have_text("7 waiting")
    assert SetLog.objects.count() == 0 and not PainFlag.objects.exists()
    assert_accessible(page)

    # Reopened with no signal: the worker's copy, with what waits shown on it.
    page.reload()
    expect(badge(page)).to_have_text("7 waiting")
    expect(rows.nth(0)).to_contain_text(SAVED)
    expect(rows.nth(1)).to_contain_text(SAVED)
    expect(nordic.get_by_role("alert").filter(has_text="Stopped: pain 2/10")).to_be_visible()
    expect(walking.locator(".pain-ask")).to_contain_text(f"No pain: {SAVED.lower()}")

    page.context.set_offline(False)
    # The finish lands: the page is the session's summary, from the server.
    expect(page.get_by_role("heading", name="Session partly done")).to_be_visible()
    all_sent(page)
    nordic_id = step(workout, "Regressed reverse Nordic")["id"]
    walking_id = step(workout, "Backwards walking")["id"]
    assert SetLog.objects.filter(step_id=nordic_id).count() == 2
    assert SetLog.objects.filter(step_id=walking_id).get().seconds == 600
    assert SetLog.objects.count() == 3
    assert KnobSetting.objects.get(exercise__name="Regressed reverse Nordic").level == "light"
    assert PainFlag.objects.get().level == 2
    assert EmailDelivery.objects.filter(kind=EmailDelivery.Kind.PAIN_ALERT).count() == 1
    finished = Workout.objects.get()
    assert finished.is_finished and finished.pain_after == {str(walking_id): 0}
    assert ActionKey.objects.count() == 7

    # The trainer sees what the phone sent: the dashboard and the member's page agree.
    desk = page.context.browser.new_context(viewport=PHONE).new_page()
    signed_in(desk, site, trainer.email, lands_on="/trainer/")
    first = desk.locator(".attention-item").first
    expect(first.locator(".attention-name")).to_have_text(member.display_name)
    expect(first).to_contain_text("Pain 2/10 on Regressed reverse Nordic")
    first.locator(".attention-name").click()
    expect(desk.locator(".pain-item").first).to_contain_text("2/10")
    expect(desk.locator(".pain-item").first).to_contain_text("Regressed reverse Nordic")
    desk.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_signal_dropping_and_returning_three_times_loses_and_doubles_nothing(
    watched_page, site, workout
):
    page = watched_page
    open_session(page, site, workout)
    curl = card(page, workout, "Single-leg hamstring curl")
    rows = curl.locator(".set-row")
    for turn in range(3):
        page.context.set_offline(True)
        rows.nth(2 * turn).locator(".log-button").click()
        expect(rows.nth(2 * turn)).to_contain_text(SAVED)
        expect(badge(page)).to_have_text("1 waiting")
        page.context.set_offline(False)
        expect(badge(page)).to_have_text("Sent")
        # The server's row replaces the one shown as saved here.
        expect(rows.nth(2 * turn)).not_to_contain_text(SAVED)
        expect(rows.nth(2 * turn)).to_have_class(re.compile(r"\bis-logged\b"))
        rows.nth(2 * turn + 1).locator(".log-button").click()
        expect(rows.nth(2 * turn + 1)).to_have_class(re.compile(r"\bis-logged\b"))
    expect(curl.locator(".group-count")).to_have_text("6 of 6 sets")
    expect(page.locator("#session-progress label")).to_have_text("6 of 18 sets done")
    assert SetLog.objects.count() == 6


@pytest.fixture
def routed_page(browser, viewport):
    """A watched page with no service worker: ``page.route`` cannot see a
    request the worker lets through, and when the worker takes the page is a
    matter of timing."""
    with watched_page_in(browser.new_context(viewport=viewport, service_workers="block")) as page:
        yield page


@pytest.mark.django_db(transaction=True)
def test_a_set_whose_answer_was_lost_is_sent_again_and_stored_once(routed_page, site, workout):
    page = routed_page
    open_session(page, site, workout)
    lost = []

    def save_then_lose_the_answer(route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch())  # the server saves the set...
        route.abort()  # ...and the phone never hears

    page.route("**/sets/", save_then_lose_the_answer)
    row = card(page, workout, "Regressed reverse Nordic").locator(".set-row").first
    with page.watch.expecting("htmx:sendError", "htmx:afterRequest", "Failed to load resource"):
        row.locator(".log-button").click()
        expect(badge(page)).to_have_text("Sent")
    assert lost and lost[0].status == 200
    expect(row).not_to_contain_text(SAVED)
    expect(row).to_have_class(re.compile(r"\bis-logged\b"))
    assert SetLog.objects.count() == 1
    assert ActionKey.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_expired_sign_in_keeps_the_queue_until_the_member_signs_in_again(
    watched_page, site, workout, member
):
    page = watched_page
    row = one_set_kept(page, site, workout)
    page.context.clear_cookies(name="sessionid")
    page.context.set_offline(False)

    again = page.get_by_role("link", name="Sign in again to send 1 saved action")
    expect(again).to_be_visible()
    expect(badge(page)).to_have_text("1 waiting")  # kept, not dropped
    assert not SetLog.objects.exists()
    again.click()
    # The sign-in page, loaded while the kept pages are refreshed behind it:
    # on a busy machine that can take longer than the usual wait.
    expect(page.get_by_label("Email")).to_be_visible(timeout=20_000)
    page.get_by_label("Email").fill(member.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(site + f"/me/sessions/{workout.pk}/")
    all_sent(page)
    logged_by_the_server(row)


@pytest.mark.django_db(transaction=True)
def test_a_queued_action_the_session_refuses_is_listed_with_its_reason(
    watched_page, site, workout, member, browser
):
    page = watched_page
    row = one_set_kept(page, site, workout)
    second = row.locator("xpath=following-sibling::form[contains(@class, 'set-row')][1]")
    second.locator(".log-button").click()
    expect(badge(page)).to_have_text("2 waiting")

    # Meanwhile the session is finished on another phone.
    with watched_page_in(browser.new_context(viewport=PHONE)) as other:
        sign_in(other, site, member.email)
        other.goto(site + f"/me/sessions/{workout.pk}/")
        other.get_by_role("button", name="Finish session").click()
        expect(other.get_by_role("heading", name="Session partly done")).to_be_visible()

    refused = page.locator(".outbox-refused li")
    # (Chromium logs every 4xx answer as a console error: this one is expected.)
    with page.watch.expecting(r"409 \(Conflict\)"):
        page.context.set_offline(False)
        expect(refused).to_have_count(1)
    # Both taps, refused for one reason: one line to read, naming both.
    expect(refused.get_by_role("alert")).to_have_text(
        "Not saved: This session is finished. Reopen it to change it."
    )
    expect(refused.locator(".outbox-what")).to_contain_text("2 actions from")
    expect(row).to_contain_text("Not saved: This session is finished.")
    expect(badge(page)).not_to_have_text(re.compile("waiting"))
    assert_accessible(page)
    assert not SetLog.objects.exists()
    # Read, and put away: it stays listed until then, on every page.
    page.goto(site + "/me/")
    expect(page.locator(".outbox-refused li")).to_have_count(1)
    page.get_by_role("button", name="Got it").click()
    expect(page.locator(".outbox-refused li")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_an_online_tap_the_session_refuses_says_why_at_the_row(watched_page, site, workout):
    page = watched_page
    open_session(page, site, workout)
    row = card(page, workout, "Regressed reverse Nordic").locator(".set-row").first
    Workout.objects.filter(pk=workout.pk).update(finished_at="2026-01-01T00:00:00Z")
    with page.watch.expecting(r"409 \(Conflict\)"):
        row.locator(".log-button").click()
        expect(page.locator("#logger-messages").get_by_role("alert")).to_have_text(
            "This session is finished. Reopen it to change it."
        )
    expect(row).to_contain_text("Not saved: This session is finished.")
    assert not SetLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_stale_csrf_token_is_renewed_and_the_queue_sent(watched_page, site, workout):
    page = watched_page
    row = one_set_kept(page, site, workout)
    # The CSRF cookie is gone (a browser's clean-up): the page's token no longer matches.
    page.context.clear_cookies(name="csrftoken")
    with page.watch.expecting(r"403 \(Forbidden\)"):
        page.context.set_offline(False)
        expect(badge(page)).to_have_text("Sent")
    logged_by_the_server(row)


@pytest.mark.django_db(transaction=True)
def test_another_member_on_the_same_phone_never_sees_or_sends_the_queue(
    watched_page, site, workout, member, second_member
):
    page = watched_page
    one_set_kept(page, site, workout)
    page.context.clear_cookies(name="sessionid")
    page.context.set_offline(False)
    expect(page.get_by_role("link", name=re.compile("^Sign in again"))).to_be_visible()

    # Alex's sign-in lapsed; Sam signs in on the same phone.
    sign_in(page, site, second_member.email)
    expect(page.locator("#outbox-badge")).to_have_text("")
    expect(page.locator("#outbox-notes")).to_be_empty()
    page.goto(site + "/me/program/")
    expect(page.locator("#outbox-badge")).to_have_text("")
    # Alex's action is still on the phone, neither sent nor refused.
    assert page.evaluate(STORED) == [{"url": f"/me/sessions/{workout.pk}/sets/", "refused": None}]
    assert not SetLog.objects.exists()

    # Alex again: the queue is Alex's, and goes.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site, member.email)
    all_sent(page)
    expect(page.locator("#outbox-badge")).to_have_text(re.compile("^(Sent)?$"))
    assert SetLog.objects.get().workout_id == workout.pk
