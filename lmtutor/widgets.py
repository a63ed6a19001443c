"""Interactive widgets for the notebooks: a token explorer, a text sampler and an attention explorer.

The token explorer shows one sentence cut three ways ("word", "char", "zh_word") side by side,
with the ids a vocabulary gives each token; it updates on every keystroke. The sampler continues a
prompt with a language model under the decoding rules you set (temperature, top-k, top-p, length)
and draws the next-token distribution before and after the rules. The attention explorer draws
the attention weights of one head of a trained Transformer on a sentence you pick::

    from lmtutor.text import Vocab, tokenize
    from lmtutor.widgets import attention_explorer, sampler, token_explorer
    token_explorer({"zh_word": Vocab.build([tokenize("我有一个苹果。", "zh_word")])})
    sampler(lstm_lm.LSTMStepper(checkpoint.model), checkpoint.vocab, "zh_word", prompt="我有一个苹果。")
    attention_explorer(transformer.numpy_weights(model), vocab, ["the prime minister said"])
"""

from __future__ import annotations

import html

from lmtutor._validate import _show, check_choice, check_float, check_int, check_str, check_type
from lmtutor.text import SCHEMES, UNK, Vocab, tokenize

DEFAULT_SENTENCE = "我有一个苹果。I have 2 apples."

# A widgets.HTML value is inserted as-is; its <style> only targets the lmtutor-* classes.
_STYLE = """<style>
.lmtutor-token-table td, .lmtutor-token-table th {padding: 2px 8px; text-align: left; vertical-align: top}
.lmtutor-token, .lmtutor-id {display: inline-block; margin: 1px 2px; padding: 0 4px;
  border: 1px solid #888; border-radius: 3px}
.lmtutor-unk {border: 1px dashed #c00; background: #fee; color: #900}
</style>"""


def _check_vocabs(vocabs) -> dict[str, Vocab]:
    """Return ``vocabs`` as a dict of scheme -> Vocab (empty for None), raising on anything else."""
    if vocabs is None:
        return {}
    check_type("vocabs", vocabs, dict)
    for scheme, vocab in vocabs.items():
        check_choice("vocabs key", scheme, SCHEMES)
        check_type(f"vocabs[{scheme!r}]", vocab, Vocab)
    return dict(vocabs)


def _chips(texts, unknown: list[bool], css_class: str) -> str:
    """Return each text as a bordered <span>, dashed red where ``unknown``; "(none)" if there are none."""
    attributes = {
        False: f'class="{css_class}"',
        True: f'class="{css_class} lmtutor-unk" title="{html.escape("not in the vocabulary: " + UNK)}"',
    }
    chips = [f"<span {attributes[u]}>{html.escape(str(t))}</span>" for t, u in zip(texts, unknown)]
    return "".join(chips) or "<i>(none)</i>"


def token_table_html(text: str, vocabs: dict[str, Vocab] | None = None) -> str:
    """Return an HTML table with one row per scheme: its name, token count, tokens and ids.

    Ids are shown for the schemes that have a Vocab in ``vocabs``; a token the vocabulary lacks
    gets the id of <unk> and is drawn with a dashed red border in both columns.
    """
    check_str("text", text)
    vocabs = _check_vocabs(vocabs)
    rows = []
    any_unknown = False
    for scheme in SCHEMES:
        tokens = tokenize(text, scheme)
        vocab = vocabs.get(scheme)
        unknown = [vocab is not None and token not in vocab for token in tokens]
        any_unknown |= any(unknown)
        token_cells = _chips(tokens, unknown, "lmtutor-token")
        id_cells = "<i>no vocab</i>" if vocab is None else _chips(vocab.encode(tokens), unknown, "lmtutor-id")
        rows.append(
            f'<tr data-scheme="{scheme}"><td><b>{scheme}</b></td><td class="lmtutor-count">{len(tokens)}</td>'
            f"<td>{token_cells}</td><td>{id_cells}</td></tr>"
        )
    header = "".join(f"<th>{name}</th>" for name in ("scheme", "count", "tokens", "ids"))
    legend = (
        f'<p><span class="lmtutor-token lmtutor-unk">dashed red</span> not in the vocabulary: '
        f"its id is that of {html.escape(UNK)}</p>"
        if any_unknown
        else ""
    )
    table = f'<table class="lmtutor-token-table"><tr>{header}</tr>{"".join(rows)}</table>'
    return _STYLE + table + legend


