"""Which tokens drove a classifier's prediction: gradient x input, occlusion, integrated gradients.

For a Keras text classifier whose Input "x" (token ids) is read by an Embedding named
"x_embedding" (``classify.build_classifier`` builds them; notebooks 11 and 14 explain them). Every
method explains one text, given as its 1-D token ids (no <pad>), and scores the same quantity, the
target class's log-odds f(x) = ln p_target − ln(1 − p_target) = logit_target − logsumexp of the
other logits, so a positive score pushes towards the target class::

    from lmtutor import explain
    ids = codec.vocab.encode(codec.tokens("质量很好，就是太贵了"))
    explain.gradient_x_input(model, ids)        # (T,) e_t · ∂f/∂e_t, one backward pass
    explain.occlusion(model, ids)               # (T,) f(x) − f(x without token t), T forward passes
    ig = explain.integrated_gradients(model, ids, baseline="zeros")
    ig.scores.sum(), ig.value - ig.baseline_value   # equal up to the Riemann-sum error (completeness)

The gradient methods differentiate with respect to the token vectors e_t (the Embedding's output),
so the model is run with those vectors fed in place of the lookup; the ids still give the mask.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any, NamedTuple

import keras
import numpy as np

from lmtutor._validate import _show, check_array, check_choice, check_float, check_ids, check_int, check_type
from lmtutor.text import Vocab

EMBEDDING = "x_embedding"  # the layer every method reads the token vectors from
MAX_STEPS = 1_000  # integrated-gradients steps at most


class _Fields(NamedTuple):
    scores: np.ndarray  # (T,) attribution of each token; sums to about value - baseline_value
    value: float  # f(x): the target's log-odds for the text
    baseline_value: float  # f(x'): the log-odds with every token vector set to the baseline's


class IntegratedGradients(_Fields):
    """The result of :func:`integrated_gradients`: per-token scores and the two ends of the path."""

    __slots__ = ()

    def __new__(cls, scores: Any, value: float, baseline_value: float):
        scores = check_array("scores", scores, ndim=1)
        return super().__new__(cls, scores, check_float("value", value), check_float("baseline_value", baseline_value))


def _embedding(model: Any) -> keras.layers.Embedding:
    check_type("model", model, keras.Model)
    try:
        layer = model.get_layer(EMBEDDING)
    except ValueError:
        raise ValueError(f"model must read its token ids through an Embedding layer named {EMBEDDING!r} "
                         f"(classify.build_classifier builds such models), got {model.name!r}") from None
    if not isinstance(layer, keras.layers.Embedding):
        raise ValueError(f"model's layer {EMBEDDING!r} must be a keras.layers.Embedding, got {type(layer).__name__}")
    return layer


def _inputs(model: Any, ids: Any, target: Any) -> tuple[keras.layers.Embedding, np.ndarray, int]:
    """Return the model's embedding layer, ``ids`` as a checked 1-D int32 array, and ``target``."""
    layer = _embedding(model)
    ids = check_ids("ids", ids, int(layer.input_dim))
    if ids.ndim != 1:
        raise ValueError(f"ids must be one text, a 1-D list of token ids, got shape {ids.shape}")
    if (ids == Vocab.pad_id).any():
        raise ValueError(f"ids must not hold <pad> ({Vocab.pad_id}): pass the text's own ids, unpadded, "
                         f"got {_show(ids.tolist())}")
    classes = int(model.outputs[0].shape[-1])
    target = check_int("target", target, minimum=0, maximum=classes - 1)
    return layer, ids.astype(np.int32), target


def _log_odds(logits: Any, target: int):
    """Return f = logit_target − logsumexp of the other logits, per row (a backend tensor)."""
    ops = keras.ops
    others = ops.concatenate([logits[:, :target], logits[:, target + 1:]], axis=1)
    return logits[:, target] - ops.logsumexp(others, axis=1)


@contextlib.contextmanager
def _vectors_fed(layer: keras.layers.Embedding, holder: dict):
    """Within the block, ``layer`` returns holder["vectors"] instead of looking the ids up (its mask
    still comes from the ids)."""
    layer.call = lambda inputs, *args, **kwargs: holder["vectors"]
    try:
        yield
    finally:
        del layer.call


def _values_and_gradients(model, layer, ids: np.ndarray, vectors: np.ndarray, target: int):
    """Return f and ∂f/∂vectors for rows of ``ids`` (B, T) with token vectors ``vectors`` (B, T, D).

    The forward and backward pass run as one TensorFlow graph, traced once per model and target for
    any B and T (:func:`_gradient_function`): run eagerly, a BiLSTM costs a Python step per token.
    """
    import tensorflow as tf

    value, gradient = _gradient_function(model, layer, target)(tf.constant(ids, dtype=tf.int32),
                                                                 tf.constant(vectors, dtype=tf.float32))
    return np.asarray(value, dtype=np.float64), np.asarray(gradient, dtype=np.float64)


_GRADIENT_FUNCTIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # model -> {target: function}


def _gradient_function(model, layer: keras.layers.Embedding, target: int):
    """Return a ``tf.function`` (ids (B, T), vectors (B, T, D)) -> (f (B,), ∂f/∂vectors (B, T, D)) for
    ``model``, made on first use and kept while the model lives. Within it the embedding layer
    returns the vectors fed in (its mask still comes from the ids)."""
    import tensorflow as tf

    functions = _GRADIENT_FUNCTIONS.setdefault(model, {})
    if target not in functions:
        model_ref, layer_ref = weakref.ref(model), weakref.ref(layer)  # the cache must not keep the model alive
        spec = [tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None, None, int(layer.output_dim)), tf.float32)]

        @tf.function(input_signature=spec)
        def values_and_gradients(ids, vectors):
            holder = {"vectors": vectors}
            with _vectors_fed(layer_ref(), holder), tf.GradientTape() as tape:
                tape.watch(vectors)
                value = _log_odds(model_ref()(ids, training=False), target)
            gradient = tape.gradient(value, vectors)
            if gradient is None:  # pragma: no cover - a model that does not use its embedding
                raise ValueError("the model's output does not depend on its token vectors: nothing to explain")
            return value, gradient

        functions[target] = values_and_gradients
    return functions[target]


