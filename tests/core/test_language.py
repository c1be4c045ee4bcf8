"""Vietnamese is the default language, whatever the browser asks for."""

from __future__ import annotations

from django.test import Client


def test_pages_are_vietnamese_even_for_an_english_browser(db: None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    for url in ("/admin/login/", "/activate/"):
        body = client.get(url).content.decode()
        assert 'lang="vi"' in body, url
    assert "Kích hoạt hộp thư" in client.get("/activate/").content.decode()
