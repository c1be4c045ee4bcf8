"""Domain-name validation and normalisation (IDNA 2008), with no I/O.

Administrators type names as they read them (``trường.edu.vn``, ``THCS-ABC.HaNoi.edu.vn``);
edugate stores the lower-case ASCII form that DNS and mail software use.
"""

from __future__ import annotations

import re

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(value: str) -> str:
    """Return the A-label form of ``value`` or raise ``ValidationError`` saying why not."""
    text = value.strip().rstrip(".").lower()
    if not text:
        raise ValidationError(_("Enter a domain name."), code="required")
    try:
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name (%(reason)s)."),
            code="invalid", params={"value": value, "reason": str(exc)},
        ) from exc
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise ValidationError(
            _("“%(value)s” needs at least two labels, such as school.edu.vn."),
            code="invalid", params={"value": value},
        )
    if len(ascii_name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name."), code="invalid", params={"value": value}
        )
    if labels[-1].isdigit():
        raise ValidationError(
            _("“%(value)s” looks like an IP address, not a domain name."),
            code="invalid", params={"value": value},
        )
    return ascii_name


def to_unicode(ascii_name: str) -> str:
    """The form people read; falls back to the stored form if it cannot be decoded."""
    try:
        return idna.decode(ascii_name)
    except idna.IDNAError:
        return ascii_name
