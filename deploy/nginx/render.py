"""Render deploy/nginx/edugate.conf for a private nginx (tests, ``bench/portal.py``): the same
file with its listen address, upstream and directories replaced, and a main ``nginx.conf``
that includes it, so nginx runs from a folder of its own on loopback ports as any user.

Each replaced line must be found exactly once: if the production file changes shape, this
fails loudly instead of testing something else.
"""

from __future__ import annotations

import os
from pathlib import Path

CONF = Path(__file__).resolve().parent / "edugate.conf"


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"deploy/nginx/edugate.conf: expected {old!r} exactly once")
    return text.replace(old, new)


def render(*, listen: str, upstream: str, cache_dir: Path, static_dir: Path,
           media_dir: Path, text: str | None = None) -> str:
    """edugate.conf listening on ``listen`` (``127.0.0.1:14080``), proxying to ``upstream``."""
    text = CONF.read_text() if text is None else text
    production_listen = "    listen 80 default_server;\n    listen [::]:80 default_server;\n"
    text = _replace_once(text, production_listen, f"    listen {listen} default_server;\n")
    text = _replace_once(text, "server 127.0.0.1:8000;", f"server {upstream};")
    text = _replace_once(text, "/var/cache/nginx/edugate", str(cache_dir))
    text = _replace_once(text, "/var/lib/edugate/static/", f"{static_dir}/")
    return _replace_once(text, "/var/lib/edugate/media/", f"{media_dir}/")


def main_conf(*, prefix: Path, include: Path, extra: str = "", workers: str = "auto") -> str:
    """A main nginx.conf keeping everything (pid, logs, temporary files) under ``prefix``."""
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {name}_temp_path {prefix}/{name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
{temp}
    include {include};
{extra}
}}
"""


def write(*, prefix: Path, listen: str, upstream: str, static_dir: Path, media_dir: Path,
          extra: str = "", workers: str = "auto") -> Path:
    """Write both files under ``prefix``; returns the main configuration's path."""
    prefix.mkdir(parents=True, exist_ok=True)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
        (prefix / name).mkdir(exist_ok=True)
    site = prefix / "edugate.conf"
    site.write_text(render(listen=listen, upstream=upstream, cache_dir=prefix / "cache",
                           static_dir=static_dir, media_dir=media_dir))
    main = prefix / "nginx.conf"
    main.write_text(main_conf(prefix=prefix, include=site, extra=extra, workers=workers))
    return main
