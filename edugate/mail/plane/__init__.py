"""The mail plane: Postfix, Dovecot and Rspamd driven by edugate's database.

This package owns the SQL views the daemons read (the contract, created by its migrations),
the rendering of their configuration (``render``), the private instance under ``var/mail``
(``instance``) and the PostgreSQL role the daemons connect as (``dbrole``).
"""
