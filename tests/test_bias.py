"""Tests for lmtutor.bias: WEAT against a hand computation and a plain-Python oracle, the exact and
sampled permutation tests, the bootstrap interval, and debiasing by projection (Bolukbasi et al.
2016) with the Gonen and Goldberg 2019 measures."""

import itertools
import math
import statistics

import numpy as np
import pytest

from lmtutor import bias
from lmtutor.embeddings import Embeddings

# The hand-computed case: A = {(1, 0)}, B = {(0, 1)}; s(w) = cos(w, a) − cos(w, b).
# x1 = (3, 0): s = 1; x2 = (0.6, 0.8): s = −0.2; y1 = (0, 2): s = −1; y2 = (0.8, 0.6): s = 0.2.
X = np.array([[3.0, 0.0], [0.6, 0.8]])
Y = np.array([[0.0, 2.0], [0.8, 0.6]])
A = np.array([[1.0, 0.0]])
B = np.array([[0.0, 1.0]])


def test_association_by_hand():
    np.testing.assert_allclose(bias.association(np.vstack([X, Y]), A, B), [1.0, -0.2, -1.0, 0.2], atol=1e-12)


def test_effect_size_by_hand():
    # means 0.4 and −0.4; s over X ∪ Y = [1, −0.2, −1, 0.2]: sample variance 2.08 / 3
    assert bias.weat_effect_size(X, Y, A, B) == pytest.approx(0.8 / math.sqrt(2.08 / 3), rel=1e-12)


def test_p_value_by_hand():
    # the 6 splits of 4 words into 2 + 2 have S = 1.6 (observed), 0, 2.4, −2.4, 0, −1.6: one is larger
    assert bias.weat_p_value(X, Y, A, B) == pytest.approx(1 / 6)
    assert bias.weat_p_value(Y, X, A, B) == pytest.approx(4 / 6)  # S = −1.6: 0, 2.4, 0, 1.6 are larger


def cos(u, v):
    return sum(a * b for a, b in zip(u, v)) / math.sqrt(sum(a * a for a in u) * sum(b * b for b in v))


def oracle(X, Y, A, B):
    """WEAT in plain Python: effect size with statistics.stdev, p-value over itertools.combinations."""
    s = lambda w: statistics.mean(cos(w, a) for a in A) - statistics.mean(cos(w, b) for b in B)  # noqa: E731
    words = [list(map(float, w)) for w in [*X, *Y]]
    values = [s(w) for w in words]
    d = (statistics.mean(values[:len(X)]) - statistics.mean(values[len(X):])) / statistics.stdev(values)
    stat = lambda xs: sum(values[i] for i in xs) - sum(values[i] for i in range(len(words)) if i not in xs)  # noqa: E731
    observed = stat(set(range(len(X))))
    splits = [stat(set(c)) for c in itertools.combinations(range(len(words)), len(X))]
    return d, sum(v > observed + 1e-9 for v in splits) / len(splits)


@pytest.mark.parametrize("seed", range(4))
def test_weat_equals_a_plain_python_oracle(seed):
    rng = np.random.default_rng(seed)
    X, Y, A, B = (rng.normal(size=(n, 5)) for n in (5 + seed % 2, 5, 4, 3))
    d, p = oracle(X, Y, A, B)
    assert bias.weat_effect_size(X, Y, A, B) == pytest.approx(d, rel=1e-9)
    assert bias.weat_p_value(X, Y, A, B) == pytest.approx(p)


def test_sampled_p_value_is_close_to_the_exact_one():
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(8, 6)) + 0.3, rng.normal(size=(8, 6))
    A, B = rng.normal(size=(6, 6)) + 0.3, rng.normal(size=(6, 6))
    exact = bias.weat_p_value(X, Y, A, B)  # C(16, 8) = 12,870 splits
    sampled = bias.weat_p_value(X, Y, A, B, permutations=5_000, seed=1)
    assert abs(sampled - exact) < 0.03
    assert bias.weat_p_value(X, Y, A, B, permutations=5_000, seed=1) == sampled  # seeded


def test_swapping_targets_or_attributes_flips_the_effect():
    d = bias.weat_effect_size(X, Y, A, B)
    assert bias.weat_effect_size(Y, X, A, B) == pytest.approx(-d)
    assert bias.weat_effect_size(X, Y, B, A) == pytest.approx(-d)


def test_interval_contains_the_effect_and_is_seeded():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(8, 4)) + [1, 0, 0, 0], rng.normal(size=(8, 4))
    A, B = rng.normal(size=(5, 4)) + [1, 0, 0, 0], rng.normal(size=(5, 4))
    low, high = bias.weat_interval(X, Y, A, B, seed=0)
    assert low < bias.weat_effect_size(X, Y, A, B) < high
    assert (low, high) == bias.weat_interval(X, Y, A, B, seed=0)
    narrow = bias.weat_interval(X, Y, A, B, level=0.5, seed=0)
    assert low < narrow[0] < narrow[1] < high


