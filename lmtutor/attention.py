"""Attention in NumPy for notebook 08: scaled dot-product attention, causal and padding masks,
multi-head attention in the weight layout of ``keras.layers.MultiHeadAttention``, and the
sinusoidal positional encoding of Vaswani et al. (2017)::

    output, weights = scaled_dot_product_attention(Q, K, V, mask=causal_mask(T))   # weights (T, T)
    output, weights = multi_head_attention(x, x, layer.get_weights(), use_causal_mask=True)
    positions = sinusoidal_positions(T, d_model)                                   # (T, d_model)

Notation (the notebook's): queries Q (..., T, d_k), keys K (..., S, d_k), values V (..., S, d_v).
A mask is boolean and says which keys each query may attend to (True: it may, as in Keras); it
enters the scores as an additive M with M_ij = 0 where the mask is True and −∞ where it is False.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from lmtutor._validate import MAX_WIDTH, _show, check_array, check_elements, check_float, check_ids, check_int

MAX_TIME = 4096  # the longest sequence of masks and position tables (a (4096, 4096) mask: 16 M entries)
PARAM_NAMES = ("query_kernel", "query_bias", "key_kernel", "key_bias",
               "value_kernel", "value_bias", "output_kernel", "output_bias")  # layer.get_weights() order


# --------------------------------------------------------------------------------- checks
def _mask(mask: Any, scores_shape: tuple[int, ...]) -> np.ndarray:
    """Return ``mask`` as a bool array after checking it broadcasts to ``scores_shape``."""
    if isinstance(mask, (str, bytes)):
        raise TypeError(f"mask must be a boolean array, got a str {_show(mask)}")
    array = np.asarray(mask)
    if array.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True where a query may attend to a key), got "
                        f"dtype {array.dtype}; for an additive 0/-inf mask M pass M == 0")
    try:
        broadcast = np.broadcast_shapes(array.shape, scores_shape)
    except ValueError:
        broadcast = None
    if broadcast != tuple(scores_shape):
        raise ValueError(f"mask has shape {array.shape}, which does not broadcast to the attention "
                         f"scores' shape (..., queries, keys) = {tuple(scores_shape)}")
    return array


def _bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool, else raise TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {_show(value)}")
    return bool(value)


def _masked_softmax(scores: np.ndarray) -> np.ndarray:
    """Return softmax over the last axis, where −∞ entries get weight 0 and all-−∞ rows all zeros."""
    top = scores.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)  # a fully masked row: exp(−∞) = 0 everywhere
    exp = np.exp(scores - top)  # every exponent <= 0: no overflow
    total = exp.sum(axis=-1, keepdims=True)
    return exp / np.where(total > 0, total, 1.0)


# ------------------------------------------------------------------------------ attention
def scaled_dot_product_attention(query: Any, key: Any, value: Any,
                                 mask: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (output (..., T, d_v), weights (..., T, S)) of scaled dot-product attention.

    weights = softmax(Q Kᵀ / √d_k + M) row by row, output = weights V. Leading axes (batch,
    heads) broadcast. ``mask`` (bool, broadcastable to (..., T, S)) sets M = 0 where True and −∞
    where False; a query that may attend to no key gets weights 0 (as keras.layers.Softmax does).
    """
    query = check_array("query", query, min_ndim=2)  # (..., T, d_k)
    key = check_array("key", key, min_ndim=2)  # (..., S, d_k)
    value = check_array("value", value, min_ndim=2)  # (..., S, d_v)
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(f"key must have the query's last dimension d_k = {query.shape[-1]}, "
                         f"got key shape {key.shape}")
    if value.shape[-2] != key.shape[-2]:
        raise ValueError(f"value must have one row per key (S = {key.shape[-2]}), got value shape "
                         f"{value.shape} for key shape {key.shape}")
    try:
        leading = np.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise ValueError(f"query {query.shape}, key {key.shape} and value {value.shape} must have leading axes "
                         f"(batch, heads) that broadcast together") from None
    if mask is not None:
        mask = _mask(mask, leading + (query.shape[-2], key.shape[-2]))
    return _attend(query, key, value, mask)


