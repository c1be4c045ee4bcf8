"""Rendering of the daemons' configuration from a ``PlaneConfig`` (no I/O but the writing).

``render_files`` is pure: it returns each file's relative path, text and mode. ``write_files``
puts them under a target folder (``postfix/``, ``dovecot/``, ``rspamd/local.d/``), each file
written to a temporary name and renamed, so a daemon never reads half a file.
"""

from __future__ import annotations

import grp
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.template import Context, Engine
from django.utils.translation import gettext_noop

from edugate.mail.plane.config import PlaneConfig

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENGINE = Engine(dirs=[str(TEMPLATES)], autoescape=False, debug=False)

#: Postfix lookup tables: name → (purpose, query). Queries go by local part and domain, so
#: each one is an index probe; ``%d``/``%u`` make Postfix skip keys that are not addresses.
POSTFIX_MAPS: dict[str, tuple[str, str]] = {
    "domains": ("hosted domains, primary and alias",
                "SELECT 1 FROM mailplane_domain WHERE domain = '%s'"),
    "mailboxes": ("mailboxes that receive mail",
                  "SELECT maildir FROM mailplane_mailbox "
                  "WHERE local_part = '%u' AND domain = '%d'"),
    "aliases": ("aliases, forwards and alias-domain addresses",
                "SELECT destination FROM mailplane_alias "
                "WHERE local_part = '%u' AND domain = '%d'"),
    "refused": ("recipients refused at RCPT, with the reason",
                "SELECT action FROM mailplane_refused WHERE local_part = '%u' AND domain = '%d'"),
    "senders": ("which logins may use an envelope sender",
                "SELECT login FROM mailplane_sender WHERE local_part = '%u' AND domain = '%d'"),
    # First of sender_canonical_maps: a sender in a hosted domain maps to itself, so only
    # other senders (mail forwarded out of a hosted mailbox) reach postsrsd's SRS rewriting.
    "srs_exempt": ("senders in hosted domains, never rewritten by SRS",
                   "SELECT '%s' FROM mailplane_domain WHERE domain = '%d'"),
}

#: Replies the senders see (Rspamd puts "554 5.7.1" or "451 4.7.1" before them). SMTP replies
#: are ASCII, so they stay in English; marked for translators all the same.
FROM_NOT_ALLOWED = gettext_noop("From header is not an address you may send as: use the "
                                "address you send from")
RATE_EXCEEDED = gettext_noop("You have reached your sending limit (%(rate)s): try again later")

#: Rspamd modules that reach the internet (remote maps, fuzzy storage, DNS block lists).
OFFLINE_DISABLED = ("fuzzy_check", "rbl", "phishing", "multimap", "asn", "whitelist",
                    "mime_types", "rspamd_update", "url_redirector", "neural", "emails",
                    "reputation", "hfilter", "mid", "greylist")

RSPAMD_FILES = ("worker-proxy.inc", "worker-normal.inc", "worker-controller.inc",
                "options.inc", "logging.inc", "milter_headers.conf", "actions.conf",
                "dkim_signing.conf", "arc.conf", "ratelimit.conf", "rspamd.lua")


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the target folder
    text: str
    mode: int = 0o644
    group: str = ""  # "" keeps the writer's group; secrets are readable by this group only


def _render(name: str, **context: object) -> str:
    return _ENGINE.get_template(f"mailplane/{name}").render(Context(context, autoescape=False))


def map_function_arguments(query: str) -> list[str]:
    """The Postfix expansions a map's query uses (``%s``, ``%u``, ``%d``), in order."""
    return list(dict.fromkeys(re.findall(r"'(%[sud])'", query)))


def map_function_call(name: str, query: str) -> str:
    """On PostgreSQL a map asks a PL/pgSQL function (see ``schema.map_functions``) instead of
    sending the query: the function's plan is cached per connection, where a plain query is
    planned again on every lookup (2.5 ms of the sender lookup's 3 ms)."""
    arguments = ", ".join(f"'{item}'" for item in map_function_arguments(query))
    return f"SELECT mailplane_map_{name}({arguments})"


def map_reference(config: PlaneConfig, name: str) -> str:
    kind = "sqlite" if config.db.vendor == "sqlite" else "pgsql"
    return f"{kind}:{config.postfix_dir}/sql/{name}.cf"


def render_files(config: PlaneConfig) -> list[RenderedFile]:
    """Every configuration file of the plane for ``config``."""
    secret = config.db.vendor != "sqlite"  # PostgreSQL maps hold the role's password
    maps = {name: map_reference(config, name) for name in POSTFIX_MAPS}
    files = [
        RenderedFile("postfix/main.cf", _render("postfix/main.cf", c=config, maps=maps)),
        RenderedFile("postfix/master.cf", _render("postfix/master.cf", c=config)),
    ]
    for name, (purpose, query) in POSTFIX_MAPS.items():
        if config.db.vendor == "postgresql":
            query = map_function_call(name, query)
        files.append(RenderedFile(
            f"postfix/sql/{name}.cf",
            _render("postfix/map.cf", db=config.db, purpose=purpose, query=query),
            mode=0o640 if secret else 0o644, group="postfix" if secret else "",
        ))
    files += [
        RenderedFile("dovecot/dovecot.conf", _render("dovecot/dovecot.conf", c=config)),
        RenderedFile("dovecot/dovecot-sql.conf.ext",
                     _render("dovecot/dovecot-sql.conf.ext", c=config),
                     mode=0o640, group="dovecot"),
        RenderedFile("dovecot/dovecot-dict-sieve.conf.ext",
                     _render("dovecot/dovecot-dict-sieve.conf.ext", c=config),
                     mode=0o640, group="dovecot"),
        RenderedFile("dovecot/sieve/before.d/spam-to-junk.sieve",
                     _render("dovecot/spam-to-junk.sieve")),
    ]
    messages = {"from_not_allowed": FROM_NOT_ALLOWED,
                "rate_exceeded": RATE_EXCEEDED % {"rate": config.user_rate}}
    for name in RSPAMD_FILES:
        files.append(RenderedFile(f"rspamd/local.d/{name}",
                                  _render(f"rspamd/{name}", c=config, messages=messages)))
    if config.production:  # the private instance passes these as arguments (instance.py)
        files.append(RenderedFile("default/postsrsd",
                                  _render("postfix/postsrsd.default", c=config)))
    if config.offline:
        disabled = _render("rspamd/disabled.conf")
        files += [RenderedFile(f"rspamd/local.d/{module}.conf", disabled)
                  for module in OFFLINE_DISABLED]
    return files


def _gid(group: str) -> int:
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        return -1


def write_files(files: list[RenderedFile], target: Path) -> list[Path]:
    """Write ``files`` under ``target`` atomically; returns the paths written."""
    written = []
    for item in files:
        path = target / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            os.fchmod(fd, item.mode)
            if item.group and os.geteuid() == 0 and _gid(item.group) >= 0:
                os.fchown(fd, -1, _gid(item.group))
            with os.fdopen(fd, "w") as handle:
                handle.write(item.text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(path)
    return written
