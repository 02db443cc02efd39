# SPDX-License-Identifier: BSD-3-Clause
# Toolchain file for the SDK-free firmware (qemu-mps2): arm-none-eabi-gcc, Cortex-M0+ code.
# The QEMU board is a Cortex-M3, which runs ARMv6-M code unchanged; building for the
# M0+ keeps the image honest about what the Pico W's RP2040 can execute.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(SEQS_M0PLUS_FLAGS "-mcpu=cortex-m0plus -mthumb")
set(CMAKE_C_FLAGS_INIT "${SEQS_M0PLUS_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${SEQS_M0PLUS_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${SEQS_M0PLUS_FLAGS} --specs=nano.specs -nostartfiles")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
