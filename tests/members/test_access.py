"""Who may see what: visitors sign in first, members stay out of the admin,
trainers see in the admin exactly what the Trainers group grants."""

import pytest

from tests.factories import PASSWORD

MEMBER_PAGES = ["/me/", "/me/settings/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
def test_landing_page_says_what_the_club_offers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"from the ground up" in response.content
    assert b'href="/accounts/signup/"' in response.content


@pytest.mark.django_db
def test_signed_in_people_land_on_their_home(member_client, member):
    assert member_client.get("/").url == "/me/"
    response = member_client.get("/me/")
    assert response.status_code == 200
    assert "Hi, Alex Rivera" in response.text
    # Members see no trainer tools.
    assert "/admin/" not in response.text


@pytest.mark.django_db
def test_member_cannot_enter_the_admin(member_client):
    response = member_client.get("/admin/members/user/", follow=True)
    assert response.redirect_chain == [("/admin/login/?next=/admin/members/user/", 302)]
    assert response.status_code == 403
    assert "Your account cannot open this page" in response.text


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_sites_sign_in(client, trainer):
    response = client.get("/admin/", follow=True)
    assert [url for url, _ in response.redirect_chain] == [
        "/admin/login/?next=/admin/",
        "/accounts/login/?next=/admin/",
    ]
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": trainer.email, "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    # Signed in, the admin's login address goes straight in, never off-site.
    assert client.get("/admin/login/?next=https://evil.example/").url == "/admin/"


@pytest.mark.django_db
def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


@pytest.mark.django_db
def test_trainer_enters_the_admin_and_sees_only_what_the_group_grants(trainer_client):
    index = trainer_client.get("/admin/")
    assert index.status_code == 200
    assert b"/admin/members/user/" in index.content
    assert b"/admin/auth/group/" not in index.content
    assert b"/admin/django_tasks_database/" not in index.content

    assert trainer_client.get("/admin/members/user/").status_code == 200
    for forbidden in ["/admin/members/user/add/", "/admin/auth/group/", "/admin/auth/group/add/"]:
        response = trainer_client.get(forbidden)
        assert response.status_code == 403, forbidden
        assert b"Your account cannot open this page" in response.content


@pytest.mark.django_db
def test_trainer_can_view_but_not_change_a_member(trainer_client, member):
    response = trainer_client.get(f"/admin/members/user/{member.pk}/change/")
    assert response.status_code == 200
    assert b'name="is_superuser"' not in response.content
    response = trainer_client.post(
        f"/admin/members/user/{member.pk}/change/",
        {"email": member.email, "is_staff": "on", "is_superuser": "on"},
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_staff and not member.is_superuser


@pytest.mark.django_db
def test_trainers_land_on_their_dashboard_with_the_admin_link(trainer_client):
    response = trainer_client.get("/me/", follow=True)
    assert response.redirect_chain == [("/trainer/", 302)]
    assert 'href="/admin/"' in response.text
    assert 'href="/trainer/" aria-current="page">Dashboard' in response.text
