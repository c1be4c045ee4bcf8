"""Printable activation slips: a fresh one-time code per mailbox, six slips on an A4 sheet.

A school prints the sheet, cuts it along the dashed lines (one cut down the middle, two across)
and hands each teacher their slip. Administrators never see or set a password: the slip's code
lets the holder choose one, and printing a new slip for an active mailbox is the reset.

The plain codes exist only in the PDF this module returns; nothing here logs or stores them.
Texts are English msgids rendered in the active language (Vietnamese by default), in DejaVu
fonts (Debian's ``fonts-dejavu-core``) because the PDF standard fonts lack Vietnamese letters.
"""

from __future__ import annotations

import datetime
import functools
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edugate.directory.models import Unit
from edugate.directory.models.units import subtree_q
from edugate.directory.scope import Scope
from edugate.mail import actions
from edugate.mail.models import ActivationCode, Mailbox, MailboxKind, MailboxState

#: Where Debian's ``fonts-dejavu-core`` puts its fonts.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_PACKAGE = "fonts-dejavu-core"
_FONTS = {
    "EdugateSans": "DejaVuSans.ttf",
    "EdugateSans-Bold": "DejaVuSans-Bold.ttf",
    "EdugateMono": "DejaVuSansMono.ttf",
    "EdugateMono-Bold": "DejaVuSansMono-Bold.ttf",
}

#: Slips per sheet: two columns of three rows of A4 (105 × 99 mm each, close to A6 wide).
COLUMNS, ROWS = 2, 3
SLIPS_PER_PAGE = COLUMNS * ROWS

#: Ports a mail client uses, and the connection security each one implies.
_SECURITY = {993: "SSL/TLS", 995: "SSL/TLS", 465: "SSL/TLS", 143: "STARTTLS", 587: "STARTTLS"}


class SlipFontMissing(ImproperlyConfigured):
    """The Vietnamese-capable fonts are not installed."""


@dataclass(frozen=True)
class MailClient:
    """What a phone or desktop mail program needs besides the address and password."""

    imap_host: str
    imap_port: int = 993
    smtp_host: str = ""
    smtp_port: int = 587


@dataclass(frozen=True)
class Slip:
    unit_name: str
    holder_name: str
    position: str
    address: str
    code: str
    expires_on: datetime.date
    activation_url: str
    imap_host: str
    imap_port: int
    smtp_host: str
    smtp_port: int


# --- Where the holder goes ------------------------------------------------------------------

def activation_url(request: Any = None) -> str:
    """The activation page, absolute: as the request reached us, else the configured base URL."""
    path = reverse("mail_activate")
    if request is not None:
        return str(request.build_absolute_uri(path))
    return str(settings.WAGTAILADMIN_BASE_URL).rstrip("/") + path


def mail_client() -> MailClient:
    """Server names for mail programs: ``MAIL_CLIENT_*`` settings, else the site's host name."""
    host = urlsplit(str(settings.WAGTAILADMIN_BASE_URL)).hostname or "localhost"
    imap_host = getattr(settings, "MAIL_CLIENT_IMAP_HOST", "") or host
    return MailClient(
        imap_host=imap_host,
        imap_port=int(getattr(settings, "MAIL_CLIENT_IMAP_PORT", 993)),
        smtp_host=getattr(settings, "MAIL_CLIENT_SMTP_HOST", "") or imap_host,
        smtp_port=int(getattr(settings, "MAIL_CLIENT_SMTP_PORT", 587)),
    )


# --- Which mailboxes, and their codes -------------------------------------------------------

def mailboxes_for_slips(
    unit: Unit, *, within: Scope, subtree: bool = False, addresses: Sequence[str] = ()
) -> QuerySet[Mailbox]:
    """The pending mailboxes of ``unit`` (and below, with ``subtree``), or, when ``addresses``
    are given, those mailboxes there in any state (a new slip for an active one is the reset).
    Always limited to the scope ``within``; ordered as the slips are printed."""
    mailboxes = Mailbox.objects.filter(within.units_q("unit__")).select_related("unit", "person")
    mailboxes = (mailboxes.filter(subtree_q(unit.path, prefix="unit__")) if subtree
                 else mailboxes.filter(unit=unit))
    if addresses:
        mailboxes = mailboxes.filter(address__in=[a.strip().lower() for a in addresses])
    else:
        mailboxes = mailboxes.filter(state=MailboxState.PENDING)
    return mailboxes.order_by(
        "unit__path", F("person__given_name").asc(nulls_last=True),
        F("person__family_name").asc(nulls_last=True), "display_name", "address",
    )


def _holder(mailbox: Mailbox) -> tuple[str, str]:
    """(name, position) as printed: a person's name and job, or the unit mailbox's name."""
    person = mailbox.person
    if person is None:
        return mailbox.display_name or mailbox.local_part, ""
    if mailbox.kind == MailboxKind.PERSONAL:
        return person.full_name, person.position
    position = mailbox.display_name if mailbox.display_name != person.full_name else ""
    return person.full_name, position


