"""Checks for the exercises of notebooks 03 and 04: an RNN step, global-norm clipping, an LSTM step.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`."""

from __future__ import annotations

import itertools
from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _Mistake, _arrays_exercise, _cases, _run_arrays, _sigmoid


def _rnn_case(seed, batch, input_size, hidden, scale=1.0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=(batch, input_size)), rng.normal(size=(batch, hidden)),
            rng.normal(0, scale, (input_size, hidden)), rng.normal(0, scale, (hidden, hidden)),
            rng.normal(size=hidden))


def _rnn_step(x_t, h_prev, W, U, b):
    from lmtutor import rnn

    return rnn.rnn_step(x_t, h_prev, {"kernel": W, "recurrent_kernel": U, "bias": b})


def _shown_rnn_case():
    import numpy as np

    return (np.array([[1.0, 2.0]]), np.array([[0.5, -0.5]]), np.array([[0.1, 0.2], [0.3, -0.1]]),
            np.array([[0.5, 0.0], [0.0, 0.5]]), np.array([0.0, 0.1]))


def _rnn_step_exercise():
    import numpy as np

    return _arrays_exercise(
        "rnn_step", ("x_t", "h_prev", "W", "U", "b"), _rnn_step,
        note="h_t = tanh(x_t W + h_prev U + b)",
        cases=_cases([_shown_rnn_case()],
                     [_rnn_case(1, 3, 4, 5), _rnn_case(2, 1, 2, 2), _rnn_case(3, 4, 2, 6, 0.3),
                      _rnn_case(4, 2, 5, 5, 2.0)]),
        mistakes=(
            _Mistake("you forgot the tanh: h_t = tanh(x_t W + h_prev U + b); without it the state "
                     "is not squashed into (-1, 1).", lambda x, h, W, U, b: x @ W + h @ U + b),
            _Mistake("the RNN state uses tanh, not the sigmoid (the sigmoid is for LSTM gates).",
                     lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b)))),
            _Mistake("the RNN state uses tanh, not ReLU: tanh keeps the state in (-1, 1), ReLU lets it "
                     "grow without bound from step to step.", lambda x, h, W, U, b: np.maximum(0, x @ W + h @ U + b)),
            _Mistake("you left out the bias b.", lambda x, h, W, U, b: np.tanh(x @ W + h @ U)),
            _Mistake("you left out the previous state: the term h_prev U is what makes the network "
                     "recurrent.", lambda x, h, W, U, b: np.tanh(x @ W + b)),
            _Mistake("you multiplied by U transposed: with row vectors (batch, hidden) the product "
                     "is h_prev @ U, as Keras stores recurrent_kernel.",
                     lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b)),
        ))


