"""Loss surfaces of two parameters as contour lines, and an optimizer's path drawn on them.

Notebook 05 draws the paths of several optimizers on ``optim.ill_conditioned_quadratic`` and
``optim.rosenbrock`` side by side with ``paths_figure`` (one legend for both panels);
``widgets.optimizer_explorer`` redraws one path as sliders move::

    path = optim.trajectory(optim.Adam(0.3), optim.rosenbrock, [-1.5, 2.0], 200)
    fig = plots.path_figure(optim.rosenbrock, path, (-2, 2), (-1, 3), log=True, title="Adam")
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from lmtutor._validate import _show, check_type
from lmtutor.plots import _numbers


def _limits(name: str, limits) -> tuple[float, float]:
    """Return ``limits`` as (low, high) floats with low < high, raising otherwise."""
    try:
        if isinstance(limits, (str, bytes)) or any(isinstance(v, (bool, np.bool_)) for v in limits):
            raise TypeError
        low, high = (float(v) for v in limits)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {_show(limits)}") from None
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{name} must be finite, got ({low:g}, {high:g})")
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
    first = surface(np.array([xs[0], ys[0]]))  # the grid's first point, checked (no extra call: a surface may draw noise)
    if (not isinstance(first, tuple) or len(first) != 2 or isinstance(first[0], (bool, np.bool_))
            or not isinstance(first[0], (int, float, np.number)) or np.ndim(first[0]) != 0):
        raise TypeError(f"surface must return a pair (loss, gradient), as optim.rosenbrock does, got {_show(first)}")
    values = np.array([[first[0] if i == j == 0 else surface(np.array([x, y]))[0] for i, x in enumerate(xs)]
                       for j, y in enumerate(ys)])  # (150, 150), row: y
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


def paths_figure(panels, paths, *, minima=None):
    """Return a Figure with one panel per surface: its :func:`contour` lines and the path of every
    optimizer run on it, with one legend for the whole figure, below the panels.

    ``panels`` maps a panel title to (surface, xlim, ylim, log); ``paths`` maps (title, optimizer
    name) to the points ((steps + 1, 2), as ``optim.trajectory`` returns) of that optimizer on that
    surface. An optimizer keeps its colour in every panel, so the one legend serves them all; a
    large dot of that colour marks where its path ends.
    ``minima`` maps a title to the point (x, y) of the surface's minimum, drawn as a black star.
    """
    if not isinstance(panels, dict) or not panels:
        raise TypeError(f"panels must be a non-empty dict title -> (surface, xlim, ylim, log), got {_show(panels)}")
    for title, panel in panels.items():
        if not isinstance(panel, (tuple, list)) or len(panel) != 4:
            raise TypeError(f"panels[{title!r}] must be (surface, xlim, ylim, log), got {_show(panel)}")
    if not isinstance(paths, dict) or not all(isinstance(k, tuple) and len(k) == 2 for k in paths):
        raise TypeError(f"paths must be a dict (title, optimizer name) -> points, got {_show(paths)}")
    unknown = sorted({title for title, _ in paths} - set(panels))
    if unknown:
        raise ValueError(f"paths name panels that panels does not have: {unknown}; panels: {list(panels)}")
    minima = {} if minima is None else minima
    if not isinstance(minima, dict):
        raise TypeError(f"minima must be a dict title -> point (x, y), or None, got {_show(minima)}")
    unknown = sorted(set(minima) - set(panels), key=str)
    if unknown:
        raise ValueError(f"minima name panels that panels does not have: {unknown}; panels: {list(panels)}")
    for title, point in minima.items():
        if _numbers(f"minima[{title!r}]", point).shape != (2,):
            raise ValueError(f"minima[{title!r}] must be a point (x, y), got {_show(point)}")
    names = list(dict.fromkeys(name for _, name in paths))  # in order of first appearance
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.6), layout="constrained", squeeze=False)
    plt.close(fig)  # shown by the cell that returns it, once
    for ax, (title, (surface, xlim, ylim, log)) in zip(axes[0], panels.items()):
        contour(ax, surface, xlim, ylim, log=log)
        for (where, name), path in paths.items():
            if where == title:
                points = _numbers(f"paths[{title!r}, {name!r}]", path, ndim=2)
                if points.shape[1] != 2 or len(points) == 0:
                    raise ValueError(f"paths[{title!r}, {name!r}] must be points (x, y) of shape (steps + 1, 2), "
                                     f"got shape {points.shape}")
                colour = f"C{names.index(name)}"
                ax.plot(*points.T, marker=".", markersize=2, linewidth=1, color=colour, label=name)
                ax.plot(*points[-1], "o", markersize=7, color=colour, markeredgecolor="white",
                        label="_end")  # where it stopped, visible even where the paths overlap
        if title in minima:
            ax.plot(*_numbers(f"minima[{title!r}]", minima[title]), "k*", markersize=12, label="_minimum")
        ax.set(title=title, xlim=_limits("xlim", xlim), ylim=_limits("ylim", ylim))
    handles = [Line2D([], [], color=f"C{i}", marker="o", markersize=7, markeredgecolor="white", linewidth=1.5)
               for i in range(len(names))]
    labels = list(names)
    if any(title in minima for title in panels):
        handles.append(Line2D([], [], color="k", marker="*", markersize=12, linestyle="none"))
        labels.append("minimum")
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig
