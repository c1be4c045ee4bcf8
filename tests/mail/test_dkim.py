"""DKIM keys: made when a primary domain is added, rotated on request, files as the contract."""

from __future__ import annotations

import base64
import datetime
import stat
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from edugate.audit.models import AuditEvent
from edugate.directory import actions as directory
from edugate.mail import dkim
from tests.conftest import Tree


@pytest.fixture
def keys(settings, tmp_path: Path) -> Path:
    settings.MAIL_DKIM_DIR = tmp_path / "mail" / "dkim"
    settings.MAIL_DKIM_GROUP = ""
    return settings.MAIL_DKIM_DIR


def add(tree: Tree, name: str, capture, **kwargs):
    with capture(execute=True):
        return directory.add_domain(actor=None, unit=tree.school_a, name=name, **kwargs)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_committed(capture, *args: str) -> str:
    """A console run as in production, where each action commits before the next."""
    with capture(execute=True):
        return run(*args)


def test_selectors_follow_the_year_and_are_never_reused() -> None:
    day = datetime.date(2026, 3, 1)
    assert dkim.next_selector([], day) == "e2026a"
    assert dkim.next_selector(["e2026a", "e2026b"], day) == "e2026c"
    taken = [f"e2026{chr(c)}" for c in range(ord("a"), ord("z") + 1)]
    assert dkim.next_selector(taken, day) == "e2026aa"
    assert dkim.next_selector(["e2026a"], datetime.date(2027, 1, 1)) == "e2027a"


def test_a_new_primary_domain_gets_a_key_after_commit(
    tree: Tree, keys: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        domain = directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
        # Nothing on disk before the transaction commits.
        assert not list(keys.glob("*.key")) if keys.exists() else True
    assert len(callbacks) == 1
    callbacks[0]()
    [key] = dkim.list_keys()
    assert (key.domain, key.active, key.bits) == (domain.name, True, 2048)
    path = keys / f"{domain.name}.{key.selector}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(keys.stat().st_mode) == 0o750
    assert (keys / "selectors.map").read_text() == f"{domain.name} {key.selector}\n"
    assert stat.S_IMODE((keys / "selectors.map").stat().st_mode) == 0o640
    assert path.read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")
    # The published key verifies what the file's key signs.
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    public = serialization.load_der_public_key(base64.b64decode(key.public_key))
    assert isinstance(public, rsa.RSAPublicKey)
    signature = private.sign(b"mail", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"mail", padding.PKCS1v15(), hashes.SHA256())
    assert key.txt_value.startswith("v=DKIM1; k=rsa; p=MIIBIjAN")
    event = AuditEvent.objects.get(action="dkim.create")
    assert event.changes == {"dkim_selector": [None, key.selector]}


def test_alias_domains_get_no_key(tree: Tree, keys: Path,
                                  django_capture_on_commit_callbacks) -> None:
    primary = add(tree, "th-a.minhhai.edu.vn", django_capture_on_commit_callbacks)
    add(tree, "anbinh.edu.vn", django_capture_on_commit_callbacks, alias_of=primary)
    assert [k.domain for k in dkim.list_keys()] == ["th-a.minhhai.edu.vn"]
    with pytest.raises(ValidationError):
        dkim.rotate_key(actor=None, domain=primary.aliases.get())


def test_a_rolled_back_domain_leaves_no_key(tree: Tree, keys: Path,
                                            django_capture_on_commit_callbacks) -> None:
    from django.db import transaction

    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError),
          transaction.atomic()):
        directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
        raise RuntimeError
    assert dkim.list_keys() == []


def test_rotation_keeps_the_old_key_published_until_removed(
    tree: Tree, keys: Path, django_capture_on_commit_callbacks
) -> None:
    domain = add(tree, "th-a.minhhai.edu.vn", django_capture_on_commit_callbacks)
    [first] = dkim.list_keys()
    with django_capture_on_commit_callbacks(execute=True):
        second = dkim.rotate_key(actor=tree.school_a_admin, domain=domain).selector
    assert second != first.selector
    assert dkim.read_selectors() == {domain.name: second}
    listed = {k.selector: k.active for k in dkim.published_keys(domain.name)}
    assert listed == {second: True, first.selector: False}
    # The key mail is signed with cannot be removed; the old one can.
    with pytest.raises(ValidationError):
        dkim.remove_key(actor=None, domain=domain, selector=second)
    with pytest.raises(ValidationError):
        dkim.remove_key(actor=None, domain=domain, selector="../secret_key")
    with django_capture_on_commit_callbacks(execute=True):
        dkim.remove_key(actor=tree.school_a_admin, domain=domain, selector=first.selector)
    assert [k.selector for k in dkim.list_keys()] == [second]
    actors = set(AuditEvent.objects.filter(action__in=["dkim.rotate", "dkim.remove"])
                 .values_list("actor_label", flat=True))
    assert actors == {tree.school_a_admin.email}


