"""The installable app on the server's side: the manifest and its icons, the
service worker's script and headers, the offline page, and which answers the
worker may keep (``X-Offline-Page``): a member's Today, Program, routine guide
and logger, never a trainer's, a visitor's, allauth's or a download."""

import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from PIL import Image

from clubsite.pwa import OFFLINE_HEADER, SHELL, offline_key, static_version
from routines.seed import ROUTINE_SLUG, seed_ground_up_routine
from tests.clubsite.test_pages import assert_csp_clean
from tests.members.logger_helpers import started_workout

CSS_VARIABLE = re.compile(r"--([a-z-]+):\s*(#[0-9a-f]{6});")


def site_colours() -> dict[str, str]:
    with open(finders.find("css/site.css")) as css:
        return dict(CSS_VARIABLE.findall(css.read()))


def worker_config(script: str) -> dict:
    """What the view wrote into the worker: its CONFIG object."""
    return json.loads(re.search(r"const CONFIG = (\{.*?\n\});", script, re.DOTALL).group(1))


def png_size(path: str) -> tuple[int, int]:
    with open(finders.find(path), "rb") as picture:
        image = Image.open(io.BytesIO(picture.read()))
        assert image.format == "PNG"
        return image.size


def test_the_manifest_says_what_installing_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Ground Up"
    assert manifest["short_name"] == "Ground Up"
    assert manifest["start_url"] == manifest["id"] == "/me/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    colours = site_colours()
    assert manifest["theme_color"] == colours["brand-dark"]
    assert manifest["background_color"] == colours["paper"]
    icons = {(icon["sizes"], icon["purpose"]): icon for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _), icon in icons.items():
        assert icon["type"] == "image/png"
        path = icon["src"].removeprefix("/static/")
        width, height = png_size(path)
        assert f"{width}x{height}" == sizes, path


def test_the_iphone_icon_is_180_pixels_with_no_transparency():
    assert png_size("img/apple-touch-icon.png") == (180, 180)
    with open(finders.find("img/apple-touch-icon.png"), "rb") as picture:
        assert Image.open(picture).mode == "RGB"


def test_the_worker_is_served_from_the_root_and_asked_for_again_each_time(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    config = worker_config(script)
    assert config["version"] == static_version()
    assert config["header"] == OFFLINE_HEADER
    assert config["logout"] == "/accounts/logout/"
    # The shell it keeps is the site's own files, every one of them there.
    assert "/offline/" in config["shell"] and "/manifest.webmanifest" in config["shell"]
    for path in SHELL:
        assert f"/static/{path}" in config["shell"]
        assert finders.find(path), path
    # Django templates left nothing unrendered in it.
    assert "{{" not in script and "{%" not in script


@pytest.mark.parametrize("debug", [False, True])
def test_the_shell_keeps_every_script_the_layout_loads(client, settings, debug):
    """``{% htmx_script %}`` loads django-htmx's helper too when debug is on
    (``make run``): a page kept without it would log a failed load offline."""
    settings.DEBUG = debug
    shell = worker_config(client.get("/sw.js").content.decode())["shell"]
    assert ("/static/django_htmx/django-htmx.js" in shell) is debug
    page = client.get("/accounts/login/").content.decode()
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    assert "/static/js/pwa.js" in scripts
    assert set(scripts) <= set(shell)


def test_a_deploy_that_changes_a_static_file_changes_the_worker(client, tmp_path):
    manifest_storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    manifest = tmp_path / "staticfiles.json"
    paths = {path: path.replace(".", ".0123456789ab.", 1) for path in SHELL}
    manifest.write_text(json.dumps({"version": "1.1", "paths": paths}))
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=manifest_storage):
        before = client.get("/sw.js").content.decode()
        # The shell is named by its hashed names: cache-first, safely.
        assert "/static/css/site.0123456789ab.css" in before
        paths["img/icon-512.png"] = "img/icon-512.ba9876543210.png"
        manifest.write_text(json.dumps({"version": "1.1", "paths": paths}))
        after = client.get("/sw.js").content.decode()
    assert worker_config(before)["version"] != worker_config(after)["version"]


