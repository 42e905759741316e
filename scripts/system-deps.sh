#!/usr/bin/env bash
# Installs the Debian packages tests need, when we can; otherwise says which, in one message.
# With CI=true a package we cannot install is a failure, never a skipped test.
set -euo pipefail
packages=(chromium chromium-driver)
commands=(chromium chromedriver)
missing=()
for i in "${!commands[@]}"; do
  command -v "${commands[$i]}" >/dev/null 2>&1 || missing+=("${packages[$i]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} (Debian packages for the browser tests)…"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "The browser tests need: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
[ "${CI:-}" = "true" ] && exit 1
exit 0
