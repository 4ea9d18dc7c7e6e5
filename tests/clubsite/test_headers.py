"""The security headers every page carries, over HTTPS as in production, and
the cookies a real sign-in sets."""

import pytest

from tests.clubsite.test_pages import PERSONAS, html_pages
from tests.factories import PASSWORD


def assert_secure_headers(response, path):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    assert "frame-ancestors 'none'" in csp, path
    assert headers.get("X-Frame-Options") == "DENY", path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") == "same-origin", path
    assert headers.get("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    ), path


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_carries_the_security_headers(client, persona, request):
    checked = 0
    for path, response in html_pages(client, persona, request, secure=True):
        assert_secure_headers(response, path)
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_signing_in_sets_only_secure_http_only_cookies(client, member):
    page = client.get("/accounts/login/", secure=True)
    assert_secure_headers(page, "/accounts/login/")
    response = client.post(
        "/accounts/login/", {"login": member.email, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    session, csrf = response.cookies["sessionid"], response.cookies["csrftoken"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    # The CSRF cookie is never sent over plain HTTP either; htmx takes the
    # token from the page, not from the cookie.
    assert csrf["secure"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_only_this_site_may_frame_the_guide(client, trainer):
    """The routine's admin page shows the member's guide beside the form, so
    the guide may be framed by this origin; no other page may be framed."""
    client.force_login(trainer)
    guide = client.get("/routines/reversing-foot-ankle-and-knee-pain/", secure=True)
    assert guide.status_code == 200
    csp = guide.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "'nonce-" in csp
    assert guide.headers["X-Frame-Options"] == "SAMEORIGIN"
    listing = client.get("/routines/", secure=True)
    assert_secure_headers(listing, "/routines/")
    # Framed as the admin's preview it is the guide alone, without the site's nav.
    framed = client.get("/routines/reversing-foot-ankle-and-knee-pain/?preview", secure=True)
    assert 'aria-label="Main"' not in framed.text and 'aria-label="Main"' in guide.text
