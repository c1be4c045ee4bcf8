"""Portal speed on the province demo (2,000 portals): a news page from the app server with and
without the page cache, through nginx's micro-cache, and as a static file from nginx.

Usage: ``python bench/portal.py [--seconds 10] [--connections 32]``; ``make bench`` runs it
through bench/run.py. Needs nginx and wrk (Debian's; installed with
``scripts/system-packages.sh bench`` when run as root, else reported as skipped) and a Redis
server on 127.0.0.1:6379 (the production page-cache backend; database 14 with its own key
prefix).

The data: its own SQLite database ``var/bench/portal.sqlite3`` (kept between runs): the
``province`` demo, then ``edugate portals demo`` (every portal provisioned, sample news on the
Department's portal and two schools'); the first run prints how long provisioning took.

One run, on loopback ports 140xx, measures with ``wrk`` (``--connections`` connections, two
threads, ``--seconds`` each) the requests per second for one school news page:

1. ``app_uncached``: ``edugate up`` (Granian, 2 workers) with the page cache off;
2. ``app_cached``: ``edugate up`` with the page cache on Redis (every request a HIT);
3. ``nginx_cached``: nginx with deploy/nginx/edugate.conf in front of (2);
4. ``nginx_static``: the same nginx serving the page's HTML saved as a file;

then prints the ratios to (4) (goals: nginx_cached >= 0.8, app_cached >= 0.15) and the median
time of an uncached request for the page, one at a time (goal < 40 ms).
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DATABASE = VAR / "portal.sqlite3"
WORK = VAR / "portal"
EDUGATE = [sys.executable, "-m", "edugate"]
PORTS = {"app_cached": 14001, "app_uncached": 14002, "nginx": 14080, "static": 14081}
REDIS_URL = "redis://127.0.0.1:6379/14"
GOAL_NGINX_RATIO = 0.8
GOAL_APP_RATIO = 0.15
GOAL_RENDER_MS = 40.0


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "edugate.settings",
            "PYTHONPATH": str(ROOT), "EDUGATE_VAR_DIR": str(VAR),
            "EDUGATE_DATABASE_URL": f"sqlite:///{DATABASE}", **extra}


def load_render() -> Any:
    spec = importlib.util.spec_from_file_location("edugate_nginx_render",
                                                  ROOT / "deploy" / "nginx" / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tools() -> str | None:
    """Why the bench cannot run, or None once nginx, wrk and Redis are there."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) or not shutil.which("wrk"):
        if os.geteuid() == 0:
            subprocess.run([str(ROOT / "scripts/system-packages.sh"), "bench"], check=True)
        else:
            return "nginx and wrk are not installed (scripts/system-packages.sh bench, as root)"
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        return "no Redis server on 127.0.0.1:6379"
    return None


def django_query(code: str) -> Any:
    """Run ``code`` (which sets ``result``) in a Django shell on the bench database."""
    script = ("import json, django; django.setup()\n" + code +
              "\nprint('RESULT' + json.dumps(result))")
    output = subprocess.run([sys.executable, "-c", script], env=environment(), cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.split("RESULT", 1)[1])


def ensure_news() -> None:
    """A school portal with the demo's news, if provisioning stopped before ``portals demo``
    filled any (``--no-provision`` on a partial load)."""
    added = django_query(
        "from django.db import transaction\n"
        "from edugate.directory.models import UnitKind\n"
        "from edugate.portal import demo\n"
        "from edugate.portal.models import NewsPage, Portal\n"
        "result = 0\n"
        "portals = Portal.objects.filter(unit__kind=UnitKind.INSTITUTION,\n"
        "                                site__isnull=False).order_by('unit__path')\n"
        "homes = [p.home_page.path for p in portals[:50] if p.home_page]\n"
        "if not any(NewsPage.objects.live().filter(path__startswith=h).exists()\n"
        "           for h in homes):\n"
        "    with transaction.atomic():\n"
        "        result = demo._fill(portals.first(), demo.SCHOOL_NEWS,\n"
        "                            demo.SCHOOL_DOCUMENTS)[0]\n")
    if added:
        print(f"bench portal_news [sqlite]: {added} demo news items added to a school portal",
              flush=True)


