"""Checks for the exercises of notebook 13: the global mean loss over replicas of unequal size, a
power law fitted on log-log axes, and the compute-optimal split of a training budget.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`.
The references are ``lmtutor.scaling`` (whose tests prove the fit equal to ``np.polyfit`` on the
logarithms) and, for the loss, the mean over all examples written here (what one device computes).
"""

from __future__ import annotations

import math
from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _arrays_exercise, _cases, _Exercise, _Mistake, _run, _run_arrays


def _np():
    import numpy as np

    return np


# ------------------------------------------------------------------------------ global mean loss
def _global_mean_loss(replica_losses):
    np = _np()
    total = sum(float(np.sum(losses)) for losses in replica_losses)
    count = sum(len(losses) for losses in replica_losses)
    return total / count


def _mean_of_means(replica_losses):
    np = _np()
    return float(np.mean([np.mean(losses) for losses in replica_losses if len(losses)]))


def _replica_case(seed, sizes):
    np = _np()
    rng = np.random.default_rng(seed)
    return ([rng.exponential(2.0, size) for size in sizes],)


_GLOBAL = _Exercise(
    "global_mean_loss", ("replica_losses",), _global_mean_loss,
    note="the mean over all examples of the global batch: Σ over replicas of Σ losses / (global batch size)",
    cases=_cases([([_np().array([1.0, 2.0, 3.0]), _np().array([6.0])],)],
                 [_replica_case(1, (4, 4)), _replica_case(2, (5, 3, 1)), _replica_case(3, (2, 0)),
                  _replica_case(4, (1,)), _replica_case(5, (8, 8, 8, 7)), _replica_case(6, (3, 6)),
                  _replica_case(7, (5, 3, 1))]),  # the shapes of case 2, other values: the argument matters
    mistakes=(
        _Mistake("you averaged the replicas' means: a replica with fewer examples then weighs as much as a "
                 "full one. Add up every example's loss and divide once by the global batch size (the sum "
                 "of the replicas' sizes), as tf.nn.compute_average_loss does.", _mean_of_means),
        _Mistake("you added the replicas' means: each replica's share is its sum divided by the *global* "
                 "batch size, not by its own size.",
                 lambda r: float(sum(_np().mean(x) for x in r if len(x)))),
        _Mistake("divide by the number of examples in all replicas (the global batch), not by the first "
                 "replica's size times the number of replicas: the last batch of an epoch is split unevenly.",
                 lambda r: sum(float(_np().sum(x)) for x in r) / (len(r[0]) * len(r)) if len(r[0]) else math.inf),
        _Mistake("you returned the sum of the losses: divide it by the global batch size.",
                 lambda r: sum(float(_np().sum(x)) for x in r)),
    ))


