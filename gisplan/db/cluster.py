"""A private PostgreSQL + PostGIS cluster that gisplan creates, starts and stops itself.

Used when ``GISPLAN_DATABASE_URL`` is not set (and by the test session). The cluster lives in
``<GISPLAN_HOME>/pgdata``, listens on 127.0.0.1 only, on a free port chosen at creation (and again if
that port is taken later), with a generated password kept in ``<GISPLAN_HOME>/cluster.json`` (0600).

PostgreSQL refuses to run as root, so when gisplan runs as root the cluster belongs to an
unprivileged OS user (``GISPLAN_DB_OS_USER``, created if missing) and every server program runs as
that user. After ``kill -9`` of the server the stale ``postmaster.pid`` and any orphaned backends
are cleaned up before the next start.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import DatabaseError, MissingDependency
from ..settings import DatabaseSettings

SUPERUSER = "gisplan"
APT_HINT = "apt-get install postgresql-15 postgresql-15-postgis-3 (or run `make run`)"


@dataclass
class ClusterInfo:
    port: int
    password: str
    database: str
    os_user: str | None

    def url(self) -> str:
        return (
            f"postgresql+psycopg://{SUPERUSER}:{quote(self.password, safe='')}"
            f"@127.0.0.1:{self.port}/{self.database}"
        )


def find_bindir(explicit: Path | None = None) -> Path:
    """The directory holding ``initdb``/``pg_ctl``/``postgres`` of PostgreSQL ≥ 13."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    else:
        base = Path("/usr/lib/postgresql")
        if base.is_dir():
            versions = sorted((p for p in base.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name))
            candidates += [v / "bin" for v in versions]
        pg_config = shutil.which("pg_config")
        if pg_config:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
            if out.returncode == 0:
                candidates.append(Path(out.stdout.strip()))
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file() and (c / "postgres").is_file():
            return c
    where = str(explicit) if explicit else "/usr/lib/postgresql/*/bin"
    raise MissingDependency(f"PostgreSQL server not found in {where}: {APT_HINT}")