def prepare(*, provision: bool = True) -> None:
    """The province and its portals, unless an earlier run left them (``provision=False``:
    whatever portals are there)."""
    VAR.mkdir(parents=True, exist_ok=True)
    env = environment(EDUGATE_PORTAL_CACHE="0")
    subprocess.run([*EDUGATE, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*EDUGATE, "collectstatic", "--noinput", "-v0"], env=env, check=True,
                   cwd=ROOT)
    subprocess.run([*EDUGATE, "demo", "--size", "province", "--seed", "1", "--if-empty",
                    "--json"], env=env, check=True, cwd=ROOT, capture_output=True)
    missing, sites = django_query(
        "from wagtail.models import Site\n"
        "from edugate.portal import provisioning\n"
        "result = [len(list(provisioning.units_missing_portals())), Site.objects.count()]")
    if missing and not provision:
        print(f"bench portal_provision [sqlite]: skipped (--no-provision): {sites} sites, "
              f"{missing} units still without a portal", flush=True)
        ensure_news()
        return
    if not missing:
        print("bench portal_provision [sqlite]: portals kept from an earlier run", flush=True)
        return
    started = time.perf_counter()
    report = json.loads(subprocess.run(
        [*EDUGATE, "portals", "demo", "--json"], env=env, check=True, cwd=ROOT,
        capture_output=True, text=True).stdout)
    seconds = time.perf_counter() - started
    print(f"bench portal_provision [sqlite]: {seconds:.0f} s for {missing} portals "
          f"({seconds / missing:.2f} s each; {report['portals']} portals in all)", flush=True)


