"""Every page renders under the strict CSP: no inline script or style, and the
htmx script carries the nonce the header announces."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

NONCE_IN_HEADER = re.compile(r"script-src [^;]*'nonce-([^']+)'")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def parameterless_paths(resolver=None, prefix=""):
    """Every URL of the project that needs no arguments, admin included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or "\\" in route.replace("\\Z", "").rstrip("$"):
            continue
        route = route.lstrip("^").replace("\\Z", "").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from parameterless_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route


PERSONAS = ["anonymous", "member", "trainer", "superuser"]


def html_pages(client, persona, request, **get):
    """(path, response) for each argument-free page that answers ``persona``
    with HTML; a server error on any page fails the test."""
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for path in parameterless_paths():
        response = client.get(path, **get)
        if response.status_code >= 500:
            pytest.fail(f"{persona} GET {path}: {response.status_code}")
        if "html" in response.get("Content-Type", ""):
            yield path, response


def assert_csp_clean(response, path):
    header = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in header, f"{path}: no CSP header"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    html = response.content.decode()
    nonce = NONCE_IN_HEADER.search(header).group(1)
    for attributes, body in SCRIPT_TAG.findall(html):
        if "application/json" in attributes or "application/ld+json" in attributes:
            continue
        if body.strip():
            assert f'nonce="{nonce}"' in attributes, f"{path}: inline script without nonce"
        elif "src=" in attributes and 'nonce="' in attributes:
            assert f'nonce="{nonce}"' in attributes, f"{path}: stale nonce on {attributes}"
    assert not INLINE_STYLE.search(html), f"{path}: style= attribute"
    assert not STYLE_ELEMENT.search(html), f"{path}: <style> element"
    assert not INLINE_HANDLER.search(html), f"{path}: inline event handler"


def test_the_walk_covers_the_pages_that_matter():
    paths = set(parameterless_paths())
    assert {"/", "/me/", "/me/settings/", "/accounts/login/", "/accounts/signup/"} <= paths
    assert "/admin/" in paths


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_is_csp_clean(client, persona, request):
    checked = 0
    for path, response in html_pages(client, persona, request):
        if response.status_code != 200:
            continue
        assert_csp_clean(response, path)
        checked += 1
    assert checked >= 5


@pytest.mark.django_db
def test_htmx_script_carries_the_headers_nonce(member_client):
    response = member_client.get("/me/")
    nonce = NONCE_IN_HEADER.search(response.headers["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    htmx_tag = re.search(r"<script[^>]*htmx[^>]*>", html).group(0)
    assert f'nonce="{nonce}"' in htmx_tag
    # A second request gets a fresh nonce.
    second = member_client.get("/me/")
    assert nonce not in second.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token(member_client):
    html = member_client.get("/me/").content.decode()
    token = member_client.cookies["csrftoken"].value
    assert token
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'>', html)
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html).group(1)
    settings = json.loads(config)
    assert settings["includeIndicatorStyles"] is False
    # Answers with field errors (422) are swapped in; other errors are not.
    assert {"code": "422", "swap": True} in settings["responseHandling"]


@pytest.mark.django_db
def test_error_pages_are_csp_clean_and_friendly(client, member_client):
    response = member_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert_csp_clean(response, "404")


@pytest.mark.django_db
def test_admin_change_pages_are_csp_clean(client, superuser, member):
    client.force_login(superuser)
    for path in [f"/admin/members/user/{member.pk}/change/", "/admin/members/user/?q=alex"]:
        response = client.get(path)
        assert response.status_code == 200
        assert_csp_clean(response, path)
