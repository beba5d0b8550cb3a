"""Recurrent layers: keras.layers.SimpleRNN/LSTM/GRU and torch.nn.RNN/LSTM/GRU.

Symbols: ``H`` hidden units (Keras ``units``, PyTorch ``hidden_size``), ``I`` input features of
the first layer, ``L`` time steps, ``D`` directions (2 when bidirectional), ``P`` the LSTM
projection size (PyTorch ``proj_size``, 0 when off), ``num_layers`` stacked layers. A cell has
``gates`` weight blocks: 1 (simple RNN), 3 (GRU), 4 (LSTM); each block has an input kernel
(H×I), a recurrent kernel (H×H) and ``n_b`` bias vectors of size H: Keras 1 (GRU with
``reset_after=True``: 2), PyTorch 2 (``b_ih`` and ``b_hh``), 0 without bias. Hence Keras'
``4·H·(I + H + 1)`` and PyTorch's ``4·H·(I + H + 2)`` for the same LSTM.

Stacked PyTorch layers (``num_layers``): layer 1 reads the input (I features); every later
layer reads the previous layer's output, D·H features (D·P with a projection), so the total
is written as "layer 1 + (num_layers − 1)·later layer". With ``proj_size`` the hidden state
is projected by W_hr (P×H): the recurrent kernel becomes H×P per gate and the output has P
features per direction.

MACs (no framework counts them, so this is quizgen's definition, stated in every question):
the matrix multiply-adds of the cell, one per weight of the input and recurrent kernels (and
of W_hr), per time step, per direction, summed over layers:
``L·D·(gates·H·(I + H) + P·H)`` for layer 1. Bias adds, gate nonlinearities and elementwise
products are not counted. An unknown (null) number of time steps makes the MACs unknown.
"""

from __future__ import annotations

__all__ = ["keras_rnn_params", "rnn_env", "torch_rnn_macs", "torch_rnn_params"]

from functools import cache
from typing import Any

from ..formula import Add, Expr, Mul, Num, Sym
from ..spec import Framework
from . import register
from .base import (
    ANY,
    REQUIRED,
    ArgError,
    Args,
    Bool,
    Choice,
    Float,
    LayerKind,
    LayerOutcome,
    NonNegInt,
    Opt,
    PosInt,
    Shape,
    Validator,
    keras_common,
    outcome,
    torch_common,
)

H, IN, L, D, P, NUM_LAYERS = Sym("H"), Sym("I"), Sym("L"), Sym("D"), Sym("P"), Sym("num_layers")
GATES = {"SimpleRNN": 1, "RNN": 1, "GRU": 3, "LSTM": 4}


def _times(factors: tuple[Expr, ...], expr: Expr) -> Expr:
    """factors·expr as one flat product (``D·4·H·(…)``, not ``D·(4·H·(…))``)."""
    if not factors:
        return expr
    return Mul((*factors, *expr.factors)) if isinstance(expr, Mul) else Mul((*factors, expr))


def _block(gates: int, in_size: Expr, recurrent: Expr, n_bias: int, projected: bool) -> Expr:
    """One layer, one direction: gates·H·(in + recurrent + n_b) (+ P·H for the projection)."""
    terms = (in_size, recurrent, Num(n_bias)) if n_bias else (in_size, recurrent)
    cell = _times((Num(gates),) if gates > 1 else (), Mul((H, Add(terms))))
    return Add((cell, Mul((P, H)))) if projected else cell


@cache
def keras_rnn_params(gates: int, n_bias: int) -> Expr:
    """Keras: gates·H·(I + H + n_b), e.g. LSTM 4·H·(I + H + 1), GRU (reset_after) 3·H·(I + H + 2)."""
    return _block(gates, IN, H, n_bias, projected=False)


@cache
def keras_rnn_macs(gates: int) -> Expr:
    """L·gates·H·(I + H): input and recurrent kernels applied at every time step."""
    return _times((L,), _block(gates, IN, H, 0, projected=False))


