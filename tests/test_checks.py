"""Tests for lmtutor.checks: right answers pass, typical wrong answers get their specific hint."""

import math
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from lmtutor import checks
from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes,
                           assert_specific_hint, one_line)

# A check keeps the warnings of the learner's function (and of its references) from the caller:
# any warning that reaches a test is an error.
pytestmark = pytest.mark.filterwarnings("error")

# --- learner solutions, written independently of the reference solutions in lmtutor.checks -----


def char_tokens(text):
    return list("".join(text.split()))


def bigram_probability(tokens, prev, word):
    pairs = Counter(zip(tokens, tokens[1:]))
    contexts = Counter(tokens[:-1])
    return pairs[(prev, word)] / contexts[prev] if contexts[prev] else 0.0


def oov_rate(tokens, vocab):
    if not tokens:
        return 0.0
    return len([t for t in tokens if t not in vocab]) / len(tokens)


def add_k_bigram(bigram_counts, unigram_counts, prev, word, k, vocab_size):
    return (bigram_counts.get((prev, word), 0) + k) / (unigram_counts.get(prev, 0) + k * vocab_size)


def perplexity(probs):
    return math.exp(-sum(math.log(p) for p in probs) / len(probs))


CORRECT = [
    (checks.check_char_tokens, char_tokens),
    (checks.check_char_tokens, lambda text: [c for c in text if not c.isspace()]),
    (checks.check_bigram_probability, bigram_probability),
    (checks.check_oov_rate, oov_rate),
    (checks.check_add_k_bigram, add_k_bigram),
    (checks.check_perplexity, perplexity),
    (checks.check_perplexity, lambda probs: np.exp(-np.mean(np.log(probs)))),  # NumPy float64
    (checks.check_perplexity, lambda probs: 2 ** (-np.mean(np.log2(probs)))),  # base 2 throughout
]

# (check, wrong solution, a phrase only its specific hint contains)
WRONG = [
    (checks.check_char_tokens, lambda text: text.split(), "whole sentence becomes one token"),
    (checks.check_char_tokens, lambda text: list(text), "include whitespace"),
    (checks.check_char_tokens, lambda text: text.replace(" ", ""), "return a list, not a str"),
    (checks.check_char_tokens, lambda text: [c for c in text if c != " "], "full-width space"),
    (checks.check_bigram_probability,
     lambda t, p, w: Counter(zip(t, t[1:]))[(p, w)] / (len(t) - 1), "joint probability"),
    (checks.check_bigram_probability,
     lambda t, p, w: Counter(zip(t, t[1:]))[(p, w)] / t.count(w), "P(prev | word)"),
    (checks.check_bigram_probability,
     lambda t, p, w: Counter(zip(t, t[1:]))[(p, w)], "raw count"),
    (checks.check_bigram_probability,
     lambda t, p, w: Counter(zip(t, t[1:]))[(p, w)] / t.count(p) if p in t else 0.0,
     "final token has no successor"),
    (checks.check_oov_rate,
     lambda t, v: len(set(t) - set(v)) / len(set(t)) if t else 0.0, "unique tokens (types)"),
    (checks.check_oov_rate, lambda t, v: 100 * oov_rate(t, v), "not a percentage"),
    (checks.check_oov_rate, lambda t, v: 1 - oov_rate(t, v), "coverage"),
    (checks.check_add_k_bigram,
     lambda b, u, p, w, k, v: (b.get((p, w), 0) + k) / u[p], "sum to more than 1"),
    (checks.check_add_k_bigram,
     lambda b, u, p, w, k, v: (b.get((p, w), 0) + k) / (u.get(p, 0) + k), "not c(prev) + k"),
    (checks.check_add_k_bigram,
     lambda b, u, p, w, k, v: b.get((p, w), 0) / (u.get(p, 0) + k * v), "numerator too"),
    (checks.check_perplexity, lambda probs: math.exp(np.mean(np.log(probs))), "minus sign"),
    (checks.check_perplexity,
     lambda probs: math.exp(-sum(map(math.log, probs))), "must not grow with the length"),
    (checks.check_perplexity, lambda probs: 2 ** -np.mean(np.log(probs)), "mixed logarithm bases"),
    (checks.check_perplexity,
     lambda probs: math.exp(-np.mean(np.log2(probs))), "mixed logarithm bases"),
    (checks.check_perplexity, lambda probs: -np.mean(np.log(probs)), "cross-entropy"),
    (checks.check_char_tokens, lambda text: [c for c in text if c not in " \t\n\u3000"], "carriage return"),
    (checks.check_char_tokens, lambda text: list(re.sub("[ \t\n]", "", text)), "no-break space U+00A0"),
    (checks.check_bigram_probability,
     lambda t, p, w: " ".join(t).count(p + " " + w) / max(" ".join(t[:-1]).count(p), 1), "inside \"the cats\""),
    (checks.check_bigram_probability,
     lambda t, p, w: "".join(t).count(p + w) / max("".join(t[:-1]).count(p), 1), "Compare whole tokens"),
    (checks.check_perplexity, lambda probs: np.prod(probs) ** (-1 / len(probs)), "underflows to 0.0"),
]

