"""The group service: Postfix's posting policy server and the LMTP group processor, in one
asyncio process (``edugate groups serve``; ``edugate mail up`` starts it).

Both are thin: they parse the protocol, run the decision (``posting.decide`` over
``facts.post_for``) in a worker thread that talks to the database, and answer. Any error
becomes a temporary failure (451), so Postfix keeps the message and retries: nothing is lost.

- Policy (Postfix's policy delegation protocol, at RCPT for group addresses only): a refused
  sender gets ``550 5.7.1 <why>`` in the session; anything else continues (``DUNNO``).
- LMTP (``group-<id>@groups.edugate.invalid``): the decision again with the headers known;
  accepted mail is sent to every member (``moderation.distribute``), held mail is kept for
  the moderators, refused mail gets a 550 that Postfix returns to the sender with the reason;
  ``+bounces`` mail (copies that could not be delivered) is logged.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import Envelope, Session
from django.db import close_old_connections

from edugate.groups import facts, membership, moderation, posting
from edugate.groups.endpoints import Endpoints
from edugate.groups.posting import Action

logger = logging.getLogger(__name__)

TEMPFAIL = "451 4.3.0 The group service had a problem, try again later"


def policy_answer(attributes: dict[str, str]) -> str:
    """The ``action=`` value for one policy request."""
    if attributes.get("request") != "smtpd_access_policy":
        return "DUNNO"
    group = facts.group_for_address(attributes.get("recipient", ""))
    if group is None:
        return "DUNNO"
    post = facts.post_for(group, attributes.get("sender", ""),
                          authenticated=bool(attributes.get("sasl_username")))
    decision = posting.decide(facts.policy_of(group), post)
    if decision.action == Action.REFUSE:
        logger.info("group %s: refused <%s> (%s)", group.address, post.sender, decision.reason)
        return decision.smtp_reply
    return "DUNNO"


def process(sender: str, recipient: str, raw: bytes, endpoints: Endpoints) -> str:
    """Handle one delivery to a group; the LMTP status for that recipient."""
    group, extension = facts.group_for_processor_address(recipient)
    if group is None:
        return "550 5.1.1 No such group"
    if extension == "bounces":
        logger.warning("group %s: a copy could not be delivered (from <%s>)", group.address,
                       sender)
        return "250 2.0.0 Bounce noted"
    message = moderation.headers_of(raw)
    members = membership.resolve(group)  # once: for "members only" and for the copies
    # Hosted senders reach this point only logged in: the policy refused them otherwise, and
    # the loopback ports that skip it carry the plane's own mail.
    post = facts.post_for(group, sender, authenticated=facts.is_hosted(sender),
                          message=message, authserv_id=endpoints.hostname, members=members)
    decision = posting.decide(facts.policy_of(group), post)
    if decision.action == Action.REFUSE:
        logger.info("group %s: refused <%s> at delivery (%s)", group.address, sender,
                    decision.reason)
        return decision.smtp_reply
    if decision.action == Action.HOLD:
        moderation.hold(group=group, sender=post.sender, raw=raw, reason=decision.reason,
                        endpoints=endpoints)
        return "250 2.0.0 Held for moderation"
    sent = moderation.distribute(group, post.sender, raw, endpoints, members)
    return f"250 2.0.0 Sent to {sent.accepted} members"


def _in_thread(function: Any, *args: Any) -> Any:
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


class _Handler:
    def __init__(self, service: GroupService) -> None:
        self.service = service

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        _local, domain = facts.split(address)
        if domain != facts.GROUPS_DOMAIN:
            return "550 5.1.1 Not a group address"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        statuses = []
        for recipient in envelope.rcpt_tos:
            try:
                status = await self.service.run(process, envelope.mail_from or "", recipient,
                                                raw, self.service.endpoints)
            except Exception:
                logger.exception("group delivery to %s failed", recipient)
                status = TEMPFAIL
            statuses.append(status)
        return "\r\n".join(statuses)


class GroupService:
    """Both listeners on one event loop in a background thread (``start``/``stop``), or in
    the foreground (``serve_forever``)."""

    def __init__(self, endpoints: Endpoints, *, workers: int = 4) -> None:
        self.endpoints = endpoints
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="groups")
        self.loop = asyncio.new_event_loop()
        self.servers: list[asyncio.AbstractServer] = []
        self.thread: threading.Thread | None = None
        self.ready = threading.Event()

    async def run(self, function: Any, *args: Any) -> Any:
        return await self.loop.run_in_executor(self.executor, _in_thread, function, *args)

    async def _policy_client(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                attributes: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if not line:
                        return
                    text = line.decode("utf-8", "replace").rstrip("\r\n")
                    if not text:
                        break
                    name, _, value = text.partition("=")
                    attributes[name] = value
                try:
                    answer = await self.run(policy_answer, attributes)
                except Exception:
                    logger.exception("posting policy failed")
                    answer = TEMPFAIL
                writer.write(f"action={answer}\n\n".encode())
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _start(self) -> None:
        host = self.endpoints.host
        handler = _Handler(self)
        lmtp = await self.loop.create_server(
            lambda: LMTP(handler, hostname=self.endpoints.hostname, data_size_limit=None,
                         enable_SMTPUTF8=True, decode_data=False, loop=self.loop),
            host=host, port=self.endpoints.lmtp_port, reuse_address=True)
        policy = await asyncio.start_server(self._policy_client, host=host,
                                            port=self.endpoints.policy_port,
                                            reuse_address=True)
        self.servers = [lmtp, policy]

    def start(self) -> None:
        """Listen from a background thread; returns once both sockets are open."""
        errors: list[BaseException] = []

        def main() -> None:
            asyncio.set_event_loop(self.loop)
            try:
                self.loop.run_until_complete(self._start())
            except BaseException as error:
                errors.append(error)
                self.ready.set()
                return
            self.ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=main, name="group-service", daemon=True)
        self.thread.start()
        self.ready.wait(30)
        if errors:
            raise errors[0]

    def stop(self) -> None:
        async def close() -> None:
            for server in self.servers:
                server.close()
                await server.wait_closed()

        if self.thread is not None:
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
        self.executor.shutdown(wait=True)

    def serve_forever(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        logger.info("group service: LMTP on %s, policy on %s", self.endpoints.lmtp_port,
                    self.endpoints.policy_port)
        try:
            self.loop.run_forever()
        finally:
            self.executor.shutdown(wait=False)