def test_weat_on_words_reports_coverage():
    words = ("rose", "tulip", "ant", "flea", "love", "peace", "filth", "death")
    rng = np.random.default_rng(0)
    vectors = Embeddings(words, rng.normal(size=(8, 4)))
    result = bias.weat(vectors, ["Rose", "Tulip", "Daisy"], ["ant", "flea"], ["love", "peace"], ["filth", "death", "agony"])
    assert result.sizes == (2, 2, 2, 2)
    assert result.missing == ("Daisy", "agony")
    X, Y = vectors.vectors[[0, 1]], vectors.vectors[[2, 3]]
    assert result.effect_size == pytest.approx(bias.weat_effect_size(X, Y, vectors.vectors[[4, 5]], vectors.vectors[[6, 7]]))
    with pytest.raises(ValueError, match="X: only 1"):
        bias.weat(vectors, ["rose"], ["ant", "flea"], ["love", "peace"], ["filth", "death"])


def test_bias_direction_recovers_a_planted_direction():
    rng = np.random.default_rng(0)
    g = np.zeros(10)
    g[3] = 1.0
    base = rng.normal(size=(6, 10))
    pairs = np.stack([base + 0.8 * g + 0.05 * rng.normal(size=(6, 10)), base - 0.8 * g], axis=1)
    for method in ("pca", "mean"):
        found = bias.bias_direction(pairs, method=method)
        assert abs(np.linalg.norm(found) - 1) < 1e-12
        assert found @ g > 0.95  # the sign points from the second word of each pair to the first
    shares = bias.explained_variance(pairs)
    assert shares[0] > 0.9 and abs(shares.sum() - 1) < 1e-12


def test_neutralize_removes_the_projection_and_nothing_else():
    rng = np.random.default_rng(1)
    vectors, g = rng.normal(size=(20, 6)), rng.normal(size=6)
    out = bias.neutralize(vectors, g)
    assert np.abs(bias.project(out, g)).max() < 1e-12
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0)
    unit_g = g / np.linalg.norm(g)
    expected = vectors - np.outer(vectors @ unit_g, unit_g)  # projection removed, then length 1
    np.testing.assert_allclose(out, expected / np.linalg.norm(expected, axis=1, keepdims=True), atol=1e-12)
    assert not np.shares_memory(out, vectors)


def test_gonen_goldberg_measures_see_bias_that_projection_leaves():
    rng = np.random.default_rng(2)
    g = np.eye(8)[0]
    other = np.eye(8)[1]  # a second direction that carries the same labels: projection on g cannot remove it
    labels = np.array([0] * 30 + [1] * 30)
    sign = np.where(labels == 1, 1.0, -1.0)[:, None]
    vectors = sign * (2 * g + 2 * other) + 0.5 * rng.normal(size=(60, 8))
    after = bias.neutralize(vectors, g)
    assert bias.cluster_accuracy(after, labels) > 0.9
    assert bias.neighbour_agreement(after, labels, k=5) > 0.9
    noise = rng.normal(size=(60, 8))
    assert bias.neighbour_agreement(noise, labels, k=5) < 0.7
    assert 0.5 <= bias.cluster_accuracy(noise, labels) < 0.8


@pytest.mark.parametrize(("call", "message"), [
    (lambda: bias.weat_effect_size(X, Y, A, np.zeros((1, 2))), "all-zero"),
    (lambda: bias.weat_effect_size(X, np.ones((2, 3)), A, B), "one length"),
    (lambda: bias.weat_effect_size(X[:1], Y[:1], A, B), "at least 3"),
    (lambda: bias.bias_direction(np.ones((2, 3, 4))), "two vectors per pair"),
    (lambda: bias.bias_direction(np.ones((2, 2, 4)), method="svd"), "method"),
    (lambda: bias.neutralize(X, np.zeros(2)), "zero vector"),
    (lambda: bias.cluster_accuracy(X, [0, 0]), "labels"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_word_list_files_match_their_data_card():
    import hashlib
    import json
    import re
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data"
    readme = (data / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"\| (\w+) \| `(data/weat/[\w.]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|", readme)
    assert {name for name, *_ in rows} == {"caliskan2017", "zh_course"}
    for name, path, size, sha256 in rows:
        raw = (data.parent / path).read_bytes()
        assert len(raw) == int(size.replace(",", "")) and hashlib.sha256(raw).hexdigest() == sha256, path
    lists = json.loads((data / "weat" / "caliskan2017.json").read_text(encoding="utf-8"))
    assert "Caliskan" in lists["source"] and "Science" in lists["source"]
    assert sorted(lists["tests"], key=lambda k: int(k[4:])) == [f"weat{i}" for i in range(1, 11)]
    assert all(len(t[role]["words"]) >= 6 for t in lists["tests"].values() for role in "XYAB")
    zh = json.loads((data / "weat" / "zh_course.json").read_text(encoding="utf-8"))
    assert all(set(roles.values()) <= set(zh["sets"]) for roles in zh["tests"].values())
