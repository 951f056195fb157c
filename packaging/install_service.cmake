# Install-time part of packaging/CMakeLists.txt: places the systemd unit
# and the example configuration, whose paths depend on the prefix given at
# install time (cpack installs with /usr under DESTDIR, cmake --install
# with its --prefix), not on the one known when configuring.
#
# In: HAT_BINDIR (relative to the prefix), HAT_UNIT_TEMPLATE, HAT_CONFIG
# (the generated example configuration), HAT_STAGING (a build folder for
# the configured unit).

# As GNUInstallDirs places sysconfdir: /etc for the prefix /usr, so that
# the package's configuration is /etc/hat/event.yaml.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(hat_etc_dir /etc/hat)
else()
  set(hat_etc_dir ${CMAKE_INSTALL_PREFIX}/etc/hat)
endif()

set(HAT_EXECUTABLE ${CMAKE_INSTALL_PREFIX}/${HAT_BINDIR}/hat-event-server)
set(HAT_CONFIG_FILE ${hat_etc_dir}/event.yaml)
# One staging folder per destination: installs into two places at once
# (cpack beside cmake --install) must not write each other's unit.
string(MD5 hat_destination "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(hat_unit ${HAT_STAGING}/${hat_destination}/hat-event-server.service)
configure_file(${HAT_UNIT_TEMPLATE} ${hat_unit} @ONLY)
# systemd reads units from /usr/lib/systemd/system and, for a local
# install, from /usr/local/lib/systemd/system.
file(INSTALL ${hat_unit}
     DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)

# A configuration already there is the administrator's: a reinstall keeps
# it, as dpkg keeps a changed conffile.
if(EXISTS "$ENV{DESTDIR}${HAT_CONFIG_FILE}")
  message(STATUS "Keeping: $ENV{DESTDIR}${HAT_CONFIG_FILE}")
else()
  file(INSTALL ${HAT_CONFIG} DESTINATION ${hat_etc_dir})
endif()
