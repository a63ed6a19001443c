"""A small decoder-only (GPT-style) Transformer language model in Keras 3 for notebook 08, its
forward pass in NumPy from the trained weights, and a KV-cache stepper for generation.

Like ``lstm_lm``'s LSTM, the model maps ids (batch, time) -> logits (batch, time, vocab_size), so
it trains on the same windows with ``lm.train`` and is scored by ``lm.evaluate_documents`` (which
reads long documents in windows of ``context``)::

    model = build_transformer_lm(TransformerConfig(vocab_size=len(vocab), context=128))
    lm.train(model, corpus.windows(128), epochs=3)
    logits, state = TransformerStepper(model).start([vocab.bos_id])   # then .step(state, id)

Each of the ``layers`` blocks is pre-norm: h = x + MHA(LN(x)) with causal self-attention, then
x' = h + MLP(LN(h)) with MLP(u) = GELU(u W₁ + b₁) W₂ + b₂. The input is x_t = E[id_t] + p_t
(learned or sinusoidal positions p) and the output logits_t = LN_f(x_t) Eᵀ (tied to the token
embedding E) or LN_f(x_t) U (untied); neither has a bias.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import keras
import numpy as np
from scipy.special import erf

from lmtutor import attention, lm
from lmtutor._validate import (
    MAX_VOCAB, MAX_WIDTH, _show, check_array, check_bool, check_elements, check_float, check_ids, check_int, check_type,
)

EPSILON = 1e-5  # LayerNormalization's ε (Keras's default is 1e-3)
MAX_LAYERS, MAX_MLP_RATIO = 1_000, 64  # the deepest stack of blocks and the widest MLP (times d_model)


@dataclass(frozen=True)
class TransformerConfig:
    """Size and training settings of :func:`build_transformer_lm`; checked when created."""

    vocab_size: int  # number of token ids, len(vocab): one output logit per id
    context: int = 128  # longest input the model reads: one position vector per position
    d_model: int = 64  # width of every token vector x_t
    heads: int = 4  # attention heads per block; each works in d_model / heads dimensions
    layers: int = 2  # number of Transformer blocks
    mlp_ratio: int = 4  # the MLP's hidden layer has mlp_ratio * d_model units
    dropout: float = 0.0  # dropout rate on attention weights, residual branches and the input
    tied_output: bool = True  # logits = LN(x) Eᵀ with the token embedding E; False: a separate U
    learned_positions: bool = True  # learned p_t (trained like E); False: sinusoidal, fixed
    learning_rate: float = 3e-3  # Adam's step size
    clip_norm: float = 1.0  # gradients are clipped to this global norm before each update
    seed: int = 0  # seeds every initializer and dropout mask of the model (no global seed is set)

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=5, maximum=MAX_VOCAB)
        check_int("context", self.context, minimum=1, maximum=attention.MAX_TIME)
        check_int("d_model", self.d_model, minimum=2, maximum=MAX_WIDTH)
        check_int("heads", self.heads, minimum=1, maximum=self.d_model)
        if self.d_model % self.heads:
            raise ValueError(f"d_model must be divisible by heads (each head gets d_model / heads "
                             f"dimensions), got d_model={self.d_model}, heads={self.heads}")
        if not self.learned_positions and self.d_model % 2:
            raise ValueError(f"d_model must be even for sinusoidal positions, got {self.d_model}")
        check_int("layers", self.layers, minimum=1, maximum=MAX_LAYERS)
        check_int("mlp_ratio", self.mlp_ratio, minimum=1, maximum=MAX_MLP_RATIO)
        check_elements("vocab_size", (self.vocab_size, self.d_model))
        check_elements("mlp_ratio", (self.d_model, self.mlp_ratio * self.d_model))
        check_float("dropout", self.dropout, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_bool("tied_output", self.tied_output)
        check_bool("learned_positions", self.learned_positions)
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)
        check_float("clip_norm", self.clip_norm, minimum=0.0, min_inclusive=False)
        check_int("seed", self.seed, minimum=0)


@keras.saving.register_keras_serializable(package="lmtutor")
class Positions(keras.layers.Layer):
    """Adds p_t, row t of a (context, d_model) table, to the token vector at position t."""

    def __init__(self, context: int, learned: bool = True, seed: int | None = None, **kwargs):
        check_int("context", context, minimum=1, maximum=attention.MAX_TIME)
        check_bool("learned", learned)
        if seed is not None:
            check_int("seed", seed, minimum=0)
        super().__init__(**kwargs)
        self.context, self.learned, self.seed = context, learned, seed

    def build(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
            raise ValueError(f"input_shape must be (batch, time, d_model): Positions adds to token vectors, got "
                             f"{_show(input_shape)}")
        d_model = check_int("input_shape[-1] (d_model)", input_shape[-1], minimum=1, maximum=MAX_WIDTH)
        self.table = self.add_weight(shape=(self.context, d_model), name="table", trainable=self.learned,
                                     initializer=keras.initializers.RandomNormal(stddev=0.02, seed=self.seed))
        if not self.learned:
            self.table.assign(attention.sinusoidal_positions(self.context, d_model))

    def call(self, x):
        message = f"ids has {{}} positions than context = {self.context}, the longest input this model reads"
        if x.shape[1] is not None and x.shape[1] > self.context:
            raise ValueError(message.format(f"{x.shape[1]}, more"))
        if x.shape[1] is None and keras.backend.backend() == "tensorflow":  # length known when run
            import tensorflow as tf

            check = tf.debugging.assert_less_equal(tf.shape(x)[1], self.context, message=message.format("more"))
            with tf.control_dependencies([check]):  # before the addition, whose shape error says less
                x = tf.identity(x)
        return x + self.table[None, : keras.ops.shape(x)[1]]

    def get_config(self):
        return {**super().get_config(), "context": self.context, "learned": self.learned, "seed": self.seed}


def build_transformer_lm(config: TransformerConfig) -> keras.Model:
    """Return a compiled model: ids (batch, time <= context) -> logits (batch, time, vocab_size).

    Blocks as in the module docstring, with ``keras.layers.MultiHeadAttention(use_causal_mask=True)``;
    the loss is -ln softmax(logits_t)[target_t] averaged over positions (from_logits=True), Adam
    with global-norm clipping, compiled without XLA (its compile time dominates short CPU runs).
    """
    check_type("config", config, TransformerConfig)
    c, layers, init = config, keras.layers, keras.initializers
    seeds = lm.layer_seeds(c.seed)  # one seed per initializer and dropout: no global seed is set

    def drop(x):
        return layers.Dropout(c.dropout, seed=next(seeds))(x) if c.dropout else x

    def dense(units, name, **options):
        return layers.Dense(units, name=name, kernel_initializer=init.GlorotUniform(seed=next(seeds)), **options)

    ids = keras.Input((None,), dtype="int32", name="ids")
    embedding = layers.ReversibleEmbedding(
        c.vocab_size, c.d_model, tie_weights=c.tied_output, name="token_embedding",
        embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds)))
    positions = Positions(c.context, c.learned_positions, seed=next(seeds), name="positions")
    x = drop(positions(embedding(ids)))  # (batch, time, d_model)
    if not c.tied_output:  # U would start from E's seed: give it its own
        shape = tuple(embedding.reverse_embeddings.shape)
        embedding.reverse_embeddings.assign(init.RandomUniform(-0.05, 0.05, seed=next(seeds))(shape))
    for i in range(c.layers):
        h = layers.LayerNormalization(epsilon=EPSILON, name=f"block{i}_norm1")(x)
        mha = layers.MultiHeadAttention(c.heads, key_dim=c.d_model // c.heads, dropout=c.dropout,
                                        seed=next(seeds), name=f"block{i}_attention",
                                        kernel_initializer=init.GlorotUniform(seed=next(seeds)))
        h = mha(h, h, use_causal_mask=True)
        # MultiHeadAttention gives its query, key, value and output projections copies of one
        # initializer (an unseeded one draws from Python's `random`; a seeded one would start them
        # equal): each projection is drawn again with its own seed.
        for projection in (mha._query_dense, mha._key_dense, mha._value_dense, mha._output_dense):
            shape = tuple(projection.kernel.shape)
            projection.kernel.assign(init.GlorotUniform(seed=next(seeds))(shape))
        x = layers.Add(name=f"block{i}_residual1")([x, drop(h)])
        h = layers.LayerNormalization(epsilon=EPSILON, name=f"block{i}_norm2")(x)
        h = dense(c.mlp_ratio * c.d_model, f"block{i}_mlp_hidden", activation="gelu")(h)
        h = dense(c.d_model, f"block{i}_mlp_output")(h)
        x = layers.Add(name=f"block{i}_residual2")([x, drop(h)])
    x = layers.LayerNormalization(epsilon=EPSILON, name="final_norm")(x)
    model = keras.Model(ids, embedding(x, reverse=True), name="transformer_lm")  # (batch, time, vocab)
    model.compile(optimizer=keras.optimizers.Adam(c.learning_rate, global_clipnorm=c.clip_norm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=False)
    return model


# ----------------------------------------------------------------------- the forward pass in NumPy
def numpy_weights(model: keras.Model) -> dict[str, Any]:
    """Return the model's weights as float64 arrays: the dict that :func:`forward` reads.

    Keys: token_embedding (vocab, d), positions (context, d), output (d, vocab), final_norm
    (γ, β), epsilon, and blocks: per block norm1, norm2 (γ, β), attention (attention.PARAM_NAMES
    -> array), mlp_hidden and mlp_output (kernel, bias).
    """
    check_type("model", model, keras.Model)
    names = {layer.name for layer in model.layers}
    if not {"token_embedding", "positions", "final_norm"} <= names:
        raise TypeError("model must be built by build_transformer_lm (it needs the layers "
                        "'token_embedding', 'positions', 'final_norm')")
    array = lambda w: np.asarray(w, dtype=np.float64)  # noqa: E731
    layer = model.get_layer
    embedding = layer("token_embedding")
    blocks = []
    for i in range(sum(name.endswith("_attention") for name in names)):
        mha = layer(f"block{i}_attention")
        blocks.append({
            "norm1": tuple(map(array, layer(f"block{i}_norm1").get_weights())),
            "attention": dict(zip(attention.PARAM_NAMES, map(array, mha.get_weights()))),
            "norm2": tuple(map(array, layer(f"block{i}_norm2").get_weights())),
            "mlp_hidden": tuple(map(array, layer(f"block{i}_mlp_hidden").get_weights())),
            "mlp_output": tuple(map(array, layer(f"block{i}_mlp_output").get_weights()))})
    table = array(embedding.embeddings.numpy())
    return {"token_embedding": table, "positions": array(layer("positions").table.numpy()), "blocks": blocks,
            "output": table.T if embedding.tie_weights else array(embedding.reverse_embeddings.numpy()),
            "final_norm": tuple(map(array, layer("final_norm").get_weights())), "epsilon": EPSILON}


def layer_norm(x: Any, gamma: Any, beta: Any, epsilon: float = EPSILON) -> np.ndarray:
    """Return LN(x) = γ ⊙ (x − μ) / √(σ² + ε) + β, with μ, σ² the mean and variance of the last axis."""
    x = check_array("x", x, min_ndim=1)
    if x.shape[-1] == 0:
        raise ValueError(f"x must have features along its last axis, got shape {x.shape}")
    gamma, beta = check_array("gamma", gamma, ndim=1), check_array("beta", beta, ndim=1)
    for name, array in (("gamma", gamma), ("beta", beta)):
        if array.shape != x.shape[-1:]:
            raise ValueError(f"{name} must have one entry per feature of x: shape {x.shape[-1:]}, got {array.shape}")
    return _layer_norm(x, gamma, beta, check_float("epsilon", epsilon, minimum=0.0, maximum=1.0, min_inclusive=False))


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, epsilon: float) -> np.ndarray:
    """Return LN(x) for checked float arrays (the kernel: forward and the stepper call it per block)."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray(gamma) * (x - mean) / np.sqrt(variance + epsilon) + np.asarray(beta)