@cache
def _torch_total(gates: int, n_bias: int, bidirectional: bool, stacked: bool, projected: bool, macs: bool) -> Expr:
    recurrent = P if projected else H
    lead: tuple[Expr, ...] = ((L,) if macs else ()) + ((D,) if bidirectional else ())
    first = _times(lead, _block(gates, IN, recurrent, 0 if macs else n_bias, projected))
    if not stacked:
        return first
    later_in = _times((D,), recurrent) if bidirectional else recurrent
    later = _times((NUM_LAYERS - 1, *lead), _block(gates, later_in, recurrent, 0 if macs else n_bias, projected))
    return Add((first, later))


def torch_rnn_params(gates: int, n_bias: int, bidirectional: bool, stacked: bool, projected: bool) -> Expr:
    """Layer 1: [D·]gates·H·(I + H + n_b); layers ≥ 2 read D·H features: (num_layers − 1)·[D·]gates·H·(D·H + H + n_b)."""
    return _torch_total(gates, n_bias, bidirectional, stacked, projected, macs=False)


def torch_rnn_macs(gates: int, bidirectional: bool, stacked: bool, projected: bool) -> Expr:
    """L·[D·]gates·H·(I + H) for layer 1, plus (num_layers − 1)·L·[D·]gates·H·(D·H + H) for the others."""
    return _torch_total(gates, 0, bidirectional, stacked, projected, macs=True)


@cache
def _torch_width(bidirectional: bool, projected: bool) -> Expr:
    """Last output dimension: D·H (D·P with a projection)."""
    size = P if projected else H
    return D * size if bidirectional else size


def rnn_env(*, gates: int, hidden: int, inputs: int, n_bias: int, steps: int | None,
            directions: int = 1, layers: int = 1, proj: int = 0) -> dict[str, Any]:
    """Every number an RNN mistake may need: gate count, sizes, bias vectors per gate, directions, stacking."""
    env: dict[str, Any] = {"gates": gates, "H": hidden, "I": inputs, "n_b": n_bias, "B": int(n_bias > 0),
                           "D": directions, "num_layers": layers, "P": proj}
    if steps is not None:
        env["L"] = steps
    return env


# --- Keras -----------------------------------------------------------------------------------

_KERAS_RNN_ANY = (
    "activation", "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
    "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
    "recurrent_constraint", "bias_constraint", "seed", "zero_output_for_mask",
)
_KERAS_POSITIONAL = {
    "SimpleRNN": ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer",
                  "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                  "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                  "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "seed"),
    "LSTM": ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
             "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
             "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
             "recurrent_dropout", "seed", "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
             "use_cudnn"),
    "GRU": ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
            "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
            "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed",
            "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "reset_after", "use_cudnn"),
}


def _keras_rnn(name: str) -> LayerKind:
    gates = GATES[name]
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(),
        **dict.fromkeys(_KERAS_RNN_ANY, (ANY, None)),
        "units": (PosInt, REQUIRED),
        "use_bias": (Bool, True),
        # Keras clamps dropout rates into [0, 1] instead of rejecting them; neither changes a count.
        "dropout": (Float, 0.0),
        "recurrent_dropout": (Float, 0.0),
        # return_state adds the final states as extra outputs; the stack continues with the output.
        "return_sequences": (Bool, False),
        "return_state": (Bool, False),
        "go_backwards": (Bool, False),
        # stateful keeps the states between batches; Keras needs a fixed batch size for it, which
        # a spec (batch excluded) leaves to the model code. The states are not weights.
        "stateful": (Bool, False),
        "unroll": (Bool, False),
    }
    if name != "SimpleRNN":
        args.update({"recurrent_activation": (ANY, None), "use_cudnn": (ANY, "auto"), "implementation": (ANY, None)})
    if name == "LSTM":
        args["unit_forget_bias"] = (Bool, True)
    if name == "GRU":
        args["reset_after"] = (Bool, True)

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        steps, features = shape
        if features is None:
            raise ArgError("the feature (last) dimension of the input must be known (not null) to size the kernels")
        n_bias = (2 if a.get("reset_after") else 1) if a["use_bias"] else 0
        env = rnn_env(gates=gates, hidden=a["units"], inputs=features, n_bias=n_bias, steps=steps)
        out: Shape = (steps, a["units"]) if a["return_sequences"] else (a["units"],)
        dims: tuple[Expr | None, ...] = (None, H) if a["return_sequences"] else (H,)
        return outcome(env, out, trainable=keras_rnn_params(gates, n_bias),
                       macs=keras_rnn_macs(gates) if steps is not None else None, dims=dims)

    return LayerKind(Framework.KERAS, name, "rnn", args, solve, positional=_KERAS_POSITIONAL[name], min_rank=2, max_rank=2)


