"""RSS 2.0 and Atom feeds per site and per section, and the sitemap of each site."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree as ET  # xml.etree, hardened

from tests.portal.conftest import get, publish_document, publish_news

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def content(tree):
    publish_news(tree.school_a, "Lễ khai giảng năm học mới", summary="Khai giảng.", days_ago=1)
    publish_news(tree.school_a, "Hội thi giáo viên dạy giỏi", days_ago=2)
    publish_news(tree.school_a, "Bản nháp chưa duyệt", live=False)
    publish_news(tree.school_b, "Tin của trường Kim Đồng")
    publish_document(tree.school_a, "Kế hoạch năm học", number="12/KH-NT")
    return tree


@pytest.mark.parametrize("path", ["/feed/rss/", "/tin-tuc/feed/rss/"])
def test_rss_feeds_list_published_news_of_their_site_only(content, client, path) -> None:
    response = get(client, content.school_a, path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    assert channel.findtext("language") == "vi"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["Lễ khai giảng năm học mới", "Hội thi giáo viên dạy giỏi"]
    links = [item.findtext("link") for item in channel.findall("item")]
    assert all(link.startswith("http://th-a.localhost:8000/tin-tuc/") for link in links)
    assert channel.findall("item")[0].findtext("pubDate")


@pytest.mark.parametrize("path", ["/feed/atom/", "/tin-tuc/feed/atom/"])
def test_atom_feeds(content, client, path) -> None:
    response = get(client, content.school_a, path)
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Lễ khai giảng năm học mới", "Hội thi giáo viên dạy giỏi"]
    assert "Bản nháp chưa duyệt" not in response.content.decode()


def test_documents_have_their_feeds(content, client) -> None:
    rss = ET.fromstring(get(client, content.school_a, "/van-ban/feed/rss/").content)
    items = rss.findall("channel/item")
    assert [item.findtext("title") for item in items] == ["12/KH-NT: Kế hoạch năm học"]
    atom = ET.fromstring(get(client, content.school_a, "/van-ban/feed/atom/").content)
    assert len(atom.findall(f"{ATOM}entry")) == 1


def test_pages_announce_their_feeds(content, client) -> None:
    html = get(client, content.school_a, "/tin-tuc/").content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/tin-tuc/feed/rss/"' in html
    assert 'type="application/atom+xml"' in html and 'href="/feed/atom/"' in html


def test_each_site_has_its_sitemap(content, client) -> None:
    response = get(client, content.school_a, "/sitemap.xml")
    assert response.status_code == 200
    urlset = ET.fromstring(response.content)
    locations = [url.findtext(f"{SITEMAP}loc") for url in urlset.findall(f"{SITEMAP}url")]
    assert "http://th-a.localhost:8000/" in locations
    assert "http://th-a.localhost:8000/tin-tuc/" in locations
    assert any(loc.startswith("http://th-a.localhost:8000/tin-tuc/le-khai-giang")
               for loc in locations)
    assert not any("ban-nhap" in loc for loc in locations)
    assert not any("th-b" in loc for loc in locations)
    robots = get(client, content.school_a, "/robots.txt").content.decode()
    assert "Sitemap: http://th-a.localhost:8000/sitemap.xml" in robots
