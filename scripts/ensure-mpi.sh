#!/usr/bin/env bash
# Makes sure Open MPI and dawnflow's MPI addon are there for the MPI tests and `dawnflow launch`.
# On Debian as root it installs openmpi-bin and libopenmpi-dev where missing, then builds the
# addon (npm ci may have run before MPI existed, when the install script had nothing to build
# against). Elsewhere it says what to install and succeeds: everything else runs without MPI;
# the MPI tests then fail under CI=true and skip (saying why) otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

is_debian_root() { [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

install_openmpi() {
  echo "ensure-mpi: installing Open MPI (openmpi-bin, libopenmpi-dev)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null; }
}

if ! command -v mpirun >/dev/null 2>&1 || ! command -v mpicc >/dev/null 2>&1; then
  if is_debian_root; then
    install_openmpi
  else
    echo "ensure-mpi: no Open MPI (mpirun, mpicc): install it for the MPI tests and 'dawnflow launch' (Debian: apt-get install openmpi-bin libopenmpi-dev)" >&2
    exit 0
  fi
fi
bash "$here/build-mpi-addon.sh" --strict
