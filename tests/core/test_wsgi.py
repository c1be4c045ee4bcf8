"""What a request's WSGI environ may hold: nothing of the server's own environment."""

from __future__ import annotations

from typing import Any

from edugate.wsgi import without_process_environment


def test_the_process_environment_stays_out_of_requests() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return [b""]

    process = frozenset({"EDUGATE_DATABASE_URL", "PATH", "PATH_INFO", "HTTP_HOST"})
    wrapped = without_process_environment(app, process)
    wrapped({"EDUGATE_DATABASE_URL": "postgres://edugate:secret@db/edugate", "PATH": "/usr/bin",
             "PATH_INFO": "/tin-tuc/", "HTTP_HOST": "th-a.localhost", "wsgi.url_scheme": "http"},
            lambda *args: None)
    assert "EDUGATE_DATABASE_URL" not in seen and "PATH" not in seen
    assert seen["PATH_INFO"] == "/tin-tuc/" and seen["HTTP_HOST"] == "th-a.localhost"
    assert seen["wsgi.url_scheme"] == "http"
