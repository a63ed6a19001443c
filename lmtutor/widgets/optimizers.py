"""The optimizer explorer: one optimizer's path on a loss surface, redrawn as you change it.

Drop-downs pick the optimizer (``lmtutor.optim``) and the surface, sliders the learning rate (on a
log scale) and the number of steps; the picture is ``plots.path_figure`` of ``optim.trajectory``::

    from lmtutor.widgets import optimizer_explorer
    optimizer_explorer(optimizer="Adam", log10_learning_rate=0.0, surface="Rosenbrock")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lmtutor import optim, plots
from lmtutor._validate import check_array, check_bool, check_callable, check_choice, check_float, check_int
from lmtutor.widgets._html import show_figure

# name -> the optimizer with learning rate lr: the ones notebook 05 builds, and the seed's Adam without v
OPTIMIZERS: dict[str, Callable[[float], optim.Optimizer]] = {
    "GD": lambda lr: optim.SGD(lr),
    "momentum 0.9": lambda lr: optim.SGD(lr, momentum=0.9),
    "Nesterov 0.9": lambda lr: optim.SGD(lr, momentum=0.9, nesterov=True),
    "RMSProp": lambda lr: optim.RMSProp(lr),
    "Adam": lambda lr: optim.Adam(lr),
    "seed's Adam (no v)": lambda lr: optim.AdamWithoutSecondMoment(lr),
}


@dataclass(frozen=True)
class SurfaceView:
    """A loss surface of two parameters and how the explorer shows it."""

    function: optim.Surface  # params (2,) -> (loss, gradient)
    start: tuple[float, float]  # where every path begins
    xlim: tuple[float, float]  # the part of the plane drawn
    ylim: tuple[float, float]
    log: bool  # contour lines of log10(loss + 0.001) instead of the loss

    def __post_init__(self):
        from lmtutor.plots.optim import _limits

        check_callable("function", self.function, "a surface: params (2,) -> (loss, gradient)")
        if not isinstance(self.start, tuple):
            raise TypeError(f"start must be a point (x, y), a tuple, got {type(self.start).__name__} {self.start!r:.40}")
        start = check_array("start", self.start)
        if start.shape != (2,):
            raise ValueError(f"start must be a point (x, y), got {self.start!r}")
        _limits("xlim", self.xlim)
        _limits("ylim", self.ylim)
        check_bool("log", self.log)


SURFACES = {
    "quadratic": SurfaceView(optim.ill_conditioned_quadratic, (-4.0, 1.0), (-4.5, 4.5), (-2, 2), False),
    "Rosenbrock": SurfaceView(optim.rosenbrock, (-1.5, 2.0), (-2, 2), (-1, 3), True),
}
LOG10_LEARNING_RATE = (-4.0, 0.5)  # the slider's range: α from 1e-4 to about 3.2
STEPS = (10, 1000)


def optimizer_figure(optimizer: str, log10_learning_rate: float, steps: int, surface: str):
    """Return the Figure of ``optim.trajectory`` of ``optimizer`` with α = 10^log10_learning_rate for
    ``steps`` steps on ``surface`` (keys of OPTIMIZERS and SURFACES), titled with its final loss."""
    check_choice("optimizer", optimizer, OPTIMIZERS)
    log10_learning_rate = check_float("log10_learning_rate", log10_learning_rate, minimum=LOG10_LEARNING_RATE[0],
                                      maximum=LOG10_LEARNING_RATE[1])
    steps = check_int("steps", steps, minimum=STEPS[0], maximum=STEPS[1])
    view = SURFACES[check_choice("surface", surface, SURFACES)]
    learning_rate = 10**log10_learning_rate
    path = optim.trajectory(OPTIMIZERS[optimizer](learning_rate), view.function, view.start, steps)
    title = f"{optimizer}, α = {learning_rate:.3g}: final loss {view.function(path[-1])[0]:.3g}"
    return plots.path_figure(view.function, path, view.xlim, view.ylim, log=view.log, title=title)


def optimizer_explorer(*, optimizer: str = "GD", log10_learning_rate: float = -1.1, steps: int = 100,
                       surface: str = "quadratic"):
    """Return a VBox: drop-downs for the optimizer and the surface, sliders for log10 α and the
    number of steps, and :func:`optimizer_figure` of those settings, redrawn whenever one changes."""
    import ipywidgets as widgets  # imported here so `import lmtutor.widgets` stays light

    optimizer_figure(optimizer, log10_learning_rate, steps, surface)  # valid settings, or a named error
    slider = dict(continuous_update=False, style={"description_width": "initial"})
    controls = {
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="optimizer"),
        "log10_learning_rate": widgets.FloatSlider(value=log10_learning_rate, min=LOG10_LEARNING_RATE[0],
                                                   max=LOG10_LEARNING_RATE[1], step=0.1, description="log10 α",
                                                   **slider),
        "steps": widgets.IntSlider(value=steps, min=STEPS[0], max=STEPS[1], step=10, description="steps", **slider),
        "surface": widgets.Dropdown(options=list(SURFACES), value=surface, description="surface"),
    }
    picture = widgets.Image(format="png")
    picture.add_class("lmtutor-optimizer-figure")

    def update(change=None):
        show_figure(picture, optimizer_figure(**{name: control.value for name, control in controls.items()}))

    for control in controls.values():
        control.observe(update, names="value")
    update()
    names = list(controls)
    return widgets.VBox([widgets.HBox([controls[n] for n in names[:2]]),
                         widgets.HBox([controls[n] for n in names[2:]]), picture])
