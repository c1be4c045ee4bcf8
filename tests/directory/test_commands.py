"""Console commands act within the scope of `--as`, and print JSON for scripts."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from edugate.audit.models import AuditEvent
from edugate.directory.models import Domain, RoleAssignment
from tests.conftest import Tree


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_people_list_is_scoped_and_scriptable(tree: Tree) -> None:
    everyone = {p["full_name"] for p in json.loads(run("people", "list", "--json"))}
    assert {"Nguyễn Văn An", "Đặng Thị Ngọc Ánh"} <= everyone
    mine = json.loads(run("people", "list", "--json", "--as", tree.school_a_admin.email))
    assert "Nguyễn Văn An" in {p["full_name"] for p in mine}
    assert "Đặng Thị Ngọc Ánh" not in {p["full_name"] for p in mine}
    office = json.loads(run("people", "list", "--unit", "PX1", "--subtree", "--json"))
    assert {"Nguyễn Văn An", "Đặng Thị Ngọc Ánh"} <= {p["full_name"] for p in office}
    with pytest.raises(CommandError):
        run("people", "list", "--unit", "TH-B", "--as", tree.school_a_admin.email)


def test_domains_add_list_remove(tree: Tree) -> None:
    run("domains", "add", "minhhai.edu.vn", "--unit", "SGD")
    run("domains", "add", "Trường-Cũ.edu.vn", "--unit", "SGD", "--alias-of", "minhhai.edu.vn")
    listed = json.loads(run("domains", "list", "--json"))
    assert {d["display_name"] for d in listed} == {"minhhai.edu.vn", "trường-cũ.edu.vn"}
    with pytest.raises(CommandError):
        run("domains", "add", "th-b.edu.vn", "--unit", "TH-B", "--as", tree.school_a_admin.email)
    with pytest.raises(CommandError):
        run("domains", "remove", "minhhai.edu.vn")  # it still has an alias
    run("domains", "remove", "trường-cũ.edu.vn")
    assert list(Domain.objects.values_list("name", flat=True)) == ["minhhai.edu.vn"]
    assert AuditEvent.objects.filter(action="domain.delete", source="cli").exists()


def test_roles_grant_and_revoke_within_scope(tree: Tree) -> None:
    out = run("roles", "grant", "--person", str(tree.teacher_a.pk), "--unit", "TH-A",
              "--kind", "editor", "--as", tree.school_a_admin.email)
    assert "TH-A" not in out or "Trường Tiểu học An Bình" in out
    role = RoleAssignment.objects.get(person=tree.teacher_a, kind="editor")
    with pytest.raises(CommandError):
        run("roles", "grant", "--person", str(tree.teacher_b.pk), "--unit", "TH-B",
            "--kind", "editor", "--as", tree.school_a_admin.email)
    listed = json.loads(run("roles", "list", "--unit", "TH-A", "--json"))
    assert role.pk in {r["id"] for r in listed}
    run("roles", "revoke", str(role.pk), "--as", tree.school_a_admin.email)
    assert not RoleAssignment.objects.filter(pk=role.pk).exists()


def test_audit_list_is_scoped(tree: Tree) -> None:
    events = json.loads(run("audit", "list", "--json", "--as", tree.school_b_admin.email))
    assert events and all(e["unit"] == "TH-B" for e in events)
    assert json.loads(run("audit", "list", "--action", "unit.create", "--json", "--limit", "2"))


def test_units_move_merge_and_dissolve_from_the_console(tree: Tree) -> None:
    from edugate.directory.models import Unit

    run("units", "move", "TH-B", "--to", "SGD")
    assert [u.code for u in Unit.objects.get(code="TH-B").ancestors()] == ["SGD"]
    with pytest.raises(CommandError):
        run("units", "move", "TH-A", "--to", "SGD", "--as", tree.school_a_admin.email)
    run("units", "merge", "TH-B", "--into", "TH-A", "--on", "2025-07-01")
    merged = Unit.objects.get(code="TH-B")
    assert merged.status == "merged" and str(merged.valid_to) == "2025-07-01"
    with pytest.raises(CommandError):
        run("units", "dissolve", "TH-A")  # staff still work there
    run("units", "dissolve", "SGD-VP", "--on", "2026-01-01")
    assert Unit.objects.get(code="SGD-VP").status == "dissolved"
