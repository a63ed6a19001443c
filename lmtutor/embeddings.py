"""Word embeddings: skip-gram with negative sampling (SGNS) in NumPy, and a Keras Embedding loader.

Skip-gram keeps two tables, centre vectors v (``Embeddings.vectors``) and context vectors u, and
learns them from (centre, context) pairs taken within a window::

    config = SGNSConfig(vector_size=50, window=5, epochs=3)
    result = train_sgns(sentences, config)            # sentences: list of token lists
    layer = keras_embedding(result.embeddings)        # frozen keras.layers.Embedding

Notation (the notebook's): c a centre word, o a context word within the window, n_1..n_K negative
words drawn from the unigram distribution raised to 3/4, σ the logistic sigmoid. The loss of one
pair is L = −log σ(u_o·v_c) − Σ_k log σ(−u_{n_k}·v_c) (Mikolov et al. 2013).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import scipy.sparse

from lmtutor._validate import (
    MAX_STEPS, MAX_WIDTH, _show, check_array, check_bool, check_float, check_int, check_sentences, check_str,
    check_token_list, check_type,
)
from lmtutor.losses import _sigmoid


MAX_WINDOW = 10_000  # the widest (centre, context) window of skip-gram and GloVe
MAX_NEGATIVE = 1_000  # negative words per pair
MAX_BATCH = 10_000_000  # pairs or entries per NumPy update


@dataclass(frozen=True)
class Embeddings:
    """Word vectors: row i of ``vectors`` belongs to ``words[i]`` (most frequent word first)."""

    words: tuple[str, ...]  # the vocabulary, most frequent first
    vectors: np.ndarray  # (V, D) one row per word
    index: dict[str, int] = field(init=False, repr=False, compare=False)  # word -> row

    def __post_init__(self):
        if isinstance(self.words, (str, bytes)) or not isinstance(self.words, (tuple, list)):
            raise TypeError(f"words must be a tuple (or list) of str words, got {type(self.words).__name__} "
                            f"{_show(self.words)}; a str would be read as one-letter words")
        words = tuple(check_token_list("words", self.words))
        index = {w: i for i, w in enumerate(words)}
        if len(index) != len(words):
            repeated = sorted({w for w in words if words.count(w) > 1})[:5] if len(words) < 10_000 else "some"
            raise ValueError(f"words must not repeat a word (its row would be ambiguous), repeated: {repeated}")
        vectors = check_array("vectors", self.vectors)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError(f"vectors must have shape (len(words), D) = ({len(words)}, D), "
                             f"got {vectors.shape}")
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "vectors", vectors)
        object.__setattr__(self, "index", index)

    def __getitem__(self, word: str) -> np.ndarray:
        """Return the vector of ``word`` (D,); KeyError names the word if it is not in words."""
        if word not in self.index:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self.words)} words)")
        return self.vectors[self.index[word]]

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __len__(self) -> int:
        return len(self.words)

    def to_keyed_vectors(self):
        """Return the same vectors as a gensim ``KeyedVectors`` (float32), for gensim's tools."""
        from gensim.models import KeyedVectors

        keyed = KeyedVectors(self.vectors.shape[1])
        keyed.add_vectors(list(self.words), self.vectors.astype(np.float32))
        return keyed


def _check_losses(name: str, losses: Any) -> None:
    """Raise unless ``losses`` is a tuple of numbers (a training log, one per epoch; a diverged run may hold inf or NaN)."""
    check_type(name, losses, tuple)
    for i, loss in enumerate(losses):
        if isinstance(loss, bool) or not isinstance(loss, (int, float, np.floating, np.integer)):
            raise TypeError(f"{name}[{i}] must be a number, got {type(loss).__name__} {_show(loss)}")


def as_embeddings(vectors: Any) -> Embeddings:
    """Return ``vectors`` as Embeddings; it may already be one or be a gensim KeyedVectors."""
    return _as_embeddings("vectors", vectors)


def _as_embeddings(name: str, vectors: Any) -> Embeddings:
    """Return ``vectors`` as Embeddings, naming the argument ``name`` if it is neither kind."""
    if isinstance(vectors, Embeddings):
        return vectors
    if hasattr(vectors, "index_to_key") and hasattr(vectors, "vectors"):  # gensim KeyedVectors
        return Embeddings(tuple(vectors.index_to_key), np.asarray(vectors.vectors, dtype=float))
    raise TypeError(f"{name} must be Embeddings or a gensim KeyedVectors, got {type(vectors).__name__}")


