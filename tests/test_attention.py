"""Tests of lmtutor.attention against independent oracles: keras.layers.MultiHeadAttention with the
same weights (outputs and attention scores; no mask, causal, padding, both, cross-attention),
keras.ops.dot_product_attention and keras.layers.Softmax with a mask, a hand-computed example,
the sine/cosine formula at hand-computed points and the rotation property of the positions.

Tolerances (max abs difference): float64 Keras layers 1e-12 (the same arithmetic in another
order; 1e-7 where head_dim is not a power of 4, as Keras rounds 1/√head_dim to float32); float32
layers 1e-5 for outputs and 1e-6 for attention weights (float32 rounding)."""

import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmtutor import attention

keras = pytest.importorskip("keras")

EXACT, FLOAT32, FLOAT32_WEIGHTS = 1e-12, 1e-5, 1e-6
BATCH, TIME, D_MODEL, HEADS, HEAD_DIM = 2, 5, 6, 3, 4
RNG = np.random.default_rng(0)


def _keras_mha(dtype, seed=1, **kwargs):
    """Return a built MultiHeadAttention layer with random weights and non-zero biases."""
    layer = keras.layers.MultiHeadAttention(HEADS, key_dim=HEAD_DIM, dtype=dtype, **kwargs)
    layer.build((BATCH, TIME, D_MODEL), (BATCH, TIME, D_MODEL))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype(dtype) for w in layer.get_weights()])
    return layer


# -------------------------------------------------------------------- scaled dot-product attention
def test_attention_by_hand_for_one_query_and_two_keys():
    query, key = np.array([[1.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 2.0]])
    value = np.array([[10.0, 0.0], [0.0, 10.0]])
    output, weights = attention.scaled_dot_product_attention(query, key, value)
    first = math.exp(2 / math.sqrt(2)) / (math.exp(2 / math.sqrt(2)) + math.exp(0))  # scores 2/√2 and 0
    assert weights == pytest.approx(np.array([[first, 1 - first]]), abs=1e-15)
    assert output == pytest.approx(np.array([[10 * first, 10 * (1 - first)]]), abs=1e-13)


@pytest.mark.parametrize("masked", [False, True])
def test_attention_equals_keras_dot_product_attention(masked):
    q, k, v = (RNG.normal(size=(BATCH, HEADS, TIME, HEAD_DIM)) for _ in range(3))
    mask = attention.causal_mask(TIME) & attention.padding_mask(lengths=[5, 3])[:, None] if masked else None
    output, weights = attention.scaled_dot_product_attention(q, k, v, mask)
    # Keras's layout is (batch, time, heads, head_dim); its mask (batch, heads, T, S)
    swap = lambda a: np.swapaxes(a, 1, 2)  # noqa: E731
    keras_mask = None if mask is None else np.broadcast_to(mask, (BATCH, HEADS, TIME, TIME))
    expected = np.asarray(keras.ops.dot_product_attention(swap(q), swap(k), swap(v), mask=keras_mask))
    assert np.max(np.abs(swap(output) - expected)) < EXACT
    assert np.allclose(weights.sum(axis=-1), 1.0, atol=1e-12)
    if masked:
        assert np.all(weights[1, :, :, 3:] == 0) and np.all(np.triu(weights[0, 0], 1) == 0)


def test_masked_weights_equal_keras_softmax_also_for_a_fully_masked_row():
    scores = RNG.normal(size=(4, 6)) * 30
    mask = RNG.random((4, 6)) < 0.6
    mask[2] = False  # this query may attend to nothing: Keras gives it all-zero weights
    # with K = I (d_k = 6), Q Kᵀ / √d_k = scores when Q = √6 · scores
    _, weights = attention.scaled_dot_product_attention(math.sqrt(6) * scores, np.eye(6), np.eye(6), mask)
    expected = np.asarray(keras.layers.Softmax(dtype="float64")(scores, mask=mask))
    assert np.max(np.abs(weights - expected)) < EXACT
    assert np.all(weights[2] == 0) and np.all(weights[~mask] == 0)


