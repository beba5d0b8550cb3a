"""Read model code of any shape the safe interpreter follows into a graph spec.

The file's statements run in quizgen.codeio.interp (never in Python); the model is the one
module-level model object, the one top-level model class or builder function, or the one
``--model NAME`` picks (``--model 'ResNet(BasicBlock, [2, 2, 2, 2])'`` and ``--arg key=value``
pass constructor arguments). Its forward (PyTorch) or its Keras graph is then traced.
"""

from __future__ import annotations

__all__ = ["GraphRead", "read_graph_model"]

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizgen.codeio.interp import Interpreter
from quizgen.codeio.interp_keras import KerasSemantics
from quizgen.codeio.interp_support import _BoundBuiltin, _Builtin
from quizgen.codeio.interp_torch import TorchSemantics, _TensorMethod
from quizgen.codeio.values import (
    BoundMethod,
    Container,
    External,
    Function,
    Instance,
    KerasModel,
    Layer,
    Opaque,
    ParamTensor,
    Ref,
    Tensor,
    UserClass,
)
from quizgen.errors import CodeReadError, Location

# The start of the error for code without an input shape (reader.py tells it from errors that name a construct).
NO_INPUT_SHAPE = "the model code does not state its input shape"

_MODEL_BASES = ("torch.nn.Module", "keras.Model", "keras.models.Model")


@dataclass(frozen=True, slots=True)
class GraphRead:
    spec: dict[str, Any]
    layer_lines: tuple[int, ...]
    notes: tuple[str, ...]
    model_name: str = ""  # what the model is called in the file: --model's name, its class, or its builder function


