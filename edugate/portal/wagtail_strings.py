"""Wagtail's strings of the editorial flow (pages, approval, history) that edugate translates.

Wagtail 7.4's Vietnamese catalogue leaves most of what a school's editors and its principal see
while writing and approving pages in English ("Awaiting your review", "Request changes", "Save
draft", "in moderation", the history's workflow entries) and words the rest unevenly
("Thực hiện <workflow>" for submitting to the workflow, "Phê chuẩn với bình luận" beside our
"Duyệt" for approving). Django looks a message up in the catalogues of ``LOCALE_PATHS`` before
those of the installed apps, so a msgid translated in ``edugate/locale/vi/LC_MESSAGES/django.po``
wins over Wagtail's own; ``makemessages`` only keeps the msgids it finds in our sources, though,
so each one is listed here, marked with ``gettext_noop`` (``ngettext_lazy`` for the plural
ones), to keep it in our catalogue. Nothing calls or reads these tuples at run time.

The terms follow one vocabulary: "Phê duyệt" (approve), "Yêu cầu sửa" (request changes), "Gửi
phê duyệt" (submit to the workflow), "Lưu bản nháp", "Xuất bản", "Đang chờ phê duyệt".

Each msgid must match Wagtail 7.4's byte for byte, placeholders, punctuation and trailing spaces
included ("Restart workflow " and "Cancel workflow " end with a space): copy it from
``wagtail/admin/locale/en/LC_MESSAGES/django.po`` or ``wagtail/locale/en/LC_MESSAGES/django.po``.
Wagtail 7.4 uses no message contexts in its ``django`` domain, so a msgid that our own sources
also use shares one msgstr with them: "Approve" and "Approved" here also label the registrations
and held messages of :mod:`edugate.groups`, and "Rejected" (also theirs and the imports') is left
out. Our own "Pages" (pagination) and "Documents" (the files of an admission page) carry a
context, so that Wagtail's menu reads "Trang" and "Tài liệu". The strings of the sign-in page,
listings, forms and account menu are in :mod:`edugate.core.wagtail_strings`; a msgid belongs in
one of the two modules only.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_EDITORIAL_STRINGS = (
    # Sidebar menu and the Reports submenu
    gettext_noop("Pages"),
    gettext_noop("Documents"),
    gettext_noop("Images"),
    gettext_noop("Reports"),
    gettext_noop("Workflows"),
    # Dashboard panels
    gettext_noop("Awaiting your review"),
    gettext_noop("Your pages and snippets in a workflow"),
    gettext_noop("Your most recent edits"),
    gettext_noop("Language"),
    gettext_noop("Privacy and access"),
    gettext_noop("Tasks"),
    gettext_noop("Task"),
    gettext_noop("Task submitted by"),
    gettext_noop("Task started"),
    gettext_noop("Awaiting"),
    gettext_noop("Changes requested at"),
    gettext_noop("Compare with live version"),
    gettext_noop("Compare with previous version"),
    # Page explorer: buttons and status labels
    gettext_noop("Add child page"),
    gettext_noop("Add a child page to '%(title)s'"),
    gettext_noop("Explore child pages of '%(title)s'"),
    gettext_noop("Edit this page"),
    gettext_noop("View live"),
    gettext_noop("View draft"),
    gettext_noop("Visit the live page"),
    gettext_noop("live"),
    gettext_noop("in moderation"),
    gettext_noop("scheduled"),
    gettext_noop("live + draft"),
    gettext_noop("live + in moderation"),
    gettext_noop("live + scheduled"),
    gettext_noop("page"),
    gettext_noop("pages"),
    # Page editor: action menu
    gettext_noop("Save draft"),
    gettext_noop("Submit to %(workflow_name)s"),
    gettext_noop("Submit for moderation"),
    gettext_noop("Resubmit to %(task_name)s"),
    gettext_noop("Restart workflow "),
    gettext_noop("Cancel workflow "),
    gettext_noop("%(label)s and Publish"),
    gettext_noop("Schedule to publish"),
    # Workflow actions and states
    gettext_noop("Approve"),
    gettext_noop("Approve with comment"),
    gettext_noop("Request changes"),
    gettext_noop("Comment"),
    gettext_noop("Approved"),
    gettext_noop("In progress"),
    gettext_noop("Needs changes"),
    gettext_noop("Cancelled"),
    # Page editor: status side panel and locking
    gettext_noop("In Moderation"),
    gettext_noop("View details"),
    gettext_noop("Sent to %(task_name)s %(started_at)s"),
    gettext_noop("Changes requested %(finished_at)s"),
    gettext_noop("by %(user)s"),
    gettext_noop("This %(model_name)s is currently awaiting moderation."),
    gettext_noop("Only reviewers for this task can edit the %(model_name)s."),
    gettext_noop("Locked by workflow"),
    gettext_noop("Only reviewers can edit and approve the %(model_name)s"),
    gettext_noop(
        "Reviewers can edit this %(model_name)s – lock it to prevent other reviewers from editing",
    ),
    gettext_noop("Anyone can edit this %(model_name)s – lock it to prevent others from editing"),
    gettext_noop("Anyone can edit this %(model_name)s"),
    gettext_noop("Locked by you"),
    gettext_noop("Only you can make changes while the %(model_name)s is locked"),
    # Messages after an action
    gettext_noop("Page '%(page_title)s' created."),
    gettext_noop("Page '%(page_title)s' created and submitted for moderation."),
    gettext_noop("Page '%(page_title)s' created and published."),
    gettext_noop("Page '%(page_title)s' has been updated."),
    gettext_noop("Page '%(page_title)s' has been submitted for moderation."),
    gettext_noop("Page '%(page_title)s' has been published."),
    gettext_noop("Page '%(page_title)s' has been scheduled for publishing."),
    gettext_noop("Workflow on page '%(page_title)s' has been cancelled."),
    gettext_noop("Workflow on page '%(page_title)s' has been restarted."),
    gettext_noop("Page '%(page_title)s' unpublished."),
    gettext_noop("Page '%(page_title)s' is now unlocked."),
    gettext_noop("The page could not be saved due to validation errors."),
    gettext_noop("The page could not be created due to validation errors."),
    gettext_noop("The page could not be saved as it is locked."),
    gettext_noop("The page '%(page_title)s' is not currently awaiting moderation."),
    # Unpublish confirmation
    gettext_noop("Are you sure you want to unpublish this page?"),
    gettext_noop("Yes, unpublish it"),
    gettext_noop("No, don't unpublish"),
    # History and workflow history
    gettext_noop("Draft saved"),
    gettext_noop("'%(workflow)s' started. Next step '%(task)s'"),
    gettext_noop("Approved at '%(task)s'. '%(workflow)s' complete"),
    gettext_noop("Rejected at '%(task)s'. Changes requested"),
    gettext_noop("Resubmitted '%(task)s'. Workflow resumed"),
    gettext_noop("Cancelled '%(workflow)s' at '%(task)s'"),
    gettext_noop("Workflow started"),
    gettext_noop("Workflow completed"),
    gettext_noop("Action"),
    gettext_noop("User"),
    gettext_noop("Live version"),
    gettext_noop("Current draft"),
    gettext_noop("Review this version"),
    gettext_noop("Compare with current version"),
    gettext_noop("Workflow history"),
    gettext_noop("Workflow progress"),
    gettext_noop("Requested by"),
    gettext_noop("Started at"),
    gettext_noop("Timeline"),
    gettext_noop("with comment:"),
    gettext_noop("Submitted"),
    gettext_noop("Changes requested"),
    gettext_noop("Changes requested by %(requested_by)s"),
    gettext_noop("Approved by %(approved_by)s"),
    gettext_noop("See full history"),
    gettext_noop("This page hasn't been submitted for moderation yet"),
)

#: Wagtail's plural messages of the same flow (Vietnamese has a single plural form).
WAGTAIL_EDITORIAL_PLURAL_STRINGS = (
    # Dashboard panels
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
    ),
)
