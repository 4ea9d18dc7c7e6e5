"""The installable app on a phone: Chromium finds nothing stopping its
install, and after one visit with signal the member's Today, routine guide,
Program and open session open with none. Nothing of a trainer's or of a
signed-out visitor is kept, signing out drops every kept page, and the next
member on the same phone never sees the last one's."""

import re
import socket
import threading

import pytest
from playwright.sync_api import expect

from routines.seed import ROUTINE_SLUG, seed_ground_up_routine
from tests.browser.conftest import sign_in, watched_page_in
from tests.members.logger_helpers import started_workout

# What the worker keeps, read in the page: every cached URL's path, by cache.
KEPT = """async () => {
  const kept = {};
  for (const name of await caches.keys()) {
    const requests = await (await caches.open(name)).keys();
    kept[name] = requests.map((request) => new URL(request.url).pathname);
  }
  return kept;
}"""


def kept_pages(page) -> list[str]:
    """The pages (not static files) the worker keeps, whoever's they are."""
    kept = page.evaluate(KEPT)
    pages = [paths for name, paths in kept.items() if name.startswith("pages-")]
    return sorted(path for paths in pages for path in paths)


def wait_until_kept(page, *paths, timeout_ms=20_000):
    """Waits until the worker has kept ``paths`` (it does so after answering).

    The polling runs inside one ``evaluate``, which awaits it: Playwright's
    ``wait_for_function`` does not await a predicate's promise, and a promise
    is truthy, so it would return at once, before anything is kept. The wait
    is long: on a loaded machine the worker's fetches of four pages, one
    after another, took more than eight seconds."""
    page.evaluate(
        """async ([paths, timeout]) => {
          const deadline = Date.now() + timeout;
          for (;;) {
            const names = (await caches.keys()).filter((name) => name.startsWith("pages-"));
            const kept = [];
            for (const name of names) {
              for (const request of await (await caches.open(name)).keys()) {
                kept.push(new URL(request.url).pathname);
              }
            }
            const missing = paths.filter((path) => !kept.includes(path));
            if (!missing.length) return;
            if (Date.now() > deadline) throw new Error("never kept: " + missing.join(" "));
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }""",
        [list(paths), timeout_ms],
    )


KEPT_COPY = """async (path) => {
  for (const name of await caches.keys()) {
    if (!name.startsWith("pages-")) continue;
    const response = await (await caches.open(name)).match(path);
    if (!response) continue;
    return {header: response.headers.get("X-Offline-Page"), body: await response.text()};
  }
  return null;
}"""