def token_explorer(vocabs: dict[str, Vocab] | None = None, *, value: str = DEFAULT_SENTENCE):
    """Return a VBox of a text box and the :func:`token_table_html` of its text, kept in sync."""
    import ipywidgets as widgets  # imported here so `import lmtutor.widgets` stays light

    vocabs = _check_vocabs(vocabs)
    check_str("value", value)
    sentence = widgets.Text(
        value=value,
        description="Sentence",
        placeholder="Type a sentence",
        continuous_update=True,
        layout=widgets.Layout(width="95%"),
    )
    sentence.add_class("lmtutor-token-input")
    table = widgets.HTML(value=token_table_html(value, vocabs))
    table.add_class("lmtutor-token-output")

    def update(change):
        table.value = token_table_html(change["new"], vocabs)

    sentence.observe(update, names="value")
    return widgets.VBox([sentence, table])


# ------------------------------------------------------------------------------------- sampler
DEFAULT_PROMPT = "我有一个苹果。"
SPACE_LABEL = "␣"  # how a space token is drawn on a plot axis


def _token_label(token: str) -> str:
    return SPACE_LABEL if token == " " else token


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


def next_token_figure(vocab: Vocab, logits, configs, *, top: int = 10, previous_ids=(),
                      title: str | None = None):
    """Return a Figure with one panel per decoding rule: the ``top`` most likely next tokens, with
    the model's probabilities softmax(z) in grey and those the rule samples from in colour.

    ``configs`` maps a panel title to a ``decoding.DecodingConfig``; each panel says how many
    tokens the rule keeps (probability > 0) out of the vocabulary.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from lmtutor import decoding

    check_type("vocab", vocab, Vocab)
    check_type("configs", configs, dict)
    if not configs:
        raise ValueError("configs must map at least one panel title to a DecodingConfig, got {}")
    for name, config in configs.items():
        check_type(f"configs[{name!r}]", config, decoding.DecodingConfig)
    top = check_int("top", top, minimum=1)
    model_probs = np.exp(decoding.log_probabilities(logits))
    if model_probs.size != len(vocab):
        raise ValueError(f"logits has {model_probs.size} entries but vocab has {len(vocab)} tokens")
    shown = np.argsort(-model_probs, kind="stable")[:top]
    labels = [_token_label(vocab.itos[i]) for i in shown]
    columns = min(len(configs), 3)
    rows = -(-len(configs) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.4 * columns if columns > 1 else 4.5, 0.25 * top * rows + 1.0),
                             layout="constrained", squeeze=False, sharex=True)
    plt.close(fig)  # shown by the cell or the widget that asks for it, once
    for ax, (name, config) in zip(axes.flat, configs.items()):
        probs = decoding.probabilities(logits, config, previous_ids)
        ax.barh(np.arange(top), model_probs[shown], color="0.82", label="model softmax(z)")
        ax.barh(np.arange(top), probs[shown], height=0.45, color="C0", label="sampled from")
        ax.set_yticks(np.arange(top), labels)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_title(f"{name}\nkeeps {int((probs > 0).sum()):,} of {len(vocab):,}", fontsize="medium")
    for ax in list(axes.flat)[len(configs):]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="lower right", fontsize="small")
    for ax in axes[-1]:
        ax.set_xlabel("probability")
    if title is not None:
        fig.suptitle(check_type("title", title, str))
    return fig


def _prompt_ids(vocab: Vocab, scheme: str, prompt: str, lowercase: bool) -> tuple[list[str], list[int]]:
    """Return (tokens, ids with <bos> first) of ``prompt``, NFKC-normalised as the corpora are."""
    from lmtutor import text as text_module

    source = text_module.normalize(prompt, lowercase=lowercase)
    if scheme == "char":
        tokens = text_module.tokenize_chars(source, keep_spaces=" " in vocab)
    else:
        tokens = tokenize(source, scheme)
    return tokens, vocab.encode(tokens, add_bos=True)


def _config(temperature, top_k, top_p, banned_ids):
    """Return the DecodingConfig of the sampler's settings (top_k 0 and top_p 1 mean off)."""
    from lmtutor.decoding import DecodingConfig

    top_k = check_int("top_k", top_k, minimum=0)
    return DecodingConfig(temperature=temperature, top_k=top_k or None,
                          top_p=None if top_p == 1 else top_p, banned_ids=tuple(banned_ids))


