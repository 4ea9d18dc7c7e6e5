"""What the bench's scripts share: a PostgreSQL database made for a run and
dropped after it, the generated club and Django set up on it, gunicorn on
loopback with the production settings, and visitors who sign in through the
real sign-in form.

The scripts run from the repository's root as ``python -m bench.<name>``."""

import contextlib
import datetime as dt
import http.client
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import django
import psycopg
from django.db import connections

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The generated club's (manage.py generate_club), on a throwaway database.
PASSWORD = "ground-up-club"  # noqa: S105
DOMAIN = "club.example.com"


# -- the database --------------------------------------------------------------------


def server_url() -> str:
    """The PostgreSQL server that DATABASE_URL names (127.0.0.1:5432 by default)."""
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def admin_connection(url: str) -> psycopg.Connection:
    """The server's maintenance database, outside any transaction."""
    parts = urllib.parse.urlsplit(url)
    maintenance = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://")
    return psycopg.connect(maintenance, autocommit=True)


def create_database(url: str, name: str, *, template: str = "") -> str:
    """A new database ``name`` on the server of ``url``, empty or a copy of
    ``template`` (one left by an earlier run is dropped first); its own URL."""
    with admin_connection(url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        copied = f" TEMPLATE {template}" if template else ""
        connection.execute(f"CREATE DATABASE {name}{copied}")
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def drop_database(url: str, name: str) -> None:
    connections.close_all()
    with admin_connection(url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def database(url: str, name: str, *, keep: bool = False):
    """A database made for the ``with`` block, dropped after it unless ``keep``."""
    made = create_database(url, name)
    try:
        yield made
    finally:
        if not keep:
            drop_database(url, name)


# -- the site ------------------------------------------------------------------------


def site_environment(
    database_url: str, port: int, *, settings: str = "clubsite.settings", proxies: int = 1
) -> None:
    """The production settings, on loopback, for this process and those it
    starts. Behind ``proxies`` trusted proxies (one: each member's
    X-Forwarded-For is their own address)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            **({"TRUSTED_PROXY_COUNT": str(proxies)} if proxies else {}),
            "LOG_LEVEL": "WARNING",
        }
    )


def empty_redis(url: str) -> None:
    """Empty the Redis database at ``url`` (one of its own, for a run)."""
    import redis

    redis.Redis.from_url(url).flushdb()


def manage(*command: str, env: dict | None = None) -> str:
    """``manage.py`` in a process of its own (in ``env``, or this process's
    environment); what it printed."""
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return done.stdout.strip()


def prepare(members: int, *, analyze: bool = False) -> str:
    """Migrate, static files and a generated club of ``members``; then Django
    is set up in this process, so the models can be imported. What
    generate_club said."""
    manage("migrate", "--noinput", "-v0")
    manage("createcachetable")
    manage("collectstatic", "--noinput", "-v0")
    generated = manage("generate_club", "--force", "--members", str(members), "--seed", "1")
    if analyze:
        # Planner statistics, as autovacuum would have them on a database that grew.
        manage("dbshell", "--", "-c", "ANALYZE")
    django.setup()
    return generated


def checkpoint() -> bool:
    """A PostgreSQL checkpoint now, so that the server's own, every five
    minutes, does not fall into the next endpoint's run at random: after one,
    the first write to each page carries the whole page into the WAL, which
    once made one run's posts half as fast as the next's. False where the
    database's user may not (a superuser or pg_checkpoint may)."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        return False
    return True


@contextlib.contextmanager
def work_folder(prefix: str):
    """A temporary folder for a run's files (gunicorn's log among them),
    removed when the run ends well and kept when it broke."""
    work = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    yield work
    shutil.rmtree(work)


def save_results(name: str, data) -> pathlib.Path:
    """``data`` as JSON under bench/results/ (ignored by git), named and stamped."""
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(data, indent=2))
    print(f"\nWritten to {path.relative_to(ROOT)}")
    return path


def print_rows(rows, *, width: int, value_width: int) -> None:
    """A report's (name, value) rows under a blank line, values aligned right."""
    print()
    for name, value in rows:
        print(f"{name:{width}}{value:>{value_width}}")


def print_header(header: str) -> None:
    """A table's header line, underlined."""
    print(header)
    print("-" * len(header))


# -- gunicorn -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(
    *, port: int, workers: int, log: pathlib.Path, threads: int = 1, probe: str = "/healthz"
):
    """gunicorn with the settings in this process's environment; returns once
    it answers."""
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our virtualenv
        [
            str(pathlib.Path(sys.executable).with_name("gunicorn")),
            "clubsite.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--backlog",
            "256",
        ],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Site(port).request("GET", probe).status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer within 30 s: see {log}")


