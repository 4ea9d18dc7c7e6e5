"""What one request costs the web process, in instructions: the same on a
quiet machine and a busy one, where times drift more than a change moves them.

    python -m bench.instructions                # the floor and a set logged, 100 each
    python -m bench.instructions --count 200 --members 200

Makes a club as `make bench` does (in ``groundup_instructions``), then runs
each endpoint in a process of its own under valgrind's callgrind, on a fresh
copy of that database: once with one request (the warm-up every run makes)
and once with ``--count`` more. The difference over ``--count`` is one
request's instructions: Django, the site's code, psycopg and libpq, not
PostgreSQL's own work, which runs in its server. Requests go through the
test client, signed in as a member (the session and the user are read as in
the bench; the CSRF check is not made), and each post logs a set not logged
before (``bench.endpoints.set_posts``).

Needs valgrind (Debian's package). About two minutes per endpoint: Django
starts twice under valgrind for each.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

from bench import support

BASE_DB = "groundup_instructions"
ENDPOINTS = ("floor", "log a set")
MEMBER = "member1@club.example.com"


def requests(endpoint: str, count: int, *, email: str = MEMBER) -> list:
    """``count`` requests of ``endpoint`` by the member of ``email``, each a
    callable that makes it and returns the response: the floor, or an htmx
    post of a set not logged before, in a session started for it."""
    from django.test import Client

    from bench.endpoints import set_posts
    from members.models import User

    client = Client(HTTP_HOST="127.0.0.1", SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(email=email))
    if endpoint == "floor":
        return [lambda: client.get("/bench/floor/")] * count
    started = client.post("/me/sessions/start/")
    found = re.fullmatch(r"/me/sessions/(\d+)/", started.get("Location", ""))
    if found is None:
        raise SystemExit(f"Starting a session failed: {started.status_code}")
    workout = int(found.group(1))
    client.post(f"/me/sessions/{workout}/pain-check/", {"level": "0"})
    return [
        lambda path=path, form=form: client.post(path, form, HTTP_HX_REQUEST="true")
        for _, path, form in set_posts([client], [workout], count)
    ]


def _child(endpoint: str, count: int, made: int) -> None:
    """Make ``made`` requests ready, send the first ``count``: the same
    setup for every count, so that it cancels out."""
    import django

    django.setup()
    for request in requests(endpoint, made)[:count]:
        response = request()
        if response.status_code != 200:
            raise SystemExit(f"{endpoint}: {response.status_code}")


def _counted(endpoint: str, count: int, made: int, url: str) -> int:
    """The instructions of a process that sends ``count`` of ``made``
    requests, on a fresh copy of the club."""
    database = support.create_database(url, "groundup_instructions_run", template=BASE_DB)
    done = subprocess.run(  # noqa: S603 - valgrind on this Python and this module
        [
            shutil.which("valgrind") or "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            endpoint,
            str(count),
            str(made),
        ],
        env={**os.environ, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"{endpoint}, {count} requests, failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100, help="requests counted per endpoint")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        endpoint, count, made = args.child
        _child(endpoint, int(count), int(made))
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("bench.instructions needs valgrind: apt-get install valgrind.")

    server = support.server_url()
    with support.database(server, BASE_DB) as url:
        support.site_environment(url, 8000, settings="bench.settings", proxies=0)
        print(f"Preparing {BASE_DB}: a club of {args.members}", flush=True)
        support.prepare(args.members, analyze=True)
        results = {}
        try:
            for endpoint in ENDPOINTS:
                made = args.count + 1
                alone = _counted(endpoint, 1, made, server)
                more = _counted(endpoint, made, made, server)
                results[endpoint] = (more - alone) / args.count
                print(f"  {endpoint}: {results[endpoint] / 1e6:.2f} M instructions", flush=True)
        finally:
            support.drop_database(server, "groundup_instructions_run")
    floor = results["floor"]
    print(f"\nper request, {args.count} counted, {args.members} members (the web process only)")
    for endpoint, instructions in results.items():
        print(f"{endpoint:12} {instructions / 1e6:8.2f} M  {instructions / floor:5.2f} x floor")
    support.save_results(
        f"instructions-{args.members}",
        {"count": args.count, "members": args.members, "per_request": results},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
