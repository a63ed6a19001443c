"""The sampler: continue a prompt with a language model under the decoding rules you set.

Sliders set temperature, top-k, top-p, length, minimum length and seed; the widget shows the sampled continuation
and draws the next-token distribution before and after the rules (``plots.next_token_figure``)::

    from lmtutor import lstm_lm
    from lmtutor.widgets import sampler
    sampler(lstm_lm.LSTMStepper(checkpoint.model), checkpoint, prompt="我有一个苹果。")
"""

from __future__ import annotations

import html

from lmtutor import datasets, plots
from lmtutor._validate import check_float, check_ids, check_int, check_str, check_type
from lmtutor.plots._tokens import prompt_ids
from lmtutor.text import UNK, Vocab
from lmtutor.widgets._html import STYLE, chips, show_figure

DEFAULT_PROMPT = "我有一个苹果。"
MIN_TOKENS = 10  # by default <eos> may not end the text before 10 new tokens: after a full sentence such as
# the default prompt a model trained on paragraphs expects <eos> more than anything else


def _check_model(stepper, vocab):
    """Raise unless ``stepper`` is a generate.StepModel whose output matches ``vocab``."""
    from lmtutor.generate import StepModel

    if not isinstance(stepper, StepModel):
        raise TypeError(f"stepper must be a generate.StepModel (vocab_size, start, step, full_logits), "
                        f"e.g. lstm_lm.LSTMStepper(model), got {type(stepper).__name__}")
    check_type("vocab", vocab, Vocab)
    if len(vocab) != stepper.vocab_size:
        raise ValueError(f"vocab has {len(vocab)} tokens but stepper predicts {stepper.vocab_size}: "
                         f"use the vocabulary the model was trained with")


def _first_step(config, min_tokens):
    """Return the rules of the first new token: ``config``, with <eos> banned when there is a minimum length."""
    from dataclasses import replace

    from lmtutor.generate import EOS_ID

    return replace(config, banned_ids=config.banned_ids + (EOS_ID,)) if min_tokens else config


def _config(temperature, top_k, top_p, banned_ids):
    """Return the DecodingConfig of the sampler's settings (top_k 0 and top_p 1 mean off)."""
    from lmtutor.decoding import DecodingConfig

    top_k = check_int("top_k", top_k, minimum=0)
    return DecodingConfig(temperature=temperature, top_k=top_k or None,
                          top_p=None if top_p == 1 else top_p, banned_ids=tuple(banned_ids))


def sample_html(stepper, codec, prompt: str, config, *, max_tokens: int = 40, seed: int = 0,
                min_tokens: int = 0) -> str:
    """Return the sampler's text panel: the prompt's tokens (unknown ones dashed red), the
    continuation ``generate.generate`` samples under ``config`` (<eos> banned before ``min_tokens``
    new tokens), and what the rules keep of the next-token distribution after the prompt.
    ``codec`` (the model's corpus or checkpoint, ``datasets.codec``) tokenizes the prompt as its
    corpus was."""
    import numpy as np

    from lmtutor import decoding, generate

    codec = datasets.codec(codec)
    vocab = codec.vocab
    _check_model(stepper, vocab)
    check_str("prompt", prompt)
    check_type("config", config, decoding.DecodingConfig)
    tokens, ids = prompt_ids(codec, prompt)
    new = generate.generate(stepper, ids, max_tokens=max_tokens, config=config, seed=seed, min_tokens=min_tokens)
    probs = decoding.probabilities(stepper.start(ids)[0], _first_step(config, min_tokens), ids)
    best = int(np.argmax(probs))
    unknown = [t not in vocab for t in tokens]
    notes = []
    if any(unknown):
        notes.append(f"{sum(unknown)} prompt token(s) not in the vocabulary, read as {html.escape(UNK)}")
    if min_tokens:
        notes.append(f"&lt;eos&gt; may not end the text before {min_tokens} new token(s) (the min length slider)")
    if len(new) < max_tokens:
        notes.append(f"the model chose &lt;eos&gt; after {len(new)} token(s): the text ends there")
    continuation = html.escape(codec.decode(new))
    return (STYLE + '<div class="lmtutor-sample">'
            f'<p><b>prompt</b> {chips(tokens, unknown, "lmtutor-token")}</p>'
            f'<p class="lmtutor-continuation"><b>{html.escape(prompt)}</b>{continuation}</p>'
            f'<p class="lmtutor-next">next token after the prompt: the rules keep {int((probs > 0).sum()):,} '
            f'of {len(vocab):,} tokens; most likely {html.escape(repr(vocab.itos[best]))} with probability '
            f'{probs[best]:.3f}</p>' + "".join(f'<p class="lmtutor-note">{n}</p>' for n in notes) + "</div>")


