"""Power laws for the scaling experiment of notebook 13: L(x) = a · x^(−α) (+ c), fitted in NumPy.

A straight line on log-log axes is a power law: ln L = ln a − α ln x. :func:`fit_power_law` fits it
by least squares on the logarithms (the same line ``np.polyfit(np.log(x), np.log(y), 1)`` finds);
with ``offset=True`` it also fits a floor c, the loss no amount of x removes::

    law = fit_power_law(parameters, losses)            # PowerLaw(a=..., alpha=..., c=0.0)
    law.alpha, law(2 * parameters[-1])                 # the exponent, a prediction
    compute_optimal(1e21)                              # Hoffmann et al.'s rule: (N, D) with D = 20 N
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lmtutor._validate import check_array, check_bool, check_float

GOLDEN = (math.sqrt(5) - 1) / 2  # the golden-section ratio 0.618...
TOKENS_PER_PARAMETER = 20.0  # Hoffmann et al. (2022): compute-optimal training uses about 20 tokens per parameter
FLOPS_PER_PARAMETER_TOKEN = 6.0  # training compute C ≈ 6 N D (forward 2 N D + backward 4 N D; Kaplan et al. 2020)


@dataclass(frozen=True)
class PowerLaw:
    """L(x) = c + a · x^(−alpha): a power law with an optional floor c."""

    a: float  # the loss at x = 1 above the floor
    alpha: float  # the exponent: doubling x multiplies L − c by 2^(−alpha)
    c: float = 0.0  # the floor (irreducible loss); 0 for a pure power law

    def __post_init__(self):
        for name in ("a", "alpha", "c"):
            check_float(name, getattr(self, name))

    def __call__(self, x: Any) -> np.ndarray:
        """Return c + a · x^(−alpha) for each positive x."""
        x = _positive("x", x)
        return self.c + self.a * x ** (-self.alpha)


def _positive(name: str, value: Any) -> np.ndarray:
    array = check_array(name, value)
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-D array, got shape {array.shape}")
    if np.any(array <= 0):
        raise ValueError(f"{name} must be positive (a power law lives on log axes), got minimum {array.min()}")
    return array


def _line(log_x: np.ndarray, log_y: np.ndarray) -> tuple[float, float, float]:
    """Return (intercept, slope, squared residual) of the least-squares line log_y ≈ intercept + slope·log_x."""
    design = np.stack([np.ones_like(log_x), log_x], axis=1)  # (n, 2)
    (intercept, slope), *_ = np.linalg.lstsq(design, log_y, rcond=None)
    residual = log_y - (intercept + slope * log_x)
    return float(intercept), float(slope), float(residual @ residual)


def fit_power_law(x: Any, y: Any, *, offset: bool = False) -> PowerLaw:
    """Return the PowerLaw that fits ``y`` ≈ c + a · ``x``^(−α) by least squares on log-log axes.

    Without ``offset`` (c = 0): ln y = ln a − α ln x, one linear least-squares solve. With
    ``offset``: for a floor c in [0, min y) the same line is fitted to ln(y − c); c minimises the
    squared residual of that line (the profile over c): the best of 400 floors spaced densely
    near min y, refined by golden-section search between its neighbours.
    Needs at least 2 points with distinct x (3 with ``offset``), all positive.
    """
    x, y = _positive("x", x), _positive("y", y)
    check_bool("offset", offset)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.shape} and {y.shape}")
    distinct = len(np.unique(x))
    if distinct < 2 + offset:
        raise ValueError(f"x must hold at least {2 + offset} distinct values to fit "
                         f"{'a, alpha and c' if offset else 'a and alpha'}, got {distinct}")
    log_x = np.log(x)
    if not offset:
        intercept, slope, _ = _line(log_x, np.log(y))
        return PowerLaw(math.exp(intercept), -slope, 0.0)

    def cost(c: float) -> float:
        return _line(log_x, np.log(y - c))[2]

    top = float(y.min()) * (1 - 1e-9)  # ln(y − c) needs c < min y
    grid = np.concatenate([[0.0], top * (1 - np.geomspace(1.0, 1e-8, 400)[1:])])  # dense near min y
    costs = [cost(c) for c in grid]
    best = int(np.argmin(costs))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]  # the profile need not be unimodal overall
    left, right = high - GOLDEN * (high - low), low + GOLDEN * (high - low)
    cost_left, cost_right = cost(left), cost(right)
    while high - low > 1e-12 * top:  # golden-section search: the bracket shrinks by 0.618 per step
        if cost_left <= cost_right:
            high, right, cost_right = right, left, cost_left
            left = high - GOLDEN * (high - low)
            cost_left = cost(left)
        else:
            low, left, cost_left = left, right, cost_right
            right = low + GOLDEN * (high - low)
            cost_right = cost(right)
    c = min((grid[best], left, right), key=cost)
    intercept, slope, _ = _line(log_x, np.log(y - c))
    return PowerLaw(math.exp(intercept), -slope, float(c))


def compute_optimal(compute: Any) -> tuple[float, float]:
    """Return (parameters N, training tokens D) that spend ``compute`` FLOPs by Hoffmann et al.'s rule.

    C = 6 N D and D = 20 N, so N = sqrt(C / 120) and D = 20 N (Hoffmann et al. 2022, rounded: their
    fits give about 20 tokens per parameter).
    """
    compute = check_float("compute", compute, minimum=0.0, min_inclusive=False)
    parameters = math.sqrt(compute / (FLOPS_PER_PARAMETER_TOKEN * TOKENS_PER_PARAMETER))
    return parameters, TOKENS_PER_PARAMETER * parameters
