"""TCP test helpers (peer.py) and the in-process simulation tests."""
