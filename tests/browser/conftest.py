import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import find_chromium
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    return {**browser_context_args, "viewport": viewport}


@pytest.fixture
def page(page):
    """Fail in seconds, not Playwright's default thirty, when something is missing."""
    page.set_default_timeout(8_000)
    return page


@pytest.fixture
def site(live_server, clear_cache):
    """The live server's base URL, with rate-limit counters cleared."""
    return live_server.url


def sign_in(page, site, email, *, password=PASSWORD, lands_on="/me/"):
    """Sign in through allauth's form, as a person would."""
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(site + lands_on)


_axe = Axe()


def assert_accessible(page):
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = _axe.run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
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
    config._ground_up_browser_skipped = len(browser_items)
    skip = pytest.mark.skip(reason="no Chromium: apt-get install -y chromium")
    for item in browser_items:
        item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = getattr(config, "_ground_up_browser_skipped", 0)
    if skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{skipped} browser tests did not run: no Chromium at /usr/bin/chromium.\n"
            "Install Debian's Chromium with `sudo apt-get install -y chromium` and run "
            "`make test` again. CI always runs them.",
            red=True,
        )