# (check, a function that returns the answers the notebook shows, whatever its input)
HARD_CODED = [
    (checks.check_char_tokens, lambda text: ["我", "有", "一", "个", "苹", "果"]),
    (checks.check_bigram_probability, lambda t, p, w: 0.5 if (p, w) == ("有", "一") else 1.0),
    (checks.check_oov_rate, lambda t, v: 2 / 6),
    (checks.check_add_k_bigram, lambda b, u, p, w, k, v: 0.2),
    (checks.check_perplexity, lambda probs: 4.0),
]

ALL_CHECKS = [
    (checks.check_char_tokens, 1),
    (checks.check_bigram_probability, 3),
    (checks.check_oov_rate, 2),
    (checks.check_add_k_bigram, 6),
    (checks.check_perplexity, 1),
]



@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


@pytest.mark.parametrize(("check", "fn"), HARD_CODED)
def test_hard_coded_notebook_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


def test_hard_coded_answer_message_shows_the_hidden_input():
    result = checks.check_perplexity(lambda probs: 4.0)
    assert result.message.endswith("Input probs=[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] "
                                   "(not shown in the notebook): expected 10.0, got 4.0.")


def test_unknown_wrong_answer_shows_input_expected_and_given():
    result = checks.check_perplexity(lambda probs: 3.0)
    assert result.message == ("wrong answer. Input probs=[0.5, 0.25, 0.125]: "
                              "expected 4.0, got 3.0.")


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_not_implemented_says_where_to_write_code(check, arity):
    def student(*args):
        raise NotImplementedError()

    result = check(student)
    assert not result.passed
    assert result.message.startswith("not implemented yet: replace `raise NotImplementedError()`")


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_exception_is_reported_with_its_type_and_input(check, arity):
    def student(*args):
        assert len(args) == arity  # the learner's function gets exactly the documented arguments
        return 1 / 0

    result = check(student)
    assert not result.passed
    assert "your function raised ZeroDivisionError: division by zero on input" in result.message
    one_line(result)


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_non_callable_asks_for_the_function_itself(check, arity):
    result = check(0.5)
    assert not result.passed
    assert "pass the function itself, not its result" in result.message
    one_line(result)


def test_key_error_gets_a_hint_about_missing_counts():
    result = checks.check_add_k_bigram(lambda b, u, p, w, k, v: (b[(p, w)] + k) / (u[p] + k * v))
    assert "raised KeyError" in result.message and "counts.get(key, 0)" in result.message


def test_the_product_of_a_long_texts_probabilities_underflows_and_is_named():
    result = checks.check_perplexity(lambda probs: math.prod(probs) ** (-1 / len(probs)))
    assert "raised ZeroDivisionError" in result.message and "underflows to 0.0" in one_line(result)
    assert checks.check_perplexity(lambda probs: math.exp(-math.fsum(map(math.log, probs)) / len(probs))).passed


def test_system_exit_and_recursion_are_reported_not_raised():
    assert "raised SystemExit" in checks.check_perplexity(lambda probs: sys.exit(1)).message

    def forever(probs):
        return forever(probs)

    assert "raised RecursionError" in checks.check_perplexity(forever).message