class ModelInterpreter(Interpreter, TorchSemantics, KerasSemantics):
    def __init__(self, source: str, filename: str, override_shape: tuple[int | None, ...] | None) -> None:
        super().__init__(source, filename)
        self.init_graph()
        self.override_shape = override_shape
        self.pending_inputs: set[int] = set()
        self.model_inputs: list[Tensor] = []
        self.framework = "keras"
        self.built_shape: tuple[tuple[int | None, ...], str] | None = None  # model.build((None, 32, 32, 3)), as written

    # -- hooks ---------------------------------------------------------------------------------
    def named(self, name: str, value: Any) -> Any:
        if isinstance(value, Tensor) and id(value) in self.pending_inputs:
            self.rename_input(value, name)
        return value

    def framework_call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(callee, Ref):
            name = callee.qualname
            if name == "collections.OrderedDict":
                return self._dict(node, args, kwargs)
            if name.startswith("math."):
                return self.math_call(name[5:], args, node)
            if name.startswith("torch"):
                return self.torch_call(name, args, kwargs, node)
            if name.startswith(("keras", "tensorflow")):
                return self.keras_call(name, args, kwargs, node)
        if isinstance(callee, Layer):
            if callee.framework == "pytorch":
                return self.call_torch_layer(callee, args, kwargs, node)
            return self.call_keras_layer(callee, args, kwargs, node)
        if isinstance(callee, Container):
            if callee.kind == "KerasSequential":
                return self.call_keras_sequential(callee, args[0] if args else None, node)
            return self.call_torch_module(callee, args, kwargs, node)
        if isinstance(callee, Instance):
            return self.call_instance(callee, args, kwargs, node)
        if isinstance(callee, _TensorMethod):
            return self.tensor_method(callee.tensor, callee.method, args, kwargs, node)
        if isinstance(callee, _ContainerMethod):
            if callee.container.kind == "KerasSequential" and callee.method == "add":
                self.keras_add(callee.container, args[0], node)
                return None
            return self.container_method(callee.container, callee.method, args, node)
        if isinstance(callee, _InstanceMethod):
            return self.instance_method(callee.instance, callee.method, args, kwargs, node)
        if isinstance(callee, _NoOp):
            return callee.result  # model.compile(...), model.summary(), model.to(device): no layer changes
        if isinstance(callee, _Build):
            self.keras_build(args, kwargs, node)
            return None
        if isinstance(callee, _LayerAttr):
            raise self.error(f"calling .{callee.attr} of a layer is not supported", node)
        raise self.error(f"calling {self.describe(callee)} is not supported", node)

    def call_instance(self, instance: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        base = instance.cls.framework_base() or ""
        if base == "torch.nn.Module":
            return self.call_torch_module(instance, args, kwargs, node)
        found, call = instance.cls.lookup("call")
        if not found or not isinstance(call, Function):
            raise self.error(f"{instance.cls.name} has no call method", node)
        if not _accepts(call, "training"):
            kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
        return self.call_function(call, args, kwargs, node, instance)

    def math_call(self, name: str, args: list[Any], node: ast.Call) -> Any:
        functions = {"sqrt": "sqrt", "ceil": "ceil", "floor": "floor", "log": "log", "log2": "log2", "prod": "prod"}
        if name not in functions or not all(isinstance(a, (int, float)) for a in args):
            raise self.error(f"math.{name}(...) is not supported", node)
        import math

        return self.bounded(getattr(math, functions[name])(*args), node)

    def keras_build(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> None:
        shape = args[0] if args else kwargs.get("input_shape")
        if not isinstance(shape, (list, tuple)) or len(shape) < 2 or \
                not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in shape):
            raise self.error(f"model.build needs a shape with the batch first, such as (None, 32, 32, 3); got {shape!r}", node)
        self.built_shape = (tuple(shape[1:]), f"{self.segment(node)} (line {node.lineno})")

    def framework_attr(self, value: Any, attr: str, node: ast.AST) -> Any:
        if attr == "build" and _is_model(value) and \
                ((value.cls.framework_base() or "") if isinstance(value, Instance) else "keras").startswith("keras"):
            return _Build()
        if _is_model(value) and attr in _TRAINING_METHODS:
            return _NoOp(value if attr in ("to", "cuda", "cpu", "train", "eval", "float", "double", "apply") else None)
        if isinstance(value, Tensor):
            return self.torch_tensor_attr(value, attr, node) if self.framework == "pytorch" else self.keras_tensor_attr(value, attr, node)
        if isinstance(value, Container):
            if attr in value.children and value.kind == "ModuleDict":
                return value.children[attr]
            return _ContainerMethod(value, attr)
        if isinstance(value, Instance):
            if attr == "training":
                return False
            return _InstanceMethod(value, attr)
        if isinstance(value, Layer):
            if attr == "bias" and (value.kwargs.get("bias") is False or value.kwargs.get("affine") is False):
                return None  # nn.Conv2d(..., bias=False).bias is None, as code that tests `if m.bias is not None` expects
            if attr in ("weight", "bias"):
                return Opaque(f"{value.name or value.type}.{attr}")
            if attr in value.kwargs and attr not in ("name",):
                return value.kwargs[attr]
            return _LayerAttr(value, attr)
        if isinstance(value, ParamTensor) and attr in ("shape",):
            return value.shape
        if isinstance(value, Opaque):
            return Opaque(f"{value.text}.{attr}", tensor=value.tensor)
        raise self.error(f"the attribute .{attr} of {self.describe(value)} is not supported", node)

    def keras_tensor_attr(self, tensor: Tensor, attr: str, node: ast.AST) -> Any:
        if attr == "shape":
            return (None, *tensor.shape)
        raise self.error(f"the attribute .{attr} of a Keras tensor is not supported", node)

    def framework_subscript(self, value: Any, index: Any, node: ast.AST) -> Any:
        if isinstance(value, Tensor) and self.framework == "pytorch":
            return self.torch_subscript(value, index, node)
        if isinstance(value, Container):
            keys = list(value.children)
            if isinstance(index, int) and not isinstance(index, bool) and -len(keys) <= index < len(keys):
                return value.children[keys[index]]
            if isinstance(index, str) and index in value.children:
                return value.children[index]
            if isinstance(index, slice):
                return Container(value.kind, {str(i): value.children[k] for i, k in enumerate(keys[index])}, value.line)
        if isinstance(value, Opaque):
            return Opaque(f"{value.text}[...]", tensor=value.tensor)
        raise self.error(f"indexing {self.describe(value)} with {index!r} is not supported", node)

    def framework_iter(self, value: Any, node: ast.AST) -> list[Any]:
        if isinstance(value, Opaque) and value.tensor:
            raise self.error(f"iterating over {value.text} depends on values known only when the model runs", node)
        raise self.error(f"iterating over {self.describe(value)} is not supported", node)

    def tensor_binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        tensors = [v for v in (left, right) if isinstance(v, (Tensor, ParamTensor))]
        if not tensors:
            return super().tensor_binop(op, left, right, node)
        if len(tensors) == 1:
            other = right if isinstance(left, (Tensor, ParamTensor)) else left
            if isinstance(other, (int, float)) and isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                return tensors[0]  # scaling or shifting by a number keeps shape and counts
            tensor = tensors[0]
            if isinstance(other, Opaque) and other.shape is not None and isinstance(tensor, Tensor) \
                    and tuple(other.shape) == tensor.shape and isinstance(op, (ast.Add, ast.Sub, ast.Mult)):
                return tensor  # eps * std with eps = torch.randn_like(std): the same shape, nothing counted
            raise self.error(f"the operator {type(op).__name__} on a tensor and {self.describe(other)} is not supported", node)
        if self.framework == "keras":
            return self.keras_binop(op, left, right, node)  # type: ignore[arg-type]
        kinds = {ast.Add: "torch.add", ast.Sub: "torch.sub", ast.Mult: "torch.mul"}
        kind = kinds.get(type(op))
        if kind is None:
            raise self.error(f"the operator {type(op).__name__} between tensors is not supported (supported: + - *)", node)
        a, b = self.as_tensor(left, node), self.as_tensor(right, node)
        return self.emit_op(kind, {}, [a, b], node, kind.rpartition(".")[2])

    def set_instance_attr(self, owner: Instance, attr: str, value: Any, node: ast.AST) -> None:
        if (owner.cls.framework_base() or "") == "torch.nn.Module":
            self.register_child(owner, attr, value, node)
        else:
            owner.attrs[attr] = value

    def new_instance(self, instance: Instance, node: ast.AST) -> None:
        base = instance.cls.framework_base() or ""
        if base.startswith("keras"):
            instance.path = self.keras_auto_name(instance.cls.name)

    def framework_init(self, instance: Instance, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> None:
        base = instance.cls.framework_base() or ""
        if base.startswith("keras") and isinstance(kwargs.get("name"), str):
            instance.path = kwargs["name"]

    def bare_name(self, name: str, node: ast.AST) -> Any:
        from quizgen.codeio import signatures as sg

        if name in sg.PYTORCH and self.framework_guess == "pytorch":
            return Ref(f"torch.nn.{name}")
        if name in ("Sequential", "Input", "Model") or name in sg.KERAS or name in sg.KERAS_ALIASES:
            prefix = "keras" if name in ("Sequential", "Input", "Model") else "keras.layers"
            return Ref(f"{prefix}.{name}")
        return super().bare_name(name, node)

    def _isinstance(self, node: ast.AST, args: list[Any], kwargs: dict[str, Any]) -> bool:
        value, kinds = args
        kinds_list = list(kinds) if isinstance(kinds, tuple) else [kinds]
        framework = [k for k in kinds_list if isinstance(k, Ref)]
        rest = tuple(k for k in kinds_list if not isinstance(k, Ref))
        for kind in framework:
            short = kind.qualname.rpartition(".")[2]
            if isinstance(value, Layer) and value.type == short:
                return True
            if isinstance(value, Container) and value.kind == short:
                return True
            if kind.qualname == "torch.nn.Module" and self.is_module(value):
                return True
        return bool(rest) and super()._isinstance(node, [value, rest], kwargs)

    framework_guess = "pytorch"


# What training scripts call on a model: nothing here adds, removes or changes a layer.
_TRAINING_METHODS = frozenset({"compile", "summary", "fit", "evaluate", "predict", "save", "save_weights", "load_weights", "to",
                               "cuda", "cpu", "train", "eval", "float", "double", "load_state_dict", "zero_grad", "apply"})


class _Build:
    """A Keras model's build method: it changes no layer, and its shape is the input shape of a subclassed model."""

    __slots__ = ()


class _NoOp:
    __slots__ = ("result",)

    def __init__(self, result: Any) -> None:
        self.result = result


class _ContainerMethod:
    __slots__ = ("container", "method")

    def __init__(self, container: Container, method: str) -> None:
        self.container, self.method = container, method


class _InstanceMethod:
    __slots__ = ("instance", "method")

    def __init__(self, instance: Instance, method: str) -> None:
        self.instance, self.method = instance, method


class _LayerAttr:
    __slots__ = ("attr", "layer")

    def __init__(self, layer: Layer, attr: str) -> None:
        self.layer, self.attr = layer, attr


def _accepts(function: Function, name: str) -> bool:
    args = function.node.args
    return any(a.arg == name for a in args.args + args.kwonlyargs) or args.kwarg is not None


# -- choosing the model -------------------------------------------------------------------------
def _is_model(value: Any) -> bool:
    if isinstance(value, Instance):
        return (value.cls.framework_base() or "") in _MODEL_BASES
    return isinstance(value, KerasModel) or (isinstance(value, Container) and value.kind in ("Sequential", "KerasSequential"))


def _candidates(interp: ModelInterpreter) -> list[str]:
    """Top-level model classes and builder functions that no other candidate uses."""
    names: list[str] = []
    for stmt in interp.tree.body:
        value = interp.globals.get(getattr(stmt, "name", ""))
        model_class = isinstance(stmt, ast.ClassDef) and isinstance(value, UserClass) and (value.framework_base() or "") in _MODEL_BASES
        builder = isinstance(stmt, ast.FunctionDef) and isinstance(value, Function) and _returns(stmt) \
            and _builds_model(stmt, interp)
        if model_class or builder:
            names.append(getattr(stmt, "name", ""))
    used: set[str] = set()
    for stmt in interp.tree.body:
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef)) and stmt.name in names:
            used |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id != stmt.name}
    return [n for n in names if n not in used]