def stop_server(server) -> None:
    """SIGTERM, as a deploy stops gunicorn; SIGKILL if it has not gone in 30 s."""
    if server is not None and server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextlib.contextmanager
def served(*, port: int, workers: int, work: pathlib.Path, threads: int = 1):
    """gunicorn for the ``with`` block, its log in ``work``; stopped after it."""
    server = serve(port=port, workers=workers, threads=threads, log=work / "gunicorn.log")
    try:
        yield server
    finally:
        stop_server(server)


def still_serving(server, work: pathlib.Path) -> None:
    """Stop the run when gunicorn stopped by itself: its log says why."""
    if server.poll() is not None:
        raise SystemExit(f"gunicorn stopped: see {work / 'gunicorn.log'}")


# -- visitors --------------------------------------------------------------------------


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.location = response.getheader("Location", "")
        # The server's word that it answered a key it had done already.
        self.replayed = response.getheader("Idempotent-Replayed", "") == "true"
        self.cookies = {}
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.text = response.read().decode()


class Site:
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.port, self.host = port, host

    def request(self, method, path, *, cookies=None, form=None, headers=None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        head = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=head)
            return Answer(connection.getresponse())
        finally:
            connection.close()


def found(pattern: str, text: str, where: str) -> str:
    """The first group of ``pattern`` in ``text``; a run stops, naming
    ``where``, when a page lacks what it needs."""
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"{where} has nothing matching {pattern!r}")
    return match.group(1)


class Visitor:
    """One person signed in through the sign-in form, with their own cookies.
    ``headers`` go with every request (an X-Forwarded-For, for a phone of its own
    behind the proxy)."""

    def __init__(self, site: Site, email: str, password: str, *, headers: dict | None = None):
        self.site, self.headers = site, dict(headers or {})
        page = site.request("GET", "/accounts/login/", headers=self.headers)
        self.cookies = dict(page.cookies)
        token = found(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text, "the sign-in form")
        answer = self.post(
            "/accounts/login/",
            {"login": email, "password": password, "csrfmiddlewaretoken": token},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Signing in as {email} failed: {answer.status}")
        # The "signed in" message would otherwise show on every page measured.
        self.cookies.pop("messages", None)

    def get(self, path: str, **headers) -> Answer:
        headers = {**self.headers, **headers}
        return self._keep(self.site.request("GET", path, cookies=self.cookies, headers=headers))

    def post(self, path: str, form: dict, **headers) -> Answer:
        headers = {**self.headers, **headers}
        headers.setdefault("X-CSRFToken", self.cookies.get("csrftoken", ""))
        return self._keep(
            self.site.request("POST", path, cookies=self.cookies, form=form, headers=headers)
        )

    def _keep(self, answer: Answer) -> Answer:
        self.cookies.update(answer.cookies)
        return answer

    def raw(self, method: str, path: str, form: dict | None = None, **headers) -> str:
        """The request as wrk sends it: HTTP/1.1, kept alive."""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.site.host}:{self.site.port}",
            "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        ]
        lines += [f"{name}: {value}" for name, value in {**self.headers, **headers}.items()]
        body = ""
        if form is not None:
            body = urllib.parse.urlencode(form)
            lines.append(f"X-CSRFToken: {self.cookies['csrftoken']}")
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        return "\r\n".join(lines) + "\r\n\r\n" + body
