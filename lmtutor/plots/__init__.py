"""Plot style for the course notebooks, with Chinese text that renders, and the course's figures.

Call ``setup()`` once in a notebook's Setup cell; the helpers return a Figure and never save or
show it (leave it as the last line of a cell to display it)::

    from lmtutor import plots
    plots.setup()
    fig = plots.bar(["我", "有", "苹果"], [3, 2, 1], title="Token counts 词频")

This module holds the style and the general helpers (``bar``, ``line``, ``heatmap``, ``png``); the
figures of one concept sit in a submodule named after it and are re-exported here:
``next_token_figure`` (``plots.decoding``), ``attention_figure`` (``plots.attention``), ``contour``
and ``path_figure`` (``plots.optim``), ``word_map`` (``plots.embeddings``);
``markdown_table`` (``plots.tables``) shows a result table as Markdown.

Chinese glyphs come from Noto Sans CJK SC, shipped inside the pinned PyPI package
``mplfonts==0.0.11``, so no system font is needed. Latin text keeps DejaVu Sans; matplotlib falls
back glyph by glyph to the CJK font for characters DejaVu Sans lacks.
"""

from __future__ import annotations

import functools
import io
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from lmtutor._validate import _show, check_type

_FONT_FILE = "NotoSansCJKsc-Regular.otf"   # inside the mplfonts package, folder fonts/
_INSTALL_HINT = "pip install mplfonts==0.0.11 (or: pip install -r requirements.txt)"

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "large",
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=_COLOURS),
}


