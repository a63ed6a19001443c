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

from lmtutor._validate import check_float, check_int, check_sentences, check_type
from lmtutor.embeddings import Embeddings, build_vocab, encode


def cooccurrence(ids: np.ndarray, sentence_ids: np.ndarray, vocab_size: int, window: int):
    """Return X as (rows, cols, counts): X_ij = Σ 1/d over word j at distance d ≤ window of word i.

    Counted symmetrically (both sides) within a sentence, as in the GloVe paper; only nonzero
    entries are returned, shapes (nnz,) each.
    """
    window = check_int("window", window, minimum=1)
    rows, cols, weights = [], [], []
    for d in range(1, window + 1):
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
    """Return f(x) = (x / x_max)^α where x < x_max, else 1 (same shape as x)."""
    x = np.asarray(x, dtype=float)
    return np.where(x < x_max, (x / x_max) ** alpha, 1.0)


def glove_loss(w, w_tilde, b, b_tilde, rows, cols, counts, x_max=100.0, alpha=0.75) -> float:
    """Return J = Σ f(X_ij) (w_i·w̃_j + b_i + b̃_j − log X_ij)² over the given nonzero entries.

    Shapes: w, w_tilde (V, D); b, b_tilde (V,); rows, cols, counts (nnz,).
    """
    diff = (np.einsum("nd,nd->n", w[rows], w_tilde[cols]) + b[rows] + b_tilde[cols]
            - np.log(counts))  # (nnz,)
    return float(np.sum(weighting(counts, x_max, alpha) * diff ** 2))


@dataclass(frozen=True)
class GloVeConfig:
    """Hyperparameters of GloVe (defaults as in the paper, except the size of the run)."""

    vector_size: int = 50  # D, the length of each word vector
    window: int = 10  # count words up to this distance, weighted 1/distance
    min_count: int = 5  # words seen fewer times are dropped from the vocabulary
    x_max: float = 100.0  # counts at or above x_max get full weight f = 1
    alpha: float = 0.75  # exponent of the weighting function f
    learning_rate: float = 0.05  # AdaGrad's initial step size η
    epochs: int = 10  # passes over the nonzero entries of X
    batch_size: int = 4096  # nonzero entries per NumPy update
    seed: int = 0  # seeds the initial vectors and the order of entries

    def __post_init__(self):
        for name in ("vector_size", "window", "min_count", "epochs", "batch_size"):
            check_int(name, getattr(self, name), minimum=1)
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


def _adagrad(param, grad_sq, index, grad, lr):
    """Apply AdaGrad in place to rows ``index`` of ``param``: G += g²; θ −= η g / √G."""
    unique, inverse = np.unique(index, return_inverse=True)
    summing = scipy.sparse.csr_matrix((np.ones(len(index)), (inverse, np.arange(len(index)))),
                                      shape=(len(unique), len(index)))
    g = summing @ grad  # (U, D) or (U,) gradient summed over repeated rows
    grad_sq[unique] += g ** 2
    param[unique] -= lr * g / np.sqrt(grad_sq[unique])


def train_glove(sentences: Sequence[Sequence[str]], config: GloVeConfig = GloVeConfig()) -> GloVeResult:
    """Return GloVeResult after minimising J with AdaGrad over shuffled mini-batches of X_ij.

    Per entry, with diff = w_i·w̃_j + b_i + b̃_j − log X_ij: ∂J/∂w_i = 2 f(X_ij) diff w̃_j,
    ∂J/∂w̃_j = 2 f diff w_i, ∂J/∂b_i = ∂J/∂b̃_j = 2 f diff. Initial vectors uniform in
    ±0.5/D and squared-gradient sums 1, as in the reference C implementation.
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
    params = {"w": (rng.random((size, dim)) - 0.5) / dim, "w_tilde": (rng.random((size, dim)) - 0.5) / dim,
              "b": np.zeros(size), "b_tilde": np.zeros(size)}
    grad_sq = {name: np.ones_like(p) for name, p in params.items()}
    weights, log_counts = weighting(counts, config.x_max, config.alpha), np.log(counts)  # (nnz,)
    w, w_t, b, b_t = params["w"], params["w_tilde"], params["b"], params["b_tilde"]
    losses = []
    for _ in range(config.epochs):
        order = rng.permutation(len(counts))
        for first in range(0, len(order), config.batch_size):
            batch = order[first:first + config.batch_size]
            i, j = rows[batch], cols[batch]  # (B,)
            wi, wj = w[i], w_t[j]  # (B, D)
            diff = np.einsum("bd,bd->b", wi, wj) + b[i] + b_t[j] - log_counts[batch]  # (B,)
            g = 2.0 * weights[batch] * diff  # (B,) ∂J/∂(w_i·w̃_j)
            _adagrad(w, grad_sq["w"], i, g[:, None] * wj, config.learning_rate)
            _adagrad(w_t, grad_sq["w_tilde"], j, g[:, None] * wi, config.learning_rate)
            _adagrad(b, grad_sq["b"], i, g, config.learning_rate)
            _adagrad(b_t, grad_sq["b_tilde"], j, g, config.learning_rate)
        losses.append(glove_loss(w, w_t, b, b_t, rows, cols, counts, config.x_max, config.alpha))
    params.update(rows=rows, cols=cols, counts=counts)
    return GloVeResult(Embeddings(words, w + w_t), params, tuple(losses), time.perf_counter() - start)
