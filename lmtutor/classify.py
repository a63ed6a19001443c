"""Text classification for notebooks 10 and 11: metrics, an n-gram baseline and neural classifiers.

One module for every classifier of the course. Labels are ints 0..K-1 (keep the names in a list);
texts are strings. Notebook 11 (sentiment) uses it exactly as notebook 10 (topics) does::

    from lmtutor import classify, datasets, lm
    base = classify.NgramClassifier(classify.NgramConfig(unit="char", ngram_max=2)).fit(train_texts, train_y)
    classify.accuracy(test_y, base.predict(test_texts)), classify.macro_f1(test_y, base.predict(test_texts))

    codec = classify.build_codec(train_texts, datasets.TextRecipe("char"), min_freq=2)
    X = classify.encode_texts(codec, train_texts)                 # (n, longest) ids, 0 = <pad>
    model = classify.build_classifier(classify.ClassifierConfig(len(codec.vocab), num_classes=2))
    lm.train(model, (X, np.asarray(train_y)), epochs=5)           # Input "x" read by Embedding "x_embedding"
    probs = classify.predict_proba(model, classify.encode_texts(codec, test_texts, max_len=X.shape[1]))

An empty text raises ValueError (there is nothing to classify). A text whose tokens are all unknown
gets a defined prediction: the n-gram baseline falls back on its intercepts (the class prior it
learned), the neural model reads <unk> ids. ``NgramClassifier.top_features`` lists the n-grams that
push a class up the most (which words drove a prediction, notebook 11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import keras
import numpy as np

from lmtutor import datasets, lm, quiet_retracing, text
from lmtutor._validate import (
    MAX_VOCAB, MAX_WIDTH, _show, check_array, check_choice, check_elements, check_float, check_ids, check_int,
    check_str, check_texts, check_type,
)

UNITS = ("char", "word")  # what NgramConfig n-grams are made of
ENCODERS = ("bag", "bilstm")  # ClassifierConfig.encoder: mean of embeddings, or a BiLSTM read
MAX_LEN = 10_000  # the longest padded row encode_texts makes
POOLINGS = ("mean", "max", "mean_max")  # build_ngram_bag: how the feature vectors become one vector


# ----------------------------------------------------------------------------------- metrics
def _labels(name: str, labels: Any) -> np.ndarray:
    """Return ``labels`` as a 1-D int64 array of non-negative class ids, non-empty."""
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of int class ids, got a str {_show(labels)}")
    array = check_ids(name, labels, MAX_VOCAB, allow_empty=True)
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one class id, got none")
    if array.ndim != 1:
        raise ValueError(f"{name} must be one row of class ids (1-D), got shape {array.shape}")
    return array


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    return y_true, y_pred


def accuracy(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    """Return the share of examples whose predicted class equals the true one: mean(y_pred == y_true)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int | None = None) -> np.ndarray:
    """Return the (K, K) int matrix C with C[i, j] = number of examples of true class i predicted as j.

    K is ``num_classes`` (default: 1 + the largest class id seen), as sklearn's
    ``confusion_matrix(y_true, y_pred, labels=range(K))``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    seen = int(max(y_true.max(), y_pred.max())) + 1
    k = seen if num_classes is None else check_int("num_classes", num_classes, minimum=1, maximum=MAX_WIDTH)
    if seen > k:
        raise ValueError(f"num_classes is {k}, but the labels hold class id {seen - 1}")
    check_elements("num_classes", (k, k))
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def f1_per_class(matrix: Any) -> np.ndarray:
    """Return F1_k = 2 P_k R_k / (P_k + R_k) per class of confusion matrix ``matrix`` (rows true, columns predicted).

    P_k = C[k, k] / column sum, R_k = C[k, k] / row sum; a 0/0 counts as 0, as in sklearn
    (equivalently F1_k = 2 C[k, k] / (row sum + column sum)).
    """
    matrix = check_array("matrix", matrix, ndim=2, allow_empty=False)
    if matrix.shape[0] != matrix.shape[1] or (matrix < 0).any() or (matrix != np.round(matrix)).any():
        raise ValueError(f"matrix must be a square matrix of counts (non-negative ints), got shape {matrix.shape}")
    both = matrix.sum(axis=0) + matrix.sum(axis=1)
    return np.divide(2 * np.diag(matrix), both, out=np.zeros(len(matrix)), where=both > 0)


def macro_f1(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    """Return the unweighted mean of F1 over the classes present in ``y_true`` or ``y_pred``.

    Equal to sklearn's ``f1_score(y_true, y_pred, average="macro")``: every class counts the same,
    however rare, so a model that never predicts a small class is punished (accuracy hides it).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    present = np.union1d(y_true, y_pred)
    return float(f1_per_class(confusion_matrix(y_true, y_pred))[present].mean())