# --- PyTorch ---------------------------------------------------------------------------------


def _probability(value: object) -> float:
    number = Float(value)
    if not 0 <= number <= 1:
        raise ArgError(f"must be a number in [0, 1] (the probability of zeroing an element), got {value!r}")
    return number


def _input_size(a: Args, features: int | None) -> int:
    given = a.get("input_size")
    if features is None:
        if given is None:
            raise ArgError("input_size cannot be inferred from an unknown (null) feature dimension; give it explicitly",
                           "input_size")
        return int(given)
    if given is not None and given != features:
        raise ArgError(f"input_size={given} but the input has {features} features (input shape is [L, features])", "input_size")
    return features


def _torch_rnn(name: str) -> LayerKind:
    gates = GATES[name]
    args: dict[str, tuple[Validator, Any]] = {
        **torch_common(),
        "input_size": (Opt(PosInt), None),
        "hidden_size": (PosInt, REQUIRED),
        "num_layers": (PosInt, 1),
        "bias": (Bool, True),
        # Specs give [L, features]; batch_first only moves the batch axis, which specs exclude.
        "batch_first": (Bool, False),
        "dropout": (_probability, 0.0),
        "bidirectional": (Bool, False),
    }
    positional = ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"]
    if name == "RNN":
        args["nonlinearity"] = (Choice("tanh", "relu"), "tanh")
        positional.insert(3, "nonlinearity")
    if name == "LSTM":
        args["proj_size"] = (NonNegInt, 0)
        positional.append("proj_size")

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        steps, features = shape
        inputs = _input_size(a, features)
        hidden, layers, proj = a["hidden_size"], a["num_layers"], a.get("proj_size", 0)
        if proj >= hidden:
            raise ArgError(f"proj_size ({proj}) has to be smaller than hidden_size ({hidden})", "proj_size")
        bidirectional, projected, stacked = a["bidirectional"], proj > 0, layers > 1
        env = rnn_env(gates=gates, hidden=hidden, inputs=inputs, n_bias=2 if a["bias"] else 0, steps=steps,
                      directions=2 if bidirectional else 1, layers=layers, proj=proj)
        width = _torch_width(bidirectional, projected)
        return outcome(
            env,
            (steps, int(width.evaluate(env))),
            trainable=torch_rnn_params(gates, env["n_b"], bidirectional, stacked, projected),
            macs=torch_rnn_macs(gates, bidirectional, stacked, projected) if steps is not None else None,
            dims=(None, width),
            resolved={"input_size": inputs},
        )

    return LayerKind(Framework.PYTORCH, name, "rnn", args, solve, positional=tuple(positional), min_rank=2, max_rank=2)


for _name in ("SimpleRNN", "LSTM", "GRU"):
    register(_keras_rnn(_name))
for _name in ("RNN", "LSTM", "GRU"):
    register(_torch_rnn(_name))

from . import wrappers  # noqa: E402, F401 - Bidirectional and TimeDistributed wrap the kinds above