def _returns(stmt: ast.FunctionDef) -> bool:
    """A builder returns what it builds; test() functions that build and print a model are no candidates."""
    return any(isinstance(node, ast.Return) and node.value is not None for node in ast.walk(stmt))


def _builds_model(stmt: ast.FunctionDef, interp: ModelInterpreter, seen: set[int] | None = None) -> bool:
    seen = seen if seen is not None else set()
    if id(stmt) in seen:
        return False
    seen.add(id(stmt))
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id if isinstance(node.func, ast.Name) else ""
            value = interp.globals.get(name)
            if name in ("Model", "Sequential") or (isinstance(value, UserClass) and (value.framework_base() or "") in _MODEL_BASES):
                return True
            if isinstance(value, Function) and _builds_model(value.node, interp, seen):
                return True
    return False


def _choose(interp: ModelInterpreter, model: str | None, arguments: dict[str, str]) -> Any:
    where = Location(file=interp.filename)
    kwargs = {key: _option_value(interp, text, f"--arg {key}") for key, text in arguments.items()}
    if model is not None:
        value = _option_value(interp, model, "--model")
        if isinstance(value, (UserClass, Function)):
            try:
                value = interp.call(value, [], kwargs, _option_node(model))
            except CodeReadError as error:
                if error.location.line != 1 or error.location.column != 1:
                    raise  # located in the file: the fault is there
                raise CodeReadError(f"--model {model}: {error.bare_message}; give the arguments as --model '{model}(...)' "
                                    "or --arg name=value", where) from None
        elif kwargs:
            raise CodeReadError("--arg applies to --model NAME (a class or function); here --model already calls it", where)
        if not _is_model(value):
            raise CodeReadError(f"--model {model}: gives {interp.describe(value)}, not a model", where)
        return value
    found = [(name, value) for name, value in interp.globals.items() if _is_model(value)]
    distinct = list({id(value): (name, value) for name, value in found}.values())
    inside = {id(part) for _, value in distinct for part in interp.all_modules(value)[1:]}
    distinct = [(name, value) for name, value in distinct if id(value) not in inside]  # b1 = Sequential(...) used by net
    if len(distinct) == 1 and not kwargs:
        return distinct[0][1]
    candidates = _candidates(interp)
    if len(distinct) > 1:
        candidates = [name for name, _ in distinct]
    if len(candidates) == 1 and not distinct:
        callee = interp.globals[candidates[0]]
        stmt = next(s for s in interp.tree.body if getattr(s, "name", None) == candidates[0])
        try:
            call_at = ast.Call(ast.Name(candidates[0]), [], [], lineno=stmt.lineno, col_offset=stmt.col_offset)
            return interp.call(callee, [], kwargs, call_at)
        except CodeReadError as error:
            if "needs the argument" in error.bare_message:
                raise CodeReadError(f"{error.bare_message}: the model {candidates[0]} takes arguments; give them with "
                                    f"--arg name=value or --model '{candidates[0]}(...)'", error.location) from None
            raise
    if not candidates:
        raise CodeReadError("no model found: no nn.Module or keras.Model class, no builder function, no model variable", where)
    raise CodeReadError(f"found several models: {', '.join(candidates)}; choose one with --model NAME (arguments: "
                        f"--model 'NAME(...)' or --arg key=value)", where)


