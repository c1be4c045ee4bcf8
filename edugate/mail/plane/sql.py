"""The SQL views the mail daemons read: the contract between edugate and Postfix/Dovecot.

Each view is made for one lookup and is queried by the local part and domain (or the full
address) the daemon is asked about, so every lookup is an index probe on the mail tables:

- ``mailplane_domain``: hosted domains, primary and alias (``domain``, ``kind``, ``target``).
- ``mailplane_mailbox``: mailboxes that receive mail (every state but closed) with their
  Maildir (relative to the mail root, by id so a renamed address keeps its mail), the
  effective quota in MiB (the mailbox's own, else the nearest ``MailDefaults`` at or above its
  unit for its kind, else the default for its kind) and ``state``.
- ``mailplane_alias``: ``source`` → ``destination`` rows for Postfix's virtual alias map:
  aliases, forwards (while ``forward_until`` is empty or not past, plus the mailbox itself when
  a copy is kept) and every address of a primary domain under each of its alias domains.
- ``mailplane_refused``: the recipient access map: addresses refused at RCPT with a reason (a
  Postfix access map value such as ``550 5.2.1 ...``): closed mailboxes and their aliases, so
  mail to them bounces at the sender's server instead of being dropped; and (v3) email group
  addresses, answered with the restriction class that asks the posting policy service.
- ``mailplane_passdb`` / ``mailplane_userdb``: Dovecot's password and user lookups; only
  active mailboxes have a password row, so pending, suspended and closed ones cannot log in.
- ``mailplane_sieve``: each mailbox's sieve script (``username``, ``name`` = active, ``id``,
  ``script``), read by Dovecot's SQL dict (version 2).
- ``mailplane_sender``: which logins may use an envelope sender (Postfix's
  ``smtpd_sender_login_maps``): a mailbox's own login; for a position mailbox, its holder's
  personal mailboxes; for a unit mailbox, its delegates' personal mailboxes; an alias (and an
  alias-domain address) is sendable by whoever may send as its mailbox.

The SQL is versioned: a migration creates one version; a later change adds ``VIEWS_V2`` and
a migration that drops and recreates. A migration that alters a column these views read must
drop them first and recreate them after (PostgreSQL refuses otherwise).
"""

# ruff: noqa: S608 -- the SQL here is composed from this module's constants and a validated
# time zone name only, never from input.
from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

#: Default quotas per kind in MiB, as in ``edugate.mail.models.DEFAULT_QUOTA_MB`` when this
#: version was written (a test checks they still agree).
V1_DEFAULT_QUOTA_MB = {"personal": 2048, "position": 5120, "unit": 10240}

VIEW_NAMES = (
    "mailplane_domain",
    "mailplane_mailbox",
    "mailplane_alias",
    "mailplane_refused",
    "mailplane_passdb",
    "mailplane_userdb",
    "mailplane_sender",
    "mailplane_sieve",
)

_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def today_sql(vendor: str, time_zone: str) -> str:
    """An SQL expression for today's date in ``time_zone`` (where forwarding end dates live)."""
    if not _ZONE_NAME.match(time_zone):
        raise ValueError(f"unexpected time zone name {time_zone!r}")
    if vendor == "postgresql":
        return f"(CURRENT_TIMESTAMP AT TIME ZONE '{time_zone}')::date"
    # SQLite knows no zones: the zone's offset now (Vietnam keeps no summer time).
    offset = ZoneInfo(time_zone).utcoffset(datetime.datetime.now(datetime.UTC))
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return f"date('now', '{minutes:+d} minutes')"


def _quota_for(kind_expr: str, source: str) -> str:
    return (f"CASE {kind_expr} WHEN 'personal' THEN {source}.personal_quota_mb "
            f"WHEN 'position' THEN {source}.position_quota_mb "
            f"ELSE {source}.unit_quota_mb END")


