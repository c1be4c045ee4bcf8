"""`edugate up` serves the back office and stops cleanly on Ctrl-C."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("EDUGATE_DATABASE_URL", "").startswith("postgres"),
    reason="runs the embedded instance; the server does not depend on the backend",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_form_posts(port: int) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://127.0.0.1:{port}/admin/login/"
    with opener.open(url, timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the login form has no CSRF token"
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1),
                                   "username": "nobody@minhhai.edu.vn",
                                   "password": "not the password"}).encode()
    # Through nginx over TLS (EDUGATE_BEHIND_PROXY=1): the browser's Origin is https://, which
    # CSRF accepts only if the request is known to be secure.
    secure = f"https://127.0.0.1:{port}"
    request = urllib.request.Request(url, data=form, headers={
        "Referer": f"{secure}/admin/login/", "Origin": secure, "X-Forwarded-Proto": "https"})
    with opener.open(request, timeout=10) as response:
        assert response.status == 200
        assert 'name="password"' in response.read().decode()


def test_up_serves_until_interrupted(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDUGATE_")}
    env["EDUGATE_VAR_DIR"] = str(tmp_path)
    env["EDUGATE_BEHIND_PROXY"] = "1"
    subprocess.run([sys.executable, "-m", "edugate", "migrate", "--noinput", "-v0"], env=env,
                   check=True, timeout=300)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "edugate", "up", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/",
                                            timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.5)
        assert 'name="password"' in body
        assert '<html lang="vi"' in body or 'lang="vi"' in body
        # Static files are served by the app itself (WhiteNoise), under hashed names.
        stylesheet = re.search(r'href="(/static/wagtailadmin/css/core\.[0-9a-f]+\.css)"', body)
        assert stylesheet, "the admin stylesheet is not served under a hashed name"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet.group(1)}") as response:
            assert response.status == 200
            assert "max-age" in response.headers.get("Cache-Control", "")
        # A form's body reaches Django: a wrong password is refused on the form, not by CSRF.
        assert_form_posts(port)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    # Nothing keeps listening after Ctrl-C.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
