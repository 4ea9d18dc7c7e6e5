"""A post without the CSRF token is refused, by every URL of ours, before a
view runs, and changes nothing; with the token the same post goes through."""

import pytest
from django.test import Client

from tests.clubsite.authorization.matrix import (
    MATRIX,
    ROLES,
    SIGN_IN,
    fingerprint,
    path_of,
    payloads,
)
from tests.clubsite.test_pages import parameterless_paths

# Mail apps' one-click unsubscribe posts without a token (RFC 8058): the signed
# address is the credential, and it can only turn reminders off.
CSRF_EXEMPT = {"reminders_off"}
POSTS = sorted(name for name, (method, _) in MATRIX.items() if method == "POST")


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("name", POSTS)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(world, name, htmx):
    objects, people = world
    _, expected = MATRIX[name]
    # The person the door is open to, so only the missing token can refuse them.
    allowed = next(role for role in ROLES if expected[role] not in {SIGN_IN, 403, 404})
    client = Client(enforce_csrf_checks=True)
    if people[allowed] is not None:
        client.force_login(people[allowed])
    path = path_of(name, objects)
    headers = {"HX-Request": "true"} if htmx else {}
    before = fingerprint()
    response = client.post(path, payloads(objects).get(name, {}), headers=headers)
    if name in CSRF_EXEMPT:
        assert response.status_code == 302
        return
    assert response.status_code == 403, f"{allowed} POST {path}"
    assert fingerprint() == before
    # With the token, the same post goes through.
    client.get("/contact/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        path, payloads(objects).get(name, {}), headers={**headers, "X-CSRFToken": token}
    )
    assert response.status_code != 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "owner", "trainer"])
def test_every_other_url_refuses_a_post_without_the_token(world, persona):
    """The URLs that name no object (sign-in, settings, start a session,
    invitations, the contact form...): any post without the token is refused
    before a view runs."""
    _, people = world
    client = Client(enforce_csrf_checks=True)
    if people[persona] is not None:
        client.force_login(people[persona])
    checked = 0
    for path in parameterless_paths():
        if path.startswith("/admin/") or path == "/healthz":
            continue
        response = client.post(path, {"email": "x@example.com"})
        assert response.status_code == 403, f"{persona} POST {path}"
        checked += 1
    assert checked >= 20