@pytest.mark.django_db
def test_the_offline_page_names_no_one_and_is_csp_clean(member_client):
    response = member_client.get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This page needs a connection" in html
    # No key: showing it must never make the worker forget the member's pages.
    assert 'name="offline-member"' not in html
    assert "Alex" not in html
    assert OFFLINE_HEADER not in response
    assert_csp_clean(response, "/offline/")


@pytest.mark.django_db
def test_members_pages_link_the_manifest_and_name_the_member(member_client, member):
    html = member_client.get("/me/settings/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in html
    icon = '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">'
    assert icon in html
    assert f'<meta name="offline-member" content="{offline_key(member)}">' in html
    assert re.search(r'<script src="/static/js/pwa\.js" defer></script>', html)


@pytest.mark.django_db
def test_signed_out_and_trainer_pages_name_no_one(client, trainer):
    for path in ["/", "/accounts/login/", "/contact/"]:
        html = client.get(path).content.decode()
        assert '<meta name="offline-member" content="">' in html, path
        assert 'rel="manifest"' not in html, path
    client.force_login(trainer)
    html = client.get("/trainer/").content.decode()
    assert '<meta name="offline-member" content="">' in html


def test_each_member_has_a_key_of_their_own_and_staff_none(db, member, second_member, trainer):
    assert offline_key(member) and offline_key(second_member)
    assert offline_key(member) != offline_key(second_member)
    assert offline_key(member) == offline_key(member)
    assert str(member.pk) != offline_key(member)
    assert offline_key(trainer) == ""


@pytest.fixture
def on_a_session(member, trainer):
    seed_ground_up_routine()
    return started_workout(member, trainer)


@pytest.mark.django_db
def test_the_members_offline_pages_are_marked_as_theirs(client, member, on_a_session):
    client.force_login(member)
    workout = f"/me/sessions/{on_a_session.pk}/"
    pages = ["/me/", "/me/program/", f"/routines/{ROUTINE_SLUG}/", workout]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response[OFFLINE_HEADER] == offline_key(member), path
    # Today names them all, for the phone to keep.
    html = client.get("/me/").content.decode()
    assert f'<meta name="offline-pages" content="{" ".join(pages)}">' in html


@pytest.mark.django_db
def test_today_opens_a_started_session_with_a_link_that_works_offline(
    client, member, on_a_session
):
    client.force_login(member)
    html = client.get("/me/").content.decode()
    link = re.search(r'<a class="button button-big" href="([^"]+)">Continue session \d+</a>', html)
    assert link and link.group(1) == f"/me/sessions/{on_a_session.pk}/"
    assert 'action="/me/sessions/start/"' not in html


@pytest.mark.django_db
def test_nothing_else_is_marked_for_keeping(client, member, trainer, on_a_session):
    for path in ["/", "/accounts/login/", "/contact/", f"/routines/{ROUTINE_SLUG}/", "/me/"]:
        assert OFFLINE_HEADER not in client.get(path), path
    client.force_login(member)
    for path in ["/me/history/", "/me/settings/", "/me/sets.csv", "/me/settings/sets.csv"]:
        assert OFFLINE_HEADER not in client.get(path), path
    client.force_login(trainer)
    for path in ["/trainer/", f"/trainer/members/{member.pk}/", f"/routines/{ROUTINE_SLUG}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert OFFLINE_HEADER not in response, path


@pytest.mark.django_db
def test_signing_out_clears_the_browsers_cache_but_not_its_storage(member_client):
    response = member_client.post("/accounts/logout/")
    assert response.status_code == 302
    # "cache" only: "storage" would wipe the outbox's IndexedDB with it.
    assert response["Clear-Site-Data"] == '"cache"'
    assert "Clear-Site-Data" not in member_client.get("/accounts/logout/")
