"""Browser tests: pytest-playwright on the system Chromium, against ``live_server``.

Screen size: every test runs once, at phone size (``PHONE``, 390x844), the
size members use. A test about layout (what is on the first screen, what
folds away, what fits) is marked ``@pytest.mark.layout`` and runs twice,
as ``[phone-...]`` and ``[desktop-...]``. A module whose pages are used at a
desk (the admin) overrides the ``viewport`` fixture with ``DESKTOP``.

When no Chromium is installed (outside CI) the tests are skipped, and the
end of the run says so in red, with or without pytest-xdist."""

import contextlib
import datetime as dt
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from members.models import User
from members.nudges import services as nudges
from tests.conftest import NO_CHROMIUM, find_chromium
from tests.factories import PASSWORD, put_on_block

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# As long as a page's actions wait (below): Playwright's own 5 s for what a
# page should come to show is short on a loaded 2-core CI machine, where the
# page kept for a phone with no signal took longer than that to fill in.
WAIT_MS = 8_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": find_chromium(),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def viewport():
    """The screen size of the test's page: a phone unless the test says otherwise."""
    return PHONE


def pytest_generate_tests(metafunc):
    """A ``layout`` test runs at phone size and at desktop size."""
    if metafunc.definition.get_closest_marker("layout") and "viewport" in metafunc.fixturenames:
        metafunc.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    return {**browser_context_args, "viewport": viewport}


@pytest.fixture
def page(page):
    """Fail in seconds, not Playwright's default thirty, when something is missing."""
    page.set_default_timeout(WAIT_MS)
    return page


@pytest.fixture
def site(live_server, clear_cache):
    """The live server's base URL, with rate-limit counters cleared."""
    return live_server.url


@pytest.fixture
def todays_reminder(member, trainer, mailoutbox):
    """The member's reminder of today's session (the first of a block of
    two days a week from today), queued at seven as the scheduler would."""
    today = timezone.localdate()
    put_on_block(
        member,
        trainer=trainer,
        start_date=today,
        weekdays=[today.weekday(), (today.weekday() + 3) % 7],
    )
    seven = timezone.make_aware(dt.datetime.combine(today, settings.REMINDER_TIME))
    nudges.queue_due(max(timezone.now(), seven))
    (reminder,) = mailoutbox
    return reminder


def sign_in(page, site, email, *, password=PASSWORD, lands_on="/me/"):
    """Sign in through allauth's form, as a person would. For the journeys
    about accounts; a test about something else starts ``signed_in``."""
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(site + lands_on)


def signed_in(page, site, email, *, lands_on="/me/"):
    """Open ``lands_on`` as the person with ``email``, already signed in: a
    session made on the server (the test client's ``force_login``), its
    cookie handed to the browser. A third of the time of the form, which
    the account journeys go through (``sign_in``). The session holds no
    record of a password typed, so a page that asks for it again
    (allauth's reauthentication) asks here too."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site,
            }
        ]
    )
    page.goto(site + lands_on)
    expect(page).to_have_url(site + lands_on)


_axe = Axe()


def assert_accessible(page):
    """axe-core finds no serious or critical violation on the page as it is now.

    axe-core is put in a document once, and only its violations come back:
    the whole result (every rule that passed, with its nodes) took longer to
    hand over than the checks took to run."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)"
    )
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in violations
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not serious, f"axe on {page.url}:\n" + "\n".join(serious)


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if not browser_items or find_chromium():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            "CI must run the browser tests, but no Chromium was found "
            "(apt-get install -y chromium)."
        )
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in browser_items:
        item.add_marker(skip)


# Installed by Playwright before any of the page's own scripts, in every
# document the page opens. DevTools-injected scripts are not subject to the
# page's Content-Security-Policy (no nonce needed, no report), so the app's
# templates keep no test-only script. ``watched_page`` checks that it ran.
_WATCH_SCRIPT = """
(() => {
  if (window.__groundUpWatch) return;
  window.__groundUpWatch = true;
  const report = (kind, text) => {
    try { window.__groundUpReport(kind, String(text)); } catch (e) {}
  };
  // Every htmx event with "error" in its name (htmx:oobErrorNoTarget,
  // htmx:swapError, htmx:targetError, htmx:responseError, ...): htmx fires
  // them with dispatchEvent on the element concerned, so wrapping it sees
  // them all, names not yet invented included.
  const dispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (event) {
    // (htmx fires each twice, camelCase and kebab-case: count it once.)
    if (event && /^htmx:[^-]*error/i.test(event.type) && event.type !== "htmx:error") {
      const detail = event.detail || {};
      const where = detail.target && detail.target.id ? "#" + detail.target.id
        : (detail.content && detail.content.id ? "#" + detail.content.id : "");
      report("htmx", event.type + (where ? " " + where : ""));
    }
    return dispatch.call(this, event);
  };
  document.addEventListener("securitypolicyviolation", (event) => {
    report("csp", event.violatedDirective + " blocked " + (event.blockedURI || "inline")
      + " at " + event.sourceFile + ":" + event.lineNumber);
  }, true);
})();
"""


class PageWatch:
    """What went wrong on the page: console errors, uncaught exceptions, htmx
    error events and CSP violations, each as ``(kind, text)``."""

    def __init__(self, page):
        self.page = page
        self.problems: list[tuple[str, str]] = []
        self._tolerated: list[re.Pattern] | None = None
        self._seen_in_block: list[tuple[str, str]] = []
        page.expose_function("__groundUpReport", self._record)
        page.add_init_script(script=_WATCH_SCRIPT)
        page.on("console", lambda message: self._console(message))
        page.on("pageerror", lambda error: self._record("pageerror", str(error)))

    def _console(self, message):
        if message.type == "error":
            self._record("console", message.text)

    def _record(self, kind, text):
        problem = (kind, text)
        if self._tolerated is not None and any(p.search(text) for p in self._tolerated):
            self._seen_in_block.append(problem)
            return
        self.problems.append(problem)

    @contextlib.contextmanager
    def expecting(self, *patterns: str):
        """Inside the block, problems matching one of ``patterns`` are expected
        (a request the test breaks on purpose), and the first must occur;
        anything else still counts."""
        self._tolerated = [re.compile(p) for p in patterns]
        self._seen_in_block = []
        try:
            yield self._seen_in_block
        finally:
            self._tolerated = None
        seen = self._seen_in_block
        assert any(re.search(patterns[0], text) for _, text in seen), (
            f"expected {patterns[0]!r}, saw {seen}"
        )

    def assert_clean(self):
        assert self.problems == [], "problems on the page:\n" + "\n".join(
            f"  {kind}: {text}" for kind, text in self.problems
        )

    def assert_watching(self):
        """The init script ran in the current document, under its CSP."""
        assert self.page.evaluate("window.__groundUpWatch === true")


@contextlib.contextmanager
def watched_page_in(context):
    """A watched page in a browser context the test made itself (its own
    profile, no service worker...), checked like ``watched_page``, then closed."""
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.watch = PageWatch(page)
    try:
        yield page
        page.watch.assert_clean()
    finally:
        context.close()


@pytest.fixture
def watched_page(page):
    """A page that fails the test (at teardown, or sooner with
    ``watch.assert_clean()``) on any console error, uncaught exception,
    ``htmx:*Error`` event or CSP violation. Use ``page.watch.expecting(...)``
    around a request the test breaks on purpose."""
    watch = PageWatch(page)
    page.watch = watch
    yield page
    if not page.is_closed() and page.url.startswith("http"):
        watch.assert_watching()
    watch.assert_clean()