# ------------------------------------------------------------------------- n-gram baseline
def _texts(name: str, texts: Any) -> list[str]:
    """Return ``texts`` as a non-empty list of non-empty strings."""
    return check_texts(name, texts, purpose="classify")


@dataclass(frozen=True)
class NgramConfig:
    """Settings of :class:`NgramClassifier`; checked when created."""

    unit: str = "char"  # "char": character n-grams (Chinese); "word": n-grams of text.tokenize_words (English)
    ngram_min: int = 1  # shortest n-gram used as a feature
    ngram_max: int = 2  # longest n-gram used as a feature
    min_df: int = 1  # an n-gram must occur in at least this many training texts to be a feature
    C: float = 10.0  # inverse L2 strength of the logistic regression (larger: weaker penalty)
    max_iter: int = 2000  # L-BFGS iterations at most

    def __post_init__(self):
        check_choice("unit", self.unit, UNITS)
        check_int("ngram_min", self.ngram_min, minimum=1, maximum=10)
        check_int("ngram_max", self.ngram_max, minimum=self.ngram_min, maximum=10)
        check_int("min_df", self.min_df, minimum=1)
        check_float("C", self.C, minimum=0.0, min_inclusive=False)
        check_int("max_iter", self.max_iter, minimum=1, maximum=100_000)


