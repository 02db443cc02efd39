# SPDX-License-Identifier: BSD-3-Clause
"""One with-block/finaliser behaviour for the objects that own C memory or a file."""


class Closing:
    """Leaving a with-block calls close(); so does garbage collection, where an
    error is swallowed (the interpreter may be shutting down). Subclasses define
    close(), which must be safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:   # noqa: BLE001
            pass
