"""PyTorch models: ``nn.Sequential(...)`` and ``nn.Module`` subclasses whose ``__init__`` assigns
layers to ``self`` and whose ``forward`` is one chain of calls (``F.relu``, ``x.view``...)."""

from __future__ import annotations

__all__ = ["TorchReader"]

import ast
import copy
import difflib
import re

from quizgen.codeio import signatures as sg
from quizgen.codeio.calls import SIGNATURES_MODULE, SUPPORTED_MODELS, CallReader, Placed
from quizgen.codeio.folding import NotConstantError
from quizgen.errors import CodeReadError

_ACTIVATIONS = frozenset({"relu", "tanh", "sigmoid", "softmax", "log_softmax"})
_TENSOR_METHODS = _ACTIVATIONS | {"view", "reshape", "flatten", "contiguous"}
# Modules without weights or state: calling one twice (self.relu, self.pool) is two plain layers.
_WEIGHTLESS = re.compile(
    r"(Max|Avg|LP|AdaptiveMax|AdaptiveAvg)Pool[123]d|(Alpha|FeatureAlpha)?Dropout[123]?d?|Flatten|Unflatten|Identity"
    r"|(Zero|Constant|Reflection|Replication|Circular)Pad[123]d|Upsample|UpsamplingNearest2d|UpsamplingBilinear2d"
    r"|ReLU6?|LeakyReLU|ELU|SELU|CELU|GELU|SiLU|Mish|Sigmoid|Tanh|Hardtanh|Hardswish|Hardsigmoid|Softplus|Softsign"
    r"|Tanhshrink|Softshrink|Hardshrink|Threshold|LogSigmoid|Softmax2?d?|LogSoftmax|Softmin")

_INIT_RULE = "supported in __init__: self.name = nn.Layer(...) or nn.Sequential(...), constants, super().__init__()"
_FORWARD_RULE = "forward must be one chain such as x = self.conv1(x); x = F.relu(x); x = x.view(x.size(0), -1); return x"
_RANDOM_INPUTS = frozenset({"torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty"})


