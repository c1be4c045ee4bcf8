"""Secrets of a mailbox: activation codes and passwords. No database access here.

- Activation codes carry 100 bits of entropy in 20 characters of Crockford's base-32 (no I, L,
  O or U to misread on a printed slip), shown as five groups of four. Only a keyed digest is
  stored, so a copy of the database does not reveal usable codes.
- Passwords are hashed with Argon2id into the PHC string that both argon2-cffi and Dovecot
  (``{ARGON2ID}``) verify.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from edugate.core.text import fold

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
_CODE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})

# Argon2id with 64 MiB and 3 passes: about 0.1 s on this class of machine, for the web login
# and for Dovecot alike.
_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)


def new_activation_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    """What a person typed, as the canonical code: case, spaces, dashes and look-alikes fixed."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CODE_FIXES)
    return cleaned if all(ch in CODE_ALPHABET for ch in cleaned) else ""


def code_digest(code: str) -> str:
    return salted_hmac("edugate.mail.activation", normalize_code(code),
                       algorithm="sha256").hexdigest()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(phc: str, password: str) -> bool:
    if not phc:
        return False
    try:
        return _HASHER.verify(phc, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(phc: str) -> bool:
    return _HASHER.check_needs_rehash(phc)


class NotContainingNameValidator:
    """Refuses passwords that contain the holder's given name, family name or local part."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = [n for n in (fold(name).replace(" ", "") for name in names) if len(n) >= 3]

    def validate(self, password: str, user: object = None) -> None:
        folded = fold(password).replace(" ", "")
        if any(name in folded for name in self.names):
            raise ValidationError(
                _("The password must not contain your name or your address."),
                code="password_contains_name",
            )


def password_problems(password: str, *, names: Iterable[str]) -> list[str]:
    """Why ``password`` is not acceptable (empty list: it is). Messages are translated."""
    problems: list[str] = []
    validators: list[Any] = [
        *password_validation.get_default_password_validators(),
        NotContainingNameValidator(names),
    ]
    for validator in validators:
        try:
            validator.validate(password, None)
        except ValidationError as error:
            problems.extend(error.messages)
    return problems
