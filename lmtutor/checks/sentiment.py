"""Checks for the exercises of notebook 11: a word's naive Bayes log-odds, a lexicon score with
negation, and occlusion scores.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`. The
references are those of ``lmtutor.sentiment`` (``lexicon_score``; the log-odds of its
``NaiveBayes``, whose tests prove it equal to scikit-learn's MultinomialNB); the occlusion scores
are computed with simple scoring functions written here, so the check needs no Keras model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from lmtutor.checks._runner import (
    CheckResult, _Exercise, _Mistake, _arrays_exercise, _cases, _run, _run_arrays,
)


# ----------------------------------------------------------------------------- naive Bayes log-odds
def _log_odds_variant(word, pos_counts, neg_counts, alpha, *, vocab="union", smooth_total=True, sign=1,
                      log=True, use_alpha=True):
    """Return ln P(word | pos) − ln P(word | neg) with add-alpha smoothing, or a typical wrong version."""
    a = alpha if use_alpha else 1.0
    union = set(pos_counts) | set(neg_counts)

    def prob(counts):
        size = len(union) if vocab == "union" else len(counts)
        total = sum(counts.values()) + (a * size if smooth_total else a)
        return (counts.get(word, 0) + a) / total

    ratio = prob(pos_counts) / prob(neg_counts)
    value = math.log(ratio) if log else ratio
    return float(sign * value)


def _nb_log_odds(word, pos_counts, neg_counts, alpha):
    return _log_odds_variant(word, pos_counts, neg_counts, alpha)


_POS = {"好": 5, "推荐": 3, "不错": 2, "贵": 1}
_NEG = {"差": 4, "贵": 3, "失望": 2, "好": 1}
_POS_EN = {"good": 7, "fun": 4, "film": 9, "not": 2, "great": 3}
_NEG_EN = {"bad": 6, "film": 8, "not": 5, "dull": 3, "good": 2, "plot": 4}

_NB_LOG_ODDS = _Exercise(
    "nb_log_odds", ("word", "pos_counts", "neg_counts", "alpha"), _nb_log_odds,
    note="ln P(w | +) − ln P(w | −) with P(w | c) = (count_c(w) + α) / (N_c + α V), V the words of both classes",
    cases=_cases([("好", _POS, _NEG, 1.0)],
                 [("贵", _POS, _NEG, 1.0), ("失望", _POS, _NEG, 0.5), ("贵", _POS, _NEG, 2.0), ("咖啡", _POS, _NEG, 1.0),
                  ("good", _POS_EN, _NEG_EN, 1.0), ("not", _POS_EN, _NEG_EN, 0.1), ("plot", _POS_EN, _NEG_EN, 1.0),
                  ("film", _POS_EN, {"film": 8, "not": 5, "bad": 6}, 1.0), ("film", {"film": 2, "good": 1}, _NEG_EN, 1.0),
                  ("好", _NEG, _POS, 1.0)]),
    mistakes=(
        _Mistake("the sign is reversed: the log-odds of the positive class are ln P(w | +) − ln P(w | −), "
                 "positive for words that occur more in positive reviews.",
                 lambda w, p, n, a: _log_odds_variant(w, p, n, a, sign=-1)),
        _Mistake("return the logarithm of the ratio, ln(P(w | +) / P(w | −)), not the ratio itself.",
                 lambda w, p, n, a: _log_odds_variant(w, p, n, a, log=False)),
        _Mistake("smooth the total too: the denominator is N_c + α·V (α added once for every word of the "
                 "vocabulary), not N_c + α, so the smoothed probabilities still sum to 1.",
                 lambda w, p, n, a: _log_odds_variant(w, p, n, a, smooth_total=False)),
        _Mistake("V is the vocabulary of both classes together (len(set(pos_counts) | set(neg_counts))), not "
                 "the words seen in one class.", lambda w, p, n, a: _log_odds_variant(w, p, n, a, vocab="class")),
        _Mistake("use the smoothing constant alpha you were given, not 1.",
                 lambda w, p, n, a: _log_odds_variant(w, p, n, a, use_alpha=False)),
    ),
    errors=((KeyError, "a word missing from a class has count 0 there: use counts.get(word, 0)"),))


def check_nb_log_odds(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(word, pos_counts, neg_counts, alpha)`` -> a word's log-odds (a float).

    ``pos_counts`` and ``neg_counts`` map each word to how often it occurs in the positive and the
    negative training reviews. With V the number of distinct words of both, N_c the total count of
    class c: P(w | c) = (count_c(w) + α) / (N_c + α V), and the answer is ln P(w | +) − ln P(w | −)
    (a word of neither class gets ln((N_− + αV) / (N_+ + αV))). Notebook example: 好 with α = 1.
    """
    return _run(_NB_LOG_ODDS, fn)


