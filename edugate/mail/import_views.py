"""Back-office screens of staff imports: upload, progress, result, downloads, recent imports.

Thin views over :mod:`edugate.mail.imports`: each checks the policy, looks the job up within
the user's scope (a job of another unit is a 404, never a hint that it exists), calls the
action and responds. The import itself runs in the background worker.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from edugate.directory.forms import UnitChoiceField
from edugate.directory.models import Unit
from edugate.directory.scope import Scope
from edugate.directory.viewsets import in_scope_param
from edugate.mail import imports
from edugate.mail.imports import staff_import_policy
from edugate.mail.models import StaffImport, StaffImportState
from edugate.mail.provisioning import write_report

#: The first bytes of an .xlsx (a zip) and of an old .xls (an OLE compound file).
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
#: At most this many rejected rows and remarks are listed on the page; the report has all.
SHOWN_ROWS = 500
RECENT = 20


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Staff list"),
        help_text=_("An .xlsx or .csv file as the school keeps it: title rows, merged headers "
                    "and Vietnamese headers are fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(), label=_("Unit"),
        help_text=_("The unit the list belongs to. Rows with a unit code go to that unit, if "
                    "you administer it."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run (check only, write nothing)"), required=False,
        help_text=_("Check every row and show the report; nothing is created or changed."),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = imports.units_for_import(scope)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        suffix = Path(name).suffix.lower()
        limit = imports.max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                gettext("The file is %(size)s; the largest accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        if head.startswith(OLE_MAGIC) or suffix == ".xls":
            raise forms.ValidationError(gettext(
                "The old Excel 97-2003 format (.xls) cannot be read: save the file as .xlsx "
                "or .csv and try again."))
        if suffix not in imports.ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                gettext("Choose an .xlsx or .csv file (this one is %(extension)s).")
                % {"extension": suffix or gettext("without an extension")})
        if not head.strip():
            raise forms.ValidationError(gettext("The file is empty."))
        if suffix == ".xlsx" and not head.startswith(ZIP_MAGIC):
            raise forms.ValidationError(gettext("This is not a valid .xlsx file."))
        if suffix == ".csv" and (head.startswith(ZIP_MAGIC) or b"\x00" in head):
            raise forms.ValidationError(gettext(
                "This is not a text (.csv) file. If it is an Excel file, name it .xlsx."))
        return upload


class ImportViewMixin(WagtailAdminTemplateMixin):
    """Checks the policy; looks jobs up within the user's scope."""

    header_icon = "upload"
    viewset: Any = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not staff_import_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied
        self.scope = staff_import_policy.scope(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_job(self, pk: int, *, with_report: bool = False) -> StaffImport:
        jobs = staff_import_policy.scoped_queryset(self.scope)
        job = (jobs if with_report else jobs.defer("report")).filter(pk=pk).first()
        if job is None:
            raise Http404
        return job

    def url(self, name: str, *args: Any) -> str:
        return reverse(self.viewset.get_url_name(name), args=args)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items,
                {"url": self.url("index"), "label": self.viewset.menu_label},
                {"url": "", "label": self.get_page_title()}]


