"""Loss surfaces of two parameters as contour lines, and an optimizer's path drawn on them.

Notebook 05 draws the paths of several optimizers on ``optim.ill_conditioned_quadratic`` and
``optim.rosenbrock``; ``widgets.optimizer_explorer`` redraws one path as sliders move::

    path = optim.trajectory(optim.Adam(0.3), optim.rosenbrock, [-1.5, 2.0], 200)
    fig = plots.path_figure(optim.rosenbrock, path, (-2, 2), (-1, 3), log=True, title="Adam")
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from lmtutor._validate import _show, check_type
from lmtutor.plots import _numbers


def _limits(name: str, limits) -> tuple[float, float]:
    """Return ``limits`` as (low, high) floats with low < high, raising otherwise."""
    try:
        low, high = (float(v) for v in limits)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {_show(limits)}") from None
    if not low < high:
        raise ValueError(f"{name} must have low < high, got ({low:g}, {high:g})")
    return low, high


def contour(ax: Axes, surface, xlim, ylim, *, log: bool = False) -> Axes:
    """Return ``ax`` with 20 grey contour lines of the loss f(x, y) of ``surface`` over xlim × ylim.

    ``surface`` maps a point (x, y) to (loss, gradient), as ``optim.rosenbrock`` does; it is
    evaluated on a 150 × 150 grid. With ``log`` the lines are drawn for log10(f + 0.001), which
    spaces them evenly on a surface whose values span several orders of magnitude.
    """
    check_type("ax", ax, Axes)
    if not callable(surface):
        raise TypeError(f"surface must be a function params -> (loss, gradient), got {_show(surface)}")
    xs, ys = np.linspace(*_limits("xlim", xlim), 150), np.linspace(*_limits("ylim", ylim), 150)
    check_type("log", log, bool)
    values = np.array([[surface(np.array([x, y]))[0] for x in xs] for y in ys])  # (150, 150), row: y
    ax.contour(xs, ys, np.log10(values + 1e-3) if log else values, levels=20, colors="0.8", linewidths=0.6)
    return ax


def path_figure(surface, path, xlim, ylim, *, log: bool = False, title: str | None = None):
    """Return a Figure of the points ``path`` ((steps + 1, 2), as ``optim.trajectory`` returns)
    joined by a line over the :func:`contour` lines of ``surface``, cut to xlim × ylim."""
    points = _numbers("path", path, ndim=2)
    if points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"path must be points (x, y) of shape (steps + 1, 2), got shape {points.shape}")
    fig, ax = plt.subplots(figsize=(6, 4))
    plt.close(fig)  # shown by the cell or the widget that asks for it, once
    contour(ax, surface, xlim, ylim, log=log)
    ax.plot(*points.T, marker=".", markersize=3, color="C3")
    ax.set(xlim=_limits("xlim", xlim), ylim=_limits("ylim", ylim))
    if title is not None:
        ax.set_title(check_type("title", title, str))
    return fig
