# Cross-compiling for arm64 with Debian's gcc-aarch64-linux-gnu and the
# :arm64 -dev packages (scripts/cross-arm64.sh installs both). Tests run
# under qemu-user through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
# Debian multiarch: arm64 libraries in /usr/lib/aarch64-linux-gnu, headers
# shared in /usr/include (+ /usr/include/aarch64-linux-gnu): no sysroot
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# -cpu cortex-a72 (ARMv8.0 with CRC32): with "max", qemu-user 7.2
# advertises DCPOP, libpmem then flushes with `dc cvap`, and qemu raises
# SIGILL on it; an ARMv8.0 CPU makes libpmem use `dc cvac`
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;cortex-a72;-L;/usr/aarch64-linux-gnu)
# pkg-config must read the arm64 .pc files, not the host's
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