class ImportIndexView(ImportViewMixin, View):
    """The upload form, and the recent imports of the user's units under it."""

    http_method_names = ["get", "post"]
    template_name = "mail/imports/index.html"
    page_title = _("Import staff")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def header_buttons(self) -> list[Any]:
        return [HeaderButton(_("Mailboxes"), url=reverse("mailboxes:index"), icon_name="mail")]

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        unit = in_scope_param(request, "unit", Unit)
        units = imports.units_for_import(self.scope)
        if unit is not None and units.filter(pk=unit.pk).exists():
            initial["unit"] = unit
        else:
            only = list(units[:2])
            if len(only) == 1:  # a school administrator: their school
                initial["unit"] = only[0]
        return self.render(StaffImportForm(scope=self.scope, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StaffImportForm(request.POST, request.FILES, scope=self.scope)
        if not form.is_valid():
            return self.render(form, status=200)
        try:
            job = imports.start_import(
                actor=request.user, unit=form.cleaned_data["unit"],
                upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"],
                scope=self.scope)
        except PermissionDenied as error:
            form.add_error("unit", str(error))
            return self.render(form, status=200)
        return redirect(self.url("detail", job.pk))

    def render(self, form: StaffImportForm, status: int = 200) -> HttpResponse:
        recent = list(imports.imports_visible_to(self.scope)[:RECENT])
        response = self.render_to_response(self.get_context_data(
            form=form, media=form.media, recent=recent, action_url=self.url("index"),
            max_size=filesizeformat(imports.max_upload_bytes()),
            submit_button_label=gettext("Upload and import"),
            submit_button_active_label=gettext("Uploading…"),
            detail_url_name=self.viewset.get_url_name("detail"),
        ))
        response.status_code = status
        return response


class ImportDetailView(ImportViewMixin, View):
    """Progress while the worker runs the job (polled by a small script, or refreshed), then
    the result: counts, rejected rows, remarks, downloads and what to do next."""

    http_method_names = ["get"]
    template_name = "mail/imports/detail.html"

    def get_page_title(self) -> str:
        return gettext("Import staff")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.get_job(pk, with_report=True)
        report = job.report or {}
        errors = report.get("errors", [])
        warnings = report.get("warnings", [])
        names = {o["row_number"]: o["full_name"] for o in report.get("outcomes", [])
                 if o["status"] == "rejected" and o["full_name"]}
        rejected = [{**error, "name": names.get(error["row"], "")} for error in errors]
        status = imports.status_of(job)
        return self.render_to_response(self.get_context_data(
            job=job, status=status, page_subtitle=job.file_name,
            rejected=rejected[:SHOWN_ROWS], rejected_names=bool(names),
            rejected_more=max(0, len(rejected) - SHOWN_ROWS),
            warnings=warnings[:SHOWN_ROWS], warnings_more=max(0, len(warnings) - SHOWN_ROWS),
            status_url=self.url("status", job.pk), report_url=self.url("report", job.pk),
            file_url=self.url("file", job.pk), rerun_url=self.url("rerun", job.pk),
            index_url=f"{self.url('index')}?unit={job.unit_id}",
            slips_url=f"{reverse('mailboxes:slips')}?unit={job.unit_id}",
            mailboxes_url=f"{reverse('mailboxes:index')}?unit={job.unit_id}",
            may_rerun=job.dry_run and job.state == StaffImportState.DONE,
        ))


class ImportStatusView(ImportViewMixin, View):
    """The job's progress as JSON, for the progress page's poller."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = JsonResponse(imports.status_of(self.get_job(pk)))
        add_never_cache_headers(response)
        return response


class ImportReportView(ImportViewMixin, View):
    """The row-by-row report of a finished job, as the console's ``--report`` writes it."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job = self.get_job(pk, with_report=True)
        if job.report is None:
            raise Http404
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "report.xlsx"
            write_report(job.report, out)
            content = out.read_bytes()
        imports.record_download(actor=request.user, job=job, what="report")
        response = HttpResponse(content, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"bao-cao-nhap-can-bo-{job.pk}.xlsx")
        add_never_cache_headers(response)
        return response


class ImportFileView(ImportViewMixin, View):
    """The file as it was uploaded (it holds personal data: never cached, only in scope)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        job = self.get_job(pk)
        try:
            handle = job.file.open("rb")
        except OSError:
            raise Http404 from None
        imports.record_download(actor=request.user, job=job, what="download")
        response = FileResponse(handle, as_attachment=True, filename=job.file_name or "danh-sach",
                                content_type="application/octet-stream")
        add_never_cache_headers(response)
        return response


class ImportRerunView(ImportViewMixin, View):
    """POST: run a finished dry run's file for real."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = self.get_job(pk)
        try:
            job = imports.rerun_import(actor=request.user, source=source, scope=self.scope)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(self.url("detail", source.pk))
        return redirect(self.url("detail", job.pk))


class StaffImportViewSet(ViewSet):
    """The "Import staff" screen, next to Mailboxes in the menu."""

    name = "staff_imports"
    url_prefix = "staff-imports"
    icon = "upload"
    menu_label = _("Import staff")
    menu_name = "staff-imports"
    menu_order = 305
    add_to_admin_menu = True

    @cached_property
    def menu_item_class(self) -> type[Any]:
        from wagtail.admin.menu import MenuItem

        class ImportMenuItem(MenuItem):
            def is_shown(self, request: HttpRequest) -> bool:
                return staff_import_policy.user_has_permission(request.user, "add")

        return ImportMenuItem

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(viewset=self, **kwargs)

    def get_urlpatterns(self) -> list[Any]:
        view = self.construct_view
        return [
            path("", view(ImportIndexView), name="index"),
            path("<int:pk>/", view(ImportDetailView), name="detail"),
            path("<int:pk>/status/", view(ImportStatusView), name="status"),
            path("<int:pk>/report/", view(ImportReportView), name="report"),
            path("<int:pk>/file/", view(ImportFileView), name="file"),
            path("<int:pk>/rerun/", view(ImportRerunView), name="rerun"),
        ]


staff_import_viewset = StaffImportViewSet()
