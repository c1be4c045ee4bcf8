"""deploy/nginx/edugate.conf: accepted by Debian's nginx, and really serving a portal through its
micro-cache (anonymous pages stored for the app's s-maxage, logged-in users passed through,
static files from disk) in front of the app on loopback ports.

Skipped, with the reason, only where nginx is not installed (``scripts/system-packages.sh
test`` installs it).
"""

from __future__ import annotations

import http.client
import importlib.util
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.conftest import build_tree
from tests.portal.conftest import host_of, publish_news

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/system-packages.sh test installs it)")


def _render_module() -> Any:
    spec = importlib.util.spec_from_file_location("edugate_nginx_render",
                                                  ROOT / "deploy" / "nginx" / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _render_module()


def free_port(first: int = 14180, last: int = 14199) -> int:
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free loopback port in {first}-{last}")


def request(port: int, host: str, path: str, *, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_the_rendered_copy_keeps_every_production_setting(tmp_path: Path) -> None:
    text = render.render(listen="127.0.0.1:14180", upstream="127.0.0.1:14181",
                         cache_dir=tmp_path / "c", static_dir=tmp_path / "s",
                         media_dir=tmp_path / "m")
    original = render.CONF.read_text()
    for directive in ("proxy_cache_lock on;", "proxy_cache_use_stale updating",
                      "proxy_cache_bypass $edugate_session", "proxy_no_cache $edugate_session",
                      "proxy_cache_key \"$scheme://$http_host$request_uri\";",
                      "proxy_cache_valid 200 301 5s;", "proxy_ignore_headers Vary;"):
        assert directive in original
        assert directive in text
    assert "listen 127.0.0.1:14180 default_server;" in text
    assert "listen 80" not in text


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    main = render.write(prefix=tmp_path, listen=f"127.0.0.1:{free_port()}",
                        upstream="127.0.0.1:14181", static_dir=tmp_path / "static",
                        media_dir=tmp_path / "media")
    result = subprocess.run([NGINX, "-t", "-q", "-c", str(main), "-p", str(tmp_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def nginx(tmp_path: Path, live_server: Any) -> Iterator[tuple[int, Path]]:
    """nginx on a loopback port in front of the live server; its static folder."""
    port = free_port()
    static = tmp_path / "static"
    static.mkdir()
    main = render.write(prefix=tmp_path / "nginx", listen=f"127.0.0.1:{port}",
                        upstream=urlsplit(live_server.url).netloc, static_dir=static,
                        media_dir=tmp_path / "media", workers="1")
    started = subprocess.run([NGINX, "-c", str(main), "-p", str(tmp_path / "nginx")],
                             capture_output=True, text=True, check=False)
    assert started.returncode == 0, started.stderr
    try:
        for _ in range(50):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port, static
    finally:
        pid_file = tmp_path / "nginx" / "nginx.pid"
        subprocess.run([NGINX, "-c", str(main), "-p", str(tmp_path / "nginx"), "-s", "stop"],
                       capture_output=True, check=False)
        for _ in range(50):
            if not pid_file.exists():
                break
            time.sleep(0.1)


@needs_nginx
@pytest.mark.django_db(transaction=True)
def test_a_portal_through_nginx(nginx: tuple[int, Path], settings: Any, tmp_path: Path,
                                live_server: Any) -> None:
    port, static = nginx
    settings.PORTAL_HOST_SUFFIX = "localhost"
    settings.PORTAL_PORT = 8000
    settings.CACHES = {**settings.CACHES, "portal": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "portal-cache")}}
    # nginx keeps pages as long as the app's s-maxage says: 1 s here, to see one expire.
    settings.PORTAL_CACHE = {"ENABLED": True, "TIMEOUT": 300, "MAX_AGE": 60,
                             "SHARED_MAX_AGE": 1}
    tree = build_tree()
    host = host_of(tree.school_a)

    code, first, body = request(port, host, "/tin-tuc/")
    stored = time.monotonic()  # nginx stored its copy before this
    assert code == 200, body[:500]
    assert (first["x-micro-cache"], first["x-cache"]) == ("MISS", "MISS")
    assert first["cache-control"] == "public, max-age=60, s-maxage=1"
    code, second, again = request(port, host, "/tin-tuc/")
    assert (code, second["x-micro-cache"], again) == (200, "HIT", body)
    # Another portal's same path is another page.
    _code, other, _body = request(port, host_of(tree.school_b), "/tin-tuc/")
    assert other["x-micro-cache"] == "MISS"

    # A logged-in user passes through both caches.
    editor = Client()
    editor.force_login(tree.school_a_admin)
    session = editor.cookies[settings.SESSION_COOKIE_NAME].value
    for _ in range(2):
        code, logged_in, _body = request(port, host, "/tin-tuc/",
                                         headers={"Cookie": f"_ga=1; sessionid={session}"})
        assert code == 200
        assert (logged_in["x-micro-cache"], logged_in["x-cache"]) == ("BYPASS", "BYPASS")
        assert "private" in logged_in["cache-control"]

    # A publish shows once nginx's copy is older than s-maxage (the app's cache was bumped).
    publish_news(tree.school_a, "Kết quả thi tuyển sinh lớp 10")
    # nginx keeps whole seconds: a copy valid for 1 s is stale 2 s after it was stored.
    time.sleep(max(0.0, stored + 2.1 - time.monotonic()))
    _code, expired, _body = request(port, host, "/tin-tuc/")
    # Well before the 5 s of proxy_cache_valid: nginx follows the app's s-maxage.
    assert expired["x-micro-cache"] in {"EXPIRED", "STALE", "UPDATING"}
    deadline = time.monotonic() + 15
    while True:
        _code, _headers, fresh = request(port, host, "/tin-tuc/")
        if "Kết quả thi tuyển sinh lớp 10".encode() in fresh or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # "updating": stale copies while one request refreshes it
    assert "Kết quả thi tuyển sinh lớp 10".encode() in fresh

    # Static files come from disk, not from the app.
    (static / "portal.css").write_text("body { color: #111; }\n")
    code, css, content = request(port, host, "/static/portal.css")
    assert (code, content) == (200, b"body { color: #111; }\n")
    assert "x-cache" not in css and "x-micro-cache" not in css
    assert "immutable" in css["cache-control"]
