"""A throwaway PostgreSQL cluster (initdb + pg_ctl as the postgres user, on a free loopback port) that a test may
stop and start: never the machine's shared server."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port, retry_on_port_clash


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb and pg_ctl, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*args: str) -> list[str]:
    # initdb and pg_ctl refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@dataclass
class Cluster:
    """One PostgreSQL cluster in a temporary directory."""

    bin: Path
    root: Path
    port: int
    started: bool = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/clausewatch"

    @classmethod
    def create(cls, bin_dir: Path) -> Cluster:
        root = Path(tempfile.mkdtemp(prefix="cw-pg-"))
        os.chmod(root, 0o777)
        cluster = cls(bin_dir, root, free_port())
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        subprocess.run(
            _as_postgres(str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "postgres", "-A", "trust"),
            check=True,
            capture_output=True,
        )
        return cluster

    def start(self) -> None:
        """Start the server and wait for it (pg_ctl -w asks this data directory's postmaster, not the port).

        The first start moves to a fresh port if another process took the picked one; a restart keeps its port (the
        test's clients know it) and fails with the server's log instead.
        """
        if self.started:
            self._start_on(self.port)
        else:
            retry_on_port_clash(
                self._start_on, lambda error: "Address already in use" in str(error), self.port
            )
        self.started = True

    def _start_on(self, port: int) -> None:
        log = self.root / "log"
        offset = log.stat().st_size if log.exists() else 0
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        result = subprocess.run(
            _as_postgres(
                str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-o", options,
                "-l", str(log), "-w", "start",
            ),
            check=False,
            capture_output=True,
        )  # fmt: skip
        if result.returncode != 0:
            tail = result.stderr.decode(errors="replace")
            if log.exists():
                with log.open("rb") as server_log:
                    server_log.seek(offset)
                    tail += server_log.read().decode(errors="replace")[-2000:]
            msg = f"PostgreSQL did not start on port {port} (pg_ctl exit {result.returncode}); server log:\n{tail}"
            raise RuntimeError(msg)
        self.port = port

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"),
            check=False,
            capture_output=True,
        )

    def create_database(self) -> None:
        subprocess.run(
            _as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "clausewatch"),
            check=True,
            capture_output=True,
        )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
