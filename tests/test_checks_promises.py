"""Promises every exercise check keeps, tested generically over all 24 exercises of notebooks 00-08:
a function that changes an argument in place fails and says which one, a function that ignores any one
argument fails, the notebook example's answer hard-coded fails, and the references agree with the
lmtutor functions the notebooks teach (optim, rnn, regularization, losses, evaluation, embeddings)."""

import copy
import math

import numpy as np
import pytest

from lmtutor import checks
from lmtutor.checks import (attention, challenges, classification, dialogue, embeddings, generation, recurrent, scale,
                            sentiment, tokens, training, translation)
from check_harness import one_line
from lmtutor.checks._runner import _same

# A check keeps the warnings of the learner's function (and of its references) from the caller:
# any warning that reaches a test is an error.
pytestmark = pytest.mark.filterwarnings("error")

EXERCISES = {
    checks.check_char_tokens: tokens._CHAR_TOKENS,
    checks.check_bigram_probability: tokens._BIGRAM_PROBABILITY,
    checks.check_oov_rate: tokens._OOV_RATE,
    checks.check_add_k_bigram: tokens._ADD_K_BIGRAM,
    checks.check_perplexity: tokens._PERPLEXITY,
    checks.check_cosine_similarity: embeddings._cosine_exercise(),
    checks.check_sgns_loss: embeddings._sgns_loss_exercise(),
    checks.check_sgns_grad_center: embeddings._sgns_grad_exercise(),
    checks.check_three_cos_add: embeddings._three_cos_add_exercise(),
    checks.check_rnn_step: recurrent._rnn_step_exercise(),
    checks.check_clip_by_global_norm: recurrent._clip_exercise(),
    checks.check_lstm_step: recurrent._lstm_exercise(),
    checks.check_chrono_bias: recurrent._chrono_exercise(),
    checks.check_log_softmax: training._log_softmax_exercise(),
    checks.check_adam_step: training._adam_exercise(),
    checks.check_dropout_forward: training._dropout_exercise(),
    checks.check_l2_grad: training._l2_exercise(),
    checks.check_top_k_filter: generation._top_k_exercise(),
    checks.check_top_p_filter: generation._top_p_exercise(),
    checks.check_next_token_probs: generation._next_token_exercise(),
    checks.check_causal_mask: attention._causal_exercise(),
    checks.check_scaled_dot_product_attention: attention._attention_exercise(),
    checks.check_positional_encoding: attention._positions_exercise(),
    checks.check_brevity_penalty: translation._BREVITY,
    checks.check_clipped_precision: translation._CLIPPED,
    checks.check_additive_attention: translation._additive_exercise(),
    checks.check_beam_step: translation._beam_exercise(),
    checks.check_macro_f1: classification._MACRO,
    checks.check_most_frequent_tags: classification._TAGS,
    checks.check_zero_shot_label: classification._ZERO_SHOT,
    checks.check_global_mean_loss: scale._GLOBAL,
    checks.check_fit_power_law: scale._power_exercise(),
    checks.check_compute_optimal: scale._optimal_exercise(),
    checks.check_weat_effect_size: challenges._weat_exercise(),
    checks.check_exposure: challenges._exposure_exercise(),
    checks.check_neutralize: challenges._neutralize_exercise(),
    checks.check_heading_anchor: challenges._ANCHOR,
    checks.check_nb_log_odds: sentiment._NB_LOG_ODDS,
    checks.check_lexicon_score: sentiment._LEXICON,
    checks.check_occlusion_scores: sentiment._occlusion_exercise(),
    checks.check_cosine_ranking: dialogue._cosine_exercise(),
    checks.check_mean_reciprocal_rank: dialogue._mrr_exercise(),
    checks.check_rejection_point: dialogue._point_exercise(),
}
CHECKS = list(EXERCISES)
ARGUMENTS = [(check, i) for check, exercise in EXERCISES.items() for i in range(len(exercise.params))]


def unwrap(answer):
    """Return a reference answer as the learner would: arrays for wrapped arrays, tuples as lists."""
    if isinstance(answer, tuple):
        return [unwrap(a) for a in answer]
    return answer.array.copy() if hasattr(answer, "array") else answer


def right(exercise):
    """Return a correct learner function: the reference, answers unwrapped."""
    return lambda *args: unwrap(exercise.reference(*copy.deepcopy(args)))


