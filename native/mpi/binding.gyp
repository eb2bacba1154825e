{
  # The Open MPI addon. Include and link flags come from MPI's own compiler wrapper, so the
  # build follows whatever MPI the machine has (Debian's libopenmpi-dev, a cluster's module).
  "targets": [
    {
      "target_name": "dawnflow_mpi",
      "sources": ["src/addon.cc", "src/engine.cc"],
      "include_dirs": ["<!@(mpicc --showme:incdirs)"],
      "libraries": ["<!@(mpicc --showme:link)"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "defines": ["NAPI_VERSION=8", "OMPI_SKIP_MPICXX=1", "MPICH_SKIP_MPICXX=1"]
    }
  ]
}
