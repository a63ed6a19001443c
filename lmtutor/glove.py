"""GloVe in NumPy: co-occurrence counts, the weighted least-squares objective, AdaGrad training.

GloVe (Pennington, Socher, Manning 2014) fits word vectors w, context vectors w̃ and biases b, b̃
to the logarithm of the co-occurrence counts X::

    result = train_glove(sentences, GloVeConfig(vector_size=50, epochs=10))
    result.embeddings            # w + w̃, ready for lmtutor.evaluation
    result.losses                # J after each epoch: falls as training proceeds

J = Σ_{i,j: X_ij > 0} f(X_ij) (w_i·w̃_j + b_i + b̃_j − log X_ij)², f(x) = (x / x_max)^α if
x < x_max else 1 (α = 3/4, x_max = 100 in the paper).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse

from lmtutor._validate import (
    MAX_STEPS, MAX_VOCAB, MAX_WIDTH, check_array, check_float, check_ids, check_int, check_sentences, check_type,
)
from lmtutor.embeddings import (
    MAX_BATCH, MAX_WINDOW, Embeddings, _check_losses, _summing_matrix, build_vocab, encode,
)


def cooccurrence(ids: np.ndarray, sentence_ids: np.ndarray, vocab_size: int, window: int):
    """Return X as (rows, cols, counts): X_ij = Σ 1/d over word j at distance d ≤ window of word i.

    Counted symmetrically (both sides) within a sentence, as in the GloVe paper; only nonzero
    entries are returned, shapes (nnz,) each. ``ids`` and ``sentence_ids`` (T,) are what
    ``embeddings.encode`` returns: ids in [0, vocab_size), sentence numbers in increasing order.
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=1, maximum=MAX_VOCAB)
    ids = check_ids("ids", ids, vocab_size, allow_empty=True)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D (T,), got shape {ids.shape}")
    sentence_ids = check_ids("sentence_ids", sentence_ids, 2**62, allow_empty=True)
    if sentence_ids.shape != ids.shape:
        raise ValueError(f"sentence_ids must have the shape of ids {ids.shape} (one sentence number per id), "
                         f"got {sentence_ids.shape}")
    if np.any(np.diff(sentence_ids) < 0):
        raise ValueError("sentence_ids must not decrease: a sentence's words are consecutive (embeddings.encode)")
    window = check_int("window", window, minimum=1)
    rows, cols, weights = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    for d in range(1, min(window, len(ids) - 1) + 1):  # no pair is farther apart than the text is long
        same = sentence_ids[:-d] == sentence_ids[d:]  # (T-d,)
        left, right = ids[:-d][same], ids[d:][same]
        rows += [left, right]
        cols += [right, left]
        weights += [np.full(2 * len(left), 1.0 / d)]
    matrix = scipy.sparse.coo_matrix(
        (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
        shape=(vocab_size, vocab_size)).tocsr().tocoo()  # tocsr sums repeated (i, j)
    return matrix.row.astype(np.int64), matrix.col.astype(np.int64), matrix.data


def weighting(x: np.ndarray, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """Return f(x) = (x / x_max)^α where x < x_max, else 1 (same shape as x); x are counts >= 0."""
    x = check_array("x", x)
    if np.any(x < 0):
        raise ValueError(f"x must hold co-occurrence counts >= 0, got {x[x < 0].flat[0]:g}")
    return _weighting(x, check_float("x_max", x_max, minimum=0.0, min_inclusive=False),
                      check_float("alpha", alpha, minimum=0.0))


def _weighting(x: np.ndarray, x_max: float, alpha: float) -> np.ndarray:
    return np.where(x < x_max, (x / x_max) ** alpha, 1.0)


def glove_loss(w, w_tilde, b, b_tilde, rows, cols, counts, x_max=100.0, alpha=0.75) -> float:
    """Return J = Σ f(X_ij) (w_i·w̃_j + b_i + b̃_j − log X_ij)² over the given nonzero entries.

    Shapes: w, w_tilde (V, D); b, b_tilde (V,); rows, cols, counts (nnz,). Computed in float64,
    8,192 entries at a time (small blocks stay in the CPU cache: 5x faster than 65,536).
    """
    w = check_array("w", w, ndim=2, allow_empty=False)  # (V, D)
    size = len(w)
    w_tilde = check_array("w_tilde", w_tilde, ndim=2)
    if w_tilde.shape != w.shape:
        raise ValueError(f"w_tilde must have the shape of w (V, D) = {w.shape}, got {w_tilde.shape}")
    b, b_tilde = check_array("b", b, ndim=1), check_array("b_tilde", b_tilde, ndim=1)
    for name, bias in (("b", b), ("b_tilde", b_tilde)):
        if bias.shape != (size,):
            raise ValueError(f"{name} must have one bias per row of w: shape ({size},), got {bias.shape}")
    rows = check_ids("rows", rows, size, allow_empty=True)
    if rows.ndim != 1:
        raise ValueError(f"rows must be 1-D (nnz,), got shape {rows.shape}")
    cols = check_ids("cols", cols, size, allow_empty=True)
    counts = check_array("counts", counts, ndim=1)
    for name, array in (("cols", cols), ("counts", counts)):
        if array.shape != rows.shape:
            raise ValueError(f"{name} must have one entry per entry of rows: shape {rows.shape}, got {array.shape}")
    if np.any(counts <= 0):
        raise ValueError(f"counts must hold the nonzero co-occurrence counts X_ij > 0, got {counts[counts <= 0][0]:g}")
    x_max = check_float("x_max", x_max, minimum=0.0, min_inclusive=False)
    alpha = check_float("alpha", alpha, minimum=0.0)
    return _glove_loss(w, w_tilde, b, b_tilde, rows, cols, counts, x_max, alpha)


def _glove_loss(w, w_tilde, b, b_tilde, rows, cols, counts, x_max, alpha) -> float:
    """Return J (the kernel of glove_loss, on checked arrays)."""
    total = 0.0
    for first in range(0, len(counts), 8192):
        block = slice(first, first + 8192)
        i, j, x = rows[block], cols[block], counts[block]
        diff = (np.einsum("nd,nd->n", w[i], w_tilde[j], dtype=float) + b[i].astype(float)
                + b_tilde[j] - np.log(x))  # (n,)
        total += float(_weighting(x, x_max, alpha) @ (diff * diff))
    return total


@dataclass(frozen=True)
class GloVeConfig:
    """Hyperparameters of GloVe (defaults as in the paper, except the size of the run)."""

    vector_size: int = 50  # D, the length of each word vector
    window: int = 10  # count words up to this distance, weighted 1/distance
    min_count: int = 5  # words seen fewer times are dropped from the vocabulary
    x_max: float = 100.0  # counts at or above x_max get full weight f = 1
    alpha: float = 0.75  # exponent of the weighting function f
    learning_rate: float = 0.05  # AdaGrad's step size η; the paper's value is for one entry per
    # step, and a batched step moves each word once per batch: notebook 02 uses 0.3
    epochs: int = 10  # passes over the nonzero entries of X
    batch_size: int = 4096  # nonzero entries per NumPy update
    seed: int = 0  # seeds the initial vectors and the order of entries

    def __post_init__(self):
        for name, maximum in (("vector_size", MAX_WIDTH), ("window", MAX_WINDOW), ("min_count", None),
                              ("epochs", MAX_STEPS), ("batch_size", MAX_BATCH)):
            check_int(name, getattr(self, name), minimum=1, maximum=maximum)
        check_int("seed", self.seed, minimum=0)
        check_float("x_max", self.x_max, minimum=0.0, min_inclusive=False)
        check_float("alpha", self.alpha, minimum=0.0)
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)


@dataclass(frozen=True)
class GloVeResult:
    """What train_glove returns: the vectors w + w̃, the parts, and J after each epoch."""

    embeddings: Embeddings  # w + w̃, the vectors the paper evaluates
    parameters: dict  # "w", "w_tilde" (V, D); "b", "b_tilde" (V,); "rows", "cols", "counts" (X)
    losses: tuple[float, ...]  # J over all nonzero X_ij after each epoch
    seconds: float  # training time, counting X included

    def __post_init__(self):
        check_type("embeddings", self.embeddings, Embeddings)
        check_type("parameters", self.parameters, dict)
        _check_losses("losses", self.losses)
        check_float("seconds", self.seconds, minimum=0.0)


def _adagrad(table, grad_sq, index, g, other, lr) -> None:
    """Apply AdaGrad in place to rows ``index`` of ``table``: G += g²; θ −= η g / √G.

    The gradient of row index[n] is g[n] · other[n] (other (B, D + 1): the partner's vector with
    1 in the bias column), summed over the entries of the batch that share the row.
    """
    unique, spread = _summing_matrix(index[:, None], len(table), g[:, None])
    grad = spread @ other  # (U, D + 1) ∂J/∂[w, b] per distinct row
    grad_sq[unique] += grad * grad
    table[unique] -= lr * grad / np.sqrt(grad_sq[unique])


def train_glove(sentences: Sequence[Sequence[str]], config: GloVeConfig = GloVeConfig()) -> GloVeResult:
    """Return GloVeResult after minimising J with AdaGrad over shuffled mini-batches of X_ij.

    Per entry, with diff = w_i·w̃_j + b_i + b̃_j − log X_ij: ∂J/∂w_i = 2 f(X_ij) diff w̃_j,
    ∂J/∂w̃_j = 2 f diff w_i, ∂J/∂b_i = ∂J/∂b̃_j = 2 f diff; a batch sums them per word and takes
    one AdaGrad step. Initial vectors uniform in ±0.5/D, biases 0 and squared-gradient sums 1, as
    in the reference C implementation. Parameters are float32; J is summed in float64.
    """
    check_type("config", config, GloVeConfig)
    sentences = check_sentences("sentences", sentences)
    start = time.perf_counter()
    words, _ = build_vocab(sentences, config.min_count)
    ids, sids = encode(sentences, words)
    rows, cols, counts = cooccurrence(ids, sids, len(words), config.window)
    if len(counts) == 0:
        raise ValueError("sentences has no two in-vocabulary words within a window: nothing to fit")
    rng = np.random.default_rng(config.seed)
    size, dim = len(words), config.vector_size
    # (V, D + 1) each: the vectors w (w̃) in columns 0..D-1 and the bias b (b̃) in column D
    table = np.zeros((size, dim + 1), dtype=np.float32)
    table_tilde = np.zeros((size, dim + 1), dtype=np.float32)
    table[:, :dim] = (rng.random((size, dim)) - 0.5) / dim
    table_tilde[:, :dim] = (rng.random((size, dim)) - 0.5) / dim
    grad_sq, grad_sq_tilde = np.ones_like(table), np.ones_like(table_tilde)
    weights = _weighting(counts, config.x_max, config.alpha).astype(np.float32)  # (nnz,) f(X_ij)
    log_counts = np.log(counts).astype(np.float32)  # (nnz,)
    lr = np.float32(config.learning_rate)
    w, w_t, b, b_t = table[:, :dim], table_tilde[:, :dim], table[:, dim], table_tilde[:, dim]  # views
    losses = []
    for _ in range(config.epochs):
        order = rng.permutation(len(counts))
        for first in range(0, len(order), config.batch_size):
            batch = order[first:first + config.batch_size]
            i, j = rows[batch], cols[batch]  # (B,)
            wi, wj = table[i], table_tilde[j]  # (B, D + 1) copies: vector and bias
            diff = (np.einsum("bd,bd->b", wi[:, :dim], wj[:, :dim]) + wi[:, dim] + wj[:, dim]
                    - log_counts[batch])  # (B,)
            g = 2.0 * weights[batch] * diff  # (B,) ∂J/∂(w_i·w̃_j) = ∂J/∂b_i = ∂J/∂b̃_j
            wi[:, dim], wj[:, dim] = 1.0, 1.0  # so the bias column of g · partner is g
            _adagrad(table, grad_sq, i, g, wj, lr)
            _adagrad(table_tilde, grad_sq_tilde, j, g, wi, lr)
        losses.append(_glove_loss(w, w_t, b, b_t, rows, cols, counts, config.x_max, config.alpha))
    params = {"w": w, "w_tilde": w_t, "b": b, "b_tilde": b_t, "rows": rows, "cols": cols,
              "counts": counts}
    return GloVeResult(Embeddings(words, w + w_t), params, tuple(losses), time.perf_counter() - start)
