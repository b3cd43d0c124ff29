#!/usr/bin/env bash
# One command from a fresh clone to a checklist report: installs what is missing (Debian
# Chromium, a Java runtime for the Allure CLI, ffmpeg for flow videos, npm packages), then runs `golive run` — the
# default suites against the embedded sandbox and the bundled reference merchant.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)          # videos of browser flows (optional)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "quickstart: installing ${need_apt[*]} (Debian packages)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
exec node bin/golive.mjs run "$@"
