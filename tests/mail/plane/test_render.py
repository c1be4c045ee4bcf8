"""Rendering: the files the daemons read, accepted by Postfix's and Dovecot's own checkers."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from edugate.mail.plane import render
from edugate.mail.plane.config import Database, local_config, production_config

POSTFIX = Path("/usr/sbin/postfix")
needs_postfix = pytest.mark.skipif(not POSTFIX.exists(), reason="Postfix is not installed")

SQLITE = Database(vendor="sqlite", path="/var/lib/edugate/edugate.sqlite3")
PGSQL = Database(vendor="postgresql", host="127.0.0.1", port=5432, name="edugate",
                 user="edugate_mail", password="s3cret-pass")


def production(db: Database = SQLITE):
    return production_config(hostname="mail.minhhai.edu.vn", tls_cert="/etc/ssl/e/cert.pem",
                             tls_key="/etc/ssl/e/key.pem", db=db)


def files_of(config) -> dict[str, render.RenderedFile]:
    return {item.path: item for item in render.render_files(config)}


def test_production_uses_the_standard_ports_and_real_certificates() -> None:
    files = files_of(production())
    master = files["postfix/master.cf"].text
    for port in ("25", "587", "465"):
        assert f"\n{port} inet n - n - - smtpd" in master
    assert "chroot" in master and " y " not in master.split("service type")[1]
    main = files["postfix/main.cf"].text
    assert "smtpd_tls_cert_file = /etc/ssl/e/cert.pem" in main
    settings_only = "\n".join(line for line in main.splitlines() if not line.startswith("#"))
    assert "permit_mynetworks" not in settings_only
    assert "maillog_file" not in main
    dovecot = files["dovecot/dovecot.conf"].text
    assert "port = 993" in dovecot and "port = 143" in dovecot
    assert "auth_cache_size = 0" in dovecot


def test_postgresql_maps_carry_the_role_and_stay_private() -> None:
    files = files_of(production(PGSQL))
    aliases = files["postfix/sql/aliases.cf"]
    assert "user = edugate_mail" in aliases.text
    # On PostgreSQL the map calls the view's function (its plan is kept per connection).
    assert "query = SELECT mailplane_map_aliases('%u', '%d')" in aliases.text
    assert aliases.mode == 0o640 and aliases.group == "postfix"
    sql_conf = files["dovecot/dovecot-sql.conf.ext"]
    assert "driver = pgsql" in sql_conf.text and sql_conf.mode == 0o640
    # Dovecot's userdb lookup goes through a function too (a kept plan); SQLite reads the view.
    assert "FROM mailplane_userdb_lookup('%Lu')" in sql_conf.text
    assert "FROM mailplane_userdb WHERE" in files_of(production())[
        "dovecot/dovecot-sql.conf.ext"].text
    # Postfix processes live for 1,000 clients, so their database connections do too.
    assert "\nmax_use = 1000\n" in files["postfix/main.cf"].text
    assert "pgsql:/etc/postfix/sql/mailboxes.cf" in files["postfix/main.cf"].text


def test_offline_instance_turns_off_what_needs_the_internet(tmp_path: Path) -> None:
    files = files_of(local_config(root=tmp_path, database=SQLITE, offline=True))
    assert files["rspamd/local.d/fuzzy_check.conf"].text.strip().endswith("enabled = false;")
    dkim = files["rspamd/local.d/dkim_signing.conf"].text
    assert "$domain.$selector.key" in dkim and "selectors.map" in dkim
    assert "sign_authenticated = true;" in dkim
    assert "rspamd/local.d/fuzzy_check.conf" not in files_of(production())


@needs_postfix
@pytest.mark.parametrize("db", [SQLITE, PGSQL], ids=["sqlite", "pgsql"])
def test_postfix_and_dovecot_accept_the_local_configuration(tmp_path: Path, db: Database) -> None:
    config = local_config(root=tmp_path, database=db)
    render.write_files(render.render_files(config), tmp_path / "etc")
    config.queue_dir.mkdir(parents=True)
    config.log_dir.mkdir(parents=True)
    checked = subprocess.run(["/usr/sbin/postfix", "-c", str(config.postfix_dir), "check"],
                             capture_output=True, text=True)
    assert checked.returncode == 0, (config.log_dir / "postfix.log").read_text()
    dovecot = subprocess.run(["/usr/bin/doveconf", "-c", str(config.dovecot_dir / "dovecot.conf"),
                              "-n"], capture_output=True, text=True)
    assert dovecot.returncode == 0, dovecot.stderr
    assert "mailbox Junk" in dovecot.stdout


@needs_postfix
def test_render_command_writes_the_production_files(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("mail", "render", "--target", str(tmp_path), "--hostname",
                 "mail.minhhai.edu.vn", stdout=out, stderr=io.StringIO())
    assert (tmp_path / "postfix" / "main.cf").exists()
    assert (tmp_path / "dovecot" / "dovecot.conf").exists()
    assert (tmp_path / "rspamd" / "local.d" / "worker-proxy.inc").exists()
    assert "myhostname = mail.minhhai.edu.vn" in (tmp_path / "postfix" / "main.cf").read_text()
    dovecot = subprocess.run(["/usr/bin/doveconf", "-c", str(tmp_path / "dovecot" / "dovecot.conf"),
                              "-n"], capture_output=True, text=True)
    # Production paths (/etc/ssl/edugate/...) need not exist here; the syntax must be right.
    assert "Unknown setting" not in dovecot.stderr, dovecot.stderr
