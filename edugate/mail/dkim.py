"""DKIM keys of the hosted domains: the files Rspamd signs outgoing mail with.

The files are the truth; there is no database table. The contract with the mail plane
(``edugate/mail/plane``, Rspamd's ``dkim_signing``):

- ``<MAIL_DKIM_DIR>/<domain>.<selector>.key``: the RSA private key (2048 bits, PEM, PKCS#1),
  one file per key, never rewritten. The public key is derived from it whenever needed.
- ``<MAIL_DKIM_DIR>/selectors.map``: one ``domain selector`` line per primary domain, naming
  the key Rspamd signs with (its ``selector_map``).

``MAIL_DKIM_DIR`` defaults to ``<EDUGATE_VAR_DIR>/mail/dkim``. Permissions are least-privilege:
the folder is ``0750`` and every file ``0640``, owned by the user edugate runs as; when
``MAIL_DKIM_GROUP`` (``EDUGATE_DKIM_GROUP``, e.g. ``_rspamd``) is set, the folder and files
belong to that group, so Rspamd can read them and nobody else can. Unset, new files take the
folder's group (which the plane may have given to Rspamd's group). Files are written atomically
(a temporary file, then a rename) under a lock, so Rspamd never reads half a key or half a map.

A key is made when a primary domain is added (after the transaction commits) or on
``edugate dkim keygen``; ``edugate dkim rotate`` makes a new selector (``e2026a``, ``e2026b``…)
and signs with it from then on. The previous key stays in the folder, so its public record can
stay published for the messages already signed with it, until ``edugate dkim remove`` deletes
it. Private keys are never logged or printed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import fcntl
import grp
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edugate.audit.actions import record
from edugate.directory.models import Domain

logger = logging.getLogger(__name__)

KEY_BITS = 2048
MAP_NAME = "selectors.map"
DIR_MODE = 0o750
FILE_MODE = 0o640
_KEY_FILE = re.compile(r"^(?P<domain>[a-z0-9.-]+)\.(?P<selector>[a-z0-9-]+)\.key$")
_SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class DkimError(Exception):
    """The key folder cannot be written as the contract requires."""


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    created: datetime.datetime
    active: bool
    public_key: str  # base64 of the DER SubjectPublicKeyInfo, as DNS publishes it
    bits: int

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def txt_value(self) -> str:
        return f"v=DKIM1; k=rsa; p={self.public_key}"

    def as_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "selector": self.selector, "active": self.active,
                "created": self.created, "bits": self.bits, "name": self.record_name,
                "txt": self.txt_value}


# --- Files ----------------------------------------------------------------------------------

def key_dir() -> Path:
    return Path(getattr(settings, "MAIL_DKIM_DIR", Path(settings.VAR_DIR) / "mail" / "dkim"))


def key_path(domain: str, selector: str) -> Path:
    return key_dir() / f"{domain}.{selector}.key"


def _group_id() -> int | None:
    """``MAIL_DKIM_GROUP``'s id; else the folder's group, which new files keep (the plane may
    have given the folder to Rspamd's group)."""
    name = getattr(settings, "MAIL_DKIM_GROUP", "")
    if not name:
        try:
            return key_dir().stat().st_gid
        except FileNotFoundError:
            return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise DkimError(_("No system group %(group)s for the DKIM keys.")
                        % {"group": name}) from None


def _own(path: Path | int, mode: int) -> None:
    """Give a file or folder its mode and, when configured, the mail plane's group."""
    gid = _group_id()
    try:
        if isinstance(path, int):
            os.fchmod(path, mode)
            if gid is not None:
                os.fchown(path, -1, gid)
        else:
            os.chmod(path, mode)
            if gid is not None:
                os.chown(path, -1, gid)
    except PermissionError as error:
        raise DkimError(_("Cannot give the DKIM keys to the group %(group)s: %(error)s")
                        % {"group": getattr(settings, "MAIL_DKIM_GROUP", "") or gid,
                           "error": error}) from None


def ensure_key_dir() -> Path:
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _own(folder, DIR_MODE)
    return folder


@contextlib.contextmanager
def _locked() -> Iterator[Path]:
    """Serialise writers (web workers, console, plane) on the key folder."""
    folder = ensure_key_dir()
    fd = os.open(folder / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)  # releases the lock


def _write_atomically(target: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder, mode 0640.
    With ``replace=False`` an existing ``target`` is an error (keys are never rewritten)."""
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        _own(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, target)
        else:
            os.link(temporary, target)  # fails if the target exists
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def read_selectors() -> dict[str, str]:
    """The active selector of each domain, as ``selectors.map`` says."""
    try:
        text = (key_dir() / MAP_NAME).read_text(encoding="ascii")
    except FileNotFoundError:
        return {}
    selectors = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#"):
            selectors[parts[0]] = parts[1]
    return selectors


def _write_selectors(selectors: dict[str, str]) -> None:
    lines = "".join(f"{domain} {selector}\n" for domain, selector in sorted(selectors.items()))
    _write_atomically(key_dir() / MAP_NAME, lines.encode("ascii"), replace=True)


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DkimError(_("%(file)s is not an RSA key.") % {"file": path.name})
    return key


def public_key_of(private_key: rsa.RSAPrivateKey) -> str:
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def _key_files(domain: str | None = None) -> Iterator[tuple[str, str, Path]]:
    folder = key_dir()
    if not folder.is_dir():
        return
    pattern = f"{domain}.*.key" if domain else "*.key"
    for path in sorted(folder.glob(pattern)):
        match = _KEY_FILE.match(path.name)
        if match and (domain is None or match["domain"] == domain):
            yield match["domain"], match["selector"], path


def list_keys(domains: Iterable[str] | None = None) -> list[DkimKey]:
    """The keys in the folder (of ``domains`` only, when given): active first, then newest."""
    wanted = None if domains is None else set(domains)
    active = read_selectors()
    keys = []
    for domain, selector, path in _key_files():
        if wanted is not None and domain not in wanted:
            continue
        private_key = _load_key(path)
        keys.append(DkimKey(
            domain=domain, selector=selector,
            created=datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC),
            active=active.get(domain) == selector, public_key=public_key_of(private_key),
            bits=private_key.key_size,
        ))
    keys.sort(key=lambda k: (k.domain, not k.active, -k.created.timestamp(), k.selector))
    return keys


def published_keys(domain: str) -> list[DkimKey]:
    """The keys whose public record ``domain`` should publish (active and not yet removed)."""
    return list_keys([domain])


def next_selector(existing: Iterable[str], today: datetime.date) -> str:
    """``e<year><letters>``: ``e2026a``, ``e2026b``… ``e2026z``, ``e2026aa``… never reused."""
    taken = set(existing)
    n = 0
    while True:
        letters, m = "", n
        while True:
            letters = chr(ord("a") + m % 26) + letters
            m = m // 26 - 1
            if m < 0:
                break
        selector = f"e{today.year}{letters}"
        if selector not in taken:
            return selector
        n += 1


def new_private_key() -> bytes:
    """A fresh 2048-bit RSA key as PEM (PKCS#1, which Rspamd and dkimpy both read)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption())


def public_key_of_pem(pem: bytes) -> str:
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return public_key_of(key)


def create_key_files(
    domain: str, selector: str, pem: bytes | None = None, *, first: bool = False
) -> None:
    """Store a key for ``domain`` under ``selector`` (a new one unless ``pem`` is given) and
    sign with it from now on. The file must not exist yet: keys are never overwritten. With
    ``first``, nothing happens if the domain has meanwhile got a key."""
    if not _SELECTOR.match(selector):
        raise ValueError(f"bad DKIM selector {selector!r}")
    with _locked():
        selectors = read_selectors()
        if first and domain in selectors:
            return
        _write_atomically(key_path(domain, selector), pem or new_private_key(), replace=False)
        selectors[domain] = selector
        _write_selectors(selectors)
    logger.info("DKIM key made for %s, selector %s", domain, selector)


def delete_key_files(domain: str, selector: str) -> None:
    with _locked():
        if read_selectors().get(domain) == selector:
            raise ValueError("the active key cannot be removed")
        key_path(domain, selector).unlink(missing_ok=True)


# --- Actions --------------------------------------------------------------------------------

def _check(actor: Any, domain: Domain) -> Domain:
    from edugate.directory.actions import actor_scope

    domain = Domain.objects.select_related("unit").get(pk=domain.pk)
    if not actor_scope(actor).contains(domain.unit):
        raise PermissionDenied(_("This is outside the units you administer."))
    if domain.is_alias:
        raise ValidationError(_("%(name)s is an alias domain: mail from it is signed with the "
                                "key of %(primary)s.")
                              % {"name": domain.display_name,
                                 "primary": domain.alias_of.display_name if domain.alias_of
                                 else ""})
    return domain


def _plan(actor: Any, domain: Domain, *, action: str, now: bool, first: bool) -> DkimKey:
    """Choose the new selector and audit it; the key file is written once the transaction
    commits. With ``now`` the key is made at once (its public record is returned to print);
    otherwise after commit (``public_key`` is then empty), and a failure there is logged
    instead of raised, the domain being already committed."""
    selector = next_selector((k.selector for k in list_keys([domain.name])),
                             timezone.localdate())
    previous = read_selectors().get(domain.name)
    record(actor=actor, action=action, obj=domain, unit=domain.unit,
           changes={"dkim_selector": [previous, selector]})
    name = domain.name
    pem = new_private_key() if now else None
    transaction.on_commit(lambda: create_key_files(name, selector, pem, first=first),
                          robust=not now)
    return DkimKey(domain=name, selector=selector, created=timezone.now(), active=True,
                   public_key=public_key_of_pem(pem) if pem else "", bits=KEY_BITS)


@transaction.atomic
def create_initial_key(*, actor: Any, domain: Domain, now: bool = True) -> DkimKey | None:
    """A first key for a primary domain that has none (``None``: it has one already)."""
    domain = _check(actor, domain)
    if domain.name in read_selectors():
        return None
    return _plan(actor, domain, action="dkim.create", now=now, first=True)


def create_key(*, actor: Any, domain: Domain) -> DkimKey:
    """``edugate dkim keygen``: the domain's first key; refused when it has one."""
    key = create_initial_key(actor=actor, domain=domain)
    if key is None:
        raise ValidationError(_("%(name)s already has a DKIM key; rotate it to make a new one.")
                              % {"name": domain.display_name})
    return key


@transaction.atomic
def rotate_key(*, actor: Any, domain: Domain) -> DkimKey:
    """A new key and selector, signed with from now on; the old key stays published."""
    domain = _check(actor, domain)
    return _plan(actor, domain, action="dkim.rotate", now=True, first=False)


@transaction.atomic
def remove_key(*, actor: Any, domain: Domain, selector: str) -> None:
    """Delete a retired key (its record may then be unpublished). The active key stays."""
    domain = _check(actor, domain)
    selector = selector.strip().lower()
    if not key_path(domain.name, selector).is_file() or not _SELECTOR.match(selector):
        raise ValidationError(_("%(name)s has no DKIM key with the selector %(selector)s.")
                              % {"name": domain.display_name, "selector": selector})
    if read_selectors().get(domain.name) == selector:
        raise ValidationError(_("The key %(selector)s is the one mail is signed with: rotate "
                                "first, then remove it.") % {"selector": selector})
    record(actor=actor, action="dkim.remove", obj=domain, unit=domain.unit,
           changes={"dkim_selector": [selector, None]})
    name = domain.name
    transaction.on_commit(lambda: delete_key_files(name, selector))


def stop_signing(name: str) -> None:
    """Mail of ``name`` is no longer signed (the domain was renamed or removed). Its key files
    stay on disk, so a record still published keeps verifying mail already sent."""
    with _locked():
        selectors = read_selectors()
        if selectors.pop(name, None) is not None:
            _write_selectors(selectors)


def on_domain_changed(*, actor: Any, domain: Domain, previous_name: str | None) -> None:
    """A renamed domain signs under its new name with a key of its own, after commit."""
    if previous_name and previous_name != domain.name:
        transaction.on_commit(lambda: stop_signing(previous_name))
    on_domain_added(actor=actor, domain=domain)


def on_domain_removed(*, name: str) -> None:
    transaction.on_commit(lambda: stop_signing(name))


def on_domain_added(*, actor: Any, domain: Domain) -> None:
    """Called by ``add_domain`` inside its transaction: a key for a new primary domain, made
    after commit. A failure to write it is logged and does not undo the domain: ``edugate
    dkim keygen`` makes it later."""
    if domain.is_alias:
        return
    try:
        create_initial_key(actor=actor, domain=domain, now=False)
    except (DkimError, OSError):
        logger.exception("no DKIM key planned for %s", domain.name)
