"""The page watch (``watched_page`` in conftest) sees each kind of problem it
reports, so a browser test's zero problems means something."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_watch_sees_each_kind_of_problem_under_the_pages_csp(watched_page, site):
    """The sweep's zero means something: each kind of problem, made on
    purpose on a page served with the strict CSP, is seen."""
    page = watched_page
    response = page.goto(site + "/accounts/login/")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.watch.assert_watching()  # the init script ran, with no nonce, under that CSP
    # Each made on purpose, each waited for where it happens.
    page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation", resolve, {once: true});
          const script = document.createElement("script");  // no nonce: blocked
          script.textContent = "window.ran = true";
          document.body.append(script);
        })"""
    )
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate("console.error('an error in the console')")
    page.evaluate(
        """() => htmx.swap(document.body, '<p id="nowhere" hx-swap-oob="true">x</p>',
                           {swapStyle: "beforeend"})"""
    )
    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => { throw new Error('uncaught'); })")
    page.evaluate("() => 0")  # a round trip, so reports sent before it have landed
    assert {kind for kind, _ in page.watch.problems} == {"csp", "console", "htmx", "pageerror"}
    assert ("htmx", "htmx:oobErrorNoTarget #nowhere") in page.watch.problems
    assert page.evaluate("window.ran") is None
    page.watch.problems.clear()
