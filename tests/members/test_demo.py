import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from members.management.commands.demo import DEMO_PASSWORD
from members.models import User
from members.roles import TRAINERS_GROUP


@pytest.mark.django_db
def test_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG=true"):
        call_command("demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_makes_a_trainer_and_two_members_idempotently(settings, client, capsys):
    settings.DEBUG = True
    call_command("demo")
    call_command("demo")
    printed = capsys.readouterr().out
    assert printed.count(f"password: {DEMO_PASSWORD}") == 6
    assert User.objects.count() == 3
    trainer = User.objects.get(email="makana@example.com")
    assert trainer.is_staff and not trainer.is_superuser
    assert trainer.groups.filter(name=TRAINERS_GROUP).exists()
    assert Group.objects.get(name=TRAINERS_GROUP).user_set.count() == 1
    for email in ["makana@example.com", "alex@example.com", "jordan@example.com"]:
        assert email in printed
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert response["Location"] == "/me/"
        client.logout()
