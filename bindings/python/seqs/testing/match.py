# SPDX-License-Identifier: BSD-3-Clause
"""Partial matching of dissected frames against scapy templates.

A *template* is an ordinary scapy packet built by the test, e.g.

    Ether(dst=PEER_MAC) / ARP(op=2, psrc=US)

Only the fields that were explicitly given when the template was built are
compared; every other field is "don't care". Layers are matched by class and
order: the n-th ``ARP`` layer of the template is compared with the n-th ``ARP``
layer of the frame, wherever it sits in the frame (so ``IP(src=US)/ICMP(type=0)``
matches an Ethernet frame too). A ``Raw(load=...)`` layer in the template
compares the payload bytes at that position (Padding is never part of a payload).

    match(frame, template)      -> bool
    mismatch(frame, template)   -> None, or a one-line reason
    expect_one(frames, template)   asserts exactly one frame matches, returns it
    expect_none(frames, template)  asserts none matches (template None: no frame at all)
"""
from __future__ import annotations

from scapy.packet import Packet, Raw, Padding

__all__ = ["match", "mismatch", "expect_one", "expect_none", "explicit_fields", "summarize"]


def explicit_fields(layer: Packet) -> dict:
    """Fields the template author set (IP's implicit ``options=[]`` is not one)."""
    out = {}
    for name, value in layer.fields.items():
        if value is None:
            continue
        if isinstance(value, list) and not value and layer.default_fields.get(name) == []:
            continue
        out[name] = value
    return out


def _norm(layer: Packet, name: str, value):
    """Internal representation of value for field name of layer's class."""
    try:
        fld = layer.get_field(name)
        v = fld.any2i(layer, value)
    except Exception:  # pragma: no cover - odd field types: compare as given
        v = value
    if isinstance(v, str):
        v = v.lower()
    try:
        return int(v) if hasattr(v, "__int__") and not isinstance(v, (bytes, str, list)) else v
    except Exception:
        return v


def _layer_seq(pkt: Packet):
    layers = []
    p = pkt
    while p is not None and not isinstance(p, type(None)):
        if isinstance(p, Padding):
            break
        layers.append(p)
        if not p.payload or isinstance(p.payload, type(None)):
            break
        p = p.payload
    return layers


def _find_layer(frame_layers, cls, nth):
    seen = 0
    for lay in frame_layers:
        if type(lay) is cls:
            if seen == nth:
                return lay
            seen += 1
    return None


def mismatch(frame: Packet, template: Packet) -> str | None:
    """None when frame matches template, else why not (first difference)."""
    frame_layers = _layer_seq(frame)
    counts: dict = {}
    for tl in _layer_seq(template):
        cls = type(tl)
        nth = counts.get(cls, 0)
        counts[cls] = nth + 1
        fl = _find_layer(frame_layers, cls, nth)
        if fl is None:
            return f"no {cls.__name__} layer #{nth}"
        for name, want in explicit_fields(tl).items():
            if cls is Raw and name == "load":
                got = bytes(fl.load)
                if got != bytes(want):
                    return f"Raw.load: got {len(got)} bytes {got[:32]!r}.., want {len(bytes(want))} bytes {bytes(want)[:32]!r}.."
                continue
            if name not in fl.fields and name not in fl.default_fields:
                return f"{cls.__name__}.{name}: no such field in frame"
            got = fl.getfieldval(name)
            if _norm(tl, name, want) != _norm(fl, name, got):
                return f"{cls.__name__}.{name}: got {got!r}, want {want!r}"
    return None


def match(frame: Packet, template: Packet) -> bool:
    return mismatch(frame, template) is None


def summarize(frames) -> str:
    if not frames:
        return "  (no frames)"
    return "\n".join(f"  [{i}] {f.summary()}" for i, f in enumerate(frames))


def expect_one(frames, template: Packet) -> Packet:
    """Exactly one of frames matches template: return it, else AssertionError with the reasons."""
    hits = [f for f in frames if match(f, template)]
    if len(hits) == 1:
        return hits[0]
    reasons = "\n".join(f"  [{i}] {mismatch(f, template)}" for i, f in enumerate(frames))
    raise AssertionError(
        f"expected exactly one frame matching {template.summary()!s}, got {len(hits)} of {len(frames)}:\n"
        f"{summarize(frames)}\nmismatch reasons:\n{reasons or '  -'}")


def expect_none(frames, template: Packet | None = None) -> None:
    """No frame matches template (template None: no frame emitted at all)."""
    if template is None:
        assert not frames, f"expected no frame, got {len(frames)}:\n{summarize(frames)}"
        return
    hits = [f for f in frames if match(f, template)]
    assert not hits, f"expected no frame matching {template.summary()}, got:\n{summarize(hits)}"
