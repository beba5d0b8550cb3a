"""PyTorch semantics for the safe interpreter: modules, containers and ``forward`` traced into a graph.

``__init__`` builds the module tree (``nn.Conv2d(...)`` is a `Layer`, ``nn.Sequential`` /
``nn.ModuleList`` / ``nn.ModuleDict`` are `Container`s, the file's ``nn.Module`` subclasses
are `Instance`s); assignments to ``self`` register children in order, as PyTorch does, so
each module gets its ``named_modules()`` path (``layer1.0.conv1``). ``forward`` then runs on
symbolic tensors: every module call and tensor operation becomes a named graph node, solved
at once so that ``x.size(1)`` and ``x.shape`` are known.
"""

from __future__ import annotations

__all__ = ["TorchSemantics"]

import ast
import difflib
from typing import Any

from quizgen.codeio import signatures as sg
from quizgen.codeio.graph import GraphBuilder
from quizgen.codeio.values import BATCH, Batch, Container, Instance, Layer, Opaque, ParamTensor, Ref, Tensor, UserClass

_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})
_FACTORIES = frozenset({"zeros", "ones", "randn", "rand", "empty", "Tensor", "FloatTensor", "tensor"})
_LIKE = frozenset({"zeros_like", "ones_like", "randn_like", "rand_like", "empty_like"})
# Element-wise math without weights: the shape and every count stay as they are, so no node is
# added (as for scaling by a number); VAEs write std = torch.exp(0.5 * logvar).
_ELEMENTWISE = frozenset({"exp", "log", "sqrt", "abs", "neg", "sin", "cos", "pow", "square", "rsqrt", "log1p", "expm1", "clamp"})
_TORCH_ACTIVATIONS = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax", "log_softmax": "LogSoftmax"}
_SHAPE_ONLY = frozenset({"squeeze", "unsqueeze"})
_IDENTITY_METHODS = frozenset({"contiguous", "clone", "detach", "float", "to", "cpu", "cuda", "requires_grad_"})


