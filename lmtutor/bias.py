"""Bias in word vectors (notebook 14): WEAT, debiasing by projection, and the check that it is not enough.

The Word Embedding Association Test (WEAT, Caliskan, Bryson and Narayanan 2017) asks whether two
sets of target words X, Y (flowers, insects) differ in how close they sit to two sets of attribute
words A, B (pleasant, unpleasant). With cos the cosine similarity,

    s(w, A, B) = mean_{a in A} cos(w, a) − mean_{b in B} cos(w, b)
    effect size d = (mean_{x in X} s(x, A, B) − mean_{y in Y} s(y, A, B)) / std_{w in X ∪ Y} s(w, A, B)
    p = Pr_i[S(X_i, Y_i) > S(X, Y)],  S(X, Y) = Σ_x s(x, A, B) − Σ_y s(y, A, B),

the std with ddof = 1 (the sample standard deviation) and (X_i, Y_i) every split of X ∪ Y into
sets of the sizes of X and Y (exact), or random splits when there are too many (a permutation test)::

    result = weat(vectors, flowers, insects, pleasant, unpleasant, seed=0)
    result.effect_size, result.p_value, result.interval      # d, p, a 95% bootstrap interval of d
    result.missing                                            # the words the vectors lack
    unit = neutralize(vectors.vectors, bias_direction(pair_vectors))   # Bolukbasi et al. 2016

Debiasing by projection (Bolukbasi et al. 2016) removes the component along a bias direction g;
Gonen and Goldberg 2019 show that the words' neighbourhoods still give their old bias away
(:func:`cluster_accuracy`, :func:`neighbour_agreement`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from lmtutor._validate import _show, check_array, check_bool, check_choice, check_float, check_int, check_token_list, check_type
from lmtutor.embeddings import _as_embeddings

MAX_EXACT = 1_000_000  # splits enumerated at most for an exact p-value
MAX_PERMUTATIONS = 1_000_000  # random splits at most


def _unit_rows(name: str, vectors: Any) -> np.ndarray:
    """Return the rows of a 2-D array scaled to length 1, raising for a zero row."""
    array = check_array(name, vectors, ndim=2, allow_empty=False)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    if (norms == 0).any():
        raise ValueError(f"{name} must not hold an all-zero vector (its cosine is undefined), row "
                         f"{int(np.flatnonzero(norms[:, 0] == 0)[0])}")
    return array / norms


def _sets(X: Any, Y: Any, A: Any, B: Any, names: str = "XYAB") -> tuple[np.ndarray, ...]:
    arrays = [_unit_rows(name, value) for name, value in zip(names, (X, Y, A, B))]
    widths = {array.shape[1] for array in arrays}
    if len(widths) != 1:
        raise ValueError(f"{', '.join(dict.fromkeys(names))} must hold vectors of one length, got lengths "
                         f"{[array.shape[1] for array in arrays]}")
    return tuple(arrays)


def association(W: Any, A: Any, B: Any) -> np.ndarray:
    """Return s(w, A, B) = mean_a cos(w, a) − mean_b cos(w, b) for each row w of ``W`` (shape (len(W),))."""
    W, _, A, B = _sets(W, W, A, B, names="WWAB")
    return (W @ A.T).mean(axis=1) - (W @ B.T).mean(axis=1)


def _effect(s: np.ndarray, size_x: int) -> float:
    spread = float(np.std(s, ddof=1))
    if spread == 0:
        raise ValueError("every target word has the same association s(w, A, B): the effect size is undefined")
    return float((s[:size_x].mean() - s[size_x:].mean()) / spread)


def weat_effect_size(X: Any, Y: Any, A: Any, B: Any) -> float:
    """Return WEAT's effect size d = (mean_x s(x) − mean_y s(y)) / std_{w in X ∪ Y} s(w) (ddof = 1).

    X, Y, A, B are arrays (n, D) of word vectors, one row per word; d lies in [−2, 2] for
    |X| = |Y| (Caliskan et al. 2017): positive when X sits closer to A and Y closer to B.
    """
    X, Y, A, B = _sets(X, Y, A, B)
    if len(X) + len(Y) < 3:
        raise ValueError("X and Y must hold at least 3 words together (a standard deviation over X ∪ Y)")
    return _effect(association(np.vstack([X, Y]), A, B), len(X))


def weat_p_value(X: Any, Y: Any, A: Any, B: Any, *, permutations: int = 100_000, seed: int = 0) -> float:
    """Return the one-sided permutation p-value Pr_i[S(X_i, Y_i) > S(X, Y)] of WEAT.

    S(X, Y) = Σ_x s(x, A, B) − Σ_y s(y, A, B); (X_i, Y_i) runs over every split of X ∪ Y into sets of
    sizes |X| and |Y| when there are at most ``permutations`` of them (exact; the observed split is
    one of them), else over ``permutations`` random splits drawn with ``np.random.default_rng(seed)``.
    """
    X, Y, A, B = _sets(X, Y, A, B)
    permutations = check_int("permutations", permutations, minimum=1, maximum=MAX_PERMUTATIONS)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    s = association(np.vstack([X, Y]), A, B)
    total, n = s.sum(), len(s)
    observed = 2 * s[:len(X)].sum() - total  # Σ_x s − Σ_y s = Σ_x s − (total − Σ_x s)
    tolerance = 1e-12 * max(1.0, float(np.abs(s).sum()))  # equal sums computed in another order are ties
    if math.comb(n, len(X)) <= min(permutations, MAX_EXACT):
        subsets = np.array(list(itertools.combinations(range(n), len(X))), dtype=np.int64).reshape(-1, len(X))
        stats = 2 * s[subsets].sum(axis=1) - total
    else:
        subsets = np.argsort(rng.random((permutations, n)), axis=1)[:, :len(X)]
        stats = 2 * s[subsets].sum(axis=1) - total
    return float(np.mean(stats > observed + tolerance))


def weat_interval(X: Any, Y: Any, A: Any, B: Any, *, samples: int = 1_000, level: float = 0.95,
                  seed: int = 0) -> tuple[float, float]:
    """Return a bootstrap interval (low, high) of the effect size over the choice of target words.

    Each of ``samples`` draws resamples the rows of X and of Y with replacement (A and B fixed) and
    recomputes d; the interval holds the central ``level`` share of the draws (percentile bootstrap,
    draws whose s values are all equal skipped).
    """
    X, Y, A, B = _sets(X, Y, A, B)
    samples = check_int("samples", samples, minimum=10, maximum=MAX_PERMUTATIONS)
    level = check_float("level", level, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    s_x, s_y = association(X, A, B), association(Y, A, B)
    draws = np.hstack([s_x[rng.integers(0, len(s_x), (samples, len(s_x)))],
                       s_y[rng.integers(0, len(s_y), (samples, len(s_y)))]])  # (samples, |X| + |Y|)
    spread = draws.std(axis=1, ddof=1)
    keep = spread > 0
    if not keep.any():
        raise ValueError("every bootstrap draw has equal associations: the interval is undefined")
    d = (draws[keep, :len(s_x)].mean(axis=1) - draws[keep, len(s_x):].mean(axis=1)) / spread[keep]
    low, high = np.quantile(d, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


@dataclass(frozen=True)
class WEATResult:
    """One WEAT on one set of vectors: effect size, p-value, and which words were found."""

    effect_size: float  # d, in [−2, 2] for equal-sized target sets
    p_value: float  # one-sided permutation p-value
    interval: tuple[float, float]  # 95% bootstrap interval of the effect size over the target words
    sizes: tuple[int, int, int, int]  # words of X, Y, A, B found in the vectors
    missing: tuple[str, ...]  # words of X, Y, A, B (in that order) the vectors lack

    def __post_init__(self):
        check_float("effect_size", self.effect_size, minimum=-2.0, maximum=2.0)
        check_float("p_value", self.p_value, minimum=0.0, maximum=1.0)
        if not isinstance(self.interval, tuple) or len(self.interval) != 2:
            raise TypeError(f"interval must be a pair (low, high), got {_show(self.interval)}")
        low, high = (check_float("interval", v) for v in self.interval)
        if low > high:
            raise ValueError(f"interval must have low <= high, got {self.interval}")
        if not isinstance(self.sizes, tuple) or len(self.sizes) != 4:
            raise TypeError(f"sizes must be a tuple of 4 ints (words found in X, Y, A, B), got {_show(self.sizes)}")
        for i, size in enumerate(self.sizes):
            check_int(f"sizes[{i}]", size, minimum=1)
        check_type("missing", self.missing, tuple)
        check_token_list("missing", list(self.missing))


def _found(vectors, name: str, words: Any, lowercase: bool) -> tuple[list[np.ndarray], list[str]]:
    words = check_token_list(name, words, allow_empty=False)
    rows, missing = [], []
    for word in words:
        key = word.lower() if lowercase else word
        if key in vectors:
            rows.append(vectors[key])
        else:
            missing.append(word)
    return rows, missing


def weat(vectors: Any, X: Sequence[str], Y: Sequence[str], A: Sequence[str], B: Sequence[str], *,
         lowercase: bool = True, permutations: int = 100_000, seed: int = 0, min_words: int = 2) -> WEATResult:
    """Return the WEATResult of word lists X, Y (targets) and A, B (attributes) on ``vectors``.

    ``vectors`` is Embeddings or a gensim KeyedVectors; words missing from it are left out and
    listed in ``missing`` (with ``lowercase`` each word is looked up in lower case, as the course's
    corpora are). Each set must keep at least ``min_words`` words, else ValueError names it.
    """
    check_bool("lowercase", lowercase)
    vectors = _as_embeddings("vectors", vectors)
    min_words = check_int("min_words", min_words, minimum=1)
    found, missing = [], []
    for name, words in (("X", X), ("Y", Y), ("A", A), ("B", B)):
        rows, lacking = _found(vectors, name, words, bool(lowercase))
        if len(rows) < min_words:
            raise ValueError(f"{name}: only {len(rows)} of its {len(rows) + len(lacking)} words are in the vectors, "
                             f"fewer than min_words = {min_words} (missing: {lacking[:8]})")
        found.append(np.array(rows))
        missing += lacking
    return WEATResult(weat_effect_size(*found), weat_p_value(*found, permutations=permutations, seed=seed),
                      weat_interval(*found, seed=seed), tuple(len(rows) for rows in found), tuple(missing))


# ------------------------------------------------------------------------------- debiasing
def bias_direction(pairs: Any, *, method: str = "pca") -> np.ndarray:
    """Return the unit bias direction g (D,) of definitional pairs, shape (P, 2, D) (she/he, her/his, ...).

    Each vector is first scaled to length 1. ``method="pca"`` as Bolukbasi et al. 2016: each pair is
    centred on its own mean and g is the first principal direction of the 2P centred vectors, its
    sign chosen so that the first words of the pairs project higher on average. ``method="mean"``:
    g is the mean of the differences a − b scaled to length 1, which keeps every pair's sign (PCA
    ignores it, and on small corpora its first direction may set pairs against each other).
    """
    array = check_array("pairs", pairs, ndim=3, allow_empty=False)
    if array.shape[1] != 2:
        raise ValueError(f"pairs must have shape (P, 2, D): two vectors per pair, got {array.shape}")
    check_choice("method", method, ("pca", "mean"))
    unit = _unit_rows("pairs", array.reshape(-1, array.shape[2])).reshape(array.shape)
    differences = (unit[:, 0] - unit[:, 1]).mean(axis=0)  # (D,)
    if method == "mean":
        norm = np.linalg.norm(differences)
        if norm == 0:
            raise ValueError("pairs: the differences a − b cancel out, their mean is the zero vector")
        return differences / norm
    centred = (unit - unit.mean(axis=1, keepdims=True)).reshape(-1, array.shape[2])  # (2P, D)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    direction = vt[0]
    return direction if differences @ direction >= 0 else -direction


def explained_variance(pairs: Any) -> np.ndarray:
    """Return the share of variance of each principal direction of the centred pairs (P, 2, D), largest
    first: Bolukbasi et al. 2016 read a first share far above the rest as one clear bias direction."""
    array = check_array("pairs", pairs, ndim=3, allow_empty=False)
    if array.shape[1] != 2:
        raise ValueError(f"pairs must have shape (P, 2, D): two vectors per pair, got {array.shape}")
    unit = _unit_rows("pairs", array.reshape(-1, array.shape[2])).reshape(array.shape)
    centred = (unit - unit.mean(axis=1, keepdims=True)).reshape(-1, array.shape[2])
    singular = np.linalg.svd(centred, compute_uv=False)
    return singular**2 / np.sum(singular**2)


def _direction(direction: Any, width: int) -> np.ndarray:
    g = check_array("direction", direction, ndim=1, allow_empty=False)
    if len(g) != width:
        raise ValueError(f"direction must have the vectors' length {width}, got {len(g)}")
    norm = np.linalg.norm(g)
    if norm == 0:
        raise ValueError("direction must not be the zero vector")
    return g / norm


def project(vectors: Any, direction: Any) -> np.ndarray:
    """Return the projection w·g of each unit-length row w of ``vectors`` (n, D) on the unit direction g."""
    unit = _unit_rows("vectors", vectors)
    return unit @ _direction(direction, unit.shape[1])


def neutralize(vectors: Any, direction: Any) -> np.ndarray:
    """Return the rows of ``vectors`` (n, D) with the bias direction removed: w' = (w − (w·g) g) / ‖w − (w·g) g‖,
    w the row scaled to length 1 ("neutralize" of hard debiasing, Bolukbasi et al. 2016). A new array."""
    unit = _unit_rows("vectors", vectors)
    g = _direction(direction, unit.shape[1])
    return _unit_rows("vectors without the direction", unit - np.outer(unit @ g, g))


def cluster_accuracy(vectors: Any, labels: Any, *, seed: int = 0) -> float:
    """Return how well 2-means clustering of ``vectors`` (n, D) recovers the 0/1 ``labels``: the share of
    words in the cluster of their label's majority, in [0.5, 1] (Gonen and Goldberg 2019)."""
    from sklearn.cluster import KMeans

    unit = _unit_rows("vectors", vectors)
    labels = _labels(labels, len(unit))
    found = KMeans(2, n_init=10, random_state=check_int("seed", seed, minimum=0)).fit_predict(unit)
    agree = float(np.mean(found == labels))
    return max(agree, 1 - agree)


def _labels(labels: Any, n: int) -> np.ndarray:
    array = check_array("labels", labels, ndim=1)
    if len(array) != n or not np.isin(array, (0, 1)).all() or len(set(array.tolist())) != 2:
        raise ValueError(f"labels must be {n} values of 0 and 1 (both present), one per row of vectors, "
                         f"got {_show(labels)}")
    return array.astype(int)


def neighbour_agreement(vectors: Any, labels: Any, *, k: int = 10) -> float:
    """Return the mean share of each word's ``k`` nearest neighbours (cosine, among the rows of
    ``vectors``, itself excluded) that carry its own 0/1 label; 0.5 means the labels are not visible."""
    unit = _unit_rows("vectors", vectors)
    labels = _labels(labels, len(unit))
    k = check_int("k", k, minimum=1, maximum=len(unit) - 1)
    similar = unit @ unit.T
    np.fill_diagonal(similar, -np.inf)
    nearest = np.argsort(-similar, axis=1, kind="stable")[:, :k]
    return float(np.mean(labels[nearest] == labels[:, None]))
