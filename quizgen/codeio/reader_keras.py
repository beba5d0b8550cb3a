"""Keras models: ``Sequential([...])`` and ``model.add(...)`` chains, with the input from
``input_shape=``, ``keras.Input(shape=...)`` or ``InputLayer``."""

from __future__ import annotations

__all__ = ["KerasReader"]

import ast

from quizgen.codeio import signatures as sg
from quizgen.codeio.calls import SIGNATURES_MODULE, CallReader

_SEQUENTIAL = sg.Signature(("layers", "trainable", "name"))
_SHAPE_ARGS = ("shape", "batch_shape", "input_shape", "batch_input_shape")


class KerasReader(CallReader):
    """Reads Keras layers into ``self.placed`` and the input shape into ``self.shape``."""

    def keras_sequential(self, call: ast.Call) -> None:
        for parameter, node in self.arguments(call, "Sequential", _SEQUENTIAL):
            if parameter != "layers":
                self.value(node, parameter, "Sequential")
            elif isinstance(node, (ast.List, ast.Tuple)):
                for item in node.elts:
                    self.keras_item(item)
            else:
                raise self.error("Sequential(...) takes a list of layers: Sequential([layers.Dense(10), ...])", node)

    def keras_item(self, node: ast.expr) -> None:
        kind, name = self.layer_kind(node.func) if isinstance(node, ast.Call) else ("", "")
        if not isinstance(node, ast.Call) or (kind not in ("keras", "keras_input") and (kind, name) != ("sequential", "keras")):
            raise self.error(f"{self.segment(node)} is not a supported Keras layer (see {SIGNATURES_MODULE})", node)
        if kind == "sequential":
            self.keras_sequential(node)
        elif kind == "keras_input" or name == "InputLayer":
            if self.placed or self.shape is not None:
                raise self.error("keras.Input / InputLayer must come before the first layer", node)
            sig = sg.KERAS_INPUT if kind == "keras_input" else sg.KERAS["InputLayer"]
            for parameter, arg in self.arguments(node, name, sig):
                if parameter in _SHAPE_ARGS:
                    self.keras_shape(parameter, arg)
                elif parameter in sig.parameters:
                    self.value(arg, parameter, name)
                else:
                    raise self.unknown_argument(name, parameter, sig, arg)
        else:
            self.placed += self.produce([(self.layer(node, "keras", name), node.lineno)])