def _attend(query: np.ndarray, key: np.ndarray, value: np.ndarray, mask: np.ndarray | None):
    """Return (output, weights) of scaled dot-product attention on checked arrays (the kernel)."""
    scores = query @ np.swapaxes(key, -1, -2) / math.sqrt(query.shape[-1])  # (..., T, S)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = _masked_softmax(scores)
    return weights @ value, weights


def causal_mask(time: int) -> np.ndarray:
    """Return the (time, time) bool mask with True where key j <= query i (no peeking ahead).

    Lower triangular with the diagonal: position i attends to positions 0 ... i only, so the
    prediction made at i cannot depend on tokens after it.
    """
    time = check_int("time", time, minimum=1, maximum=MAX_TIME)
    return np.tril(np.ones((time, time), dtype=bool))


def padding_mask(ids: Any = None, *, lengths: Any = None, time: int | None = None,
                 pad_id: int = 0) -> np.ndarray:
    """Return a (batch, 1, time) bool mask, True at the real (non-padding) keys of each sequence.

    Give either ``ids`` (batch, time), where ``pad_id`` marks padding, or ``lengths`` (batch,)
    with ``time`` (default max(lengths)): key s of sequence b is real if s < lengths[b]. The
    middle axis broadcasts over queries: ``causal_mask(T) & padding_mask(ids)`` is (batch, T, T).
    """
    if ids is not None:
        ids = check_ids("ids", ids, 2**62, allow_empty=True)  # a token id or a pad_id: any int >= 0
        if ids.ndim != 2:
            raise ValueError(f"ids must be a 2-D int array (batch, time), got shape {ids.shape}")
    if lengths is not None:
        lengths = check_ids("lengths", lengths, MAX_TIME + 1)
        if lengths.ndim != 1:
            raise ValueError(f"lengths must be a 1-D array (batch,) of ints >= 0, got shape {lengths.shape}")
    if time is not None:
        time = check_int("time", time, minimum=1, maximum=MAX_TIME)
    pad_id = check_int("pad_id", pad_id, minimum=0)
    if (ids is None) == (lengths is None):
        raise ValueError("give exactly one of ids (batch, time) or lengths (batch,)")
    if ids is not None:
        if time is not None:
            raise ValueError("time goes with lengths: with ids the time axis is ids.shape[1]")
        return (ids != pad_id)[:, None, :]
    time = int(lengths.max()) if time is None else check_int("time", time, minimum=int(lengths.max()))
    return (np.arange(time)[None, :] < lengths[:, None])[:, None, :]


# ---------------------------------------------------------------------- multi-head attention
def project_heads(x: Any, kernel: Any, bias: Any) -> np.ndarray:
    """Return x W + b split into heads, shape (batch, heads, time, head_dim).

    ``kernel`` (d_in, heads, head_dim) and ``bias`` (heads, head_dim) as in Keras's query, key
    and value projections: head h sees x W[:, h] + b[h].
    """
    x = check_array("x", x, ndim=3)  # (batch, time, d_in)
    kernel, bias = check_array("kernel", kernel, ndim=3), check_array("bias", bias, ndim=2)
    d_in, heads, head_dim = kernel.shape
    if x.shape[-1] != d_in or bias.shape != (heads, head_dim):
        raise ValueError(f"kernel {kernel.shape} and bias {bias.shape} must be (d_in, heads, head_dim) "
                         f"and (heads, head_dim) with d_in = x.shape[-1] = {x.shape[-1]}")
    return _project(x, kernel, bias)


