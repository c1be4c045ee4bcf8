"""The new page types in Wagtail's editor: each add form opens under its section for the
unit's editor, and a disclosure item is drafted through the editor (no posting date until it
is published); a malformed school year is refused."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from edugate.directory.models import RoleKind
from edugate.portal.models import (
    AdmissionsIndexPage,
    DisclosureIndexPage,
    DisclosureItemPage,
    ServiceIndexPage,
)
from tests.conftest import make_admin
from tests.portal.conftest import home_of


def test_editors_open_the_add_forms_of_the_new_types(tree, client) -> None:
    client.force_login(tree.superuser)
    school, dept = home_of(tree.school_a), home_of(tree.department)
    for model, parent in (
        ("disclosureitempage", DisclosureIndexPage.objects.child_of(school).get()),
        ("admissionpage", AdmissionsIndexPage.objects.child_of(school).get()),
        ("servicepage", ServiceIndexPage.objects.child_of(dept).get()),
    ):
        response = client.get(f"/admin/pages/add/portal/{model}/{parent.pk}/")
        assert response.status_code == 200, model


def test_an_editor_drafts_a_disclosure_item_and_a_bad_school_year_is_refused(tree,
                                                                            client) -> None:
    editor = make_admin("bientap@th-a.minhhai.edu.vn", tree.school_a, subtree=False,
                        kind=RoleKind.EDITOR)
    index = DisclosureIndexPage.objects.child_of(home_of(tree.school_a)).get()
    client.force_login(editor)
    due = timezone.localdate() + datetime.timedelta(10)
    form = {
        "title": "Công khai cơ sở vật chất", "slug": "co-so-vat-chat", "school_year": "2025-2026",
        "category": "facilities", "due_date": due.isoformat(), "summary": "Phòng học.",
        "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
        "seo_title": "", "search_description": "",
    }
    response = client.post(f"/admin/pages/add/portal/disclosureitempage/{index.pk}/", form)
    errors = re.findall(r"error-message[^>]*>\s*<p[^>]*>([^<]+)", response.content.decode())
    assert response.status_code == 302, errors or response.content.decode()[-3000:]
    item = DisclosureItemPage.objects.get(title="Công khai cơ sở vật chất")
    assert not item.live and item.posted_on() is None and not item.is_overdue()
    bad = {**form, "title": "Sai năm học", "slug": "sai", "school_year": "2025-2027"}
    response = client.post(f"/admin/pages/add/portal/disclosureitempage/{index.pk}/", bad)
    assert response.status_code == 200  # the form again, with the error
    assert not DisclosureItemPage.objects.filter(title="Sai năm học").exists()