class NgramClassifier:
    """TF-IDF weighted n-grams -> multinomial logistic regression (scikit-learn), with checked inputs."""

    def __init__(self, config: NgramConfig = NgramConfig()):
        self.config = check_type("config", config, NgramConfig)
        self.vectorizer = self.model = self.classes_ = None

    def _analyze(self, string: str) -> list[str]:
        tokens = text.tokenize_chars(string) if self.config.unit == "char" else text.tokenize_words(string)
        sep = "" if self.config.unit == "char" else " "
        return [sep.join(tokens[i:i + n]) for n in range(self.config.ngram_min, self.config.ngram_max + 1)
                for i in range(len(tokens) - n + 1)]

    def fit(self, texts: Sequence[str], labels: Sequence[int]) -> "NgramClassifier":
        """Return self, fitted on ``texts`` with int class ids ``labels`` (at least two classes)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts, labels = _texts("texts", texts), _labels("labels", labels)
        if len(texts) != len(labels):
            raise ValueError(f"texts and labels must have the same length, got {len(texts)} and {len(labels)}")
        if len(np.unique(labels)) < 2:
            raise ValueError("labels must hold at least two classes to learn a classifier")
        self.vectorizer = TfidfVectorizer(analyzer=self._analyze, min_df=self.config.min_df, sublinear_tf=True)
        features = self.vectorizer.fit_transform(texts)
        # Newton-CG reaches L-BFGS's optimum (the same predictions on the HSK topics) in 4.5 s where scipy's
        # L-BFGS-B took 34 s on 2 busy cores (its BLAS threads); both are deterministic
        self.model = LogisticRegression(C=self.config.C, max_iter=self.config.max_iter, solver="newton-cg").fit(features, labels)
        self.classes_ = self.model.classes_
        return self

    def _features(self, texts: Any):
        if self.model is None:
            raise ValueError("this NgramClassifier is not fitted yet: call .fit(texts, labels) first")
        return self.vectorizer.transform(_texts("texts", texts))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return (len(texts), number of classes) probabilities, columns in the order of ``classes_``."""
        features = self._features(texts)
        return self.model.predict_proba(features)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Return the most probable class id per text (a text with no known n-gram gets the intercepts' class)."""
        probs = self.predict_proba(texts)
        return self.classes_[np.argmax(probs, axis=1)]

    def known_ngrams(self, string: str) -> int:
        """Return how many of ``string``'s n-grams (with repeats) are features of the fitted model."""
        check_str("string", string)
        if not string.strip():
            raise ValueError("string is empty: it has no n-gram")
        self._features([string])
        return sum(gram in self.vectorizer.vocabulary_ for gram in self._analyze(string))

    def top_features(self, label: int, k: int = 10) -> list[tuple[str, float]]:
        """Return the ``k`` n-grams whose weights raise class ``label``'s logit the most, with the weights."""
        if self.model is None:
            raise ValueError("this NgramClassifier is not fitted yet: call .fit(texts, labels) first")
        check_choice("label", check_int("label", label), self.classes_.tolist())
        k = check_int("k", k, minimum=1)
        row = self.model.coef_[0] * (1 if label == self.classes_[1] else -1) if len(self.classes_) == 2 \
            else self.model.coef_[list(self.classes_).index(label)]
        names = self.vectorizer.get_feature_names_out()
        order = np.argsort(-row, kind="stable")[:k]
        return [(str(names[i]), float(row[i])) for i in order]


# ------------------------------------------------------------------------- neural classifier
def build_codec(texts: Sequence[str], recipe: datasets.TextRecipe, *, min_freq: int = 2,
                max_size: int | None = None) -> datasets.TextCodec:
    """Return a TextCodec: ``recipe`` with a vocabulary of the tokens seen ``min_freq`` times in ``texts``."""
    texts = _texts("texts", texts)
    check_type("recipe", recipe, datasets.TextRecipe)
    return datasets.TextCodec(recipe, text.Vocab.build([recipe.tokens(s) for s in texts],
                                                       min_freq=min_freq, max_size=max_size))


def encode_texts(codec: datasets.TextCodec, texts: Sequence[str], *, max_len: int | None = None) -> np.ndarray:
    """Return (len(texts), L) int32 ids, each row the text's tokens padded with 0 (<pad>) on the right.

    L is ``max_len`` (longer texts are cut after ``max_len`` tokens) or the longest text. Unknown
    tokens become <unk> (id 1) silently; a text with no token at all raises ValueError.
    """
    check_type("codec", codec, datasets.TextCodec)
    texts = _texts("texts", texts)
    rows = [codec.vocab.encode(codec.tokens(s)) for s in texts]
    for i, row in enumerate(rows):
        if not row:
            raise ValueError(f"texts[{i}] {_show(texts[i])} has no tokens under the codec's recipe")
    width = max(map(len, rows)) if max_len is None else check_int("max_len", max_len, minimum=1, maximum=MAX_LEN)
    check_elements("texts", (len(rows), min(width, MAX_LEN)))
    out = np.zeros((len(rows), min(width, MAX_LEN)), dtype=np.int32)
    for i, row in enumerate(rows):
        row = row[:out.shape[1]]
        out[i, :len(row)] = row
    return out


@dataclass(frozen=True)
class ClassifierConfig:
    """Size and training settings of :func:`build_classifier`; checked when created."""

    vocab_size: int  # number of token ids, len(codec.vocab); id 0 is <pad> and is masked
    num_classes: int  # number of labels: one output logit each
    encoder: str = "bag"  # "bag": mean of the token vectors; "bilstm": forward and backward LSTM, final states
    embedding_dim: int = 64  # length of each token's learned vector
    hidden_size: int = 64  # LSTM units per direction ("bilstm" only)
    dropout: float = 0.0  # share of the text vector zeroed in training (inverted dropout)
    learning_rate: float = 0.005  # Adam's step size
    seed: int = 0  # seeds every initializer and dropout mask (no global seed is set)

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=5, maximum=MAX_VOCAB)
        check_int("num_classes", self.num_classes, minimum=2, maximum=MAX_WIDTH)
        check_choice("encoder", self.encoder, ENCODERS)
        check_int("embedding_dim", self.embedding_dim, minimum=1, maximum=MAX_WIDTH)
        check_int("hidden_size", self.hidden_size, minimum=1, maximum=MAX_WIDTH)
        check_elements("vocab_size", (self.vocab_size, self.embedding_dim))
        check_float("dropout", self.dropout, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)
        check_int("seed", self.seed, minimum=0)


