"""A PostgreSQL server of its own for a local stack (embedded mode) or a test run: Debian's
binaries, a data folder, a random password, TCP on loopback only.

    python scripts/localpg.py start DATA_DIR PORT     prints the database URL
    python scripts/localpg.py stop DATA_DIR

PostgreSQL refuses to run as root; as root the server runs as the `postgres` user, with its data
in a folder that user can reach (a test's temporary folders are closed to it), linked from DATA_DIR.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

USER, DATABASE = "vividart", "vividart"


def binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        sys.exit("PostgreSQL is needed: apt-get install postgresql (scripts/prerequisites.sh does it as root)")
    return found[-1].parent


class LocalPostgres:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.link, self.port = Path(data_dir), port
        self.as_root = os.geteuid() == 0
        if self.as_root:
            name = hashlib.sha256(os.path.abspath(self.link).encode()).hexdigest()[:16]
            self.data = Path(tempfile.gettempdir()) / f"vividart-postgres-{name}"
        else:
            self.data = self.link

    @property
    def password_file(self) -> Path:
        return self.data.parent / f"{self.data.name}.password"

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{self.password_file.read_text().strip()}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> LocalPostgres:
        bin_dir = binaries()
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            self.password_file.write_text(secrets.token_urlsafe(18))
            self.password_file.chmod(0o600)
            if self.as_root:
                shutil.chown(self.data, "postgres")
                shutil.chown(self.password_file, "postgres")
            self._run(str(bin_dir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=scram-sha-256",
                      f"--pwfile={self.password_file}", "-E", "UTF8", "--locale=C.UTF-8")
            (self.data / "postgresql.auto.conf").write_text(
                "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")  # a throwaway database
        if self.as_root and not self.link.exists():
            self.link.parent.mkdir(parents=True, exist_ok=True)
            self.link.symlink_to(self.data)
        if not self.running():
            self._run(str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "server.log"),
                      "-o", f"-p {self.port}", "-w", "-t", "60", "start")
        self._ensure_database()
        return self

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and subprocess.run(
            [str(binaries() / "pg_ctl"), "-D", str(self.data), "status"], capture_output=True,
            user="postgres" if self.as_root else None).returncode == 0

    def _ensure_database(self) -> None:
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                connection.execute(f'CREATE DATABASE "{DATABASE}"')

    def stop(self, remove: bool = False) -> None:
        if self.data.exists() and (self.data / "postmaster.pid").exists():
            self._run(str(binaries() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        if remove:
            shutil.rmtree(self.data, ignore_errors=True)
            self.password_file.unlink(missing_ok=True)
            if self.link.is_symlink():
                self.link.unlink()


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "start":
        print(LocalPostgres(Path(argv[1]), int(argv[2])).start().url)
    elif len(argv) == 2 and argv[0] in ("stop", "remove"):
        LocalPostgres(Path(argv[1]), 0).stop(remove=argv[0] == "remove")
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