def _mlp(u: np.ndarray, block: dict) -> np.ndarray:
    """Return GELU(u W₁ + b₁) W₂ + b₂ with the exact GELU(z) = z Φ(z) = z (1 + erf(z / √2)) / 2."""
    (w1, b1), (w2, b2) = block["mlp_hidden"], block["mlp_output"]
    z = u @ w1 + b1  # (..., mlp_ratio * d_model)
    return 0.5 * z * (1.0 + erf(z / math.sqrt(2.0))) @ w2 + b2


def forward(weights: Any, ids: Any, *, return_attention: bool = False):
    """Return the logits (batch, time, vocab) of the model in NumPy float64 for ids (batch, time).

    ``weights`` is :func:`numpy_weights`'s dict (or the Keras model itself). With
    ``return_attention`` also returns the attention weights of every block, a list of arrays
    (batch, heads, time, time): row i of a head says how much position i read each position j <= i.
    """
    if isinstance(weights, keras.Model):
        try:
            w = numpy_weights(weights)
        except TypeError as error:
            raise TypeError(f"weights must be a Transformer of build_transformer_lm or its numpy_weights: {error}") from None
    else:
        w = _check_weights(weights)
    check_bool("return_attention", return_attention)
    ids = check_ids("ids", ids, len(w["token_embedding"]), max_length=len(w["positions"]))
    if ids.ndim != 2:
        raise ValueError(f"ids must have shape (batch, time), got {ids.shape}")
    x = w["token_embedding"][ids] + w["positions"][: ids.shape[1]]  # (batch, time, d_model)
    maps = []
    causal = np.tri(ids.shape[1], dtype=bool)  # (time, time): query i sees keys 0 ... i
    for block in w["blocks"]:
        h, p = _layer_norm(x, *block["norm1"], w["epsilon"]), block["attention"]
        q, k, v = (attention._project(h, p[f"{n}_kernel"], p[f"{n}_bias"]) for n in ("query", "key", "value"))
        context, scores = attention._attend(q, k, v, causal)  # (batch, heads, time, head_dim)
        maps.append(scores)  # (batch, heads, time, time)
        x = x + attention._combine(context, p["output_kernel"], p["output_bias"])
        x = x + _mlp(_layer_norm(x, *block["norm2"], w["epsilon"]), block)
    logits = _layer_norm(x, *w["final_norm"], w["epsilon"]) @ w["output"]  # (batch, time, vocab)
    return (logits, maps) if return_attention else logits