def build_classifier(config: ClassifierConfig) -> keras.Model:
    """Return a compiled model: ids (batch, time) -> logits (batch, num_classes).

    "bag" (an embedding bag): h = mean of E[x_t] over the tokens that are not <pad>;
    "bilstm": h = [forward LSTM's last state; backward LSTM's last state], padding skipped.
    logits = h W + b, loss = −ln softmax(logits)[label] (from_logits=True, no softmax layer).
    Input "x" is read by Embedding "x_embedding" with mask_zero=True, so ``lm.train`` checks the
    ids against the vocabulary and the labels against the logits.
    """
    check_type("config", config, ClassifierConfig)
    seeds, init = lm.layer_seeds(config.seed), keras.initializers
    ids = keras.Input((None,), dtype="int32", name="x")
    h = keras.layers.Embedding(config.vocab_size, config.embedding_dim, mask_zero=True, name="x_embedding",
                               embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds)))(ids)
    if config.encoder == "bag":
        h = keras.layers.GlobalAveragePooling1D(name="mean")(h)  # masked mean: <pad> is left out
    else:
        lstm = keras.layers.LSTM(config.hidden_size, name="lstm", kernel_initializer=init.GlorotUniform(seed=next(seeds)),
                                 recurrent_initializer=init.Orthogonal(seed=next(seeds)))
        h = keras.layers.Bidirectional(lstm, name="bilstm")(h)
    if config.dropout:
        h = keras.layers.Dropout(config.dropout, name="dropout", seed=next(seeds))(h)
    logits = keras.layers.Dense(config.num_classes, name="logits",
                                kernel_initializer=init.GlorotUniform(seed=next(seeds)))(h)
    model = keras.Model(ids, logits, name=f"classifier_{config.encoder}")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def predict_proba(model: keras.Model, ids: Any, *, batch_size: int = 256) -> np.ndarray:
    """Return softmax(logits) of ``model`` for the rows of ``ids`` (encode_texts): (rows, num_classes)."""
    check_type("model", model, keras.Model)
    if len(model.inputs) != 1 or len(model.outputs[0].shape) != 2 or "x_embedding" not in [l.name for l in model.layers]:
        raise ValueError(f"model must be a text classifier (build_classifier: ids -> one row of logits per text), "
                         f"got {model.name!r} with output shape {tuple(model.outputs[0].shape)}")
    ids = check_ids("ids", ids, lm.input_sizes(model)[0])
    if ids.ndim != 2:
        raise ValueError(f"ids must be a (texts, tokens) array from encode_texts, got shape {ids.shape}")
    if not (ids != 0).any(axis=1).all():
        raise ValueError(f"ids row {int(np.argmin((ids != 0).any(axis=1)))} is all <pad>: an empty text")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    with quiet_retracing():  # a new text length is a new input shape: Keras traces again, as designed
        logits = np.asarray(model.predict(ids.astype(np.int32), batch_size=batch_size, verbose=0), dtype=np.float64)
    logits -= logits.max(axis=-1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=-1, keepdims=True)


def predict(model: keras.Model, ids: Any, *, batch_size: int = 256) -> np.ndarray:
    """Return the most probable class id per row of ``ids``: argmax of :func:`predict_proba`."""
    return np.argmax(predict_proba(model, ids, batch_size=batch_size), axis=-1)


