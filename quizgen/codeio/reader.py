"""Read Keras and PyTorch model source code into a network spec, statically.

The source is parsed with :mod:`ast` and walked; it is never imported, compiled or run, so a
hostile file can at worst be refused. Supported shapes of code (anything else is a
``CodeReadError`` naming the line, the column and what is supported):

* Keras: ``Sequential([...])`` and ``model = Sequential(); model.add(...)`` chains, layers as
  ``layers.X``, ``keras.layers.X``, ``tf.keras.layers.X`` or imported bare names, the input
  from ``input_shape=`` on the first layer, ``keras.Input(shape=...)`` or ``InputLayer``.
* PyTorch: ``nn.Sequential(...)`` and ``nn.Module`` subclasses whose ``__init__`` assigns
  layers to ``self`` and whose ``forward`` is one chain of calls (``F.relu``, ``x.view``...).

Arguments that change counts or shapes must be literals or constants folded from literals
(``+ - * //`` on numbers); other arguments (activations, initializers...) are kept as their
source text.
"""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "MAX_LAYERS", "MAX_MAGNITUDE", "MAX_SOURCE_CHARS", "ReadModel", "read_model_code"]

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from quizgen.codeio.calls import MAX_LAYERS, SUPPORTED_MODELS, Placed, checked_shape
from quizgen.codeio.folding import MAX_DEPTH, MAX_MAGNITUDE
from quizgen.codeio.reader_keras import KerasReader
from quizgen.codeio.reader_torch import TorchReader
from quizgen.errors import CodeReadError, Location, QuizgenError, SpecError

MAX_SOURCE_CHARS = 200_000

_COMMENT_SHAPE = re.compile(r"(?:input(?:[ _]?(?:shape|size))?|输入(?:形状|尺寸|大小|维度)?)\s*[:：=]?\s*[\[(]([^\])]*)[\])]", re.I)


@dataclass(frozen=True, slots=True)
class ReadModel:
    """A network spec read from source code, with the line of each layer and notes for the user
    (which input shape was used, which runtime condition was read how)."""

    spec: dict[str, object]
    layer_lines: tuple[int, ...]
    notes: tuple[str, ...] = ()
    model_name: str = ""  # the model's class or builder function (or --model's name), "" when the file does not name it


def read_model_code(source: str, filename: str = "<model>", input_shape: Sequence[int | None] | None = None, *,
                    model: str | None = None, arguments: dict[str, str] | None = None, names: bool = False) -> ReadModel:
    """Read the one model in ``source`` into a network spec mapping.

    A plain chain (Keras ``Sequential``, a PyTorch module whose forward is one chain) reads
    into ``{"framework", "input_shape", "layers"}``; anything else (residual blocks, loops,
    helper classes, the Keras functional API, several models and ``model``/``arguments``)
    is interpreted by quizgen.codeio.code_model into the graph form. ``input_shape`` (batch
    excluded) overrides whatever the code says; without it the shape comes from the code, a
    ``# input shape: [3, 32, 32]`` comment or a ``torch.randn(1, ...)`` example input, else it
    is ``None`` (chain) or an error (graph). ``names=True`` (the CLI) reads a one-chain PyTorch
    module as a graph too, so its layers carry their attribute names (``conv1``, ``features.0``).
    """
    if len(source) > MAX_SOURCE_CHARS:
        raise CodeReadError(f"the source has {len(source)} characters; at most {MAX_SOURCE_CHARS} are read", Location(file=filename))
    if model is not None or arguments:
        return _read_graph(source, filename, input_shape, model, arguments)
    try:
        chain = _read_chain(source, filename, input_shape)
        if chain.spec["layers"] and (chain.spec["input_shape"] is not None or input_shape is not None):
            if names and chain.spec["framework"] == "pytorch":
                try:  # the interpreter names every layer by its module path
                    return _read_graph(source, filename, input_shape, None, None)
                except QuizgenError:
                    return chain
            return chain
        try:  # no layers or no input shape: the interpreter may know more (a loop, a runtime branch)
            return _read_graph(source, filename, input_shape, None, None)
        except SpecError as graph_error:
            if not isinstance(graph_error, CodeReadError):
                return chain  # a layer the chain reader read is wrong: the solver says so with the chain's lines
            if not chain.spec["layers"] and graph_error.location.line is not None:
                raise graph_error from None  # a construct the chain reader skipped over stopped it
            return chain
    except CodeReadError as chain_error:
        try:
            return _read_graph(source, filename, input_shape, None, None)
        except CodeReadError as graph_error:
            # The reader that got further into the file explains best what stopped it.
            # The interpreter reads a superset of what the chain reader does: its error names the
            # construct that stopped it, unless it stopped before reading anything (no input shape).
            if graph_error.location.line is not None or chain_error.bare_message.startswith(("found ", "no model found")):
                raise graph_error from None
            from quizgen.codeio.code_model import NO_INPUT_SHAPE  # loaded already: _read_graph ran

            if graph_error.bare_message.startswith(NO_INPUT_SHAPE):
                # The interpreter reads residual additions, loops and branches, but only from an input shape: the
                # chain reader's "forward must be one chain" alone would say such code cannot be read at all.
                raise CodeReadError(f"{chain_error.bare_message}; or pass --input-shape (e.g. --input-shape 3,32,32): "
                                    "the code does not state its input shape, which reading it as a graph (residual "
                                    "additions, loops, branches) needs", chain_error.location) from None
            raise chain_error from None


