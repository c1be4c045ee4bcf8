"""Group fixtures: the shared tree and mail domains (``tests/conftest.py``, ``tests/mail``), a
Department with principals and its preset groups (``world``), a school's own group, and a
real SMTP sink standing in for the mail plane's loopback ports (``smtp_sink``) or a port
where nothing listens (``plane_down``).

``world`` gives (see ``tests/groups/world.py``): ``hieutruong@minhhai.edu.vn`` ("all
principals", a rule over the directory), the Department staff and clerical-office groups,
principals of schools A and B with personal mailboxes (role HEAD), a Department officer and
school A's teacher ``annv@th-a.minhhai.edu.vn``, all with a password set.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from edugate.groups import actions, endpoints
from edugate.groups.endpoints import Endpoints
from edugate.groups.models import EmailGroup
from tests.groups.world import World, build_world
from tests.mail.conftest import MailTree, mail  # noqa: F401 - the fixture, for this package


@pytest.fixture
def world(mail: MailTree) -> World:  # noqa: F811 - the imported fixture
    return build_world(mail)


@pytest.fixture
def school_group(world: World) -> EmailGroup:
    """``giaovien@th-a.minhhai.edu.vn``: school A's own group (its teacher, archived), which
    school B's administrator must never see."""
    tree = world.mail.tree
    group = actions.create_group(actor=None, owner_unit=tree.school_a,
                                 domain=world.mail.school_a, local_part="giaovien",
                                 name="Giáo viên Trường An Bình", archive_enabled=True)
    actions.add_member(actor=None, group=group, mailbox=world.teacher)
    return group


@dataclass
class Envelope:
    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class Sink:
    """What a real SMTP server on a loopback port received, one envelope per transaction."""

    port: int
    received: list[Envelope] = field(default_factory=list)

    def recipients(self) -> list[str]:
        return [address for envelope in self.received for address in envelope.recipients]


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.received.append(Envelope(envelope.mail_from, list(envelope.rcpt_tos),
                                           bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def endpoints_at(port: int) -> Endpoints:
    return Endpoints(lmtp_port=port, policy_port=port, reinject_port=port, notices_port=port,
                     hostname="mail.test")


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    """An aiosmtpd server where the group service would hand mail back to Postfix; the
    back office's ``endpoints.current()`` points at it."""
    sink = Sink(port=_free_port())
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=sink.port)
    controller.start()
    monkeypatch.setattr(endpoints, "current", lambda: endpoints_at(sink.port))
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def plane_down(monkeypatch: pytest.MonkeyPatch) -> int:
    """``endpoints.current()`` names a loopback port where nothing listens."""
    port = _free_port()
    monkeypatch.setattr(endpoints, "current", lambda: endpoints_at(port))
    return port