@keras.saving.register_keras_serializable(package="lmtutor")
class _MaskedMax(keras.layers.Layer):
    """Max over time of each vector component, over the steps whose mask is True: (batch, time, d) -> (batch, d).

    Keras's GlobalMaxPooling1D ignores the mask, so <pad> vectors would enter the max (and the
    result would depend on how far a row is padded); here a masked step gets −1e9 first. A row
    must have at least one unmasked step (``predict_proba`` rejects all-<pad> rows).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return keras.ops.max(inputs, axis=1)
        keep = keras.ops.expand_dims(keras.ops.cast(mask, inputs.dtype), -1)
        return keras.ops.max(inputs + (keep - 1.0) * 1e9, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None  # one vector per row: nothing left to mask

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def build_ngram_bag(vocab_size: int, *, embedding_dim: int = 16, dropout: float = 0.5, learning_rate: float = 0.005,
                    decay_steps: int | None = None, num_classes: int = 2, seed: int = 0, pooling: str = "mean"):
    """Return a compiled fastText-style embedding bag: feature ids (batch, time) -> logits (batch, classes).

    ``pooling`` (one of POOLINGS) makes one vector h of the vectors E[x_t] of the ids that are not
    0 (<pad>), E a (vocab_size, embedding_dim) table: "mean" h = their mean (fastText); "max" h =
    their component-wise max (a masked max, layer "max"); "mean_max" h = [mean; max], 2 ·
    embedding_dim wide, layers "mean" and "max" joined by "mean_max". The max lets one strong
    feature (差评, 失望) count however long the review is, where the mean dilutes it: on the Chinese
    reviews [mean; max] scored higher on validation than the mean alone for 8 of 9 seeds and for
    every average of three bags (``sentiment.NGRAM_BAG``, benchmarks/README.md), for about a fifth
    more training time.
    In training a share ``dropout`` of h is zeroed (inverted dropout); logits = h W + b, loss
    −ln softmax(logits)[label]. Adam's step size is ``learning_rate``, or, with ``decay_steps``,
    learning_rate · ½(1 + cos(π · min(step, decay_steps) / decay_steps)): from ``learning_rate``
    down to 0 after ``decay_steps`` steps (``sentiment.cosine_steps``). Layers as in
    :func:`build_classifier` (Input "x", Embedding "x_embedding" with mask_zero=True, Dense
    "logits"), so ``lm.train``, :func:`predict_proba` and ``lmtutor.explain`` take it. Every
    initializer and the dropout mask are seeded from ``seed`` (no global seed is set).
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=5, maximum=MAX_VOCAB)
    embedding_dim = check_int("embedding_dim", embedding_dim, minimum=1, maximum=MAX_WIDTH)
    check_elements("vocab_size", (vocab_size, embedding_dim))
    dropout = check_float("dropout", dropout, minimum=0.0, maximum=1.0, max_inclusive=False)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, min_inclusive=False)
    if decay_steps is not None:
        decay_steps = check_int("decay_steps", decay_steps, minimum=1)
    num_classes = check_int("num_classes", num_classes, minimum=2, maximum=MAX_WIDTH)
    pooling = check_choice("pooling", pooling, POOLINGS)
    seeds, init = lm.layer_seeds(check_int("seed", seed, minimum=0)), keras.initializers
    ids = keras.Input((None,), dtype="int32", name="x")
    e = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="x_embedding",
                               embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds)))(ids)
    pooled = []
    if pooling in ("mean", "mean_max"):
        pooled.append(keras.layers.GlobalAveragePooling1D(name="mean")(e))  # masked mean: <pad> is left out
    if pooling in ("max", "mean_max"):
        pooled.append(_MaskedMax(name="max")(e))  # masked max: <pad> is left out
    h = pooled[0] if len(pooled) == 1 else keras.layers.Concatenate(name="mean_max")(pooled)
    if dropout:
        h = keras.layers.Dropout(dropout, name="dropout", seed=next(seeds))(h)
    logits = keras.layers.Dense(num_classes, name="logits", kernel_initializer=init.GlorotUniform(seed=next(seeds)))(h)
    model = keras.Model(ids, logits, name="ngram_bag")
    step_size = learning_rate if decay_steps is None else keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
    model.compile(optimizer=keras.optimizers.Adam(step_size),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model