def _table(layer: keras.layers.Embedding) -> np.ndarray:
    return np.asarray(layer.get_weights()[0], dtype=np.float32)


def log_odds(model: keras.Model, ids: Any, *, target: int = 1) -> float:
    """Return f(x) = ln p_target − ln(1 − p_target) of the text ``ids`` (1-D, unpadded)."""
    layer, ids, target = _inputs(model, ids, target)
    logits = model(ids[None, :], training=False)
    return float(keras.ops.convert_to_numpy(_log_odds(logits, target))[0])


def gradient_x_input(model: keras.Model, ids: Any, *, target: int = 1) -> np.ndarray:
    """Return (T,) scores s_t = e_t · ∂f/∂e_t: each token vector times the gradient of the target's
    log-odds f with respect to it (one backward pass). For a model linear in the vectors (an
    embedding bag with a linear head) they sum to f(x) − f(0)."""
    layer, ids, target = _inputs(model, ids, target)
    vectors = _table(layer)[ids][None]  # (1, T, D)
    _, gradient = _values_and_gradients(model, layer, ids[None], vectors, target)
    return (vectors[0] * gradient[0]).sum(axis=-1)


def occlusion(model: keras.Model, ids: Any, *, target: int = 1, mode: str = "remove") -> np.ndarray:
    """Return (T,) scores s_t = f(x) − f(x with token t occluded), from T + 1 forward passes.

    ``mode`` "remove" deletes token t (the text is one token shorter); "unk" replaces it by <unk>
    (id 1). Removing the only token of a one-token text would leave no text: that is a ValueError
    (use mode="unk").
    """
    layer, ids, target = _inputs(model, ids, target)
    check_choice("mode", mode, ("remove", "unk"))
    if mode == "remove" and len(ids) == 1:
        raise ValueError("occlusion by removal needs a text of two tokens or more (removing the only one leaves "
                         "nothing to classify): use mode='unk'")
    rows = np.zeros((len(ids) + 1, len(ids)), dtype=np.int32)  # row 0: the text; row t + 1: without token t
    rows[0] = ids
    for t in range(len(ids)):
        variant = np.delete(ids, t) if mode == "remove" else np.where(np.arange(len(ids)) == t, Vocab.unk_id, ids)
        rows[t + 1, :len(variant)] = variant  # removal: <pad> at the end, masked
    logits = model.predict_on_batch(rows)
    values = np.asarray(keras.ops.convert_to_numpy(_log_odds(keras.ops.convert_to_tensor(logits), target)),
                        dtype=np.float64)
    return values[0] - values[1:]


def integrated_gradients(model: keras.Model, ids: Any, *, target: int = 1, baseline: Any = "zeros",
                         steps: int = 64) -> IntegratedGradients:
    """Return the integrated gradients of the target's log-odds f along the straight path from the
    baseline's token vectors e' to the text's vectors e (Sundararajan, Taly, Yan 2017):

        s_t = Σ_d (e_td − e'_td) · (1/m) Σ_{k=1..m} ∂f/∂e_td at e' + ((k − ½)/m)(e − e')

    (the midpoint rule with m = ``steps``). Completeness: Σ_t s_t ≈ f(e) − f(e'), exact as m grows.
    ``baseline``: "zeros" (a zero vector at every position, the default), "unk" (the <unk> vector at
    every position) or an array of shape (T, D). The mask (which positions are tokens) is the text's
    along the whole path.
    """
    layer, ids, target = _inputs(model, ids, target)
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    table = _table(layer)
    vectors = table[ids]  # (T, D)
    if isinstance(baseline, str):
        check_choice("baseline", baseline, ("zeros", "unk"))
        start = np.zeros_like(vectors) if baseline == "zeros" else np.tile(table[Vocab.unk_id], (len(ids), 1))
    elif not isinstance(baseline, (np.ndarray, list, tuple)):
        raise TypeError(f"baseline must be 'zeros', 'unk' or an array (tokens, embedding_dim), "
                        f"got {type(baseline).__name__} {_show(baseline)}")
    else:
        start = check_array("baseline", baseline).astype(np.float32)
        if start.shape != vectors.shape:
            raise ValueError(f"baseline must have the shape of the text's token vectors {vectors.shape} "
                             f"(tokens, embedding_dim), got {start.shape}")
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps  # midpoints
    path = start[None] + alphas[:, None, None] * (vectors - start)[None]  # (m, T, D)
    total = np.zeros_like(vectors, dtype=np.float64)
    for first in range(0, steps, 32):  # 32 points of the path per batch
        chunk = path[first:first + 32]
        _, gradient = _values_and_gradients(model, layer, np.tile(ids, (len(chunk), 1)), chunk, target)
        total += gradient.sum(axis=0)
    scores = ((vectors - start) * total / steps).sum(axis=-1)
    ends, _ = _values_and_gradients(model, layer, np.tile(ids, (2, 1)), np.stack([vectors, start]), target)
    return IntegratedGradients(scores, float(ends[0]), float(ends[1]))
