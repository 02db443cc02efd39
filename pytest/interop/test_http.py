# SPDX-License-Identifier: BSD-3-Clause
"""HTTP interop: curl, wrk and ab against seqs-tap --http (seqs's server), the same
load against nginx on the Linux stack for a side-by-side ratio, and seqs's client
(seqs-tap --http-get) against nginx, python3 -m http.server and a chunking peer.
Oracles: curl's parser and verbose trace, hashlib, Linux's TCP counters."""
import hashlib
import json
import os
import re
import socket
import subprocess
import textwrap
import time

import pytest

from harness.tapwire import Netns, unique_names
from interop_peer import LINUX_IP, SEQS_IP
from tcp_peer import Deadline, assert_seqs_reset_nothing_live, report, service, tcp_errors

pytestmark = [pytest.mark.root]

SMALL = b"seqs says hello over HTTP/1.1\n" * 4           # 124 bytes
BIG = os.urandom(1 << 20)                                  # 1 MiB
LOAD_S = 2                                                 # seconds per wrk run


@pytest.fixture
def www(tmp_path):
    d = tmp_path / "www"
    d.mkdir()
    (d / "small.txt").write_bytes(SMALL)
    (d / "big.bin").write_bytes(BIG)
    (d / "index.html").write_bytes(b"<html><body>index</body></html>\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(d, 0o755)
    return d


@pytest.fixture
def server(make_peer, www):
    return make_peer(["--http", "80", "--http-root", str(www)])


def curl(peer, *args, timeout=30):
    r = peer.ns.run(["curl", "-sS", "--max-time", "20", *args], check=False, timeout=timeout, text=False)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def http_service(proc):
    return service(proc.snapshot(), "http")


def wait_http_idle(proc, seconds=10):
    end = time.monotonic() + seconds
    while True:
        snap = proc.snapshot()
        h = service(snap, "http")
        if h["active"] == 0 and snap["tcp"]["conns_used"] == snap["tcp"].get("TIME_WAIT", 0):
            return snap
        if time.monotonic() > end:
            raise AssertionError(f"connections left open: http active={h['active']}, tcp={snap['tcp']}")
        time.sleep(0.05)


# --- curl ---------------------------------------------------------------------------------
def test_curl_get_head_status_page_and_json(server):
    rc, out, err = curl(server, f"http://{SEQS_IP}/small.txt")
    assert rc == 0 and out == SMALL, err
    rc, out, err = curl(server, "-I", f"http://{SEQS_IP}/small.txt")
    assert rc == 0 and b"HTTP/1.1 200 OK" in out and b"Content-Length: %d" % len(SMALL) in out
    assert out.endswith(b"\r\n\r\n")
    rc, out, err = curl(server, f"http://{SEQS_IP}/")
    assert rc == 0 and out.startswith(b"<!DOCTYPE html>") and b"<td>tcp_tx_rst</td>" in out, out[:300]
    rc, out, err = curl(server, f"http://{SEQS_IP}/status.json")
    st = json.loads(out)
    assert "counters" in st and st["http"]["requests"] >= 3
    rc, out, err = curl(server, "-o", "/dev/null", "-w", "%{http_code}", f"http://{SEQS_IP}/missing")
    assert out == b"404"
    rc, out, err = curl(server, "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", f"http://{SEQS_IP}/../etc/passwd")
    assert out == b"403"


def test_curl_keep_alive_several_urls_on_one_connection(server):
    urls = [f"http://{SEQS_IP}/small.txt", f"http://{SEQS_IP}/index.html", f"http://{SEQS_IP}/status.json",
            f"http://{SEQS_IP}/small.txt"]
    rc, out, err = curl(server, "-v", *urls)
    assert rc == 0, err
    assert err.count("Connected to") == 1, err
    assert err.count("Re-using existing connection") == 3, err
    assert out.startswith(SMALL) and out.endswith(SMALL)
    h = http_service(server.proc)
    assert h["conns_accepted"] == 1 and h["requests"] == 4


def test_curl_chunked_upload_from_stdin(server):
    data = os.urandom(9000)
    r = server.ns.run(["curl", "-sS", "-v", "--max-time", "20", "-T", "-", f"http://{SEQS_IP}/upload"],
                      check=False, timeout=30, text=False, input=data)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 0, err
    assert "Transfer-Encoding: chunked" in err
    got = json.loads(r.stdout)
    assert got == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_curl_expect_100_continue(server):
    data = os.urandom(5000)
    r = server.ns.run(["curl", "-sS", "-v", "--max-time", "20", "-H", "Expect: 100-continue",
                       "--data-binary", "@-", f"http://{SEQS_IP}/upload"], check=False, timeout=30, text=False,
                      input=data)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 0, err
    assert "HTTP/1.1 100 Continue" in err, err
    assert json.loads(r.stdout)["sha256"] == hashlib.sha256(data).hexdigest()
    assert http_service(server.proc)["continues"] == 1


def test_curl_1mib_download_sha256(server):
    t0 = time.monotonic()
    rc, out, err = curl(server, f"http://{SEQS_IP}/big.bin")
    dt = time.monotonic() - t0
    assert rc == 0, err
    assert hashlib.sha256(out).hexdigest() == hashlib.sha256(BIG).hexdigest() and len(out) == len(BIG)
    report("http curl 1 MiB from seqs", seconds=round(dt, 3), mbit_s=round(8 * len(BIG) / dt / 1e6, 1))
    assert tcp_errors(server) == {}


# --- load: wrk and ab, seqs and nginx -------------------------------------------------------
def parse_wrk(out):
    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    for p in ("50", "90", "99"):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)\b" % p, out)
        if m:
            v = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
            res[f"p{p}_ms"] = round(v, 3)
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = int(m.group(1)) if m else 0
    return res