# --------------------------------------------------------------------------------- lexicon score
def _lexicon_score(tokens, lexicon, negators, window):
    from lmtutor.sentiment import lexicon_score

    return lexicon_score(list(tokens), dict(lexicon), set(negators), window)


def _lexicon_variant(tokens, lexicon, negators, window, *, negate=True, reach=0, parity=False, after=False,
                     whole=False, wrap=False):
    """Return a typical wrong lexicon score (or the right one with the defaults); ``wrap``: the
    window sliced as tokens[i - window:i], whose negative start counts from the end of the list."""
    score, any_negator = 0.0, any(t in negators for t in tokens)
    for i, token in enumerate(tokens):
        if token not in lexicon:
            continue
        start = i - window - reach if wrap else max(0, i - window - reach)
        span = tokens[i + 1:i + 1 + window + reach] if after else tokens[start:i]
        count = sum(t in negators for t in span)
        flip = (count % 2 == 1) if parity else count > 0
        value = float(lexicon[token])
        score += -value if (negate and not whole and flip) else value
    return -score if (whole and any_negator) else score


_LEX = {"good": 1, "great": 2, "funny": 1, "bad": -1, "boring": -2, "dull": -1}
_NOT = {"not", "never", "isn't"}
_LEX_ZH = {"好": 1, "满意": 1, "推荐": 2, "差": -1, "失望": -2}
_NOT_ZH = {"不", "没有"}

_LEXICON = _Exercise(
    "lexicon_score", ("tokens", "lexicon", "negators", "window"), _lexicon_score,
    note="Σ_i s_i, with s_i = lexicon[t_i] (0 for other tokens) negated when a negator is among the window tokens before i",
    cases=_cases([("the film is not funny".split(), _LEX, _NOT, 3)],
                 [("a great and funny film".split(), _LEX, _NOT, 3),
                  ("not a bad film , never boring".split(), _LEX, _NOT, 3),
                  ("not at all a very good film".split(), _LEX, _NOT, 3),  # 5 tokens back: out of reach
                  ("not at all a very good film".split(), _LEX, _NOT, 5),
                  ("not a truly very funny film".split(), _LEX, _NOT, 3),  # 4 tokens back: out of reach
                  ("it isn't good , it is great".split(), _LEX, _NOT, 2),
                  ("not not good".split(), _LEX, _NOT, 3),  # two negators do not cancel
                  ("good not".split(), _LEX, _NOT, 3),  # a negator after the word does nothing
                  ("bad , not good".split(), _LEX, _NOT, 1),
                  ("boring".split(), _LEX, _NOT, 0),
                  ([], _LEX, _NOT, 3),
                  (["服务", "不", "好", "，", "很", "失望"], _LEX_ZH, _NOT_ZH, 2),
                  (["没有", "推荐", "的", "好"], _LEX_ZH, _NOT_ZH, 3),
                  ("the film is not funny".split(), {"funny": 3, "film": -1}, _NOT, 3),
                  ("the film is not funny".split(), _LEX, {"is"}, 3),
                  ("the film is not funny".split(), _LEX, _NOT, 1)]),
    mistakes=(
        _Mistake("you left out negation: a lexicon word counts with the opposite sign when a negator is among "
                 "the `window` tokens before it (\"not funny\" is negative).",
                 lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, negate=False)),
        _Mistake("negate the words *after* a negator (look back from each word: tokens[max(0, i - window):i]), "
                 "not the ones before it.", lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, after=True)),
        _Mistake("flip each lexicon word near a negator, not the sign of the whole text (\"not bad, never boring\" "
                 "has two negated words).", lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, whole=True)),
        _Mistake("two negators in the window do not cancel here: a word is negated when *any* negator is in reach.",
                 lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, parity=True)),
        _Mistake("for the first tokens i - window is negative, and a negative start counts from the end of the "
                 "list (tokens[-1:2] is empty, so a negator at the start is missed): slice "
                 "tokens[max(0, i - window):i].", lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, wrap=True)),
        _Mistake("the window is off by one: it holds exactly the `window` tokens before word i, "
                 "tokens[max(0, i - window):i].", lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, reach=1)),
        _Mistake("the window is off by one: it holds exactly the `window` tokens before word i, "
                 "tokens[max(0, i - window):i].", lambda t, lx, n, w: _lexicon_variant(t, lx, n, w, reach=-1)),
    ),
    errors=((KeyError, "a token that is not in the lexicon scores 0: use lexicon.get(token, 0) or test `in`"),))


