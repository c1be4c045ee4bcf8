"""`edugate housekeeping` runs every chore, and one failing chore does not stop the rest."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from edugate.directory import actions as directory
from edugate.mail import actions
from edugate.mail.models import Mailbox, MailboxState
from tests.conftest import Tree


def test_housekeeping_closes_due_mailboxes_even_after_a_failing_chore(
    tree: Tree, settings, caplog
) -> None:
    settings.HOUSEKEEPING_COMMANDS = [("no-such-command",), ("mailboxes", "close-due")]
    domain = directory.add_domain(actor=None, unit=tree.school_a, name="th-a.minhhai.edu.vn")
    teacher = actions.create_mailbox(actor=None, unit=tree.school_a, domain=domain,
                                     local_part="annv", kind="personal", person=tree.teacher_a)
    actions.update_mailbox(actor=None, mailbox=teacher, display_name="", quota_mb=None,
                           forward_to="", close_on=timezone.localdate())
    out = io.StringIO()
    call_command("housekeeping", stdout=out)
    assert Mailbox.objects.get(pk=teacher.pk).state == MailboxState.CLOSED
    assert "no-such-command failed" in caplog.text
    # Not due yet: nothing happens.
    other = actions.create_mailbox(actor=None, unit=tree.school_a, domain=domain,
                                   local_part="vanthu", kind="unit")
    actions.update_mailbox(actor=None, mailbox=other, display_name="", quota_mb=None,
                           forward_to="",
                           close_on=timezone.localdate() + datetime.timedelta(days=1))
    call_command("housekeeping", stdout=out)
    assert Mailbox.objects.get(pk=other.pk).state == MailboxState.PENDING
