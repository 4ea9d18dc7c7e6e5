"""Audit the pages members and trainers use with Lighthouse, in mobile mode,
against Debian's Chromium.

    make audit
    python -m bench.audit --only logger  # some of the pages, from the repository's root

Builds the demo club in a throwaway SQLite database, serves it under gunicorn
with the production settings (DEBUG off, compressed and hashed static files)
on loopback, signs in a member and the trainer through the real sign-in form,
and runs Lighthouse (bench/audit/, from the npm registry; it uses the system's
Chromium and downloads no browser) on each page. Prints the performance,
accessibility and best-practices scores and the bytes transferred per page,
writes them as JSON under bench/results/, and exits non-zero when a page
misses a target.
"""

import argparse
import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import tempfile

import django

from bench import support
from routines.seed import ROUTINE_SLUG

HERE = support.ROOT / "bench" / "audit"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
DEMO_PASSWORD = "ground-up-demo"  # noqa: S105 - the demo club's, printed by `make run`.
MEMBER, TRAINER = "alex@example.com", "makana@example.com"
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
LOGGER_LIMIT_KB = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--only", help="audit only the pages whose name contains this")
    args = parser.parse_args()
    if not pathlib.Path(args.chromium).exists():
        sys.exit("make audit needs Chromium: apt-get install chromium (Debian's package).")
    _install_lighthouse()

    port = support.free_port()
    # The demo database, gunicorn's log and the raw reports.
    with support.work_folder("ground-up-audit-") as work:
        os.environ.update(
            {
                "DATABASE_URL": f"sqlite:///{work / 'demo.sqlite3'}",
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "localhost",
                "SITE_URL": f"http://localhost:{port}",
                "LOG_LEVEL": "WARNING",
            }
        )
        print("Building the demo club and its static files", flush=True)
        support.manage("migrate", "--noinput", "-v0")
        support.manage("createcachetable")
        # The demo's known passwords are refused without DEBUG.
        support.manage("demo", env={**os.environ, "DEBUG": "true"})
        support.manage("collectstatic", "--noinput", "-v0")
        with support.served(port=port, workers=2, work=work):
            pages = _pages(support.Site(port, host="localhost"))
            if args.only:
                pages = [page for page in pages if args.only.lower() in page[0].lower()]
            results = {}
            for name, path, cookies in pages:
                results[name] = _lighthouse(args, f"http://localhost:{port}{path}", cookies, work)
                row = results[name]
                print(
                    f"  {name}: {row['performance']} / {row['accessibility']} / "
                    f"{row['best-practices']}, {row['kb']:.1f} KB",
                    flush=True,
                )
    return _report(results)


def _install_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("make audit needs Node.js and npm for Lighthouse.")
    print("Installing Lighthouse from bench/audit/package-lock.json", flush=True)
    # Not `npm ci`: one of Lighthouse's dependencies asks for "latest" of a
    # package, which `npm ci` reads as a lock out of date once a newer one is
    # published. `install --no-save` takes the locked versions and writes nothing.
    subprocess.run(  # noqa: S603 - npm, found on PATH
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
    )


def _pages(site: support.Site) -> list[tuple[str, str, dict]]:
    from_db = _demo_ids()
    member = support.Visitor(site, MEMBER, DEMO_PASSWORD)
    trainer = support.Visitor(site, TRAINER, DEMO_PASSWORD)
    return [
        ("landing", "/", {}),
        ("sign-in", "/accounts/login/", {}),
        ("Today", "/me/", member.cookies),
        ("logger", f"/me/sessions/{from_db['workout']}/", member.cookies),
        ("guide", f"/routines/{from_db['routine']}/", member.cookies),
        ("History", "/me/history/", member.cookies),
        ("trainer dashboard", "/trainer/", trainer.cookies),
        ("member detail", f"/trainer/members/{from_db['member']}/", trainer.cookies),
    ]


def _demo_ids() -> dict:
    """The member's latest session, the routine and the member, from the demo data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubsite.settings")
    django.setup()
    from members.models import User, Workout  # the models load only once Django is set up

    member = User.objects.get(email=MEMBER)
    workout = Workout.objects.filter(member=member).latest("date", "pk")
    return {"workout": workout.pk, "routine": ROUTINE_SLUG, "member": member.pk}


def _lighthouse(args, url: str, cookies: dict, work: pathlib.Path) -> dict:
    """One page's scores. A run whose trace Chromium failed to record is run
    again once, as Lighthouse itself advises."""
    for attempt in (1, 2):
        try:
            run = pathlib.Path(tempfile.mkdtemp(dir=work, prefix="lighthouse-"))
            return _lighthouse_once(args, url, cookies, run)
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
            print(f"  Lighthouse failed on {url}; once more", flush=True)
    raise AssertionError("unreachable")


def _lighthouse_once(args, url: str, cookies: dict, work: pathlib.Path) -> dict:
    report = work / "report.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={CHROMIUM_FLAGS} --user-data-dir={work / 'profile'}",
    ]
    if cookies:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    subprocess.run(  # noqa: S603 - Lighthouse from bench/audit
        command, check=True, env={**os.environ, "CHROME_PATH": args.chromium}
    )
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        raise SystemExit(f"Lighthouse could not audit {url}: {data['runtimeError']}")
    if data["finalDisplayedUrl"] != url:
        raise SystemExit(f"{url} led to {data['finalDisplayedUrl']}: was the visitor signed in?")
    scores = {key: round(100 * (value["score"] or 0)) for key, value in data["categories"].items()}
    failed = sorted(
        audit_id
        for audit_id, audit in data["audits"].items()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in {"binary", "numeric"}
        and any(
            ref["id"] == audit_id
            for key in ("accessibility", "best-practices")
            for ref in data["categories"][key]["auditRefs"]
            if ref.get("weight")
        )
    )
    # Static files are hashed and served by whitenoise as immutable for a year.
    cache = data["audits"]["uses-long-cache-ttl"]
    if cache.get("score") is not None and cache["score"] < 1:
        failed.append("uses-long-cache-ttl")
    return {
        "url": url,
        **scores,
        "kb": data["audits"]["total-byte-weight"]["numericValue"] / 1024,
        "requests": len(data["audits"]["network-requests"]["details"]["items"]),
        "first_contentful_paint_ms": round(
            data["audits"]["first-contentful-paint"]["numericValue"]
        ),
        "largest_contentful_paint_ms": round(
            data["audits"]["largest-contentful-paint"]["numericValue"]
        ),
        "failed_audits": failed,
    }


def _report(results: dict) -> int:
    print()
    header = (
        f"{'page':20} {'performance':>12} {'accessibility':>14} {'best practices':>15} {'KB':>7}"
    )
    support.print_header(header)
    misses = []
    for name, row in results.items():
        print(
            f"{name:20} {row['performance']:>12} {row['accessibility']:>14} "
            f"{row['best-practices']:>15} {row['kb']:>7.1f}"
        )
        for key, target in TARGETS.items():
            if row[key] < target:
                misses.append(f"{name}: {key} {row[key]} < {target}")
        if row["failed_audits"]:
            misses.append(f"{name}: failed {', '.join(row['failed_audits'])}")
        if name == "logger" and row["kb"] > LOGGER_LIMIT_KB:
            misses.append(f"logger: {row['kb']:.1f} KB > {LOGGER_LIMIT_KB} KB")
    support.save_results("audit", results)
    for miss in misses:
        print(f"MISSED {miss}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