def check_global_mean_loss(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(replica_losses)`` -> the loss one device computes for the global batch.

    ``replica_losses`` is a list with one 1-D array per replica: the per-example losses of that
    replica's share of the global batch (shares may differ in size, one may be empty). The answer
    is Σ_r Σ_i loss[r][i] / Σ_r len(loss[r]), a float. Notebook example: [1, 2, 3] and [6] give 3.0.
    """
    return _run(_GLOBAL, fn)


# ------------------------------------------------------------------------------------ power law
def _power_law(sizes, losses):
    from lmtutor.scaling import fit_power_law

    law = fit_power_law(sizes, losses)
    return (law.a, law.alpha)


def _power_variant(sizes, losses, *, sign=1.0, base=None, linear=False, swap=False, ends=False):
    """Return a typical wrong (a, alpha) (or the right one with the defaults)."""
    np = _np()
    x, y = np.asarray(sizes, dtype=float), np.asarray(losses, dtype=float)
    if ends:
        order = np.argsort(x)
        x, y = x[order][[0, -1]], y[order][[0, -1]]
    if linear:
        slope, intercept = np.polyfit(x, y, 1)
        return (float(intercept), float(-slope))
    if swap:  # ln x regressed on ln y, then solved for ln y
        slope, intercept = np.polyfit(np.log(y), np.log(x), 1)
        return (float(math.exp(-intercept / slope)), float(-1 / slope))
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    a = intercept if base == "none" else math.exp(intercept)
    return (float(a), float(sign * -slope))


def _power_case(seed, sizes, a, alpha, noise):
    np = _np()
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=float)
    return sizes, a * sizes ** -alpha * np.exp(rng.normal(0, noise, len(sizes)))


def _power_exercise():
    np = _np()
    variant = lambda **kw: (lambda x, y: _power_variant(x, y, **kw))  # noqa: E731
    return _arrays_exercise(
        "fit_power_law", ("sizes", "losses"), _power_law,
        note="(a, alpha) of the least-squares line ln L = ln a − alpha ln N",
        cases=_cases([(np.array([1e3, 1e4, 1e5]), np.array([3.0, 2.4, 1.92]))],
                     [_power_case(1, [1.8e3, 4.1e3, 1.0e4, 2.9e4, 9.0e4, 3.1e5], 4.3, 0.076, 0.01),
                      _power_case(2, [50, 200, 800, 3200, 12800], 9.0, 0.3, 0.05),
                      _power_case(3, [10, 1000], 2.0, 0.5, 0.0),
                      _power_case(4, [7e5, 2e3, 9e4, 3e4], 5.0, 0.1, 0.02),  # not sorted
                      _power_case(5, [1e3, 3e3, 1e4, 3e4, 1e5], 3.0, 0.12, 0.03)]),
        mistakes=(
            _Mistake("the exponent is minus the slope: L = a · N^(−alpha) falls as N grows, so the slope of "
                     "ln L against ln N is −alpha and alpha is positive.", variant(sign=-1.0)),
            _Mistake("the fit gives ln a, the intercept; a itself is exp(intercept).", variant(base="none")),
            _Mistake("fit a straight line to the logarithms of both, ln L against ln N: a power law is only "
                     "straight on log-log axes.", variant(linear=True)),
            _Mistake("regress ln L (the loss) on ln N (the size), not ln N on ln L: least squares is not "
                     "symmetric when the points scatter.", variant(swap=True)),
            _Mistake("use every point in the least-squares fit, not only the smallest and the largest size.",
                     variant(ends=True)),
        ))


def check_fit_power_law(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(sizes, losses)`` -> (a, alpha) with losses ≈ a · sizes^(−alpha).

    The fit is least squares on the logarithms: ln L = ln a − alpha ln N (``np.polyfit(np.log(sizes),
    np.log(losses), 1)`` gives the slope −alpha and the intercept ln a). Notebook example: sizes
    1e3, 1e4, 1e5 with losses 3.0, 2.4, 1.92 give alpha = −log10(0.8) = 0.0969, a = 3 · 1000^0.0969 = 5.859.
    """
    return _run_arrays(_power_exercise(), fn)


# ----------------------------------------------------------------------------- compute optimal
def _compute_optimal(compute):
    from lmtutor.scaling import compute_optimal

    return compute_optimal(compute)


_OPTIMAL_CASES = _cases([(5.76e23,)], [(1e18,), (1e21,), (120.0,), (6e15,), (3.1e25,)])


def _optimal_exercise():
    return _arrays_exercise(
        "compute_optimal", ("compute",), _compute_optimal,
        note="C = 6 N D with D = 20 N: N = sqrt(C / 120), D = 20 N",
        cases=_OPTIMAL_CASES,
        mistakes=(
            _Mistake("training costs about 6 FLOPs per parameter per token (2 forward, 4 backward): C = 6 N D, "
                     "not N D.", lambda c: (math.sqrt(c / 20), 20 * math.sqrt(c / 20))),
            _Mistake("return (N, D), parameters first, then tokens.",
                     lambda c: (20 * math.sqrt(c / 120), math.sqrt(c / 120))),
            _Mistake("Hoffmann et al. found about 20 training tokens per parameter: D = 20 N, not D = N.",
                     lambda c: (math.sqrt(c / 6), math.sqrt(c / 6))),
            _Mistake("with D = 20 N, C = 6 N D = 120 N², so N = sqrt(C / 120), not C / 120.",
                     lambda c: (c / 120, 20 * c / 120)),
        ))


def check_compute_optimal(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(compute)`` -> (N, D): parameters and tokens for ``compute`` FLOPs.

    Hoffmann et al.'s (2022) rule of thumb: C = 6 N D and D = 20 N, so N = sqrt(C / 120) and
    D = 20 N. Notebook example: C = 5.76e23 (Chinchilla's budget) gives N = 6.93e10, D = 1.39e12.
    """
    return _run_arrays(_optimal_exercise(), fn)
