"""Stopping session reminders from the email.

Mail-security scanners open every link in an email before the member reads
it, so opening the link (a GET) only asks; the page's button, or the mail
app's own one-click button (RFC 8058: a POST without cookie or CSRF token),
turns reminders off. The signed token in the link is the only credential."""

import datetime as dt
import re
from html import unescape
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from members.models import Profile
from members.nudges import services as nudges
from tests.factories import UserFactory
from tests.members.nudges.reminders import SPRING_MONDAY, at, block, reminders_to, run_scheduler

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("digest_on_saturdays")]

SITE = settings.SITE_URL
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"


def _reminder(member, trainer):
    block(member, trainer, SPRING_MONDAY)
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    (reminder,) = reminders_to(member)
    return reminder


def _link(member, trainer) -> str:
    """The path of the unsubscribe link in the member's reminder."""
    reminder = _reminder(member, trainer)
    return re.search(rf"{SITE}(/reminders/\S+/off/)", reminder.body).group(1)


def _reminders_on(member) -> bool:
    return Profile.objects.get(user=member).session_reminders


def _form(html: str, button: str) -> tuple[str, dict]:
    """The action and hidden fields of the form holding ``button``, as a
    browser would submit it."""
    for form in re.findall(r"(?s)<form\b.*?</form>", html):
        if f">{button}</button>" in form:
            assert re.search(r'method="post"', form)
            action = unescape(re.search(r'action="([^"]+)"', form).group(1))
            hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
            return action, hidden
    raise AssertionError(f"no form with a {button!r} button")


def test_opening_the_link_changes_nothing_and_asks_first(member, trainer):
    link = _link(member, trainer)
    scanner = Client()

    for _ in range(2):
        page = scanner.get(link)
        assert page.status_code == 200
        assert _reminders_on(member) is True
    assert scanner.head(link).status_code == 405
    assert _reminders_on(member) is True

    html = page.text
    assert "<h1" in html and "Stop reminder emails?" in html
    action, _ = _form(html, "Stop reminder emails")
    assert action == link
    # One clear button: nothing else on the card to press but the way out.
    card = re.search(r'(?s)<section class="card".*?</section>', html).group(0)
    assert card.count("<button") == 1
    assert "style=" not in html and "<script>" not in html
    # The next reminder still comes.
    with at(SPRING_MONDAY + dt.timedelta(days=3), 7, 0):
        run_scheduler()
    assert len(reminders_to(member)) == 2


def test_signed_in_opening_the_link_changes_nothing_either(member, trainer, member_client):
    link = _link(member, trainer)
    assert "Stop reminder emails?" in member_client.get(link).text
    assert _reminders_on(member) is True


def test_the_page_names_the_member_by_first_name_and_masked_email_only(member, trainer):
    html = Client().get(_link(member, trainer)).text
    assert "Alex (a•••@example.com) gets an email at 7:00 am" in html
    assert "Rivera" not in html and "alex@example.com" not in html


def test_without_a_name_the_page_shows_the_masked_email_alone(trainer):
    member = UserFactory(email="sam.lee@example.com", display_name="")
    html = Client().get(_link(member, trainer)).text
    assert "s•••@example.com gets an email" in html
    assert "sam.lee" not in html


def test_the_pages_button_turns_them_off_in_a_fresh_browser(member, trainer):
    link = _link(member, trainer)
    browser = Client(enforce_csrf_checks=True)
    action, hidden = _form(browser.get(link).text, "Stop reminder emails")

    done = browser.post(action, hidden, follow=True)

    assert done.redirect_chain == [(f"/reminders/{link.split('/')[2]}/", 302)]
    assert "Session reminders are off" in done.text
    assert "No more reminder emails to Alex (a•••@example.com)." in done.text
    assert f'<a href="{reverse("members:settings")}">your settings</a>' in done.text
    assert _reminders_on(member) is False
    with at(SPRING_MONDAY + dt.timedelta(days=3), 7, 0):
        run_scheduler()
    assert len(reminders_to(member)) == 1

    # Opened again, the link says they are off; the page turns them back on.
    assert "Session reminders are off" in browser.get(link).text
    action, hidden = _form(done.text, "Turn reminders back on")
    again = browser.post(action, hidden, follow=True)
    assert "Session reminders are on" in again.text
    assert _reminders_on(member) is True


