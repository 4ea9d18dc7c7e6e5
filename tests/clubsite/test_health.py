import pytest
from django.test import override_settings

from tests.clubsite.unreachable import run_without_database


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_ignores_the_host_and_the_https_redirect(client):
    """Probes come by IP over plain HTTP; everything else still redirects."""
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
        assert client.get("/", secure=False).status_code == 301


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    """A real server configuration whose database cannot be opened."""
    code = (
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code, response.json()['database'])\n"
    )
    result = run_without_database(code, tmp_path)
    assert result.stdout.split() == ["503", "unreachable"], result.stderr
