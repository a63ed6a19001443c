"""The next-token figure: what a model predicts and what each decoding rule keeps of it.

Used by notebook 07 and by ``widgets.sampler``, which redraws it whenever a slider moves::

    from lmtutor import decoding, plots
    rules = {"top-k 3": decoding.DecodingConfig(top_k=3)}
    plots.next_token_figure(vocab, logits, rules, top=10)
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lmtutor import decoding
from lmtutor._validate import check_int, check_type
from lmtutor.plots._tokens import token_label
from lmtutor.text import Vocab


def next_token_figure(vocab: Vocab, logits, configs, *, top: int = 10, previous_ids=(),
                      title: str | None = None):
    """Return a Figure with one panel per decoding rule: the ``top`` most likely next tokens, with
    the model's probabilities softmax(z) in grey and those the rule samples from in colour.

    ``configs`` maps a panel title to a ``decoding.DecodingConfig``; each panel says how many
    tokens the rule keeps (probability > 0) out of the vocabulary.
    """
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
    labels = [token_label(vocab.itos[i]) for i in shown]
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