def test_keyboard_interrupt_reaches_the_kernel():
    def interrupted(probs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        checks.check_perplexity(interrupted)


def test_returning_none_or_a_generator_gets_a_type_hint():
    assert "forget the return statement" in checks.check_oov_rate(lambda t, v: None).message
    result = checks.check_char_tokens(lambda text: (c for c in text if not c.isspace()))
    assert "return a list, not a generator" in result.message
    one_line(result)  # no memory address of the generator


def test_mutating_the_arguments_fails_and_does_not_change_later_checks():
    def destructive(tokens, vocab):
        rate = oov_rate(tokens, vocab)
        tokens.clear()  # a right answer, but the caller's list is gone
        vocab.clear()
        return rate

    result = checks.check_oov_rate(destructive)
    assert not result.passed
    assert "changed its argument `tokens` in place" in one_line(result)
    assert "Input tokens=['the', 'cat', 'sat', 'on', 'the', 'mat']" in result.message  # as it was passed
    assert checks.check_oov_rate(oov_rate).passed  # each call got its own copy: the cases are intact


def test_result_repr_and_html_are_one_deterministic_line():
    first = checks.check_oov_rate(lambda t, v: 0.25)
    assert repr(first) == repr(checks.check_oov_rate(lambda t, v: 0.25)) == str(first)
    assert first._repr_html_() == checks.check_oov_rate(lambda t, v: 0.25)._repr_html_()
    passed = checks.CheckResult("demo", True, "fine")
    assert repr(passed) == "PASS demo: fine"
    assert repr(checks.CheckResult("demo", False, "hint")) == "NOT YET demo: hint"
    stub = checks.check_perplexity(lambda probs: (_ for _ in ()).throw(NotImplementedError))
    assert "<code>raise NotImplementedError()</code>" in stub._repr_html_()
    assert "\n" not in stub._repr_html_()
    assert not hasattr(stub, "_repr_markdown_")  # one rich form: Jupyter shows the HTML


def test_messages_do_not_depend_on_set_order():
    # A vocab given as a set is shown sorted, so the message is the same in every Python process.
    code = ("from lmtutor import checks\n"
            "print(repr(checks.check_oov_rate(lambda t, v: 0.3)))\n")
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert "vocab={'cat', 'on', 'the'}" in outputs.pop()


# --- notebooks 03 and 04: recurrent networks (answers are NumPy arrays) -----------------------


def rnn_step(x_t, h_prev, W, U, b):
    return np.tanh(np.dot(x_t, W) + np.dot(h_prev, U) + b)


def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads]


def lstm_step(x_t, h_prev, c_prev, W, U, b):
    hidden = h_prev.shape[1]
    z = x_t @ W + h_prev @ U + b
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f = sigmoid(z[:, :hidden]), sigmoid(z[:, hidden:2 * hidden])
    g, o = np.tanh(z[:, 2 * hidden:3 * hidden]), sigmoid(z[:, 3 * hidden:])
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def chrono_bias(u):
    b_f = np.log(u)
    return np.concatenate([-b_f, b_f, np.zeros(2 * len(u))])


def clip_python_floats(grads, max_norm):  # right, except that it divides by a norm of 0
    norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads]


RNN_CORRECT = [
    (checks.check_rnn_step, rnn_step),
    (checks.check_rnn_step, lambda x, h, W, U, b: np.tanh(x @ W + h @ U + b).astype(np.float32)),
    (checks.check_clip_by_global_norm, clip_by_global_norm),
    (checks.check_clip_by_global_norm, lambda gs, c: tuple(clip_by_global_norm(gs, c))),
    (checks.check_lstm_step, lstm_step),
    (checks.check_lstm_step, lambda *a: list(lstm_step(*a))),
    (checks.check_chrono_bias, chrono_bias),
    (checks.check_chrono_bias, lambda u: list(chrono_bias(u))),
]


def _lstm_with(order="ifco", cell_tanh=True):
    def step(x_t, h_prev, c_prev, W, U, b):
        blocks = dict(zip(order, np.split(x_t @ W + h_prev @ U + b, 4, axis=1)))
        sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        c = sigmoid(blocks["f"]) * c_prev + sigmoid(blocks["i"]) * np.tanh(blocks["c"])
        return sigmoid(blocks["o"]) * (np.tanh(c) if cell_tanh else c), c
    return step


RNN_WRONG = [
    (checks.check_rnn_step, lambda x, h, W, U, b: x @ W + h @ U + b, "forgot the tanh"),
    (checks.check_rnn_step, lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), "U transposed"),
    (checks.check_rnn_step, lambda x, h, W, U, b: np.tanh(x @ W + b), "previous state"),
    (checks.check_rnn_step, lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "bias"),
    (checks.check_clip_by_global_norm,
                 lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs], "by its own norm"),
    (checks.check_clip_by_global_norm, lambda gs, c: [np.clip(g, -c, c) for g in gs], "np.clip"),
    (checks.check_clip_by_global_norm,
                 lambda gs, c: [g * c / np.sqrt(sum(np.sum(x * x) for x in gs)) for g in gs], "already small"),
    (checks.check_lstm_step, _lstm_with(order="ifoc"), "wrong order"),
    (checks.check_lstm_step, _lstm_with(cell_tanh=False), "forgot the tanh on the cell state"),
    (checks.check_lstm_step, lambda *a: lstm_step(*a)[::-1], "hidden state first"),
    (checks.check_chrono_bias, lambda u: np.concatenate([np.log(u), -np.log(u), np.zeros(2 * len(u))]),
     "blocks are swapped"),
    (checks.check_chrono_bias, lambda u: np.concatenate([-u, u, np.zeros(2 * len(u))]), "not u itself"),
    (checks.check_chrono_bias, lambda u: np.concatenate([np.log(u), np.log(u), np.zeros(2 * len(u))]),
     "opposite bias"),
    (checks.check_chrono_bias, lambda u: np.concatenate([-np.log(u), np.log(u)]), "4 blocks"),
]

