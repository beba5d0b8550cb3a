"""The registry of layer kinds, keyed by framework and the framework's own class name.

Each family module registers its kinds at import; importing this package imports them all.
"""

from __future__ import annotations

__all__ = ["LayerKind", "all_kinds", "get_kind", "register", "unknown_layer_message"]

import difflib

from ..spec import Framework
from .base import LayerKind

_REGISTRY: dict[tuple[Framework, str], LayerKind] = {}


def register(kind: LayerKind) -> LayerKind:
    key = (kind.framework, kind.name)
    if key in _REGISTRY:
        raise RuntimeError(f"layer kind {kind.framework}:{kind.name} registered twice")
    _REGISTRY[key] = kind
    return kind


def get_kind(framework: Framework, name: str) -> LayerKind | None:
    return _REGISTRY.get((framework, name))


def all_kinds(framework: Framework | None = None) -> list[LayerKind]:
    return [k for (fw, _), k in sorted(_REGISTRY.items()) if framework is None or fw == framework]


def unknown_layer_message(framework: Framework, name: str) -> str:
    """'unknown keras layer 'Conv2d' (did you mean 'Conv2D'? ...)' with the closest names."""
    names = [k.name for k in all_kinds(framework)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    lowered = {n.lower(): n for n in names}
    if name.lower() in lowered and lowered[name.lower()] not in close:
        close.insert(0, lowered[name.lower()])
    other = Framework.PYTORCH if framework is Framework.KERAS else Framework.KERAS
    hint = f" (did you mean {', '.join(repr(c) for c in close[:3])}?)" if close else ""
    if get_kind(other, name) is not None:
        hint += f"; {name} is a {other.value} layer but this spec's framework is {framework.value}"
    return f"unknown {framework.value} layer {name!r}{hint}"


def _load_families() -> None:
    # Imported for their registrations; order does not matter.
    from . import attention, conv, conv_variants, core, merge, norm, pooling, recurrent, simple  # noqa: F401


_load_families()