def test_every_public_check_is_listed():
    assert set(CHECKS) == {getattr(checks, name) for name in checks.__all__ if name.startswith("check_")}


@pytest.mark.parametrize("check", CHECKS)
def test_the_reference_itself_passes(check):
    assert check(right(EXERCISES[check])).passed


# --- arguments changed in place -------------------------------------------------------------


def spoil(value):
    """Change ``value`` in place if it is mutable (return True), else return False."""
    if isinstance(value, np.ndarray):
        value[...] = ~value if value.dtype == bool else value + 1
        return True
    if isinstance(value, list):
        if value and isinstance(value[0], np.ndarray):
            value[0] += 1
        else:
            value.append(value[0] if value else "x")
        return True
    if isinstance(value, (dict, set)):
        value.clear() if value else (value.update({"x": 1}) if isinstance(value, dict) else value.add("x"))
        return True
    return False


MUTABLE = [(check, i) for check, i in ARGUMENTS
           if spoil(copy.deepcopy(EXERCISES[check].cases[0].args[i]))]


@pytest.mark.parametrize(("check", "index"), MUTABLE)
def test_a_right_answer_that_changes_an_argument_in_place_fails_and_names_it(check, index):
    exercise = EXERCISES[check]

    def in_place(*args):
        answer = right(exercise)(*args)
        spoil(args[index])
        return answer

    result = check(in_place)
    assert not result.passed
    assert f"changed its argument `{exercise.params[index]}` in place" in one_line(result), result.message
    assert check(right(exercise)).passed  # the cases are intact for the next call


def test_every_exercise_has_a_mutable_argument_tested():
    unchangeable = {checks.check_char_tokens, checks.check_causal_mask, checks.check_positional_encoding,
                    checks.check_brevity_penalty, checks.check_compute_optimal, checks.check_heading_anchor}  # str, ints, a float
    assert {check for check, _ in MUTABLE} == set(CHECKS) - unchangeable


# --- every argument changes the answer --------------------------------------------------------


def compatible(a, b):
    """Return True when b could stand in for a: the same type and, for arrays and lists, the same shapes."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(compatible(x, y) for x, y in zip(a, b))
    return True


def ignoring(exercise, index):
    """Return a function that answers as the reference would if argument ``index`` always had the
    value it has in an earlier-listed case (the shown one first) of the same type and shape: the
    function of a learner who wrote that value in, or read it from a global, instead of the argument."""
    fn = right(exercise)

    def wrong(*args):
        for case in exercise.cases:
            stand_in = case.args[index]
            if compatible(args[index], stand_in) and not _same(args[index], stand_in):
                try:
                    return fn(*args[:index], copy.deepcopy(stand_in), *args[index + 1:])
                except Exception:  # the stand-in does not fit the other arguments: try the next
                    continue
        return fn(*args)
    return wrong


@pytest.mark.parametrize(("check", "index"), ARGUMENTS)
def test_a_function_that_ignores_any_one_argument_fails(check, index):
    result = check(ignoring(EXERCISES[check], index))
    assert not result.passed, f"{EXERCISES[check].name} passes without reading {EXERCISES[check].params[index]}"
    assert "raised" not in result.message


# --- hard-coded answers ---------------------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS)
def test_the_notebook_examples_answer_for_every_input_fails(check):
    exercise = EXERCISES[check]
    shown = [c for c in exercise.cases if c.shown]

    def hard_coded(*args):  # the notebook's answer for each example shown, the first one otherwise
        case = next((c for c in shown if _same(list(args), list(c.args))), shown[0])
        return right(exercise)(*case.args)

    result = check(hard_coded)
    assert not result.passed
    assert "notebook example's answer for a different input" in result.message, result.message


# --- the references agree with the lmtutor functions the notebooks teach -------------------------


def adam_with_optim(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    """Return a learner's Adam step taken by lmtutor.optim.Adam, started at step t with moments m and v."""
    from lmtutor import optim

    adam = optim.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    adam.iterations, adam._state = t - 1, [{"m": m.copy(), "v": v.copy()}]
    theta = adam.step(theta, grad)
    return theta, adam._state[0]["m"], adam._state[0]["v"]


