"""Background tasks of the mail app, run by the database worker (``edugate up`` starts it)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_staff_import(job_id: int) -> None:
    """Run a staff import uploaded in the back office (see :mod:`edugate.mail.imports`)."""
    from edugate.mail.imports import run_import

    run_import(job_id)
