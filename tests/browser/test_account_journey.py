"""A new member's first visit, in Chromium on a phone: sign up, verify the
address from the email, sign in, reset a forgotten password."""

import re

import pytest
from playwright.sync_api import expect

from members.models import User
from tests.browser.conftest import assert_accessible

LINK = re.compile(r"https?://\S+")


def link_in(message, path_part):
    return next(url for url in LINK.findall(message.body) if path_part in url)


def sign_in(page, email, password):
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_sign_in_and_reset_the_password(page, site, mailoutbox):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("from the ground up")
    assert_accessible(page)

    page.get_by_role("link", name="Create your account").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("river@example.com")
    page.get_by_label("Your name").fill("River Song")
    page.get_by_label(re.compile(r"^Password:?$")).fill("ankles-and-knees-2026")
    page.get_by_label("Password (again)").fill("ankles-and-knees-2026")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert_accessible(page)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["river@example.com"]

    page.goto(link_in(mailoutbox[0], "/accounts/confirm-email/"))
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    # Confirming in the browser that signed up signs the member in.
    expect(page).to_have_url(site + "/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi, River Song")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()

    # A wrong password says so at the form and keeps the email typed.
    page.goto(site + "/accounts/login/")
    assert_accessible(page)
    sign_in(page, "river@example.com", "not-my-password")
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("river@example.com")
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Password:?$")).fill("ankles-and-knees-2026")
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(site + "/me/")
    page.get_by_role("button", name="Sign out").click()

    # Forgotten password: the reset link arrives by email and sets a new one.
    page.goto(site + "/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("river@example.com")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_role("heading", name="Password Reset")).to_be_visible()
    reset = mailoutbox[-1]
    assert reset.to == ["river@example.com"]

    page.goto(link_in(reset, "/accounts/password/reset/key/"))
    expect(page.get_by_role("heading", name="Change Password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^New Password:?$")).fill("heels-lift-slowly-77")
    page.get_by_label("New Password (again)").fill("heels-lift-slowly-77")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    sign_in(page, "river@example.com", "heels-lift-slowly-77")
    expect(page).to_have_url(site + "/me/")
    assert User.objects.get(email="river@example.com").check_password("heels-lift-slowly-77")


@pytest.mark.django_db(transaction=True)
def test_member_updates_settings(page, site, member):
    page.goto(site + "/accounts/login/")
    sign_in(page, "alex@example.com", "correct-horse-battery")
    page.get_by_role("link", name="Settings", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Display name").fill("")
    page.get_by_role("radio", name="Right").check()
    page.get_by_role("button", name="Save settings").click()
    # Said at the top, with a link to the field, and at the field.
    summary = page.get_by_role("alert").filter(has_text="Please fix this")
    expect(
        summary.get_by_role("link", name="Display name: Tell us what to call you.")
    ).to_be_visible()
    expect(page.get_by_text("Tell us what to call you.", exact=True)).to_be_visible()
    # What the member chose survives the error.
    expect(page.get_by_role("radio", name="Right")).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Display name").fill("Alex")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    member.profile.refresh_from_db()
    assert member.profile.weaker_side == "right"


@pytest.mark.django_db(transaction=True)
def test_keyboard_user_can_skip_to_the_content(page, site):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0, "the skip link is visible when focused"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