def test_other_schools_cannot_touch_the_keys(tree: Tree, keys: Path,
                                             django_capture_on_commit_callbacks) -> None:
    domain = add(tree, "th-a.minhhai.edu.vn", django_capture_on_commit_callbacks)
    before = dkim.read_selectors()
    with pytest.raises(PermissionDenied):
        dkim.rotate_key(actor=tree.school_b_admin, domain=domain)
    with pytest.raises(PermissionDenied):
        dkim.create_key(actor=tree.school_b_admin, domain=domain)
    assert dkim.read_selectors() == before
    with pytest.raises(CommandError, match=r"th-a\.minhhai\.edu\.vn"):
        run("dkim", "rotate", domain.name, "--as", tree.school_b_admin.email)
    listed = run("dkim", "list", "--as", tree.school_b_admin.email)
    assert "th-a.minhhai" not in listed


def test_the_console_prints_public_records_only(tree: Tree, keys: Path,
                                                django_capture_on_commit_callbacks) -> None:
    import json

    capture = django_capture_on_commit_callbacks
    # Added inside the test's transaction: the after-commit key never came (as for domains
    # from before keys were made).
    with capture():
        domain = directory.add_domain(actor=None, unit=tree.school_a,
                                      name="th-a.minhhai.edu.vn")
    assert "dkim keygen" in run("dkim", "list")
    out = run_committed(capture, "dkim", "keygen", domain.name, "--as",
                        tree.school_a_admin.email)
    [key] = dkim.list_keys()
    assert f"{key.selector}._domainkey.th-a.minhhai.edu.vn." in out
    assert key.txt_value in out.replace('" "', "")
    with pytest.raises(CommandError, match=r"th-a\.minhhai\.edu\.vn"):
        run("dkim", "keygen", domain.name)
    out += run_committed(capture, "dkim", "rotate", domain.name, "--as",
                         tree.school_a_admin.email)
    listing = run("dkim", "list", "--json")
    out += listing + run("dkim", "list")
    assert "PRIVATE KEY" not in out
    [entry] = json.loads(listing)
    assert entry["domain"] == domain.name
    assert [k["active"] for k in entry["keys"]] == [True, False]
    before = sorted(keys.glob("*.key"))
    assert " 0 " in f' {run("dkim", "keygen", "--missing")} '  # "0 new keys", in any language
    assert sorted(keys.glob("*.key")) == before


def test_keygen_missing_covers_the_domains_in_scope(
    tree: Tree, keys: Path, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    with capture():  # their after-commit keys never came
        directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
        directory.add_domain(actor=None, unit=tree.school_b, name="th-b.minhhai.edu.vn")
    run_committed(capture, "dkim", "keygen", "--missing", "--as", tree.school_b_admin.email)
    assert [k.domain for k in dkim.list_keys()] == ["th-b.minhhai.edu.vn"]
    # A key that arrives twice (two runs in one transaction) is made once.
    dkim.create_key_files("th-b.minhhai.edu.vn", "e2099a", first=True)
    assert [k.selector for k in dkim.list_keys()] != ["e2099a"]


def test_a_missing_group_is_a_clear_error(tree: Tree, keys: Path, settings) -> None:
    settings.MAIL_DKIM_GROUP = "no-such-group-edugate"
    with pytest.raises(dkim.DkimError, match="no-such-group-edugate"):
        dkim.create_key_files("th-a.minhhai.edu.vn", "e2026a")


def test_new_files_take_the_folder_s_group(tree: Tree, keys: Path) -> None:
    import os

    keys.mkdir(parents=True)
    groups = [g for g in os.getgroups() if g != os.getegid()] or [os.getegid()]
    if os.geteuid() == 0:
        groups = [65534]  # nogroup: root may give files to any group
    os.chown(keys, -1, groups[0])
    dkim.create_key_files("th-a.minhhai.edu.vn", "e2026a")
    assert {p.stat().st_gid for p in keys.iterdir() if not p.name.startswith(".")} == \
        {groups[0]}


def test_a_renamed_domain_signs_under_its_new_name_and_a_removed_one_stops(
    tree: Tree, keys: Path, django_capture_on_commit_callbacks
) -> None:
    domain = add(tree, "th-a.minhhai.edu.vn", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        domain = directory.update_domain(actor=None, domain=domain, unit=tree.school_a,
                                         name="thanbinh.minhhai.edu.vn", alias_of=None)
    selectors = dkim.read_selectors()
    assert list(selectors) == ["thanbinh.minhhai.edu.vn"]
    # The old key stays on disk (mail already sent keeps verifying while it is published).
    assert len(list(keys.glob("th-a.minhhai.edu.vn.*.key"))) == 1
    with django_capture_on_commit_callbacks(execute=True):
        directory.delete_domain(actor=None, domain=domain)
    assert dkim.read_selectors() == {}