def check_lexicon_score(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(tokens, lexicon, negators, window)`` -> a lexicon score (a float).

    Score = Σ_i s_i over the tokens, s_i = lexicon[tokens[i]] (0 if absent), with the opposite sign when
    any of the ``window`` tokens before i is in ``negators`` (``sentiment.lexicon_score``). Notebook
    example: "the film is not funny" with window 3 scores −1.0.
    """
    return _run(_LEXICON, fn)


# ------------------------------------------------------------------------------------ occlusion
@dataclass(frozen=True)
class _Scorer:
    """A scoring function of the cases, shown in a check's message by what it computes (a learner
    cannot read the source of a function that lives in the course package)."""
    fn: Callable[[list], float]
    text: str  # what it computes, for the message

    def __call__(self, tokens):
        return self.fn(tokens)

    def __repr__(self):
        return f"<{self.text}>"


def _lexicon_value(tokens):
    """The lexicon score with negation (window 3)."""
    return _lexicon_variant(list(tokens), _LEX, _NOT, 3)


def _mean_value(tokens):
    """The mean lexicon value per token (every token weighs)."""
    return sum(_LEX.get(t, 0) for t in tokens) / len(tokens) if tokens else 0.0


def _first_value(tokens):
    """The first lexicon word decides (order matters)."""
    return next((float(_LEX[t]) * (3 - min(i, 2)) for i, t in enumerate(tokens) if t in _LEX), 0.0)


def _scorer(kind: str, text: str) -> tuple:
    """Return the case (score_fn, tokens) for the words of ``text``, with a scorer whose message names
    the lexicon values of those words (what the learner needs to work out the expected answer)."""
    tokens = text.split()
    values = ", ".join(f"{w} {_LEX[w]:+d}" for w in dict.fromkeys(tokens) if w in _LEX)
    negators = "/".join(w for w in dict.fromkeys(tokens) if w in _NOT)
    if kind == "lexicon":
        negation = f", each negated within 3 after {negators}" if negators else ""
        return _Scorer(_lexicon_value, f"sum of {values}{negation}"), tokens
    if kind == "mean":
        return _Scorer(_mean_value, f"mean over all tokens of {values}, other tokens 0"), tokens
    return _Scorer(_first_value, f"first of {values}: value x3 at index 0, x2 at 1, else x1"), tokens


def _occlusion_variant(score_fn, tokens, *, sign=1, every_copy=False, remaining=False, shift=0, unk=None):
    """Return [score(tokens) − score(tokens without token i)] per i, or a typical wrong version."""
    tokens = list(tokens)
    full = score_fn(tokens)
    out = []
    for i in range(len(tokens)):
        j = min(i + shift, len(tokens) - 1)
        if every_copy:
            without = [t for t in tokens if t != tokens[j]]
        elif unk is not None:
            without = tokens[:j] + [unk] + tokens[j + 1:]
        else:
            without = tokens[:j] + tokens[j + 1:]
        value = score_fn(without)
        out.append(value if remaining else sign * (full - value))
    return out


def _occlusion(score_fn, tokens):
    return _occlusion_variant(score_fn, tokens)


def _occlusion_exercise():
    variant = lambda **kw: (lambda f, t: _occlusion_variant(f, t, **kw))  # noqa: E731
    return _arrays_exercise(
        "occlusion_scores", ("score_fn", "tokens"), _occlusion,
        note="s_i = score(tokens) − score(tokens without token i), one per token",
        cases=_cases([_scorer("lexicon", "the film is not funny")],
                     [_scorer("lexicon", "not bad , never boring"), _scorer("mean", "a good good film"),
                      _scorer("first", "dull but great fun"), _scorer("lexicon", "great"),
                      _scorer("mean", "good , not great , just good"), _scorer("first", "the film is not funny"),
                      _scorer("mean", "the film is not funny"), _scorer("lexicon", "a great great film")]),
        mistakes=(
            _Mistake("the sign is reversed: s_i = score(tokens) − score(tokens without token i), positive when "
                     "the token raised the score.", variant(sign=-1)),
            _Mistake("you returned the score of the text without token i; subtract it from the score of the whole "
                     "text: s_i = score(tokens) − score(tokens without token i).", variant(remaining=True)),
            _Mistake("remove only position i (tokens[:i] + tokens[i + 1:]), not every copy of its word: in "
                     "\"a great great film\" each great has its own score.", variant(every_copy=True)),
            _Mistake("you removed the token after position i: tokens[:i] + tokens[i + 1:] leaves out token i itself.",
                     variant(shift=1)),
            _Mistake("remove the token (tokens[:i] + tokens[i + 1:]); replacing it by an empty string or another "
                     "token keeps the text's length, which changes the score of a mean.", variant(unk="")),
        ))


def check_occlusion_scores(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(score_fn, tokens)`` -> one occlusion score per token (a list).

    ``score_fn(tokens)`` returns a number for a list of tokens (a classifier's log-odds, a lexicon
    score). The answer has one entry per position i: score_fn(tokens) − score_fn(tokens[:i] +
    tokens[i + 1:]). The scorers of the cases are shown by what they compute on the words of the case,
    e.g. ``<mean over all tokens of good +1, other tokens 0>``. Notebook example: the lexicon score
    with negation (funny +1, negated within 3 tokens after "not") on "the film is not funny".
    """
    return _run_arrays(_occlusion_exercise(), fn)