def test_the_mail_apps_one_click_post_needs_no_cookie_or_csrf_token(member, trainer):
    link = _link(member, trainer)
    mail_app = Client(enforce_csrf_checks=True)

    response = mail_app.post(link, ONE_CLICK, content_type=FORM)

    assert response.status_code == 200
    assert "Session reminders are off" in response.text
    assert _reminders_on(member) is False
    # Again, and as multipart/form-data, which RFC 8058 prefers: the same answer.
    assert mail_app.post(link, ONE_CLICK, content_type=FORM).status_code == 200
    assert mail_app.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _reminders_on(member) is False
    # Turning them back on is the page's form, with CSRF.
    assert mail_app.post(link.replace("/off/", "/on/")).status_code == 403
    assert _reminders_on(member) is False


def test_signed_in_the_button_turns_them_off_and_settings_follow(member, trainer, member_client):
    link = _link(member, trainer)
    member_client.post(link)
    page = member_client.get(reverse("members:settings")).text
    assert re.search(r'<input type="checkbox" name="session_reminders"(?![^>]* checked)', page)
    # Turned back on in Settings, the next session's reminder comes.
    member_client.post(
        reverse("members:settings"),
        {
            "display_name": "Alex Rivera",
            "weaker_side": "left",
            "units": "imperial",
            "session_reminders": "on",
        },
    )
    assert _reminders_on(member) is True
    with at(SPRING_MONDAY + dt.timedelta(days=3), 7, 0):
        run_scheduler()
    assert len(reminders_to(member)) == 2


def test_signed_in_as_someone_else_the_button_changes_only_its_member(
    member, second_member, trainer, client
):
    link = _link(member, trainer)
    client.force_login(second_member)
    client.post(link)
    assert _reminders_on(member) is False
    assert Profile.objects.get(user=second_member).session_reminders is True


def test_a_bad_token_is_a_404_and_changes_nothing(member, second_member, trainer):
    link = _link(member, trainer)
    token = link.split("/")[2]
    value, signature = token.split(":", 1)
    assert value == str(member.pk)
    forged = [
        f"{second_member.pk}:{signature}",
        f"{value}:{'A' * len(signature)}",
        f"{value}",
        "not-a-token",
        signing.Signer(salt="another purpose").sign(str(second_member.pk)),
        signing.Signer().sign(str(second_member.pk)),
    ]
    client = Client(enforce_csrf_checks=True)
    for bad in forged:
        for url in (f"/reminders/{bad}/off/", f"/reminders/{bad}/"):
            assert client.get(url).status_code == 404, url
        off = f"/reminders/{bad}/off/"
        assert client.post(off, ONE_CLICK, content_type=FORM).status_code == 404, off
        assert client.post(off).status_code == 404, off
        assert client.post(f"/reminders/{bad}/on/").status_code in (403, 404)
    assert _reminders_on(member) is True
    assert Profile.objects.get(user=second_member).session_reminders is True


def test_an_inactive_accounts_link_is_a_404(member, trainer):
    link = _link(member, trainer)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert Client().post(link, ONE_CLICK, content_type=FORM).status_code == 404
    assert _reminders_on(member) is True


def test_the_email_carries_both_unsubscribe_headers_with_the_absolute_url(member, trainer):
    reminder = _reminder(member, trainer)
    sent = reminder.message()  # the headers as they go over the wire
    url = f"{SITE}/reminders/{nudges.unsubscribe_token(member)}/off/"
    assert sent["List-Unsubscribe"] == f"<{url}>"
    assert sent["List-Unsubscribe-Post"] == ONE_CLICK
    absolute = urlparse(url)
    assert absolute.scheme in {"http", "https"} and absolute.netloc
    # The same address is the link in both parts of the email.
    assert url in reminder.body and f'href="{url}"' in reminder.alternatives[0].content
    assert len(mail.outbox) == 1


def test_the_first_name_is_escaped(trainer):
    member = UserFactory(display_name='<b>Dee</b> & "Co"')
    html = Client().get(_link(member, trainer)).text
    assert "&lt;b&gt;Dee&lt;/b&gt; (" in html and "<b>Dee" not in html