def _project(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Return x W + b split into heads (the kernel of project_heads, on checked arrays)."""
    d_in, heads, head_dim = kernel.shape
    batch, time = x.shape[0], x.shape[1]
    flat = x @ kernel.reshape(d_in, heads * head_dim) + bias.reshape(-1)  # (batch, time, heads*head_dim)
    return flat.reshape(batch, time, heads, head_dim).transpose(0, 2, 1, 3)  # (batch, heads, time, head_dim)


def combine_heads(context: Any, kernel: Any, bias: Any) -> np.ndarray:
    """Return Σ_h context_h W_o[h] + b_o = Concat(heads) W_o + b_o, shape (batch, time, d_out).

    ``context`` (batch, heads, time, head_dim), ``kernel`` (heads, head_dim, d_out) and ``bias``
    (d_out,) as in Keras's attention_output projection.
    """
    context = check_array("context", context, ndim=4)
    kernel, bias = check_array("kernel", kernel, ndim=3), check_array("bias", bias, ndim=1)
    batch, heads, time, head_dim = context.shape
    if kernel.shape[:2] != (heads, head_dim) or bias.shape != kernel.shape[2:]:
        raise ValueError(f"kernel {kernel.shape} and bias {bias.shape} must be (heads, head_dim, d_out) "
                         f"and (d_out,) with (heads, head_dim) = {(heads, head_dim)} from context")
    return _combine(context, kernel, bias)


def _combine(context: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Return Concat(heads) W_o + b_o (the kernel of combine_heads, on checked arrays)."""
    batch, heads, time, head_dim = context.shape
    merged = context.transpose(0, 2, 1, 3).reshape(batch, time, heads * head_dim)  # (batch, time, heads*head_dim)
    return merged @ kernel.reshape(heads * head_dim, -1) + bias


def _params(params: Any) -> dict[str, np.ndarray]:
    """Return the eight projection arrays of a MultiHeadAttention layer as a dict of float64 arrays."""
    if isinstance(params, Mapping):
        missing = [k for k in PARAM_NAMES if k not in params]
        if missing:
            raise ValueError(f"params needs the keys {PARAM_NAMES}, missing {missing}")
        values = [params[k] for k in PARAM_NAMES]
    elif isinstance(params, Sequence) and not isinstance(params, (str, bytes)) and len(params) == 8:
        values = list(params)
    else:
        raise TypeError(f"params must be a dict with keys {PARAM_NAMES} or the 8 arrays of "
                        f"layer.get_weights() (a layer with use_bias=True), got {_show(params)}")
    return {k: check_array(f"params['{k}']", v) for k, v in zip(PARAM_NAMES, values)}


def multi_head_attention(query: Any, value: Any, params: Any, *, key: Any = None, mask: Any = None,
                         use_causal_mask: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return (output (batch, T, d_out), weights (batch, heads, T, S)) of multi-head attention.

    head_h = Attention(X_q W_q[h] + b_q[h], X_k W_k[h] + b_k[h], X_v W_v[h] + b_v[h]) and
    output = Concat(head_1 ... head_H) W_o + b_o, with the weights of
    ``keras.layers.MultiHeadAttention`` (``params``: dict with keys PARAM_NAMES or
    ``layer.get_weights()``). ``key`` defaults to ``value``. ``mask`` is Keras's attention_mask,
    bool (batch, T, S) or broadcastable to it ((T, S) from causal_mask, (batch, 1, S) from
    padding_mask); ``use_causal_mask`` adds the causal mask (query i sees keys 0 ... i).
    """
    query = check_array("query", query)
    value = check_array("value", value)
    key = value if key is None else check_array("key", key)
    for name, array in (("query", query), ("key", key), ("value", value)):
        if array.ndim != 3:
            raise ValueError(f"{name} must have shape (batch, time, features), got {array.shape}")
    if not query.shape[0] == key.shape[0] == value.shape[0] or key.shape[1] != value.shape[1]:
        raise ValueError(f"query {query.shape}, key {key.shape} and value {value.shape} must share the "
                         f"batch size, and key and value the time length")
    p = _params(params)
    for name, x in (("query", query), ("key", key), ("value", value)):
        if p[f"{name}_kernel"].ndim != 3 or p[f"{name}_kernel"].shape[0] != x.shape[-1]:
            raise ValueError(f"params['{name}_kernel'] must be (d_in, heads, head_dim) with d_in = "
                             f"{name}.shape[-1] = {x.shape[-1]}, got {p[f'{name}_kernel'].shape}")
        if p[f"{name}_bias"].shape != p[f"{name}_kernel"].shape[1:]:
            raise ValueError(f"params['{name}_bias'] must be (heads, head_dim) = {p[f'{name}_kernel'].shape[1:]} "
                             f"like params['{name}_kernel'], got {p[f'{name}_bias'].shape}")
    if p["output_kernel"].ndim != 3 or p["output_bias"].shape != p["output_kernel"].shape[2:]:
        raise ValueError(f"params['output_kernel'] and params['output_bias'] must be (heads, head_dim, d_out) and "
                         f"(d_out,), got {p['output_kernel'].shape} and {p['output_bias'].shape}")
    q = _project(query, p["query_kernel"], p["query_bias"])  # (batch, heads, T, head_dim)
    k = _project(key, p["key_kernel"], p["key_bias"])  # (batch, heads, S, head_dim)
    v = _project(value, p["value_kernel"], p["value_bias"])  # (batch, heads, S, head_dim_v)
    if k.shape[1] != q.shape[1] or v.shape[1] != q.shape[1]:
        raise ValueError("params: the query, key and value kernels must have the same number of heads")
    batch, heads, time, source = q.shape[0], q.shape[1], q.shape[2], k.shape[2]
    full = None
    if mask is not None:
        full = _mask(mask, (batch, time, source))  # Keras's (batch, T, S) convention
        full = full[..., None, :, :] if full.ndim == 3 else full  # (batch, 1, T, S): same for every head
    if _bool("use_causal_mask", use_causal_mask):
        causal = np.tril(np.ones((time, source), dtype=bool))
        full = causal if full is None else full & causal
    if k.shape[-1] != q.shape[-1] or p["output_kernel"].shape[:2] != v.shape[1::2]:
        raise ValueError("params: the query and key kernels must have the same head_dim, and output_kernel "
                         "(heads, head_dim, d_out) must match the value kernel's heads and head_dim")
    context, weights = _attend(q, k, v, full)  # (batch, heads, T, head_dim_v)
    return _combine(context, p["output_kernel"], p["output_bias"]), weights



# --------------------------------------------------------------------- positional encoding
def sinusoidal_positions(time: int, d_model: int, *, base: float = 10000.0) -> np.ndarray:
    """Return the (time, d_model) sinusoidal positional encoding PE of Vaswani et al. (2017).

    PE[t, 2i] = sin(t / base^(2i/d_model)) and PE[t, 2i+1] = cos(t / base^(2i/d_model)):
    pair i turns at angular frequency ω_i = base^(−2i/d_model), so PE[t + k] is PE[t] with each
    pair rotated by the angle ω_i k, whatever t is. Every entry lies in [−1, 1].
    """
    time = check_int("time", time, minimum=1, maximum=MAX_TIME)
    d_model = check_int("d_model", d_model, minimum=2, maximum=MAX_WIDTH)
    check_elements("d_model", (time, d_model))
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin and cos come in pairs), got {d_model}")
    base = check_float("base", base, minimum=1.0, min_inclusive=False)
    frequencies = base ** (-np.arange(0, d_model, 2) / d_model)  # ω_i, (d_model / 2,)
    angles = np.arange(time)[:, None] * frequencies[None, :]  # (time, d_model / 2)
    table = np.empty((time, d_model))
    table[:, 0::2], table[:, 1::2] = np.sin(angles), np.cos(angles)
    return table