def _sampler_controls(vocab: Vocab, prompt, temperature, top_k, top_p, max_tokens, min_tokens, seed) -> dict:
    """Return the sampler's input widgets by setting name, holding the given starting values."""
    import ipywidgets as widgets

    slider = dict(continuous_update=False, style={"description_width": "initial"})
    return {
        "prompt": widgets.Text(value=prompt, description="Prompt", continuous_update=False,
                               layout=widgets.Layout(width="95%")),
        "temperature": widgets.FloatSlider(value=temperature, min=0.05, max=2.0, step=0.05,
                                           description="temperature", **slider),
        "top_k": widgets.IntSlider(value=top_k, min=0, max=min(200, len(vocab)),
                                   description="top-k (0 = off)", **slider),
        "top_p": widgets.FloatSlider(value=top_p, min=0.05, max=1.0, step=0.05,
                                     description="top-p (1 = off)", **slider),
        "max_tokens": widgets.IntSlider(value=max_tokens, min=1, max=500, description="length", **slider),
        "min_tokens": widgets.IntSlider(value=min_tokens, min=0, max=100, description="min length",
                                        **slider),
        "seed": widgets.BoundedIntText(value=seed, min=0, max=10**9, description="seed",
                                       style={"description_width": "initial"}),
    }


def sampler(stepper, codec, *, prompt: str = DEFAULT_PROMPT, temperature: float = 1.0, top_k: int = 0,
            top_p: float = 1.0, max_tokens: int = 40, min_tokens: int = MIN_TOKENS, seed: int = 0,
            banned_ids=(0, 1, 2), top: int = 10):
    """Return a VBox: a prompt box, sliders for temperature, top-k (0: off), top-p (1: off), length,
    minimum length (<eos> banned before it; 0: off) and seed, the sampled continuation
    (:func:`sample_html`) and the next-token distribution before and after the rules
    (:func:`next_token_figure`), redrawn whenever a control changes.

    ``codec`` is the corpus or checkpoint the model was trained on (``datasets.codec``): the prompt
    is normalised, case-folded and tokenized exactly as that corpus was. ``banned_ids`` are never sampled: <pad>,
    <bos> and, by default, <unk>. An error while drawing (say, a prompt longer than a Transformer's
    context window) is shown in the widget.
    """
    import ipywidgets as widgets

    codec = datasets.codec(codec)
    vocab = codec.vocab
    _check_model(stepper, vocab)
    check_str("prompt", prompt)
    if isinstance(banned_ids, (str, bytes)) or not isinstance(banned_ids, (tuple, list)):
        raise TypeError(f"banned_ids must be a tuple of token ids, got {type(banned_ids).__name__} {banned_ids!r:.40}")
    check_ids("banned_ids", banned_ids, len(vocab), allow_empty=True)
    _config(temperature, top_k, top_p, banned_ids)  # valid settings, and within the sliders' ranges:
    check_float("temperature", temperature, minimum=0.05, maximum=2.0)
    check_int("top_k", top_k, minimum=0, maximum=min(200, len(vocab)))
    check_float("top_p", top_p, minimum=0.05, maximum=1.0)
    check_int("max_tokens", max_tokens, minimum=1, maximum=500)
    check_int("min_tokens", min_tokens, minimum=0, maximum=min(100, max_tokens))
    controls = _sampler_controls(vocab, prompt, temperature, top_k, top_p, max_tokens, min_tokens,
                                 check_int("seed", seed, minimum=0))
    check_int("top", top, minimum=1)
    resample = widgets.Button(description="new sample (seed + 1)", layout=widgets.Layout(width="auto"))
    text_panel, picture = widgets.HTML(), widgets.Image(format="png")
    text_panel.add_class("lmtutor-sampler-text")
    picture.add_class("lmtutor-sampler-figure")

    def update(change=None):
        values = {name: control.value for name, control in controls.items()}
        try:
            config = _config(values["temperature"], values["top_k"], values["top_p"], banned_ids)
            min_length = min(values["min_tokens"], values["max_tokens"])
            text_panel.value = sample_html(stepper, codec, values["prompt"], config, max_tokens=values["max_tokens"],
                                           seed=values["seed"], min_tokens=min_length)
            ids = prompt_ids(codec, values["prompt"])[1]
            figure = plots.next_token_figure(vocab, stepper.start(ids)[0],
                                             {"after the rules": _first_step(config, min_length)}, top=top,
                                             previous_ids=ids, title="next token after the prompt")
            show_figure(picture, figure)
        except (TypeError, ValueError) as error:  # shown in the widget instead of lost in the log
            text_panel.value = f'<p class="lmtutor-error" style="color:#900">⚠ {html.escape(str(error))}</p>'

    def next_seed(button):
        controls["seed"].value = min(controls["seed"].value + 1, controls["seed"].max)

    for control in controls.values():
        control.observe(update, names="value")
    resample.on_click(next_seed)
    update()
    settings = widgets.HBox([widgets.VBox([controls["temperature"], controls["top_k"], controls["top_p"]]),
                             widgets.VBox([controls["max_tokens"], controls["min_tokens"], controls["seed"], resample])])
    return widgets.VBox([controls["prompt"], settings, text_panel, picture])
