"""HTML pieces shared by the widgets: the style of the lmtutor-* classes, token "chips", and figures."""

from __future__ import annotations

import html

from lmtutor.text import UNK

# A widgets.HTML value is inserted as-is; its <style> only targets the lmtutor-* classes.
STYLE = """<style>
.lmtutor-token-table td, .lmtutor-token-table th {padding: 2px 8px; text-align: left; vertical-align: top}
.lmtutor-token, .lmtutor-id {display: inline-block; margin: 1px 2px; padding: 0 4px;
  border: 1px solid #888; border-radius: 3px}
.lmtutor-unk {border: 1px dashed #c00; background: #fee; color: #900}
</style>"""


def chips(texts, unknown: list[bool], css_class: str) -> str:
    """Return each text as a bordered <span>, dashed red where ``unknown``; "(none)" if there are none."""
    attributes = {
        False: f'class="{css_class}"',
        True: f'class="{css_class} lmtutor-unk" title="{html.escape("not in the vocabulary: " + UNK)}"',
    }
    spans = [f"<span {attributes[u]}>{html.escape(str(t))}</span>" for t, u in zip(texts, unknown)]
    return "".join(spans) or "<i>(none)</i>"


def show_figure(picture, fig) -> None:
    """Draw ``fig`` into the widgets.Image ``picture`` at twice its CSS resolution, sized to show the
    figure at its own width (at most the output's width), and close the figure."""
    import matplotlib.pyplot as plt

    from lmtutor import plots

    picture.value = plots.png(fig)
    picture.layout.width = f"{plots.css_width(fig)}px"
    picture.layout.max_width = "100%"
    picture.layout.height = "auto"
    plt.close(fig)
