"""The SQL views the daemons read: what each lookup answers (no daemon involved)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from edugate.directory import actions as directory
from edugate.mail import actions
from edugate.mail.models import DEFAULT_QUOTA_MB, Mailbox, MailDefaults
from edugate.mail.plane import sql
from tests.mail.conftest import PASSWORD, MailTree

TEACHER = "annv@th-a.minhhai.edu.vn"


def rows(query: str, *params: object) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, list(params))
        return [tuple(row) for row in cursor.fetchall()]


def lookup(view: str, column: str, address: str) -> list[str]:
    local, domain = address.split("@")
    return sorted(row[0] for row in rows(
        f"SELECT {column} FROM {view} WHERE local_part = %s AND domain = %s",  # noqa: S608
        local, domain))


def password_row(address: str) -> list[tuple]:
    return rows("SELECT username, password FROM mailplane_passdb WHERE username = %s", address)


def quota(address: str) -> int:
    return rows("SELECT quota_mb FROM mailplane_userdb WHERE username = %s", address)[0][0]


def test_the_views_know_the_default_quotas_of_the_models() -> None:
    assert {str(kind): mb for kind, mb in DEFAULT_QUOTA_MB.items()} == sql.V1_DEFAULT_QUOTA_MB


def test_hosted_domains_include_alias_domains(mail: MailTree) -> None:
    directory.add_domain(actor=None, unit=mail.tree.school_a, name="anbinh-a.edu.vn",
                         alias_of=mail.school_a)
    found = dict(rows("SELECT domain, kind FROM mailplane_domain"))
    assert found["th-a.minhhai.edu.vn"] == "primary"
    assert found["anbinh-a.edu.vn"] == "alias"


def test_only_active_mailboxes_have_a_password(mail: MailTree) -> None:
    assert password_row(TEACHER) == []  # pending
    box = actions.set_password_by_operator(mailbox=mail.teacher_a, password=PASSWORD)
    [(user, password)] = password_row(TEACHER)
    assert user == TEACHER and password == "{ARGON2ID}" + box.password_hash
    assert password.startswith("{ARGON2ID}$argon2id$")
    actions.suspend_mailbox(actor=None, mailbox=box)
    assert password_row(TEACHER) == []
    actions.reactivate_mailbox(actor=None, mailbox=box)
    assert len(password_row(TEACHER)) == 1
    actions.close_mailbox(actor=None, mailbox=box)
    assert password_row(TEACHER) == []


def test_closed_mailboxes_are_refused_with_a_reason_not_delivered(mail: MailTree) -> None:
    actions.add_alias(actor=None, mailbox=mail.teacher_a, local_part="an.nguyen",
                      domain=mail.school_a)
    directory.add_domain(actor=None, unit=mail.tree.school_a, name="anbinh-a.edu.vn",
                         alias_of=mail.school_a)
    assert lookup("mailplane_mailbox", "maildir", TEACHER) == [f"mailboxes/{mail.teacher_a.pk}"]
    actions.close_mailbox(actor=None, mailbox=mail.teacher_a)
    assert lookup("mailplane_mailbox", "maildir", TEACHER) == []
    for address in (TEACHER, "annv@anbinh-a.edu.vn", "an.nguyen@th-a.minhhai.edu.vn",
                    "an.nguyen@anbinh-a.edu.vn"):
        [reason] = lookup("mailplane_refused", "action", address)
        assert reason.startswith("550 5.2.1 ")
        assert lookup("mailplane_alias", "destination", address) == []


def test_aliases_and_alias_domains_lead_to_the_mailbox(mail: MailTree) -> None:
    actions.add_alias(actor=None, mailbox=mail.teacher_a, local_part="an.nguyen",
                      domain=mail.school_a)
    directory.add_domain(actor=None, unit=mail.tree.school_a, name="anbinh-a.edu.vn",
                         alias_of=mail.school_a)
    for address in ("an.nguyen@th-a.minhhai.edu.vn", "annv@anbinh-a.edu.vn",
                    "an.nguyen@anbinh-a.edu.vn"):
        assert lookup("mailplane_alias", "destination", address) == [TEACHER]
    assert lookup("mailplane_alias", "destination", "khongco@anbinh-a.edu.vn") == []


def test_forwards_run_until_their_end_date_and_keep_a_copy_if_asked(mail: MailTree) -> None:
    today = datetime.date.today()
    Mailbox.objects.filter(pk=mail.teacher_a.pk).update(
        forward_to="an@example.net", forward_keep_copy=True, forward_until=today)
    assert lookup("mailplane_alias", "destination", TEACHER) == ["an@example.net", TEACHER]
    Mailbox.objects.filter(pk=mail.teacher_a.pk).update(forward_keep_copy=False,
                                                        forward_until=None)
    assert lookup("mailplane_alias", "destination", TEACHER) == ["an@example.net"]
    Mailbox.objects.filter(pk=mail.teacher_a.pk).update(
        forward_until=today - datetime.timedelta(days=2))
    assert lookup("mailplane_alias", "destination", TEACHER) == []


def test_quota_is_inherited_down_the_tree_like_the_model_says(mail: MailTree) -> None:
    tree = mail.tree
    box = Mailbox.objects.get(pk=mail.teacher_a.pk)
    assert quota(TEACHER) == DEFAULT_QUOTA_MB["personal"] == box.effective_quota_mb
    MailDefaults.objects.create(unit=tree.department, personal_quota_mb=3000)
    assert quota(TEACHER) == 3000 == box.effective_quota_mb
    MailDefaults.objects.create(unit=tree.office, personal_quota_mb=4000, unit_quota_mb=1)
    assert quota(TEACHER) == 4000 == box.effective_quota_mb
    MailDefaults.objects.create(unit=tree.school_b, personal_quota_mb=9999)  # a sibling
    assert quota(TEACHER) == 4000
    Mailbox.objects.filter(pk=box.pk).update(quota_mb=500)
    assert quota(TEACHER) == 500 == Mailbox.objects.get(pk=box.pk).effective_quota_mb


def test_who_may_send_as_which_address(mail: MailTree) -> None:
    tree = mail.tree
    teacher = actions.set_password_by_operator(mailbox=mail.teacher_a, password=PASSWORD)
    position = actions.create_mailbox(actor=None, unit=tree.school_a, domain=mail.school_a,
                                      local_part="hieutruong", kind="position",
                                      person=tree.teacher_a)
    office = actions.create_mailbox(actor=None, unit=tree.school_a, domain=mail.school_a,
                                    local_part="vanthu", kind="unit")
    clerk = actions.create_mailbox(actor=None, unit=tree.school_b, domain=mail.school_b,
                                   local_part="anhdtn", kind="personal", person=tree.teacher_b)
    actions.set_password_by_operator(mailbox=clerk, password=PASSWORD)
    actions.add_delegate(actor=None, mailbox=office, person=tree.teacher_b)
    actions.add_alias(actor=None, mailbox=office, local_part="vanphong", domain=mail.school_a)
    assert lookup("mailplane_sender", "login", TEACHER) == [TEACHER]
    # The position mailbox is pending (no password of its own): its holder sends as it.
    assert lookup("mailplane_sender", "login", position.address) == [TEACHER]
    assert lookup("mailplane_sender", "login", office.address) == [clerk.address]
    assert lookup("mailplane_sender", "login", "vanphong@th-a.minhhai.edu.vn") == [clerk.address]
    actions.suspend_mailbox(actor=None, mailbox=teacher)
    assert lookup("mailplane_sender", "login", position.address) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles only")
@pytest.mark.django_db(transaction=True)
def test_the_daemons_role_may_read_the_views_and_nothing_else(mail: MailTree) -> None:
    import psycopg

    from edugate.mail.plane import dbrole

    dbrole.ensure_role("edugate_mail_check", "only-the-views-2026")
    dbrole.ensure_role("edugate_mail_check", "only-the-views-2026")  # idempotent
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                         dbname=settings["NAME"], user="edugate_mail_check",
                         password="only-the-views-2026", autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM mailplane_mailbox").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT password_hash FROM mail_mailbox")


def test_a_closed_mailbox_forwards_while_its_forwarding_lasts_then_refuses(
    mail: MailTree,
) -> None:
    """A leaver's mail follows them for the days the unit chose, then bounces with a reason."""
    box = actions.update_mailbox(actor=None, mailbox=mail.teacher_a, display_name="",
                                 quota_mb=None, forward_to="an.nguyen@example.org",
                                 forward_keep_copy=True,
                                 forward_until=datetime.date.today() + datetime.timedelta(days=1))
    actions.close_mailbox(actor=None, mailbox=box)
    # Forwarded only (nobody reads a closed mailbox), and not refused.
    assert lookup("mailplane_alias", "destination", TEACHER) == ["an.nguyen@example.org"]
    assert lookup("mailplane_refused", "action", TEACHER) == []
    Mailbox.objects.filter(pk=box.pk).update(
        forward_until=datetime.date.today() - datetime.timedelta(days=1))
    assert lookup("mailplane_alias", "destination", TEACHER) == []
    assert lookup("mailplane_refused", "action", TEACHER) == [
        "550 5.2.1 This mailbox has been closed"]


