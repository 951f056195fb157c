# Sourced by the package checks: every file an install puts in place,
# one path a line (unsorted).
#
#   installed_files USR LIBDIR
#
# USR: where the executables, headers, unit and man pages go, relative to
# the root of the listing ("" for cmake --install's prefix, "usr/" in the
# .deb); the configuration is etc/hat/event.yaml in both. LIBDIR: the
# build's CMAKE_INSTALL_LIBDIR.
installed_files() {
  local usr=$1 libdir=$2
  local tool file
  for tool in hat-event-server hat-event-manager hat-event-adminer \
              hat-event-lmdb-manager hat-event-lmdb-convert; do
    echo "${usr}bin/$tool"
    echo "${usr}share/man/man1/$tool.1.gz"
  done
  echo "${usr}include/hat-event/modules/engine_handle.hpp"
  echo "${usr}include/hat-event/modules/module.hpp"
  echo "${usr}include/hat-event/modules/plugin.hpp"
  echo "${usr}include/hat-event/protocol/event.hpp"
  for file in HatEventConfig HatEventConfigVersion HatEventTargets; do
    echo "${usr}$libdir/cmake/HatEvent/$file.cmake"
  done
  echo "${usr}lib/systemd/system/hat-event-server.service"
  echo "etc/hat/event.yaml"
}