def build_vocab(sentences: Sequence[Sequence[str]], min_count: int = 5) -> tuple[tuple[str, ...], np.ndarray]:
    """Return (words, counts): words seen at least ``min_count`` times, most frequent first.

    Ties keep the order of first appearance. ValueError if no word is frequent enough.
    """
    sentences = check_sentences("sentences", sentences)
    min_count = check_int("min_count", min_count, minimum=1)
    counts = Counter(token for sentence in sentences for token in sentence)
    kept = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda kv: -kv[1])
    if not kept:
        raise ValueError(f"sentences has no word seen min_count={min_count} times "
                         f"({sum(counts.values())} tokens, {len(counts)} types): lower min_count")
    return tuple(w for w, _ in kept), np.array([c for _, c in kept], dtype=np.int64)


def encode(sentences: Sequence[Sequence[str]], words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return (ids, sentence_ids): in-vocabulary tokens as ids, and the sentence each came from.

    Out-of-vocabulary tokens are dropped before any window is taken, as in word2vec.
    """
    sentences = check_sentences("sentences", sentences, allow_empty=True)
    words = check_token_list("words", words, allow_empty=False)
    index = {w: i for i, w in enumerate(words)}
    if len(index) != len(words):
        raise ValueError(f"words must not repeat a word, got {len(words)} words of which {len(index)} differ")
    ids, sids = [], []
    for s, sentence in enumerate(sentences):
        row = [index[t] for t in sentence if t in index]
        ids.extend(row)
        sids.extend([s] * len(row))
    return np.array(ids, dtype=np.int64), np.array(sids, dtype=np.int64)


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """Return the probability of keeping each word when subsampling frequent words (V,).

    With t = sample · N (N tokens) and count c_w: p_keep(w) = min(1, (√(c_w / t) + 1) · t / c_w),
    the formula of word2vec's C code and gensim; sample = 0 keeps everything.
    """
    counts = check_array("counts", counts, ndim=1, allow_empty=False)
    if np.any(counts < 1):
        raise ValueError(f"counts must be word counts >= 1, got {counts[counts < 1][0]:g}")
    sample = check_float("sample", sample, minimum=0.0)
    if sample == 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts)


def _skipgram_pairs(ids: np.ndarray, sentence_ids: np.ndarray, window: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return (centres, contexts): every pair within a reduced window, in the same sentence.

    Each centre position draws its window b uniformly from 1..window (word2vec's weighting of
    near words) and pairs with the words at distances 1..b on both sides. Shapes (P,), (P,).
    """
    window = check_int("window", window, minimum=1)
    reach = rng.integers(1, window + 1, size=len(ids))  # (T,) reduced window per centre
    centres, contexts = [], []
    for d in range(1, min(window, max(len(ids) - 1, 0)) + 1):
        same = sentence_ids[:-d] == sentence_ids[d:]  # (T-d,) positions i, i+d in one sentence
        right = same & (d <= reach[:-d])  # centre i, context i+d
        left = same & (d <= reach[d:])  # centre i+d, context i
        centres += [ids[:-d][right], ids[d:][left]]
        contexts += [ids[d:][right], ids[:-d][left]]
    if not centres:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(centres), np.concatenate(contexts)


def _summing_matrix(rows: np.ndarray, n_rows: int, weights: np.ndarray | None = None):
    """Return (unique, matrix): the distinct values of ``rows`` (ascending) and a sparse matrix.

    rows (N, M) of values in 0..n_rows-1 and weights (N, M) (default 1) give matrix (U, N) with
    matrix[k, n] = Σ_m weights[n, m] [rows[n, m] = unique[k]]; ``matrix @ x`` for x (N, D) adds
    up weights[n, m] x[n] into row unique[k]. A bincount finds the distinct rows without sorting
    and the transpose is built row by row (M entries each), so nothing is sorted at all.
    """
    n, m = rows.shape
    present = np.bincount(rows.ravel(), minlength=n_rows) > 0  # (n_rows,)
    unique = np.flatnonzero(present)  # (U,)
    position = np.cumsum(present) - 1  # (n_rows,) value -> its index in unique
    data = np.ones(n * m, dtype=np.float32) if weights is None else weights.ravel()
    transposed = scipy.sparse.csr_matrix((data, position[rows.ravel()], np.arange(0, n * m + 1, m)),
                                         shape=(n, len(unique)))  # (N, U)
    return unique, transposed.T  # (U, N), compressed by columns


def _scatter_add(table: np.ndarray, rows: np.ndarray, updates: np.ndarray) -> None:
    """Add updates[i] to table[rows[i]] in place, summing repeated rows (as np.add.at, faster).

    Shapes: table (V, D), rows (N,), updates (N, D). Goes through _summing_matrix, several times
    faster than np.add.at on these sizes.
    """
    unique, summing = _summing_matrix(np.asarray(rows)[:, None], len(table))
    table[unique] += (summing @ updates).astype(table.dtype, copy=False)


def _noise_table(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (accept, alias) of Walker's alias method for drawing words with probabilities probs.

    Draw w uniformly from 0..V-1 and r uniformly from [0, 1); the word is w if r < accept[w], else
    alias[w]. Exact, and O(1) per draw (inverse-CDF search is O(log V)). Shapes (V,), (V,).
    """
    probs = np.asarray(probs, dtype=float)
    scaled = probs * len(probs) / probs.sum()  # mean 1
    accept, alias = np.ones(len(probs)), np.arange(len(probs))
    small = [w for w in range(len(probs)) if scaled[w] < 1.0]
    large = [w for w in range(len(probs)) if scaled[w] >= 1.0]
    while small and large:
        low, high = small.pop(), large.pop()
        accept[low], alias[low] = scaled[low], high  # low's column: itself, topped up by high
        scaled[high] -= 1.0 - scaled[low]
        (small if scaled[high] < 1.0 else large).append(high)
    return accept, alias  # columns left over hold exactly 1 (up to rounding): accept stays 1


def _draw_noise(rng: np.random.Generator, accept: np.ndarray, alias: np.ndarray, shape) -> np.ndarray:
    """Return words (int64) drawn from the distribution of _noise_table's (accept, alias), of ``shape``.

    One uniform number x in [0, V) per draw: its integer part picks the column w, its fractional
    part decides between w (if < accept[w]) and alias[w].
    """
    x = rng.random(shape) * len(accept)
    column = x.astype(np.int32)  # int32: half the memory traffic of int64 on millions of draws
    x -= column  # fractional part, uniform in [0, 1)
    return np.where(x < accept[column], column, alias[column])


def sgns_loss_and_grads(v_c: np.ndarray, u_o: np.ndarray, u_neg: np.ndarray):
    """Return (loss, grad_v_c, grad_u_o, grad_u_neg) of SGNS summed over a batch of pairs.

    L = Σ_batch [−log σ(u_o·v_c) − Σ_k log σ(−u_{n_k}·v_c)]. Shapes: v_c, u_o (B, D); u_neg
    (B, K, D). Gradients: ∂L/∂v_c = (σ(u_o·v_c) − 1) u_o + Σ_k σ(u_{n_k}·v_c) u_{n_k};
    ∂L/∂u_o = (σ(u_o·v_c) − 1) v_c; ∂L/∂u_{n_k} = σ(u_{n_k}·v_c) v_c.
    """
    v_c = check_array("v_c", v_c, ndim=2, allow_empty=False)  # (B, D)
    u_o = check_array("u_o", u_o, ndim=2, allow_empty=False)  # (B, D)
    u_neg = check_array("u_neg", u_neg, ndim=3, allow_empty=False)  # (B, K, D)
    if u_o.shape != v_c.shape:
        raise ValueError(f"u_o must have the shape of v_c (B, D) = {v_c.shape}, got {u_o.shape}")
    if u_neg.shape[0] != v_c.shape[0] or u_neg.shape[2] != v_c.shape[1]:
        raise ValueError(f"u_neg must have shape (B, K, D) with (B, D) = {v_c.shape} from v_c, got {u_neg.shape}")
    pos = np.einsum("bd,bd->b", u_o, v_c)  # (B,)
    neg = np.einsum("bkd,bd->bk", u_neg, v_c)  # (B, K)
    loss = np.logaddexp(0.0, -pos).sum() + np.logaddexp(0.0, neg).sum()  # −log σ(x) = log(1+e^−x)
    g_pos = _sigmoid(pos) - 1.0  # (B,) ∂L/∂(u_o·v_c)
    g_neg = _sigmoid(neg)  # (B, K) ∂L/∂(u_n·v_c)
    grad_v = g_pos[:, None] * u_o + np.einsum("bk,bkd->bd", g_neg, u_neg)  # (B, D)
    return float(loss), grad_v, g_pos[:, None] * v_c, g_neg[:, :, None] * v_c[:, None, :]


def _sgns_step(v: np.ndarray, u: np.ndarray, centres: np.ndarray, targets: np.ndarray,
              lr: float) -> float:
    """Take one SGD step on L summed over a batch, updating v and u in place; return that sum.

    centres (B,) are the words c; targets (B, 1 + K) hold o in column 0 and n_1..n_K after it.
    The same step as sgns_loss_and_grads followed by v_c −= lr ∂L/∂v_c, u_w −= lr ∂L/∂u_w (summed
    where a word repeats; the tests prove it), but faster: with s = u_w·v_c and ∂L/∂s = σ(s) − 1
    for w = o, σ(s) for a negative, the (B, 1 + K, D) gradient of u is never formed. Both
    gradients are taken before either table changes, so ``u`` may be ``v`` itself (one table).
    """
    v_c, u_t = v[centres], u[targets]  # (B, D), (B, 1 + K, D)
    scores = np.einsum("bkd,bd->bk", u_t, v_c)  # (B, 1 + K)
    loss = np.logaddexp(0.0, -scores[:, 0]).sum() + np.logaddexp(0.0, scores[:, 1:]).sum()
    step = _sigmoid(scores)  # (B, 1 + K) ∂L/∂s ...
    step[:, 0] -= 1.0
    step *= -lr  # ... times −lr
    delta_v = np.einsum("bk,bkd->bd", step, u_t)  # (B, D) −lr ∂L/∂v_c
    unique, spread = _summing_matrix(targets, len(u), step)  # (U, B): −lr ∂L/∂s to each word
    u[unique] += spread @ v_c  # −lr Σ ∂L/∂s v_c per context or negative word
    _scatter_add(v, centres, delta_v)
    return float(loss)


@dataclass(frozen=True)
class SGNSConfig:
    """Hyperparameters of skip-gram with negative sampling (names as in gensim's Word2Vec)."""

    vector_size: int = 50  # D, the length of each word vector
    window: int = 5  # largest distance between centre and context word
    negative: int = 5  # K, negative words per (centre, context) pair
    min_count: int = 5  # words seen fewer times are dropped from the vocabulary
    sample: float = 1e-3  # subsampling threshold for frequent words (0 = off)
    epochs: int = 3  # passes over the corpus
    alpha: float = 0.025  # learning rate at the start; decays linearly ...
    min_alpha: float = 1e-4  # ... to this at the end
    batch_size: int = 1024  # (centre, context) pairs per NumPy update
    shuffle: bool = True  # shuffle each epoch's pairs; False keeps text order, as gensim does
    one_table: bool = False  # True: the seed's formula, v also serves as u (shows why u is needed)
    ns_exponent: float = 0.75  # negatives drawn from unigram counts ** ns_exponent
    seed: int = 0  # seeds the initial vectors, subsampling, windows and negatives

    def __post_init__(self):
        for name, maximum in (("vector_size", MAX_WIDTH), ("window", MAX_WINDOW), ("negative", MAX_NEGATIVE),
                              ("min_count", None), ("epochs", MAX_STEPS), ("batch_size", MAX_BATCH)):
            check_int(name, getattr(self, name), minimum=1, maximum=maximum)
        check_int("seed", self.seed, minimum=0)
        check_bool("shuffle", self.shuffle)
        check_bool("one_table", self.one_table)
        check_float("sample", self.sample, minimum=0.0)
        check_float("alpha", self.alpha, minimum=0.0, min_inclusive=False)
        check_float("min_alpha", self.min_alpha, minimum=0.0, maximum=self.alpha)
        check_float("ns_exponent", self.ns_exponent)


@dataclass(frozen=True)
class SGNSResult:
    """What train_sgns returns: the centre vectors, the context vectors and the training log."""

    embeddings: Embeddings  # centre vectors v, the usual word vectors
    context_vectors: np.ndarray  # (V, D) context (output) vectors u
    losses: tuple[float, ...]  # mean loss per pair, one per epoch
    seconds: float  # training time (without building the vocabulary)

    def __post_init__(self):
        check_type("embeddings", self.embeddings, Embeddings)
        vectors = check_array("context_vectors", self.context_vectors, ndim=2)
        if vectors.shape[0] != len(self.embeddings):
            raise ValueError(f"context_vectors must have one row per word ({len(self.embeddings)}), got {vectors.shape}")
        _check_losses("losses", self.losses)
        check_float("seconds", self.seconds, minimum=0.0)


def train_sgns(sentences: Sequence[Sequence[str]], config: SGNSConfig = SGNSConfig()) -> SGNSResult:
    """Return SGNSResult after training skip-gram with negative sampling by mini-batch SGD.

    Each epoch subsamples frequent words, takes all pairs in reduced windows, shuffles them
    (``shuffle=False``: text order, centre by centre), draws K negatives per pair from
    P_n(w) ∝ count(w)^0.75 and, per batch of B pairs, takes one SGD step on L (_sgns_step) with
    rate α decaying linearly from alpha to min_alpha. Initial v uniform in ±0.5/D, u zero (as
    word2vec's C code); with ``one_table`` u is v, so each step updates the one table in both
    roles. Deterministic for a given seed.
    """
    check_type("config", config, SGNSConfig)
    sentences = check_sentences("sentences", sentences)
    words, counts = build_vocab(sentences, config.min_count)
    ids, sids = encode(sentences, words)
    rng = np.random.default_rng(config.seed)
    size, dim, k = len(words), config.vector_size, config.negative
    v = ((rng.random((size, dim)) - 0.5) / dim).astype(np.float32)  # (V, D) centre vectors
    u = v if config.one_table else np.zeros((size, dim), dtype=np.float32)  # (V, D) context vectors
    accept, alias = _noise_table(counts.astype(float) ** config.ns_exponent)  # P_n ∝ count^0.75
    keep = keep_probabilities(counts, config.sample)
    losses = []
    start = time.perf_counter()
    for epoch in range(config.epochs):
        kept = rng.random(len(ids)) < keep[ids]  # (T,) subsampling
        kept_ids = ids[kept]
        at, near = _skipgram_pairs(np.arange(len(kept_ids)), sids[kept], config.window, rng)  # positions
        order = rng.permutation(len(at)) if config.shuffle else np.argsort(at, kind="stable")
        centres = kept_ids[at[order]]  # (P,)
        targets = np.column_stack([kept_ids[near[order]], _draw_noise(rng, accept, alias, (len(order), k))])
        total, n_batches = 0.0, max(1, -(-len(centres) // config.batch_size))  # targets (P, 1 + K)
        for b in range(n_batches):
            progress = (epoch + b / n_batches) / config.epochs
            lr = np.float32(config.alpha - (config.alpha - config.min_alpha) * progress)
            batch = slice(b * config.batch_size, (b + 1) * config.batch_size)  # B pairs
            total += _sgns_step(v, u, centres[batch], targets[batch], lr)
        losses.append(total / max(len(centres), 1))
    return SGNSResult(Embeddings(words, v), u, tuple(losses), time.perf_counter() - start)


def keras_embedding(embeddings: Any, *, trainable: bool = False, name: str | None = None):
    """Return a ``keras.layers.Embedding`` whose row i is the vector of word i of ``embeddings``.

    ``embeddings`` is Embeddings or a gensim KeyedVectors; token id i means ``words[i]``, so build
    the model's vocabulary in the same order. ``trainable=False`` freezes the vectors.
    """
    check_bool("trainable", trainable)
    if name is not None:
        check_str("name", name, allow_empty=False)
    table = _as_embeddings("embeddings", embeddings).vectors
    import keras  # deferred: importing Keras starts TensorFlow

    layer = keras.layers.Embedding(table.shape[0], table.shape[1], trainable=trainable, name=name,
                                   embeddings_initializer=keras.initializers.Constant(table))
    layer.build((None,))
    return layer