RNN_HARD_CODED = [
    (checks.check_rnn_step, lambda *a: np.tanh(np.array([[0.95, -0.15]]))),
    (checks.check_clip_by_global_norm, lambda gs, c: [np.array([0.6, 0.0]), np.array([[0.0, 0.8]])]),
    (checks.check_chrono_bias, lambda u: np.array([0, -1, -np.log(10), 0, 1, np.log(10), 0, 0, 0, 0, 0, 0])),
]


# --- notebooks 05 and 06: losses, optimizers, regularization (answers are NumPy arrays) --------


def log_softmax(logits):
    z = np.asarray(logits, dtype=float)
    m = np.max(z, axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def adam_step(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m_new = beta_1 * m + (1 - beta_1) * grad
    v_new = beta_2 * v + (1 - beta_2) * grad * grad
    step = learning_rate * (m_new / (1 - beta_1 ** t)) / (np.sqrt(v_new / (1 - beta_2 ** t)) + epsilon)
    return theta - step, m_new, v_new


def dropout_forward(h, mask, rate, training):
    if not training:
        return h
    return np.where(mask == 1, h / (1 - rate), 0.0)


def _naive_log_softmax(z):
    with np.errstate(all="ignore"):
        return np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))


def _adam_variant(correct_bias=True, use_v=True):
    def step(theta, grad, m, v, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * grad
        v_new = b2 * v + (1 - b2) * grad ** 2
        m_hat = m / (1 - b1 ** t) if correct_bias else m
        v_hat = v_new / (1 - b2 ** t) if correct_bias else v_new
        if not use_v:
            return theta - lr * m_hat, m, v  # the seed's Adam: v never updated or used
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v_new
    return step


OPT_CORRECT = [
    (checks.check_log_softmax, log_softmax),
    (checks.check_log_softmax, lambda z: z - np.logaddexp.reduce(z, axis=-1, keepdims=True)),
    (checks.check_adam_step, adam_step),
    (checks.check_adam_step, lambda *a: list(adam_step(*a))),
    (checks.check_dropout_forward, dropout_forward),
    (checks.check_l2_grad, lambda w, lam: lam * 2.0 * np.asarray(w)),
]

OPT_WRONG = [
    (checks.check_log_softmax, _naive_log_softmax, "underflows to 0"),
    (checks.check_log_softmax, lambda z: np.log(np.exp(log_softmax(z))), "log of the (stable) softmax"),
    # (the student's log of an underflowed probability warns as it would in the notebook)
    (checks.check_log_softmax, lambda z: np.exp(log_softmax(z)), "returned the probabilities"),
    (checks.check_log_softmax,
     lambda z: z - z.max() - np.log(np.exp(z - z.max()).sum()), "along the last axis"),
    (checks.check_adam_step, _adam_variant(use_v=False), "no second moment"),
    (checks.check_adam_step, _adam_variant(correct_bias=False), "skipped the bias correction"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: h / (1 - p) if tr else h, "without the mask"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: h * mask if tr else h, "forgot to rescale"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: h * mask * (1 - p) if tr else h, "do not multiply"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: h * mask / (1 - p), "dropout does nothing"),
    (checks.check_l2_grad, lambda w, lam: lam * w, "dropped the factor 2"),
    (checks.check_l2_grad, lambda w, lam: lam * float((w ** 2).sum()), "penalty"),
    (checks.check_l2_grad, lambda w, lam: -2 * lam * w, "wrong sign"),
    (checks.check_l2_grad, lambda w, lam: lam * np.sign(w), "L1 gradient"),
]

OPT_HARD_CODED = [
    (checks.check_log_softmax, lambda z: log_softmax(np.array([2.0, 1.0, 0.1]))),
    (checks.check_adam_step, lambda *a: (np.array([0.9, -1.9]), np.array([0.05, -0.01]),
                                         np.array([0.00025, 0.00001]))),
    (checks.check_dropout_forward, lambda *a: np.array([2.0, 0.0, 6.0, 8.0])),
    (checks.check_l2_grad, lambda w, lam: np.array([[0.2, -0.4], [0.1, 0.0]])),
]

OPT_CHECKS = [checks.check_log_softmax, checks.check_adam_step, checks.check_dropout_forward,
              checks.check_l2_grad]


# --- notebook 02: word embeddings ---------------------------------------------------------------


def cosine_similarity(a, b):
    return float(np.sum(a * b) / math.sqrt(np.sum(a * a) * np.sum(b * b)))


def sgns_loss(v_c, u_o, u_neg):
    sigma = lambda x: 1 / (1 + np.exp(-x))
    return float(-np.log(sigma(u_o @ v_c)) - sum(np.log(sigma(-(n @ v_c))) for n in u_neg))


def sgns_grad_center(v_c, u_o, u_neg):
    sigma = lambda x: 1 / (1 + np.exp(-x))
    grad = -(1 - sigma(u_o @ v_c)) * u_o
    for n in u_neg:
        grad = grad + sigma(n @ v_c) * n
    return grad


def three_cos_add(words, vectors, a, b, c):
    unit = {w: v / np.linalg.norm(v) for w, v in zip(words, vectors)}
    target = unit[b] - unit[a] + unit[c]
    return max((w for w in words if w not in (a, b, c)), key=lambda w: unit[w] @ target)


def three_cos_add_no_exclusion(words, vectors, a, b, c):
    unit = {w: v / np.linalg.norm(v) for w, v in zip(words, vectors)}
    return max(words, key=lambda w: unit[w] @ (unit[b] - unit[a] + unit[c]))


def _sig(x):
    return 1 / (1 + np.exp(-x))


EMB_CORRECT = [
    (checks.check_cosine_similarity, cosine_similarity),
    (checks.check_sgns_loss, sgns_loss),
    (checks.check_sgns_grad_center, sgns_grad_center),
    (checks.check_sgns_grad_center, lambda v, u, n: sgns_grad_center(v, u, n).astype(np.float32)),
    (checks.check_three_cos_add, three_cos_add),
]

EMB_WRONG = [
    (checks.check_cosine_similarity, lambda a, b: float(a @ b), "returned the dot product"),
    (checks.check_cosine_similarity, lambda a, b: 1 - cosine_similarity(a, b), "cosine distance"),
    (checks.check_cosine_similarity, lambda a, b: float(np.linalg.norm(a - b)), "Euclidean"),
    (checks.check_sgns_loss, lambda v, u, n: float(-np.log(_sig(u @ v)) - np.log(_sig(n @ v)).sum()),
     "minus sign"),
    (checks.check_sgns_loss, lambda v, u, n: -sgns_loss(v, u, n), "log-likelihood"),
    (checks.check_sgns_loss, lambda v, u, n: float(-np.log(_sig(u @ v))), "left out the negative"),
    (checks.check_sgns_grad_center, lambda v, u, n: _sig(u @ v) * u + _sig(n @ v) @ n,
     "σ(u_o·v_c) − 1"),
    (checks.check_sgns_grad_center, lambda v, u, n: -sgns_grad_center(v, u, n), "sign is flipped"),
    (checks.check_sgns_grad_center, lambda v, u, n: (_sig(u @ v) - 1) * u, "left out the negative"),
    (checks.check_three_cos_add, three_cos_add_no_exclusion, "exclude the question words"),
    (checks.check_three_cos_add,
     lambda words, vectors, a, b, c: max((w for w in words if w not in (a, b, c)),
                                         key=lambda w: vectors[words.index(w)] @ (
                                             vectors[words.index(b)] - vectors[words.index(a)]
                                             + vectors[words.index(c)])),
     "normalise the vectors"),
]

EMB_HARD_CODED = [
    (checks.check_cosine_similarity, lambda a, b: 4 / math.sqrt(30)),
    (checks.check_sgns_loss, lambda v, u, n: sgns_loss(np.array([0.5, -1.0]), np.array([1.0, 2.0]),
                                                       np.array([[0.3, 0.1], [-2.0, 1.0]]))),
    (checks.check_sgns_grad_center,
     lambda v, u, n: sgns_grad_center(np.array([0.5, -1.0]), np.array([1.0, 2.0]),
                                      np.array([[0.3, 0.1], [-2.0, 1.0]]))),
    (checks.check_three_cos_add, lambda *args: "queen"),
]

EMB_CHECKS = [checks.check_cosine_similarity, checks.check_sgns_loss,
              checks.check_sgns_grad_center, checks.check_three_cos_add]


def _adam_with(epsilon=None, eps_inside=False, correct_v=True, square=True, root=True, keras=False,
               returned="new", sign=-1):
    """A learner's Adam step with one slip (written apart from the check's own mistakes)."""
    def step(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon_given):
        eps = epsilon_given if epsilon is None else epsilon
        m_new = beta_1 * m + (1 - beta_1) * grad
        v_new = beta_2 * v + (1 - beta_2) * (grad * grad if square else grad)
        if keras:
            alpha = learning_rate * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
            return theta - alpha * m_new / (np.sqrt(v_new) + eps), m_new, v_new
        m_hat = m_new / (1 - beta_1 ** t)
        v_hat = v_new / (1 - beta_2 ** t) if correct_v else v_new
        with np.errstate(invalid="ignore"):
            denominator = np.sqrt(v_hat + eps) if eps_inside else (np.sqrt(v_hat) if root else v_hat) + eps
        theta_new = theta + sign * learning_rate * m_hat / denominator
        moments = {"new": (m_new, v_new), "corrected": (m_hat, v_hat), "given": (m, v)}[returned]
        return (theta_new, *moments)
    return step


def _three_cos_add_with(signs=(-1, 1, 1), unit_question=True, excluded=(0, 1, 2)):
    def answer(words, vectors, a, b, c):
        question_words = [(a, b, c)[i] for i in excluded]
        lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = vectors / lengths
        rows = [words.index(w) for w in (a, b, c)]
        question = unit if unit_question else vectors
        target = sum(sign * question[row] for sign, row in zip(signs, rows))
        best = [(float(unit[i] @ target), w) for i, w in enumerate(words) if w not in question_words]
        return max(best)[1]
    return answer


MORE_WRONG = [  # one for each remaining hint, so that every hint is reached
    (checks.check_cosine_similarity, lambda a, b: float(a @ b / np.sqrt(a @ a)), "not only by ‖a‖"),
    (checks.check_cosine_similarity, lambda a, b: float(a @ b / (a @ a * (b @ b))), "not a·a times b·b"),
    (checks.check_sgns_loss, lambda v, u, n: float(-_sig(u @ v) - _sig(-(n @ v)).sum()), "logarithm of the sigmoids"),
    (checks.check_sgns_loss, lambda v, u, n: float(-np.log(_sig(u @ v)) - np.log(_sig(-(n @ v))).mean()),
     "summed, not averaged"),
    (checks.check_sgns_grad_center, lambda v, u, n: (_sig(u @ v) - 1) * u + (_sig(n @ v) - 1) @ n,
     "not σ(u_n·v_c) − 1"),
    (checks.check_three_cos_add, _three_cos_add_with(unit_question=False), "normalise a, b and c too"),
    (checks.check_three_cos_add, _three_cos_add_with(signs=(0, 1, 1)), "you dropped − a"),
    (checks.check_three_cos_add, _three_cos_add_with(signs=(-1, 1, 0)), "you dropped + c"),
    (checks.check_three_cos_add, _three_cos_add_with(signs=(-1, 0, 1)), "you dropped b"),
    (checks.check_three_cos_add, _three_cos_add_with(signs=(1, -1, 1)), "not a − b + c"),
    (checks.check_three_cos_add, _three_cos_add_with(excluded=(1, 2)), "a as well as b and c"),
    (checks.check_three_cos_add, _three_cos_add_with(excluded=(0, 2)), "exclude the question words"),  # b wins as with none
    (checks.check_rnn_step, lambda x, h, W, U, b: _sig(x @ W + h @ U + b), "not the sigmoid"),
    (checks.check_clip_by_global_norm,
     lambda gs, c: [g * min(1.0, c / sum(float(np.sqrt((x * x).sum())) for x in gs)) for g in gs],
     "not the sum of the arrays' norms"),
    (checks.check_clip_by_global_norm,
     lambda gs, c: [g * min(1.0, c / max(sum(float((x * x).sum()) for x in gs), 1e-300)) for g in gs],
     "forgot the square root"),
    (checks.check_lstm_step, lambda *a: _lstm_tanh_gates(*a),
     "only the candidate"),
    (checks.check_log_softmax, lambda z: z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True)),
                 "right on paper"),
    (checks.check_adam_step, _adam_with(correct_v=False), "corrected m but not v"),
    (checks.check_adam_step, _adam_with(square=False), "*squared* gradient"),
    (checks.check_adam_step, _adam_with(root=False), "square root of v̂"),
    (checks.check_adam_step, _adam_with(epsilon=1e-8), "use the epsilon argument"),
    (checks.check_adam_step, _adam_with(epsilon=1e-7), "use the epsilon argument"),
    (checks.check_adam_step, _adam_with(eps_inside=True), "not inside it"),
    (checks.check_adam_step, _adam_with(keras=True), "Keras's form"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: h * mask / (1 - p) if tr else h * (1 - p),
     "already rescaled during training"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: np.where(mask == 0, h, 0.0) / (1 - p) if tr else h,
     "not by 1 − mask"),
    (checks.check_dropout_forward, lambda h, mask, p, tr: h * mask / p if tr else h, "not by rate"),
    (checks.check_adam_step, _adam_with(returned="corrected"), "not the bias-corrected m̂ and v̂"),
    (checks.check_adam_step, _adam_with(returned="given"), "not the m and v it was given"),
    (checks.check_adam_step, _adam_with(sign=+1), "subtract the step"),
    (checks.check_log_softmax,
                 lambda z: z - np.max(z, axis=-1, keepdims=True) - np.log(np.sum(np.exp(z), axis=-1, keepdims=True)),
                 "same m = max(z) in both places"),
    (checks.check_lstm_step, _lstm_with(order="icfo"), "wrong order"),
    (checks.check_lstm_step, _lstm_with(order="fioc"), "wrong order"),
    (checks.check_rnn_step, lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0.0), "not ReLU"),
    (checks.check_chrono_bias, lambda u: np.concatenate([-np.log10(u), np.log10(u), np.zeros(2 * len(u))]),
     "not log10"),
    (checks.check_sgns_grad_center, lambda v, u, n: (_sig(v @ u) - 1) * v, "gradient for u_o"),
    (checks.check_sgns_grad_center, lambda v, u, n: (_sig(u @ v) - 1) * u + np.mean(_sig(n @ v)[:, None] * n, axis=0),
     "summed, not averaged"),
    (checks.check_cosine_similarity, lambda a, b: float(np.dot(a, b) / (np.sum(np.abs(a)) * np.sum(np.abs(b)))),
     "not the sum of absolute values"),
]