def test_adam_reference_equals_optim_adam_over_many_steps():
    from lmtutor import optim

    rng = np.random.default_rng(0)
    for epsilon, beta_1, beta_2 in ((1e-3, 0.9, 0.999), (0.0, 0.8, 0.99), (1e-7, 0.9, 0.999)):
        adam = optim.Adam(learning_rate=0.05, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        theta = ours = rng.normal(size=4)
        m = v = np.zeros(4)
        for t in range(1, 31):
            grad = 0.01 * rng.normal(size=4)
            theta = adam.step(theta, grad)
            # optim.Adam adds ε / √(1 − β2^t) to √v̂ (Keras's placement); the exercise adds ε itself
            ours, m, v = training._adam_step(ours, grad, m, v, t, 0.05, beta_1, beta_2,
                                             epsilon / math.sqrt(1 - beta_2 ** t))
            assert np.allclose(ours, theta, rtol=1e-12, atol=0), (epsilon, t)


def test_the_adam_exercise_teaches_kingma_and_bas_epsilon_not_optim_adams():
    # The exercise (and the check's reference) is Kingma & Ba's Algorithm 1: θ − α m̂ / (√v̂ + ε).
    # lmtutor.optim.Adam follows Keras: θ − α_t m / (√v + ε), i.e. ε / √(1 − β2^t) added to √v̂. They
    # agree when optim.Adam gets ε · √(1 − β2^t) ...
    for case in EXERCISES[checks.check_adam_step].cases:
        *head, t, lr, beta_1, beta_2, epsilon = case.args
        keras_epsilon = epsilon * math.sqrt(1 - beta_2 ** t)
        for ours, theirs in zip(training._adam_step(*copy.deepcopy(case.args)),
                                adam_with_optim(*copy.deepcopy(head), t, lr, beta_1, beta_2, keras_epsilon)):
            assert np.allclose(ours, theirs, rtol=1e-9, atol=0)
    # ... so a learner who converts ε passes, and one who steps with optim.Adam (or Keras) as it is
    # fails on the input whose ε = 1e-3 matters, with the hint that names Keras's form.
    assert checks.check_adam_step(
        lambda *a: adam_with_optim(*a[:8], a[8] * math.sqrt(1 - a[7] ** a[4]))).passed
    result = checks.check_adam_step(adam_with_optim)
    assert not result.passed and result.message.startswith("that is Keras's form"), result.message
    assert "epsilon=0.001" in result.message


def test_dropout_reference_equals_regularization_dropout_with_its_mask():
    from lmtutor import regularization

    h = np.random.default_rng(1).normal(size=(3, 5))
    for rate, training_ in ((0.5, True), (0.2, True), (0.3, False)):
        mask = regularization.dropout_mask(h.shape, rate, seed=7)
        assert np.allclose(training._dropout_forward(h, mask, rate, training_),
                           regularization.dropout(h, rate, training=training_, seed=7))


def test_embedding_references_equal_evaluation_and_embeddings():
    from lmtutor import embeddings as lm_embeddings, evaluation

    for case in EXERCISES[checks.check_cosine_similarity].cases:
        assert math.isclose(embeddings._cosine(*case.args), evaluation.cosine_similarity(*case.args))
    for case in EXERCISES[checks.check_sgns_loss].cases:
        v_c, u_o, u_neg = case.args
        loss, grad_v, _, _ = lm_embeddings.sgns_loss_and_grads(v_c[None], u_o[None], u_neg[None])
        assert math.isclose(embeddings._sgns_loss(*case.args), loss, rel_tol=1e-12)
        assert np.allclose(embeddings._sgns_grad_center(*case.args), grad_v[0])
    for words, vectors, a, b, c in (case.args for case in EXERCISES[checks.check_three_cos_add].cases):
        vocabulary = lm_embeddings.Embeddings(tuple(words), vectors)
        # analogy_answers looks words up in upper case, as gensim does; these words are distinct that way
        assert embeddings._three_cos_add(words, vectors, a, b, c) == evaluation.analogy_answers(vocabulary, [(a, b, c)])[0]


def test_token_references_equal_text_and_losses():
    from lmtutor import losses, text

    for (sentence,) in (case.args for case in tokens._CHAR_TOKENS.cases):
        assert tokens._char_tokens(sentence) == text.tokenize_chars(sentence)
    for (probs,) in (case.args for case in tokens._PERPLEXITY.cases):
        assert math.isclose(tokens._perplexity(probs), math.exp(-np.mean(np.log(probs))), rel_tol=1e-12)
        assert math.isclose(tokens._perplexity(probs), losses.perplexity(-np.mean(np.log(probs))), rel_tol=1e-12)


def test_recurrent_and_training_references_come_from_the_math_modules():
    # The checks call lmtutor.rnn, losses, regularization and decoding, not copies of them.
    import inspect

    for fn, module in ((recurrent._rnn_step, "rnn.rnn_step"), (recurrent._clip, "rnn.clip_by_global_norm"),
                       (recurrent._lstm_reference, "rnn.lstm_step"), (training._log_softmax, "losses.log_softmax"),
                       (training._l2_grad, "regularization.l2_grad"), (generation._top_k, "filter_top_k"),
                       (generation._top_p, "filter_top_p"), (tokens._perplexity, "losses.perplexity")):
        assert module in inspect.getsource(fn), fn.__name__


def test_the_lstm_mistakes_vary_rnn_lstm_step():
    # The typical LSTM mistakes are recurrent._lstm_step with one thing changed; unchanged, it is rnn.lstm_step.
    for case in EXERCISES[checks.check_lstm_step].cases:
        for ours, reference in zip(recurrent._lstm_step(*case.args), recurrent._lstm_reference(*case.args)):
            assert np.allclose(ours, reference, rtol=1e-12, atol=1e-15)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # importing Keras may warn
def test_chrono_reference_equals_memory_chrono_bias():
    # lmtutor.memory (a Models module: the checks may not import it) draws u ~ Uniform(1, max_gap - 1)
    # from its seed; the exercise gets u. The same u gives the same bias.
    from lmtutor import memory

    for hidden_size, max_gap, seed in ((3, 10, 0), (8, 200, 1), (1, 4, 7)):
        u = np.random.default_rng(seed).uniform(1, max_gap - 1, hidden_size)
        assert np.allclose(recurrent._chrono_bias(u), memory.chrono_bias(hidden_size, max_gap, seed=seed),
                           rtol=1e-12, atol=0)
    for (u,) in (case.args for case in EXERCISES[checks.check_chrono_bias].cases):
        bias = recurrent._chrono_bias(u)
        assert np.allclose(1 / (1 + np.exp(-bias[len(u):2 * len(u)])), u / (1 + u))  # σ(b_f) = u / (1 + u)


def test_checks_import_only_data_and_math_modules():
    import ast
    import pathlib

    from test_layers import LAYERS  # the Data (0) and Math (1) modules

    allowed = {module for module, layer in LAYERS.items() if layer <= 1} | {"checks", "_validate"}
    for path in pathlib.Path(checks.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lmtutor"):
                names = [node.module.split(".")[1]] if "." in node.module else [a.name for a in node.names]
                assert set(names) <= allowed, (path.name, node.module, names)
            elif isinstance(node, ast.Import):
                assert all(not a.name.startswith("lmtutor.") or a.name.split(".")[1] in allowed
                           for a in node.names), path.name


# --- graded by nbgrader, and functions that never return ------------------------------------


def _stub(*args):
    raise NotImplementedError()


@pytest.mark.parametrize("check", CHECKS)
def test_while_nbgrader_grades_a_failed_check_raises_one_line_and_a_pass_does_not(check, monkeypatch):
    from lmtutor.checks._result import CheckFailed

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(CheckFailed) as caught:
        check(_stub)
    assert caught.value._render_traceback_() == [f"CheckFailed: {caught.value.result!r}"]
    assert "not implemented yet" in caught.value.result.message and not caught.value.result.passed
    assert check(right(EXERCISES[check])).passed  # a right answer neither raises nor fails
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")  # nbgrader validate: the same
    with pytest.raises(CheckFailed):
        check(_stub)
    for alone in ("", "no"):  # a learner working alone gets the result back
        monkeypatch.setenv("NBGRADER_EXECUTION", alone)
        assert not check(_stub).passed


@pytest.mark.parametrize("check", CHECKS)
def test_a_function_that_never_returns_is_stopped_with_a_hint(check, monkeypatch):
    import signal

    from lmtutor.checks import _runner

    monkeypatch.setattr(_runner, "CALL_SECONDS", 0.05)

    def endless(*args):
        while True:
            try:
                pass
            except Exception:  # a learner's broad except must not swallow the stop
                pass

    result = check(endless)
    assert not result.passed and "did not return within 0.05 s" in result.message, result.message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left behind
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)
    assert check(right(EXERCISES[check])).passed