def sample_html(stepper, vocab: Vocab, scheme: str, prompt: str, config, *, max_tokens: int = 40,
                seed: int = 0, lowercase: bool = False) -> str:
    """Return the sampler's text panel: the prompt's tokens (unknown ones dashed red), the
    continuation ``generate.generate`` samples under ``config``, and what the rules keep of the
    next-token distribution after the prompt."""
    import numpy as np

    from lmtutor import decoding, generate

    _check_model(stepper, vocab)
    check_choice("scheme", scheme, SCHEMES)
    check_str("prompt", prompt)
    check_type("config", config, decoding.DecodingConfig)
    tokens, ids = _prompt_ids(vocab, scheme, prompt, check_type("lowercase", lowercase, bool))
    new = generate.generate(stepper, ids, max_tokens=max_tokens, config=config, seed=seed)
    probs = decoding.probabilities(stepper.start(ids)[0], config, ids)
    best = int(np.argmax(probs))
    unknown = [t not in vocab for t in tokens]
    notes = []
    if any(unknown):
        notes.append(f"{sum(unknown)} prompt token(s) not in the vocabulary, read as {html.escape(UNK)}")
    if len(new) < max_tokens:
        notes.append(f"the model chose &lt;eos&gt; after {len(new)} token(s): the text ends there")
    continuation = html.escape(generate.ids_to_text(vocab, new, scheme))
    return (_STYLE + '<div class="lmtutor-sample">'
            f'<p><b>prompt</b> {_chips(tokens, unknown, "lmtutor-token")}</p>'
            f'<p class="lmtutor-continuation"><b>{html.escape(prompt)}</b>{continuation}</p>'
            f'<p class="lmtutor-next">next token after the prompt: the rules keep {int((probs > 0).sum()):,} '
            f'of {len(vocab):,} tokens; most likely {html.escape(repr(vocab.itos[best]))} with probability '
            f'{probs[best]:.3f}</p>' + "".join(f'<p class="lmtutor-note">{n}</p>' for n in notes) + "</div>")


def _png(fig) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def _sampler_controls(vocab: Vocab, prompt, temperature, top_k, top_p, max_tokens, seed) -> dict:
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
        "seed": widgets.BoundedIntText(value=seed, min=0, max=10**9, description="seed",
                                       style={"description_width": "initial"}),
    }