def _check_weights(weights: Any) -> dict[str, Any]:
    """Return ``weights`` after checking it is numpy_weights's dict: every array present, finite, of matching shapes."""
    if not isinstance(weights, dict) or not {"token_embedding", "positions", "blocks", "output", "final_norm",
                                             "epsilon"} <= set(weights):
        raise TypeError(f"weights must be the dict from numpy_weights(model) (or the model), got {_show(weights)}")

    def array(name, value, shape):
        out = check_array(f"weights{name}", value, ndim=len(shape))
        if any(n is not None and n != m for n, m in zip(shape, out.shape)):
            raise ValueError(f"weights{name} must have shape {tuple('?' if n is None else n for n in shape)}, "
                             f"got {out.shape}")
        return out

    table = array("['token_embedding']", weights["token_embedding"], (None, None))
    size, d = table.shape
    array("['positions']", weights["positions"], (None, d))
    array("['output']", weights["output"], (d, size))
    check_float("weights['epsilon']", weights["epsilon"], minimum=0.0, maximum=1.0, min_inclusive=False)
    if not isinstance(weights["blocks"], list) or not weights["blocks"]:
        raise TypeError(f"weights['blocks'] must be a non-empty list of block dicts, got {_show(weights['blocks'])}")

    def pair(name, value, shapes):
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise TypeError(f"weights{name} must be a pair of arrays, got {_show(value)}")
        return [array(f"{name}[{i}]", v, shape) for i, (v, shape) in enumerate(zip(value, shapes))]

    pair("['final_norm']", weights["final_norm"], ((d,), (d,)))
    for i, block in enumerate(weights["blocks"]):
        where = f"['blocks'][{i}]"
        if not isinstance(block, dict) or not isinstance(block.get("attention"), dict):
            raise TypeError(f"weights{where} must be a block dict of numpy_weights, got {_show(block)}")
        for name in ("norm1", "norm2"):
            pair(f"{where}['{name}']", block.get(name), ((d,), (d,)))
        hidden = pair(f"{where}['mlp_hidden']", block.get("mlp_hidden"), ((d, None), (None,)))[0].shape[1]
        pair(f"{where}['mlp_output']", block.get("mlp_output"), ((hidden, d), (d,)))
        p = block["attention"]
        missing = [k for k in attention.PARAM_NAMES if k not in p]
        if missing:
            raise ValueError(f"weights{where}['attention'] is missing {missing}")
        heads, head_dim = array(f"{where}['attention']['query_kernel']", p["query_kernel"], (d, None, None)).shape[1:]
        for name in ("key_kernel", "value_kernel"):
            array(f"{where}['attention']['{name}']", p[name], (d, heads, head_dim))
        for name in ("query_bias", "key_bias", "value_bias"):
            array(f"{where}['attention']['{name}']", p[name], (heads, head_dim))
        array(f"{where}['attention']['output_kernel']", p["output_kernel"], (heads, head_dim, d))
        array(f"{where}['attention']['output_bias']", p["output_bias"], (d,))
    return weights


