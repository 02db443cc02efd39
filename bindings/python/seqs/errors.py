# SPDX-License-Identifier: BSD-3-Clause
"""Exceptions raised by the seqs Python API.

Every negative seqs_err_t returned by the C core becomes a SeqsError subclass
carrying `.code` (the C value), `.name` (e.g. "SEQS_ERR_INUSE") and the text of
seqs_strerror(). Classes also derive from the closest built-in exception so
`except ValueError` / `except TimeoutError` work as a Python user expects.
API misuse detected before the C call (bad strings, ranges, closed objects)
raises the same classes, with a message that names the faulty argument."""

from . import seqs_c as _c


class SeqsError(Exception):
    """A seqs call failed. `.code` is the (negative) seqs_err_t value."""

    code = 0
    name = "SEQS_ERROR"

    def __init__(self, message=None, code=None):
        if code is not None:
            self.code = code
            self.name = _CODE_NAMES.get(code, "SEQS_ERR_%d" % code)
        text = _c.seqs_strerror(self.code) if self.code else "seqs error"
        if message:
            full = "%s: %s [%s]" % (message, text, self.name)
        else:
            full = "%s [%s]" % (text, self.name)
        super().__init__(full)


def _mk(name, cname, *bases, doc=""):
    code = getattr(_c, cname)
    cls = type(name, (SeqsError,) + bases, {"code": code, "name": cname, "__doc__": doc or cname})
    return cls


InvalidArgument = _mk("InvalidArgument", "SEQS_ERR_INVAL", ValueError, doc="Invalid argument (SEQS_ERR_INVAL).")
LimitError = _mk("LimitError", "SEQS_ERR_LIMIT", ValueError,
                 doc="Configuration beyond a compile-time limit of seqs/opts.h (SEQS_ERR_LIMIT).")
NoBuffers = _mk("NoBuffers", "SEQS_ERR_NOBUFS", doc="Buffer too small or an internal queue is full (SEQS_ERR_NOBUFS).")
WouldBlock = _mk("WouldBlock", "SEQS_ERR_AGAIN", BlockingIOError,
                 doc="Nothing available now (SEQS_ERR_AGAIN).")
NoAddress = _mk("NoAddress", "SEQS_ERR_NOADDR", doc="No IPv4 address configured, or still tentative (SEQS_ERR_NOADDR).")
AddressInUse = _mk("AddressInUse", "SEQS_ERR_INUSE", doc="Address/port already in use (SEQS_ERR_INUSE).")
BadHandle = _mk("BadHandle", "SEQS_ERR_BADHANDLE",
                doc="Socket handle invalid, closed, or stale (SEQS_ERR_BADHANDLE).")
Unreachable = _mk("Unreachable", "SEQS_ERR_UNREACH", doc="Destination unreachable (SEQS_ERR_UNREACH).")
MessageTooLarge = _mk("MessageTooLarge", "SEQS_ERR_MSGSIZE", doc="Message too large (SEQS_ERR_MSGSIZE).")
NotConnected = _mk("NotConnected", "SEQS_ERR_NOTCONN", doc="Socket not connected (SEQS_ERR_NOTCONN).")
NoSlot = _mk("NoSlot", "SEQS_ERR_NOSLOT", doc="Every socket/connection slot is in use (SEQS_ERR_NOSLOT).")
ConnectionRefused = _mk("ConnectionRefused", "SEQS_ERR_REFUSED", ConnectionRefusedError, doc="Connection refused (SEQS_ERR_REFUSED).")
ConnectionReset = _mk("ConnectionReset", "SEQS_ERR_RESET", ConnectionResetError, doc="Connection reset by peer (SEQS_ERR_RESET).")
TimedOut = _mk("TimedOut", "SEQS_ERR_TIMEDOUT", TimeoutError, doc="Retransmission or keepalive gave up (SEQS_ERR_TIMEDOUT).")
Closed = _mk("Closed", "SEQS_ERR_CLOSED", doc="Operation on a closed/closing endpoint (SEQS_ERR_CLOSED).")
StateError = _mk("StateError", "SEQS_ERR_STATE", doc="Operation not valid in the current state (SEQS_ERR_STATE).")
AddressConflict = _mk("AddressConflict", "SEQS_ERR_CONFLICT", doc="Address conflict detected (SEQS_ERR_CONFLICT).")

_CLASSES = (InvalidArgument, LimitError, NoBuffers, WouldBlock, NoAddress, AddressInUse, BadHandle,
            Unreachable, MessageTooLarge, NotConnected, NoSlot, ConnectionRefused, ConnectionReset,
            TimedOut, Closed, StateError, AddressConflict)
_BY_CODE = {cls.code: cls for cls in _CLASSES}
_CODE_NAMES = {cls.code: cls.name for cls in _CLASSES}


def error_for(code, message=None):
    """The exception instance for a negative seqs_err_t `code`."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return SeqsError(message, code=code)
    return cls(message)


def check(rc, message=None):
    """Returns rc when >= 0, raises the matching SeqsError otherwise."""
    if rc < 0:
        raise error_for(rc, message)
    return rc


__all__ = ["SeqsError", "error_for", "check"] + [c.__name__ for c in _CLASSES]
