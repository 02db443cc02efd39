# SPDX-License-Identifier: BSD-3-Clause
"""Classic libpcap files (LINKTYPE_ETHERNET, microsecond timestamps), pure Python.

PcapWriter flushes every record to the OS, so a test that crashes still leaves
a complete, readable capture. PcapReader/read_pcap read classic pcap files back
(either byte order, micro- or nanosecond variants)."""

import os
import struct

from ._closing import Closing
from .errors import InvalidArgument

LINKTYPE_ETHERNET = 1
_MAGIC_US = 0xA1B2C3D4
_MAGIC_NS = 0xA1B23C4D
_REC = struct.Struct("<IIII")


class PcapWriter(Closing):
    """PcapWriter(path, snaplen=65535, linktype=LINKTYPE_ETHERNET); write(frame, ts_us); close().

    Also a context manager. `path` may be a str/PathLike, or a binary file object
    (then close() leaves it open)."""

    def __init__(self, path, snaplen=65535, linktype=LINKTYPE_ETHERNET, flush=True):
        if hasattr(path, "write"):
            self._f = path
            self._own = False
        else:
            self._f = open(os.fspath(path), "wb")
            self._own = True
        self._snaplen = snaplen
        self._flush = flush
        self.count = 0
        self._f.write(struct.pack("<IHHiIII", _MAGIC_US, 2, 4, 0, 0, snaplen, linktype))
        if flush:
            self._f.flush()

    def write(self, frame, ts_us):
        """Appends one frame captured at ts_us (non-negative int microseconds)."""
        if self._f is None:
            raise ValueError("write to a closed PcapWriter")
        if isinstance(ts_us, bool) or not isinstance(ts_us, int):
            raise TypeError("ts_us must be an int (microseconds), not %s" % type(ts_us).__name__)
        if ts_us < 0:
            raise InvalidArgument("ts_us=%d is negative" % ts_us)
        frame = bytes(frame)
        sec, usec = divmod(ts_us, 1000000)
        if sec > 0xFFFFFFFF:
            raise InvalidArgument("ts_us=%d is beyond the 32-bit seconds of classic pcap" % ts_us)
        cap = frame[: self._snaplen]
        self._f.write(_REC.pack(sec, usec, len(cap), len(frame)) + cap)
        if self._flush:
            self._f.flush()
        self.count += 1

    def flush(self):
        if self._f is not None:
            self._f.flush()

    def close(self):
        f, self._f = self._f, None
        if f is not None:
            f.flush()
            if self._own:
                f.close()

    @property
    def closed(self):
        return self._f is None


class PcapReader:
    """Iterates (ts_us, frame) over a classic pcap file. `.linktype`, `.snaplen` after open."""

    def __init__(self, path):
        self._f = open(os.fspath(path), "rb")
        hdr = self._f.read(24)
        if len(hdr) < 24:
            self._f.close()
            raise ValueError("%s: not a pcap file (short header)" % path)
        magic_le = struct.unpack("<I", hdr[:4])[0]
        magic_be = struct.unpack(">I", hdr[:4])[0]
        if magic_le in (_MAGIC_US, _MAGIC_NS):
            self._e, magic = "<", magic_le
        elif magic_be in (_MAGIC_US, _MAGIC_NS):
            self._e, magic = ">", magic_be
        else:
            self._f.close()
            raise ValueError("%s: not a classic pcap file (magic %#010x)" % (path, magic_le))
        self._ns = magic == _MAGIC_NS
        (_, self.version_major, self.version_minor, _, _, self.snaplen,
         self.linktype) = struct.unpack(self._e + "IHHiIII", hdr)
        self._rec = struct.Struct(self._e + "IIII")

    def __iter__(self):
        return self

    def __next__(self):
        if self._f is None:
            raise StopIteration
        h = self._f.read(16)
        if len(h) < 16:
            self.close()
            if h:
                raise ValueError("truncated pcap record header")
            raise StopIteration
        sec, frac, incl, orig = self._rec.unpack(h)
        data = self._f.read(incl)
        if len(data) < incl:
            self.close()
            raise ValueError("truncated pcap record")
        ts = sec * 1000000 + (frac // 1000 if self._ns else frac)
        return ts, data

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def read_pcap(path):
    """All records of a pcap file as a list of (ts_us, frame)."""
    with PcapReader(path) as r:
        return list(r)


__all__ = ["PcapWriter", "PcapReader", "read_pcap", "LINKTYPE_ETHERNET"]
