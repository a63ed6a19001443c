"""Tests for lmtutor.plots: Chinese glyphs render without a system CJK font; helpers return Figures."""

import io
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lmtutor import plots  # noqa: E402

# Reverting to matplotlib's plain lookup: one family, DejaVu Sans, no fallback to a CJK font.
DEJAVU_ONLY = {"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}


@pytest.fixture(autouse=True)
def restore_rcparams():
    """Undo every rcParams change (setup() included) when a test ends."""
    with matplotlib.rc_context():
        yield


def glyph_warnings(fig: Figure) -> list[str]:
    """Return the missing-glyph warnings matplotlib emits while saving ``fig`` as PNG."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    messages = [str(w.message) for w in caught]
    return [m for m in messages if "missing from font" in m or "Glyph" in m]


def bilingual_figure() -> Figure:
    """Return a plain matplotlib figure with Chinese and English title, tick labels and a minus sign."""
    fig, ax = plt.subplots()
    plt.close(fig)
    ax.set_title("我有一个苹果 I have an apple")
    ax.bar([0, 1, 2], [3, -1, 2])
    ax.set_xticks([0, 1, 2], ["人工智能", "AI", "language model"])
    ax.set_ylabel("次数 count")
    return fig


def pixels(fig: Figure) -> np.ndarray:
    """Return the rendered RGBA pixels of ``fig``."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def title_only(text: str) -> Figure:
    """Return a small Agg-backed figure whose only content is the title ``text``."""
    fig = Figure(figsize=(3, 1))
    FigureCanvasAgg(fig)
    fig.suptitle(text)
    return fig


# --- setup() and Chinese text -----------------------------------------------------------------


def test_setup_renders_chinese_without_missing_glyph_warnings():
    plots.setup()
    assert glyph_warnings(bilingual_figure()) == []


def test_control_without_the_cjk_fallback_the_same_drawing_warns():
    plots.setup()
    with matplotlib.rc_context(DEJAVU_ONLY):
        found = glyph_warnings(bilingual_figure())
    assert found, "the warning check must be able to fail"
    assert any("missing from font" in m and "DejaVu Sans" in m for m in found)


def test_chinese_characters_are_drawn_as_distinct_glyphs():
    # Oracle independent of warnings: a missing glyph is drawn as the same empty box for every
    # character, so two different characters render identically only when the font lacks them.
    plots.setup()
    assert not np.array_equal(pixels(title_only("我")), pixels(title_only("你")))
    with matplotlib.rc_context(DEJAVU_ONLY), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.array_equal(pixels(title_only("我")), pixels(title_only("你")))


def test_latin_text_keeps_dejavu_sans():
    plots.setup()
    english = pixels(title_only("I have an apple -42"))
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        assert np.array_equal(english, pixels(title_only("I have an apple -42")))


def test_setup_registers_noto_and_sets_the_style():
    plots.setup()
    name = plots.cjk_font_name()
    assert name == "Noto Sans CJK SC"
    assert plots.cjk_font_path().name == "NotoSansCJKsc-Regular.otf"
    assert plots.cjk_font_path().is_file()
    assert matplotlib.rcParams["font.sans-serif"][:2] == ["DejaVu Sans", name]
    assert name in matplotlib.rcParams["font.family"]
    assert list(matplotlib.rcParams["figure.figsize"]) == [6.4, 4.0]
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["axes.spines.right"] is False
    assert any(f.name == name for f in font_manager.fontManager.ttflist)


def test_setup_is_idempotent():
    plots.setup()
    first = dict(matplotlib.rcParams)
    registered = len(font_manager.fontManager.ttflist)
    plots.setup()
    assert dict(matplotlib.rcParams) == first
    assert len(font_manager.fontManager.ttflist) == registered
    families = matplotlib.rcParams["font.sans-serif"]
    assert len(families) == len(set(families))


def test_importing_plots_changes_no_rcparams():
    code = (
        "import matplotlib\n"
        "before = dict(dict.items(matplotlib.rcParams))\n"
        "import lmtutor.plots\n"
        "assert dict(dict.items(matplotlib.rcParams)) == before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_mplfonts_says_how_to_install(monkeypatch):
    monkeypatch.setattr(plots, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"pip install mplfonts==0\.0\.11"):
        plots.setup()


# --- helpers --------------------------------------------------------------------------------


def test_bar_has_one_bar_per_label_in_order_with_duplicates():
    plots.setup()
    labels = ["我", "有", "苹果", "我"]
    fig = plots.bar(labels, [3, 2, 1, 1], title="词频 counts", xlabel="token", ylabel="count")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert [p.get_height() for p in ax.patches] == [3, 2, 1, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == labels
    assert ax.get_title() == "词频 counts" and ax.get_ylabel() == "count"
    assert glyph_warnings(fig) == []


def test_horizontal_bar_puts_labels_on_the_y_axis():
    fig = plots.bar(["a", "b", "c"], [1.0, 2.0, 3.0], horizontal=True)
    (ax,) = fig.axes
    assert [p.get_width() for p in ax.patches] == [1.0, 2.0, 3.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]


def test_line_draws_one_line_per_series_with_a_legend():
    fig = plots.line([1, 2, 3], {"train 训练": [3, 2, 1], "validation": [3, 2.5, 2.4]},
                     title="loss", xlabel="epoch", ylabel="loss", logy=True)
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train 训练", "validation"]
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [3, 2.5, 2.4])


def test_heatmap_shows_the_matrix_with_labels_and_annotations():
    matrix = [[0.1, 0.9, 0.0], [0.5, 0.2, 0.3]]
    fig = plots.heatmap(matrix, ["I", "apples"], ["我", "有", "苹果"], title="注意力", annotate=True)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), matrix)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["我", "有", "苹果"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["I", "apples"]
    assert len(ax.texts) == 6
    assert len(fig.axes) == 2  # the heat map and its colour bar


def test_helpers_do_not_leave_figures_open_in_pyplot():
    before = plt.get_fignums()
    plots.bar(["a"], [1])
    plots.line([1, 2], {"a": [1, 2]})
    plots.heatmap([[1]], ["r"], ["c"])
    assert plt.get_fignums() == before


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda: plots.bar(["a", "b"], [1]), ValueError, "values"),
        (lambda: plots.bar("ab", [1, 2]), TypeError, "labels"),
        (lambda: plots.bar(["a"], ["x"]), TypeError, "values"),
        (lambda: plots.bar([], []), ValueError, "labels"),
        (lambda: plots.bar(["a"], [1], title=3), TypeError, "title"),
        (lambda: plots.line([1, 2, 3], {"a": [1, 2]}), ValueError, r"ys\['a'\]"),
        (lambda: plots.line([1, 2], [[1, 2]]), TypeError, "ys"),
        (lambda: plots.line([1, 2], {"a": [0, 1]}, logy=True), ValueError, "logy"),
        (lambda: plots.line([0, 1], {"a": [1, 1]}, logx=True), ValueError, "logx"),
        (lambda: plots.heatmap([[1, 2]], ["r"], ["a", "b", "c"]), ValueError, "matrix"),
        (lambda: plots.heatmap([1, 2], ["r"], ["a", "b"]), ValueError, "matrix"),
        (lambda: plots.heatmap([[1]], ["r"], ["c"], cmap="no-such-map"), ValueError, "cmap"),
    ],
)
def test_bad_input_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


def test_png_draws_the_figure_as_png_bytes_and_names_bad_input():
    data = plots.png(plots.bar(["a", "b"], [1, 2]))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    other = plots.png(plots.bar(["a", "b"], [2, 1]))
    assert other != data  # the bytes depend on what is drawn
    with pytest.raises(TypeError, match="fig must be Figure"):
        plots.png("figure.png")