def views_v1(vendor: str, time_zone: str) -> list[str]:
    """``CREATE VIEW`` statements of version 1, for ``vendor`` ("sqlite" or "postgresql")."""
    today = today_sql(vendor, time_zone)
    defaults = " ".join(f"WHEN '{kind}' THEN {mb}" for kind, mb in V1_DEFAULT_QUOTA_MB.items())
    inherited = f"""(
        SELECT NULLIF({_quota_for('m.kind', 'md')}, 0)
        FROM mail_maildefaults md JOIN directory_unit a ON a.id = md.unit_id
        WHERE substr(u.path, 1, length(a.path)) = a.path
          AND NULLIF({_quota_for('m.kind', 'md')}, 0) IS NOT NULL
        ORDER BY a.depth DESC LIMIT 1)"""
    forwarding = (f"m.forward_to <> '' AND (m.forward_until IS NULL OR m.forward_until >= {today})")
    return [
        """CREATE VIEW mailplane_domain AS
        SELECT d.name AS domain,
               CASE WHEN d.alias_of_id IS NULL THEN 'primary' ELSE 'alias' END AS kind,
               COALESCE(p.name, d.name) AS target
        FROM directory_domain d LEFT JOIN directory_domain p ON p.id = d.alias_of_id""",
        f"""CREATE VIEW mailplane_mailbox AS
        SELECT m.id AS mailbox_id, m.address AS address, m.local_part AS local_part,
               d.name AS domain, m.kind AS kind, m.state AS state,
               'mailboxes/' || m.id AS maildir,
               COALESCE(NULLIF(m.quota_mb, 0), {inherited},
                        CASE m.kind {defaults} END) AS quota_mb
        FROM mail_mailbox m
        JOIN directory_domain d ON d.id = m.domain_id
        JOIN directory_unit u ON u.id = m.unit_id
        WHERE m.state <> 'closed'""",
        f"""CREATE VIEW mailplane_alias AS
        SELECT a.address AS source, a.local_part AS local_part, d.name AS domain,
               m.address AS destination
        FROM mail_alias a JOIN directory_domain d ON d.id = a.domain_id
        JOIN mail_mailbox m ON m.id = a.mailbox_id
        WHERE m.state <> 'closed'
        UNION ALL
        SELECT a.local_part || '@' || ad.name, a.local_part, ad.name, m.address
        FROM mail_alias a JOIN directory_domain ad ON ad.alias_of_id = a.domain_id
        JOIN mail_mailbox m ON m.id = a.mailbox_id
        WHERE m.state <> 'closed'
        UNION ALL
        SELECT m.local_part || '@' || ad.name, m.local_part, ad.name, m.address
        FROM mail_mailbox m JOIN directory_domain ad ON ad.alias_of_id = m.domain_id
        WHERE m.state <> 'closed'
        UNION ALL
        SELECT m.address, m.local_part, d.name, m.forward_to
        FROM mail_mailbox m JOIN directory_domain d ON d.id = m.domain_id
        WHERE m.state <> 'closed' AND {forwarding}
        UNION ALL
        SELECT m.address, m.local_part, d.name, m.address
        FROM mail_mailbox m JOIN directory_domain d ON d.id = m.domain_id
        WHERE m.state <> 'closed' AND {forwarding} AND m.forward_keep_copy""",
        """CREATE VIEW mailplane_refused AS
        SELECT m.address AS address, m.local_part AS local_part, d.name AS domain,
               '550 5.2.1 This mailbox has been closed' AS action
        FROM mail_mailbox m JOIN directory_domain d ON d.id = m.domain_id
        WHERE m.state = 'closed'
        UNION ALL
        SELECT m.local_part || '@' || ad.name, m.local_part, ad.name,
               '550 5.2.1 This mailbox has been closed'
        FROM mail_mailbox m JOIN directory_domain ad ON ad.alias_of_id = m.domain_id
        WHERE m.state = 'closed'
        UNION ALL
        SELECT a.address, a.local_part, d.name,
               '550 5.2.1 This address belongs to a closed mailbox'
        FROM mail_alias a JOIN directory_domain d ON d.id = a.domain_id
        JOIN mail_mailbox m ON m.id = a.mailbox_id
        WHERE m.state = 'closed'
        UNION ALL
        SELECT a.local_part || '@' || ad.name, a.local_part, ad.name,
               '550 5.2.1 This address belongs to a closed mailbox'
        FROM mail_alias a JOIN directory_domain ad ON ad.alias_of_id = a.domain_id
        JOIN mail_mailbox m ON m.id = a.mailbox_id
        WHERE m.state = 'closed'""",
        """CREATE VIEW mailplane_passdb AS
        SELECT m.address AS username, '{ARGON2ID}' || m.password_hash AS password
        FROM mail_mailbox m
        WHERE m.state = 'active' AND m.password_hash <> ''""",
        """CREATE VIEW mailplane_userdb AS
        SELECT address AS username, maildir, quota_mb FROM mailplane_mailbox""",
        """CREATE VIEW mailplane_sender AS
        WITH sendable(mailbox_id, local_part, domain) AS (
            SELECT m.id, m.local_part, d.name
            FROM mail_mailbox m JOIN directory_domain d ON d.id = m.domain_id
            UNION ALL
            SELECT m.id, m.local_part, ad.name
            FROM mail_mailbox m JOIN directory_domain ad ON ad.alias_of_id = m.domain_id
            UNION ALL
            SELECT a.mailbox_id, a.local_part, d.name
            FROM mail_alias a JOIN directory_domain d ON d.id = a.domain_id
            UNION ALL
            SELECT a.mailbox_id, a.local_part, ad.name
            FROM mail_alias a JOIN directory_domain ad ON ad.alias_of_id = a.domain_id
        ), login(mailbox_id, login) AS (
            SELECT m.id, m.address FROM mail_mailbox m WHERE m.state = 'active'
            UNION ALL
            SELECT m.id, p.address
            FROM mail_mailbox m JOIN mail_mailbox p
              ON p.person_id = m.person_id AND p.kind = 'personal'
            WHERE m.kind = 'position' AND p.state = 'active'
            UNION ALL
            SELECT dl.mailbox_id, p.address
            FROM mail_delegate dl JOIN mail_mailbox m ON m.id = dl.mailbox_id
            JOIN mail_mailbox p ON p.person_id = dl.person_id AND p.kind = 'personal'
            WHERE m.kind = 'unit' AND p.state = 'active'
        )
        SELECT s.local_part || '@' || s.domain AS address, s.local_part AS local_part,
               s.domain AS domain, l.login AS login
        FROM sendable s JOIN login l ON l.mailbox_id = s.mailbox_id
        JOIN mail_mailbox o ON o.id = s.mailbox_id
        WHERE o.state <> 'closed'""",
    ]


