"""A school administrator uploads the sample staff list in the back office, watches the progress
bar reach the result and sees a rejected row, in a browser."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from edugate.directory import actions as directory
from edugate.mail.models import StaffImport, StaffImportState
from tests.browser.conftest import log_in
from tests.conftest import build_tree

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = (Path(__file__).resolve().parents[1] / "fixtures" / "staff"
          / "danh-sach-can-bo-thcs-hoa-khanh.xlsx")


def test_an_administrator_imports_the_sample_and_sees_the_rejected_rows(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.EDUGATE_PRIVATE_ROOT = tmp_path / "private"
    tree = build_tree()
    directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
    base = live_server.url
    log_in(page, base, tree.school_a_admin.email)

    page.goto(f"{base}/admin/staff-imports/")
    # Their only school is chosen already; the file goes in, the form goes off.
    expect(page.locator("form#w-editor-form")).to_contain_text(tree.school_a.name)
    page.set_input_files("input[name=file]", str(SAMPLE))
    page.locator("form#w-editor-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/staff-imports/\d+/$"))
    bar = page.locator("progress#import-bar")
    expect(bar).to_be_visible()
    job = StaffImport.objects.get()
    assert job.state == StaffImportState.QUEUED

    # The background worker runs the job while the page polls for its progress.
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0",
                 stdout=io.StringIO(), stderr=io.StringIO())
    job.refresh_from_db()
    assert job.state == StaffImportState.DONE, job.error

    # The page notices by itself, without a click: the bar is full, the result is shown.
    expect(page.locator("#import-counts")).to_be_visible()
    expect(bar).to_have_attribute("value", str(job.total_rows))
    expect(bar).to_have_attribute("max", str(job.total_rows))
    expect(page.locator("[data-count=rejected]")).to_have_text("2")
    rejected = page.locator("table[aria-labelledby=rejected-rows] tbody tr")
    expect(rejected).to_have_count(2)
    expect(rejected.first.locator("td").first).to_have_text("20")
    expect(rejected.first).to_contain_text("0912 345 67")
    # What comes next: the activation slips of the school.
    expect(page.locator(f"a[href$='/admin/mailboxes/slips/?unit={tree.school_a.pk}']")) \
        .to_be_visible()
