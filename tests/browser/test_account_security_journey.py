"""A member changes how they sign in, on a phone: adding an email address asks
for the password first, changing the password asks for the current one, and
each change is told by email at the address they verified."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from members.models import User
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD

NEW_ADDRESS = "alex.work@example.com"


@pytest.fixture
def console_errors(page):
    """Console errors and uncaught exceptions (a CSP block is logged as one)."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _notices_to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]


@pytest.mark.django_db(transaction=True)
def test_add_an_address_and_change_the_password(page, site, member, mailoutbox, console_errors):
    sign_in(page, site, member.email)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email Addresses")
    assert_accessible(page)

    page.get_by_role("textbox", name="Email").fill(NEW_ADDRESS)
    page.get_by_role("button", name="Add Email").click()

    # Asked for the password before anything is added.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert_accessible(page)
    assert not EmailAddress.objects.filter(email=NEW_ADDRESS).exists()
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Incorrect password.")).to_be_visible()
    assert not EmailAddress.objects.filter(email=NEW_ADDRESS).exists()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    # Back on the email page, the address added (unverified) as typed before.
    expect(page).to_have_url(site + "/accounts/email/")
    expect(page.get_by_text(f"Confirmation email sent to {NEW_ADDRESS}.")).to_be_visible()
    expect(page.get_by_role("radio", name=f"{NEW_ADDRESS} Unverified")).to_be_visible()
    assert_accessible(page)
    (notice,) = _notices_to(mailoutbox, member.email)
    assert "A new email address was added" in notice.subject
    assert f"{NEW_ADDRESS} was added to your account" in notice.body
    assert _notices_to(mailoutbox, NEW_ADDRESS), "the new address gets its link"

    # The password: the current one is asked on the same form.
    mailoutbox.clear()
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Password")
    assert_accessible(page)
    page.get_by_label("Current Password").fill("not-my-password")
    page.get_by_label(re.compile(r"^New Password:?$")).fill("heels-lift-slowly-77")
    page.get_by_label("New Password (again)").fill("heels-lift-slowly-77")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Please type your current password.")).to_be_visible()
    assert mailoutbox == []

    # Passwords are never sent back to the page: all three are typed again.
    page.get_by_label("Current Password").fill(PASSWORD)
    page.get_by_label(re.compile(r"^New Password:?$")).fill("heels-lift-slowly-77")
    page.get_by_label("New Password (again)").fill("heels-lift-slowly-77")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Password successfully changed.")).to_be_visible()
    assert_accessible(page)
    assert User.objects.get(pk=member.pk).check_password("heels-lift-slowly-77")
    (notice,) = mailoutbox
    assert notice.to == [member.email]
    assert notice.subject == "[Ballard Health Club] Your password was changed"

    assert console_errors == []