def views_v2(vendor: str, time_zone: str) -> list[str]:
    """Version 2: a closed mailbox whose forwarding has not ended forwards instead of refusing
    (a leaver's mail follows them for the days the unit chose); ``mailplane_sieve`` gives
    Dovecot each mailbox's sieve script (its out-of-office reply) through its SQL dict; the
    sender lookup is an index probe on PostgreSQL too."""
    today = today_sql(vendor, time_zone)
    forwarding = (f"m.forward_to <> '' AND (m.forward_until IS NULL OR m.forward_until >= {today})")
    v1 = views_v1(vendor, time_zone)
    alias, refused = v1[2], v1[3]
    # Forwards of closed mailboxes (never a copy: nobody reads a closed mailbox).
    alias += f"""
        UNION ALL
        SELECT m.address, m.local_part, d.name, m.forward_to
        FROM mail_mailbox m JOIN directory_domain d ON d.id = m.domain_id
        WHERE m.state = 'closed' AND {forwarding}"""
    refused = refused.replace("WHERE m.state = 'closed'",
                              f"WHERE m.state = 'closed' AND NOT ({forwarding})")
    # The sender lookup starts from the looked-up address in each branch, so it stays an
    # index probe at 100,000 mailboxes (joining the address side against one "login" union
    # made PostgreSQL scan every mailbox: 54 ms a lookup, 22 messages a second).
    sender = """CREATE VIEW mailplane_sender AS
        WITH sendable(mailbox_id, local_part, domain) AS NOT MATERIALIZED (
            SELECT m.id, m.local_part, d.name
            FROM mail_mailbox m JOIN directory_domain d ON d.id = m.domain_id
            UNION ALL
            SELECT m.id, m.local_part, ad.name
            FROM mail_mailbox m JOIN directory_domain ad ON ad.alias_of_id = m.domain_id
            UNION ALL
            SELECT a.mailbox_id, a.local_part, d.name
            FROM mail_alias a JOIN directory_domain d ON d.id = a.domain_id
            UNION ALL
            SELECT a.mailbox_id, a.local_part, ad.name
            FROM mail_alias a JOIN directory_domain ad ON ad.alias_of_id = a.domain_id
        )
        SELECT s.local_part || '@' || s.domain AS address, s.local_part AS local_part,
               s.domain AS domain, o.address AS login
        FROM sendable s JOIN mail_mailbox o ON o.id = s.mailbox_id
        WHERE o.state = 'active'
        UNION ALL
        SELECT s.local_part || '@' || s.domain, s.local_part, s.domain, p.address
        FROM sendable s JOIN mail_mailbox o ON o.id = s.mailbox_id
        JOIN mail_mailbox p ON p.person_id = o.person_id AND p.kind = 'personal'
        WHERE o.kind = 'position' AND o.state <> 'closed' AND p.state = 'active'
        UNION ALL
        SELECT s.local_part || '@' || s.domain, s.local_part, s.domain, p.address
        FROM sendable s JOIN mail_mailbox o ON o.id = s.mailbox_id
        JOIN mail_delegate dl ON dl.mailbox_id = o.id
        JOIN mail_mailbox p ON p.person_id = dl.person_id AND p.kind = 'personal'
        WHERE o.kind = 'unit' AND o.state <> 'closed' AND p.state = 'active'"""
    sieve = """CREATE VIEW mailplane_sieve AS
        SELECT m.address AS username, 'active' AS name, m.sieve_id AS id,
               m.sieve_script AS script
        FROM mail_mailbox m
        WHERE m.sieve_script <> '' AND m.state <> 'closed'"""
    return [v1[0], v1[1], alias, refused, v1[4], v1[5], sender, sieve]