class TorchReader(CallReader):
    """Reads PyTorch layers: the members assigned in ``__init__`` in the order ``forward`` applies them."""

    def __init__(self, source: str, filename: str) -> None:
        super().__init__(source, filename)
        self.members: dict[str, list[Placed]] = {}  # self.<name> -> its layers
        self.cur = ""  # forward: the name holding the running tensor
        self.batch: set[str] = set()  # forward: names bound to x.size(0)
        self.called: set[str] = set()  # forward: the members called so far

    def torch_sequential(self, call: ast.Call) -> list[Placed]:
        self.no_star(call)
        items = call.args
        if len(items) == 1 and isinstance(items[0], ast.Call) and (self.qualname(items[0].func) or "").endswith("OrderedDict"):
            pairs = items[0].args[0] if len(items[0].args) == 1 and not items[0].keywords else None
            if not isinstance(pairs, (ast.List, ast.Tuple)) or not all(isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs.elts):
                raise self.error("supported: nn.Sequential(OrderedDict([('name', nn.Layer(...)), ...]))", items[0])
            items = [p.elts[1] for p in pairs.elts if isinstance(p, ast.Tuple)]
        if call.keywords:
            raise self.error("nn.Sequential(...) takes layers as positional arguments only", call.keywords[0])
        return [placed for item in items for placed in self.torch_item(item)]

    def torch_item(self, node: ast.expr) -> list[Placed]:
        kind, name = self.layer_kind(node.func) if isinstance(node, ast.Call) else ("", "")
        if not isinstance(node, ast.Call) or ((kind, name) != ("sequential", "pytorch") and kind != "pytorch"):
            raise self.error(f"{self.segment(node)} is not a supported PyTorch layer (see {SIGNATURES_MODULE})", node)
        if kind == "sequential":
            return self.torch_sequential(node)
        return [(self.layer(node, "pytorch", name), node.lineno)]

    def torch_module(self, cls: ast.ClassDef) -> list[Placed]:
        methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
        init, forward = methods.get("__init__"), methods.get("forward")
        if init is None or forward is None:
            raise self.error(f"class {cls.name} needs both __init__ and forward; {SUPPORTED_MODELS}", cls)
        self.enter_scope(init)
        self._parameters(init)
        for stmt in init.body:
            if _is_docstring(stmt) or isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.harmless(stmt.value):
                continue
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
                raise self.error(f"this statement is not supported in __init__; {_INIT_RULE}", stmt)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            kind = self.layer_kind(stmt.value.func)[0] if isinstance(stmt.value, ast.Call) else ""
            for target in targets:
                attr = target.attr if isinstance(target, ast.Attribute) and _is_self(target.value) else None
                if kind in ("pytorch", "sequential") and attr is not None:
                    self.members[attr] = self.torch_item(stmt.value)
                    continue
                call = next((n for n in ast.walk(stmt.value) if isinstance(n, ast.Call)), None)
                if call is not None:
                    raise self.error(f"the call {self.segment(call.func)}(...) is not supported; {_INIT_RULE}", call)
                self._assign(target, stmt.value)
                self.members.pop(attr or "", None)
        return self.torch_forward(forward)

    def harmless(self, call: ast.Call) -> bool:
        """super().__init__(), nn.Module.__init__(self) and nn.init.*(...) change no count."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "__init__":
            if isinstance(func.value, ast.Call):
                return isinstance(func.value.func, ast.Name) and func.value.func.id == "super"
            return self.qualname(func.value) == "torch.nn.Module"  # nn.Module.__init__(self)
        if (self.qualname(func) or "").startswith("torch.nn.init."):
            self.check_opaque(call)
            return True
        return False

    def torch_forward(self, forward: ast.FunctionDef) -> list[Placed]:
        params = [a.arg for a in forward.args.posonlyargs + forward.args.args][1:]
        if not params:
            raise self.error("forward(self, x) must take the input tensor", forward)
        self.cur = params[0]
        placed: list[Placed] = []
        for stmt in forward.body:
            if _is_docstring(stmt) or isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                return placed + self.chain(stmt.value)
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
            value = stmt.value if isinstance(stmt, ast.Assign) else None
            if isinstance(target, ast.Name) and value is not None and self.is_batch(value):
                self.batch.add(target.id)
                continue
            if isinstance(target, (ast.Tuple, ast.List)) and value is not None and self.tuple_output(value):
                target = target.elts[0] if target.elts else None
            if isinstance(target, ast.Name) and value is not None:
                placed += self.chain(value)
                self.cur = target.id
                continue
            raise self.error(f"this statement is not supported in forward; {_FORWARD_RULE}", stmt)
        raise self.error(f"forward must end with return; {_FORWARD_RULE}", forward)

    def tuple_output(self, node: ast.expr) -> bool:
        func = node.func if isinstance(node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and _is_self(func.value) and self.members.get(func.attr)):
            return False
        return next(iter(self.members[func.attr][-1][0])) in sg.TUPLE_OUTPUT

    def chain(self, node: ast.expr) -> list[Placed]:
        """The layers applied by an expression of the running tensor, innermost first."""
        if isinstance(node, ast.Name):
            if node.id == self.cur:
                return []
            raise self.error(f"'{node.id}' is not the running tensor '{self.cur}'; {_FORWARD_RULE}", node)
        if isinstance(node, ast.Subscript) and self.tuple_output(node.value) and _is_int(node.slice, 0):
            return self.chain(node.value)
        if not isinstance(node, ast.Call):
            raise self.error(f"a {type(node).__name__} is not supported in forward; {_FORWARD_RULE}", node)
        self.no_star(node)
        func = node.func
        if isinstance(func, ast.Attribute) and _is_self(func.value):
            return self.member_call(node, func.attr)
        head, _, attr = (self.qualname(func) or "").rpartition(".")
        if (head, attr) == ("torch", "flatten") and node.args:
            return self.chain(node.args[0]) + self.flatten(node, node.args[1:])
        if (head == "torch.nn.functional" and attr in sg.FUNCTIONAL) or (head == "torch" and attr in _ACTIVATIONS):
            if not node.args:
                raise self.error(f"pass the running tensor first: {attr}({self.cur}, ...)", node)
            return self.chain(node.args[0]) + self.functional(node, attr, skip=1)
        if isinstance(func, ast.Attribute) and func.attr in _TENSOR_METHODS:
            base = self.chain(func.value)
            if func.attr in ("view", "reshape"):
                return base + self.view(node)
            if func.attr == "flatten":
                return base + self.flatten(node, node.args)
            if func.attr == "contiguous" and not node.args and not node.keywords:
                return base
            return base + self.functional(node, func.attr, skip=0)
        raise self.error(f"the call {self.segment(func)}(...) is not supported in forward; {_FORWARD_RULE}", node)

    def member_call(self, node: ast.Call, attr: str) -> list[Placed]:
        if attr not in self.members:
            close = difflib.get_close_matches(attr, list(self.members), n=1)
            hint = f"; did you mean self.{close[0]}?" if close else ""  # a typo such as self.haed(x) for self.head
            raise self.error(f"self.{attr} is not a layer assigned in __init__ (self.{attr} = nn.Layer(...)){hint}", node)
        layers = self.members[attr]
        expected = 3 if layers and next(iter(layers[-1][0])) == "MultiheadAttention" else 1
        if node.keywords or len(node.args) != expected or not all(_same(a, node.args[0]) for a in node.args):
            raise self.error(f"supported: self.{attr}({', '.join([self.cur] * expected)})", node)
        inner = self.chain(node.args[0])  # runs first: its calls come before this one
        if attr in self.called and not all(_WEIGHTLESS.fullmatch(next(iter(layer))) for layer, _ in layers):
            raise self.error(f"self.{attr} is called a second time: the calls share its weights, which a spec (one layer per "
                             f"call) cannot express and would count twice; supported: layers with weights called once", node)
        self.called.add(attr)
        return inner + self.produce(copy.deepcopy(layers))

    def functional(self, node: ast.Call, name: str, skip: int) -> list[Placed]:
        fn = sg.FUNCTIONAL[name]
        kwargs: dict[str, object] = {}
        for parameter, arg in self.arguments(node, name, sg.Signature(fn.positional), skip):
            if parameter not in fn.positional:
                raise self.unknown_argument(name, parameter, sg.Signature(fn.positional), arg)
            if parameter in fn.dropped:
                self.check_opaque(arg)
            else:
                kwargs[parameter] = self.value(arg, parameter, fn.layer)
        return self.produce([({fn.layer: kwargs}, node.lineno)])

    def flatten(self, node: ast.Call, args: list[ast.expr]) -> list[Placed]:
        dims: dict[str, object] = {"start_dim": 0, "end_dim": -1}
        for parameter, arg in [*zip(dims, args, strict=False), *((k.arg or "", k.value) for k in node.keywords)]:
            dims[parameter] = self.value(arg, parameter, "flatten")
        if dims != {"start_dim": 1, "end_dim": -1}:
            raise self.error(f"supported: flattening all but the batch dimension, torch.flatten({self.cur}, 1)", node)
        return self.produce([({"Flatten": {}}, node.lineno)])

    def view(self, node: ast.Call) -> list[Placed]:
        args = node.args
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            args = args[0].elts
        rule = f"supported: {self.cur}.view({self.cur}.size(0), -1) or {self.cur}.view(-1, N) (flattening)"
        if node.keywords or len(args) != 2 or not (self.is_batch(args[0]) or _is_int(args[0], -1)):
            raise self.error(rule, node)
        size = -1 if _is_int(args[1], -1) else self.value(args[1], "size", "view")
        if not isinstance(size, int) or isinstance(size, bool) or size == 0 or size < -1 or _is_int(args[0], size):
            raise self.error(rule, node)
        return self.produce([({"Flatten": {}}, node.lineno)])

    def is_batch(self, node: ast.expr) -> bool:
        """x.size(0), x.shape[0] or a name bound to one of them."""
        if isinstance(node, ast.Name):
            return node.id in self.batch
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size":
            return isinstance(node.func.value, ast.Name) and len(node.args) == 1 and _is_int(node.args[0], 0)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
            return isinstance(node.value.value, ast.Name) and _is_int(node.slice, 0)
        return False

    def example_input_shape(self) -> list[int | None] | None:
        """The shape of torch.randn(1, 3, 32, 32) (or of a constant tuple passed to it), batch dropped."""
        calls = [n for n in ast.walk(self.tree) if isinstance(n, ast.Call) and (self.qualname(n.func) or "") in _RANDOM_INPUTS]
        for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            self.enter_scope(call)
            try:
                dims = [self.fold(arg) for arg in call.args]
            except (NotConstantError, CodeReadError):
                continue
            if len(dims) == 1 and isinstance(dims[0], list):
                dims = dims[0]
            if len(dims) >= 2 and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
                segment = " ".join((ast.get_source_segment(self.text, call) or "an example input").split())
                self.shape_source = f"{segment[:60]} (line {call.lineno})"
                return [d for d in dims[1:] if isinstance(d, int)]
        return None


def _is_int(node: ast.AST, value: int) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _is_int(node.operand, -value)
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == value


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)
