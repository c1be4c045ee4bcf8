#!/usr/bin/env bash
# Installs the Debian packages edugate needs, only those missing (Debian 12, as root).
#   scripts/system-packages.sh run    what `make run` needs
#   scripts/system-packages.sh test   what `make test` needs (adds the browser for page tests)
set -euo pipefail
# fonts-dejavu-core: the Vietnamese glyphs of the printed activation slips (edugate/mail/slips.py).
want=(gettext python3-venv fonts-dejavu-core)
if [ "${1:-run}" = "test" ]; then
  want+=(chromium)
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
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