def cjk_font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file shipped in the ``mplfonts`` package."""
    # find_spec locates the package without importing it: mplfonts' own code is not needed.
    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"Chinese text in plots needs the mplfonts package: {_INSTALL_HINT}")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / _FONT_FILE
    if not path.is_file():
        raise ImportError(f"mplfonts is installed but has no fonts/{_FONT_FILE}: {_INSTALL_HINT}")
    return path


@functools.lru_cache(maxsize=None)
def _family_of(path: str) -> str:
    """Return the family name stored in the font file at ``path``."""
    return font_manager.FontProperties(fname=path).get_name()


def cjk_font_name() -> str:
    """Return the family name of the CJK font (``"Noto Sans CJK SC"``) that ``setup()`` registers."""
    return _family_of(str(cjk_font_path()))


def setup() -> None:
    """Return None; set the course plot style and make Chinese text render (safe to call twice)."""
    path = str(cjk_font_path())
    name = cjk_font_name()
    if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    matplotlib.rcParams.update(_STYLE)
    others = [f for f in matplotlib.rcParams["font.sans-serif"] if f not in ("DejaVu Sans", name)]
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans", name, *others]
    # Per-glyph fallback walks the families listed in font.family ("sans-serif" resolves to one
    # font only), so the CJK family must be listed there too.
    matplotlib.rcParams["font.family"] = ["sans-serif", name]
    # DejaVu Sans has the Unicode minus sign (U+2212), so axes.unicode_minus can stay True.


def _labels(name: str, labels: Any) -> list[str]:
    """Return ``labels`` as a non-empty list of str, rejecting a bare string."""
    if isinstance(labels, str):
        raise TypeError(f"{name} must be a list of labels, got a str {_show(labels)}")
    try:
        items = [str(label) for label in labels]
    except TypeError:
        raise TypeError(f"{name} must be a list of labels, got {type(labels).__name__}") from None
    if not items:
        raise ValueError(f"{name} must not be empty")
    return items


def _numbers(name: str, values: Any, *, ndim: int = 1) -> np.ndarray:
    """Return ``values`` as a float array with ``ndim`` dimensions, raising if it is not numeric.

    Real numbers only (no bool, no complex); NaN and ±inf may be drawn (a gap, a diverged run).
    """
    if isinstance(values, str) or values is None:
        raise TypeError(f"{name} must be numbers, got {type(values).__name__} {_show(values)}")
    try:
        raw = np.asarray(values)
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers, got {_show(values)}") from None
    if raw.dtype.kind not in "fiu" or (isinstance(values, (list, tuple)) and any(
            isinstance(v, (bool, np.bool_)) for v in np.asarray(values, dtype=object).reshape(-1))):
        raise TypeError(f"{name} must be real numbers (int or float, not bool or complex), got {_show(values)}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    return array


def _same_length(name: str, values: np.ndarray, other: str, size: int) -> None:
    """Raise ValueError unless ``values`` has ``size`` entries (the length of ``other``)."""
    if len(values) != size:
        raise ValueError(f"{name} has {len(values)} values but {other} has {size}; they must match")


def _new_axes(title: str | None, xlabel: str | None, ylabel: str | None):
    """Return (fig, ax) for a new figure that pyplot does not track (so a cell shows it once)."""
    fig, ax = plt.subplots(layout="constrained")
    plt.close(fig)
    for value, setter, name in ((title, ax.set_title, "title"), (xlabel, ax.set_xlabel, "xlabel"),
                                (ylabel, ax.set_ylabel, "ylabel")):
        if value is not None:
            setter(check_type(name, value, str))
    return fig, ax


def bar(labels: Sequence[Any], values: Sequence[float], *, title: str | None = None,
        xlabel: str | None = None, ylabel: str | None = None, horizontal: bool = False) -> Figure:
    """Return a Figure with one bar per label (labels in the given order, duplicates kept)."""
    names = _labels("labels", labels)
    heights = _numbers("values", values)
    _same_length("values", heights, "labels", len(names))
    check_type("horizontal", horizontal, bool)
    fig, ax = _new_axes(title, xlabel, ylabel)
    positions = np.arange(len(names))
    if horizontal:
        ax.barh(positions, heights)
        ax.set_yticks(positions, names)
        ax.invert_yaxis()  # first label on top, as it reads
        ax.grid(axis="y", visible=False)
    else:
        ax.bar(positions, heights)
        ax.set_xticks(positions, names)
        ax.grid(axis="x", visible=False)
    return fig


def line(x: Sequence[float], ys: Mapping[str, Sequence[float]], *, title: str | None = None,
         xlabel: str | None = None, ylabel: str | None = None,
         logx: bool = False, logy: bool = False) -> Figure:
    """Return a Figure with one line per entry of ``ys`` (label -> y values over ``x``) and a legend."""
    xs = _numbers("x", x)
    check_type("ys", ys, Mapping)
    if not ys:
        raise ValueError("ys must hold at least one series (label -> values), got an empty dict")
    series = {f"ys[{label!r}]": (str(label), _numbers(f"ys[{label!r}]", values))
              for label, values in ys.items()}
    for name, (_, values) in series.items():
        _same_length(name, values, "x", len(xs))
    for flag, on, arrays in (("logx", logx, {"x": xs}),
                             ("logy", logy, {name: v for name, (_, v) in series.items()})):
        for name, values in arrays.items():
            if check_type(flag, on, bool) and np.any(values <= 0):
                raise ValueError(f"{flag}=True needs positive values, but {name} has "
                                 f"{values[values <= 0][0]:g}")
    fig, ax = _new_axes(title, xlabel, ylabel)
    for label, values in series.values():
        ax.plot(xs, values, label=label)
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    ax.legend()
    return fig


def heatmap(matrix: Any, row_labels: Sequence[Any], col_labels: Sequence[Any], *,
            title: str | None = None, cmap: str = "viridis", annotate: bool = False) -> Figure:
    """Return a Figure showing ``matrix`` (rows x columns) as coloured cells with a colour bar."""
    values = _numbers("matrix", matrix, ndim=2)
    rows = _labels("row_labels", row_labels)
    cols = _labels("col_labels", col_labels)
    if values.shape != (len(rows), len(cols)):
        raise ValueError(f"matrix has shape {values.shape} but row_labels x col_labels is "
                         f"({len(rows)}, {len(cols)}); they must match")
    if cmap is not None and not isinstance(cmap, (str, matplotlib.colors.Colormap)):
        raise TypeError(f"cmap must be a matplotlib colormap name such as 'viridis', got {type(cmap).__name__} {_show(cmap)}")
    if isinstance(cmap, str) and cmap not in matplotlib.colormaps:
        raise ValueError(f"cmap must be a matplotlib colormap name such as 'viridis', got {cmap!r}")
    check_type("annotate", annotate, bool)
    fig, ax = _new_axes(title, None, None)
    image = ax.imshow(values, cmap=cmap, aspect="auto")
    fig.colorbar(image, ax=ax)
    ax.grid(False)
    ax.set_xticks(range(len(cols)), cols, rotation=45 if max(map(len, cols)) > 3 else 0,
                  ha="right" if max(map(len, cols)) > 3 else "center")
    ax.set_yticks(range(len(rows)), rows)
    if annotate:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                red, green, blue, _ = image.cmap(image.norm(value))
                dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
                ax.text(j, i, f"{value:.2g}", ha="center", va="center",
                        color="white" if dark else "black")
    return fig


CSS_DPI = 96  # a browser's CSS pixels per inch
PNG_DPI = 2 * CSS_DPI  # widget images carry two image pixels per CSS pixel: sharp on high-density laptop screens


def png(fig: Figure) -> bytes:
    """Return the bytes of ``fig`` drawn as a PNG image at PNG_DPI (what a widgets.Image shows); no file is written.

    Show it :func:`css_width` CSS pixels wide, its size in inches at 96 per inch: on an ordinary screen
    the browser scales it down by 2, on a high-density one it shows every pixel; never blown up.
    """
    check_type("fig", fig, Figure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI)
    return buffer.getvalue()


def css_width(fig: Figure) -> int:
    """Return the width in CSS pixels at which :func:`png`'s image of ``fig`` shows the figure at its size."""
    check_type("fig", fig, Figure)
    return round(fig.get_figwidth() * CSS_DPI)


# The figures of one concept each, in their own submodule (imported last: they use the helpers above).
from lmtutor.plots.attention import attention_figure  # noqa: E402
from lmtutor.plots.decoding import next_token_figure  # noqa: E402
from lmtutor.plots.embeddings import word_map  # noqa: E402
from lmtutor.plots.optim import contour, path_figure, paths_figure  # noqa: E402
from lmtutor.plots.tables import markdown_table  # noqa: E402

__all__ = ["attention_figure", "bar", "cjk_font_name", "cjk_font_path", "contour", "css_width", "heatmap", "line",
           "markdown_table",
           "next_token_figure", "path_figure", "paths_figure", "png", "setup", "word_map"]
