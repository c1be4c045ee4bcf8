"""Sample portal content for the demo province: the portals of every unit, and a few
realistic Vietnamese news items and documents (with PDF attachments) on the Department's
portal and two schools'; online public services and an admission plan on the Department's;
public disclosures (one of them overdue, one posted late) and an admission plan on each
school's, whose opening-day news is shared on the Department's portal. Idempotent: each kind
of content is added only to a section that has none yet.

Procedure codes of the sample services are illustrative.

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
from django.utils.text import slugify
from wagtail.documents.models import Document
from wagtail.images.models import Image

from edugate.core.text import fold
from edugate.directory.models import InstitutionLevel, Unit, UnitKind, UnitStatus
from edugate.mail.models import Mailbox
from edugate.portal import provisioning
from edugate.portal.models import (
    AdmissionAttachment,
    AdmissionPage,
    AdmissionScheduleStep,
    AdmissionsIndexPage,
    DisclosureAttachment,
    DisclosureIndexPage,
    DisclosureItemPage,
    DocumentAttachment,
    DocumentIndexPage,
    DocumentPage,
    IntroductionPage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    Portal,
    PortalHomePage,
    ServiceIndexPage,
    ServicePage,
)
from edugate.portal.models.disclosure import school_year_of
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
    on_department: bool = False


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
        4, "su-kien", featured=True, image=True, on_department=True,
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
            featured=item.featured, image=image, show_on_department=item.on_department,
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


# -- online services, admissions and public disclosure --

@dataclass(frozen=True)
class DemoService:
    title: str
    code: str
    area: str
    level: str
    summary: str
    process: tuple[str, ...]
    dossier: tuple[str, ...]
    time_limit: str
    fee: str
    result: str


DEPARTMENT_SERVICES = (
    DemoService(
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "1.005092", "Văn bằng, chứng chỉ", "full",
        "Cấp bản sao bằng tốt nghiệp trung học phổ thông từ sổ gốc cho người đã được cấp bằng.",
        ("Người đề nghị nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia.",
         "Sở Giáo dục và Đào tạo kiểm tra, đối chiếu sổ gốc và cấp bản sao.",
         "Người đề nghị nhận kết quả trực tuyến hoặc qua dịch vụ bưu chính công ích."),
        ("Đơn đề nghị cấp bản sao văn bằng, chứng chỉ từ sổ gốc (theo mẫu).",
         "Bản sao giấy tờ tùy thân của người được cấp bằng."),
        "Trong ngày làm việc tiếp nhận hồ sơ hợp lệ", "Không",
        "Bản sao văn bằng, chứng chỉ từ sổ gốc",
    ),
    DemoService(
        "Chuyển trường đối với học sinh trung học phổ thông", "1.001639", "Giáo dục trung học",
        "partial",
        "Thủ tục cho học sinh trung học phổ thông chuyển đến học tại trường khác trong hoặc "
        "ngoài tỉnh.",
        ("Cha mẹ hoặc người giám hộ nộp đơn xin chuyển trường.",
         "Hiệu trưởng trường nơi chuyển đến tiếp nhận và giải quyết theo quy định."),
        ("Đơn xin chuyển trường do cha mẹ hoặc người giám hộ ký.",
         "Học bạ (bản chính).", "Giấy xác nhận của trường nơi đi."),
        "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", "Không",
        "Quyết định tiếp nhận học sinh",
    ),
    DemoService(
        "Phúc khảo bài thi tốt nghiệp trung học phổ thông", "1.005142", "Thi, tuyển sinh",
        "full",
        "Thí sinh đề nghị chấm phúc khảo bài thi trong kỳ thi tốt nghiệp trung học phổ thông.",
        ("Thí sinh đăng ký phúc khảo trực tuyến trong thời hạn 10 ngày kể từ ngày công bố kết "
         "quả thi.", "Hội đồng phúc khảo của Sở chấm phúc khảo và công bố kết quả."),
        ("Đơn đề nghị phúc khảo bài thi (đăng ký trực tuyến).",),
        "15 ngày kể từ ngày hết hạn nhận đơn", "Không", "Kết quả phúc khảo bài thi",
    ),
)


def _rich(paragraphs: tuple[str, ...]) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _attach(model: Any, portal: Portal, title: str, lines: list[str]) -> Any:
    document = Document(title=title, collection=portal.collection)
    document.file.save(f"{slugify(fold(title))[:60] or 'tep'}.pdf",
                       ContentFile(_pdf(title, lines)), save=False)
    document.save()
    return model(document=document, title="")


def _fill_services(portal: Portal, home: PortalHomePage) -> int:
    index = ServiceIndexPage.objects.child_of(home).first()
    if index is None or ServicePage.objects.child_of(index).exists():
        return 0
    for item in DEPARTMENT_SERVICES:
        _publish(index, ServicePage(
            title=item.title, code=item.code, area=item.area, level=item.level,
            summary=item.summary, process=_rich(item.process),
            dossier="<ul>" + "".join(f"<li>{d}</li>" for d in item.dossier) + "</ul>",
            where_to_submit=(f"Bộ phận Một cửa của {home.unit.name} tại Trung tâm Phục vụ hành "
                             "chính công tỉnh, hoặc trực tuyến trên Cổng Dịch vụ công quốc gia"),
            handling_officer="Văn phòng Sở (bộ phận tiếp nhận và trả kết quả)",
            time_limit=item.time_limit, fee=item.fee, result=item.result,
            legal_basis="<p>Thông tư số 21/2019/TT-BGDĐT; Nghị định số 42/2022/NĐ-CP.</p>",
        ))
    return len(DEPARTMENT_SERVICES)


_ENTRY_GRADE = {
    InstitutionLevel.PRESCHOOL: ("nhóm trẻ, lớp mẫu giáo", "Trẻ em từ 18 tháng đến 5 tuổi"),
    InstitutionLevel.PRIMARY: ("lớp 1", "Trẻ em sinh năm {born}"),
    InstitutionLevel.LOWER_SECONDARY: ("lớp 6", "Học sinh đã hoàn thành chương trình tiểu học"),
    InstitutionLevel.UPPER_SECONDARY: ("lớp 10", "Học sinh đã tốt nghiệp trung học cơ sở"),
}


def _fill_admissions(portal: Portal, home: PortalHomePage, today: datetime.date) -> int:
    index = AdmissionsIndexPage.objects.child_of(home).first()
    if index is None or AdmissionPage.objects.child_of(index).exists():
        return 0
    unit = home.unit
    next_year = school_year_of(today.replace(month=9, day=1) if today.month < 8
                               else today.replace(year=today.year + 1, month=9, day=1))
    start = int(next_year[:4])
    if unit.kind == UnitKind.DEPARTMENT:
        grade, target = "lớp 10 trung học phổ thông", ("Học sinh đã tốt nghiệp trung học cơ sở "
                                                       "trên địa bàn tỉnh")
        quota, details = 14_250, "Tại 38 trường trung học phổ thông công lập"
        method = ("<p>Thi tuyển ba môn: Ngữ văn, Toán và Ngoại ngữ. Điểm xét tuyển là tổng điểm "
                  "ba bài thi cộng điểm ưu tiên, khuyến khích (nếu có).</p>")
    else:
        grade, target = _ENTRY_GRADE.get(unit.level, ("đầu cấp", "Học sinh đủ điều kiện"))
        target = target.format(born=start - 6) + " cư trú trên địa bàn tuyển sinh của trường"
        quota, details = 140, "4 lớp, mỗi lớp 35 học sinh"
        method = "<p>Xét tuyển theo địa bàn cư trú do Ủy ban nhân dân xã giao.</p>"
    page = AdmissionPage(
        title=f"Kế hoạch tuyển sinh {grade} năm học {next_year}", school_year=next_year,
        target=target, quota=quota, quota_details=details,
        summary=(f"{unit.name} thông báo kế hoạch tuyển sinh {grade} năm học {next_year}: "
                 "đối tượng, chỉ tiêu, thời gian và hồ sơ."),
        method=method,
        dossier=("<ul><li>Đơn đăng ký dự tuyển (theo mẫu).</li><li>Bản sao giấy khai sinh.</li>"
                 "<li>Giấy tờ chứng nhận chế độ ưu tiên (nếu có).</li></ul>"),
        registration_url="https://dichvucong.gov.vn",
    )
    page.schedule = [
        AdmissionScheduleStep(start_date=datetime.date(start, 6, 1),
                              end_date=datetime.date(start, 6, 20),
                              activity="Đăng ký dự tuyển trực tuyến"),
        AdmissionScheduleStep(start_date=datetime.date(start, 7, 1), end_date=None,
                              activity="Công bố danh sách trúng tuyển"),
        AdmissionScheduleStep(start_date=datetime.date(start, 7, 5),
                              end_date=datetime.date(start, 7, 10),
                              activity="Nộp hồ sơ nhập học"),
    ]
    page.attachments = [_attach(AdmissionAttachment, portal, f"Mẫu đơn đăng ký {grade}",
                                [unit.name, f"Đơn đăng ký tuyển sinh {grade}", next_year])]
    _publish(index, page)
    return 1


@dataclass(frozen=True)
class DemoDisclosure:
    title: str
    category: str
    summary: str
    due_days_ago: int  # the due date, days before today
    posted_days_ago: int | None  # days before today; fewer than due_days_ago: posted late;
    # None: not published yet (overdue)
    previous_year: bool = False
    file: bool = False


SCHOOL_DISCLOSURES = (
    DemoDisclosure("Thông tin chung về nhà trường", "general",
                   "Tên trường, địa chỉ, loại hình, cơ quan quản lý, sứ mạng, tầm nhìn, mục "
                   "tiêu và cơ cấu tổ chức của nhà trường.", 60, 65),
    DemoDisclosure("Đội ngũ nhà giáo, cán bộ quản lý và nhân viên", "staff",
                   "Số lượng, trình độ đào tạo, chuẩn nghề nghiệp của giáo viên, cán bộ quản lý "
                   "và nhân viên.", 60, 62),
    DemoDisclosure("Cơ sở vật chất phục vụ dạy và học", "facilities",
                   "Diện tích đất, phòng học, phòng chức năng, thư viện, thiết bị dạy học và "
                   "khu vệ sinh.", 60, 61),
    DemoDisclosure("Kế hoạch giáo dục của nhà trường", "plan_results",
                   "Kế hoạch giáo dục năm học, chương trình, sách giáo khoa sử dụng và các "
                   "hoạt động giáo dục.", 45, 47),
    DemoDisclosure("Dự toán thu, chi ngân sách năm 2026", "finance",
                   "Dự toán thu, chi ngân sách nhà nước và các khoản thu dịch vụ giáo dục.",
                   20, 12, file=True),
    DemoDisclosure("Kết quả giáo dục năm học trước", "plan_results",
                   "Kết quả đánh giá học sinh và tỉ lệ hoàn thành chương trình năm học trước.",
                   300, 305, previous_year=True),
    DemoDisclosure("Quyết toán thu, chi năm 2025", "finance",
                   "Quyết toán thu, chi ngân sách và các khoản thu khác năm 2025.", 5, None),
)


def _fill_disclosures(portal: Portal, home: PortalHomePage, today: datetime.date) -> int:
    index = DisclosureIndexPage.objects.child_of(home).first()
    if index is None or DisclosureItemPage.objects.child_of(index).exists():
        return 0
    current = school_year_of(today)
    previous = f"{int(current[:4]) - 1}-{current[:4]}"
    for item in SCHOOL_DISCLOSURES:
        page = DisclosureItemPage(
            title=item.title, category=item.category, summary=item.summary,
            school_year=previous if item.previous_year else current,
            due_date=today - datetime.timedelta(item.due_days_ago),
            body=f"<p>{item.summary}</p><p>Nội dung chi tiết xem tại tệp đính kèm hoặc tại "
                 "bảng tin của nhà trường.</p>",
        )
        if item.file:
            page.attachments = [_attach(DisclosureAttachment, portal, item.title,
                                        [home.unit.name, item.title, item.summary])]
        if item.posted_days_ago is None:
            page.live = False
            index.add_child(instance=page)
            page.save_revision()  # a draft past its due date: overdue on the dashboard
            continue
        page.first_published_at = timezone.make_aware(datetime.datetime.combine(
            today - datetime.timedelta(item.posted_days_ago), datetime.time(8, 30)))
        _publish(index, page)
    return len(SCHOOL_DISCLOSURES)


def _share_news(home: PortalHomePage) -> int:
    """Portals filled before the opt-in existed: share their featured news item."""
    news = NewsPage.objects.live().descendant_of(home)
    if news.filter(show_on_department=True).exists():
        return 0
    item = news.filter(featured=True).order_by("-date", "-pk").first()
    if item is None:
        return 0
    item.show_on_department = True
    item.save_revision().publish()
    return 1


def _fill_more(portal: Portal) -> dict[str, int]:
    home = PortalHomePage.objects.select_related("unit").get(pk=portal.home_page_id)
    today = timezone.localdate()
    added = {"services": 0, "admissions": _fill_admissions(portal, home, today),
             "disclosures": 0, "shared_news": 0}
    if home.unit.kind == UnitKind.DEPARTMENT:
        added["services"] = _fill_services(portal, home)
    else:
        added["disclosures"] = _fill_disclosures(portal, home, today)
        added["shared_news"] = _share_news(home)
    return added


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
    more = {"services": 0, "admissions": 0, "disclosures": 0, "shared_news": 0}
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
            for key, count in _fill_more(portal).items():
                more[key] += count
            urls.append(portal.url)
    return {"portals": Portal.objects.count(), "news": news, "documents": documents,
            **more, "urls": urls}
