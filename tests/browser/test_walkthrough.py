"""The README walkthrough, in a browser: a Department administrator browses the tree, creates
a school and a teacher and appoints the school's administrator, who then sees only that school."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from edugate.accounts.models import User
from edugate.directory.models import Person, RoleAssignment, Unit
from tests.browser.conftest import log_in
from tests.conftest import build_tree

pytestmark = pytest.mark.django_db(transaction=True)


def test_department_admin_creates_a_school_and_its_admin_sees_only_it(
    live_server: Any, page: Any
) -> None:
    tree = build_tree()
    base = live_server.url
    log_in(page, base, tree.dept_admin.email)

    # Browse the tree: department → its sub-units → the commune office → its schools.
    page.goto(f"{base}/admin/units/")
    page.get_by_role("link", name="3 đơn vị trực thuộc").click()
    page.wait_for_url(f"{base}/admin/units/?parent={tree.department.pk}")
    page.get_by_role("link", name="2 đơn vị trực thuộc").click()
    page.wait_for_url(f"{base}/admin/units/?parent={tree.office.pk}")
    expect(page.get_by_role("link", name="Trường Tiểu học Kim Đồng")).to_be_visible()

    # Create a school under the office: the add button keeps the office as parent.
    page.get_by_role("link", name="Thêm đơn vị").first.click()
    page.fill("input[name=code]", "TH-C")
    page.fill("input[name=name]", "Trường Tiểu học Võ Thị Sáu")
    page.select_option("select[name=kind]", "institution")
    page.select_option("select[name=level]", "primary")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{base}/admin/units/**")
    school = Unit.objects.get(code="TH-C")
    assert [u.code for u in school.ancestors()] == ["SGD", "PX1"]

    # Create a teacher at the new school from its staff list.
    page.goto(f"{base}/admin/people/?unit={school.pk}")
    page.get_by_role("link", name="Thêm người").first.click()
    page.fill("input[name=full_name]", "Trần Thị Mai")
    page.fill("input[name=position]", "Giáo viên")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{base}/admin/people/**")
    teacher = Person.objects.get(full_name="Trần Thị Mai")
    assert list(teacher.units.values_list("code", flat=True)) == ["TH-C"]
    assert (teacher.family_name, teacher.given_name) == ("Trần", "Mai")

    # Appoint her administrator of the school, picking her through the person chooser.
    page.goto(f"{base}/admin/roles/new/?person={teacher.pk}")
    page.locator("[data-chooser-action-choose]").nth(1).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").first.fill("vo thi sau")
    dialog.get_by_role("link", name="Trường Tiểu học Võ Thị Sáu").click()
    expect(dialog).to_be_hidden()
    page.select_option("select[name=kind]", "administrator")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"{base}/admin/roles/**")
    assert RoleAssignment.objects.filter(person=teacher, unit=school, kind="administrator").exists()

    # She logs in and sees her school only.
    User.objects.create_user("mai@th-c.minhhai.edu.vn", "correct horse battery", person=teacher)
    page.context.clear_cookies()
    log_in(page, base, "mai@th-c.minhhai.edu.vn")
    page.goto(f"{base}/admin/units/")
    body = page.locator("main").inner_text()
    assert "Trường Tiểu học Võ Thị Sáu" in body
    for other in ("Kim Đồng", "An Bình", "Lê Quý Đôn", "Sở Giáo dục"):
        assert other not in body
    page.goto(f"{base}/admin/people/")
    body = page.locator("main").inner_text()
    assert "Trần Thị Mai" in body and "Nguyễn Văn An" not in body
