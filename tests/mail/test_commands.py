"""`edugate mailboxes`: scoped listing and export, codes, and the operator's --password-stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from edugate.core.tabular import read_table
from edugate.mail.models import Mailbox, MailboxState
from tests.mail.conftest import PASSWORD, MailTree


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_list_is_scoped(mail: MailTree) -> None:
    everyone = json.loads(run("mailboxes", "list", "--json"))
    assert [m["address"] for m in everyone] == ["annv@th-a.minhhai.edu.vn"]
    assert json.loads(run("mailboxes", "list", "--json", "--as",
                          mail.tree.school_b_admin.email)) == []


def test_export_writes_the_account_list(mail: MailTree, tmp_path: Path) -> None:
    target = tmp_path / "tai-khoan.xlsx"
    run("mailboxes", "export", str(target), "--unit", "TH-A")
    table = read_table(target, {"address": ["Địa chỉ thư"], "state": ["Trạng thái"]})
    assert [row.text("address") for row in table.rows] == ["annv@th-a.minhhai.edu.vn"]


def test_create_a_unit_mailbox_and_issue_a_code(mail: MailTree) -> None:
    run("mailboxes", "create", "vanthu@th-a.minhhai.edu.vn", "--unit", "TH-A", "--kind", "unit",
        "--name", "Văn thư", "--as", mail.tree.school_a_admin.email)
    with pytest.raises(CommandError):
        run("mailboxes", "create", "vanthu@th-b.minhhai.edu.vn", "--unit", "TH-B",
            "--kind", "unit", "--as", mail.tree.school_a_admin.email)
    out = run("mailboxes", "code", "vanthu@th-a.minhhai.edu.vn")
    assert out.startswith("vanthu@th-a.minhhai.edu.vn\t") and len(out.split("\t")[1].strip()) == 24


def test_operator_activates_with_a_password_from_stdin(mail: MailTree, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    run("mailboxes", "activate", mail.teacher_a.address, "--password-stdin")
    assert Mailbox.objects.get(pk=mail.teacher_a.pk).state == MailboxState.ACTIVE
    with pytest.raises(CommandError):  # operator only: no --as
        run("mailboxes", "activate", mail.teacher_a.address, "--password-stdin",
            "--as", mail.tree.school_a_admin.email)
