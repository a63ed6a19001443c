"""Tests for lmtutor.checks.scale (notebook 13): right answers pass, each typical wrong answer gets
its own hint, hard-coded answers fail, in-place changes and crashes get a message.

The learner solutions below are written independently of lmtutor.scaling: plain Python loops, and
scipy.stats.linregress as the oracle of the log-log line."""

import math

import numpy as np
import pytest
from scipy.stats import linregress

from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes, assert_specific_hint)
from lmtutor import checks
from lmtutor.checks import scale

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------------------------ right answers
def global_mean_loss(replica_losses):
    return float(np.concatenate(replica_losses).mean())


def global_mean_loss_loop(replica_losses):
    total, count = 0.0, 0
    for losses in replica_losses:
        for loss in losses:
            total += float(loss)
            count += 1
    return total / count


def fit_power_law(sizes, losses):
    fit = linregress(np.log(sizes), np.log(losses))
    return math.exp(fit.intercept), -fit.slope


def fit_power_law_normal_equations(sizes, losses):  # the 2x2 normal equations by hand
    x, y = [math.log(s) for s in sizes], [math.log(v) for v in losses]
    n, sx, sy = len(x), sum(x), sum(y)
    sxx, sxy = sum(v * v for v in x), sum(a * b for a, b in zip(x, y))
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    return [math.exp((sy - slope * sx) / n), -slope]  # a list of two floats counts as an array


def compute_optimal(compute):
    parameters = (compute / 120) ** 0.5
    return parameters, 20 * parameters


CORRECT = [
    (checks.check_global_mean_loss, global_mean_loss),
    (checks.check_global_mean_loss, global_mean_loss_loop),
    (checks.check_fit_power_law, fit_power_law),
    (checks.check_fit_power_law, fit_power_law_normal_equations),
    (checks.check_compute_optimal, compute_optimal),
    (checks.check_compute_optimal, lambda c: np.array(compute_optimal(c))),
]


@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


def test_the_references_agree_with_the_independent_solutions():
    for (args,) in [(c.args,) for c in scale._GLOBAL.cases]:
        assert scale._global_mean_loss(*args) == pytest.approx(global_mean_loss_loop(*args))
    for case in scale._power_exercise().cases:
        assert np.allclose(scale._power_law(*case.args), fit_power_law(*case.args), rtol=1e-9)
    assert scale._compute_optimal(5.76e23) == pytest.approx(compute_optimal(5.76e23))


# ------------------------------------------------------------------------------ wrong answers
def mean_of_means(replica_losses):
    return float(np.mean([np.mean(r) for r in replica_losses if len(r)]))


def sum_of_means(replica_losses):
    return float(sum(np.mean(r) for r in replica_losses if len(r)))


def first_size_times_replicas(replica_losses):
    return float(sum(np.sum(r) for r in replica_losses) / (len(replica_losses[0]) * len(replica_losses)))


def just_the_sum(replica_losses):
    return float(sum(np.sum(r) for r in replica_losses))


def sorts_in_place(replica_losses):
    replica_losses.sort(key=len)
    return global_mean_loss(replica_losses)


def slope_not_minus_slope(sizes, losses):
    a, alpha = fit_power_law(sizes, losses)
    return a, -alpha


def intercept_not_a(sizes, losses):
    fit = linregress(np.log(sizes), np.log(losses))
    return fit.intercept, -fit.slope


def linear_fit(sizes, losses):
    fit = linregress(sizes, losses)
    return fit.intercept, -fit.slope


def swapped_regression(sizes, losses):
    fit = linregress(np.log(losses), np.log(sizes))  # ln N = i + s ln L  ->  ln L = -i/s + (1/s) ln N
    return math.exp(-fit.intercept / fit.slope), -1 / fit.slope


def endpoints(sizes, losses):
    order = np.argsort(sizes)
    (x0, x1), (y0, y1) = np.log(np.asarray(sizes)[order][[0, -1]]), np.log(np.asarray(losses)[order][[0, -1]])
    slope = (y1 - y0) / (x1 - x0)
    return math.exp(y0 - slope * x0), -slope


def logs_in_place(sizes, losses):
    sizes[:] = np.log(sizes)  # overwrites the caller's array
    fit = linregress(sizes, np.log(losses))
    return math.exp(fit.intercept), -fit.slope


def no_six(compute):
    n = (compute / 20) ** 0.5
    return n, 20 * n


def swapped_pair(compute):
    n, d = compute_optimal(compute)
    return d, n


def as_many_tokens_as_parameters(compute):
    n = (compute / 6) ** 0.5
    return n, n


def no_root(compute):
    return compute / 120, 20 * compute / 120


WRONG = [
    (checks.check_global_mean_loss, mean_of_means, "you averaged the replicas' means"),
    (checks.check_global_mean_loss, sum_of_means, "you added the replicas' means"),
    (checks.check_global_mean_loss, first_size_times_replicas, "not by the first replica's size"),
    (checks.check_global_mean_loss, just_the_sum, "you returned the sum"),
    (checks.check_global_mean_loss, sorts_in_place, "changed its argument `replica_losses` in place"),
    (checks.check_fit_power_law, slope_not_minus_slope, "the exponent is minus the slope"),
    (checks.check_fit_power_law, intercept_not_a, "a itself is exp(intercept)"),
    (checks.check_fit_power_law, linear_fit, "only straight on log-log axes"),
    (checks.check_fit_power_law, swapped_regression, "not ln N on ln L"),
    (checks.check_fit_power_law, endpoints, "use every point"),
    (checks.check_fit_power_law, logs_in_place, "changed its argument `sizes` in place"),
    (checks.check_compute_optimal, no_six, "C = 6 N D"),
    (checks.check_compute_optimal, swapped_pair, "parameters first"),
    (checks.check_compute_optimal, as_many_tokens_as_parameters, "D = 20 N, not D = N"),
    (checks.check_compute_optimal, no_root, "N = sqrt(C / 120), not C / 120"),
]


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached_by_a_wrong_solution():
    exercises = [scale._GLOBAL, scale._power_exercise(), scale._optimal_exercise()]
    assert_every_hint_is_reached(exercises, WRONG)


def test_hard_coded_answers_fail():
    assert_hard_coded_fails(checks.check_global_mean_loss, lambda r: 3.0)
    assert_hard_coded_fails(checks.check_fit_power_law, lambda x, y: (5.859375, 0.09691001300805649))
    assert_hard_coded_fails(checks.check_compute_optimal, lambda c: compute_optimal(5.76e23))


def test_an_answer_that_ignores_an_argument_fails():
    assert not checks.check_fit_power_law(lambda x, y: fit_power_law([1e3, 1e4, 1e5], y)).passed  # ignores sizes
    assert not checks.check_fit_power_law(lambda x, y: fit_power_law(x, [3.0, 2.4, 1.92][:len(x)] * 2)).passed


def test_an_empty_replica_is_part_of_the_cases_and_a_nan_answer_fails():
    assert any(any(len(r) == 0 for r in case.args[0]) for case in scale._GLOBAL.cases)
    nan_on_empty = lambda r: float(np.mean([np.mean(x) if len(x) else np.nan for x in r]))  # noqa: E731
    assert not checks.check_global_mean_loss(nan_on_empty).passed


def test_broken_functions_get_their_messages():
    assert_array_check_handles_broken_functions(checks.check_fit_power_law, (3,), single_array=False)
    assert_array_check_handles_broken_functions(checks.check_compute_optimal, (3,), single_array=False)
    result = checks.check_global_mean_loss(lambda r: r[5])
    assert not result.passed and "IndexError" in result.message
