"""Printable activation slips: the PDF itself, the console command and the back-office action.

Each slip's code must work (it activates the mailbox), reach nobody but the PDF (not the
output, not the logs), and be issued only inside the administrator's scope.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from edugate.audit.models import AuditEvent
from edugate.mail import actions, slips
from edugate.mail.models import ActivationCode, Mailbox, MailboxState
from edugate.mail.viewsets import mailbox_viewset
from tests.mail.conftest import PASSWORD, MailTree

CODE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, lines joined (a long line wraps on the slip)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def codes_in(text: str) -> list[str]:
    return CODE.findall(text)


def a_slip(number: int) -> slips.Slip:
    return slips.Slip(
        unit_name="Trường Tiểu học An Bình", holder_name=f"Đặng Thị Ngọc Ánh {number}",
        position="Tổ trưởng chuyên môn", address=f"anhdtn{number}@th-a.minhhai.edu.vn",
        code=f"7K2M-Q9XD-4HWT-ZP3R-{number:04d}", expires_on=datetime.date(2026, 12, 4),
        activation_url="https://edugate.minhhai.edu.vn/activate/",
        imap_host="mail.minhhai.edu.vn", imap_port=993,
        smtp_host="smtp.minhhai.edu.vn", smtp_port=587,
    )


# --- The PDF --------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "pages"), [(1, 1), (6, 1), (7, 2), (12, 2), (13, 3)])
def test_six_slips_to_a_page(count: int, pages: int) -> None:
    data = slips.render_slips([a_slip(n) for n in range(count)], title="Phiếu kích hoạt")
    assert data.startswith(b"%PDF")
    assert len(pdf_pages(data)) == pages


def test_the_slip_carries_everything_the_holder_needs() -> None:
    with translation.override("en"):
        data = slips.render_slips([a_slip(n) for n in range(7)], title="Phiếu kích hoạt")
    first, second = pdf_pages(data)
    for n in range(6):
        assert f"Đặng Thị Ngọc Ánh {n}" in first
        assert f"anhdtn{n}@th-a.minhhai.edu.vn" in first
    assert "Đặng Thị Ngọc Ánh 6" in second and "Ánh 5" not in second
    assert codes_in(first + second) == [f"7K2M-Q9XD-4HWT-ZP3R-{n:04d}" for n in range(7)]
    for text in ("Trường Tiểu học An Bình", "Tổ trưởng chuyên môn", "04/12/2026",
                 "https://edugate.minhhai.edu.vn/activate/", "MAILBOX ACTIVATION SLIP",
                 "used only once", "at least 10 characters",
                 "mail.minhhai.edu.vn:993 (SSL/TLS)", "smtp.minhhai.edu.vn:587 (STARTTLS)"):
        assert text in second, text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Phiếu kích hoạt"


def test_decomposed_vietnamese_is_printed_composed() -> None:
    import unicodedata

    slip = a_slip(1)
    decomposed = slips.Slip(**{**slip.__dict__,
                               "holder_name": unicodedata.normalize("NFD", "Nguyễn Văn Ân")})
    text = pdf_pages(slips.render_slips([decomposed], title="x"))[0]
    assert "Nguyễn Văn Ân" in text


def test_a_very_long_address_breaks_only_before_the_at() -> None:
    local, domain = "nguyenthiphuongthaonguyenhoang.phohieutruong", "thpt-dtnt-so2.dienbien.edu.vn"
    slip = slips.Slip(**{**a_slip(1).__dict__, "address": f"{local}@{domain}"})
    text = pdf_pages(slips.render_slips([slip], title="x"))[0]
    assert f"{local} @{domain}" in text or f"{local}@{domain}" in text


def test_missing_fonts_name_the_debian_package(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(slips, "FONT_DIR", tmp_path)
    with pytest.raises(slips.SlipFontMissing, match="fonts-dejavu-core"):
        slips.render_slips([a_slip(1)], title="x")


# --- The console ----------------------------------------------------------------------------

def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def second_teacher(mail: MailTree) -> Mailbox:
    return actions.create_mailbox(actor=None, unit=mail.tree.school_a, domain=mail.school_a,
                                  local_part="vanthu", kind="unit", display_name="Văn thư")


def test_command_issues_codes_that_activate(
    mail: MailTree, second_teacher: Mailbox, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    target = tmp_path / "phieu.pdf"
    out = run("mailboxes", "slips", str(target), "--unit", "TH-A",
              "--as", mail.tree.school_a_admin.email)
    assert "2 phiếu kích hoạt" in out and str(target) in out
    text = "\n".join(pdf_pages(target.read_bytes()))
    assert "Nguyễn Văn An" in text and "Giáo viên" in text and "Văn thư" in text
    codes = codes_in(text)
    assert len(codes) == 2 == ActivationCode.objects.count()
    assert all(code not in out and code not in caplog.text for code in codes)
    assert target.stat().st_mode & 0o077 == 0  # the codes are readable by the owner only
    assert AuditEvent.objects.filter(action="mailbox.code",
                                     actor=mail.tree.school_a_admin).count() == 2
    # Slips come in print order: by given name, unit mailboxes last; the first is An's.
    first_address = text.index(mail.teacher_a.address)
    assert first_address < text.index(codes[0]) < text.index("vanthu@")
    mailbox = actions.activate_with_code(address=mail.teacher_a.address, code=codes[0],
                                         password=PASSWORD)
    assert mailbox.state == MailboxState.ACTIVE


def test_command_only_takes_pending_mailboxes_unless_named(
    mail: MailTree, tmp_path: Path
) -> None:
    actions.set_password_by_operator(mailbox=mail.teacher_a, password=PASSWORD)
    with pytest.raises(CommandError):
        run("mailboxes", "slips", str(tmp_path / "none.pdf"), "--unit", "TH-A")
    assert not (tmp_path / "none.pdf").exists()
    # Named, an active mailbox gets a new slip: the reset, since nobody else sets passwords.
    target = tmp_path / "reset.pdf"
    run("mailboxes", "slips", str(target), "--unit", "TH-A",
        "--address", mail.teacher_a.address.upper())
    (code,) = codes_in(pdf_pages(target.read_bytes())[0])
    actions.activate_with_code(address=mail.teacher_a.address, code=code,
                               password="Cay-bang-xanh-2027")
    assert not actions.credentials.verify_password(
        Mailbox.objects.get(pk=mail.teacher_a.pk).password_hash, PASSWORD)


def test_command_refuses_to_overwrite_without_force(mail: MailTree, tmp_path: Path) -> None:
    target = tmp_path / "phieu.pdf"
    target.write_bytes(b"earlier slips")
    with pytest.raises(CommandError, match="--force"):
        run("mailboxes", "slips", str(target), "--unit", "TH-A")
    assert target.read_bytes() == b"earlier slips"
    assert not ActivationCode.objects.exists()
    run("mailboxes", "slips", str(target), "--unit", "TH-A", "--force")
    assert codes_in(pdf_pages(target.read_bytes())[0])


def test_sibling_school_admin_gets_an_error(mail: MailTree, tmp_path: Path) -> None:
    sibling = mail.tree.school_b_admin.email
    with pytest.raises(CommandError):
        run("mailboxes", "slips", str(tmp_path / "a.pdf"), "--unit", "TH-A", "--as", sibling)
    with pytest.raises(CommandError):
        run("mailboxes", "slips", str(tmp_path / "b.pdf"), "--unit", "TH-B",
            "--address", mail.teacher_a.address, "--as", sibling)
    assert not ActivationCode.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_one_refusal_changes_no_code(mail: MailTree, second_teacher: Mailbox,
                                     tmp_path: Path) -> None:
    earlier = actions.issue_activation_code(actor=None, mailbox=mail.teacher_a)
    actions.suspend_mailbox(actor=None, mailbox=second_teacher)
    with pytest.raises(CommandError):
        run("mailboxes", "slips", str(tmp_path / "x.pdf"), "--unit", "TH-A",
            "--address", mail.teacher_a.address, "--address", second_teacher.address)
    assert list(tmp_path.iterdir()) == []
    assert ActivationCode.objects.count() == 1
    actions.activate_with_code(address=mail.teacher_a.address, code=earlier, password=PASSWORD)


# --- The back office ------------------------------------------------------------------------

def slips_url() -> str:
    return reverse(mailbox_viewset.get_url_name("slips"))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_listing_filtered_by_unit_offers_the_slips(mail: MailTree) -> None:
    client = client_for(mail.tree.school_a_admin)
    index = reverse(mailbox_viewset.get_url_name("index"))
    filtered = client.get(index, {"unit": mail.tree.school_a.pk}).content.decode()
    assert f"{slips_url()}?unit={mail.tree.school_a.pk}" in filtered
    assert slips_url() not in client.get(index).content.decode()


def test_confirm_then_download(mail: MailTree) -> None:
    client = client_for(mail.tree.school_a_admin)
    page = client.get(slips_url(), {"unit": mail.tree.school_a.pk})
    assert page.status_code == 200
    assert "Trường Tiểu học An Bình" in page.content.decode()
    assert not ActivationCode.objects.exists()  # looking issues nothing

    response = client.post(slips_url(), {"unit": mail.tree.school_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="phieu-kich-hoat-TH-A.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_pages(response.content)[0]
    assert "Nguyễn Văn An" in text and mail.teacher_a.address in text
    assert "http://testserver/activate/" in text
    (code,) = codes_in(text)
    actions.activate_with_code(address=mail.teacher_a.address, code=code, password=PASSWORD)
    assert AuditEvent.objects.filter(action="mailbox.code",
                                     actor=mail.tree.school_a_admin).count() == 1


def test_sibling_admin_is_refused_and_nothing_is_issued(mail: MailTree) -> None:
    client = client_for(mail.tree.school_b_admin)
    assert client.get(slips_url(), {"unit": mail.tree.school_a.pk}).status_code in (403, 404)
    assert client.post(slips_url(), {"unit": mail.tree.school_a.pk}).status_code in (403, 404)
    for junk in ("not-a-unit", "²", ""):
        assert client.post(slips_url(), {"unit": junk}).status_code == 404
        assert client.get(slips_url(), {"unit": junk}).status_code == 404
    assert not ActivationCode.objects.exists()


def test_only_a_post_issues_codes(mail: MailTree) -> None:
    client = client_for(mail.tree.school_a_admin)
    data = {"unit": mail.tree.school_a.pk}
    assert client.put(slips_url(), data, content_type="application/json").status_code == 405
    assert client.delete(slips_url(), data).status_code == 405
    assert client.get(slips_url(), data).status_code == 200
    assert not ActivationCode.objects.exists()


def test_the_post_needs_the_csrf_token(mail: MailTree) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(mail.tree.school_a_admin)
    assert client.post(slips_url(), {"unit": mail.tree.school_a.pk}).status_code == 403
    assert not ActivationCode.objects.exists()


def test_no_pending_mailbox_means_no_download(mail: MailTree) -> None:
    actions.set_password_by_operator(mailbox=mail.teacher_a, password=PASSWORD)
    client = client_for(mail.tree.school_a_admin)
    page = client.get(slips_url(), {"unit": mail.tree.school_a.pk}).content.decode()
    assert 'type="submit"' not in page
    response = client.post(slips_url(), {"unit": mail.tree.school_a.pk})
    assert response.status_code == 302
    assert not ActivationCode.objects.exists()