def test_the_sieve_view_serves_the_script_by_name_then_by_id(mail: MailTree) -> None:
    assert rows("SELECT id FROM mailplane_sieve WHERE username = %s", TEACHER) == []
    box = actions.set_auto_reply(actor=None, mailbox=mail.teacher_a, enabled=True,
                                 message="Tôi nghỉ phép.")
    [(script_id,)] = rows("SELECT id FROM mailplane_sieve WHERE username = %s AND name = %s",
                          TEACHER, "active")
    assert script_id == box.sieve_id and script_id.startswith(f"{box.pk}-")
    [(script,)] = rows("SELECT script FROM mailplane_sieve WHERE username = %s AND id = %s",
                       TEACHER, script_id)
    assert "Tôi nghỉ phép." in script
    # A changed script has a new id, so Dovecot compiles it again.
    changed = actions.set_auto_reply(actor=None, mailbox=box, enabled=True, message="Khác.")
    assert changed.sieve_id != script_id
    actions.close_mailbox(actor=None, mailbox=changed)
    assert rows("SELECT id FROM mailplane_sieve WHERE username = %s", TEACHER) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's map functions")
def test_each_postgresql_map_function_answers_as_its_query(mail: MailTree) -> None:
    """The functions the PostgreSQL maps call return what the maps' queries return."""
    from edugate.mail.plane.render import POSTFIX_MAPS, map_function_arguments

    actions.add_alias(actor=None, mailbox=mail.teacher_a, local_part="an", domain=mail.school_a)
    keys = {"%u": "an", "%d": "th-a.minhhai.edu.vn", "%s": "th-a.minhhai.edu.vn"}
    for name, (_purpose, query) in POSTFIX_MAPS.items():
        arguments = [keys[item] for item in map_function_arguments(query)]
        literal = query
        for item, value in keys.items():
            literal = literal.replace(f"'{item}'", f"'{value}'")
        expected = sorted(str(row[0]) for row in rows(literal))
        placeholders = ", ".join(["%s"] * len(arguments))
        got = sorted(row[0] for row in rows(
            f"SELECT mailplane_map_{name}({placeholders})", *arguments))
        assert got == expected, name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's userdb function")
def test_the_postgresql_userdb_function_answers_as_the_view_and_keeps_no_data(
        mail: MailTree) -> None:
    """Dovecot's ``user_query`` on PostgreSQL calls ``mailplane_userdb_lookup``: the view's row,
    and (its plan is kept, never its answers) a change shows on the next call."""
    def by_function(address: str) -> list[tuple]:
        return rows("SELECT maildir, quota_mb FROM mailplane_userdb_lookup(%s)", address)

    def by_view(address: str) -> list[tuple]:
        return rows("SELECT maildir, quota_mb FROM mailplane_userdb WHERE username = %s", address)

    for _ in range(7):  # past the calls PostgreSQL plans one by one before it keeps a plan
        assert by_function(TEACHER) == by_view(TEACHER) != []
    assert by_function("nobody@th-a.minhhai.edu.vn") == []
    Mailbox.objects.filter(pk=mail.teacher_a.pk).update(quota_mb=777)
    assert by_function(TEACHER) == by_view(TEACHER) == [(f"mailboxes/{mail.teacher_a.pk}", 777)]
    actions.close_mailbox(actor=None, mailbox=Mailbox.objects.get(pk=mail.teacher_a.pk))
    assert by_function(TEACHER) == by_view(TEACHER) == []