def _option_node(text: str) -> ast.Call:
    return ast.Call(ast.Name("model"), [], [], lineno=1, col_offset=0)


def _option_value(interp: ModelInterpreter, text: str, option: str) -> Any:
    """--model and --arg values, read by the same safe interpreter (names refer to the file)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise CodeReadError(f"{option} {text!r} is not a Python expression: {error.msg}", Location(file=interp.filename)) from None
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            node.lineno, node.col_offset = 1, 0  # type: ignore[attr-defined]
    try:
        return interp.eval(tree.body, {})
    except CodeReadError as error:
        if error.location.line == 1 and error.location.column == 1:
            raise CodeReadError(f"{option} {text!r}: {error.bare_message}", Location(file=interp.filename)) from None
        raise


# -- tracing ------------------------------------------------------------------------------------
def read_graph_model(source: str, filename: str, input_shape: Sequence[int | None] | None = None, *,
                     model: str | None = None, arguments: dict[str, str] | None = None,
                     code_shape: list[int | None] | None = None, code_shape_source: str = "") -> GraphRead:
    try:
        return _read(source, filename, input_shape, model, arguments, code_shape, code_shape_source)
    except RecursionError:  # Python's own stack, before MAX_CALL_DEPTH: expressions nested inside deep calls
        raise CodeReadError("the code nests calls and expressions too deeply to read; this is not supported",
                            Location(file=filename)) from None


def _read(source: str, filename: str, input_shape: Sequence[int | None] | None, model: str | None,
          arguments: dict[str, str] | None, code_shape: list[int | None] | None, code_shape_source: str = "") -> GraphRead:
    override = tuple(input_shape) if input_shape is not None else None
    interp = ModelInterpreter(source, filename, override)
    interp.framework_guess = _guess(interp)
    interp.run_module()
    chosen = _choose(interp, model, arguments or {})
    label = _model_label(interp, model, chosen)
    inputs: list[Tensor]
    if isinstance(chosen, KerasModel):
        interp.framework = "keras"
        inputs, outputs = list(chosen.inputs), list(chosen.outputs)
        if len(interp.nodes) == 0:
            raise CodeReadError("the model has no layers", Location(file=filename))
        return _finish(interp, inputs, outputs, label)
    is_torch = (isinstance(chosen, Instance) and chosen.cls.framework_base() == "torch.nn.Module") or \
        (isinstance(chosen, Container) and chosen.kind == "Sequential")
    interp.framework = "pytorch" if is_torch else "keras"
    counters = interp.keras_counters
    interp.init_graph()
    # Keras counts auto-names per session: the layers __init__ made keep theirs, and a layer made while the model
    # is called (keras.activations.relu(x), an Add) continues the count instead of taking one of those names again.
    interp.keras_counters = counters
    shape = _input_shape(interp, override, code_shape, chosen, code_shape_source)
    call_node = ast.Call(ast.Name("model"), [], [], lineno=getattr(chosen, "line", 1), col_offset=0)
    if isinstance(chosen, Instance):
        call_node.lineno = chosen.cls.node.lineno
    if is_torch:
        root_name = _forward_input_name(chosen)
        tensor = interp.add_input(root_name, shape)
        if isinstance(chosen, Instance):
            interp.assign_paths(chosen)
            found, forward = chosen.cls.lookup("forward")
            if not found:
                raise CodeReadError(f"{chosen.cls.name} has no forward method", Location(file=filename))
            result = interp.call(BoundMethod(forward, chosen), [tensor], {}, call_node)
            interp.unused_weights(chosen)
        else:
            for index, child in enumerate(chosen.children.values()):
                _name_tree(interp, child, str(index))
            chosen.name = ""
            result = tensor
            for child in chosen.children.values():  # the model itself is no enclosing block
                result = interp.call(child, [result], {}, call_node)
    else:
        tensor = interp.add_input("input", shape)
        result = interp.call(chosen, [tensor], {}, call_node)
    outputs = _outputs(result, interp, call_node)
    return _finish(interp, [tensor], outputs, label)


def _model_label(interp: ModelInterpreter, model: str | None, chosen: Any) -> str:
    """The model's name for titles: --model's name (ResNet18 of 'ResNet18()'), else a Keras model's own
    name=, the chosen object's class, the variable it is bound to, or the builder function that makes it;
    "" when none of these."""
    if model is not None:
        found = re.match(r"\s*([A-Za-z_][\w.]*)", model)
        return found.group(1).rpartition(".")[2] if found else ""
    if isinstance(chosen, (KerasModel, Container)) and chosen.title:
        return chosen.title
    if isinstance(chosen, Instance):
        return chosen.cls.name
    variable = next((name for name, value in interp.globals.items() if value is chosen), None)
    if variable is not None:  # discriminator = keras.Sequential([...])
        return variable
    candidates = _candidates(interp)
    return candidates[0] if len(candidates) == 1 else ""


def _name_tree(interp: ModelInterpreter, module: Any, path: str) -> None:
    if isinstance(module, Instance):
        interp.assign_paths(module)
        module.path = path
        for m in interp.all_modules(module)[1:]:
            if isinstance(m, (Layer, Container)) and m.name is not None:
                m.name = f"{path}.{m.name}"
            elif isinstance(m, Instance) and m.path is not None:
                m.path = f"{path}.{m.path}"
    elif isinstance(module, Container):
        module.name = path
        for key, child in module.children.items():
            _name_tree(interp, child, f"{path}.{key}")
    elif isinstance(module, Layer):
        module.name = path


def _outputs(result: Any, interp: ModelInterpreter, node: ast.AST) -> list[Tensor]:
    values = list(result) if isinstance(result, (list, tuple)) else list(result.values()) if isinstance(result, dict) else [result]
    outputs: list[Tensor] = []
    for value in values:
        if isinstance(value, Tensor):
            outputs.append(value)
        elif isinstance(value, Opaque) and value.tensor:
            continue  # a recurrent state returned beside the output is not a node of the graph
        else:
            raise interp.error(f"the model returns {interp.describe(value)}, not a tensor", node)
    if not outputs:
        raise interp.error("the model returns no tensor", node)
    return outputs


def _finish(interp: ModelInterpreter, inputs: list[Tensor], outputs: list[Tensor], label: str = "") -> GraphRead:
    if not interp.nodes:
        raise CodeReadError("the model has no layers (forward returns its input)", Location(file=interp.filename))
    mapping, lines = interp.spec_mapping(inputs, outputs)
    return GraphRead(mapping, tuple(lines), tuple(interp.notes), label)


def _forward_input_name(chosen: Any) -> str:
    if isinstance(chosen, Instance):
        found, forward = chosen.cls.lookup("forward")
        if found and isinstance(forward, Function):
            params = [a.arg for a in forward.node.args.posonlyargs + forward.node.args.args][1:]
            if params:
                return params[0]
    return "x"


def _input_shape(interp: ModelInterpreter, override: tuple[int | None, ...] | None, code_shape: list[int | None] | None,
                 chosen: Any, code_shape_source: str = "") -> tuple[int | None, ...]:
    if override is not None:
        interp.note(f"input shape {list(override)} from --input-shape")
        return override
    if isinstance(chosen, Container) and chosen.kind == "KerasSequential":
        first = next(iter(chosen.children.values()), None)
        if isinstance(first, Tensor):
            del chosen.children["input"]
            interp.note(f"input shape {list(first.shape)} from keras.Input")
            return first.shape
        if isinstance(first, Layer):
            for key in ("input_shape", "batch_input_shape", "input_dim"):
                if first.kwargs.get(key) is not None and not (key == "input_dim" and first.type == "Embedding"):
                    value = first.kwargs[key]
                    shape = tuple([value] if isinstance(value, int) else value[1:] if key.startswith("batch") else value) \
                        if isinstance(value, (int, list, tuple)) else ()
                    if not shape or not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in shape):
                        where = ast.Constant(0, lineno=first.line, col_offset=first.column)
                        raise interp.error(f"an input shape must be a list of sizes (int or None), got {value!r}", where)
                    interp.note(f"input shape {list(shape)} from {key}= of the first layer")
                    return shape
    if code_shape is not None:
        interp.note(f"input shape {code_shape} from {code_shape_source or 'an example input or comment in the code'}")
        return tuple(code_shape)
    if interp.built_shape is not None:
        built, built_from = interp.built_shape
        interp.note(f"input shape {list(built)} from {built_from}")
        return built
    raise CodeReadError(f"{NO_INPUT_SHAPE}; pass --input-shape (e.g. --input-shape 3,32,32)",
                        Location(file=interp.filename))


def _guess(interp: ModelInterpreter) -> str:
    text = interp.text
    return "pytorch" if text.count("torch") > text.count("keras") else "keras"


_ = (External, _BoundBuiltin, _Builtin)
