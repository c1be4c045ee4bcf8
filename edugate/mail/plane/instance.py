"""The private mail instance: Postfix, Dovecot and Rspamd (and postsrsd, for SRS) running
from ``var/mail``.

``up`` prepares what the daemons need (system users, folders and their owners, a self-signed
certificate at first start, read access to the SQLite database or the PostgreSQL role),
renders the configuration into ``var/mail/etc``, starts (or reloads) each daemon and waits
until every listener answers. ``down`` stops them; ``status`` probes the listeners.
Running the daemons needs root, as Postfix and Dovecot drop to their own users themselves.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from edugate.mail.plane import dbrole, render
from edugate.mail.plane.config import Listener, PlaneConfig

RSPAMD = "/usr/bin/rspamd"
POSTFIX = "/usr/sbin/postfix"
DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
SIEVEC = "/usr/bin/sievec"
OPENSSL = "/usr/bin/openssl"
POSTSRSD = "/usr/sbin/postsrsd"
RSPAMD_USER = "_rspamd"
POSTSRSD_USER = "postsrsd"


class PlaneError(Exception):
    """Something the operator must fix; the message says what."""


@dataclass
class ListenerStatus:
    name: str
    protocol: str
    host: str
    port: int
    daemon: str
    answers: bool


Completed = subprocess.CompletedProcess[str]


def _run(argv: list[str], *, check: bool = True, timeout: float = 60) -> Completed:
    result = subprocess.run(argv, capture_output=True, text=True,  # noqa: S603
                            timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise PlaneError(_("%(command)s failed: %(output)s") % {
            "command": " ".join(argv[:3]),
            "output": (result.stderr or result.stdout).strip()[-2000:],
        })
    return result


def _ids(user: str) -> tuple[int, int]:
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def require_root() -> None:
    if os.geteuid() != 0:
        raise PlaneError(_("The mail plane's daemons must be started as root (they drop to "
                           "their own users). Run this command with sudo."))
    missing = [path for path in (RSPAMD, POSTFIX, DOVECOT, SIEVEC, OPENSSL, POSTSRSD)
               if not Path(path).exists()]
    if missing:
        raise PlaneError(_("Missing programs: %(paths)s. Install the Debian packages with "
                           "scripts/system-packages.sh run.") % {"paths": ", ".join(missing)})


def ensure_vmail_user(name: str) -> None:
    """The owner of the Maildirs: a system user of its own (created when missing)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        _run(["/usr/sbin/useradd", "--system", "--user-group", "--home-dir", "/nonexistent",
              "--no-create-home", "--shell", "/usr/sbin/nologin", name])


def _own(path: Path, user: str, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    uid, gid = _ids(user)
    os.chown(path, uid, gid)
    path.chmod(mode)


def prepare_folders(config: PlaneConfig) -> None:
    assert config.log_dir is not None
    for folder in (config.postfix_dir.parent, config.queue_dir, config.log_dir,
                   config.dovecot_state_dir, config.dovecot_base_dir.parent):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
    _own(config.data_dir, "postfix", 0o700)
    _own(config.mail_dir, config.vmail_user, 0o700)
    _own(config.rspamd_db_dir, RSPAMD_USER, 0o750)
    _own(config.rspamd_run_dir, RSPAMD_USER, 0o750)
    for name in ("postfix.log", "dovecot.log"):
        (config.log_dir / name).touch(mode=0o640)
    rspamd_log = config.log_dir / "rspamd.log"
    rspamd_log.touch(mode=0o640)
    os.chown(rspamd_log, *_ids(RSPAMD_USER))
    # DKIM keys are written by edugate (edugate.mail.dkim); Rspamd reads them as its group.
    if config.dkim_dir.exists():
        rspamd_gid = grp.getgrnam(RSPAMD_USER).gr_gid
        os.chown(config.dkim_dir, -1, rspamd_gid)
        config.dkim_dir.chmod(0o750)
        for key in config.dkim_dir.iterdir():
            if key.is_file():
                os.chown(key, -1, rspamd_gid)
                key.chmod(0o640)


def _srs_dir(config: PlaneConfig) -> Path:
    assert config.srs_dir is not None, "the private instance keeps its SRS state under its root"
    return config.srs_dir


def ensure_srs_secret(config: PlaneConfig) -> Path:
    """postsrsd's signing secret, made at the first start and kept (old SRS addresses of
    bounces must stay valid); an empty folder for its chroot."""
    folder = _srs_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    (folder / "chroot").mkdir(exist_ok=True)
    secret = folder / "secret"
    if not secret.exists() or not secret.read_text().strip():
        secret.touch(mode=0o600)
        secret.write_text(secrets.token_urlsafe(32) + "\n")
    secret.chmod(0o600)
    return secret


def _postsrsd_argv(config: PlaneConfig) -> list[str]:
    folder = _srs_dir(config)
    return [POSTSRSD, f"-s{folder / 'secret'}", f"-d{config.srs_rewrite_domain}", "-l127.0.0.1",
            f"-f{config.srs_forward_port}", f"-r{config.srs_reverse_port}",
            f"-u{POSTSRSD_USER}", f"-c{folder / 'chroot'}", "-4"]


def _postsrsd_pid(config: PlaneConfig) -> int | None:
    return _live_pid(_srs_dir(config) / "postsrsd.pid")


def ensure_certificate(config: PlaneConfig) -> None:
    """A self-signed certificate for the local instance, made at the first start."""
    if config.tls_cert.exists() and config.tls_key.exists():
        return
    config.tls_cert.parent.mkdir(parents=True, exist_ok=True)
    config.tls_cert.parent.chmod(0o755)
    _run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
          "-subj", f"/CN={config.hostname}",
          "-addext", f"subjectAltName=DNS:{config.hostname},DNS:localhost,IP:127.0.0.1",
          "-keyout", str(config.tls_key), "-out", str(config.tls_cert)])
    config.tls_key.chmod(0o600)
    config.tls_cert.chmod(0o644)