def _lstm_tanh_gates(x_t, h_prev, c_prev, W, U, b):
    z = x_t @ W + h_prev @ U + b
    i, f, g, o = np.tanh(np.split(z, 4, axis=1))
    c = f * c_prev + i * g
    return o * np.tanh(c), c


# --- the array-answer checks of notebooks 02-06, tested the same way ---------------------------

ARRAY_CORRECT = RNN_CORRECT + OPT_CORRECT + EMB_CORRECT
ARRAY_WRONG = RNN_WRONG + OPT_WRONG + EMB_WRONG + MORE_WRONG
ARRAY_HARD_CODED = RNN_HARD_CODED + OPT_HARD_CODED + EMB_HARD_CODED
ARRAY_CHECKS = [checks.check_rnn_step, checks.check_clip_by_global_norm, checks.check_lstm_step,
                checks.check_chrono_bias, *OPT_CHECKS, *EMB_CHECKS]


@pytest.mark.parametrize(("check", "fn"), ARRAY_CORRECT)
def test_array_check_correct_solution_passes(check, fn):
    assert_passes(check, fn)


@pytest.mark.parametrize(("check", "fn", "phrase"), ARRAY_WRONG)
def test_array_check_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


@pytest.mark.parametrize(("check", "fn"), ARRAY_HARD_CODED)
def test_array_check_hard_coded_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