class SignalDrop:
    """A server that answers any request with a page's headers and the first
    half of its body, then holds the line until ``cut()`` closes it: the
    download a phone starts with signal and loses halfway."""

    def __init__(self, headers: dict[str, str], body: bytes):
        self.head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.head += f"Content-Length: {len(body)}\r\n\r\n"
        self.half = body[: len(body) // 2]
        self.streaming = threading.Event()
        self._cut = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                request += connection.recv(4096)
            connection.sendall(self.head.encode() + self.half)
            self.streaming.set()
            self._cut.wait(30)

    def cut(self):
        self._cut.set()
        self._listener.close()


def visit_today_online(page, site):
    """Today with signal, once the worker is running: it keeps what Today names."""
    page.goto(site + "/me/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The first visit registers the worker; the next is the one it sees.
    page.reload()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


@pytest.fixture
def on_a_session(member, trainer):
    """Alex on the routine, with this week's session started."""
    seed_ground_up_routine()
    return started_workout(member, trainer)


@pytest.fixture
def installing_page(browser_type, browser_type_launch_args, viewport, tmp_path):
    """A watched page in a browser profile of its own, as on a phone: Chromium
    never offers to install from an incognito context, which Playwright's
    contexts are."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, viewport=viewport
    )
    with watched_page_in(context) as page:
        yield page


@pytest.mark.django_db(transaction=True)
def test_chromium_finds_nothing_stopping_the_install(installing_page, site, on_a_session, member):
    page = installing_page
    sign_in(page, site, member.email)
    visit_today_online(page, site)
    # The worker is registered for the whole site and runs the page.
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)") == site + "/"
    controller = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    assert controller == site + "/sw.js"
    manifest = page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest == "/manifest.webmanifest"
    cdp = page.context.new_cdp_session(page)
    answer = cdp.send("Page.getInstallabilityErrors")
    assert answer["installabilityErrors"] == []
    (app_manifest,) = [cdp.send("Page.getAppManifest")]
    assert app_manifest["url"].endswith("/manifest.webmanifest")
    assert not app_manifest["errors"], app_manifest["errors"]


@pytest.mark.django_db(transaction=True)
def test_today_the_guide_program_and_the_open_session_open_with_no_signal(
    watched_page, site, on_a_session, member
):
    page = watched_page
    workout = f"/me/sessions/{on_a_session.pk}/"
    guide = f"/routines/{ROUTINE_SLUG}/"
    # The worker's background fetches say so, so they leave one-time messages
    # for the page the member has open (clubsite.pwa.KEEP_HEADER).
    keeping = []
    page.context.on(
        "request",
        lambda request: (
            keeping.append(request.headers.get("x-offline-keep"))
            if request.service_worker and request.url.endswith("/me/program/")
            else None
        ),
    )
    sign_in(page, site, member.email)
    visit_today_online(page, site)
    wait_until_kept(page, "/me/", "/me/program/", guide, workout)
    assert keeping and set(keeping) == {"1"}

    page.context.set_offline(True)
    page.goto(site + "/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi, Alex Rivera")
    page.get_by_role("link", name=re.compile(r"^Continue session")).click()
    expect(page).to_have_url(site + workout)
    expect(page.locator(".set-row").first).to_be_visible()
    # The logger's own script runs from the kept shell: the timer is shown.
    expect(page.get_by_role("button", name="Start timer").first).to_be_visible()
    page.goto(site + guide)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reversing Foot")
    page.goto(site + "/me/program/")
    expect(page.get_by_role("link", name="Program")).to_have_attribute("aria-current", "page")
    # The site's stylesheet came from the shell: the header has its colour.
    header = page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(7, 63, 51)"

    # A page never visited with signal: the offline page, in the site's layout.
    page.goto(site + "/me/history/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This page needs a connection")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(7, 63, 51)"
    page.context.set_offline(False)


@pytest.mark.django_db(transaction=True)
def test_trainer_and_signed_out_pages_are_never_kept(
    watched_page, site, on_a_session, member, trainer
):
    page = watched_page
    sign_in(page, site, member.email)
    visit_today_online(page, site)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(site + "/")
    # Signed-out pages, under the same worker.
    page.goto(site + "/accounts/login/")
    page.goto(site + "/contact/")
    sign_in(page, site, trainer.email, lands_on="/trainer/")
    page.goto(site + f"/trainer/members/{member.pk}/")
    page.goto(site + f"/routines/{ROUTINE_SLUG}/")
    page.wait_for_load_state("networkidle")
    assert kept_pages(page) == []

    page.context.set_offline(True)
    for path in ["/trainer/", f"/routines/{ROUTINE_SLUG}/", "/contact/", "/"]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("This page needs a connection")
    page.context.set_offline(False)


@pytest.mark.django_db(transaction=True)
def test_signing_out_drops_every_kept_page(watched_page, site, on_a_session, member):
    page = watched_page
    sign_in(page, site, member.email)
    visit_today_online(page, site)
    wait_until_kept(page, "/me/", f"/me/sessions/{on_a_session.pk}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(site + "/")
    assert kept_pages(page) == []
    # The shell stays: static files and the offline page are nobody's.
    assert any(name.startswith("shell-") for name in page.evaluate(KEPT))

    page.context.set_offline(True)
    page.goto(site + "/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This page needs a connection")
    page.context.set_offline(False)


@pytest.mark.django_db(transaction=True)
def test_the_next_member_on_the_phone_never_sees_the_last_ones_pages(
    watched_page, site, on_a_session, member, second_member, trainer
):
    page = watched_page
    alex_workout = f"/me/sessions/{on_a_session.pk}/"
    sign_in(page, site, member.email)
    visit_today_online(page, site)
    wait_until_kept(page, "/me/", alex_workout)

    # Alex's session runs out without signing out; Jordan signs in on the same phone.
    # (Only the session cookie goes, as when it expires: clearing the CSRF
    # cookie too would let a keep run still under way set a new one between
    # the sign-in page and its post, and refuse the form.)
    page.context.clear_cookies(name="sessionid")
    started_workout(second_member, trainer)
    sign_in(page, site, second_member.email)
    visit_today_online(page, site)
    wait_until_kept(page, "/me/")
    assert alex_workout not in kept_pages(page)

    page.context.set_offline(True)
    page.goto(site + "/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi, Jordan Lee")
    page.goto(site + alex_workout)
    expect(page.get_by_role("heading", level=1)).to_have_text("This page needs a connection")
    expect(page.get_by_text("Alex")).to_have_count(0)
    page.context.set_offline(False)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_cut_off_by_the_signal_leaves_the_kept_page(
    watched_page, site, on_a_session, member
):
    """Each visit to Today refreshes the kept session page. When the signal
    drops halfway through that download, the copy kept before stays whole and
    opens offline: the member is about to need it."""
    page = watched_page
    workout = f"/me/sessions/{on_a_session.pk}/"
    sign_in(page, site, member.email)
    visit_today_online(page, site)
    wait_until_kept(page, workout)
    kept = page.evaluate(KEPT_COPY, workout)
    assert "set-row" in kept["body"]

    # The next refresh of the session page gets its headers and half its body.
    drop = SignalDrop(
        {"Content-Type": "text/html; charset=utf-8", "X-Offline-Page": kept["header"]},
        kept["body"].encode(),
    )

    def refresh(route):
        if route.request.service_worker is not None:
            route.continue_(url=drop.url)
        else:
            route.continue_()

    page.context.route(site + workout, refresh)
    page.goto(site + "/me/")
    # Playwright runs the route above while this thread waits in Playwright.
    for _ in range(160):
        if drop.streaming.is_set():
            break
        page.wait_for_timeout(50)
    assert drop.streaming.is_set(), "the worker never refreshed the session page"
    drop.cut()
    page.context.unroute(site + workout)

    # Whole: the page as the server rendered it (a CSRF token differs from
    # one rendering to the next), not the half that came before the cut.
    after = page.evaluate(KEPT_COPY, workout)
    assert after is not None, "the cut refresh removed the kept session page"
    assert after["header"] == kept["header"]
    assert after["body"].endswith("</html>\n"), after["body"][-200:]
    page.context.set_offline(True)
    page.goto(site + workout)
    expect(page.locator(".set-row").first).to_be_visible()
    expect(page.get_by_role("button", name="Start timer").first).to_be_visible()
    page.context.set_offline(False)
