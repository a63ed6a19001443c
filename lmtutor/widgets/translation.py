"""The translator: type an English sentence, see its Chinese translation, the beam and the attention.

The widget runs a trained ``translate.Translator``: greedy decoding, the hypotheses of
``generate.beam_search`` with their log-probabilities, and the attention map of the best one
(:func:`translation_figure`, source words x target characters)::

    from lmtutor import translate
    from lmtutor.widgets import translation_explorer
    translation_explorer(translate.Translator(model, codec), "We saw twelve thousand birds.")
"""

from __future__ import annotations

import html
import math
import warnings

from lmtutor import plots
from lmtutor._validate import check_int, check_str, check_type
from lmtutor.widgets._html import STYLE, chips, show_figure

DEFAULT_SENTENCE = "We saw twelve thousand three hundred and five birds."
MAX_BEAM = 8  # the beam-width slider's largest value


def _check_translator(translator):
    """Raise unless ``translator`` is a translate.Translator."""
    from lmtutor.translate import Translator

    check_type("translator", translator, Translator)


def translation_figure(translator, sentence: str, translation: str | None = None):
    """Return the heat map of the attention weights a_ts while the model writes ``translation``.

    Rows: the target characters (and <eos>), columns: the English tokens; row t is the
    distribution over source positions of the step that predicts character t
    (``Translator.attention``; ``translation`` defaults to the greedy one).
    """
    _check_translator(translator)
    check_str("sentence", sentence, allow_empty=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # unknown words are <unk>: translation_html says so
        weights, source, target = translator.attention(sentence, translation)
    which = "the greedy translation" if translation is None else "".join(target[:-1]) or "<eos>"
    fig = plots.heatmap(weights, target, source,
                        title=f"attention while writing {which}:\neach Chinese character (row) reads the English words")
    fig.set_size_inches(max(5.0, 0.45 * len(source) + 2.0), max(3.5, 0.3 * len(target) + 1.2))
    return fig


def translation_html(translator, sentence: str, *, beam_width: int = 4) -> str:
    """Return the widget's text panel: the English tokens (unknown ones dashed red), the greedy
    translation, and the beam's hypotheses best first with ln P(Y | x) and P."""
    _check_translator(translator)
    check_str("sentence", sentence, allow_empty=False)
    beam_width = check_int("beam_width", beam_width, minimum=1, maximum=MAX_BEAM)
    codec = translator.codec
    tokens = codec.source.tokens(sentence)
    unknown = [token not in codec.source.vocab for token in tokens]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # shown below instead
        greedy = translator.translate([sentence])[0]
        beam = translator.beam(sentence, beam_width=beam_width)
    rows = "".join(f"<tr><td>{rank}</td><td>{html.escape(chinese)}</td><td>{log_prob:.3f}</td>"
                   f"<td>{math.exp(log_prob):.3f}</td></tr>" for rank, (chinese, log_prob) in enumerate(beam, 1))
    notes = []
    if any(unknown):
        words = ", ".join(html.escape(repr(t)) for t, u in zip(tokens, unknown) if u)  # quoted: a bare "," is hard to see
        notes.append(f"{sum(unknown)} word(s) never seen in training, read as &lt;unk&gt;: {words}")
    return (STYLE + '<div class="lmtutor-translation">'
            f'<p><b>English tokens</b> {chips(tokens, unknown, "lmtutor-token")}</p>'
            f'<p class="lmtutor-greedy"><b>greedy</b> {html.escape(greedy)}</p>'
            f'<table class="lmtutor-beam"><tr><th>beam {beam_width}</th><th>Chinese</th><th>ln P</th><th>P</th></tr>'
            f'{rows}</table>' + "".join(f'<p class="lmtutor-note">{n}</p>' for n in notes) + "</div>")


def translation_explorer(translator, sentence: str = DEFAULT_SENTENCE, *, beam_width: int = 4):
    """Return a VBox: a sentence box and a beam-width slider, the text panel (:func:`translation_html`)
    and, for a model with attention, the attention map of the best beam hypothesis
    (:func:`translation_figure`; none when it is empty), redrawn whenever a control changes. An error
    (an empty sentence) is shown in the widget."""
    import ipywidgets as widgets

    _check_translator(translator)
    check_str("sentence", sentence, allow_empty=False)
    beam_width = check_int("beam_width", beam_width, minimum=1, maximum=MAX_BEAM)
    box = widgets.Text(value=sentence, description="English", continuous_update=False,
                       layout=widgets.Layout(width="95%"))
    width = widgets.IntSlider(value=beam_width, min=1, max=MAX_BEAM, description="beam width",
                              continuous_update=False, style={"description_width": "initial"})
    text_panel, picture = widgets.HTML(), widgets.Image(format="png")
    text_panel.add_class("lmtutor-translation-text")
    picture.add_class("lmtutor-translation-figure")

    def update(change=None):
        try:
            text_panel.value = translation_html(translator, box.value, beam_width=width.value)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                best = translator.beam(box.value, beam_width=width.value)[0][0] if translator.kind else ""
            if best:  # the map of the best hypothesis, named in its title (an empty one has no characters to show)
                show_figure(picture, translation_figure(translator, box.value, best))
            else:
                picture.value, picture.layout.width = b"", "0px"
        except (TypeError, ValueError) as error:  # shown in the widget instead of lost in the log
            text_panel.value = f'<p class="lmtutor-error" style="color:#900">⚠ {html.escape(str(error))}</p>'

    box.observe(update, names="value")
    width.observe(update, names="value")
    update()
    return widgets.VBox([box, width, text_panel, picture])
