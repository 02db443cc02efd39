# SPDX-License-Identifier: BSD-3-Clause
"""A virtual clock: integer microseconds that only move forward."""

from .errors import InvalidArgument


class VirtualClock:
    """clock = VirtualClock(start_us=0); clock.now; clock.advance(us); clock.set(t)."""

    def __init__(self, start_us=0):
        if start_us < 0:
            raise InvalidArgument("start_us=%d is negative" % start_us)
        self.now = int(start_us)

    def advance(self, us):
        """Moves forward by us microseconds; returns the new time."""
        if us < 0:
            raise InvalidArgument("advance(%d): the clock cannot go backwards" % us)
        self.now += int(us)
        return self.now

    def advance_ms(self, ms):
        return self.advance(int(ms * 1000))

    def advance_s(self, s):
        return self.advance(int(s * 1000000))

    def set(self, t_us):
        """Jumps to t_us (>= now)."""
        if t_us < self.now:
            raise InvalidArgument("set(%d): before now=%d; the clock cannot go backwards" % (t_us, self.now))
        self.now = int(t_us)
        return self.now

    def __int__(self):
        return self.now

    def __repr__(self):
        return "<seqs.VirtualClock now=%d us>" % self.now


__all__ = ["VirtualClock"]
