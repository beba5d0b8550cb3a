"""The values the safe interpreter (quizgen.codeio.interp) computes with.

Plain Python values (numbers, strings, lists, tuples, dicts) stand for themselves; everything
that would need the real frameworks or the file's own classes is one of these records:
framework references, layers, containers, instances of the file's classes and symbolic
tensors, which are the names of graph nodes (their shapes are solved as the trace goes).
"""

from __future__ import annotations

__all__ = [
    "BATCH",
    "Batch",
    "BoundMethod",
    "Container",
    "External",
    "Function",
    "Instance",
    "KerasModel",
    "Layer",
    "Opaque",
    "ParamTensor",
    "Ref",
    "Tensor",
    "UserClass",
]

import ast
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Ref:
    """A name of the frameworks (``torch.nn.Conv2d``, ``keras.layers``, ``F``), by canonical qualname."""

    qualname: str


@dataclass(frozen=True, slots=True)
class External:
    """A name imported from a module that is not a framework: its definition is not in the file."""

    name: str
    module: str


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value that changes no count or shape (an initializer, a hidden state, a device); ``text`` is its source."""

    text: str
    tensor: bool = False  # a runtime tensor that is not part of the graph (torch.zeros(...) in forward)
    shape: tuple[int | None, ...] | None = None  # a tensor's size when the code gives it (torch.zeros(1, 1, 768))


class Batch:
    """The batch size (``x.size(0)``): unknown when reading, usable only where the batch goes."""

    def __repr__(self) -> str:
        return "batch"


BATCH = Batch()


@dataclass(eq=False, slots=True)
class Tensor:
    """A symbolic tensor: the output of the graph node (or model input) ``name``, batch excluded."""

    name: str
    shape: tuple[int | None, ...]


@dataclass(eq=False, slots=True)
class ParamTensor:
    """An ``nn.Parameter``: weights that enter the graph as a node without inputs when used."""

    shape: tuple[int, ...]
    line: int
    requires_grad: bool = True
    node: str | None = None  # the graph node, once used


@dataclass(eq=False, slots=True)
class Layer:
    """A framework layer object: one weight set, however often it is called."""

    framework: str
    type: str
    kwargs: dict[str, Any]
    line: int
    column: int = 0
    name: str | None = None  # Keras: name= or the auto name; PyTorch: the module path, set after __init__
    calls: int = 0
    first_node: str | None = None


@dataclass(eq=False, slots=True)
class Container:
    """``nn.Sequential`` / ``nn.ModuleList`` / ``nn.ModuleDict`` or a Keras ``Sequential``: children by key."""

    kind: str  # Sequential, ModuleList, ModuleDict, KerasSequential
    children: dict[str, Any]
    line: int
    name: str | None = None
    title: str = ""  # a Keras Sequential's own name= (what model.summary() prints), for titles


@dataclass(eq=False, slots=True)
class UserClass:
    """A class defined in the file."""

    node: ast.ClassDef
    bases: tuple[Any, ...]
    attrs: dict[str, Any]

    @property
    def name(self) -> str:
        return self.node.name

    def mro(self) -> list[Any]:
        """The class, then its bases depth-first (the files read use single inheritance)."""
        order: list[Any] = [self]
        for base in self.bases:
            chain = base.mro() if isinstance(base, UserClass) else [base]
            order += [c for c in chain if c not in order]
        return order

    def lookup(self, name: str) -> tuple[bool, Any]:
        for cls in self.mro():
            if isinstance(cls, UserClass) and name in cls.attrs:
                return True, cls.attrs[name]
        return False, None

    def framework_base(self) -> str | None:
        """The framework class it derives from: torch.nn.Module, keras.Model, keras.layers.Layer..."""
        for cls in self.mro():
            if isinstance(cls, Ref):
                return cls.qualname
        return None


@dataclass(eq=False, slots=True)
class Instance:
    """An object of a class defined in the file; ``modules`` are its registered children, in order."""

    cls: UserClass
    attrs: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, Any] = field(default_factory=dict)
    params: dict[str, ParamTensor] = field(default_factory=dict)
    path: str | None = None
    called: bool = False


@dataclass(eq=False, slots=True)
class Function:
    """A function or method defined in the file, with the defaults evaluated where it was defined."""

    node: ast.FunctionDef
    defaults: tuple[Any, ...]
    kw_defaults: tuple[Any, ...]
    closure: dict[str, Any] | None
    owner: UserClass | None = None


@dataclass(eq=False, slots=True)
class BoundMethod:
    function: Function
    self_value: Any


@dataclass(eq=False, slots=True)
class KerasModel:
    """``keras.Model(inputs, outputs)``: the graph between them."""

    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    line: int
    title: str = ""  # its name= (what model.summary() prints), for titles
