"""What `make bench` and `make audit` share: gunicorn on loopback with the
production settings, and visitors who sign in through the real sign-in form."""

import datetime as dt
import http.client
import json
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent


def save_results(name: str, data) -> pathlib.Path:
    """``data`` as JSON under bench/results/ (ignored by git), named and stamped."""
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(data, indent=2))
    print(f"\nWritten to {path.relative_to(ROOT)}")
    return path


def first_group(match: re.Match[str] | None) -> str:
    """What a pattern the run relies on found; a page without it stops the run."""
    if match is None:
        raise SystemExit("A page did not have what the run looks for: see the server's log.")
    return match.group(1)


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


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.location = response.getheader("Location", "")
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


class Visitor:
    """One person signed in through the sign-in form, with their own cookies.
    ``headers`` go with every request (an X-Forwarded-For, for a phone of its own
    behind the proxy)."""

    def __init__(self, site: Site, email: str, password: str, *, headers: dict | None = None):
        self.site, self.headers = site, dict(headers or {})
        page = site.request("GET", "/accounts/login/", headers=self.headers)
        self.cookies = dict(page.cookies)
        token = first_group(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text))
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
