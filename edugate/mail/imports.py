"""Staff imports from the back office: the upload becomes a job the background worker runs.

The console's ``edugate staff import`` and this module call the same
:func:`edugate.mail.provisioning.import_staff`. Here an administrator's upload is stored
privately (see :class:`edugate.mail.models.PrivateStorage`), a :class:`StaffImport` row records
who asked for what, and the worker (``db_worker``, started by ``edugate up``) runs it with a
progress callback.

Progress is published in the cache as well as in the row: the import writes inside one
transaction, and a row updated within it would be invisible to the progress page (and on
SQLite locked) until the very end. The row gets the total once the sheet is read and the final
counts at the end; the cache gets the count about every 1% (at most every 500 rows).

Every read takes a scope (:func:`imports_visible_to`), every write is audited.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edugate.audit.actions import record
from edugate.audit.context import Origin, acting_from
from edugate.core.tabular import TabularError
from edugate.directory.models import Unit
from edugate.directory.permissions import ScopedPolicy
from edugate.directory.scope import Scope
from edugate.mail.models import StaffImport, StaffImportState
from edugate.mail.provisioning import import_staff

logger = logging.getLogger(__name__)

#: How long a published progress count stays in the cache (a job never runs this long).
PROGRESS_TTL = 24 * 3600
#: Uploads larger than this are refused (a 60,000-row .xlsx is about 3 MB).
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = (".xlsx", ".csv")


class StaffImportPolicy(ScopedPolicy):
    """Who may upload staff lists (anyone administering a unit) and see which imports (those
    of the units in their scope)."""

    actions = frozenset({"add", "view"})
    select_related = ("unit", "created_by")


staff_import_policy = StaffImportPolicy(StaffImport)


def imports_visible_to(scope: Scope) -> QuerySet[StaffImport]:
    """The imports of the units in ``scope``, newest first, without their (large) report."""
    return staff_import_policy.scoped_queryset(scope).defer("report")


def units_for_import(scope: Scope) -> QuerySet[Unit]:
    """The units an administrator may import staff into."""
    return Unit.objects.active().filter(scope.units_q()).order_by("path")


# --- Actions ---------------------------------------------------------------------------------

def start_import(*, actor: Any, unit: Unit, upload: UploadedFile, dry_run: bool,
                 scope: Scope) -> StaffImport:
    """Store the upload, record the job and queue it for the worker (after commit)."""
    if not scope.contains(unit):
        raise PermissionDenied(_("This is outside the units you administer."))
    with transaction.atomic():
        job = StaffImport(created_by=actor, unit=unit, dry_run=dry_run,
                          file_name=(upload.name or "")[:255],
                          language=translation.get_language() or "")
        job.file.save(upload.name or "staff.xlsx", upload, save=False)
        job.save()
        record(actor=actor, action="staff_import.start", obj=job, unit=unit,
               changes={"file": job.file_name, "dry_run": dry_run})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def rerun_import(*, actor: Any, source: StaffImport, scope: Scope) -> StaffImport:
    """Run a finished dry run's file again, for real."""
    if not scope.contains(source.unit):
        raise PermissionDenied(_("This is outside the units you administer."))
    if not source.dry_run or source.state != StaffImportState.DONE:
        raise PermissionDenied(_("Only a finished dry run can be run for real."))
    with transaction.atomic():
        job = StaffImport.objects.create(
            created_by=actor, unit=source.unit, dry_run=False, file=source.file.name,
            file_name=source.file_name, rerun_of=source,
            language=translation.get_language() or "",
        )
        record(actor=actor, action="staff_import.start", obj=job, unit=job.unit,
               changes={"file": job.file_name, "dry_run": False, "rerun_of": source.pk})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def record_download(*, actor: Any, job: StaffImport, what: str) -> None:
    """Audit that someone took the uploaded file or the report away."""
    with transaction.atomic():
        record(actor=actor, action=f"staff_import.{what}", obj=job, unit=job.unit,
               changes={"file": job.file_name})


def _enqueue(job_id: int) -> None:
    from edugate.mail.tasks import run_staff_import

    run_staff_import.enqueue(job_id)


# --- Progress --------------------------------------------------------------------------------

def _progress_key(job_id: int) -> str:
    return f"edugate:staff-import:{job_id}:progress"


def publish_progress(job_id: int, done: int, total: int) -> None:
    cache.set(_progress_key(job_id), (done, total), PROGRESS_TTL)


def progress_of(job: StaffImport) -> tuple[int, int]:
    """Rows processed and total rows, the live count if the job is running."""
    if job.state == StaffImportState.RUNNING:
        published = cache.get(_progress_key(job.pk))
        if isinstance(published, tuple) and len(published) == 2:
            return int(published[0]), int(published[1])
    return job.rows_processed, job.total_rows


def status_of(job: StaffImport) -> dict[str, Any]:
    """What the progress page shows, as JSON for its poller."""
    done, total = progress_of(job)
    return {
        "state": job.state, "state_label": str(job.get_state_display()),
        "processed": done, "total": total,
        "percent": (done * 100 // total) if total else (100 if job.is_finished else 0),
        "finished": job.is_finished,
        "summary": job.summary,
    }


# --- The worker's side ------------------------------------------------------------------------

def run_import(job_id: int) -> None:
    """Run the job (called by the worker): import, store the report, mark it done or failed."""
    claimed = StaffImport.objects.filter(pk=job_id, state=StaffImportState.QUEUED).update(
        state=StaffImportState.RUNNING, started_at=timezone.now())
    if not claimed:
        logger.warning("staff import %s is not queued; not run again", job_id)
        return
    job = StaffImport.objects.select_related("unit", "created_by").get(pk=job_id)
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        if total != job.total_rows and not transaction.get_connection().in_atomic_block:
            job.total_rows = total
            StaffImport.objects.filter(pk=job.pk).update(total_rows=total)
        if done != last["done"]:
            last["done"] = done
            publish_progress(job.pk, done, total)

    try:
        # Asked for in the back office; the worker's audit rows say so (without an address).
        with translation.override(job.language or settings.LANGUAGE_CODE), \
                acting_from(Origin("web")), job.file.open("rb") as source:
            report = import_staff(source, actor=job.created_by, unit=job.unit,
                                  dry_run=job.dry_run, progress=progress)
    except (OSError, TabularError, PermissionDenied) as error:
        _finish(job, state=StaffImportState.FAILED, error=str(error))
        return
    except Exception:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _("The import stopped on an unexpected error; nothing was written.")
        _finish(job, state=StaffImportState.FAILED, error=message)
        raise
    data = report.as_dict()
    job.summary = {key: data[key] for key in
                   ("rows", "created", "updated", "unchanged", "rejected", "mailboxes")}
    job.summary["warnings"] = len(report.warnings)
    job.report = data
    job.total_rows = report.rows
    _finish(job, state=StaffImportState.DONE)


def _finish(job: StaffImport, *, state: str, error: str = "") -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    if state == StaffImportState.DONE:
        job.rows_processed = job.total_rows
    else:
        job.rows_processed = min(job.rows_processed, job.total_rows)
    with transaction.atomic():
        job.save(update_fields=["state", "error", "finished_at", "rows_processed", "total_rows",
                                "summary", "report"])
        record(actor=job.created_by, action=f"staff_import.{state}", obj=job, unit=job.unit,
               changes={"file": job.file_name, "dry_run": job.dry_run, **job.summary,
                        **({"error": error} if error else {})})
    cache.delete(_progress_key(job.pk))


def max_upload_bytes() -> int:
    return int(getattr(settings, "EDUGATE_STAFF_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))
