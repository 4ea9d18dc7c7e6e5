"""Time the trainer's review pages on a generated club: the dashboard with every
member on one trainer, and one member's detail page.

    make bench-review                  # 200 members, SQLite in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench-review

Runs with DEBUG off, in a throwaway test database, through Django's test client
(the whole middleware stack, no network). Prints the median and 95th
percentile of each page and its query count, and writes them as JSON under
bench/results/.
"""

import argparse
import json
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubsite.settings")
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        override_settings,
        setup_test_environment,
    )

    from members.management.commands.generate_club import generate
    from members.models import User

    setup_test_environment()
    # Hashed static names need collectstatic; the pages' own work is what is timed.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        counts = generate(members=args.members, trainers=1, seed=1)
        built = time.perf_counter() - started
        trainer = User.objects.get(email="trainer1@club.example.com")
        member = User.objects.filter(is_staff=False).order_by("pk").first()
        client = Client()
        client.force_login(trainer)
        pages = {
            f"dashboard ({args.members} members)": "/trainer/",
            "member detail": f"/trainer/members/{member.pk}/",
        }
        results = {}
        for name, path in pages.items():
            for _ in range(args.warmup):
                assert client.get(path).status_code == 200
            times = []
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as queries:
                    begin = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, response.status_code
            times.sort()
            results[name] = {
                "path": path,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                "queries": len(queries),
                "bytes": len(response.content),
            }
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )

    vendor = connection.vendor
    print(
        f"{counts['members']} members, {counts['workouts']} workouts, {counts['sets']} sets "
        f"generated in {built:.1f} s on {vendor}; {args.requests} requests per page."
    )
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>6}")
    for name, row in results.items():
        print(
            f"{name:32} {row['median_ms']:>10} {row['p95_ms']:>8} {row['queries']:>8} "
            f"{row['bytes'] / 1024:>6.0f}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"review-{vendor}-{args.members}.json"
    path.write_text(json.dumps({"counts": counts, "database": vendor, "pages": results}, indent=2))
    print(f"Written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
