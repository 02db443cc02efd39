# Shared by every firmware project (qemu-mps2, pico_w): the seqs core compiled for
# the target and the board-independent main loop, plus the compile-time network
# options. Include it after project(); SEQS_ROOT must point at the repository.
#
# Options (cache variables, passed down by firmware/CMakeLists.txt):
#   FW_IP        static IPv4 address            (default 192.0.2.2)
#   FW_PREFIX    prefix length                  (default 24)
#   FW_GATEWAY   default gateway, "" for none   (default 192.0.2.1)
#   FW_MAC       MAC address                    (default 02:53:51:00:00:02, locally administered)
#   FW_ECHO_PORT UDP echo port                  (default 7)
#   FW_TCP_ECHO_PORT TCP echo port, 0 = off     (default 7)
#   FW_CTRL_PORT test-control UDP port, 0 = off (default 0; the QEMU test image uses 9999)

set(FW_IP "192.0.2.2" CACHE STRING "Static IPv4 address of the firmware")
set(FW_PREFIX "24" CACHE STRING "Prefix length of FW_IP")
set(FW_GATEWAY "192.0.2.1" CACHE STRING "Default gateway (on-link), empty for none")
set(FW_MAC "02:53:51:00:00:02" CACHE STRING "MAC address")
set(FW_ECHO_PORT "7" CACHE STRING "UDP echo port")
set(FW_TCP_ECHO_PORT "7" CACHE STRING "TCP echo port (0 = no TCP service)")
set(FW_CTRL_PORT "0" CACHE STRING "UDP port of the test-control service (0 = disabled)")

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

_seqs_fw_ip4(_fw_ip "${FW_IP}")
_seqs_fw_ip4(_fw_gw "${FW_GATEWAY}")
if(NOT FW_MAC MATCHES "^([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F]):([0-9a-fA-F][0-9a-fA-F])$")
  message(FATAL_ERROR "FW_MAC must look like 02:00:00:00:00:01, got '${FW_MAC}'")
endif()
set(_fw_mac "0x${CMAKE_MATCH_1},0x${CMAKE_MATCH_2},0x${CMAKE_MATCH_3},0x${CMAKE_MATCH_4},0x${CMAKE_MATCH_5},0x${CMAKE_MATCH_6}")

set(SEQS_FW_DEFINITIONS
    "FW_IP_ADDR=${_fw_ip}" "FW_IP_PREFIX=${FW_PREFIX}" "FW_IP_GATEWAY=${_fw_gw}"
    "FW_MAC_BYTES=${_fw_mac}" "FW_ECHO_PORT=${FW_ECHO_PORT}" "FW_TCP_ECHO_PORT=${FW_TCP_ECHO_PORT}" "FW_CTRL_PORT=${FW_CTRL_PORT}")

# The core, compiled here with the target's flags (the same sources the host build globs).
# SEQS_CORE_DIR may point at another copy of stack/ (e.g. a `git archive` snapshot).
set(SEQS_CORE_DIR "${SEQS_ROOT}/stack" CACHE PATH "Directory of the core (stack/)")
file(GLOB_RECURSE SEQS_CORE_SOURCES CONFIGURE_DEPENDS ${SEQS_CORE_DIR}/src/*.c)
add_library(seqs_core STATIC ${SEQS_CORE_SOURCES})
target_include_directories(seqs_core PUBLIC ${SEQS_CORE_DIR}/include PRIVATE ${SEQS_CORE_DIR}/src)
# The control port reports counters by name: keep the names a freestanding build drops (seqs/opts.h).
target_compile_definitions(seqs_core PUBLIC SEQS_NAMES=1)
# Warnings are reported, not fatal here: the host build enforces -Werror; an ARM-only
# warning (e.g. -Wcast-align, which only bites on strict-alignment targets) must show up
# in the log without blocking the firmware.
target_compile_options(seqs_core PRIVATE -std=c11 -ffreestanding -Wall -Wextra -Wshadow -Wpointer-arith
                       -Wcast-align -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Wno-sign-conversion)

# The board-independent main loop.
set(SEQS_FW_COMMON_SOURCES ${SEQS_ROOT}/firmware/common/fw_main.c ${SEQS_ROOT}/firmware/common/fw_log.c)
set(SEQS_FW_COMMON_INCLUDE ${SEQS_ROOT}/firmware/common)
