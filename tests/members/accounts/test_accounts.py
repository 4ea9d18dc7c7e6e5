"""Accounts made by staff or a command can sign in at once; signup verifies by email."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import IntegrityError

from members.models import Profile, User
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_create_user_makes_a_profile_and_a_verified_primary_email():
    user = User.objects.create_user("Casey@Example.COM", PASSWORD, display_name="Casey")
    assert user.email == "casey@example.com"
    assert user.profile.display_name == "Casey"
    assert user.profile.weaker_side == Profile.WeakerSide.UNSURE
    assert user.profile.units == Profile.Units.IMPERIAL
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("casey@example.com", True, True)


@pytest.mark.django_db
def test_createsuperuser_command_gives_a_verified_email(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "owner@example.com", verbosity=0)
    user = User.objects.get(email="owner@example.com")
    assert user.is_superuser
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    assert Profile.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_users_added_in_the_admin_can_sign_in(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/members/user/add/",
        {
            "email": "new.member@example.com",
            "usable_password": "true",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(email="new.member@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert Profile.objects.filter(user=user).exists()
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"login": "new.member@example.com", "password": "a-long-enough-password"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"


@pytest.mark.django_db
def test_email_is_unique_ignoring_case():
    User.objects.create_user("sam@example.com", PASSWORD)
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAM@example.com")


@pytest.mark.django_db
def test_display_name_falls_back_to_the_address():
    user = User.objects.create_user("river@example.com", PASSWORD)
    assert user.display_name == "river"


@pytest.mark.django_db
def test_signup_can_be_closed(client, settings):
    settings.SIGNUP_OPEN = False
    response = client.get("/accounts/signup/")
    assert b"Sign Up Closed" in response.content
    response = client.post(
        "/accounts/signup/",
        {
            "email": "walkin@example.com",
            "display_name": "Walk In",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )
    assert not User.objects.filter(email="walkin@example.com").exists()
    assert b"/accounts/signup/" not in client.get("/").content


@pytest.mark.django_db
def test_signup_requires_a_name_and_keeps_what_was_typed(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "display_name": "",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="new@example.com"' in html
    assert 'aria-invalid="true"' in html
    assert "This field is required." in html
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_signup_makes_an_unverified_account_with_a_profile(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "display_name": "New Member",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.profile.display_name == "New Member"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert mailoutbox[0].body.startswith("Hello from Ballard Health Club's Ground Up!")
    assert "Questions? Write to makana@ballardhealthclub.com." in mailoutbox[0].body
    # Mandatory verification: no session until the address is confirmed.
    assert client.get("/me/").status_code == 302


@pytest.mark.django_db
def test_repeated_wrong_passwords_are_rate_limited(client, member, clear_cache):
    """allauth's limits are on and counted in the shared database cache."""
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": member.email, "password": "nope"})
        assert response.status_code == 200
        assert "not correct" in response.text
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_too_many_password_resets_get_the_sites_own_page(client, member, clear_cache, mailoutbox):
    """allauth answers 429 with templates/429.html: the site's look, and what to do."""
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": member.email})
    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 429
    assert "<h1>Too many tries</h1>" in response.text
    assert "Wait a few minutes, then try again." in response.text
    assert 'href="/contact/"' in response.text  # the site's footer: it extends base.html
    assert len(mailoutbox) == 5