def _read_graph(source: str, filename: str, input_shape: Sequence[int | None] | None, model: str | None,
                arguments: dict[str, str] | None) -> ReadModel:
    from quizgen.codeio.code_model import read_graph_model

    code_shape = None
    source_of_shape = ""
    if input_shape is None:
        try:
            probe = _Reader(source, filename)
            code_shape = probe.comment_shape() or probe.example_input_shape()
            source_of_shape = probe.shape_source
        except CodeReadError:
            code_shape = None
    read = read_graph_model(source, filename, input_shape, model=model, arguments=arguments, code_shape=code_shape,
                            code_shape_source=source_of_shape)
    return ReadModel(read.spec, read.layer_lines, read.notes, read.model_name)


def _read_chain(source: str, filename: str, input_shape: Sequence[int | None] | None) -> ReadModel:
    reader = _Reader(source, filename)
    framework, placed, shape = reader.read()
    if input_shape is not None:
        shape = checked_shape(list(input_shape), None, reader)
    layers = [layer for layer, _ in placed]
    spec: dict[str, object] = {"framework": framework, "input_shape": shape, "layers": layers}
    return ReadModel(spec, tuple(line for _, line in placed), model_name=_chain_name(reader))


def _chain_name(reader: _Reader) -> str:
    """The chain's class (class Net), a Sequential's own name= (what Keras' summary prints), or the variable
    its Sequential(...) is assigned to (discriminator = ...)."""
    model = reader.models()[0]
    if isinstance(model, ast.ClassDef):
        return model.name
    if isinstance(model, ast.Call):
        given = next((k.value.value for k in model.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None)
        if isinstance(given, str) and given.strip():
            return given.strip()
    for node in ast.walk(reader.tree):
        if isinstance(node, ast.Assign) and node.value is model and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            return node.targets[0].id
    return ""


class _Reader(KerasReader, TorchReader):
    """Finds the one model of the file and reads it with the Keras or the PyTorch reader."""

    shape_source = ""  # where comment_shape / example_input_shape found the shape, for the note: construct and line

    def read(self) -> tuple[str, list[Placed], list[int | None] | None]:
        models = self.models()
        if not models:
            raise self.error(f"no model found; {SUPPORTED_MODELS}", None)
        if len(models) > 1:
            where = ", ".join(f"line {m.lineno}" for m in models)
            raise self.error(f"found {len(models)} models ({where}); quizgen reads one model per file", models[1])
        model = models[0]
        if isinstance(model, ast.ClassDef):
            framework, placed = "pytorch", self.torch_module(model)
        else:
            framework = self.layer_kind(model.func)[1]
            self.enter_scope(model)
            if framework == "keras":
                self.keras_sequential(model)
                for item in self.follow(model, {"add": 0}):
                    self.keras_item(item)
                placed = self.placed
            else:
                placed = self.produce(self.torch_sequential(model))
                for item in self.follow(model, {"append": 0, "add_module": 1}):
                    placed += self.produce(self.torch_item(item))
        shape = self.shape if self.shape is not None else self.comment_shape()
        if shape is None and framework == "pytorch":
            shape = self.example_input_shape()
        return framework, placed, shape

    def models(self) -> list[ast.ClassDef | ast.Call]:
        """nn.Module subclasses and Sequential(...) calls that are not part of another model, in source order."""
        found: list[ast.ClassDef | ast.Call] = []
        for node in ast.walk(self.tree):
            if (isinstance(node, ast.ClassDef) and any(self.qualname(b) == "torch.nn.Module" for b in node.bases)) or (
                isinstance(node, ast.Call) and self.layer_kind(node.func)[0] == "sequential"
            ):
                found.append(node)
        ids = {id(m) for m in found}  # a Sequential inside a model belongs to that model
        top = [m for m in found if not any(id(a) in ids for a in self.ancestors(m))]
        return sorted(top, key=lambda m: (m.lineno, m.col_offset))

    def follow(self, call: ast.Call, methods: dict[str, int]) -> Iterator[ast.expr]:
        """The layers of `model.add(layer)` statements after `model = Sequential(...)`, same block."""
        stmt = self.parents.get(call)
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return
        var, parent = stmt.targets[0].id, self.parents[stmt]
        blocks = [getattr(parent, f, None) for f in ("body", "orelse", "finalbody")]
        block: list[ast.stmt] = next(b for b in blocks if isinstance(b, list) and any(s is stmt for s in b))
        for later in block[next(i for i, s in enumerate(block) if s is stmt) + 1 :]:
            adds = [
                n
                for n in ast.walk(later)
                if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == var
                and n.func.attr in (*methods, "pop", "insert")
            ]
            if adds and (len(adds) > 1 or not isinstance(later, ast.Expr) or later.value is not adds[0]):
                raise self.error(f"{var}.{_attr(adds[0])}(...) is supported only as a statement of its own", adds[0])
            if adds:
                add = adds[0]
                index = methods.get(_attr(add), -1)
                if index < 0 or add.keywords or len(add.args) != index + 1:
                    raise self.error(f"supported: {' or '.join(f'{var}.{m}(...)' for m in methods)}", add)
                yield add.args[index]
            elif any(isinstance(n, ast.Name) and n.id == var and isinstance(n.ctx, ast.Store) for n in ast.walk(later)):
                return

    def comment_shape(self) -> list[int | None] | None:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
        except (tokenize.TokenError, SyntaxError):
            return None
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            for match in _COMMENT_SHAPE.finditer(token.string):
                items = [item.strip() for item in match.group(1).split(",") if item.strip()]
                if items and all(item.isdigit() or item in ("None", "null") for item in items):
                    dims = [None if not item.isdigit() else int(item) for item in items]
                    if all(d is None or d <= MAX_MAGNITUDE for d in dims):
                        self.shape_source = f"the comment {token.string.strip()[:60]!r} (line {token.start[0]})"
                        return dims
        return None


def _attr(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""
