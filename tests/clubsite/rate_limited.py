"""Posts to the four rate-limited forms (sign-in, password reset, the contact
form and invitations), each answering what became of it.

The rate-limit tests make them in their own process, and, to show that the
limits hold across web processes, in other OS processes that open the same
test database and cache:

    python -m tests.clubsite.rate_limited '{"now": 1772446800.0, "requests": [...]}'

with DATABASE_URL naming the test database. The plan may also carry
``caches`` (the test's CACHES, such as a test-only Redis), ``at_once`` (post
every request together, each from its own thread) and ``wait_for_go`` (print
``READY`` once set up, then start on a line on standard input, so several
processes start together). It prints one line, ``OUTCOMES`` and the outcomes
as JSON."""

import functools
import json
import re
import sys
import threading

VISITOR_ADDRESS = "203.0.113.7"
MESSAGE = "My heels lift when I squat. Should I move closer to the wall?"


def _sent(post):
    """What ``post`` answered, and how many emails it sent."""

    def wrapper(client, **arguments):
        from django.core import mail

        before = len(mail.outbox)
        outcome = post(client, **arguments)
        return {**outcome, "emails": len(mail.outbox) - before}

    return wrapper


@_sent
def sign_in(client, *, email: str, password: str) -> dict:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return {
        "status": response.status_code,
        "refused": "Too many failed login attempts" in response.text,
        "signed_in": "_auth_user_id" in client.session,
    }


@_sent
def password_reset(client, *, email: str) -> dict:
    response = client.post("/accounts/password/reset/", {"email": email})
    return {"status": response.status_code, "refused": response.status_code == 429}


@_sent
def ask(client, *, subject: str) -> dict:
    page = client.get("/contact/", REMOTE_ADDR=VISITOR_ADDRESS).text
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/contact/",
        {
            "name": "Robin",
            "email": "robin@example.net",
            "subject": subject,
            "message": MESSAGE,
            "token": token,
        },
        REMOTE_ADDR=VISITOR_ADDRESS,
    )
    return {
        "status": response.status_code,
        "refused": response.status_code == 429,
        # The limit's own message, with what was typed kept below it.
        "told": "the most the form takes" in response.text and MESSAGE in response.text,
    }


@_sent
def invite(client, *, people: list[str]) -> dict:
    """Invite one person through the one-person form, or a group at once;
    ``people`` are email addresses."""
    if len(people) == 1:
        data = {"display_name": "Sam Park", "email": people[0]}
        response = client.post("/trainer/members/invite/", data)
    else:
        lines = "\n".join(f"Member {n}, {email}" for n, email in enumerate(people, start=1))
        response = client.post("/trainer/members/invite/group/", {"people": lines})
    return {"status": response.status_code, "refused": response.status_code == 429}


POSTS = {"sign_in": sign_in, "password_reset": password_reset, "ask": ask, "invite": invite}


def at_once(posts: list) -> list:
    """Call each of ``posts`` in a thread of its own, all released together;
    what each returned, in order. An exception in any (a 500 included: the
    test client raises it) is raised here.

    Past the pool's eight connections the threads queue for one, longer than
    the 2 s a request waits on a loaded 2-core machine: while they run, the
    pool waits as long as the threads may (what is raced here is the limit,
    not the pool's patience)."""
    from django.db import connection, connections

    gate = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            gate.wait(timeout=60)
            answers[index] = posts[index]()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(posts))]
    pool = connection.pool if connection.vendor == "postgresql" else None
    patience = pool.timeout if pool else None
    if pool:
        pool.timeout = 60
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        if pool:
            pool.timeout = patience
    if errors:
        raise errors[0]
    assert not any(thread.is_alive() for thread in threads), "a post never returned"
    return answers


def make(
    requests: list[tuple[str, dict]], *, trainer_email: str, together: bool = False
) -> list[dict]:
    """Post each of ``requests`` (a name from POSTS and its arguments), in
    order: a visitor's browser for the first three, the trainer's for invite.
    ``together``: all at once, each from its own browser on its own thread."""
    from django.test import Client

    from members.models import User

    trainer = User.objects.get(email=trainer_email)

    def browser(name: str) -> Client:
        client = Client()
        if name == "invite":
            client.force_login(trainer)
        return client

    if together:
        posts = [
            functools.partial(POSTS[name], browser(name), **arguments)
            for name, arguments in requests
        ]
        # The outbox is shared by the threads: count it as a whole, not per post.
        return [
            {key: value for key, value in outcome.items() if key != "emails"}
            for outcome in at_once(posts)
        ]
    visitor, trainers = browser("ask"), browser("invite")
    return [
        POSTS[name](trainers if name == "invite" else visitor, **arguments)
        for name, arguments in requests
    ]


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubsite.settings")
    plan = json.loads(sys.argv[1])

    import django

    django.setup()
    import time_machine
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # email to mail.outbox, "testserver" allowed
    with (
        # As tests/conftest.py: static files without collectstatic's manifest,
        # the hasher the test's passwords were made with, tasks run in process.
        override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                },
            },
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
            **({"CACHES": plan["caches"]} if plan.get("caches") else {}),
        ),
        time_machine.travel(plan["now"], tick=True),
    ):
        if plan.get("wait_for_go"):
            print("READY", flush=True)
            sys.stdin.readline()
        outcomes = make(
            plan["requests"], trainer_email=plan["trainer"], together=plan.get("at_once", False)
        )
    print("OUTCOMES " + json.dumps(outcomes), flush=True)


if __name__ == "__main__":
    main()