def parse_ab(out):
    res = {}
    for key, pat in (("rps", r"Requests per second:\s+([\d.]+)"), ("complete", r"Complete requests:\s+(\d+)"),
                     ("failed", r"Failed requests:\s+(\d+)"), ("keepalive", r"Keep-Alive requests:\s+(\d+)"),
                     ("non2xx", r"Non-2xx responses:\s+(\d+)")):
        m = re.search(pat, out)
        res[key] = (float(m.group(1)) if key == "rps" else int(m.group(1))) if m else 0
    m = re.search(r"\s99%\s+(\d+)", out)
    if m:
        res["p99_ms"] = int(m.group(1))
    return res


def run_wrk(ns, url, conns):
    r = ns.run(["wrk", "-t", "1", "-c", str(conns), "-d", f"{LOAD_S}s", "--latency", "--timeout", "2s", url],
               check=False, timeout=LOAD_S + 30)
    assert r.returncode == 0, r.stderr
    return parse_wrk(r.stdout)


def run_ab(ns, url, conns, n):
    r = ns.run(["ab", "-k", "-q", "-n", str(n), "-c", str(conns), "-s", "5", url], check=False, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return parse_ab(r.stdout)


class Nginx:
    """nginx serving the same directory from its own namespace, joined to the client
    namespace by a veth pair (Linux stack on both ends, 198.51.100.0/24)."""

    def __init__(self, client_ns, root, tmp):
        self.ns = Netns(unique_names("ng")[0])
        va, vb = unique_names("va")[1], unique_names("vb")[1]
        subprocess.run(["ip", "link", "add", va, "netns", client_ns.name, "type", "veth", "peer", "name", vb,
                        "netns", self.ns.name], check=True, capture_output=True)
        client_ns.run(["ip", "addr", "add", "198.51.100.1/24", "dev", va])
        client_ns.run(["ip", "link", "set", va, "up"])
        self.ns.run(["ip", "addr", "add", "198.51.100.2/24", "dev", vb])
        self.ns.run(["ip", "link", "set", vb, "up"])
        conf = tmp / "nginx.conf"
        conf.write_text(textwrap.dedent(f"""
            user root; worker_processes 1;
            pid {tmp}/nginx.pid;
            error_log {tmp}/error.log;
            events {{ worker_connections 1024; }}
            http {{
                access_log off;
                client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
                fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
                keepalive_requests 1000000;
                server {{ listen 198.51.100.2:80; root {root}; }}
            }}"""))
        self.proc = self.ns.popen(["nginx", "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        end = time.monotonic() + 10
        while client_ns.run(["curl", "-s", "-o", "/dev/null", "http://198.51.100.2/small.txt"],
                            check=False).returncode != 0:
            assert time.monotonic() < end, "nginx did not come up"
            time.sleep(0.1)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.ns.close()


def test_wrk_and_ab_load_against_seqs_and_nginx(server, www, tmp_path):
    """1, 10, 100 keep-alive connections, a few seconds each: no errors, no resets,
    nothing left open; requests/s side by side with nginx (reported, not asserted)."""
    url = f"http://{SEQS_IP}/small.txt"
    dl = Deadline(150, "HTTP load")
    before = tcp_errors(server)
    rows = []
    for c in (1, 10, 100):
        w = run_wrk(server.ns, url, c)
        dl.check(f"wrk -c {c}")
        assert w["socket_errors"] == 0 and w["non2xx"] == 0 and w["requests"] > 0, w
        a = run_ab(server.ns, url, c, 2000 if c < 100 else 5000)
        assert a["failed"] == 0 and a["non2xx"] == 0 and a["complete"] > 0 and a["keepalive"] == a["complete"], a
        rows.append({"conns": c, "wrk": w, "ab": a})
    snap = wait_http_idle(server.proc)
    h = service(snap, "http")
    after = tcp_errors(server)
    assert h["conn_errors"] == 0 and h["conns_rejected"] == 0, h
    # wrk/ab stopping with requests in flight close sockets holding unread responses:
    # Linux then resets (TCPAbortOnClose); each such reset is one of the server's peer_resets.
    linux_resets = after.get("TcpExtTCPAbortOnClose", 0) - before.get("TcpExtTCPAbortOnClose", 0)
    assert h["peer_resets"] <= linux_resets, (h, before, after)
    c = snap["counters"]
    report("http load seqs-side", peer_resets=h["peer_resets"], linux_abort_on_close=linux_resets,
           requests=h["requests"], responses=h["responses"], tcp_conn_reset=c["tcp_conn_reset"],
           tcp_tx_rst=c["tcp_tx_rst"], linux_estab_resets=after.get("TcpEstabResets", 0) - before.get("TcpEstabResets", 0))
    # every reset of a live connection came from Linux; seqs sent RST only to segments that found no connection
    assert c["tcp_conn_reset"] <= linux_resets, (c["tcp_conn_reset"], linux_resets)
    assert c["tcp_tx_rst"] <= c["tcp_drop_no_socket"] + c["tcp_drop_listen"], \
        {k: c[k] for k in ("tcp_tx_rst", "tcp_drop_no_socket", "tcp_drop_listen")}

    ng = Nginx(server.ns, www, tmp_path)
    try:
        for row in rows:
            c = row["conns"]
            w = run_wrk(server.ns, "http://198.51.100.2/small.txt", c)
            a = run_ab(server.ns, "http://198.51.100.2/small.txt", c, 2000 if c < 100 else 5000)
            row["nginx_wrk"], row["nginx_ab"] = w, a
            row["ratio_wrk"] = round(row["wrk"]["rps"] / w["rps"], 3) if w["rps"] else None
            row["ratio_ab"] = round(row["ab"]["rps"] / a["rps"], 3) if a["rps"] else None
    finally:
        ng.close()
    for row in rows:
        report(f"http load {row['conns']} conns (seqs / nginx)",
               seqs_wrk_rps=row["wrk"]["rps"], nginx_wrk_rps=row["nginx_wrk"]["rps"], ratio_wrk=row["ratio_wrk"],
               seqs_wrk_p99_ms=row["wrk"].get("p99_ms"), nginx_wrk_p99_ms=row["nginx_wrk"].get("p99_ms"),
               seqs_ab_rps=row["ab"]["rps"], nginx_ab_rps=row["nginx_ab"]["rps"], ratio_ab=row["ratio_ab"])


# --- seqs as the client ------------------------------------------------------------------
def wait_listening(ns, port, seconds=10):
    end = time.monotonic() + seconds
    while not ns.run(["ss", "-ltnH", f"sport = :{port}"], check=False).stdout.strip():
        assert time.monotonic() < end, f"nothing listens on port {port} in {ns.name}"
        time.sleep(0.05)


def http_get_event(proc, timeout=30):
    ev = proc._next_json(timeout)
    assert ev.get("event") == "http-get", ev
    final = proc._next_json(timeout)
    proc.wait(timeout=10)
    return ev, final


def test_seqs_client_gets_1mib_from_nginx(make_peer, www, tmp_path):
    peer = make_peer(["--http-get", f"http://{LINUX_IP}:8080/big.bin"], start=False)
    conf = tmp_path / "ng.conf"
    conf.write_text(textwrap.dedent(f"""
        user root; worker_processes 1; pid {tmp_path}/ng.pid; error_log {tmp_path}/ng.err;
        events {{ worker_connections 64; }}
        http {{ access_log off; client_body_temp_path {tmp_path}/b; proxy_temp_path {tmp_path}/p;
               fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s;
               server {{ listen 8080; root {www}; }} }}"""))
    ng = peer.ns.popen(["nginx", "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    try:
        wait_listening(peer.ns, 8080)
        t0 = time.monotonic()
        peer.proc.start()
        ev, final = http_get_event(peer.proc)
        dt = time.monotonic() - t0
    finally:
        ng.terminate()
        ng.wait(timeout=5)
    assert ev["status"] == 200 and ev["bytes"] == len(BIG), ev
    assert ev["sha256"] == hashlib.sha256(BIG).hexdigest()
    report("http seqs client 1 MiB from nginx", seconds=round(dt, 3), framing=ev["framing"])


def test_seqs_client_gets_from_python_http_server(make_peer, www):
    peer = make_peer(["--http-get", f"http://{LINUX_IP}:8000/small.txt"], start=False)
    srv = peer.ns.popen(["/usr/bin/python3", "-m", "http.server", "-b", "0.0.0.0", "-d", str(www), "8000"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(peer.ns, 8000)
        peer.proc.start()
        ev, _ = http_get_event(peer.proc)
    finally:
        srv.terminate()
        srv.wait(timeout=5)
    assert ev["status"] == 200 and ev["sha256"] == hashlib.sha256(SMALL).hexdigest(), ev


CHUNKER = textwrap.dedent("""
    import socket, sys
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", 8081)); ls.listen(1)
    c, _ = ls.accept()
    req = b""
    while b"\\r\\n\\r\\n" not in req:
        req += c.recv(4096)
    body = bytes(range(256)) * 300
    out = b"HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\nContent-Type: x\\r\\n\\r\\n"
    i = 0
    while i < len(body):
        n = 1000 + (i % 3000)
        piece = body[i:i + n]
        out += b"%x;ext=1\\r\\n" % len(piece) + piece + b"\\r\\n"
        i += n
    out += b"0\\r\\nX-Trailer: done\\r\\n\\r\\n"
    c.sendall(out)
    c.recv(100)
    c.close()
""")


def test_seqs_client_decodes_chunked_response_from_peer(make_peer):
    peer = make_peer(["--http-get", f"http://{LINUX_IP}:8081/chunked"], start=False)
    srv = peer.ns.popen(["/usr/bin/python3", "-c", CHUNKER], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(peer.ns, 8081)
        peer.proc.start()
        ev, _ = http_get_event(peer.proc)
    finally:
        srv.kill()
        srv.wait(timeout=5)
    body = bytes(range(256)) * 300
    assert ev["status"] == 200 and ev["framing"] == "chunked" and ev["bytes"] == len(body), ev
    assert ev["sha256"] == hashlib.sha256(body).hexdigest()