def sampler(stepper, vocab: Vocab, scheme: str, *, prompt: str = DEFAULT_PROMPT, lowercase: bool = False,
            temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, max_tokens: int = 40,
            seed: int = 0, banned_ids=(0, 1, 2), top: int = 10):
    """Return a VBox: a prompt box, sliders for temperature, top-k (0: off), top-p (1: off), length
    and seed, the sampled continuation (:func:`sample_html`) and the next-token distribution
    before and after the rules (:func:`next_token_figure`), redrawn whenever a control changes.

    The prompt is NFKC-normalised (and lowercased with ``lowercase``, for a model of lowercased
    text) and tokenized by ``scheme`` as its corpus was. ``banned_ids`` are never sampled: <pad>,
    <bos> and, by default, <unk>. An error while drawing (say, a prompt longer than a Transformer's
    context window) is shown in the widget.
    """
    import ipywidgets as widgets

    _check_model(stepper, vocab)
    check_choice("scheme", scheme, SCHEMES)
    check_str("prompt", prompt)
    check_type("lowercase", lowercase, bool)
    _config(temperature, top_k, top_p, banned_ids)  # valid settings, and within the sliders' ranges:
    check_float("temperature", temperature, minimum=0.05, maximum=2.0)
    check_int("top_k", top_k, minimum=0, maximum=min(200, len(vocab)))
    check_float("top_p", top_p, minimum=0.05, maximum=1.0)
    check_int("max_tokens", max_tokens, minimum=1, maximum=500)
    controls = _sampler_controls(vocab, prompt, temperature, top_k, top_p, max_tokens,
                                 check_int("seed", seed, minimum=0))
    check_int("top", top, minimum=1)
    resample = widgets.Button(description="new sample (seed + 1)")
    text_panel, picture = widgets.HTML(), widgets.Image(format="png")
    text_panel.add_class("lmtutor-sampler-text")
    picture.add_class("lmtutor-sampler-figure")

    def update(change=None):
        values = {name: control.value for name, control in controls.items()}
        try:
            config = _config(values["temperature"], values["top_k"], values["top_p"], banned_ids)
            text_panel.value = sample_html(stepper, vocab, scheme, values["prompt"], config, lowercase=lowercase,
                                           max_tokens=values["max_tokens"], seed=values["seed"])
            ids = _prompt_ids(vocab, scheme, values["prompt"], lowercase)[1]
            figure = next_token_figure(vocab, stepper.start(ids)[0], {"after the rules": config}, top=top,
                                       previous_ids=ids, title="next token after the prompt")
            picture.value = _png(figure)
        except (TypeError, ValueError) as error:  # shown in the widget instead of lost in the log
            text_panel.value = f'<p class="lmtutor-error" style="color:#900">⚠ {html.escape(str(error))}</p>'

    def next_seed(button):
        controls["seed"].value = min(controls["seed"].value + 1, controls["seed"].max)

    for control in controls.values():
        control.observe(update, names="value")
    resample.on_click(next_seed)
    update()
    settings = widgets.HBox([widgets.VBox([controls["temperature"], controls["top_k"], controls["top_p"]]),
                             widgets.VBox([controls["max_tokens"], controls["seed"], resample])])
    return widgets.VBox([controls["prompt"], settings, text_panel, picture])


# -------------------------------------------------------------------------- attention explorer
def _check_transformer_weights(weights, vocab: Vocab) -> dict:
    """Return the ``transformer.numpy_weights`` dict of ``weights`` (that dict or the Keras model),
    raising unless it is one and predicts ``vocab``."""
    from lmtutor import transformer

    if not isinstance(weights, dict):
        import keras

        if not isinstance(weights, keras.Model):
            raise TypeError(f"weights must be the dict of transformer.numpy_weights(model) or the Keras model, "
                            f"got {type(weights).__name__}")
        weights = transformer.numpy_weights(weights)
    if not weights.get("blocks") or "token_embedding" not in weights or "positions" not in weights:
        raise TypeError("weights must be the dict of transformer.numpy_weights(model) (with 'blocks', "
                        f"'token_embedding' and 'positions'), got a dict with keys {sorted(weights)}")
    check_type("vocab", vocab, Vocab)
    if len(vocab) != len(weights["token_embedding"]):
        raise ValueError(f"vocab has {len(vocab)} tokens but weights embed {len(weights['token_embedding'])}: "
                         f"use the vocabulary the model was trained with")
    return weights


def _attention_ids(weights: dict, vocab: Vocab, scheme: str, text: str, lowercase: bool, name: str):
    """Return (tokens, ids with <bos> first) of ``text``, raising if it is empty or longer than the window."""
    check_str(name, text, allow_empty=False)
    tokens, ids = _prompt_ids(vocab, scheme, text, lowercase)
    context = len(weights["positions"])
    if len(ids) > context:
        raise ValueError(f"{name} has {len(ids)} tokens with <bos>, more than the model's context window "
                         f"of {context}: shorten it")
    return tokens, ids


