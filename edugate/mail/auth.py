"""Logging in with a mailbox address and its password, with attempts throttled.

The mailbox is the identity: its password (the one Dovecot checks) is the password of the
web login too. The Django user behind it is created on first login and follows the mailbox's
current holder, so a position mailbox handed over logs in as its new holder.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from edugate.accounts.models import User, normalize_login
from edugate.audit.middleware import client_ip
from edugate.mail.credentials import verify_password
from edugate.mail.models import Mailbox, MailboxState

# At most this many failures per address and client, and per address from anywhere, in the
# window; then logins for the address are refused until the window passes.
MAX_FAILURES_PER_CLIENT = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


def _keys(address: str, request: HttpRequest | None) -> tuple[str, str]:
    ip = client_ip(request) if request is not None else "console"
    return f"edugate:login:{address}:{ip}", f"edugate:login:{address}"


def is_throttled(address: str, request: HttpRequest | None) -> bool:
    per_client, per_address = _keys(address, request)
    return (cache.get(per_client, 0) >= MAX_FAILURES_PER_CLIENT
            or cache.get(per_address, 0) >= MAX_FAILURES_PER_ADDRESS)


def _count_failure(address: str, request: HttpRequest | None) -> None:
    for key in _keys(address, request):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)


def forget_failures(address: str, request: HttpRequest | None) -> None:
    cache.delete_many(list(_keys(address, request)))


class MailboxBackend(BaseBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> User | None:
        username = username or kwargs.get("email")  # the login field is USERNAME_FIELD "email"
        if not username or password is None:
            return None
        address = normalize_login(username)
        mailbox = Mailbox.objects.select_related("person").filter(address=address).first()
        if mailbox is None:
            return None  # not a mailbox: platform accounts are checked by the next backend
        if is_throttled(address, request):
            raise PermissionDenied  # stops every other backend too
        if mailbox.state != MailboxState.ACTIVE or not verify_password(
            mailbox.password_hash, password
        ):
            _count_failure(address, request)
            raise PermissionDenied
        forget_failures(address, request)
        user, _created = User.objects.get_or_create(email=address)
        if user.person_id != mailbox.person_id or not user.is_active:
            user.person = mailbox.person
            user.set_unusable_password()
            user.save()
        return user if user.is_active else None

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
