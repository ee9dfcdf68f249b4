#!/usr/bin/env bash
# Install the Debian/Ubuntu packages the platform needs, when we can (root + apt-get);
# otherwise say exactly what to install. Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(bubblewrap)
# Debian's python3 splits venv/ensurepip into its own package.
if ! "${PYTHON:-python3}" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  PACKAGES+=(python3-venv)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || apt-get update
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "InterviewKit needs these system packages; install them with:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
fi
