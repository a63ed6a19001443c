"""The sentiment explorer: type a review, see P(positive) and which tokens drove it, coloured.

The widget runs a trained classifier of ``classify.build_classifier`` on the text encoded by its
codec and colours each token by an ``lmtutor.explain`` score (green pushes towards positive, red
towards negative; the hover title shows the number). ``highlight_html`` draws any tokens with
scores the same way, for a notebook cell::

    from IPython.display import HTML
    from lmtutor import widgets
    widgets.sentiment_explorer(model, codec, "质量很好，就是有点贵。")
    HTML(widgets.highlight_html(["not", "funny"], [-0.3, -1.2]))
"""

from __future__ import annotations

import html
import math
from typing import Any, Sequence

import numpy as np

from lmtutor import datasets
from lmtutor._validate import _show, check_array, check_choice, check_str, check_type
from lmtutor.text import Vocab

DEFAULT_REVIEW = "房间很干净，服务也很热情，就是价格有点贵。"
METHODS = {"occlusion": "occlusion (remove each token)", "gradient": "gradient × input",
           "integrated": "integrated gradients (zero baseline)"}


def _colour(score: float, scale: float) -> str:
    """Return a CSS background for ``score``: green (positive) or red (negative), stronger as |score| nears ``scale``."""
    strength = 0.0 if scale == 0 else min(abs(score) / scale, 1.0)
    rgb = "0, 150, 60" if score > 0 else "210, 40, 40"
    return f"rgba({rgb}, {0.08 + 0.72 * strength:.2f})" if strength else "transparent"


def highlight_html(tokens: Sequence[str], scores: Any, *, sep: str = "") -> str:
    """Return the tokens as HTML spans coloured by ``scores`` (green > 0, red < 0, the strongest
    |score| the most saturated), each with its score as the hover title; tokens are HTML-escaped and
    joined by ``sep`` ("" for Chinese characters, " " for English words)."""
    if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (list, tuple)):
        raise TypeError(f"tokens must be a list of str, got {type(tokens).__name__} {_show(tokens)}")
    for i, token in enumerate(tokens):
        check_type(f"tokens[{i}]", token, str)
    scores = check_array("scores", scores, ndim=1)
    if len(scores) != len(tokens):
        raise ValueError(f"scores must hold one number per token ({len(tokens)}), got {len(scores)}")
    check_str("sep", sep)
    scale = float(np.abs(scores).max()) if len(scores) else 0.0
    spans = [f'<span class="lmtutor-attribution" style="background:{_colour(s, scale)};padding:1px 1px;'
             f'border-radius:3px" title="{s:+.3f}">{html.escape(t)}</span>' for t, s in zip(tokens, scores)]
    return f'<span class="lmtutor-highlight" style="line-height:1.9">{html.escape(sep).join(spans)}</span>'


def _check_model(model, codec) -> datasets.TextCodec:
    import keras

    from lmtutor import explain  # Keras: imported when a model is explained, not with the package

    check_type("model", model, keras.Model)
    check_type("codec", codec, datasets.TextCodec)
    explain._embedding(model)  # a classifier explain can read
    if int(model.outputs[0].shape[-1]) != 2:
        raise ValueError(f"model must be a two-class (negative, positive) classifier, got "
                         f"{int(model.outputs[0].shape[-1])} logits")
    return codec


def explain_text(model, codec, text: str, *, method: str = "occlusion") -> dict[str, Any]:
    """Return what the widget shows for ``text``: its tokens, ids, which are unknown, P(positive) and
    the per-token scores of ``method`` (a key of METHODS) for the positive class.

    An empty text (no tokens) is a ValueError; a text of unknown tokens only is read as <unk> ids and
    gets the model's prediction for them (the "unknown" list says so).
    """
    from lmtutor import explain  # Keras: imported when a model is explained, not with the package

    codec = _check_model(model, codec)
    check_str("text", text)
    check_choice("method", method, METHODS)
    tokens = codec.tokens(text)
    if not tokens:
        raise ValueError(f"text {_show(text)} has no tokens to classify: type a review")
    ids = codec.vocab.encode(tokens)
    unknown = [i == Vocab.unk_id for i in ids]
    log_odds = explain.log_odds(model, ids)
    if method == "occlusion":
        scores = explain.occlusion(model, ids, mode="remove" if len(ids) > 1 else "unk")
    elif method == "gradient":
        scores = explain.gradient_x_input(model, ids)
    else:
        scores = explain.integrated_gradients(model, ids, steps=32).scores
    return {"tokens": tokens, "ids": ids, "unknown": unknown, "probability": 1 / (1 + math.exp(-log_odds)),
            "scores": np.asarray(scores, dtype=np.float64)}


