# The .deb, built by `cpack -G DEB` from every install rule of the build:
# the executables, the module API and CMake package, the unit, the
# example configuration and the man pages.
#
# Named hat-event-cpp: it holds the client, the LMDB tools and the module
# API besides the server, and the name tells it from the reference Python
# implementation, whose executables have the same names.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hat-event-cpp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(HAT_PACKAGE_MAINTAINER
  "hat-event-cpp maintainers <maintainers@users.noreply.h-seed-152b933e.example>"
  CACHE STRING "The Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${HAT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Hat Event Server, a C++ drop-in for hat-event 0.9")
set(CPACK_PACKAGE_DESCRIPTION [[
The Event Server of Hat with the Eventer wire protocol, configuration
files and LMDB data files of the Python hat-event 0.9 server, as a
systemd service (hat-event-server.service, installed disabled), with
hat-event-manager, hat-event-adminer, hat-event-lmdb-manager,
hat-event-lmdb-convert and the module API for modules built out of tree.]])
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The unit, the conffile and the maintainer scripts name /usr and /etc.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Debug information does not belong in the runtime package.
set(CPACK_STRIP_FILES ON)

# Depends: the shared libraries' packages as dpkg-shlibdeps finds them in
# the local dpkg database (libcaf, liblmdb0, libboost-json, libyaml-cpp,
# libstdc++, libc), plus adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
# Modules build against the installed API with the server's compiler and
# Boost (HatEventConfig.cmake).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "g++, cmake, libboost-json1.81-dev")

# Maintainer scripts and conffiles, 0755 and 0644 as dpkg expects.
set(hat_deb_dir ${CMAKE_CURRENT_SOURCE_DIR}/deb)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${hat_deb_dir}/postinst ${hat_deb_dir}/prerm ${hat_deb_dir}/postrm
  ${hat_deb_dir}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
