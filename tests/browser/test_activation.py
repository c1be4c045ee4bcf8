"""A teacher activates their mailbox with the code from the slip, then logs in, in a browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from edugate.directory import actions as directory
from edugate.mail import actions
from tests.conftest import build_tree

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_activates_and_logs_in(live_server: Any, page: Any) -> None:
    tree = build_tree()
    domain = directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
    mailbox = actions.create_mailbox(actor=None, unit=tree.school_a, domain=domain,
                                     local_part="annv", kind="personal", person=tree.teacher_a)
    code = actions.issue_activation_code(actor=tree.school_a_admin, mailbox=mailbox)
    base = live_server.url

    page.goto(f"{base}/activate/")
    page.get_by_label("Địa chỉ thư của bạn").fill(mailbox.address)
    page.get_by_label("Mã kích hoạt").fill(code.lower())
    # A weak password is explained next to the field, in Vietnamese; nothing is activated.
    page.get_by_label("Mật khẩu mới:", exact=True).fill("annv123456")
    page.get_by_label("Nhập lại mật khẩu mới").fill("annv123456")
    page.get_by_role("button", name="Kích hoạt").click()
    expect(page.get_by_text("không được chứa tên")).to_be_visible()

    page.get_by_label("Mã kích hoạt").fill(code)
    page.get_by_label("Mật khẩu mới:", exact=True).fill("Hoa-phuong-do-2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Hoa-phuong-do-2026")
    page.get_by_role("button", name="Kích hoạt").click()
    page.wait_for_url(f"{base}/account/login/")
    expect(page.get_by_role("status")).to_contain_text("annv@th-a.minhhai.edu.vn")

    page.locator("input[name=username]").fill(mailbox.address)
    page.locator("input[name=password]").fill("Hoa-phuong-do-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/account/")
    expect(page.get_by_text("annv@th-a.minhhai.edu.vn").first).to_be_visible()