def check_rnn_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(x_t, h_prev, W, U, b)``, one step of a vanilla RNN.

    Formula: ``h_t = tanh(x_t W + h_prev U + b)`` with x_t (batch, input_size), h_prev (batch,
    hidden), W (input_size, hidden), U (hidden, hidden), b (hidden,); returns (batch, hidden).
    Arrays are compared with rel 1e-6 / abs 1e-9. Notebook example: x_t = [[1, 2]],
    h_prev = [[0.5, -0.5]], W = [[0.1, 0.2], [0.3, -0.1]], U = 0.5 I, b = [0, 0.1] gives
    tanh([[0.95, -0.15]]).
    """
    return _run_arrays(_rnn_step_exercise(), fn)


def _clip(grads, max_norm):
    from lmtutor import rnn

    return rnn.clip_by_global_norm(list(grads), max_norm)[0]


def _grads_case(seed, shapes, size, max_norm):
    import numpy as np

    rng = np.random.default_rng(seed)
    return ([rng.normal(0, size, shape) for shape in shapes], max_norm)


def _clip_exercise():
    import numpy as np

    return _arrays_exercise(
        "clip_by_global_norm", ("grads", "max_norm"), _clip,
        note="g ← g · min(1, max_norm / ‖g‖) with one global norm over all arrays",
        errors=((ZeroDivisionError, "one input has all-zero gradients, so the global norm is 0: "
                 "scale only when the norm exceeds max_norm (zero gradients stay zero), and never "
                 "divide by the norm otherwise"),),
        cases=_cases([([np.array([3.0, 0.0]), np.array([[0.0, 4.0]])], 1.0)],
                     [_grads_case(1, [(3, 4), (4,)], 10.0, 5.0), _grads_case(2, [(2, 2), (2,)], 0.1, 5.0),
                      _grads_case(3, [(5,), (2, 3), (3,)], 1.0, 2.0), ([np.zeros(2), np.zeros((1, 2))], 1.0),
                      ([np.array([6.0, 8.0]), np.array([-1.0])], 2.0)]),
        mistakes=(
            _Mistake("you clipped each array by its own norm: global-norm clipping computes one "
                     "norm over all arrays, sqrt(sum of every squared entry), so all gradients "
                     "shrink by the same factor and the update keeps its direction.",
                     lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs]),
            _Mistake("you rescaled gradients that were already small: only scale when the norm "
                     "exceeds max_norm, i.e. multiply by min(1, max_norm / norm).",
                     lambda gs, c: [g * c / np.sqrt(sum(np.sum(x ** 2) for x in gs)) for g in gs]),
            _Mistake("you clipped each entry to [-max_norm, max_norm] (np.clip): that changes the "
                     "direction of the update; scale all arrays by one factor instead.",
                     lambda gs, c: [np.clip(g, -c, c) for g in gs]),
            _Mistake("the global norm is sqrt(sum of all squared entries), not the sum of the "
                     "arrays' norms.",
                     lambda gs, c: [g * min(1.0, c / sum(np.linalg.norm(x) for x in gs)) for g in gs]),
            _Mistake("you forgot the square root: the global norm is sqrt(sum of squares).",
                     lambda gs, c: [g * min(1.0, c / sum(np.sum(x ** 2) for x in gs)) for g in gs]),
        ))


def check_clip_by_global_norm(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(grads, max_norm)``: grads (a list of arrays) clipped together.

    Formula: ``norm = sqrt(sum over all arrays of sum(g ** 2))``; every g becomes
    ``g * min(1, max_norm / norm)`` (unchanged when norm ≤ max_norm, also when every gradient is
    zero and norm = 0). Returns a list of arrays of the same shapes. Notebook
    example: ``fn([array([3., 0.]), array([[0., 4.]])], 1.0)`` gives ``[array([0.6, 0.]),
    array([[0., 0.8]])]`` (the global norm is 5).
    """
    return _run_arrays(_clip_exercise(), fn)



def _lstm_step(x_t, h_prev, c_prev, W, U, b, order="ifco", cell_tanh=True, gate=None):
    import numpy as np

    gate = gate or _sigmoid
    z = x_t @ W + h_prev @ U + b
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    c = gate(blocks["f"]) * c_prev + gate(blocks["i"]) * np.tanh(blocks["c"])
    return gate(blocks["o"]) * (np.tanh(c) if cell_tanh else c), c


def _lstm_reference(x_t, h_prev, c_prev, W, U, b):
    from lmtutor import rnn

    return rnn.lstm_step(x_t, h_prev, c_prev, {"kernel": W, "recurrent_kernel": U, "bias": b})


def _lstm_case(seed, batch, input_size, hidden):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=(batch, input_size)), rng.normal(size=(batch, hidden)),
            rng.normal(size=(batch, hidden)), rng.normal(size=(input_size, 4 * hidden)),
            rng.normal(size=(hidden, 4 * hidden)), rng.normal(size=4 * hidden))