def share_sqlite_database(path: Path, group: str = "postfix") -> None:
    """Let the daemons' lookups read a SQLite database in WAL mode, and nothing more.

    A WAL reader must be able to create the ``-wal``/``-shm`` files when they are missing, so
    the lookup users (Postfix, and Dovecot's auth worker through an extra group) get group
    write access to the database's folder. The sticky bit keeps them from removing or
    renaming anyone else's files there; SQLite gives new ``-wal``/``-shm`` files the
    database's owner and mode.
    """
    gid = grp.getgrnam(group).gr_gid
    folder = path.parent
    os.chown(folder, -1, gid)
    folder.chmod(stat.S_IMODE(folder.stat().st_mode) | 0o1070)
    for item in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if item.exists():
            os.chown(item, -1, gid)
            item.chmod(stat.S_IMODE(item.stat().st_mode) | 0o060)


def probe(listener: Listener, timeout: float = 2.0) -> bool:
    """Whether ``listener`` accepts a connection (and greets like its protocol should)."""
    try:
        with socket.create_connection((listener.host, listener.port), timeout=timeout) as raw:
            if not listener.greeting:
                return True
            sock: socket.socket = raw
            if listener.tls:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                sock = context.wrap_socket(raw)
            sock.settimeout(timeout)
            return sock.recv(64).startswith(listener.greeting)
    except OSError:
        return False


def _taken(listener: Listener) -> bool:
    try:
        with socket.create_connection((listener.host, listener.port), timeout=0.5):
            return True
    except OSError:
        return False


def status(config: PlaneConfig) -> list[ListenerStatus]:
    return [ListenerStatus(**{k: v for k, v in asdict(item).items()
                              if k in ListenerStatus.__dataclass_fields__},
                           answers=probe(item))
            for item in config.listeners]


def _postfix(config: PlaneConfig, action: str, *, check: bool = True) -> Completed:
    return _run([POSTFIX, "-c", str(config.postfix_dir), action], check=check)


def _dovecot_conf(config: PlaneConfig) -> str:
    return str(config.dovecot_dir / "dovecot.conf")


def _dovecot_pid(config: PlaneConfig) -> int | None:
    return _live_pid(config.dovecot_base_dir / "master.pid")


def _rspamd_pid(config: PlaneConfig) -> int | None:
    return _live_pid(config.rspamd_run_dir / "rspamd.pid")


def _live_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def _rspamd_argv(config: PlaneConfig) -> list[str]:
    assert config.log_dir is not None
    return [RSPAMD, "-u", RSPAMD_USER, "-g", RSPAMD_USER, "-c", "/etc/rspamd/rspamd.conf",
            f"--var=LOCAL_CONFDIR={config.rspamd_dir}", f"--var=DBDIR={config.rspamd_db_dir}",
            f"--var=RUNDIR={config.rspamd_run_dir}", f"--var=LOGDIR={config.log_dir}"]


def _start_detached(argv: list[str], config: PlaneConfig, pidfile: Path | None = None) -> None:
    """Start a daemon that stays in the foreground, in its own session, output to the log."""
    assert config.log_dir is not None
    with (config.log_dir / "daemons.out").open("ab") as out:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,  # noqa: S603
                                 start_new_session=True, close_fds=True)
    if pidfile is not None:  # Rspamd in the foreground writes none
        pidfile.write_text(f"{child.pid}\n")


def prepare(config: PlaneConfig) -> None:
    """Everything before the daemons start; safe to repeat."""
    require_root()
    ensure_vmail_user(config.vmail_user)
    if config.vmail_uid is None:
        config = config.replace(vmail_uid=pwd.getpwnam(config.vmail_user).pw_uid)
    prepare_folders(config)
    ensure_certificate(config)
    ensure_srs_secret(config)
    if config.db.vendor == "sqlite":
        share_sqlite_database(Path(config.db.path))
    else:
        try:
            dbrole.ensure_role(config.db.user, config.db.password)
        except dbrole.RoleError as error:
            raise PlaneError(str(error)) from error
    target = config.postfix_dir.parent
    render.write_files(render.render_files(config), target)
    before = config.dovecot_dir / "sieve" / "before.d"
    _run([SIEVEC, "-c", _dovecot_conf(config), str(before)])
    _postfix(config, "check")
    _run(["/usr/bin/doveconf", "-c", _dovecot_conf(config), "-n"])