SINGLE_ARRAY_CHECKS = {checks.check_rnn_step, checks.check_chrono_bias, checks.check_log_softmax,
                       checks.check_dropout_forward, checks.check_l2_grad, checks.check_sgns_grad_center}


@pytest.mark.parametrize("check", ARRAY_CHECKS)
def test_array_check_not_implemented_none_non_callable_and_wrong_type(check):
    assert_array_check_handles_broken_functions(check, (7, 7), single_array=check in SINGLE_ARRAY_CHECKS)


def test_clipping_all_zero_gradients_names_the_zero_norm():
    result = checks.check_clip_by_global_norm(clip_python_floats)
    assert "raised ZeroDivisionError" in result.message and "all-zero gradients" in one_line(result)
    with np.errstate(divide="ignore", invalid="ignore"):  # NumPy divides by 0 with a warning: NaN
        result = checks.check_clip_by_global_norm(
            lambda gs, c: [g * c / np.sqrt(sum(np.sum(x * x) for x in gs)) for g in gs])
    assert "already small" in result.message  # its NaN on the zero gradients matches the mistake's NaN


def test_array_check_names_the_expected_type_in_plain_words():
    result = checks.check_chrono_bias(lambda u: {"bias": u})
    assert "return a NumPy array, not a dict" in result.message, result.message
    assert checks.check_chrono_bias(lambda u: [float(x) for x in chrono_bias(u)]).passed  # a flat list of numbers


