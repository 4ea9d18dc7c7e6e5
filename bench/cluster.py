"""A private PostgreSQL cluster for a drill that stops and starts its server:
made with the installed server binaries in a temporary folder, listening on a
free loopback port with trust authentication, removed afterwards."""

import os
import pathlib
import shutil
import subprocess
import tempfile

from bench.support import free_port

BIN_DIRS = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class Cluster:
    def __init__(self, bin_dir: pathlib.Path | None = None):
        bin_dir = bin_dir or next((d for d in BIN_DIRS if (d / "initdb").exists()), None)
        if bin_dir is None:
            raise SystemExit("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.")
        self.bin = bin_dir
        self.port = free_port()
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix="ground-up-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        # initdb refuses to run as root: the server then runs as postgres.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        done = subprocess.run(  # noqa: S603 - the installed PostgreSQL binaries
            [*self.as_user, *command], capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"{command[0]} failed: {done.stderr or done.stdout}")

    def create(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            *["-D", str(self.data), "-U", "postgres", "-A", "trust"],
            *["-E", "UTF8", "--locale", "C", "--no-sync"],
        )
        self.start()

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections=60"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            *["-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"],
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
