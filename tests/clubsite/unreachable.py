"""Run code in a fresh process whose production settings point at a database
that cannot be opened, as after a failover or with the disk gone."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_without_database(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    unreachable = tmp_path / "missing-directory" / "db.sqlite3"
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "clubsite.settings",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"sqlite:///{unreachable}",
            "LOG_LEVEL": "CRITICAL",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
