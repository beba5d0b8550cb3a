"""Keras semantics for the safe interpreter: the functional API, Sequential and subclassed models.

``keras.Input`` makes a model input (named like the variable it is assigned to, or its
``name=``); calling a layer on tensors adds a node named like Keras names it (``name=`` or
``conv2d``, ``conv2d_1``, ...); calling the same layer object again adds a ``shares`` node
(its weights count once); ``keras.Model(inputs, outputs)`` closes the graph.
"""

from __future__ import annotations

__all__ = ["KerasSemantics"]

import ast
from typing import Any

from quizgen.codeio import signatures as sg
from quizgen.codeio.graph import GraphBuilder
from quizgen.codeio.values import Container, Instance, KerasModel, Layer, Opaque, Tensor

_MERGE_FUNCTIONS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "average": "Average", "maximum": "Maximum",
                    "minimum": "Minimum", "concatenate": "Concatenate", "dot": "Dot"}
_OPAQUE_PREFIXES = tuple(p for p in sg.OPAQUE_CALL_PREFIXES if p.startswith(("keras", "tensorflow")))
_BINOP_LAYERS = {ast.Add: "Add", ast.Sub: "Subtract", ast.Mult: "Multiply"}


class KerasSemantics(GraphBuilder):
    """Mixin for `Interpreter`: the Keras calls."""

    override_shape: tuple[int | None, ...] | None
    pending_inputs: set[int]
    model_inputs: list[Tensor]

    def keras_call(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        head, _, attr = name.rpartition(".")
        if name in ("keras.Input", "keras.layers.Input"):
            return self.keras_input(args, kwargs, node)
        if name in ("keras.Model", "keras.models.Model"):
            return self.keras_model(args, kwargs, node)
        if name in ("keras.Sequential", "keras.models.Sequential"):
            layers = args[0] if args else kwargs.get("layers", [])
            container = Container("KerasSequential", {}, node.lineno, title=_title(kwargs))
            for layer in self._iterable(layers or [], node):
                self.keras_add(container, layer, node)
            return container
        if name in ("keras.backend.image_data_format",):
            self.note("K.image_data_format() is read as 'channels_last', Keras' documented default")
            return "channels_last"
        if name == "keras.backend.clear_session":
            # Notebooks call it before building a model; like Keras, the auto-names (conv2d, conv2d_1) restart.
            self.keras_counters.clear()
            return None
        if head == "keras.layers" and attr in _MERGE_FUNCTIONS:
            tensors = args[0] if args else kwargs.pop("inputs", None)
            layer = self.make_layer("keras", _MERGE_FUNCTIONS[attr], list(args[1:]), kwargs, node)
            return self.call_keras_layer(layer, [tensors], {}, node)
        if head == "keras.layers":
            canonical = sg.KERAS_ALIASES.get(attr, attr)
            if canonical == "InputLayer":
                raise self.error("InputLayer inside a functional model is not supported; use keras.Input", node)
            if self.kind_of("keras", canonical) is not None:
                return self.make_layer("keras", canonical, args, kwargs, node)
        if name.startswith(_OPAQUE_PREFIXES) or name.startswith("keras.activations."):
            if args and isinstance(args[0], Tensor):
                activation = name.rpartition(".")[2]
                layer = self.make_layer("keras", "Activation", [activation], {}, node)
                return self.call_keras_layer(layer, [args[0]], {}, node)
            return Opaque(self.segment(node))
        raise self.error(f"the call {self.segment(node.func)}(...) is not supported here", node)

    def keras_input(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Tensor:
        shape = args[0] if args else kwargs.get("shape")
        if shape is None and kwargs.get("batch_shape") is not None:
            shape = list(kwargs["batch_shape"])[1:]
        if isinstance(shape, int):
            shape = (shape,)
        override = self.override_shape
        if override is not None:
            shape = override
            self.note(f"input shape {list(shape)} from --input-shape (the code says {self.segment(node)})")
        elif not isinstance(shape, (list, tuple)) or not all(d is None or (isinstance(d, int) and d > 0) for d in shape):
            raise self.error(f"keras.Input needs shape= as a tuple of sizes known here, got {self.describe(shape)}", node)
        else:
            self.note(f"input shape {list(shape)} from {self.segment(node)} (line {node.lineno})")
        given = kwargs.get("name")
        tensor = self.add_input(self.fresh(given) if isinstance(given, str) else self.fresh("input_layer"), tuple(shape or ()))
        if not isinstance(given, str):
            self.pending_inputs.add(id(tensor))
        self.model_inputs.append(tensor)
        return tensor

    def rename_input(self, tensor: Tensor, name: str) -> None:
        """``inputs = keras.Input(...)``: the input is named like the variable."""
        self.pending_inputs.discard(id(tensor))
        if name in self.taken:
            return
        self.taken.discard(tensor.name)
        self.shapes[name] = self.shapes.pop(tensor.name)
        self.taken.add(name)
        tensor.name = name

    def keras_model(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> KerasModel:
        inputs = args[0] if args else kwargs.get("inputs")
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
        ins = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
        outs = tuple(outputs.values()) if isinstance(outputs, dict) else tuple(outputs) if isinstance(outputs, (list, tuple)) \
            else (outputs,)
        if not all(isinstance(t, Tensor) for t in (*ins, *outs)):
            raise self.error("keras.Model(inputs, outputs) needs the tensors of keras.Input and of layer calls", node)
        return KerasModel(tuple(ins), tuple(outs), node.lineno, _title(kwargs))

    def keras_add(self, container: Container, layer: Any, node: ast.AST) -> None:
        if isinstance(layer, Tensor) and layer.name in [t.name for t in self.model_inputs]:
            container.children["input"] = layer
            return
        if not isinstance(layer, (Layer, Container, Instance)):
            raise self.error(f"Sequential takes Keras layers, got {self.describe(layer)}", node)
        container.children[str(len(container.children))] = layer

    def call_keras_layer(self, layer: Layer, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if len(args) != 1:
            raise self.error(f"{layer.name} takes one input (a list for merge layers)", node)
        value = args[0]
        tensors = list(value) if isinstance(value, (list, tuple)) else [value]
        if not tensors or not all(isinstance(t, Tensor) for t in tensors):
            raise self.error(f"{layer.name} must be called on tensors, got {self.describe(value)}", node)
        for key, extra in kwargs.items():
            if key not in ("training", "mask") or isinstance(extra, Tensor):
                raise self.error(f"{layer.name}(..., {key}=...) is not supported", node)
        if layer.calls == 0:
            name = layer.name or self.keras_auto_name(layer.type)
            if name in self.taken:
                raise self.error(f"two layers are named {name!r}; Keras requires unique names", node)
            self.taken.add(name)
            out = self.emit(layer.type, layer.kwargs, layer.line, name, [t.name for t in tensors])
            layer.first_node = name
        else:
            name = self.fresh(f"{layer.name}_call{layer.calls}")
            out = self.emit(layer.type, layer.kwargs, node.lineno, name, [t.name for t in tensors], shares=layer.first_node)
        layer.calls += 1
        return out

    def keras_binop(self, op: ast.operator, left: Tensor, right: Tensor, node: ast.Call) -> Any:
        kind = _BINOP_LAYERS.get(type(op))
        if kind is None:
            raise self.error(f"the operator {type(op).__name__} on tensors is not supported", node)
        layer = self.make_layer("keras", kind, [], {}, node)
        return self.call_keras_layer(layer, [[left, right]], {}, node)

    def call_keras_sequential(self, container: Container, value: Any, node: ast.Call) -> Any:
        for child in container.children.values():
            if isinstance(child, Tensor):
                continue
            value = self.call(child, [value], {}, node)
        return value


def _title(kwargs: dict[str, Any]) -> str:
    """A Keras model's ``name=``, when it is a plain text."""
    name = kwargs.get("name")
    return name.strip() if isinstance(name, str) else ""
