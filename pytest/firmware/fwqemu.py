# SPDX-License-Identifier: BSD-3-Clause
"""fwqemu: runs the seqs firmware under QEMU (mps2-an385, LAN9118) for the firmware tests.

`QemuMps2` boots an image with its Ethernet on a `-netdev dgram` socket pair on
127.0.0.1 (one Ethernet frame per UDP datagram, no root needed) or on a TAP device
(root), collects the UART log, and always ends QEMU: through the image's own exit
(semihosting SYS_EXIT_EXTENDED gives QEMU's exit code) or by killing it.

Images: $SEQS_BUILD_DIR/firmware/qemu-mps2/seqs-qemu-mps2{,-hwcheck}.elf (built by the top
CMake when arm-none-eabi-gcc exists); SEQS_FW_QEMU_DIR overrides the directory."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SEQS_BUILD_DIR", REPO / "build"))
IMAGE_DIR = Path(os.environ.get("SEQS_FW_QEMU_DIR", BUILD_DIR / "firmware" / "qemu-mps2"))
QEMU = shutil.which("qemu-system-arm")

FW_MAC = "02:53:51:00:00:02"
FW_IP = "192.0.2.2"
PEER_MAC = "02:00:00:00:00:01"
PEER_IP = "192.0.2.1"
ECHO_PORT = 7
CTRL_PORT = 9999
# Settings passed on the boot command line (firmware/common/fw_config.h): the image's
# default is DHCP; the scapy tests and the ping tests use this static address.
STATIC = f"ip={FW_IP}/24 gw={PEER_IP}"


def image(name):
    """Path of a firmware image; skips when it cannot be built here, fails when it should exist."""
    if QEMU is None:
        pytest.skip("qemu-system-arm not installed (apt-get install qemu-system-arm)")
    path = IMAGE_DIR / name
    if not path.exists():
        if shutil.which("arm-none-eabi-gcc") is None:
            pytest.skip("arm-none-eabi-gcc not installed: firmware not built")
        pytest.fail(f"{path} missing: build with cmake -DSEQS_BUILD_FIRMWARE=ON (SEQS_BUILD_DIR={BUILD_DIR})")
    return path


class QemuMps2:
    """One QEMU run. Use as a context manager; `frames` are raw Ethernet bytes."""

    def __init__(self, elf, netdev="dgram", tap=None, netns=None, boot_timeout=10.0, append=STATIC, extra=()):
        self.elf = Path(elf)
        self.tmp = Path(tempfile.mkdtemp(prefix="seqs-qemu-"))
        self.uart_path = self.tmp / "uart.log"
        self.netdev = netdev
        self.tap = tap
        self.netns = netns
        self.boot_timeout = boot_timeout
        self.append = append
        self.extra = list(extra)
        self.sock = None
        self.proc = None
        self.returncode = None
        self.qemu_out = ""

    # -- lifecycle -----------------------------------------------------------
    def __enter__(self):
        cmd = [QEMU, "-M", "mps2-an385", "-display", "none", "-monitor", "none",
               "-serial", f"file:{self.uart_path}",
               "-semihosting-config", "enable=on,target=native", "-kernel", str(self.elf)] + self.extra
        if self.append:
            cmd += ["-append", self.append]   # the image's settings (semihosting command line)
        if self.netdev == "dgram":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", 0))
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            peer_port = self.sock.getsockname()[1]
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.bind(("127.0.0.1", 0))
            self.qemu_port = probe.getsockname()[1]
            probe.close()
            cmd += ["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                    f"local.port={self.qemu_port},remote.type=inet,remote.host=127.0.0.1,remote.port={peer_port}"]
        else:
            cmd += ["-netdev", f"tap,id=n0,ifname={self.tap},script=no,downscript=no"]
        cmd += ["-net", "nic,netdev=n0,model=lan9118"]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            self.wait_uart("ready\r\n", self.boot_timeout)   # kills QEMU itself on failure
        except BaseException:
            self.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        print(f"---- UART log of {self.elf.name} (exit code {self.returncode}) ----")
        print(self.uart())
        if self.qemu_out:
            print("---- qemu output ----")
            print(self.qemu_out)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def stop(self, timeout=0.0):
        """Waits up to timeout for QEMU to end by itself, then kills it. Returns its exit code."""
        if self.proc is None:
            return self.returncode
        try:
            out, _ = self.proc.communicate(timeout=timeout if timeout > 0 else 0.01)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.qemu_out = out.decode(errors="replace").strip()
        self.returncode = self.proc.returncode
        self.proc = None
        if self.sock:
            self.sock.close()
            self.sock = None
        return self.returncode

    def wait_exit(self, timeout=10.0):
        """Waits for the image to end QEMU itself (semihosting exit); kills it on timeout."""
        deadline = time.monotonic() + timeout
        while self.proc is not None and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        exited = self.proc is not None and self.proc.poll() is not None
        rc = self.stop()
        return rc if exited else None

    # -- UART ----------------------------------------------------------------
    def uart(self):
        try:
            return self.uart_path.read_bytes().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_uart(self, text, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.uart():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        rc = self.stop()
        raise AssertionError(f"firmware did not print {text!r} (qemu exit {rc}); "
                             f"UART:\n{self.uart()}\nqemu:\n{self.qemu_out}")

    # -- frames (dgram only) -------------------------------------------------
    def send(self, frame):
        frame = bytes(frame)
        # QEMU's dgram netdev treats a zero-length datagram as end-of-stream and stops reading.
        assert frame, "cannot send an empty frame through -netdev dgram"
        self.sock.sendto(frame, ("127.0.0.1", self.qemu_port))

    def recv(self, timeout=2.0):
        """Next frame from the firmware, or None after timeout seconds."""
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        return data

    def recv_until(self, match, timeout=3.0):
        """Frames received until match(frame) is true (returns (hit, others)); hit None on timeout."""
        others = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, others
            f = self.recv(left)
            if f is None:
                return None, others
            if match(f):
                return f, others
            others.append(f)