def test_masks():
    assert attention.causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    ids = np.array([[2, 5, 6, 0], [2, 7, 0, 0]])
    by_ids = attention.padding_mask(ids)
    assert by_ids.shape == (2, 1, 4) and by_ids[:, 0].tolist() == [[True] * 3 + [False], [True, True, False, False]]
    assert np.array_equal(attention.padding_mask(lengths=[3, 2], time=4), by_ids)
    both = attention.causal_mask(4) & by_ids
    assert both.shape == (2, 4, 4) and both[1, 3].tolist() == [True, True, False, False]


# ------------------------------------------------------------------- multi-head attention = Keras
@pytest.mark.parametrize(("dtype", "tol", "weights_tol"), [("float64", EXACT, EXACT),
                                                           ("float32", FLOAT32, FLOAT32_WEIGHTS)])
@pytest.mark.parametrize("case", ["none", "causal", "padding", "padding+causal"])
def test_multi_head_attention_equals_keras(dtype, tol, weights_tol, case):
    layer = _keras_mha(dtype)
    x = RNG.normal(size=(BATCH, TIME, D_MODEL)).astype(dtype)
    causal = "causal" in case
    mask = attention.padding_mask(lengths=[5, 3], time=TIME) if "padding" in case else None
    keras_mask = None if mask is None else np.broadcast_to(mask, (BATCH, TIME, TIME))
    keras_out, keras_weights = (np.asarray(t) for t in layer(x, x, attention_mask=keras_mask, use_causal_mask=causal,
                                                             return_attention_scores=True))
    params = [w.astype(np.float64) for w in layer.get_weights()]
    output, weights = attention.multi_head_attention(x, x, params, mask=mask, use_causal_mask=causal)
    assert output.shape == (BATCH, TIME, D_MODEL) and weights.shape == (BATCH, HEADS, TIME, TIME)
    assert np.max(np.abs(output - keras_out)) < tol
    assert np.max(np.abs(weights - keras_weights)) < weights_tol
    if causal:
        assert np.all(np.triu(weights, 1) == 0)  # no query looks at a later key
    if mask is not None:
        assert np.all(weights[1, ..., 3:] == 0)  # padded keys get no weight


def test_cross_attention_with_other_key_and_value_sizes_equals_keras():
    layer = keras.layers.MultiHeadAttention(2, key_dim=3, value_dim=5, output_shape=7, dtype="float64")
    query, value, key = RNG.normal(size=(2, 4, 6)), RNG.normal(size=(2, 9, 8)), RNG.normal(size=(2, 9, 3))
    keras_out, keras_weights = (np.asarray(t) for t in layer(query, value, key, return_attention_scores=True))
    names = [w.path.split("/", 1)[1] for w in layer.weights]
    assert names == ["query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
                     "attention_output/kernel", "attention_output/bias"]  # the order of PARAM_NAMES
    params = dict(zip(attention.PARAM_NAMES, layer.get_weights()))
    output, weights = attention.multi_head_attention(query, value, params, key=key)
    assert output.shape == (2, 4, 7) and weights.shape == (2, 2, 4, 9)
    # key_dim 3: Keras rounds its scale 1/√3 to float32 (relative error ~3e-8) even in a float64
    # layer, so agreement is ~1e-8 here, not 1e-12 as with key_dim 4 (1/√4 = 0.5 is exact)
    assert np.max(np.abs(output - keras_out)) < 1e-7 and np.max(np.abs(weights - keras_weights)) < 1e-7


def test_one_head_is_plain_attention_of_the_projections():
    params = {k: RNG.normal(size=s) for k, s in zip(attention.PARAM_NAMES, [(6, 1, 4), (1, 4)] * 3 + [(1, 4, 6), (6,)])}
    x = RNG.normal(size=(1, TIME, 6))
    output, weights = attention.multi_head_attention(x, x, params, use_causal_mask=True)
    q, k, v = (x[0] @ params[f"{n}_kernel"][:, 0] + params[f"{n}_bias"][0] for n in ("query", "key", "value"))
    context, direct = attention.scaled_dot_product_attention(q, k, v, attention.causal_mask(TIME))
    assert np.max(np.abs(weights[0, 0] - direct)) < EXACT
    assert np.max(np.abs(output[0] - (context @ params["output_kernel"][0] + params["output_bias"]))) < EXACT