class TorchSemantics(GraphBuilder):
    """Mixin for `Interpreter`: the PyTorch calls, attributes and operators."""

    # -- construction -----------------------------------------------------------------------
    def torch_call(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        head, _, attr = name.rpartition(".")
        if head == "torch.nn" and attr in _CONTAINERS:
            return self.torch_container(attr, args, kwargs, node)
        if head == "torch.nn" and attr == "Parameter":
            return self.torch_parameter(args, kwargs, node)
        if head == "torch.nn" and self.kind_of("pytorch", attr) is not None:
            return self.make_layer("pytorch", attr, args, kwargs, node)
        if head == "torch.nn.init":
            return None  # initializers change no count
        if head == "torch" and attr in _FACTORIES:
            return self.torch_factory(attr, args, kwargs, node)
        if head == "torch" and attr in _LIKE and args and isinstance(args[0], Tensor):
            # noise or a constant shaped like a model tensor: combined with it element-wise, it changes nothing counted
            return Opaque(f"torch.{attr}({args[0].name})", tensor=True, shape=args[0].shape)
        if name in ("torch.cuda.is_available", "torch.backends.mps.is_available"):
            self.note("torch.cuda.is_available() is read as False (quizgen reads the model as it runs on the CPU)")
            return False
        if name == "torch.device":
            return Opaque(self.segment(node))
        if any(isinstance(a, (Tensor, ParamTensor)) for a in [*args, *kwargs.values()]) or \
                (args and isinstance(args[0], (list, tuple)) and any(isinstance(a, Tensor) for a in args[0])):
            return self.torch_op(name, args, kwargs, node)
        written = self.segment(node.func)
        hint = ""
        if head == "torch.nn" and (close := difflib.get_close_matches(attr, [*sg.PYTORCH, *_CONTAINERS], n=1, cutoff=0.8)):
            hint = f" (did you mean {written.rpartition('.')[0]}.{close[0]}?)"  # a typo such as nn.Linaer
        raise self.error(f"the call {written}(...) is not supported here{hint}", node)

    def torch_container(self, kind: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Container:
        if kwargs:
            raise self.error(f"nn.{kind}(...) takes no keyword arguments here", node)
        children: dict[str, Any] = {}
        if kind == "Sequential":
            children = dict(args[0]) if len(args) == 1 and isinstance(args[0], dict) else {str(i): m for i, m in enumerate(args)}
        elif args:
            if len(args) != 1:
                raise self.error(f"nn.{kind}(...) takes one list", node)
            items = args[0]
            children = {str(k): v for k, v in items.items()} if kind == "ModuleDict" and isinstance(items, dict) \
                else {str(i): m for i, m in enumerate(self._iterable(items, node))}
        for key, child in children.items():
            self.check_module(child, node, f"nn.{kind} item {key}")
        return Container(kind, children, node.lineno)

    def check_module(self, value: Any, node: ast.AST, what: str) -> None:
        if not self.is_module(value):
            raise self.error(f"{what} must be a module such as nn.ReLU(), got {self.describe(value)}", node)

    def is_module(self, value: Any) -> bool:
        return (isinstance(value, Layer) and value.framework == "pytorch") or isinstance(value, Container) or (
            isinstance(value, Instance) and value.cls.framework_base() == "torch.nn.Module")

    def torch_factory(self, attr: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Opaque:
        sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
        shape = tuple(d for d in sizes if isinstance(d, int) and not isinstance(d, bool)) \
            if all(isinstance(d, int) and not isinstance(d, bool) for d in sizes) else None
        return Opaque(self.segment(node), tensor=True, shape=shape)

    def torch_parameter(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> ParamTensor:
        data = args[0] if args else kwargs.get("data")
        if not isinstance(data, Opaque) or data.shape is None:
            raise self.error("nn.Parameter(...) needs a tensor of a size known here, such as torch.zeros(1, 1, 768)", node)
        requires_grad = args[1] if len(args) > 1 else kwargs.get("requires_grad", True)
        return ParamTensor(tuple(d for d in data.shape if d is not None), node.lineno, bool(requires_grad))

    # -- module registration -------------------------------------------------------------------
    def register_child(self, owner: Instance | Container, key: str, value: Any, node: ast.AST) -> None:
        modules = owner.modules if isinstance(owner, Instance) else owner.children
        if isinstance(owner, Instance) and isinstance(value, ParamTensor):
            owner.params[key] = value
            owner.attrs.pop(key, None)
            return
        if self.is_module(value):
            modules[key] = value  # a re-assigned name keeps its place, as in nn.Module.__setattr__
            if isinstance(owner, Instance):
                owner.attrs.pop(key, None)
        elif isinstance(owner, Instance):
            if key in modules and value is not None:
                raise self.error(f"self.{key} was a module and is replaced by {self.describe(value)}; this is not supported", node)
            if key in modules:
                modules[key] = None
            else:
                owner.attrs[key] = value

    def container_method(self, container: Container, method: str, args: list[Any], node: ast.Call) -> Any:
        if method in ("append", "add_module", "extend", "insert"):
            if method == "add_module":
                key, module = args
                self.check_module(module, node, "add_module(...)")
                container.children[str(key)] = module
            elif method == "append":
                self.check_module(args[0], node, f"{container.kind}.append(...)")
                container.children[str(len(container.children))] = args[0]
            elif method == "extend":
                for module in self._iterable(args[0], node):
                    self.check_module(module, node, f"{container.kind}.extend(...)")
                    container.children[str(len(container.children))] = module
            else:
                raise self.error(f"{container.kind}.insert(...) is not supported", node)
            return None
        if method in ("items", "keys", "values") and container.kind == "ModuleDict":
            return list(getattr(container.children, method)())
        if method == "children":
            return list(container.children.values())
        raise self.error(f"{container.kind}.{method}(...) is not supported", node)

    def instance_method(self, instance: Instance, method: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if method in ("add_module", "register_module"):
            key, module = args
            self.check_module(module, node, f"{method}(...)")
            self.register_child(instance, str(key), module, node)
            return None
        if method == "register_buffer":
            return None  # buffers are not parameters
        if method == "register_parameter":
            key, param = args
            if param is not None:
                self.register_child(instance, str(key), param, node)
            return None
        if method == "modules":
            return self.all_modules(instance)
        if method == "children":
            return [m for m in instance.modules.values() if m is not None]
        if method in ("apply",):
            return instance
        close = difflib.get_close_matches(method, [*instance.modules, *instance.attrs], n=1)
        hint = f" (did you mean self.{close[0]}?)" if close else ""  # a typo such as self.haed(x) for self.head
        raise self.error(f"self.{method}(...) is not supported{hint}", node)

    def all_modules(self, root: Any) -> list[Any]:
        out: list[Any] = []
        seen: set[int] = set()

        def walk(module: Any) -> None:
            if module is None or id(module) in seen:
                return
            seen.add(id(module))
            out.append(module)
            children = module.modules if isinstance(module, Instance) else module.children if isinstance(module, Container) else {}
            for child in children.values():
                walk(child)

        walk(root)
        return out

    def assign_paths(self, root: Instance) -> None:
        """Each module's named_modules() path: the first path under which it is registered."""
        seen: set[int] = set()

        def walk(module: Any, path: str) -> None:
            if module is None or id(module) in seen:
                return
            seen.add(id(module))
            if isinstance(module, (Layer, Container)):
                module.name = path
            elif isinstance(module, Instance):
                module.path = path
                for key, param in module.params.items():
                    param.node = None
                    self.param_paths[id(param)] = f"{path}.{key}" if path else key
            children = module.modules if isinstance(module, Instance) else module.children if isinstance(module, Container) else {}
            for key, child in children.items():
                walk(child, f"{path}.{key}" if path else key)

        walk(root, "")

    def unused_weights(self, root: Instance) -> None:
        """PyTorch's parameters() counts every registered module: one that forward never calls is refused."""
        for module in self.all_modules(root):
            if isinstance(module, Layer) and module.calls == 0 and self.layer_has_weights(module):
                raise self.error(f"{module.name} ({module.type}) has weights, but forward never calls it; PyTorch counts them in "
                            "parameters(), a graph cannot place them", ast.Constant(0, lineno=module.line, col_offset=0))

    # -- forward -------------------------------------------------------------------------------
    def call_torch_module(self, module: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(module, Layer):
            return self.call_torch_layer(module, args, kwargs, node)
        if isinstance(module, Container):
            if module.kind != "Sequential":
                raise self.error(f"an nn.{module.kind} is not callable; call its items", node)
            if len(args) != 1 or kwargs:
                raise self.error("an nn.Sequential takes one input", node)
            value = args[0]
            self.within.append((module.name or "", "Sequential"))
            try:
                for child in module.children.values():
                    value = self.call_torch_module(child, [value], {}, node)
            finally:
                self.within.pop()
            return value
        assert isinstance(module, Instance)
        found, forward = module.cls.lookup("forward")
        if not found:
            raise self.error(f"{module.cls.name} has no forward method", node)
        self.within.append((module.path or "", module.cls.name))
        try:
            return self.call(forward if not hasattr(forward, "node") else _bind(forward, module), args, kwargs, node)
        finally:
            self.within.pop()

    def call_torch_layer(self, layer: Layer, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if not args or not isinstance(args[0], (Tensor, ParamTensor)):
            raise self.error(f"{layer.name or layer.type} must be called on a tensor", node)
        first = self.as_tensor(args[0], node)
        extra = list(args[1:]) + list(kwargs.values())
        inputs = [first]
        if layer.type == "MultiheadAttention":
            inputs = [self.as_tensor(a, node) for a in args[:3]]
            extra = [v for k, v in kwargs.items() if k not in ("need_weights",)]
        for value in extra:
            state = isinstance(value, tuple) and all(isinstance(v, Opaque) for v in value)
            if not (value is None or isinstance(value, (bool, Opaque)) or state):
                raise self.error(f"{layer.name}(...) is called with {self.describe(value)}; supported: the input tensor and an "
                            "initial state built in forward (or None)", node)
        if layer.calls and self.layer_has_weights(layer):
            shown = f"self.{layer.name}" if layer.name and "." not in layer.name else layer.name
            raise self.error(f"{shown} is called a second time: the calls share its weights, which PyTorch counts once and a "
                        "graph of one node per call cannot express; supported: layers with weights called once", node)
        name = self.fresh(layer.name or self.torch_auto_name(layer.type))
        layer.calls += 1
        out = self.emit(layer.type, layer.kwargs, layer.line, name, [t.name for t in inputs])
        if layer.name is None and self.nodes[-1].params:
            raise self.error(f"this {layer.type} has weights but is not a registered submodule (kept in a plain list or dict, or "
                             "built in forward), so PyTorch's parameters() leaves them out; use nn.ModuleList / nn.ModuleDict "
                             "or assign it to self", node)
        layer.first_node = layer.first_node or name
        if layer.type in sg.TUPLE_OUTPUT:
            hidden: Any = (Opaque(f"{name} state h", tensor=True), Opaque(f"{name} state c", tensor=True)) \
                if layer.type == "LSTM" else Opaque(f"{name} state", tensor=True)
            return (out, hidden)
        return out

    def as_tensor(self, value: Any, node: ast.AST) -> Tensor:
        if isinstance(value, Tensor):
            return value
        if isinstance(value, ParamTensor):
            if value.node is None:
                path = self.param_paths.get(id(value), "parameter")
                value.node = self.fresh(path)
                tensor = self.emit("Parameter", {"shape": [1, *value.shape[1:]] if value.shape and value.shape[0] == 1
                                                  else list(value.shape), "requires_grad": value.requires_grad},
                                   value.line, value.node, [])
                self.param_tensors[id(value)] = tensor
            return self.param_tensors[id(value)]
        raise self.error(f"expected a tensor of the model, got {self.describe(value)}", node)

    # -- tensor operations -----------------------------------------------------------------------
    def torch_op(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        head, _, attr = name.rpartition(".")
        if head == "torch.nn.functional" and attr in sg.FUNCTIONAL:
            return self.functional(attr, args, kwargs, node)
        if head == "torch" and attr in _TORCH_ACTIVATIONS:
            return self.functional(attr, args, kwargs, node)
        if head == "torch" and attr in ("cat", "concat", "stack"):
            tensors = args[0] if args else kwargs.pop("tensors", None)
            if not isinstance(tensors, (list, tuple)):
                raise self.error(f"torch.{attr} takes a list of tensors", node)
            dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
            kind = "torch.stack" if attr == "stack" else "torch.cat"
            return self.emit_op(kind, {"dim": dim}, [self.as_tensor(t, node) for t in tensors], node, attr)
        if head == "torch" and attr in ("add", "sub", "mul") and len(args) == 2 and all(isinstance(a, Tensor) for a in args):
            return self.emit_op(f"torch.{attr}", {}, list(args), node, attr)
        if head == "torch" and args and isinstance(args[0], Tensor):
            return self.tensor_method(args[0], attr, args[1:], kwargs, node)
        raise self.error(f"the tensor operation {self.segment(node.func)}(...) is not supported", node)

    def functional(self, attr: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Tensor:
        fn = sg.FUNCTIONAL.get(attr) or sg.Functional(_TORCH_ACTIVATIONS[attr], ("dim",))
        tensor = self.as_tensor(args[0] if args else kwargs.pop("input", None), node)
        values: dict[str, Any] = {}
        for parameter, value in [*zip(fn.positional, args[1:], strict=False), *kwargs.items()]:
            if parameter not in fn.positional:
                raise self.error(f"F.{attr} has no argument {parameter!r}", node)
            if parameter not in fn.dropped and parameter != "inplace":
                values[parameter] = self.plain(value, parameter, node)
        return self.emit_op(fn.layer, values, [tensor], node, attr)

    def tensor_method(self, tensor: Tensor, method: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if method in ("view", "reshape"):
            sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
            if not sizes or any(isinstance(s, Batch) for s in sizes[1:]) or not all(isinstance(s, (int, Batch)) for s in sizes):
                raise self.error(f"{method}(...) takes the batch size (or -1) first, then integer sizes", node)
            shape = [-1] + [int(s) for s in sizes[1:] if isinstance(s, int)]
            return self.emit_op("torch.reshape", {"shape": shape}, [tensor], node, method)
        if method == "flatten":
            start = args[0] if args else kwargs.get("start_dim", 0)
            end = args[1] if len(args) > 1 else kwargs.get("end_dim", -1)
            return self.emit_op("torch.flatten", {"start_dim": start, "end_dim": end}, [tensor], node, "flatten")
        if method in _IDENTITY_METHODS or method in _ELEMENTWISE:
            return tensor
        if method in ("size", "dim"):
            full: tuple[Any, ...] = (BATCH, *tensor.shape)
            if method == "dim":
                return len(full)
            if args:
                index = args[0]
                if not isinstance(index, int) or not -len(full) <= index < len(full):
                    raise self.error(f"size({index!r}) is out of range for a tensor of rank {len(full)}", node)
                return full[index]
            return full
        if method in ("mean",):
            dim = args[0] if args else kwargs.get("dim")
            if dim is None:
                raise self.error("mean() over every dimension leaves no batch; give dim=", node)
            keepdim = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
            return self.emit_op("torch.mean", {"dim": dim, "keepdim": keepdim}, [tensor], node, "mean")
        if method == "permute":
            dims = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
            return self.emit_op("torch.permute", {"dims": dims}, [tensor], node, "permute")
        if method == "transpose":
            return self.emit_op("torch.transpose", {"dim0": args[0], "dim1": args[1]}, [tensor], node, "transpose")
        if method in _SHAPE_ONLY:
            return self.shape_only(tensor, method, args, kwargs, node)
        if method in _TORCH_ACTIVATIONS:
            return self.functional(method, [tensor, *args], kwargs, node)
        raise self.error(f"the tensor method .{method}(...) is not supported", node)

    def shape_only(self, tensor: Tensor, method: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Tensor:
        """squeeze/unsqueeze: a reshape to the shape they give (the shape is known here)."""
        full = [*tensor.shape]
        dim = args[0] if args else kwargs.get("dim")
        if not isinstance(dim, int) or any(d is None for d in full):
            raise self.error(f"{method}(dim) with an integer dim on a tensor of known shape is supported", node)
        rank = len(full) + 1 + (1 if method == "unsqueeze" else 0)
        index = dim + rank if dim < 0 else dim
        if not 1 <= index < rank:
            raise self.error(f"{method}({dim}) touches the batch dimension or is out of range", node)
        if method == "unsqueeze":
            full.insert(index - 1, 1)
        elif full[index - 1] == 1:
            del full[index - 1]
        if not full:
            raise self.error(f"{method}({dim}) leaves one number per sample (shape [batch]); quizgen's shapes need a dimension "
                             "besides the batch: read the model without this last step", node)
        return self.emit_op("torch.reshape", {"shape": [-1, *full]}, [tensor], node, method)

    def narrow(self, tensor: Tensor, dim: int, part: slice, node: ast.AST) -> Tensor:
        """x[:, :c] and x[:, c:]: torch.narrow with the bounds the known size gives."""
        size = tensor.shape[dim - 1] if dim - 1 < len(tensor.shape) else None
        bounds = _narrow_bounds(part, size) if isinstance(size, int) else None
        if bounds is None:
            raise self.error("slicing a tensor is supported as x[:, a:b] with a step of 1 on a dimension of known size", node)
        return self.emit_op("torch.narrow", {"dim": dim, "start": bounds[0], "length": bounds[1]}, [tensor], node, "narrow")

    def torch_tensor_attr(self, tensor: Tensor, attr: str, node: ast.AST) -> Any:
        if attr == "shape":
            return (BATCH, *tensor.shape)
        if attr == "ndim":
            return len(tensor.shape) + 1
        if attr == "is_cuda":
            self.note("x.is_cuda is read as False (quizgen reads the model as it runs on the CPU)")
            return False
        if attr in ("device", "dtype"):
            return Opaque(f"{tensor.name}.{attr}")
        return _TensorMethod(tensor, attr)

    def torch_subscript(self, tensor: Tensor, index: Any, node: ast.AST) -> Tensor:
        """x[:, 0] and out[:, -1, :]: one integer index after full slices is torch.select."""
        parts = list(index) if isinstance(index, tuple) else [index]
        full = slice(None)
        sliced = [(i, p) for i, p in enumerate(parts) if isinstance(p, slice) and p != full]
        if parts and parts[0] == full and len(sliced) == 1 and all(p == full for i, p in enumerate(parts) if i != sliced[0][0]):
            return self.narrow(tensor, sliced[0][0], sliced[0][1], node)
        if not parts or parts[0] != full:
            raise self.error("indexing a tensor is supported as x[:, i] or x[:, -1, :] (the batch stays whole)", node)
        integers = [(i, p) for i, p in enumerate(parts) if isinstance(p, int) and not isinstance(p, bool)]
        if len(integers) != 1 or any(p != full for i, p in enumerate(parts) if i != integers[0][0]):
            raise self.error("indexing a tensor is supported as x[:, i] or x[:, -1, :] (one integer index, other dimensions whole)",
                        node)
        dim, position = integers[0]
        return self.emit_op("torch.select", {"dim": dim, "index": position}, [tensor], node, "select")


def _narrow_bounds(part: slice, size: int) -> tuple[int, int] | None:
    start, stop, step = part.indices(size)
    return (start, stop - start) if step == 1 and stop > start else None


class _TensorMethod:
    __slots__ = ("method", "tensor")

    def __init__(self, tensor: Tensor, method: str) -> None:
        self.tensor = tensor
        self.method = method


def _bind(function: Any, instance: Instance) -> Any:
    from quizgen.codeio.values import BoundMethod

    return BoundMethod(function, instance)


def is_torch_class(cls: UserClass) -> bool:
    return cls.framework_base() == "torch.nn.Module"


__all__ += ["is_torch_class"]
_ = Ref
