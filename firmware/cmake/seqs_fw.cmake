# SPDX-License-Identifier: BSD-3-Clause
# Shared by every firmware project (qemu-mps2, pico_w): the seqs core compiled for
# the target and the board-independent main loop, plus the compile-time network
# options. Include it after project(); SEQS_ROOT must point at the repository.
#
# Options (cache variables, passed down by firmware/CMakeLists.txt as SEQS_FW_*):
#   FW_IP        "dhcp", or a static IPv4 address   (default dhcp)
#   FW_PREFIX    prefix length of a static address  (default 24)
#   FW_GATEWAY   default gateway, "" for none        (default 192.0.2.1)
#   FW_HOSTNAME  DHCP option 12                      (default seqs-fw)
#   FW_MAC       MAC address (QEMU; the Pico W uses its radio's)  (default 02:53:51:00:00:02)
#   FW_ECHO_PORT UDP echo port, 0 = off              (default 7)
#   FW_TCP_ECHO_PORT TCP echo port, 0 = off          (default 7)
#   FW_TCP       ON: TCP echo app compiled in        (default ON)
#   FW_DHCP      ON: DHCP client compiled in         (default ON)
#   FW_SNTP      ON: SNTP client (server from the lease or FW_NTP_SERVER) (default ON)
#   FW_DNS       ON: DNS resolver, for an SNTP server given by name (ntp=NAME) (default ON)
#   FW_HTTP      ON: the status page app (status_http.c) (default ON)
#   FW_HTTP_PORT its port                            (default 80)
#   FW_NTP_SERVER  SNTP server address, "" = the DHCP lease's (option 42) (default "")
#   FW_APPS      list of app sources (fw_app.h) added after the built-in ones
#                (default: firmware/apps/uptime.c, the example)
#   FW_CTRL_PORT test-control UDP port, 0 = off      (default 0; the QEMU test image uses 9999)
#   FW_ICOUNT    ON: instruction-count markers (firmware/icount.py) (default OFF)
# On QEMU the boot command line (-append "ip=... gw=... hostname=...") overrides the
# address settings at run time (firmware/common/fw_config.h).

set(FW_IP "dhcp" CACHE STRING "dhcp, or the static IPv4 address of the firmware")
set(FW_PREFIX "24" CACHE STRING "Prefix length of a static FW_IP")
set(FW_GATEWAY "192.0.2.1" CACHE STRING "Default gateway (on-link) of a static address, empty for none")
set(FW_HOSTNAME "seqs-fw" CACHE STRING "Host name sent to the DHCP server (option 12)")
set(FW_MAC "02:53:51:00:00:02" CACHE STRING "MAC address")
set(FW_ECHO_PORT "7" CACHE STRING "UDP echo port (0 = off)")
set(FW_TCP_ECHO_PORT "7" CACHE STRING "TCP echo port (0 = off)")
option(FW_TCP "Compile the TCP echo app in" ON)
option(FW_DHCP "Compile the DHCP client in" ON)
option(FW_SNTP "Compile the SNTP client in" ON)
option(FW_DNS "Compile the DNS resolver in (ntp=NAME)" ON)
option(FW_HTTP "Compile the HTTP status page in" ON)
set(FW_HTTP_PORT "80" CACHE STRING "Port of the status page")
set(FW_NTP_SERVER "" CACHE STRING "SNTP server address (empty: the one the DHCP lease names)")
set(FW_APPS "${SEQS_ROOT}/firmware/apps/uptime.c" CACHE STRING "Application sources (fw_app.h), ;-separated")
set(FW_CTRL_PORT "0" CACHE STRING "UDP port of the test-control service (0 = disabled)")
option(FW_ICOUNT "Instruction-count markers around each frame" OFF)

function(_seqs_fw_ip4 var ip)
  if(ip STREQUAL "")
    set(${var} "0u" PARENT_SCOPE)
    return()
  endif()
  if(NOT ip MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)\\.([0-9]+)$")
    message(FATAL_ERROR "not an IPv4 address: '${ip}'")
  endif()
  foreach(i 1 2 3 4)
    if(CMAKE_MATCH_${i} GREATER 255)
      message(FATAL_ERROR "not an IPv4 address: '${ip}'")
    endif()
  endforeach()
  set(${var} "SEQS_IP4(${CMAKE_MATCH_1},${CMAKE_MATCH_2},${CMAKE_MATCH_3},${CMAKE_MATCH_4})" PARENT_SCOPE)
endfunction()

if(FW_IP STREQUAL "dhcp")
  if(NOT FW_DHCP)
    message(FATAL_ERROR "FW_IP=dhcp needs FW_DHCP=ON (or give a static FW_IP)")
  endif()
  set(_fw_dhcp_default 1)
  set(_fw_ip "SEQS_IP4(192,0,2,2)")
else()
  set(_fw_dhcp_default 0)
  _seqs_fw_ip4(_fw_ip "${FW_IP}")
endif()
_seqs_fw_ip4(_fw_gw "${FW_GATEWAY}")
_seqs_fw_ip4(_fw_ntp "${FW_NTP_SERVER}")
if(NOT FW_HOSTNAME MATCHES "^[A-Za-z0-9-]*$" OR FW_HOSTNAME MATCHES "^.................................")
  message(FATAL_ERROR "FW_HOSTNAME: up to 32 letters, digits and '-', got '${FW_HOSTNAME}'")
endif()
if(NOT FW_MAC MATCHES "^([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F])$")
  message(FATAL_ERROR "FW_MAC must look like 02:00:00:00:00:01, got '${FW_MAC}'")