#: Where Postfix hands group mail to edugate's group processor: a group's address is a
#: virtual alias of ``group-<id>@`` this domain, which ``transport_maps`` routes to the
#: processor over LMTP. ``.invalid`` never resolves, so nothing can leak out under it.
GROUPS_DOMAIN = "groups.edugate.invalid"

#: The Postfix restriction class (main.cf) that asks edugate's posting policy service; the
#: recipient access view answers it for group addresses, so only mail to a group pays for it.
GROUPS_RESTRICTION = "edugate_groups"


def views_v3(vendor: str, time_zone: str) -> list[str]:
    """Version 3: email groups. A group's address (and its alias-domain twins) is a virtual
    alias of its processor address, and the recipient access view sends RCPTs to a group
    through the posting policy service."""
    v2 = views_v2(vendor, time_zone)
    target = f"'group-' || g.id || '@{GROUPS_DOMAIN}'"
    alias = v2[2] + f"""
        UNION ALL
        SELECT g.address, g.local_part, d.name, {target}
        FROM groups_emailgroup g JOIN directory_domain d ON d.id = g.domain_id
        WHERE g.is_active
        UNION ALL
        SELECT g.local_part || '@' || ad.name, g.local_part, ad.name, {target}
        FROM groups_emailgroup g JOIN directory_domain ad ON ad.alias_of_id = g.domain_id
        WHERE g.is_active"""
    refused = v2[3] + f"""
        UNION ALL
        SELECT g.address, g.local_part, d.name, '{GROUPS_RESTRICTION}'
        FROM groups_emailgroup g JOIN directory_domain d ON d.id = g.domain_id
        WHERE g.is_active
        UNION ALL
        SELECT g.local_part || '@' || ad.name, g.local_part, ad.name, '{GROUPS_RESTRICTION}'
        FROM groups_emailgroup g JOIN directory_domain ad ON ad.alias_of_id = g.domain_id
        WHERE g.is_active"""
    return [v2[0], v2[1], alias, refused, *v2[4:]]


#: The views the daemons read now (``schema`` re-creates them after every migrate).
current_views = views_v3


def drop_views() -> list[str]:
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES)]
