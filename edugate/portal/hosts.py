"""Portal hostnames: pure rules, no I/O.

Development (``PORTAL_HOST_SUFFIX`` set, ``localhost`` by default): ``<label>.<suffix>`` on
``PORTAL_PORT``, e.g. ``http://th-anbinh.localhost:8000``. Production (an empty suffix): the
unit's own primary domain, else ``<label>.<its department's domain>``. The label is the first
DNS label of the unit's own domain, else its code made DNS-safe.
"""

from __future__ import annotations

import re

from edugate.core.text import fold

_NOT_DNS = re.compile(r"[^a-z0-9-]+")
#: used when a unit has no domain and no department above it has one (production only)
FALLBACK_DOMAIN = "localhost"


def dns_label(text: str) -> str:
    """``TH-A`` → ``th-a``; ``Trường An Bình`` → ``truong-an-binh`` (at most 63 characters)."""
    label = _NOT_DNS.sub("-", fold(text)).strip("-")
    return label[:63].strip("-") or "portal"


def host_label(*, code: str, own_domain: str | None) -> str:
    if own_domain:
        return own_domain.split(".", 1)[0]
    return dns_label(code)


def portal_hostname(
    *, code: str, own_domain: str | None, department_domain: str | None, suffix: str
) -> str:
    """The hostname a unit's portal is served on (see the module docstring)."""
    label = host_label(code=code, own_domain=own_domain)
    if suffix:
        return f"{label}.{suffix}"
    if own_domain:
        return own_domain
    return f"{label}.{department_domain or FALLBACK_DOMAIN}"


def disambiguated(hostname: str, code: str) -> str:
    """Another hostname for a unit whose first choice is taken by another portal."""
    label, _dot, rest = hostname.partition(".")
    return f"{label}-{dns_label(code)}.{rest}" if rest else f"{label}-{dns_label(code)}"


def root_url(hostname: str, port: int) -> str:
    """As Wagtail's ``Site.root_url`` writes it."""
    if port == 80:
        return f"http://{hostname}"
    if port == 443:
        return f"https://{hostname}"
    return f"http://{hostname}:{port}"
