#!/usr/bin/env bash
# Builds the Open MPI addon (native/mpi) with the node-gyp that ships inside npm, against Node's
# installed headers (--nodedir: node-gyp must not try to download them) and MPI's own compiler
# flags (binding.gyp asks mpicc). Without mpicc it says so in one line and succeeds: npm install
# never fails for want of MPI; everything but `dawnflow launch` and MpiCommunicator works.
#   --strict  a failed build is an error (scripts/ensure-mpi.sh); by default, as an npm install
#             script, it prints one line and succeeds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
addon="$(dirname "$here")/native/mpi"
strict=0
[ "${1:-}" = "--strict" ] && strict=1

if ! command -v mpicc >/dev/null 2>&1; then
  echo "dawnflow: no Open MPI here (mpicc not found): the MPI addon is not built; for 'dawnflow launch' install it (Debian: apt-get install openmpi-bin libopenmpi-dev) and run 'npm run setup:mpi'"
  exit 0
fi

built="$addon/build/Release/dawnflow_mpi.node"
if [ -f "$built" ] && [ -z "$(find "$addon/src" "$addon/binding.gyp" -newer "$built" 2>/dev/null)" ]; then
  exit 0
fi

# npm sets npm_config_node_gyp inside its scripts; elsewhere, find npm's own copy.
gyp="${npm_config_node_gyp:-}"
if [ -z "$gyp" ] || [ ! -f "$gyp" ]; then
  gyp="$(npm prefix -g)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
fi
# Node's headers sit beside its binary (<prefix>/bin/node, <prefix>/include/node/node_api.h).
nodedir=()
for prefix in "$(dirname "$(dirname "$(node -p 'process.execPath')")")" "$(node -p 'process.config.variables.node_prefix || ""')"; do
  if [ -n "$prefix" ] && [ -f "$prefix/include/node/node_api.h" ]; then
    nodedir=(--nodedir="$prefix")
    break
  fi
done

log="$addon/build.log"
if (cd "$addon" && node "$gyp" rebuild "${nodedir[@]}" --loglevel=warn) >"$log" 2>&1; then
  echo "dawnflow: built the MPI addon ($(mpirun --version 2>/dev/null | head -1))"
  rm -f "$log"
  exit 0
fi
echo "dawnflow: building the MPI addon failed (see $log)" >&2
exit "$strict"
