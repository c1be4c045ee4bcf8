#!/usr/bin/env bash
# Installs the Debian packages edugate needs, only those missing (Debian 12, as root).
#   scripts/system-packages.sh run    what `make run` needs
#   scripts/system-packages.sh test   what `make test` needs (adds the browser for page tests)
#   scripts/system-packages.sh bench  what bench/portal.py needs besides (nginx, wrk)
set -euo pipefail
# fonts-dejavu-core: the Vietnamese glyphs of the printed activation slips (edugate/mail/slips.py).
want=(gettext python3-venv fonts-dejavu-core)
# The mail plane (edugate/mail/plane): Postfix with SQLite/PostgreSQL maps, Dovecot (IMAP, LMTP,
# SQL auth, sieve), Rspamd as milter, postsrsd (SRS for forwarded mail), swaks (with TLS:
# libnet-ssleay-perl) for manual checks, openssl for the local certificate. The per-user sending
# limits also need a Redis server (MAIL_PLANE REDIS, 127.0.0.1:6379 by default).
want+=(postfix postfix-sqlite postfix-pgsql dovecot-imapd dovecot-lmtpd dovecot-sqlite
       dovecot-pgsql dovecot-sieve dovecot-managesieved rspamd postsrsd swaks libnet-ssleay-perl
       openssl)
if [ "${1:-run}" = "test" ]; then
  want+=(chromium)
  # tests/deploy: deploy/nginx/edugate.conf checked and served by a private nginx.
  want+=(nginx-light)
fi
if [ "${1:-run}" = "bench" ]; then
  # bench/portal.py: nginx in front of the app, and wrk to load it.
  want+=(nginx-light wrk)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "edugate needs these Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks how to configure itself: edugate renders its own configuration, so none.
  if command -v debconf-set-selections >/dev/null; then
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
