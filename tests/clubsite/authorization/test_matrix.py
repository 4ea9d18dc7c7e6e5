"""Every URL of ours that names an object is requested by five people (Alex,
the owner; Jordan, another member; Makana, Alex's trainer; Kai, another
trainer; a visitor), and each gets the answer written in MATRIX. A refused
request leaves every table as it was."""

import pytest

from tests.clubsite.authorization.matrix import (
    MATRIX,
    ROLES,
    SIGN_IN,
    fingerprint,
    object_urls,
    path_of,
    payloads,
)


def test_every_url_that_names_an_object_has_a_row():
    names = {name for name, _ in object_urls()}
    assert names == set(MATRIX), (
        f"without a row: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )
    assert all(set(expected) == set(ROLES) for _, expected in MATRIX.values())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_person_gets_the_answer_in_the_matrix(client, world, name, role):
    objects, people = world
    method, expected = MATRIX[name]
    if people[role] is not None:
        client.force_login(people[role])
    path = path_of(name, objects)
    before = fingerprint()
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, payloads(objects).get(name, {}))
    if expected[role] in {SIGN_IN, 403, 404}:
        assert fingerprint() == before, f"{role}'s refused {method} {path} changed something"
    if expected[role] == SIGN_IN:
        assert response.status_code == 302, f"{role} {method} {path}"
        assert response["Location"] == f"/accounts/login/?next={path}"
    else:
        assert response.status_code == expected[role], f"{role} {method} {path}"
