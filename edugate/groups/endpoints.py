"""Where the group service listens and where it hands mail back to Postfix.

The ports come from the mail plane's configuration (``PlaneConfig.groups_*``: the local
instance's MX port + 2, + 3, + 4; 10026-10028 in production), so Postfix's rendered
configuration and the service always agree. ``EDUGATE_GROUPS_PRODUCTION=1`` selects the
production ports for a service running beside a rendered production configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from edugate.mail.plane.config import PlaneConfig, local_config


@dataclass(frozen=True)
class Endpoints:
    lmtp_port: int  # Postfix delivers group mail here
    policy_port: int  # Postfix asks who may post here
    reinject_port: int  # copies of group messages go back to Postfix here (no milter)
    notices_port: int  # notices to senders and moderators (scanned and DKIM-signed)
    hostname: str  # the plane's host name: Rspamd's authserv-id in Authentication-Results
    host: str = "127.0.0.1"

    @classmethod
    def of(cls, config: PlaneConfig) -> Endpoints:
        return cls(lmtp_port=config.groups_lmtp_port, policy_port=config.groups_policy_port,
                   reinject_port=config.groups_reinject_port,
                   notices_port=config.reinject_port, hostname=config.hostname)


def current() -> Endpoints:
    config = local_config()
    if os.environ.get("EDUGATE_GROUPS_PRODUCTION", "") in ("1", "true", "yes"):
        config = config.replace(production=True)
    return Endpoints.of(config)
