"""Tests of lmtutor.plots.optim: contour lines of the surface's loss, and the path drawn over them."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from lmtutor import optim, plots


def contour_levels(ax):
    return np.asarray(ax.collections[0].levels)


def test_contour_draws_20_levels_spanning_the_loss_over_the_box():
    fig, ax = plt.subplots()
    plt.close(fig)
    assert plots.contour(ax, optim.ill_conditioned_quadratic, (-4.5, 1), (-1.5, 1.5)) is ax
    levels = contour_levels(ax)
    corner = optim.ill_conditioned_quadratic([-4.5, 1.5])[0]  # the largest loss on the grid: 10.125 + 22.5
    assert 15 <= len(levels) <= 25
    assert levels[0] <= 0 + 1e-9 and levels[-1] >= corner * 0.9 and levels[-1] <= corner * 1.2


def test_contour_with_log_draws_log10_of_the_loss():
    fig, ax = plt.subplots()
    plt.close(fig)
    plots.contour(ax, optim.rosenbrock, (-2, 2), (-1, 3), log=True)
    highest = np.log10(optim.rosenbrock([-2, -1])[0] + 1e-3)  # (3)² + 100·25 = 2509 at the corner
    assert contour_levels(ax)[-1] == pytest.approx(highest, abs=0.5)
    assert contour_levels(ax)[0] < 0  # near the minimum log10(f + 0.001) is negative


def test_path_figure_draws_the_path_it_is_given_over_the_contours():
    path = optim.trajectory(optim.Adam(0.3), optim.rosenbrock, [-1.5, 2.0], 50)
    fig = plots.path_figure(optim.rosenbrock, path, (-2, 2), (-1, 3), log=True, title="Adam")
    ax = fig.axes[0]
    (line,) = ax.lines
    assert np.array_equal(np.column_stack(line.get_data()), path)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 3) and ax.get_title() == "Adam"
    assert len(ax.collections) == 1  # the contour lines
    assert not plt.get_fignums()  # returned, not left open in pyplot


@pytest.mark.parametrize("call, error, words", [
    (lambda ax: plots.contour("ax", optim.rosenbrock, (0, 1), (0, 1)), TypeError, "ax must be Axes"),
    (lambda ax: plots.contour(ax, "rosenbrock", (0, 1), (0, 1)), TypeError, "surface must be a function"),
    (lambda ax: plots.contour(ax, optim.rosenbrock, (1, 0), (0, 1)), ValueError, "xlim must have low < high"),
    (lambda ax: plots.contour(ax, optim.rosenbrock, (0, 1), "ab"), TypeError, "ylim must be a pair of numbers"),
    (lambda ax: plots.contour(ax, optim.rosenbrock, (0, 1), (0, 1), log=1), TypeError, "log must be bool"),
    (lambda ax: plots.path_figure(optim.rosenbrock, [1.0, 2.0], (0, 1), (0, 1)), ValueError, "path must be 2-D"),
    (lambda ax: plots.path_figure(optim.rosenbrock, np.zeros((4, 3)), (0, 1), (0, 1)), ValueError,
     "path must be points (x, y) of shape (steps + 1, 2), got shape (4, 3)"),
    (lambda ax: plots.path_figure(optim.rosenbrock, np.zeros((4, 2)), (0, 1), (0, 1), title=3), TypeError,
     "title must be str"),
])
def test_bad_input_names_the_argument(call, error, words):
    fig, ax = plt.subplots()
    plt.close(fig)
    with pytest.raises(error, match=re.escape(words)):
        call(ax)


PANELS = {"quadratic": (optim.ill_conditioned_quadratic, (-4.5, 1), (-1.5, 1.5), False),
          "Rosenbrock": (optim.rosenbrock, (-2, 2), (-1, 3), True)}


@pytest.fixture(scope="module")
def two_panels():
    paths = {(title, name): optim.trajectory(make(), surface, [-1.5, 1.0], 30)
             for title, (surface, *_) in PANELS.items()
             for name, make in {"GD": lambda: optim.SGD(0.001), "Adam": lambda: optim.Adam(0.05)}.items()}
    return plots.optim.paths_figure(PANELS, paths, minima={"Rosenbrock": (1, 1)}), paths


def test_paths_figure_has_one_legend_that_names_every_line_of_every_panel(two_panels):
    fig, paths = two_panels
    (legend,) = fig.legends
    entries = {text.get_text(): handle.get_color() for text, handle in zip(legend.get_texts(), legend.legend_handles)}
    assert list(entries) == ["GD", "Adam", "minimum"]
    for ax, title in zip(fig.axes, PANELS):
        assert ax.get_legend() is None and ax.get_title() == title
        drawn = {line.get_label(): line for line in ax.lines if not line.get_label().startswith("_")}
        assert set(drawn) == {"GD", "Adam"}  # every optimizer in every panel, in the legend's colour
        for name, line in drawn.items():
            assert line.get_color() == entries[name]
            assert np.array_equal(np.column_stack(line.get_data()), paths[title, name])
    stars = [line for line in fig.axes[1].lines if line.get_marker() == "*"]
    assert len(stars) == 1 and tuple(stars[0].get_xydata()[0]) == (1, 1)
    assert not any(line.get_marker() == "*" for line in fig.axes[0].lines)  # no minimum given for it


def test_paths_figure_legend_covers_no_panel(two_panels):
    fig, _ = two_panels
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend_box = fig.legends[0].get_window_extent(renderer)
    assert all(not legend_box.overlaps(ax.get_tightbbox(renderer)) for ax in fig.axes)
    figure_box = fig.bbox
    assert figure_box.x0 <= legend_box.x0 and legend_box.x1 <= figure_box.x1 and figure_box.y0 <= legend_box.y0


@pytest.mark.parametrize("panels, paths, error, words", [
    ({}, {}, TypeError, "panels must be a non-empty dict"),
    (PANELS, [np.zeros((3, 2))], TypeError, "paths must be a dict (title, optimizer name) -> points"),
    (PANELS, {("valley", "GD"): np.zeros((3, 2))}, ValueError, "paths name panels that panels does not have: ['valley']"),
    (PANELS, {("quadratic", "GD"): np.zeros(3)}, ValueError, "paths['quadratic', 'GD'] must be 2-D"),
    (PANELS, {("quadratic", "GD"): np.zeros((3, 3))}, ValueError,
     "paths['quadratic', 'GD'] must be points (x, y) of shape (steps + 1, 2), got shape (3, 3)"),
])
def test_paths_figure_bad_input_names_the_argument(panels, paths, error, words):
    with pytest.raises(error, match=re.escape(words)):
        plots.optim.paths_figure(panels, paths)