def _lstm_exercise():
    import numpy as np

    return _arrays_exercise(
        "lstm_step", ("x_t", "h_prev", "c_prev", "W", "U", "b"), _lstm_reference,
        note="gates i, f, c̃, o from z = x_t W + h_prev U + b; c_t = f c + i c̃; h_t = o tanh(c_t)",
        cases=_cases([_lstm_case(0, 1, 2, 2)],
                     [_lstm_case(1, 3, 4, 5), _lstm_case(2, 1, 2, 2), _lstm_case(3, 4, 6, 3)]),
        mistakes=(
            *(_Mistake("the gates are in the wrong order: Keras stores the blocks of z as i, f, c, o "
                       "(input gate, forget gate, candidate, output gate).",
                       lambda *a, order=order: _lstm_step(*a, order=order))
              for order in map("".join, itertools.permutations("ifco")) if order != "ifco"),
            _Mistake("h_t = o_t ⊙ tanh(c_t): you forgot the tanh on the cell state.",
                     lambda *a: _lstm_step(*a, cell_tanh=False)),
            _Mistake("the gates i, f, o use the sigmoid (values in 0..1, how much to let through); "
                     "only the candidate c̃ uses tanh.", lambda *a: _lstm_step(*a, gate=np.tanh)),
            _Mistake("return the pair (h_t, c_t) in that order: hidden state first, cell state second.",
                     lambda *a: _lstm_step(*a)[::-1]),
        ))


def check_lstm_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(x_t, h_prev, c_prev, W, U, b)`` -> (h_t, c_t), one LSTM step.

    Formula, with z = x_t W + h_prev U + b cut into four blocks in Keras's order i, f, c, o:
    ``i = σ(z_i), f = σ(z_f), c̃ = tanh(z_c), o = σ(z_o); c_t = f ⊙ c_prev + i ⊙ c̃;
    h_t = o ⊙ tanh(c_t)``. W is (input_size, 4 hidden), U (hidden, 4 hidden), b (4 hidden,).
    """
    return _run_arrays(_lstm_exercise(), fn)


def _chrono_bias(u):
    import numpy as np

    forget = np.log(u)
    return np.concatenate([-forget, forget, np.zeros_like(u), np.zeros_like(u)])


def _chrono_exercise():
    import numpy as np

    def blocks(i, f):
        return lambda u: np.concatenate([i(u), f(u), np.zeros_like(u), np.zeros_like(u)])

    rng = np.random.default_rng(11)
    shown = (np.array([1.0, np.e, 10.0]),)
    return _arrays_exercise(
        "chrono_bias", ("u",), _chrono_bias,
        note="b = [−ln u, ln u, 0, 0] in Keras's gate order i, f, c, o",
        cases=_cases([shown], [(rng.uniform(1, 99, 5),), (np.array([2.0]),), (rng.uniform(1, 9, 3),)]),
        mistakes=(
            _Mistake("the blocks are swapped: Keras's order is i, f, c, o, so the input-gate bias "
                     "−ln u comes first and the forget-gate bias ln u second.",
                     blocks(lambda u: np.log(u), lambda u: -np.log(u))),
            _Mistake("use the natural logarithm, np.log: b_f = ln u (σ(ln u) = u / (1 + u)), not log10.",
                     blocks(lambda u: -np.log10(u), np.log10)),
            _Mistake("the biases are logarithms: b_f = ln u (so σ(b_f) = u / (1 + u)), not u itself.",
                     blocks(lambda u: -u, lambda u: u)),
            _Mistake("the input gate gets the opposite bias, b_i = −b_f: it stays mostly closed while "
                     "the forget gate stays mostly open.", blocks(np.log, np.log)),
            _Mistake("Keras's LSTM bias has 4 blocks of hidden_size (i, f, c, o); the candidate and "
                     "output blocks are zeros. Return all four, concatenated.",
                     lambda u: np.concatenate([-np.log(u), np.log(u)])),
        ))


def check_chrono_bias(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(u)`` -> the chrono-initialised LSTM bias (4 * hidden,).

    Formula (Tallec & Ollivier 2018), for draws u (hidden,) from Uniform(1, T_max − 1):
    ``b_f = ln u, b_i = −b_f, b_c = b_o = 0``, concatenated in Keras's order i, f, c, o. Notebook
    example: u = [1, e, 10] gives [0, −1, −2.303, 0, 1, 2.303, 0, 0, 0, 0, 0, 0].
    """
    return _run_arrays(_chrono_exercise(), fn)