# --------------------------------------------------------------------------- positional encoding
def test_sinusoidal_positions_at_hand_computed_points():
    table = attention.sinusoidal_positions(50, 4)
    assert table.shape == (50, 4)
    assert table[0].tolist() == [0.0, 1.0, 0.0, 1.0]  # sin 0, cos 0 for every pair
    assert table[1, 0] == pytest.approx(math.sin(1)) and table[1, 1] == pytest.approx(math.cos(1))
    assert table[2, 2] == pytest.approx(math.sin(2 / 100))  # ω_1 = 10000^(-2/4) = 1/100
    assert table[37, 3] == pytest.approx(math.cos(37 / 100))
    big = attention.sinusoidal_positions(10, 512)
    assert big[9, 510] == pytest.approx(math.sin(9 / 10000 ** (510 / 512)))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400), st.sampled_from([2, 8, 64]))
def test_position_t_plus_k_is_position_t_rotated_per_frequency_pair(t, k, d_model):
    table = attention.sinusoidal_positions(801, d_model)
    assert np.all(np.abs(table) <= 1.0)
    omega = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)
    sin_t, cos_t = table[t, 0::2], table[t, 1::2]
    angle = omega * k
    # [sin(a + b), cos(a + b)] = [sin a cos b + cos a sin b, cos a cos b − sin a sin b]
    assert np.allclose(table[t + k, 0::2], sin_t * np.cos(angle) + cos_t * np.sin(angle), atol=1e-9)
    assert np.allclose(table[t + k, 1::2], cos_t * np.cos(angle) - sin_t * np.sin(angle), atol=1e-9)
    # so PE[t]·PE[t + k] = Σ_i cos(ω_i k) depends on the offset k only
    assert table[t] @ table[t + k] == pytest.approx(np.cos(angle).sum(), abs=1e-9)


# ------------------------------------------------------------------------------------- bad input
def test_bad_input_is_named():
    q = np.zeros((2, 5, 4))
    with pytest.raises(ValueError, match=r"mask has shape \(3, 5\), which does not broadcast .* \(2, 5, 5\)"):
        attention.scaled_dot_product_attention(q, q, q, np.ones((3, 5), dtype=bool))
    with pytest.raises(TypeError, match="mask must be a boolean array"):
        attention.scaled_dot_product_attention(q, q, q, np.zeros((5, 5)))
    with pytest.raises(ValueError, match="key must have the query's last dimension d_k = 4"):
        attention.scaled_dot_product_attention(q, np.zeros((2, 5, 3)), q)
    with pytest.raises(ValueError, match="value must have one row per key"):
        attention.scaled_dot_product_attention(q, q, np.zeros((2, 6, 4)))
    params = _keras_mha("float64").get_weights()
    x = np.zeros((BATCH, TIME, D_MODEL))
    with pytest.raises(ValueError, match=r"mask has shape \(2, 4, 5\), which does not broadcast"):
        attention.multi_head_attention(x, x, params, mask=np.ones((2, 4, 5), dtype=bool))
    with pytest.raises(ValueError, match=r"params\['query_kernel'\] must be \(d_in, heads, head_dim\) with d_in"):
        attention.multi_head_attention(np.zeros((BATCH, TIME, 7)), x, params)
    with pytest.raises(TypeError, match="params must be a dict with keys"):
        attention.multi_head_attention(x, x, params[:6])
    with pytest.raises(ValueError, match="params needs the keys"):
        attention.multi_head_attention(x, x, {"query_kernel": params[0]})
    with pytest.raises(TypeError, match="use_causal_mask must be True or False"):
        attention.multi_head_attention(x, x, params, use_causal_mask="yes")
    with pytest.raises(ValueError, match=r"query must have shape \(batch, time, features\)"):
        attention.multi_head_attention(x[0], x, params)
    with pytest.raises(ValueError, match="d_model must be even"):
        attention.sinusoidal_positions(10, 5)
    with pytest.raises(ValueError, match="time must be >= 1"):
        attention.causal_mask(0)
    with pytest.raises(ValueError, match="give exactly one of ids"):
        attention.padding_mask()
    with pytest.raises(ValueError, match="time must be >= 3"):
        attention.padding_mask(lengths=[3, 1], time=2)