def _layers_and_heads(weights: dict) -> tuple[int, int]:
    """Return (blocks, heads) of a Transformer's weights: query_kernel is (d_model, heads, head_dim)."""
    return len(weights["blocks"]), weights["blocks"][0]["attention"]["query_kernel"].shape[1]


def attention_figure(weights, vocab: Vocab, text: str, *, block: int = 0, head: int = 0,
                     scheme: str = "char", lowercase: bool = False):
    """Return a Figure of the attention weights softmax(QKᵀ/√d_k + M) of one head of one block on
    ``text`` (<bos> first): row i, what position i read; column j, the position read.

    The weights are those ``transformer.forward(weights, [ids], return_attention=True)`` returns for
    that block and head; ``weights`` is ``transformer.numpy_weights(model)`` or the Keras model.
    """
    from lmtutor import plots, transformer

    weights = _check_transformer_weights(weights, vocab)
    check_choice("scheme", scheme, SCHEMES)
    tokens, ids = _attention_ids(weights, vocab, scheme, text, check_type("lowercase", lowercase, bool), "text")
    layers, heads = _layers_and_heads(weights)
    block = check_int("block", block, minimum=0, maximum=layers - 1)
    head = check_int("head", head, minimum=0, maximum=heads - 1)
    _, maps = transformer.forward(weights, [ids], return_attention=True)  # per block (batch, heads, query, key)
    labels = [vocab.itos[vocab.bos_id]] + [_token_label(t) for t in tokens]
    return plots.heatmap(maps[block][0, head], labels, labels,
                         title=f"block {block}, head {head} (row: query, column: key)")


def attention_explorer(weights, vocab: Vocab, sentences, *, block: int = 0, head: int = 0,
                       scheme: str = "char", lowercase: bool = False):
    """Return a VBox: drop-downs for a sentence, a block and a head, and the heat map of that head's
    attention weights on that sentence (:func:`attention_figure`), redrawn whenever one changes.

    ``weights`` is ``transformer.numpy_weights(model)`` (or the Keras model); ``sentences`` are
    tokenized by ``scheme`` (NFKC-normalised, lowercased with ``lowercase``) and must fit the
    model's context window with <bos>.
    """
    import ipywidgets as widgets

    weights = _check_transformer_weights(weights, vocab)
    check_choice("scheme", scheme, SCHEMES)
    check_type("lowercase", lowercase, bool)
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)):
        raise TypeError(f"sentences must be a list of str, got {type(sentences).__name__} {_show(sentences)}")
    if not sentences:
        raise ValueError("sentences must hold at least one sentence, got an empty list")
    for i, sentence in enumerate(sentences):
        _attention_ids(weights, vocab, scheme, sentence, lowercase, f"sentences[{i}]")
    layers, heads = _layers_and_heads(weights)
    controls = {
        "text": widgets.Dropdown(options=list(sentences), description="sentence",
                                 layout=widgets.Layout(width="420px")),
        "block": widgets.Dropdown(options=range(layers), value=check_int("block", block, minimum=0, maximum=layers - 1),
                                  description="block"),
        "head": widgets.Dropdown(options=range(heads), value=check_int("head", head, minimum=0, maximum=heads - 1),
                                 description="head"),
    }
    picture = widgets.Image(format="png")
    picture.add_class("lmtutor-attention-figure")

    def update(change=None):
        values = {name: control.value for name, control in controls.items()}
        picture.value = _png(attention_figure(weights, vocab, scheme=scheme, lowercase=lowercase, **values))

    for control in controls.values():
        control.observe(update, names="value")
    update()
    bar = widgets.HBox(list(controls.values()))
    bar.add_class("lmtutor-attention-controls")
    return widgets.VBox([bar, picture])