def news_page() -> tuple[str, str]:
    """(Host header, path) of a live news item on a school's portal."""
    host, path = django_query(
        "from edugate.directory.models import UnitKind\n"
        "from edugate.portal.models import NewsPage, PortalHomePage\n"
        "from edugate.portal.models.base import relative_url\n"
        "homes = PortalHomePage.objects.filter(unit__kind=UnitKind.INSTITUTION)\n"
        "page = next(p for p in NewsPage.objects.live().order_by('path')\n"
        "            if homes.filter(path=p.path[:8]).exists())\n"
        "home = homes.get(path=page.path[:8])\n"
        "site = home.sites_rooted_here.get()\n"
        "result = [f'{site.hostname}:{site.port}', relative_url(page, home)]")
    return host, path


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def fetch(port: int, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@contextmanager
def app_server(port: int, **extra: str) -> Iterator[None]:
    """``edugate up`` (its Granian, as in production) without the background worker."""
    process = subprocess.Popen(
        [*EDUGATE, "up", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
        env=environment(**extra), cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(port)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def nginx(static_copy: Path) -> Iterator[None]:
    render = load_render()
    prefix = WORK / "nginx"
    shutil.rmtree(prefix, ignore_errors=True)
    extra = f"""    server {{
        listen 127.0.0.1:{PORTS["static"]};
        location / {{ root {static_copy}; try_files /page.html =404; default_type text/html; }}
    }}"""
    main = render.write(prefix=prefix, listen=f"127.0.0.1:{PORTS['nginx']}",
                        upstream=f"127.0.0.1:{PORTS['app_cached']}",
                        static_dir=VAR / "static", media_dir=VAR / "media", extra=extra)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run([binary, "-c", str(main), "-p", str(prefix)], check=True)
    try:
        wait_for(PORTS["nginx"])
        wait_for(PORTS["static"])
        yield
    finally:
        subprocess.run([binary, "-c", str(main), "-p", str(prefix), "-s", "stop"], check=False)
        time.sleep(0.5)


def wrk(port: int, host: str, path: str, *, seconds: int, connections: int) -> float:
    """Requests per second; refuses a run with errors or non-2xx answers."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Host: {host}",
         f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        if "Non-2xx" in line or "Socket errors" in line:
            print(f"  wrk on port {port}: {line.strip()}", flush=True)
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise SystemExit(f"wrk printed no rate:\n{output}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--renders", type=int, default=50,
                        help="uncached requests timed one at a time (default 50)")
    parser.add_argument("--no-provision", action="store_true",
                        help="measure with the portals already provisioned (a partial load)")
    args = parser.parse_args()
    why = tools()
    if why:
        print(f"bench portal [sqlite]: skipped: {why}", flush=True)
        return
    prepare(provision=not args.no_provision)
    host, path = news_page()
    WORK.mkdir(parents=True, exist_ok=True)
    static_copy = WORK / "static-copy"
    static_copy.mkdir(exist_ok=True)
    load = dict(seconds=args.seconds, connections=args.connections)
    rates: dict[str, float] = {}
    with app_server(PORTS["app_uncached"], EDUGATE_PORTAL_CACHE="0"):
        code, headers, body = fetch(PORTS["app_uncached"], host, path)
        if code != 200:
            raise SystemExit(f"http://{host}{path} answered {code}")
        times = []
        for _ in range(args.renders):
            started = time.perf_counter()
            fetch(PORTS["app_uncached"], host, path)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        verdict = "ok" if median < GOAL_RENDER_MS else f"OVER the {GOAL_RENDER_MS:.0f} ms goal"
        print(f"bench portal_news_render_uncached [sqlite]: median {median:.1f} ms "
              f"(p90 {sorted(times)[int(len(times) * 0.9) - 1]:.1f} ms, n={len(times)}; "
              f"{len(body)} bytes, http://{host}{path}) {verdict}", flush=True)
        rates["app_uncached"] = wrk(PORTS["app_uncached"], host, path, **load)
    (static_copy / "page.html").write_bytes(body)
    with app_server(PORTS["app_cached"], EDUGATE_CACHE_URL=REDIS_URL,
                    EDUGATE_PORTAL_CACHE="1"):
        fetch(PORTS["app_cached"], host, path)
        _code, headers, _body = fetch(PORTS["app_cached"], host, path)
        if headers.get("x-cache") != "HIT":
            raise SystemExit(f"the page cache did not answer: X-Cache {headers.get('x-cache')}")
        rates["app_cached"] = wrk(PORTS["app_cached"], host, path, **load)
        with nginx(static_copy):
            fetch(PORTS["nginx"], host, path)
            _code, headers, _body = fetch(PORTS["nginx"], host, path)
            if headers.get("x-micro-cache") != "HIT":
                raise SystemExit("nginx's micro-cache did not answer: X-Micro-Cache "
                                 f"{headers.get('x-micro-cache')}")
            rates["nginx_cached"] = wrk(PORTS["nginx"], host, path, **load)
            rates["nginx_static"] = wrk(PORTS["static"], host, path, **load)
    static = rates["nginx_static"]
    what = f"wrk {args.connections} connections, {args.seconds} s"
    for name in ("app_uncached", "app_cached", "nginx_cached", "nginx_static"):
        print(f"bench portal_{name} [sqlite]: {rates[name]:,.0f} req/s "
              f"({rates[name] / static:.3f} of static; {what})", flush=True)
    for name, goal in (("nginx_cached", GOAL_NGINX_RATIO), ("app_cached", GOAL_APP_RATIO)):
        ratio = rates[name] / static
        verdict = "ok" if ratio >= goal else f"UNDER the {goal} goal"
        print(f"bench portal_{name}_ratio [sqlite]: {ratio:.3f} of nginx static "
              f"(goal >= {goal}) {verdict}", flush=True)
    print(f"bench portal_cache_speedup [sqlite]: app cached/uncached "
          f"{rates['app_cached'] / rates['app_uncached']:.0f}x", flush=True)


if __name__ == "__main__":
    main()
