"""Delegated administration, as a matrix over every back-office view.

A school administrator gets nothing of a sibling school, ever: not in a listing, a search, an
export, an object page, a chooser or a form, and no write goes through.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from edugate.audit.models import AuditEvent
from edugate.audit.viewsets import audit_viewset
from edugate.directory import actions
from edugate.directory.choosers import person_chooser_viewset, unit_chooser_viewset
from edugate.directory.models import Membership, RoleAssignment
from edugate.directory.viewsets import (
    domain_viewset,
    membership_viewset,
    person_viewset,
    role_viewset,
    unit_viewset,
)
from edugate.mail.actions import create_mailbox
from edugate.mail.viewsets import mailbox_viewset
from tests.conftest import Tree

# Words that only school A's objects contain (school B's admin must never see them).
SECRETS = ("An Bình", "Nguyễn Văn An", "th-a.minhhai", "TH-A")

OBJECT_ROUTES = ("edit", "delete", "inspect", "history", "history_results", "usage")
LIST_ROUTES = ("index", "index_results")


def school_a_objects(tree: Tree) -> dict[Any, Any]:
    domain = actions.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
    return {
        unit_viewset: tree.school_a,
        person_viewset: tree.teacher_a,
        membership_viewset: Membership.objects.get(person=tree.teacher_a),
        role_viewset: RoleAssignment.objects.get(unit=tree.school_a),
        domain_viewset: domain,
        audit_viewset: AuditEvent.objects.filter(unit=tree.school_a).first(),
        mailbox_viewset: create_mailbox(actor=None, unit=tree.school_a, domain=domain,
                                        local_part="annv", kind="personal",
                                        person=tree.teacher_a),
    }


def assert_denied(response: Any) -> None:
    """Refused: not found, forbidden, or Wagtail's redirect to the dashboard."""
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def response_text(response: Any) -> str:
    """What a person would read: the page, the CSV, or every cell of the spreadsheet."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for cell in row)
    return raw.decode()


def assert_no_leak(response: Any) -> None:
    body = response_text(response)
    for secret in SECRETS:
        assert secret not in body, f"{response.request['PATH_INFO']} shows {secret!r}"


@pytest.fixture
def sibling(tree: Tree) -> Client:
    client = Client()
    client.force_login(tree.school_b_admin)
    return client


@pytest.mark.parametrize("route", OBJECT_ROUTES)
@pytest.mark.parametrize(
    "viewset",
    [unit_viewset, person_viewset, membership_viewset, role_viewset, domain_viewset,
     audit_viewset, mailbox_viewset],
    ids=lambda v: v.name,
)
def test_sibling_admin_cannot_open_any_object_view(
    tree: Tree, sibling: Client, viewset: Any, route: str
) -> None:
    obj = school_a_objects(tree)[viewset]
    url = reverse(viewset.get_url_name(route), args=[obj.pk])
    for method in (sibling.get, sibling.post):
        response = method(url)
        assert_denied(response)
        assert_no_leak(response)
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("route", LIST_ROUTES)
@pytest.mark.parametrize(
    "viewset",
    [unit_viewset, person_viewset, membership_viewset, role_viewset, domain_viewset,
     audit_viewset, mailbox_viewset],
    ids=lambda v: v.name,
)
@pytest.mark.parametrize(
    "query", ["", "?q=an+binh", "?q=th-a", "?parent={unit}", "?unit={unit}", "?person={person}",
              "?export=csv", "?export=xlsx"],
)
def test_sibling_admin_lists_nothing_of_the_sibling_school(
    tree: Tree, sibling: Client, viewset: Any, route: str, query: str
) -> None:
    school_a_objects(tree)
    url = reverse(viewset.get_url_name(route)) + query.format(
        unit=tree.school_a.pk, person=tree.teacher_a.pk
    )
    response = sibling.get(url)
    assert response.status_code in (200, 302, 403, 404), url
    assert_no_leak(response)


@pytest.mark.parametrize("viewset", [unit_viewset, person_viewset, membership_viewset,
                                     role_viewset, domain_viewset, mailbox_viewset],
                         ids=lambda v: v.name)
def test_add_forms_offer_nothing_of_the_sibling_school(
    tree: Tree, sibling: Client, viewset: Any
) -> None:
    school_a_objects(tree)
    url = reverse(viewset.get_url_name("add"))
    query = f"?parent={tree.school_a.pk}&unit={tree.school_a.pk}&person={tree.teacher_a.pk}"
    response = sibling.get(url + query)
    assert response.status_code in (200, 302, 403)
    assert_no_leak(response)


@pytest.mark.parametrize("chooser", [unit_chooser_viewset, person_chooser_viewset],
                         ids=lambda v: v.name)
def test_choosers_offer_nothing_of_the_sibling_school(
    tree: Tree, sibling: Client, chooser: Any
) -> None:
    for query in ("", "?q=an+binh", "?q=nguyen"):
        for route in ("choose", "choose_results"):
            response = sibling.get(reverse(chooser.get_url_name(route)) + query)
            assert response.status_code == 200
            assert_no_leak(response)
    obj_pk = tree.school_a.pk if chooser is unit_chooser_viewset else tree.teacher_a.pk
    response = sibling.get(reverse(chooser.get_url_name("chosen"), args=[obj_pk]))
    assert response.status_code == 404


def test_sibling_admin_cannot_write_through_forms(tree: Tree, sibling: Client) -> None:
    # A person placed in the sibling school, a role granted there, a school renamed: all refused.
    response = sibling.post(reverse(person_viewset.get_url_name("add")),
                            {"unit": tree.school_a.pk, "full_name": "Lê Văn Lẻn", "status": "active"})
    assert response.status_code == 200  # the form comes back with an error
    assert not tree.school_a.people.filter(full_name="Lê Văn Lẻn").exists()
    response = sibling.post(reverse(role_viewset.get_url_name("add")),
                            {"person": tree.teacher_a.pk, "unit": tree.school_a.pk,
                             "kind": "administrator"})
    assert not RoleAssignment.objects.filter(person=tree.teacher_a).exists()
    response = sibling.post(reverse(unit_viewset.get_url_name("edit"), args=[tree.school_a.pk]),
                            {"code": "TH-A", "name": "Bị đổi tên", "kind": "institution",
                             "level": "primary", "status": "active"})
    assert response.status_code == 404
    tree.school_a.refresh_from_db()
    assert tree.school_a.name == "Trường Tiểu học An Bình"


def test_sibling_admin_sees_their_own_school(tree: Tree, sibling: Client) -> None:
    response = sibling.get(reverse(unit_viewset.get_url_name("index")))
    assert "Trường Tiểu học Kim Đồng" in response.content.decode()
    response = sibling.get(reverse(person_viewset.get_url_name("index")))
    assert "Đặng Thị Ngọc Ánh" in response.content.decode()


def test_people_without_a_role_cannot_enter_the_back_office(tree: Tree, django_user_model) -> None:
    user = django_user_model.objects.create_user("gv@th-a.minhhai.edu.vn", "x" * 12,
                                                 person=tree.teacher_a)
    client = Client()
    client.force_login(user)
    response = client.get(reverse(unit_viewset.get_url_name("index")))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_persons_page_shows_only_the_workplaces_in_scope(tree: Tree, sibling: Client) -> None:
    actions.add_membership(actor=None, person=tree.teacher_a, unit=tree.school_b,
                           position="Giáo viên thỉnh giảng")
    response = sibling.get(reverse(person_viewset.get_url_name("inspect"),
                                   args=[tree.teacher_a.pk]))
    body = response.content.decode()
    assert "Trường Tiểu học Kim Đồng (Giáo viên thỉnh giảng)" in body
    for secret in ("An Bình", "TH-A"):
        assert secret not in body
