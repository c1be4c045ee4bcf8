"""Accounts: the login identity. People log in with their mailbox address."""