def _strongest(tokens: Sequence[str], scores: np.ndarray, sign: int, k: int = 3) -> list[tuple[str, float, int]]:
    """Return up to ``k`` distinct tokens whose score has ``sign`` (+1 or -1), strongest first: (token,
    the score of its strongest copy, how many times the token occurs in the review)."""
    best: dict[str, float] = {}
    for token, score in zip(tokens, scores):
        if sign * score > 0 and sign * score > sign * best.get(token, 0.0):
            best[token] = float(score)
    order = sorted(best, key=lambda t: -sign * best[t])  # stable: ties keep the order of the review
    return [(t, best[t], list(tokens).count(t)) for t in order[:k]]


def sentiment_html(model, codec, text: str, *, method: str = "occlusion") -> str:
    """Return the widget's panel: P(positive) with the verdict, the coloured tokens, the top distinct
    tokens either way (a token that occurs more than once is listed once, with the score of its
    strongest copy and "×n"), and a note on unknown tokens; every piece of the learner's text is
    HTML-escaped."""
    shown = explain_text(model, codec, text, method=method)
    sep = " " if codec.recipe.scheme == "word" else ""
    p = shown["probability"]
    verdict = "positive" if p >= 0.5 else "negative"
    strongest = _strongest(shown["tokens"], shown["scores"], +1)
    weakest = _strongest(shown["tokens"], shown["scores"], -1)
    listing = lambda items: ", ".join(f"{html.escape(t)} ({s:+.2f}{f', ×{n}' if n > 1 else ''})"  # noqa: E731
                                      for t, s, n in items) or "none"
    notes = ""
    if any(shown["unknown"]):
        words = ", ".join(html.escape(repr(t)) for t, u in zip(shown["tokens"], shown["unknown"]) if u)
        everything = " (every token: the model sees only &lt;unk&gt;)" if all(shown["unknown"]) else ""
        notes = f'<p class="lmtutor-note">{sum(shown["unknown"])} token(s) never seen in training, read as &lt;unk&gt;{everything}: {words}</p>'
    return ('<div class="lmtutor-sentiment">'
            f'<p class="lmtutor-verdict"><b>P(positive) = {p:.3f}</b>: {verdict}</p>'
            f'<p>{highlight_html(shown["tokens"], shown["scores"], sep=sep)}</p>'
            f'<p style="font-size:90%">{html.escape(METHODS[method])}; towards positive: {listing(strongest)}; '
            f'towards negative: {listing(weakest)}</p>{notes}</div>')


def sentiment_explorer(model, codec, text: str = DEFAULT_REVIEW, *, method: str = "occlusion"):
    """Return a VBox: a review box, a choice of explanation method and the panel of
    :func:`sentiment_html`, redrawn when either changes (the review on Enter or when the box loses
    focus, not at every keystroke). An error (an empty review) is shown in the widget."""
    import ipywidgets as widgets

    _check_model(model, codec)
    check_str("text", text)
    check_choice("method", method, METHODS)
    # continuous_update=False: the panel is redrawn on Enter or when the box loses focus, not at
    # every keystroke (an IME's half-typed pinyin would be classified otherwise); the placeholder says so
    box = widgets.Text(value=text, description="review", continuous_update=False,
                       placeholder="type a review, then press Enter", layout=widgets.Layout(width="95%"))
    box.add_class("lmtutor-sentiment-input")
    choice = widgets.Dropdown(options=[(label, key) for key, label in METHODS.items()], value=method,
                              description="explain by", style={"description_width": "initial"},
                              layout=widgets.Layout(width="420px", max_width="95%"))  # the longest label whole
    panel = widgets.HTML()
    panel.add_class("lmtutor-sentiment-output")

    def update(change=None):
        try:
            panel.value = sentiment_html(model, codec, box.value, method=choice.value)
        except (TypeError, ValueError) as error:  # shown in the widget instead of lost in the log
            panel.value = f'<p class="lmtutor-error" style="color:#900">⚠ {html.escape(str(error))}</p>'

    box.observe(update, names="value")
    choice.observe(update, names="value")
    update()
    return widgets.VBox([box, choice, panel])
