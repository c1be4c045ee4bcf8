"""Sample portal content for the demo province: the portals of every unit, and a few
realistic Vietnamese news items and documents (with PDF attachments) on the Department's
portal and two schools'. Idempotent: a portal that already has news is left alone.

``edugate portals demo`` runs it; ``edugate demo`` may call :func:`load_portal_demo` after
loading the directory.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.images.models import Image

from edugate.directory.models import InstitutionLevel, Unit, UnitKind, UnitStatus
from edugate.mail.models import Mailbox
from edugate.portal import provisioning
from edugate.portal.models import (
    DocumentAttachment,
    DocumentIndexPage,
    DocumentPage,
    IntroductionPage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    Portal,
    PortalHomePage,
)
from edugate.portal.selectors import unit_leaders


@dataclass(frozen=True)
class DemoNews:
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    days_ago: int
    category: str
    featured: bool = False
    image: bool = False


@dataclass(frozen=True)
class DemoDocument:
    number: str
    doc_type: str
    title: str
    summary: str
    days_ago: int
    effective_after: int | None = None


DEPARTMENT_NEWS = (
    DemoNews(
        "Hội nghị tổng kết năm học 2024-2025, triển khai nhiệm vụ năm học 2025-2026",
        "Sở Giáo dục và Đào tạo tổ chức hội nghị tổng kết năm học và triển khai nhiệm vụ "
        "trọng tâm của năm học mới với sự tham dự của lãnh đạo các trường trong tỉnh.",
        ("Sáng nay, Sở Giáo dục và Đào tạo tổ chức hội nghị tổng kết năm học 2024-2025 và "
         "triển khai nhiệm vụ năm học 2025-2026.",
         "Năm học mới tập trung vào chuyển đổi số, nâng cao chất lượng giáo dục toàn diện và "
         "bảo đảm an toàn trường học."),
        3, "su-kien", featured=True, image=True,
    ),
    DemoNews(
        "Thông báo tuyển sinh vào lớp 10 trung học phổ thông năm học 2026-2027",
        "Thí sinh đăng ký dự tuyển trực tuyến từ ngày 15/4 đến hết ngày 05/5; kỳ thi diễn ra "
        "trong hai ngày đầu tháng 6.",
        ("Sở Giáo dục và Đào tạo thông báo kế hoạch tuyển sinh vào lớp 10 trung học phổ thông "
         "năm học 2026-2027.",
         "Phụ huynh và học sinh theo dõi thông tin trên cổng thông tin điện tử của Sở và của "
         "trường."),
        6, "thong-bao", featured=True,
    ),
    DemoNews(
        "Kết quả kỳ thi chọn học sinh giỏi cấp tỉnh lớp 12",
        "Toàn tỉnh có 412 học sinh đạt giải, tăng 37 giải so với năm học trước.",
        ("Kỳ thi chọn học sinh giỏi cấp tỉnh lớp 12 năm nay có 1.286 thí sinh dự thi ở 11 "
         "môn.",),
        12, "tin-hoat-dong",
    ),
    DemoNews(
        "Tập huấn chuyển đổi số cho cán bộ quản lý các cơ sở giáo dục",
        "Hơn 300 cán bộ quản lý được tập huấn sử dụng hệ thống thư điện tử và cổng thông tin "
        "điện tử theo Thông tư 37/2020/TT-BGDĐT.",
        ("Lớp tập huấn hướng dẫn quản trị hộp thư công vụ, danh bạ thư điện tử và quy trình "
         "đăng tin trên cổng thông tin điện tử thành viên.",),
        20, "tin-hoat-dong",
    ),
)
DEPARTMENT_DOCUMENTS = (
    DemoDocument("1250/SGDĐT-GDTrH", "official_letter",
                 "Hướng dẫn thực hiện nhiệm vụ giáo dục trung học năm học 2025-2026",
                 "Về việc hướng dẫn thực hiện nhiệm vụ giáo dục trung học năm học 2025-2026.",
                 30),
    DemoDocument("345/QĐ-SGDĐT", "decision",
                 "Quy chế quản lý, vận hành thư điện tử và cổng thông tin điện tử",
                 "Ban hành Quy chế quản lý, vận hành và sử dụng hệ thống thư điện tử và cổng "
                 "thông tin điện tử của ngành giáo dục tỉnh.", 45, effective_after=0),
    DemoDocument("88/KH-SGDĐT", "plan",
                 "Kế hoạch tuyển sinh lớp 10 trung học phổ thông năm học 2026-2027",
                 "Kế hoạch tổ chức kỳ thi tuyển sinh vào lớp 10 trung học phổ thông năm học "
                 "2026-2027.", 8),
    DemoDocument("45/TB-SGDĐT", "notice", "Lịch tiếp công dân năm 2026",
                 "Thông báo lịch tiếp công dân định kỳ của lãnh đạo Sở năm 2026.", 60),
)
SCHOOL_NEWS = (
    DemoNews(
        "Lễ khai giảng năm học mới 2025-2026",
        "Nhà trường long trọng tổ chức lễ khai giảng, chào đón học sinh khối lớp đầu cấp.",
        ("Buổi lễ có sự tham dự của đại diện chính quyền địa phương, Ban đại diện cha mẹ học "
         "sinh và toàn thể giáo viên, học sinh.",),
        4, "su-kien", featured=True, image=True,
    ),
    DemoNews(
        "Thông báo lịch họp phụ huynh học sinh học kỳ I",
        "Cuộc họp phụ huynh học sinh các lớp diễn ra vào sáng Chủ nhật tuần này tại các "
        "phòng học.",
        ("Đề nghị quý phụ huynh sắp xếp thời gian tham dự đầy đủ.",),
        2, "thong-bao",
    ),
    DemoNews(
        "Hội thi giáo viên dạy giỏi cấp trường",
        "Hai mươi giáo viên tham gia hội thi với các tiết dạy ứng dụng công nghệ thông tin.",
        ("Hội thi là dịp để giáo viên trao đổi kinh nghiệm, đổi mới phương pháp dạy học.",),
        15, "tin-hoat-dong",
    ),
)
SCHOOL_DOCUMENTS = (
    DemoDocument("12/KH-NT", "plan", "Kế hoạch năm học 2025-2026",
                 "Kế hoạch thực hiện nhiệm vụ năm học 2025-2026 của nhà trường.", 25),
    DemoDocument("05/QĐ-NT", "regulation", "Quy chế chi tiêu nội bộ năm 2026",
                 "Quy chế chi tiêu nội bộ áp dụng từ ngày 01/01/2026.", 40, effective_after=5),
)


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF; with the Vietnamese fonts of the activation slips when installed."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    font = "Helvetica"
    from edugate.mail.slips import SlipFontMissing, ensure_fonts

    try:
        ensure_fonts()
        font = "EdugateSans"
    except SlipFontMissing:  # fonts are optional for a demo attachment
        lines = [line.encode("ascii", "replace").decode() for line in lines]
    pdf.setFont(font, 12)
    y = 780.0
    for line in lines:
        pdf.drawString(60, y, line[:95])
        y -= 20
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _banner(label: str) -> bytes:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    picture = PILImage.new("RGB", (1200, 630), (11, 58, 117))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((40, 40, 1160, 590), outline=(255, 191, 71), width=8)
    draw.text((80, 290), label.encode("ascii", "replace").decode(), fill=(255, 255, 255))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _publish(parent: Any, page: Any) -> Any:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _fill(portal: Portal, news: tuple[DemoNews, ...], documents: tuple[DemoDocument, ...]
          ) -> tuple[int, int]:
    home = PortalHomePage.objects.select_related("unit").get(pk=portal.home_page_id)
    unit = home.unit
    news_index = NewsIndexPage.objects.child_of(home).first()
    doc_index = DocumentIndexPage.objects.child_of(home).first()
    if news_index is None or doc_index is None:
        return 0, 0
    if NewsPage.objects.descendant_of(home).exists():
        return 0, 0
    today = timezone.localdate()
    leaders = unit_leaders(unit)
    signer = leaders[0].name if leaders else ""
    if not home.address:
        home.address = f"Số 12 đường Trần Hưng Đạo, {unit.name}, tỉnh Minh Hải"
        home.phone = "0290 3 821 456"
        home.office_hours = "Thứ Hai đến Thứ Sáu, 7 giờ 00 - 11 giờ 30 và 13 giờ 30 - 17 giờ 00"
        home.intro = (f"<p>Chào mừng bạn đến với cổng thông tin điện tử của {unit.name}.</p>")
        home.save_revision().publish()
    intro = IntroductionPage.objects.child_of(home).first()
    if intro is not None and not intro.organisation:
        intro.organisation = (f"<p>{unit.name} gồm Ban Giám hiệu/Ban Giám đốc, các tổ chuyên môn "
                              "và bộ phận văn phòng.</p>")
        intro.functions = ("<p>Tham mưu, tổ chức thực hiện nhiệm vụ giáo dục và đào tạo theo "
                           "quy định.</p>")
        intro.history = f"<p>{unit.name} được thành lập năm 1976.</p>"
        intro.save_revision().publish()
    categories = {c.slug: c for c in NewsCategory.objects.filter(page=news_index)}
    for item in news:
        image = None
        if item.image:
            image = Image(title=item.title, collection=portal.collection,
                          file=ImageFile(io.BytesIO(_banner(item.title)),
                                         name="demo-banner.png"))
            image.save()
        page = NewsPage(
            title=item.title, summary=item.summary, date=today - datetime.timedelta(item.days_ago),
            featured=item.featured, image=image,
            image_alt=f"Ảnh minh họa: {item.title}" if image else "",
            body=[("paragraph", f"<p>{text}</p>") for text in item.paragraphs],
        )
        if item.category in categories:
            page.categories = [categories[item.category]]
        _publish(news_index, page)
    for doc in documents:
        issued = today - datetime.timedelta(doc.days_ago)
        page = DocumentPage(
            title=doc.title, number=doc.number, doc_type=doc.doc_type, issuing_body=unit.name,
            signer=signer, issue_date=issued, summary=doc.summary,
            effective_date=(issued + datetime.timedelta(doc.effective_after)
                            if doc.effective_after is not None else None),
        )
        document = Document(title=f"{doc.number} {doc.title}", collection=portal.collection)
        document.file.save(
            f"{doc.number.replace('/', '-')}.pdf",
            ContentFile(_pdf(doc.title, [unit.name, f"Số: {doc.number}", doc.title,
                                         doc.summary])),
            save=False,
        )
        document.save()
        page.attachments = [DocumentAttachment(document=document, title="")]
        _publish(doc_index, page)
    return len(news), len(documents)


def _demo_schools() -> list[Unit]:
    """The school of the demo's principal login, and an upper secondary school."""
    chosen: list[Unit] = []
    login_unit = (Mailbox.objects.filter(local_part="hieutruong", unit__kind=UnitKind.INSTITUTION)
                  .values_list("unit_id", flat=True).first())
    if login_unit:
        chosen.append(Unit.objects.get(pk=login_unit))
    institutions = Unit.objects.filter(kind=UnitKind.INSTITUTION, status=UnitStatus.ACTIVE)
    upper = institutions.filter(level=InstitutionLevel.UPPER_SECONDARY).exclude(
        pk__in=[u.pk for u in chosen]).order_by("path").first()
    if upper is not None:
        chosen.append(upper)
    for unit in institutions.exclude(pk__in=[u.pk for u in chosen]).order_by("path"):
        if len(chosen) >= 2:
            break
        chosen.append(unit)
    return chosen[:2]


def load_portal_demo() -> dict[str, Any]:
    """Provision every missing portal, then fill three of them with sample content."""
    for unit in provisioning.units_missing_portals():
        provisioning.provision_portal(unit)
    news = documents = 0
    urls = []
    with transaction.atomic():
        department = Unit.objects.filter(kind=UnitKind.DEPARTMENT, status=UnitStatus.ACTIVE
                                         ).order_by("path").first()
        targets: list[tuple[Unit, tuple[DemoNews, ...], tuple[DemoDocument, ...]]] = []
        if department is not None:
            targets.append((department, DEPARTMENT_NEWS, DEPARTMENT_DOCUMENTS))
        targets += [(school, SCHOOL_NEWS, SCHOOL_DOCUMENTS) for school in _demo_schools()]
        for unit, unit_news, unit_documents in targets:
            portal = Portal.objects.filter(unit=unit).select_related("site").first()
            if portal is None:
                continue
            added = _fill(portal, unit_news, unit_documents)
            news += added[0]
            documents += added[1]
            urls.append(portal.url)
    return {"portals": Portal.objects.count(), "news": news, "documents": documents,
            "urls": urls}
