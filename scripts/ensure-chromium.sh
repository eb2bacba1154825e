#!/usr/bin/env bash
# Makes sure the browser tests and `dawnflow run --browser` find headless Chromium (WebGPU through
# its bundled SwiftShader without a GPU). On Debian as root it installs the distribution's
# `chromium` where it is missing; elsewhere it only says how. Never fails the set-up: without a
# browser the browser tests fail in CI (CI=true) and are skipped elsewhere, each with the reason.
set -uo pipefail

chromium_found() {
  [ -n "${DAWNFLOW_CHROMIUM:-}" ] && [ -x "$DAWNFLOW_CHROMIUM" ] && return 0
  for path in /usr/lib/chromium/chromium /usr/lib/chromium-browser/chromium-browser /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -x "$path" ] && return 0
  done
  return 1
}

chromium_found && exit 0
if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing Debian's chromium (headless WebGPU for the browser tests)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
    echo "ensure-chromium: installing chromium failed; the browser tests will say so" >&2
else
  echo "ensure-chromium: no Chromium found; install it (Debian: apt-get install chromium) or set DAWNFLOW_CHROMIUM for the browser tests" >&2
fi
exit 0