# ----------------------------------------------------------------------- KV-cache decoding
@dataclass(frozen=True)
class KVCache:
    """The decoding state: the keys and values of every position read so far, per block."""

    length: int  # positions read so far: the next token sits at position `length`
    keys: tuple  # per block, K (heads, length, head_dim); read-only arrays, never changed in place
    values: tuple  # per block, V (heads, length, head_dim)

    def __post_init__(self):  # O(blocks): made once per generated token
        check_int("length", self.length, minimum=1)
        for name in ("keys", "values"):
            arrays = getattr(self, name)
            if not isinstance(arrays, tuple) or not arrays or not all(
                    isinstance(a, np.ndarray) and a.ndim == 3 and a.shape[1] == self.length for a in arrays):
                raise TypeError(f"{name} must be a non-empty tuple of arrays (heads, length={self.length}, head_dim), "
                                f"one per block, got {_show(arrays)}")
        if len(self.keys) != len(self.values):
            raise ValueError(f"keys and values must hold one array per block each, got {len(self.keys)} and "
                             f"{len(self.values)}")


class TransformerStepper:
    """Decodes a model from :func:`build_transformer_lm` one token at a time with a KV cache.

    Implements the step-model protocol of ``lmtutor.generate`` (vocab_size, start, step,
    full_logits). start and step run in NumPy float64 on the weights the model has when the
    stepper is made. A new token's query attends to the cached keys K and values V of all earlier
    positions, so step t costs O(t·d) per block instead of re-encoding all t positions: the new
    row of softmax(q Kᵀ / √d_k) V is all that changes. Prompts longer than the context window,
    and steps beyond it, are a ValueError: the model has no position vector there.
    """

    def __init__(self, model: keras.Model):
        self.weights = numpy_weights(model)  # checks that model is one of build_transformer_lm
        self.model = model
        self.vocab_size = len(self.weights["token_embedding"])  # one logit per id
        self.context = len(self.weights["positions"])  # most positions a state can hold

    def _run(self, ids: np.ndarray, cache: KVCache | None) -> tuple[np.ndarray, KVCache]:
        """Return (logits (len(ids), vocab), cache) after reading ``ids`` at the positions after ``cache``."""
        w, start, n = self.weights, 0 if cache is None else cache.length, len(ids)
        x = (w["token_embedding"][ids] + w["positions"][start:start + n])[None]  # (1, n, d_model)
        # query i sits at position start + i and sees keys 0 ... start + i; one new query sees all
        mask = None if n == 1 else np.tri(n, start + n, k=start, dtype=bool)  # (n, start + n)
        keys, values = [], []
        for i, block in enumerate(w["blocks"]):
            h, p = _layer_norm(x, *block["norm1"], w["epsilon"]), block["attention"]  # the kernels: no per-token checks
            q = attention._project(h, p["query_kernel"], p["query_bias"])[0]  # (heads, n, head_dim)
            k = attention._project(h, p["key_kernel"], p["key_bias"])[0]
            v = attention._project(h, p["value_kernel"], p["value_bias"])[0]
            if cache is not None:  # new arrays: the old state stays valid for beam search
                k = np.concatenate([cache.keys[i], k], axis=1)  # (heads, start + n, head_dim)
                v = np.concatenate([cache.values[i], v], axis=1)
            k.flags.writeable = v.flags.writeable = False
            context, _ = attention._attend(q, k, v, mask)  # (heads, n, head_dim)
            x = x + attention._combine(context[None], p["output_kernel"], p["output_bias"])
            x = x + _mlp(_layer_norm(x, *block["norm2"], w["epsilon"]), block)
            keys.append(k)
            values.append(v)
        logits = _layer_norm(x[0], *w["final_norm"], w["epsilon"]) @ w["output"]  # (n, vocab)
        return logits, KVCache(start + n, tuple(keys), tuple(values))

    def start(self, prompt_ids: Sequence[int]) -> tuple[np.ndarray, KVCache]:
        """Return (logits (vocab_size,) for the token after the prompt, the KVCache of the prompt).

        The whole prompt is read in one causal pass; it must be non-empty (start with <bos>) and
        at most ``context`` tokens long.
        """
        ids = check_ids("prompt_ids", prompt_ids, self.vocab_size, max_length=self.context)
        if ids.ndim != 1:
            raise ValueError(f"prompt_ids must be one sequence of ids (1-D), got shape {ids.shape}")
        logits, cache = self._run(ids, None)
        return logits[-1], cache

    def step(self, state: KVCache, token_id: int) -> tuple[np.ndarray, KVCache]:
        """Return (logits (vocab_size,) for the token after ``token_id``, a new KVCache).

        ``token_id`` is read at position state.length; ``state`` itself is not changed. A state
        that already holds ``context`` positions cannot take another token (ValueError).
        """
        check_type("state", state, KVCache)
        blocks = self.weights["blocks"]
        if len(state.keys) != len(blocks) or state.keys[0].shape[0] != blocks[0]["attention"]["key_kernel"].shape[1]:
            raise ValueError(f"state must be a KVCache of this model ({len(blocks)} blocks), as start or step "
                             f"return it; got one of {len(state.keys)} blocks")
        token_id = check_int("token_id", token_id, minimum=0, maximum=self.vocab_size - 1)
        if state.length >= self.context:
            raise ValueError(f"state already holds {state.length} positions, the model's whole context "
                             f"window: step() has no position {state.length} (start() again on the last "
                             f"tokens to slide the window)")
        logits, cache = self._run(np.array([token_id]), state)
        return logits[-1], cache

    def full_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Return the Keras model's logits (len(ids), vocab_size) as float64, re-encoding ``ids``.

        Row t predicts the token after ids[t]: the O(t²) baseline and the oracle for start/step.
        """
        array = check_ids("ids", ids, self.vocab_size, max_length=self.context)
        if array.ndim != 1:
            raise ValueError(f"ids must be one sequence of ids (1-D), got shape {array.shape}")
        logits = self.model.predict_on_batch(array[None].astype(np.int32))
        return np.asarray(logits, dtype=np.float64)[0]