def _groups_pidfile(config: PlaneConfig) -> Path:
    return config.postfix_dir.parent.parent / "run" / "groups.pid"


def start_group_service(config: PlaneConfig) -> None:
    """``edugate groups serve`` in the background (same settings, so the same database and
    ports), unless it is already running."""
    pidfile = _groups_pidfile(config)
    if _live_pid(pidfile):
        return
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    _start_detached([sys.executable, "-m", "edugate", "groups", "serve"], config, pidfile)


def up(config: PlaneConfig, *, timeout: float = 90, groups: bool = True) -> float:
    """Start (or reload) the daemons and wait for every listener; returns seconds.

    ``groups=False`` leaves the group service to the caller (the test suite runs it in-process,
    on its own test database)."""
    started = time.monotonic()
    prepare(config)
    running = {"rspamd": bool(_rspamd_pid(config)), "dovecot": bool(_dovecot_pid(config)),
               "postfix": _postfix(config, "status", check=False).returncode == 0,
               "postsrsd": bool(_postsrsd_pid(config)),
               "edugate": not groups or bool(_live_pid(_groups_pidfile(config)))}
    taken = [item for item in config.listeners if not running[item.daemon] and _taken(item)]
    if taken:
        raise PlaneError(_("Another program already listens on %(ports)s: stop it, or choose "
                           "other ports (EDUGATE_MAIL_*_PORT).") % {
            "ports": ", ".join(f"{item.host}:{item.port} ({item.name})" for item in taken)})
    start_postsrsd(config)
    if groups:
        start_group_service(config)
    rspamd = _rspamd_pid(config)
    if rspamd:
        os.kill(rspamd, signal.SIGHUP)
    else:
        _start_detached([*_rspamd_argv(config), "-f"], config,
                        config.rspamd_run_dir / "rspamd.pid")
    if running["postfix"]:
        _postfix(config, "reload")
    else:
        _postfix(config, "start")
    if _dovecot_pid(config):
        _run([DOVECOT, "-c", _dovecot_conf(config), "reload"])
    else:
        _start_detached([DOVECOT, "-c", _dovecot_conf(config), "-F"], config)
    wait_until_answering(config, timeout=timeout)
    return time.monotonic() - started


def start_postsrsd(config: PlaneConfig) -> None:
    """Start postsrsd, or restart it when its arguments (domain, ports) have changed."""
    argv = _postsrsd_argv(config)
    recorded = _srs_dir(config) / "postsrsd.args"
    pid = _postsrsd_pid(config)
    if pid and recorded.exists() and recorded.read_text() == "\n".join(argv):
        return
    if pid:
        _stop(pid)
    _start_detached(argv, config, _srs_dir(config) / "postsrsd.pid")
    recorded.write_text("\n".join(argv))


def _stop(pid: int, timeout: float = 10) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)


def wait_until_answering(config: PlaneConfig, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(config.listeners)
    while waiting:
        waiting = [item for item in waiting if not probe(item, timeout=1.0)]
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise PlaneError(_("These listeners did not answer in time: %(names)s (see the "
                               "logs in %(logs)s).") % {
                "names": ", ".join(f"{item.name} ({item.port})" for item in waiting),
                "logs": config.log_dir,
            })
        time.sleep(0.2)


def down(config: PlaneConfig, *, timeout: float = 30) -> None:
    """Stop the daemons that are running; waits until they are gone."""
    pids = []
    if Path(POSTFIX).exists() and (config.postfix_dir / "main.cf").exists():
        master = _live_pid(config.queue_dir / "pid" / "master.pid")
        if master:
            _postfix(config, "stop", check=False)
            pids.append(master)
    dovecot = _dovecot_pid(config)
    if dovecot:
        _run([DOVECOT, "-c", _dovecot_conf(config), "stop"], check=False)
        pids.append(dovecot)
    rspamd = _rspamd_pid(config)
    if rspamd:
        os.kill(rspamd, signal.SIGTERM)
        pids.append(rspamd)
    group_service = _live_pid(_groups_pidfile(config))
    if group_service:
        os.kill(group_service, signal.SIGTERM)
        pids.append(group_service)
    postsrsd = _postsrsd_pid(config) if config.srs_dir is not None else None
    if postsrsd:
        os.kill(postsrsd, signal.SIGTERM)
        pids.append(postsrsd)
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        # Reap it if this process started it (a test session), else it would linger as a zombie.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def remove_state(config: PlaneConfig) -> None:
    """Delete the instance's files (queue, mail, logs); for throw-away test instances."""
    root = config.postfix_dir.parent.parent
    if root.exists():
        shutil.rmtree(root)
