"""Automatic checks for the notebook exercises: each returns a one-line PASS / NOT YET result with a hint.

The learner writes a function between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the check
cell passes the function itself (not its result)::

    from lmtutor import checks
    checks.check_char_tokens(char_tokens)   # PASS char_tokens: one token per character, ...

A check runs the function on the notebook's example and on inputs the notebook does not show (so a
hard-coded answer fails), compares with a reference solution (floats: math.isclose rel 1e-6, abs
1e-9; lists exactly) and names the typical mistake behind a wrong answer. An exception from the
learner's code becomes a failed result; only KeyboardInterrupt (interrupt the kernel) passes. The
function gets copies of the inputs and must leave them as they were: one that changes an argument
in place fails with a message that names the argument. NumPy's floating-point warnings are silenced
and Python warnings caught while the function runs; the hint for a wrong answer names what they reported.

JupyterLab shows a result as HTML: PASS or NOT YET on a coloured badge (no emoji font needed), the hint
with its `code` and *emphasis* formatted; ``repr`` gives the same line as plain text.

The checks live in one module per part of the course (``tokens``, ``embeddings``, ``recurrent``,
``training``, ``generation``, ``attention``, ``translation``, ``sentiment``); all are importable from
``lmtutor.checks`` directly.
"""

from lmtutor.checks._runner import CheckResult
from lmtutor.checks.tokens import (
    check_char_tokens, check_bigram_probability, check_oov_rate, check_add_k_bigram, check_perplexity,
)
from lmtutor.checks.embeddings import (
    check_cosine_similarity, check_sgns_loss, check_sgns_grad_center, check_three_cos_add,
)
from lmtutor.checks.recurrent import (
    check_rnn_step, check_clip_by_global_norm, check_lstm_step, check_chrono_bias,
)
from lmtutor.checks.training import (
    check_log_softmax, check_adam_step, check_dropout_forward, check_l2_grad,
)
from lmtutor.checks.generation import (
    check_top_k_filter, check_top_p_filter, check_next_token_probs,
)
from lmtutor.checks.attention import (
    check_causal_mask, check_scaled_dot_product_attention, check_positional_encoding,
)
from lmtutor.checks.translation import (
    check_brevity_penalty, check_clipped_precision, check_additive_attention, check_beam_step,
)
from lmtutor.checks.classification import check_macro_f1, check_most_frequent_tags, check_zero_shot_label
from lmtutor.checks.scale import check_global_mean_loss, check_fit_power_law, check_compute_optimal
from lmtutor.checks.dialogue import check_cosine_ranking, check_mean_reciprocal_rank, check_rejection_point
from lmtutor.checks.challenges import (
    check_weat_effect_size, check_exposure, check_neutralize, check_heading_anchor,
)
from lmtutor.checks.sentiment import (
    check_nb_log_odds, check_lexicon_score, check_occlusion_scores,
)

__all__ = [
    "CheckResult",
    "check_char_tokens",
    "check_bigram_probability",
    "check_oov_rate",
    "check_add_k_bigram",
    "check_perplexity",
    "check_cosine_similarity",
    "check_sgns_loss",
    "check_sgns_grad_center",
    "check_three_cos_add",
    "check_rnn_step",
    "check_clip_by_global_norm",
    "check_lstm_step",
    "check_chrono_bias",
    "check_log_softmax",
    "check_adam_step",
    "check_dropout_forward",
    "check_l2_grad",
    "check_top_k_filter",
    "check_top_p_filter",
    "check_next_token_probs",
    "check_causal_mask",
    "check_scaled_dot_product_attention",
    "check_positional_encoding",
    "check_brevity_penalty",
    "check_clipped_precision",
    "check_additive_attention",
    "check_beam_step",
    "check_cosine_ranking",
    "check_mean_reciprocal_rank",
    "check_rejection_point",
    "check_macro_f1",
    "check_most_frequent_tags",
    "check_zero_shot_label",
    "check_global_mean_loss",
    "check_fit_power_law",
    "check_compute_optimal",
    "check_weat_effect_size",
    "check_exposure",
    "check_neutralize",
    "check_heading_anchor",
    "check_nb_log_odds",
    "check_lexicon_score",
    "check_occlusion_scores",
]