@transaction.atomic
def issue_slips(
    *, actor: Any, mailboxes: Sequence[Mailbox], activation_url: str,
    client: MailClient | None = None,
) -> list[Slip]:
    """A new code for each mailbox (earlier codes stop working), all or none: if one mailbox
    refuses (suspended, closed, out of scope), no code changes and no slip is lost. Callers
    that write the slips somewhere should do it inside their own transaction as well."""
    client = client or mail_client()
    codes = {m.pk: actions.issue_activation_code(actor=actor, mailbox=m) for m in mailboxes}
    expiries = dict(
        ActivationCode.objects.filter(mailbox_id__in=codes, used_at__isnull=True,
                                      revoked_at__isnull=True)
        .values_list("mailbox_id", "expires_at")
    )
    slips = []
    for mailbox in mailboxes:
        name, position = _holder(mailbox)
        slips.append(Slip(
            unit_name=mailbox.unit.name, holder_name=name, position=position,
            address=mailbox.address, code=codes[mailbox.pk],
            expires_on=timezone.localdate(expiries[mailbox.pk]),
            activation_url=activation_url,
            imap_host=client.imap_host, imap_port=client.imap_port,
            smtp_host=client.smtp_host, smtp_port=client.smtp_port,
        ))
    return slips


# --- The PDF --------------------------------------------------------------------------------

def ensure_fonts() -> None:
    """Register the fonts once; a clear error naming the Debian package if they are absent."""
    _register_fonts(FONT_DIR)


@functools.cache
def _register_fonts(font_dir: Path) -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    missing = [str(font_dir / f) for f in _FONTS.values() if not (font_dir / f).is_file()]
    if missing:
        raise SlipFontMissing(
            f"The slip fonts are missing ({', '.join(missing)}): install the Debian package "
            f"{FONT_PACKAGE} (scripts/system-packages.sh run)."
        )
    for name, filename in _FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(font_dir / filename)))
    for family in ("EdugateSans", "EdugateMono"):
        for bold, italic in ((0, 0), (0, 1), (1, 0), (1, 1)):
            addMapping(family, bold, italic, f"{family}-Bold" if bold else family)


def _text(value: str) -> str:
    """Safe inside a Paragraph, in composed form (DejaVu has the precomposed letters)."""
    return escape(unicodedata.normalize("NFC", value))


def _client_line(host: str, port: int) -> str:
    security = _SECURITY.get(port)
    return f"{host}:{port}" + (f" ({security})" if security else "")


def _fitted(segments: Sequence[tuple[str, str]], style: Any, width: float) -> Any:
    """One line that is never broken (an address broken in two reads as two words): the
    segments ``(text, font)`` at the style's size, or smaller if they would not fit."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    texts = [(unicodedata.normalize("NFC", text), font) for text, font in segments]
    natural = sum(stringWidth(text, font, style.fontSize) for text, font in texts)
    size = style.fontSize * min(1.0, width / natural) if natural else style.fontSize
    if size < style.fontSize:
        size = max(size * 0.98, 4.0)
        style = ParagraphStyle(f"{style.name}-fitted", parent=style, fontSize=size,
                               leading=style.leading * size / style.fontSize)
    markup = "".join(f"<font face='{font}'>{escape(text)}</font>" for text, font in texts)
    return Paragraph(markup, style)


def _address_lines(address: str, style: Any, width: float) -> list[Any]:
    """The address on one line, or, if that would print it too small, broken before the @
    (a break there cannot be mistaken for a space)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = "EdugateSans-Bold"
    local, at, domain = address.partition("@")
    if at and stringWidth(address, font, style.fontSize) * 0.75 > width:
        return [_fitted([(local, font)], style, width), _fitted([(at + domain, font)], style,
                                                                width)]
    return [_fitted([(address, font)], style, width)]


