# SPDX-License-Identifier: BSD-3-Clause
"""seqs-tap's command line: bad arguments exit 2 with a message naming the
problem (no root needed: it fails before touching any device)."""
import subprocess

import pytest

from interop_peer import need_binary

GOOD = ["--tap", "sqcli0", "--mac", "02:00:00:00:00:02", "--ip", "192.0.2.2/24"]


def run(*argv):
    return subprocess.run([str(need_binary()), *argv], capture_output=True, text=True, timeout=10)


@pytest.mark.parametrize("argv, needle", [
    ([], "--tap NAME is required"),
    (["--tap", "x", "--ip", "192.0.2.2/24"], "--mac MAC is required"),
    (["--tap", "x", "--mac", "02:00:00:00:00:02"], "--ip A.B.C.D/N is required"),
    (GOOD[:4] + ["--ip", "192.0.2.2"], "--ip: expected A.B.C.D/N"),
    (GOOD[:4] + ["--ip", "192.0.2.300/24"], "--ip: expected A.B.C.D/N"),
    (GOOD[:4] + ["--ip", "192.0.2.2/33"], "--ip: expected A.B.C.D/N"),
    (["--tap", "x", "--mac", "02:00:00:00:00", "--ip", "192.0.2.2/24"], "--mac: expected"),
    (["--tap", "x", "--mac", "01:00:5e:00:00:01", "--ip", "192.0.2.2/24"], "multicast"),
    (GOOD + ["--gw", "nonsense"], "--gw: expected A.B.C.D"),
    (GOOD + ["--loss", "1.5"], "--loss: expected a number in 0..1"),
    (GOOD + ["--loss", "abc"], "--loss: expected a number"),
    (GOOD + ["--seed", "-3"], "--seed: expected an unsigned integer"),
    (GOOD + ["--duration", "-1"], "--duration: expected a number"),
    (GOOD + ["--mtu", "100"], "--mtu: expected a number in 576"),
    (GOOD + ["--udp-echo", "0"], "--udp-echo: port must be 1..65535"),
    (GOOD + ["--udp-echo", "70000"], "--udp-echo: port must be 1..65535"),
    (GOOD + ["--udp-echo"], "needs an argument"),
    (GOOD + ["--tcp-echo", "0"], "--tcp-echo: port must be 1..65535"),
    (GOOD + ["--tcp-source", "x"], "--tcp-source: port must be 1..65535"),
    (GOOD + ["--ping", "192.0.2.1:0"], "--ping: expected A.B.C.D[:COUNT"),
    (GOOD + ["--ping", "192.0.2"], "--ping: expected A.B.C.D[:COUNT"),
    (GOOD + ["--ping", "192.0.2.1:1:2:3:4"], "--ping: expected A.B.C.D[:COUNT"),
    (GOOD + ["--tcp-client", "192.0.2.1"], "--tcp-client: expected A.B.C.D:PORT"),
    (GOOD + ["--tcp-client", "192.0.2.1:80:-5"], "--tcp-client: expected A.B.C.D:PORT"),
    (GOOD + ["--tcp-client", "192.0.2.1:80:5:x"], "--tcp-client: expected A.B.C.D:PORT[:SEND[:RECV]]"),
    (GOOD + ["--tcp-client", "192.0.2.1:80:5:6:7"], "--tcp-client: expected A.B.C.D:PORT[:SEND[:RECV]]"),
    (GOOD + ["--tcp-source", "19:0"], "--tcp-source: BYTES must be a positive integer"),
    (GOOD + ["--tcp-source", "19:"], "--tcp-source: BYTES must be a positive integer"),
    (GOOD + ["--tcp-echo", "7:100"], "--tcp-echo: port must be 1..65535"),
    (GOOD + ["--bogus"], "unknown option '--bogus'"),
    (["--tap", "a-very-long-tap-name", *GOOD[2:]], "--tap: 'a-very-long-tap-name' is not a valid interface name"),
    (GOOD + ["stray"], "unexpected argument 'stray'"),
])
def test_bad_argument_exits_2_with_message(argv, needle):
    r = run(*argv)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert needle in r.stderr, r.stderr
    assert r.stdout == ""          # no `ready` line, no counters


def test_gateway_off_subnet_is_rejected_with_exit_2():
    # Parsed fine, refused by seqs_stack_set_addr() before any device is made.
    r = run(*GOOD, "--gw", "198.51.100.1")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "rejected by the stack" in r.stderr


def test_help_lists_core_options_and_every_service():
    r = run("--help")
    assert r.returncode == 0
    for opt in ("--tap", "--netns", "--mac", "--ip", "--gw", "--pcap", "--loss", "--seed",
                "--duration", "--udp-echo PORT", "--tcp-echo PORT", "--tcp-discard PORT",
                "--tcp-source PORT", "--ping A.B.C.D", "--tcp-client A.B.C.D:PORT"):
        assert opt in r.stdout


def test_harness_reports_a_seqs_tap_that_dies_before_ready(tmp_path):
    """A seqs-tap that dies before `ready` (as a half-linked executable does:
    SIGSEGV, no output) is reported with its exit status and stderr, not as an
    AttributeError on the end-of-output marker."""
    from harness.tapwire import SeqsTap
    fake = tmp_path / "seqs-tap"
    fake.write_text("#!/bin/sh\necho 'dying on purpose' >&2\nkill -SEGV $$\n")
    fake.chmod(0o755)
    with pytest.raises(RuntimeError, match=r"exited before `ready`: rc=-11 .*dying on purpose"):
        SeqsTap("sqfake0", None, binary=fake).start(timeout=10)


def test_harness_runs_a_private_copy_of_the_built_binary():
    """Tests run a snapshot of seqs-tap taken once per run (a rebuild during the
    run cannot hand a test a half-written executable); the copy is identical."""
    from harness.tapwire import built_seqs_tap, seqs_tap_binary
    import os
    src, used = built_seqs_tap(), need_binary()
    if os.environ.get("SEQS_TAP_NO_COPY") == "1":
        pytest.skip("SEQS_TAP_NO_COPY=1")
    assert used != src and used.name == "seqs-tap"
    assert used.read_bytes() == src.read_bytes() or src.stat().st_mtime > used.stat().st_mtime
    assert seqs_tap_binary() == used       # one copy per run