# --- right formulas that change their inputs in place: each fails and names the argument ---------


def adam_in_place(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m *= beta_1
    m += (1 - beta_1) * grad
    v *= beta_2
    v += (1 - beta_2) * grad ** 2
    theta -= learning_rate * (m / (1 - beta_1 ** t)) / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
    return theta, m, v


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return grads


def dropout_in_place(h, mask, rate, training):
    if training:
        h *= mask / (1 - rate)
    return h


def log_softmax_in_place(logits):
    logits -= logits.max(axis=-1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def three_cos_add_in_place(words, vectors, a, b, c):
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)  # normalises the caller's table
    return three_cos_add(words, vectors, a, b, c)


def oov_rate_sorting(tokens, vocab):
    tokens.sort()  # sorts the caller's list
    return oov_rate(tokens, vocab)


IN_PLACE = [(checks.check_adam_step, adam_in_place, "theta"), (checks.check_clip_by_global_norm, clip_in_place, "grads"),
            (checks.check_dropout_forward, dropout_in_place, "h"), (checks.check_log_softmax, log_softmax_in_place, "logits"),
            (checks.check_three_cos_add, three_cos_add_in_place, "vectors"), (checks.check_oov_rate, oov_rate_sorting, "tokens")]


@pytest.mark.parametrize(("check", "fn", "argument"), IN_PLACE)
def test_a_right_formula_that_changes_its_input_in_place_fails_and_names_it(check, fn, argument):
    result = check(fn)
    assert not result.passed
    assert f"your function changed its argument `{argument}` in place" in one_line(result), result.message
    assert "after the call" in result.message


def test_every_hint_of_notebooks_00_to_06_is_reached_by_a_wrong_solution():
    from lmtutor.checks import embeddings, recurrent, tokens, training

    exercises = [tokens._CHAR_TOKENS, tokens._BIGRAM_PROBABILITY, tokens._OOV_RATE, tokens._ADD_K_BIGRAM,
                 tokens._PERPLEXITY, embeddings._cosine_exercise(), embeddings._sgns_loss_exercise(),
                 embeddings._sgns_grad_exercise(), embeddings._three_cos_add_exercise(),
                 recurrent._rnn_step_exercise(), recurrent._clip_exercise(), recurrent._lstm_exercise(),
                 recurrent._chrono_exercise(), training._log_softmax_exercise(), training._adam_exercise(),
                 training._dropout_exercise(), training._l2_exercise()]
    assert_every_hint_is_reached(exercises, WRONG + ARRAY_WRONG)


def nb_log_odds_setdefault(word, pos_counts, neg_counts, alpha):
    """The right formula, but ``setdefault`` adds the word to the caller's dicts."""
    import math

    pos, neg = pos_counts.setdefault(word, 0), neg_counts.setdefault(word, 0)
    vocab = len(set(pos_counts) | set(neg_counts) - {w for w in (word,) if not pos and not neg})
    n_pos, n_neg = sum(pos_counts.values()), sum(neg_counts.values())
    return math.log((pos + alpha) / (n_pos + alpha * vocab)) - math.log((neg + alpha) / (n_neg + alpha * vocab))


def test_a_changed_dict_gets_advice_for_dicts_not_lists():
    result = checks.check_nb_log_odds(nb_log_odds_setdefault)
    assert not result.passed
    message = one_line(result)
    assert "changed its argument `pos_counts` in place" in message, message
    assert ".setdefault(...)" in message and "pos_counts.get(key, 0)" in message and "dict(pos_counts)" in message
    assert ".append()" not in message and "sorted(" not in message


def zero_shot_dot_int64(text_vector, label_vectors):
    """Ranks by the dot product (a typical mistake) and returns NumPy's integer."""
    return np.argmax(np.asarray(label_vectors) @ np.asarray(text_vector))


def zero_shot_right_int64(text_vector, label_vectors):
    """The right label, as NumPy's integer, -1 for a zero text."""
    t, labels = np.asarray(text_vector, dtype=float), np.asarray(label_vectors, dtype=float)
    if not np.any(t):
        return np.int64(-1)
    norms = np.linalg.norm(labels, axis=1) * np.linalg.norm(t)
    return np.argmax(labels @ t / np.where(norms == 0, 1, norms))


def test_a_wrong_number_of_the_wrong_integer_type_hears_about_both_the_mistake_first():
    result = checks.check_zero_shot_label(zero_shot_dot_int64)
    message = one_line(result)
    assert not result.passed
    assert "dot product" in message and "Also return an int, not an int64." in message, message
    assert message.index("dot product") < message.index("an int64")


def test_the_right_number_of_the_wrong_integer_type_is_told_to_convert_it():
    result = checks.check_zero_shot_label(zero_shot_right_int64)
    message = one_line(result)
    assert not result.passed and "return an int, not an int64. Convert it with int(...)." in message, message


def test_a_small_dict_input_is_shown_whole_so_the_expected_answer_can_be_worked_out():
    from lmtutor.checks._result import _show

    lexicon = {"good": 1, "great": 2, "funny": 1, "bad": -1, "boring": -2, "dull": -1}
    assert _show(lexicon) == repr(lexicon)
    big = {f"word{i}": i for i in range(40)}
    assert "..." in _show(big) and "(40 items)" in _show(big)
