"""Interactive widgets for the notebooks, one module each; they draw with ``lmtutor.plots``.

``tokens.token_explorer`` shows one sentence cut three ways ("word", "char", "zh_word") with the
ids a vocabulary gives each token; ``sampling.sampler`` continues a prompt with a language model
under the decoding rules you set; ``attention.attention_explorer`` draws the attention weights of
one head of a trained Transformer; ``optimizers.optimizer_explorer`` draws an optimizer's path on a
loss surface; ``neighbours.neighbours_explorer`` answers with a word's nearest neighbours or an
analogy; ``translation.translation_explorer`` translates a sentence with a trained encoder-decoder
and shows the beam and the attention map; ``dialogue.chat`` talks with notebook 12's course
assistant. All are re-exported here::

    from lmtutor import widgets
    widgets.token_explorer({"zh_word": Vocab.build([tokenize("我有一个苹果。", "zh_word")])})
    widgets.attention_explorer(transformer.numpy_weights(model), datasets.lm_corpus("lee_chars"),
                               ["the prime minister said"])   # the corpus tokenizes the sentences

ipywidgets is imported when a widget is built, so importing this package loads no widget library.
"""

from lmtutor.plots import attention_figure, next_token_figure
from lmtutor.plots._tokens import SPACE_LABEL
from lmtutor.widgets.attention import attention_explorer
from lmtutor.widgets.dialogue import chat, turn_html
from lmtutor.widgets.neighbours import neighbours_answer, neighbours_explorer
from lmtutor.widgets.optimizers import optimizer_explorer, optimizer_figure
from lmtutor.widgets.sampling import DEFAULT_PROMPT, sample_html, sampler
from lmtutor.widgets.tokens import DEFAULT_SENTENCE, token_explorer, token_table_html
from lmtutor.widgets.translation import translation_explorer, translation_figure, translation_html
from lmtutor.widgets.sentiment import DEFAULT_REVIEW, explain_text, highlight_html, sentiment_explorer, sentiment_html

__all__ = ["DEFAULT_PROMPT", "DEFAULT_REVIEW", "DEFAULT_SENTENCE", "explain_text", "highlight_html",
           "sentiment_explorer", "sentiment_html", "SPACE_LABEL", "attention_explorer", "attention_figure", "chat",
           "neighbours_answer", "neighbours_explorer", "next_token_figure", "optimizer_explorer", "optimizer_figure",
           "sample_html", "sampler", "token_explorer", "token_table_html", "translation_explorer",
           "translation_figure", "translation_html", "turn_html"]
