"""N-gram language models with smoothing: the baseline every neural model in the course must beat.

An n-gram model predicts each token from the n-1 tokens before it, using counts from a corpus.
Smoothing moves some probability to n-grams the corpus never showed, so held-out text is not
impossible; perplexity measures how surprised the model is by new text (lower is better)::

    model = NGramLM(3, smoothing="interpolated_kn").fit(train_sentences)   # list of token lists
    model.prob("苹果", ["一", "个"])                                        # P(苹果 | 一 个)
    model.perplexity(test_sentences)                                       # exp(cross-entropy)

Notation used in the docstrings (the notebook's): h is the context (the last n-1 tokens, padded
on the left with <bos>), h' is h without its first token, c(h, w) counts how often w followed h in
training, c(h) = sum_w c(h, w), N1+(h .) is the number of distinct words seen after h,
N1+(. h w) the number of distinct words seen before "h w" (a continuation count), and V' is the
set of tokens the model can predict: the vocabulary without <pad> and <bos> (it keeps <unk> and
<eos>). Each sentence is padded with n-1 <bos> in front and one <eos> at the end, so the model
learns how sentences start and when they stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Sequence

import numpy as np

from lmtutor._validate import (
    MAX_STEPS,
    check_choice,
    check_float,
    check_int,
    check_sentences,
    check_str,
    check_token_list,
)
from lmtutor.text import EOS, SPECIALS, Vocab

SMOOTHINGS = ("mle", "add_k", "interpolated", "interpolated_kn")
MAX_N = 20  # the highest order: a 20-gram is already longer than most sentences


@dataclass(frozen=True)
class NGramConfig:
    """Settings of an :class:`NGramLM`; checked when created."""

    n: int  # order: each token is predicted from the n-1 tokens before it (1 = unigram)
    smoothing: str = "interpolated_kn"  # one of SMOOTHINGS
    k: float = 1.0  # pseudo-count added to every n-gram by "add_k" (1.0 = Laplace)
    discount: float = 0.75  # absolute discount d subtracted from every count by "interpolated_kn"
    lambdas: tuple[float, ...] | None = None  # "interpolated": weights (uniform, unigram, ..., n-gram)
    min_freq: int = 1  # training tokens seen fewer times become <unk>
    max_vocab: int | None = None  # largest vocabulary size, special tokens included (None = no limit)

    def __post_init__(self):
        check_int("n", self.n, minimum=1, maximum=MAX_N)
        check_choice("smoothing", self.smoothing, SMOOTHINGS)
        check_float("k", self.k, minimum=0.0, min_inclusive=False)
        check_float("discount", self.discount, minimum=0.0, maximum=1.0, min_inclusive=False)
        check_int("min_freq", self.min_freq, minimum=1)
        if self.max_vocab is not None:
            check_int("max_vocab", self.max_vocab, minimum=len(SPECIALS))
        if self.lambdas is None:
            object.__setattr__(self, "lambdas", default_lambdas(self.n))
        if isinstance(self.lambdas, (str, bytes)) or not isinstance(self.lambdas, (tuple, list, np.ndarray)):
            raise TypeError(f"lambdas must be a sequence of n+1 numbers, got {type(self.lambdas).__name__}")
        lambdas = tuple(check_float(f"lambdas[{i}]", x, minimum=0.0) for i, x in enumerate(self.lambdas))
        if len(lambdas) != self.n + 1:
            raise ValueError(f"lambdas must hold n+1 = {self.n + 1} weights (uniform, unigram, ..., "
                             f"{self.n}-gram), got {len(lambdas)}")
        if abs(sum(lambdas) - 1.0) > 1e-6 or lambdas[0] == 0.0:
            raise ValueError(f"lambdas must sum to 1 with a positive uniform weight lambdas[0], got {lambdas}")
        object.__setattr__(self, "lambdas", lambdas)


def default_lambdas(n: int) -> tuple[float, ...]:
    """Return the default Jelinek-Mercer weights (λ_0, λ_1, ..., λ_n) = (0.01, 0.99/n, ..., 0.99/n).

    Every order 1..n gets the same weight and the uniform floor λ_0 / |V'| keeps every token
    possible. Weights tuned on held-out text do better (an exercise in notebook 01).
    """
    check_int("n", n, minimum=1, maximum=MAX_N)
    return (0.01,) + (0.99 / n,) * n


class NGramLM:
    """An n-gram language model over a :class:`~lmtutor.text.Vocab`, with four smoothings."""

    def __init__(self, n: int, *, smoothing: str = "interpolated_kn", k: float = 1.0,
                 discount: float = 0.75, lambdas: Sequence[float] | None = None,
                 min_freq: int = 1, max_vocab: int | None = None):
        if lambdas is not None:
            if isinstance(lambdas, str) or not isinstance(lambdas, (list, tuple, np.ndarray)):
                raise TypeError(f"lambdas must be a sequence of n+1 numbers, got {type(lambdas).__name__}")
            lambdas = tuple(lambdas)
        self.config = NGramConfig(n, smoothing, k, discount, lambdas, min_freq, max_vocab)
        self.vocab: Vocab | None = None  # set by fit

    def __repr__(self) -> str:
        size = "not fitted" if self.vocab is None else f"vocab size {len(self.vocab)}"
        return f"NGramLM(n={self.n}, smoothing={self.config.smoothing!r}, {size})"

    @property
    def n(self) -> int:
        """Return the order n: each token is predicted from the n-1 tokens before it."""
        return self.config.n

    # ----------------------------------------------------------------------------- training
    def fit(self, sentences: list[list[str]]) -> "NGramLM":
        """Return the model after counting the n-grams of every order 1..n in ``sentences``.

        Every m-gram (m = 1..n) gets an integer id: the id of an m-gram is its rank among the
        keys id(last m-1 tokens) * |V| + first token, so an m-gram is found from its (m-1)-gram
        suffix by one binary search. Per order the model keeps, indexed by these ids:
        c(h, w) for each m-gram, and c(h), N1+(h .), N1+(. h w), N1+(. h .) for each context h.
        """
        sentences = check_sentences("sentences", sentences)
        if not any(sentences):
            raise ValueError("sentences holds no tokens: the model needs at least one token to count")
        tokens = list(chain.from_iterable(sentences))  # one flat list: Vocab.build checks it once
        self.vocab = Vocab.build(tokens, min_freq=self.config.min_freq, max_size=self.config.max_vocab)
        stream, predicted = self._stream(sentences)
        size = len(self.vocab)
        self._keys = {0: np.zeros(1, dtype=np.int64)}  # order 0: only the empty context, id 0
        self._counts, self._totals, self._types = {}, {}, {}
        prefixes = {}  # order m -> id of the first m-1 tokens of each m-gram (its context h)
        gram_ids = np.zeros(len(stream), dtype=np.int64)  # id of the (m-1)-gram ending at each position
        for m in range(1, self.n + 1):
            first = np.concatenate((np.full(m - 1, Vocab.bos_id), stream[: len(stream) - m + 1]))
            before = np.concatenate((gram_ids[:1], gram_ids[:-1]))  # (m-1)-gram ending one earlier
            self._keys[m], gram_ids_m = np.unique(gram_ids * size + first, return_inverse=True)
            prefixes[m] = np.empty(len(self._keys[m]), dtype=np.int64)
            prefixes[m][gram_ids_m] = before
            self._counts[m] = np.bincount(gram_ids_m[predicted], minlength=len(prefixes[m]))  # c(h, w)
            gram_ids = gram_ids_m
        # Continuation counts for Kneser-Ney below the top order: N1+(. g) = number of distinct
        # tokens seen before the m-gram g = number of (m+1)-gram types whose suffix is g.
        self._cont = {m: np.bincount(self._keys[m + 1][self._counts[m + 1] > 0] // size,
                                     minlength=len(self._keys[m])) for m in range(1, self.n)}
        for kind, table in (("count", self._counts), ("continuation", self._cont)):
            for m, values in table.items():
                contexts = len(self._keys[m - 1])
                # per context h: c(h) = sum_w c(h, w) and N1+(h .) = number of w with c(h, w) > 0
                # (with continuation counts: N1+(. h .) and the number of w with N1+(. h w) > 0)
                self._totals[kind, m] = np.bincount(prefixes[m], weights=values, minlength=contexts)
                self._types[kind, m] = np.bincount(prefixes[m][values > 0], minlength=contexts)
        lambdas = self.config.lambdas
        # Jelinek-Mercer written recursively: P_m = λ'_m P_ML,m + (1 - λ'_m) P_{m-1}, λ'_m = λ_m / (λ_0+...+λ_m)
        self._jm_weights = [lambdas[m] / sum(lambdas[: m + 1]) for m in range(self.n + 1)]
        return self

    def _stream(self, sentences: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Return (ids, predicted): all sentences as <bos>*(n-1) w_1 ... w_T <eos>, one after another.

        ``predicted`` marks the positions the model predicts (words and <eos>). The n-1 <bos> in
        front of each sentence mean no n-gram ending at a predicted position reaches into the
        sentence before. Tokens spelled like special tokens ("<eos>") count as <unk> here.
        """
        lengths = np.array([len(s) for s in sentences], dtype=np.int64)
        tokens = list(chain.from_iterable(sentences))
        word_ids = np.fromiter(map(self.vocab.stoi.get, tokens, repeat(Vocab.unk_id)), np.int64, len(tokens))
        word_ids[word_ids < len(SPECIALS)] = Vocab.unk_id
        starts = np.cumsum(lengths + self.n) - (lengths + self.n)  # where each padded sentence starts
        ids = np.full(int(np.sum(lengths + self.n)), Vocab.bos_id, dtype=np.int64)
        predicted = np.ones(len(ids), dtype=bool)
        predicted[(starts[:, None] + np.arange(self.n - 1)).ravel()] = False  # the <bos> padding
        eos_positions = starts + self.n - 1 + lengths
        ids[eos_positions] = Vocab.eos_id
        is_word = predicted.copy()
        is_word[eos_positions] = False
        ids[is_word] = word_ids
        return ids, predicted

    def _check_fitted(self) -> None:
        if self.vocab is None:
            raise RuntimeError("this NGramLM is not fitted yet: call model.fit(sentences) first")

    def _ids(self, name: str, tokens: Sequence[str]) -> list[int]:
        """Return the ids of the token list ``tokens`` (argument ``name``); unknown ones -> <unk>."""
        self._check_fitted()
        return [self.vocab.stoi.get(t, Vocab.unk_id) for t in check_token_list(name, tokens)]

    def _find(self, m: int, suffix_ids: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Return the ids of the m-grams "first + suffix" (-1 where training never saw one)."""
        keys = self._keys[m]
        query = suffix_ids * len(self.vocab) + first  # negative when the suffix is unseen (-1)
        where = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        return np.where(keys[where] == query, where, -1)

    # ------------------------------------------------------------------------------ counts
    def _lookup(self, name: str, ngram: Sequence[str], table: dict, max_len: int) -> int:
        """Return table[m][id of ngram] for an m-gram of 1 <= m <= max_len tokens (0 if unseen)."""
        ids = self._ids(name, ngram)
        if not 1 <= len(ids) <= max_len:
            raise ValueError(f"{name} must hold 1 to {max_len} tokens, got {len(ids)}")
        gram_id = np.zeros(1, dtype=np.int64)
        for m, token in enumerate(reversed(ids), start=1):
            gram_id = self._find(m, gram_id, np.array([token]))
        return int(table[len(ids)][gram_id[0]]) if gram_id[0] >= 0 else 0

    def count(self, ngram: Sequence[str]) -> int:
        """Return c(ngram): how often these tokens followed each other in training (1 <= len <= n).

        Only n-grams that end at a predicted token are counted, so count(["<bos>"]) = 0 and
        count(["<eos>"]) = the number of sentences.
        """
        return self._lookup("ngram", ngram, self._counts, self.n)

    def continuation_count(self, ngram: Sequence[str]) -> int:
        """Return N1+(. ngram): the number of distinct tokens seen right before ``ngram`` (len < n)."""
        return self._lookup("ngram", ngram, self._cont, self.n - 1)

    # ------------------------------------------------------------------------ probabilities
    def _probs(self, grams: np.ndarray) -> np.ndarray:
        """Return P(w | h) for each row (h_1 ... h_{n-1}, w) of ``grams``, shape (B, n) -> (B,).

        One recursion from P_0(w) = 1/|V'| up to order n; orders whose context was never seen
        keep the lower-order probability (their weight goes to the lower orders).
        """
        n, words = self.n, grams[:, -1]
        num_predictable = len(self.vocab) - 2  # |V'|: every token but <pad> and <bos>
        probs = np.where((words == Vocab.pad_id) | (words == Vocab.bos_id), 0.0, 1.0 / num_predictable)
        context_id = np.zeros(len(grams), dtype=np.int64)  # the empty context of the unigram
        gram_id = self._find(1, context_id, words)
        for m in range(1, n + 1):
            if m > 1:  # extend the context and the m-gram one token to the left
                context_id = self._find(m - 1, context_id, grams[:, n - m])
                gram_id = self._find(m, gram_id, grams[:, n - m])
            probs = self._smooth(m, context_id, gram_id, probs, num_predictable)
        return probs

    def _smooth(self, m: int, context_id, gram_id, lower: np.ndarray, num_predictable: int) -> np.ndarray:
        """Return P_m(w | h) for order m from the counts of (h, w) and P_{m-1}(w | h') = ``lower``."""
        smoothing, d = self.config.smoothing, self.config.discount
        kind = "continuation" if smoothing == "interpolated_kn" and m < self.n else "count"
        table = self._cont[m] if kind == "continuation" else self._counts[m]
        count = np.where(gram_id >= 0, table[gram_id], 0)  # c(h, w), or N1+(. h w) for KN below n
        total = np.where(context_id >= 0, self._totals[kind, m][context_id], 0)  # c(h) or N1+(. h .)
        seen, safe_total = total > 0, np.where(total > 0, total, 1.0)
        if smoothing == "add_k":
            if m < self.n:
                return lower  # add-k uses only the top order, smoothed towards uniform
            k_all = self.config.k * num_predictable
            return (count + k_all * lower) / (total + k_all)  # = (c(h,w) + k) / (c(h) + k|V'|)
        if smoothing == "mle":
            return np.where(seen, count / safe_total, lower)  # unseen h: longest seen suffix of h
        if smoothing == "interpolated":
            weight = self._jm_weights[m]
            return np.where(seen, weight * count / safe_total + (1 - weight) * lower, lower)
        types = np.where(context_id >= 0, self._types[kind, m][context_id], 0)  # N1+(h .)
        return np.where(seen, (np.maximum(count - d, 0) + d * types * lower) / safe_total, lower)

    def prob(self, word: str, context: Sequence[str] = ()) -> float:
        """Return P(word | context), using the last n-1 tokens of ``context`` (see :meth:`distribution`)."""
        check_str("word", word)
        context_ids = self._context_ids(context)
        word_id = self.vocab.stoi.get(word, Vocab.unk_id)
        return float(self._probs(np.array([context_ids + [word_id]], dtype=np.int64))[0])

    def _context_ids(self, context: Sequence[str]) -> list[int]:
        """Return the last n-1 ids of ``context``, left-padded with <bos>."""
        ids = self._ids("context", context)
        ids = ids[max(len(ids) - self.n + 1, 0):] if self.n > 1 else []
        return [Vocab.bos_id] * (self.n - 1 - len(ids)) + ids

    def distribution(self, context: Sequence[str] = ()) -> np.ndarray:
        """Return probs, shape (len(vocab),): probs[i] = P(vocab.itos[i] | last n-1 tokens of context).

        The smoothings, with h' = h without its first token and P_0(w) = 1/|V'|:
          mle:             P(w|h) = c(h,w) / c(h)                 (unseen h: longest seen suffix)
          add_k:           P(w|h) = (c(h,w) + k) / (c(h) + k |V'|)
          interpolated:    P(w|h) = λ_n c(h,w)/c(h) + ... + λ_1 c(w)/N + λ_0 / |V'|
          interpolated_kn: P(w|h) = max(c(h,w) - d, 0)/c(h) + d N1+(h .)/c(h) P_KN(w|h')
                           with N1+(. h w) / N1+(. h .) in place of c(h,w) / c(h) below order n.
        An order whose context was never seen is skipped (its weight goes to the lower orders).
        <pad> and <bos> get 0, so probs sums to 1 over V'. Unknown tokens count as <unk>.
        """
        context_ids = self._context_ids(context)
        grams = np.empty((len(self.vocab), self.n), dtype=np.int64)  # (|V|, n): context, then each w
        grams[:, :-1] = context_ids
        grams[:, -1] = np.arange(len(self.vocab))
        return self._probs(grams)

    # --------------------------------------------------------------------------- evaluation
    def _log_probs(self, sentences: list[list[str]]) -> np.ndarray:
        """Return ln P(w_i | h_i) for every predicted token (words and each <eos>), shape (N,)."""
        stream, predicted = self._stream(sentences)
        windows = np.lib.stride_tricks.sliding_window_view(stream, self.n)  # (len - n + 1, n)
        probs = self._probs(windows[predicted[self.n - 1:]])  # (N,)
        with np.errstate(divide="ignore"):
            return np.log(probs)  # -inf where P = 0 (only possible with smoothing="mle")

    def log_prob(self, sentence: list[str]) -> float:
        """Return ln P(sentence) = sum_i ln P(w_i | h_i) over its tokens and the final <eos>.

        -inf when some token has probability 0 (possible only with smoothing="mle").
        """
        self._check_fitted()
        return float(np.sum(self._log_probs([check_token_list("sentence", sentence)])))

    def cross_entropy(self, sentences: list[list[str]]) -> float:
        """Return H = -(1/N) sum_i ln P(w_i | h_i) in nats, N = predicted tokens including each <eos>.

        inf when some token has probability 0 (an unseen n-gram under smoothing="mle").
        """
        self._check_fitted()
        return float(-np.mean(self._log_probs(check_sentences("sentences", sentences))))

    def perplexity(self, sentences: list[list[str]]) -> float:
        """Return PP = exp(-(1/N) sum_i ln P(w_i | h_i)) = exp(H), N counting each <eos> (inf if a P = 0)."""
        return math.exp(self.cross_entropy(sentences))

    def bits_per_token(self, sentences: list[list[str]]) -> float:
        """Return H / ln 2: the cross-entropy in bits per predicted token (log2 of the perplexity)."""
        return self.cross_entropy(sentences) / math.log(2)

    # ----------------------------------------------------------------------------- sampling
    def sample(self, prompt: Sequence[str] = (), *, max_tokens: int = 50, temperature: float = 1.0,
               seed: int = 0) -> list[str]:
        """Return tokens drawn one by one from probs^(1/temperature) / sum(probs^(1/temperature)).

        Starts after ``prompt`` (not repeated in the result) and stops after <eos> (kept as the last
        token) or after ``max_tokens`` tokens. The same seed gives the same tokens.
        """
        self._check_fitted()
        context = check_token_list("prompt", prompt)
        check_int("max_tokens", max_tokens, minimum=1, maximum=MAX_STEPS)
        temperature = check_float("temperature", temperature, minimum=0.0, min_inclusive=False)
        check_int("seed", seed, minimum=0)
        rng = np.random.default_rng(seed)
        tokens: list[str] = []
        for _ in range(max_tokens):
            with np.errstate(divide="ignore", over="ignore"):
                logits = np.log(self.distribution(context)) / temperature  # -inf for P = 0
            if not np.isfinite(logits.max()):
                raise ValueError(f"temperature {temperature:g} is too small: log(probs) / temperature overflows")
            probs = np.exp(logits - logits.max())
            token = self.vocab.itos[int(rng.choice(len(probs), p=probs / probs.sum()))]
            tokens.append(token)
            context.append(token)
            if token == EOS:
                break
        return tokens


def kn_baseline(corpus_name: str, n: int | None = None) -> NGramLM:
    """Return an interpolated Kneser-Ney n-gram model of ``datasets.lm_corpus(corpus_name)``, fitted on its train part.

    The baseline every neural model of the course is compared with. ``n`` defaults to the order
    with the best validation perplexity (``datasets.CORPORA[corpus_name][1]``); ``min_freq`` and
    ``max_vocab`` are those of the corpus, so the model's vocabulary is the corpus's ``vocab`` and
    its scores compare with a neural model's.
    """
    from lmtutor import datasets  # Data, below this module; imported here as only this function needs it

    check_choice("corpus_name", corpus_name, datasets.CORPORA)
    if n is not None:
        check_int("n", n, minimum=1, maximum=MAX_N)
    data = datasets.lm_corpus(corpus_name)
    if n is None:
        n = datasets.CORPORA[corpus_name][1]
        if n is None:
            raise ValueError(f"no n-gram order was chosen for {corpus_name!r} on validation: pass n")
    return NGramLM(n, smoothing="interpolated_kn", min_freq=datasets.MIN_FREQ,
                   max_vocab=datasets.CORPORA[corpus_name][2]).fit(data.train)
