#!/usr/bin/env bash
# Makes sure `webgpu` (Dawn) finds an adapter. On a Debian machine without a GPU, as root, it
# installs the Vulkan loader and Mesa's lavapipe from the distribution's backports suite (Debian
# stable's own Mesa is too old for Dawn), deriving the apt source from the machine's own apt
# configuration. It also installs the ONNX conformance data (libonnx-testdata), and Chromium for
# the browser tests (ensure-chromium.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

probe() { node "$root/scripts/probe-adapter.mjs"; }

if [ ! -d "$root/node_modules/webgpu" ]; then
  echo "ensure-webgpu: the 'webgpu' package is not installed: run 'npm install' first" >&2
  exit 1
fi

is_debian_root() { [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

# The suite codename and the main archive's URI, read from the machine's own apt sources.
debian_main_source() {
  local codename uri
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # deb822: the first stanza whose Suites include the codename itself.
    uri="$(awk -v c="$codename" '
      /^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i==c) s=1}
      /^$/ {if (s && u) {print u; exit} u=""; s=0}
      END {if (s && u) print u}' "$f")"
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri="$(awk -v c="$codename" '$1=="deb" && $3==c {print $2; exit}' /etc/apt/sources.list)"
  fi
  echo "$codename $uri"
}

install_lavapipe() {
  read -r codename uri < <(debian_main_source)
  if [ -z "$codename" ] || [ -z "$uri" ]; then
    echo "ensure-webgpu: cannot derive the Debian archive from /etc/apt; install Mesa >= 24 lavapipe by hand" >&2
    return 1
  fi
  local list=/etc/apt/sources.list.d/dawnflow-backports.list
  if [ ! -f "$list" ]; then
    echo "deb $uri ${codename}-backports main" > "$list"
  fi
  echo "ensure-webgpu: installing Vulkan loader and Mesa lavapipe from ${codename}-backports" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t "${codename}-backports" \
    mesa-vulkan-drivers libvulkan1 >/dev/null
}

install_testdata() {
  [ -d /usr/share/libonnx-testdata/data ] && return 0
  is_debian_root || { echo "ensure-webgpu: install Debian's libonnx-testdata for the conformance suite" >&2; return 0; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libonnx-testdata >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libonnx-testdata >/dev/null; }
}

# Headless Chromium for the browser tests and `run --browser`: its own script, whatever the adapter.
bash "$here/ensure-chromium.sh"

if probe 2>/dev/null; then
  install_testdata
  exit 0
fi
if is_debian_root; then
  install_lavapipe
  install_testdata
  probe
else
  cat >&2 <<'MSG'
ensure-webgpu: no WebGPU adapter found.
  Install a Vulkan driver: a GPU vendor's driver, or Mesa >= 24 lavapipe (software Vulkan):
  on Debian 12 as root: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1
MSG
  exit 1
fi
