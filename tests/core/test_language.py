"""Vietnamese is the default language, whatever the browser asks for."""

from __future__ import annotations

import datetime

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.test import Client
from django.utils import timezone, translation


def test_pages_are_vietnamese_even_for_an_english_browser(db: None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    for url in ("/admin/login/", "/activate/"):
        body = client.get(url).content.decode()
        assert 'lang="vi"' in body, url
    assert "Kích hoạt hộp thư" in client.get("/activate/").content.decode()


def test_wagtail_s_relative_times_are_vietnamese() -> None:
    """The dashboard and page histories say when things happened through Django's humanize,
    whose catalogue only loads when the app is installed."""
    with translation.override("vi"):
        assert naturaltime(timezone.now() - datetime.timedelta(hours=2)) == "2\xa0giờ trước"
