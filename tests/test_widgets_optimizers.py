"""Tests of lmtutor.widgets.optimizers: the figure draws optim.trajectory, and the explorer redraws it
when a control changes (driven from Python, as a learner's click would)."""

import re

import numpy as np
import pytest

from lmtutor import optim, plots
from lmtutor.widgets import optimizer_explorer, optimizer_figure
from lmtutor.widgets.optimizers import OPTIMIZERS, SURFACES


def drawn_path(fig):
    return np.column_stack(fig.axes[0].lines[0].get_data())


def parts(box):
    (optimizer, rate), (steps, surface) = (row.children for row in box.children[:2])
    return dict(optimizer=optimizer, log10_learning_rate=rate, steps=steps, surface=surface), box.children[2]


@pytest.mark.parametrize("name, expected", [
    ("GD", optim.SGD(0.05)), ("momentum 0.9", optim.SGD(0.05, momentum=0.9)),
    ("Nesterov 0.9", optim.SGD(0.05, momentum=0.9, nesterov=True)), ("RMSProp", optim.RMSProp(0.05)),
    ("Adam", optim.Adam(0.05)), ("seed's Adam (no v)", optim.AdamWithoutSecondMoment(0.05)),
])
def test_each_optimizer_name_builds_that_optimizer(name, expected):
    built = OPTIMIZERS[name](0.05)
    assert type(built) is type(expected)
    assert np.array_equal(optim.trajectory(built, optim.rosenbrock, [-1.5, 2.0], 20),
                          optim.trajectory(expected, optim.rosenbrock, [-1.5, 2.0], 20))


def test_optimizer_figure_draws_the_trajectory_and_its_final_loss():
    fig = optimizer_figure("momentum 0.9", -2.0, 200, "Rosenbrock")
    path = optim.trajectory(optim.SGD(0.01, momentum=0.9), optim.rosenbrock, [-1.5, 2.0], 200)
    assert np.allclose(drawn_path(fig), path)
    assert fig.axes[0].get_title() == f"momentum 0.9, α = 0.01: final loss {optim.rosenbrock(path[-1])[0]:.3g}"
    assert fig.axes[0].get_xlim() == SURFACES["Rosenbrock"].xlim


def test_gd_on_the_quadratic_converges_below_alpha_0_1_and_diverges_above():
    below = drawn_path(optimizer_figure("GD", np.log10(0.09), 200, "quadratic"))
    above = drawn_path(optimizer_figure("GD", np.log10(0.11), 200, "quadratic"))
    assert abs(below[-1, 1]) < 1e-3 < abs(above[-1, 1])  # the notebook's claim: α < 2/κ = 0.1 is stable


def test_explorer_layout_and_first_drawing():
    box = optimizer_explorer()
    controls, picture = parts(box)
    assert list(controls["optimizer"].options) == list(OPTIMIZERS) and controls["optimizer"].value == "GD"
    assert list(controls["surface"].options) == list(SURFACES) and controls["surface"].value == "quadratic"
    assert (controls["log10_learning_rate"].value, controls["steps"].value) == (-1.1, 100)
    assert "lmtutor-optimizer-figure" in picture._dom_classes
    assert picture.value == plots.png(optimizer_figure("GD", -1.1, 100, "quadratic"))


def test_explorer_redraws_when_each_control_changes():
    controls, picture = parts(optimizer_explorer())
    drawn = [picture.value]
    for name, value in (("log10_learning_rate", -1.5), ("steps", 300), ("optimizer", "Adam"),
                        ("surface", "Rosenbrock")):
        controls[name].value = value
        assert picture.value not in drawn, f"changing {name} must change the picture"
        drawn.append(picture.value)
    assert picture.value == plots.png(optimizer_figure("Adam", -1.5, 300, "Rosenbrock"))


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(optimizer="Adagrad"), ValueError, "optimizer must be one of"),
    (dict(surface="saddle"), ValueError, "surface must be one of"),
    (dict(log10_learning_rate=1.0), ValueError, "log10_learning_rate must be <= 0.5"),
    (dict(log10_learning_rate="big"), TypeError, "log10_learning_rate must be"),
    (dict(steps=5), ValueError, "steps must be >= 10"),
    (dict(steps=10.5), TypeError, "steps must be an int"),
])
def test_bad_settings_are_named_by_the_figure_and_the_explorer(kwargs, error, words):
    settings = dict(optimizer="GD", log10_learning_rate=-1.1, steps=100, surface="quadratic") | kwargs
    with pytest.raises(error, match=re.escape(words)):
        optimizer_figure(**settings)
    with pytest.raises(error, match=re.escape(words)):
        optimizer_explorer(**settings)
