"""Tests for lmtutor.scaling: the power-law fit against numpy.polyfit on log-log axes and against
scipy.optimize.curve_fit (the independent oracles), and Hoffmann et al.'s compute-optimal rule."""

import math

import numpy as np
import pytest
from scipy.optimize import curve_fit

from lmtutor import scaling

SIZES = np.array([1.8e3, 4.1e3, 1.1e4, 3.5e4, 1.2e5, 4.5e5])


def test_a_pure_power_law_is_the_least_squares_line_of_polyfit_on_log_log_axes():
    rng = np.random.default_rng(0)
    losses = 3.1 * SIZES ** -0.07 * np.exp(rng.normal(0, 0.01, len(SIZES)))  # noisy: the fit is a compromise
    law = scaling.fit_power_law(SIZES, losses)
    slope, intercept = np.polyfit(np.log(SIZES), np.log(losses), 1)
    assert law.alpha == pytest.approx(-slope, rel=1e-10)
    assert law.a == pytest.approx(math.exp(intercept), rel=1e-10)
    assert law.c == 0.0


def test_exact_power_laws_are_recovered_with_and_without_a_floor():
    law = scaling.fit_power_law(SIZES, 2.5 * SIZES ** -0.3)
    assert (law.a, law.alpha) == pytest.approx((2.5, 0.3), rel=1e-9)
    floored = scaling.fit_power_law(SIZES, 1.2 + 40 * SIZES ** -0.45, offset=True)
    assert (floored.a, floored.alpha, floored.c) == pytest.approx((40, 0.45, 1.2), rel=1e-6)


def test_the_floor_fit_agrees_with_scipy_curve_fit_on_noisy_data():
    rng = np.random.default_rng(1)
    x = np.geomspace(1e3, 1e6, 9)
    y = 1.5 + 30 * x ** -0.35 + rng.normal(0, 0.002, len(x))
    ours = scaling.fit_power_law(x, y, offset=True)
    # curve_fit minimises squared error in y, ours in ln(y − c): on nearly exact data both land together
    (a, alpha, c), _ = curve_fit(lambda x, a, alpha, c: c + a * x ** -alpha, x, y, p0=(10, 0.3, 1.0), maxfev=20000)
    assert ours.alpha == pytest.approx(alpha, rel=0.05)
    assert ours.c == pytest.approx(c, rel=0.02)
    assert np.allclose(ours(x), y, atol=0.01)


def test_the_floor_is_zero_when_no_positive_floor_fits_better():
    law = scaling.fit_power_law(SIZES, 4.0 * SIZES ** -0.2, offset=True)
    assert law.c == pytest.approx(0.0, abs=1e-6)
    assert law.alpha == pytest.approx(0.2, rel=1e-6)


def test_the_law_predicts_and_doubling_shrinks_the_loss_by_two_to_the_minus_alpha():
    law = scaling.PowerLaw(a=2.0, alpha=0.25, c=0.5)
    assert law(16.0) == pytest.approx(0.5 + 2.0 / 2)
    assert np.allclose((law(np.array([2e4])) - 0.5) / (law(np.array([1e4])) - 0.5), 2 ** -0.25)


def test_compute_optimal_spends_the_compute_with_twenty_tokens_per_parameter():
    parameters, tokens = scaling.compute_optimal(5.76e23)  # Chinchilla's budget (Hoffmann et al. 2022)
    assert tokens == pytest.approx(20 * parameters)
    assert 6 * parameters * tokens == pytest.approx(5.76e23)
    assert parameters == pytest.approx(6.93e10, rel=0.01)  # close to Chinchilla's 70 B parameters


@pytest.mark.parametrize(("kwargs", "error", "word"), [
    (dict(x=[1, 2, 3], y=[1, 2]), ValueError, "same length"),
    (dict(x=[1, 1, 1], y=[1, 2, 3]), ValueError, "distinct"),
    (dict(x=[1, 2], y=[1, 2], offset=True), ValueError, "3 distinct"),
    (dict(x=[0, 2, 3], y=[1, 2, 3]), ValueError, "x must be positive"),
    (dict(x=[1, 2, 3], y=[1, -2, 3]), ValueError, "y must be positive"),
    (dict(x="123", y=[1, 2, 3]), TypeError, "x"),
    (dict(x=[1, 2, 3], y=[1, 2, 3], offset="yes"), TypeError, "offset"),
])
def test_bad_input_names_the_argument(kwargs, error, word):
    with pytest.raises(error, match=word):
        scaling.fit_power_law(**kwargs)