def _postgis_installed(bindir: Path) -> bool:
    out = subprocess.run([str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True)
    sharedir = Path(out.stdout.strip()) if out.returncode == 0 else bindir.parent.parent / "share"
    if not sharedir.is_dir():  # Debian: /usr/share/postgresql/<major>
        sharedir = Path("/usr/share/postgresql") / bindir.parent.name
    return (sharedir / "extension" / "postgis.control").is_file()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Nothing listens on ``port``. Bound as PostgreSQL binds its own socket (``SO_REUSEADDR``), so the
    connections a stopped server closed (TIME_WAIT) do not count: else a cluster restarted right after
    a fast shutdown would move to another port and every configured URL would be refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Cluster:
    """One private cluster in ``home``; all methods are idempotent."""

    def __init__(self, settings: DatabaseSettings):
        self.settings = settings
        self.home = Path(settings.home)
        self.datadir = self.home / "pgdata"
        self.statefile = self.home / "cluster.json"
        self.logfile = self.home / "postgresql.log"
        self.as_root = os.geteuid() == 0
        self.os_user = settings.db_os_user if self.as_root else None

    # ----------------------------------------------------------------- helpers
    @property
    def bindir(self) -> Path:
        return find_bindir(self.settings.pg_bindir)

    def _run(self, args: list[str], check: bool = True, timeout: int | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        kwargs: dict = dict(capture_output=True, text=True, timeout=timeout, cwd=str(self.home))
        if env:
            kwargs["env"] = {**os.environ, **env}
        if self.os_user:
            pw = pwd.getpwnam(self.os_user)
            kwargs.update(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
            kwargs["env"] = {**os.environ, **(env or {}), "HOME": str(self.home), "USER": self.os_user}
        proc = subprocess.run(args, **kwargs)
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            tail = detail[-1] if detail else f"exit code {proc.returncode}"
            raise DatabaseError(f"{Path(args[0]).name} failed: {tail} (log: {self.logfile})")
        return proc

    def _ensure_os_user(self) -> None:
        if not self.os_user:
            return
        try:
            pwd.getpwnam(self.os_user)
        except KeyError:
            useradd = shutil.which("useradd") or "/usr/sbin/useradd"
            proc = subprocess.run(
                [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", self.os_user],
                capture_output=True, text=True,
            )
            if proc.returncode != 0:
                raise DatabaseError(f"cannot create OS user {self.os_user!r}: {proc.stderr.strip()}")

    def _prepare_home(self) -> None:
        """Create ``home`` so that the cluster's OS user can reach and own it."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.os_user:
            pw = pwd.getpwnam(self.os_user)
            # every parent must be traversable by the cluster user
            for parent in reversed(self.home.parents):
                if parent == Path("/"):
                    continue
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    raise DatabaseError(
                        f"{parent} is not reachable by OS user {self.os_user!r} (mode {oct(mode & 0o777)}): "
                        f"set GISPLAN_HOME to a directory outside it, e.g. /var/lib/gisplan/NAME"
                    )
            os.chown(self.home, pw.pw_uid, pw.pw_gid)
        os.chmod(self.home, 0o700)

    def info(self) -> ClusterInfo | None:
        if not self.statefile.is_file():
            return None
        data = json.loads(self.statefile.read_text())
        return ClusterInfo(
            port=data["port"], password=data["password"], database=data["database"], os_user=data.get("os_user")
        )

    def _save(self, info: ClusterInfo) -> None:
        tmp = self.statefile.with_suffix(".tmp")
        tmp.write_text(json.dumps(info.__dict__, indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(self.statefile)

    def _write_port(self, port: int) -> None:
        conf = self.datadir / "postgresql.gisplan.conf"
        text = (
            "# written by gisplan; loopback only\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {port}\n"
            f"unix_socket_directories = '{self.datadir}'\n"
            "max_connections = 100\n"
            "shared_buffers = 128MB\n"
            "fsync = on\n"
            "# streaming replicas (gisplan db replica, issue 17); initdb's pg_hba.conf already lets\n"
            "# the superuser connect for replication from 127.0.0.1 with its password\n"
            "wal_level = replica\n"
            "max_wal_senders = 10\n"
            "wal_keep_size = 256MB\n"
            "hot_standby = on\n"
        )
        # postgresql.conf includes this file; it is owned by the cluster user
        self._run(["/bin/sh", "-c", f"cat > '{conf}' <<'EOF'\n{text}EOF"])

    # ------------------------------------------------------------------ status
    def initialized(self) -> bool:
        return (self.datadir / "PG_VERSION").is_file() and self.info() is not None

    def server_pid(self) -> int | None:
        """The postmaster's pid when it is really running this data directory, else None."""
        pidfile = self.datadir / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError, PermissionError):
            return None
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            return None
        return pid if Path(cwd) == self.datadir else None

    def running(self) -> bool:
        return self.server_pid() is not None

    # ----------------------------------------------------------------- actions
    def init(self) -> ClusterInfo:
        if self.initialized():
            return self.info()  # type: ignore[return-value]
        bindir = self.bindir
        if not _postgis_installed(bindir):
            raise MissingDependency(f"PostGIS is not installed for {bindir.parent}: {APT_HINT}")
        self._ensure_os_user()
        self._prepare_home()
        if self.datadir.exists():  # a half-made cluster from an interrupted init
            shutil.rmtree(self.datadir)
        password = secrets.token_urlsafe(24)
        pwfile = self.home / ".pwfile"
        pwfile.write_text(password + "\n")
        os.chmod(pwfile, 0o600)
        if self.os_user:
            pw = pwd.getpwnam(self.os_user)
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        try:
            self._run([
                str(bindir / "initdb"), "-D", str(self.datadir), "-U", SUPERUSER,
                f"--pwfile={pwfile}", "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                # byte-order collation ("C"): the same order as C.UTF-8's code points for UTF-8, but
                # PostgreSQL 15 compares it with memcmp (text indexes build and sort several times
                # faster); character classes and upper()/lower() of Cyrillic come from C.UTF-8
                "--encoding=UTF8", "--locale=C.UTF-8", "--lc-collate=C", "--no-instructions",
            ])
        finally:
            pwfile.unlink(missing_ok=True)
        self._run(["/bin/sh", "-c", f"echo \"include_if_exists = 'postgresql.gisplan.conf'\" >> '{self.datadir}/postgresql.conf'"])
        info = ClusterInfo(port=free_port(), password=password, database=self.settings.db_name, os_user=self.os_user)
        self._write_port(info.port)
        self._save(info)
        return info

    def _clean_stale(self) -> None:
        """After ``kill -9`` of the postmaster: end orphaned backends and drop the stale pid file."""
        pidfile = self.datadir / "postmaster.pid"
        if not pidfile.exists() or self.running():
            return
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if Path(os.readlink(proc / "cwd")) == self.datadir:
                    os.kill(int(proc.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(self._orphans()):
            time.sleep(0.1)
        pidfile.unlink(missing_ok=True)
        for lock in self.datadir.glob(".s.PGSQL.*"):  # the socket and its lock file
            lock.unlink(missing_ok=True)

    def _orphans(self):
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    if Path(os.readlink(proc / "cwd")) == self.datadir:
                        yield int(proc.name)
                except OSError:
                    continue

    def start(self) -> ClusterInfo:
        info = self.init()
        if self.running():
            return info
        self._clean_stale()
        if not port_is_free(info.port):
            info.port = free_port()
            self._write_port(info.port)
            self._save(info)
        bindir = self.bindir
        self._run([
            str(bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile), "-w",
            "-t", str(self.settings.db_start_timeout), "start",
        ])
        self._ensure_database(info)
        return info

    def _sql(self, info: ClusterInfo, database: str, sql: str):
        """Run one statement as the cluster superuser (autocommit) and return the first value."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=info.port, user=SUPERUSER, password=info.password,
            dbname=database, autocommit=True, connect_timeout=10,
        ) as conn:
            cur = conn.execute(sql)
            row = cur.fetchone() if cur.description else None
            return row[0] if row else None

    def _ensure_database(self, info: ClusterInfo) -> None:
        if self.is_standby():
            return  # read-only: its databases come from the primary
        self.create_database(info.database, info)

    # ---------------------------------------------------------------- replicas
    def is_standby(self) -> bool:
        return (self.datadir / "standby.signal").is_file()

    def init_replica(self, primary: "Cluster") -> ClusterInfo:
        """Make this cluster a streaming replica of the running ``primary`` (``pg_basebackup -R``,
        run as the cluster's OS user), on a port of its own; :meth:`start` then starts it as a hot
        standby. The roles and password are the primary's (the data directory is its copy)."""
        if self.initialized():
            if not self.is_standby():
                raise DatabaseError(f"{self.datadir} holds a cluster that is not a replica")
            return self.info()  # type: ignore[return-value]
        source = primary.start()
        self._ensure_os_user()
        self._prepare_home()
        if self.datadir.exists():
            shutil.rmtree(self.datadir)
        self._run([
            str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(source.port), "-U", SUPERUSER,
            "-D", str(self.datadir), "-R", "-X", "stream", "--checkpoint=fast", "--no-password",
        ], env={"PGPASSWORD": source.password}, timeout=600)
        info = ClusterInfo(port=free_port(), password=source.password, database=source.database,
                           os_user=self.os_user)
        self._write_port(info.port)  # replaces the primary's port and socket directory in the copy
        self._save(info)
        return info

    def current_lsn(self) -> str:
        """The primary's current WAL position."""
        return self._sql(self.info(), "postgres", "SELECT pg_current_wal_lsn()::text")  # type: ignore[arg-type]

    def wait_for_replay(self, primary: "Cluster", timeout: float = 60) -> None:
        """Until this standby has replayed everything the primary had written when called."""
        target = primary.current_lsn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._sql(self.info(), "postgres",  # type: ignore[arg-type]
                         f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
                return
            time.sleep(0.1)
        raise DatabaseError(f"the replica in {self.datadir} did not replay up to {target} in {timeout:.0f} s")

    def create_database(self, name: str, info: ClusterInfo | None = None, postgis: bool = True) -> str:
        """Create a database (with PostGIS unless told otherwise) in this cluster; returns its URL."""
        info = info or self.start()
        if not self._sql(info, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self._sql(info, "postgres", f'CREATE DATABASE "{name}"')
        if postgis:
            self._sql(info, name, "CREATE EXTENSION IF NOT EXISTS postgis")
        return ClusterInfo(info.port, info.password, name, info.os_user).url()

    def stop(self, mode: str = "fast") -> None:
        if not self.initialized():
            return
        if not self.running():
            self._clean_stale()
            return
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop"])

    def destroy(self) -> None:
        """Stop and delete the cluster and its state (tests)."""
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def url(self) -> str:
        info = self.info()
        if info is None:
            raise DatabaseError(f"no private cluster in {self.home}: run `gisplan db start`")
        return info.url()