endif()
set(_fw_mac "0x${CMAKE_MATCH_1},0x${CMAKE_MATCH_2},0x${CMAKE_MATCH_3},0x${CMAKE_MATCH_4},0x${CMAKE_MATCH_5},0x${CMAKE_MATCH_6}")
if(NOT FW_TCP)
  set(FW_TCP_ECHO_PORT 0)
endif()

set(SEQS_FW_OPTS_FILE "${SEQS_ROOT}/firmware/common/fw_opts.h")
set(SEQS_FW_DEFINITIONS
    "FW_IP_DHCP=${_fw_dhcp_default}" "FW_IP_ADDR=${_fw_ip}" "FW_IP_PREFIX=${FW_PREFIX}" "FW_IP_GATEWAY=${_fw_gw}"
    "FW_HOSTNAME=\"${FW_HOSTNAME}\"" "FW_MAC_BYTES=${_fw_mac}" "FW_ECHO_PORT=${FW_ECHO_PORT}"
    "FW_TCP_ECHO_PORT=${FW_TCP_ECHO_PORT}" "FW_CTRL_PORT=${FW_CTRL_PORT}" "FW_DHCP=$<BOOL:${FW_DHCP}>"
    "FW_SNTP=$<BOOL:${FW_SNTP}>" "FW_DNS=$<BOOL:${FW_DNS}>" "FW_HTTP_PORT=${FW_HTTP_PORT}" "FW_NTP_SERVER=${_fw_ntp}")
if(FW_ICOUNT)
  list(APPEND SEQS_FW_DEFINITIONS FW_ICOUNT=1)
endif()

# The app table: built-in apps, then FW_APPS. Each source defines fw_app_<base name>.
set(SEQS_FW_APP_SOURCES ${SEQS_ROOT}/firmware/apps/udp_echo.c)
if(FW_TCP)
  list(APPEND SEQS_FW_APP_SOURCES ${SEQS_ROOT}/firmware/apps/tcp_echo.c)
endif()
if(FW_HTTP)
  list(APPEND SEQS_FW_APP_SOURCES ${SEQS_ROOT}/firmware/apps/status_http.c)
endif()
if(NOT FW_CTRL_PORT EQUAL 0)
  list(APPEND SEQS_FW_APP_SOURCES ${SEQS_ROOT}/firmware/apps/ctrl.c)
endif()
foreach(_app IN LISTS FW_APPS)
  get_filename_component(_abs "${_app}" ABSOLUTE)
  if(NOT EXISTS "${_abs}")
    message(FATAL_ERROR "FW_APPS: ${_app} not found")
  endif()
  list(APPEND SEQS_FW_APP_SOURCES "${_abs}")
endforeach()
set(_decl "")
set(_table "")
foreach(_src IN LISTS SEQS_FW_APP_SOURCES)
  get_filename_component(_stem "${_src}" NAME_WE)
  if(NOT _stem MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "app source ${_src}: its base name must be a C identifier (it names fw_app_<name>)")
  endif()
  string(APPEND _decl "extern const fw_app_t fw_app_${_stem};\n")
  string(APPEND _table "    &fw_app_${_stem},\n")
endforeach()
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fw_app_table.c CONTENT
"/* Generated by firmware/cmake/seqs_fw.cmake from FW_APPS: do not edit. */
#include \"fw_app.h\"

${_decl}
const fw_app_t *const fw_app_table[] = {
${_table}    NULL,
};
")

# The core, compiled here with the target's flags (the same sources the host build globs).
# SEQS_CORE_DIR may point at another copy of stack/ (e.g. a `git archive` snapshot).
set(SEQS_CORE_DIR "${SEQS_ROOT}/stack" CACHE PATH "Directory of the core (stack/)")
file(GLOB_RECURSE SEQS_CORE_SOURCES CONFIGURE_DEPENDS ${SEQS_CORE_DIR}/src/*.c)
add_library(seqs_core STATIC ${SEQS_CORE_SOURCES})
target_include_directories(seqs_core PUBLIC ${SEQS_CORE_DIR}/include PRIVATE ${SEQS_CORE_DIR}/src)
# Same limits for the core and everything that includes its headers (struct layouts).
target_compile_definitions(seqs_core PUBLIC "SEQS_OPTS_FILE=\"${SEQS_FW_OPTS_FILE}\"")
# The control port and the status page report counters by name: keep the names a
# freestanding build drops (seqs/opts.h).
target_compile_definitions(seqs_core PUBLIC SEQS_NAMES=1)
# Warnings are reported, not fatal here: the host build enforces -Werror; an ARM-only
# warning (e.g. -Wcast-align, which only bites on strict-alignment targets) must show up
# in the log without blocking the firmware.
# -ffreestanding keeps the core honest (no hosted assumptions), but it also turns off GCC's
# builtins: every memcpy(&word, p, 4) (how the core reads a word without a cast) would become a
# call into newlib-nano's byte-by-byte memcpy. -fbuiltin (after it) gives them back: the
# compiler inlines small copies as loads again. The image links newlib's memcpy/memset anyway.
target_compile_options(seqs_core PRIVATE -std=c11 -ffreestanding -fbuiltin -Wall -Wextra -Wshadow -Wpointer-arith
                       -Wcast-align -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Wno-sign-conversion)

# The board-independent main loop.
set(SEQS_FW_COMMON_SOURCES ${SEQS_ROOT}/firmware/common/fw_main.c ${SEQS_ROOT}/firmware/common/fw_config.c
    ${SEQS_ROOT}/firmware/common/fw_log.c ${SEQS_FW_APP_SOURCES} ${CMAKE_BINARY_DIR}/fw_app_table.c)
set(SEQS_FW_COMMON_INCLUDE ${SEQS_ROOT}/firmware/common)