def _slip_flowables(slip: Slip, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib.colors import Color
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    holder = f"<b>{_text(slip.holder_name)}</b>"
    if slip.position:
        holder += f" · {_text(slip.position)}"
    step_width = width - styles["step"].leftIndent
    sans, mono = "EdugateSans", "EdugateMono"
    code = Table(
        [[Paragraph(_text(_("Activation code")), styles["label"])],
         [_fitted([(slip.code, "EdugateMono-Bold")], styles["code"], width - 14)]],
        colWidths=[width],
        style=TableStyle([
            ("BOX", (0, 0), (-1, -1), 0.8, Color(0.3, 0.3, 0.3)),
            ("BACKGROUND", (0, 0), (-1, -1), Color(0.94, 0.94, 0.94)),
            ("TOPPADDING", (0, 0), (-1, 0), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 0),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 4),
        ]),
    )
    steps: list[list[Any]] = [
        [Paragraph(_text(_("Open this page:")), styles["step"], bulletText="1."),
         _fitted([(slip.activation_url, mono)], styles["step_line"], step_width)],
        [Paragraph(_text(_("Enter your email address and the code above.")), styles["step"],
                   bulletText="2.")],
        [Paragraph(_text(_("Choose a password of at least 10 characters that does not contain "
                           "your name.")), styles["step"], bulletText="3.")],
        [Paragraph(_text(_("Then, to read mail on a phone, use your email address as the user "
                           "name, your new password and these servers:")),
                   styles["step"], bulletText="4."),
         _fitted([(_("incoming mail (IMAP)") + ": ", sans),
                  (_client_line(slip.imap_host, slip.imap_port), mono)],
                 styles["step_line"], step_width),
         _fitted([(_("outgoing mail (SMTP)") + ": ", sans),
                  (_client_line(slip.smtp_host, slip.smtp_port), mono)],
                 styles["step_line"], step_width)],
    ]
    flowables: list[Any] = [
        Paragraph(_text(_("MAILBOX ACTIVATION SLIP")), styles["heading"]),
        Paragraph(_text(slip.unit_name), styles["unit"]),
        Spacer(0, 2 * mm),
        Paragraph(holder, styles["holder"]),
        Paragraph(_text(_("Email address")) + ":", styles["body"]),
        *_address_lines(slip.address, styles["address"], width),
        Spacer(0, 1.5 * mm),
        code,
        Spacer(0, 0.8 * mm),
        Paragraph(
            _text(_("Valid until %(date)s.") % {"date": slip.expires_on.strftime("%d/%m/%Y")})
            + " <b>" + _text(_("The code can be used only once.")) + "</b>",
            styles["small_center"],
        ),
        Spacer(0, 1.8 * mm),
        *(flowable for step in steps for flowable in step),
        Spacer(0, 1.2 * mm),
        Paragraph("<b>" + _text(_("Keep this slip private: whoever has the code can take over "
                                 "your mailbox.")) + "</b>", styles["small"]),
    ]
    return flowables


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName="EdugateSans", fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7.8, leading=9.6)
    return {
        "heading": ParagraphStyle("heading", parent=body, fontName="EdugateSans-Bold",
                                  fontSize=11, leading=13.5, alignment=TA_CENTER),
        "unit": ParagraphStyle("unit", parent=body, fontSize=8.5, leading=10.5,
                               alignment=TA_CENTER),
        "holder": ParagraphStyle("holder", parent=body, fontSize=10, leading=12.5),
        "body": body,
        "label": ParagraphStyle("label", parent=small, fontSize=7, leading=8.5,
                                alignment=TA_CENTER),
        "code": ParagraphStyle("code", parent=body, fontName="EdugateMono-Bold", fontSize=15,
                               leading=17, alignment=TA_CENTER),
        "small": small,
        "small_center": ParagraphStyle("small_center", parent=small, alignment=TA_CENTER),
        "address": ParagraphStyle("address", parent=body, fontSize=10, leading=12.5),
        "step": ParagraphStyle("step", parent=small, leftIndent=11, bulletIndent=0,
                               bulletFontName="EdugateSans-Bold", bulletFontSize=7.8,
                               spaceAfter=1.2),
        "step_line": ParagraphStyle("step_line", parent=small, leftIndent=11, spaceAfter=1.2),
    }


def _cut_lines(canvas: Any, width: float, height: float) -> None:
    from reportlab.lib.colors import Color

    canvas.saveState()
    canvas.setStrokeColor(Color(0.45, 0.45, 0.45))
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    for column in range(1, COLUMNS):
        x = width * column / COLUMNS
        canvas.line(x, 0, x, height)
    for row in range(1, ROWS):
        y = height * row / ROWS
        canvas.line(0, y, width, y)
    canvas.setFillColor(Color(0.45, 0.45, 0.45))
    canvas.setFont("EdugateSans", 9)
    for row in range(1, ROWS):  # scissors at the start of each cut across
        canvas.drawString(3, height * row / ROWS - 3, "\u2702")
    canvas.restoreState()


def render_slips(slips: Sequence[Slip], *, title: str) -> bytes:
    """The slips as an A4 PDF, six to a page in reading order, with dashed cut lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Frame, KeepInFrame

    ensure_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    width, height = A4
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(unicodedata.normalize("NFC", title))
    canvas.setCreator("edugate")
    slip_width, slip_height = width / COLUMNS, height / ROWS
    # 8 mm inside each cut: clear of the printer's unprintable edge and of a crooked cut.
    padding = 8 * mm
    for start in range(0, len(slips), SLIPS_PER_PAGE):
        _cut_lines(canvas, width, height)
        for index, slip in enumerate(slips[start:start + SLIPS_PER_PAGE]):
            row, column = divmod(index, COLUMNS)
            frame = Frame(column * slip_width, height - (row + 1) * slip_height,
                          slip_width, slip_height, leftPadding=padding, rightPadding=padding,
                          topPadding=padding - 1 * mm, bottomPadding=padding - 1 * mm,
                          showBoundary=0)
            inner_width = slip_width - 2 * padding
            inner_height = slip_height - 2 * padding + 2 * mm
            content = _slip_flowables(slip, styles, inner_width)
            frame.addFromList(
                [KeepInFrame(inner_width, inner_height, content, mode="shrink", vAlign="TOP")],
                canvas,
            )
        canvas.showPage()
    if not slips:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
