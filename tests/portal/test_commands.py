"""``edugate portals list|provision|demo`` on the console."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from edugate.portal.models import NewsPage, Portal


def run(*args: str) -> str:
    out = StringIO()
    call_command("portals", *args, stdout=out)
    return out.getvalue()


def test_list_json_gives_every_portal_to_the_platform(tree) -> None:
    rows = json.loads(run("list", "--json"))
    by_code = {row["code"]: row for row in rows}
    assert set(by_code) == {"SGD", "PX1", "TH-A", "TH-B", "THPT-1"}  # no division
    assert by_code["TH-A"]["hostname"] == "th-a.localhost"
    assert by_code["TH-A"]["url"] == "http://th-a.localhost:8000/"


def test_list_is_scoped_to_the_actors_units(tree) -> None:
    rows = json.loads(run("list", "--json", "--as", tree.school_a_admin.email))
    assert [row["code"] for row in rows] == ["TH-A"]
    rows = json.loads(run("list", "--json", "--as", tree.office_admin.email))
    assert [row["code"] for row in rows] == ["PX1", "TH-A", "TH-B"]


def test_provision_missing_creates_only_what_is_missing(tree) -> None:
    Portal.objects.filter(unit=tree.school_b).delete()
    assert "1" in run("provision", "--missing")
    assert Portal.objects.filter(unit=tree.school_b).exists()
    assert "0" in run("provision", "--missing")


def test_provision_is_scoped(tree) -> None:
    with pytest.raises(CommandError):
        run("provision", "--unit", "TH-B", "--as", tree.school_a_admin.email)
    run("provision", "--unit", "TH-A", "--as", tree.school_a_admin.email)


def test_demo_fills_the_department_and_two_schools(tree, settings, tmp_path, client) -> None:
    settings.MEDIA_ROOT = tmp_path
    report = json.loads(run("demo", "--json"))
    assert report["news"] > 0 and report["documents"] > 0
    assert len(report["urls"]) == 3
    assert NewsPage.objects.live().count() == report["news"]
    for url in report["urls"]:
        host = url.split("//", 1)[1].rstrip("/")
        for path in ("/", "/tin-tuc/", "/van-ban/", "/gioi-thieu/"):
            assert client.get(path, HTTP_HOST=host).status_code == 200, (url, path)
    again = json.loads(run("demo", "--json"))
    assert again["news"] == 0  # idempotent
