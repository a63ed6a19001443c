"""The one seam of every language model of the course: seeded layers, training, document scoring.

A language model here is any Keras model that maps ids (batch, time) -> logits (batch, time,
vocab_size) (the LSTM of notebook 04, the Transformer of notebook 08) or a window of ids ->
logits of the next token (notebook 06's MLP). All of them train through :func:`train` and the
sequence models are scored through :func:`evaluate_documents`, so their numbers compare::

    history = lm.train(model, corpus.windows(100), valid_documents=corpus.ids("valid"), epochs=3)
    lm.evaluate_documents(model, corpus.ids("test"))["bits_per_token"]   # as the n-gram models
    seeds = lm.layer_seeds(0); keras.layers.Dense(8, kernel_initializer=GlorotUniform(next(seeds)))
"""

from __future__ import annotations

import math
import time
from typing import Any, Iterator, Sequence

import keras
import numpy as np

from lmtutor import losses, quiet_retracing
from lmtutor._validate import (
    MAX_STEPS, _show, check_bool, check_float, check_ids, check_int, check_path, check_type,
)
from lmtutor.text import Vocab


# --------------------------------------------------------------------------------------- seeds
def layer_seeds(seed: int) -> Iterator[int]:
    """Return an endless iterator of distinct int seeds derived from ``seed``: one per initializer.

    A seeded Keras initializer gives the same values on every call, so two layers of the same shape
    seeded alike would start equal; builders draw one seed per initializer (and per Dropout) from
    here instead of calling ``keras.utils.set_random_seed``, which resets the session's global RNGs.
    """
    return _seeds(check_int("seed", seed, minimum=0))  # checked now, not at the first next()


def _seeds(seed: int) -> Iterator[int]:
    index = 0
    while True:
        yield int(np.random.SeedSequence([seed, index]).generate_state(1)[0] % (2**31 - 1))
        index += 1


def model_context(model: keras.Model) -> int | None:
    """Return the longest input ``model`` reads (its layer "positions" has ``context``), or None.

    The small protocol of :func:`evaluate_documents`: a Transformer has one position vector per
    position and a finite context; a recurrent model reads any length (None).
    """
    check_type("model", model, keras.Model)
    for layer in model.layers:
        if layer.name == "positions" and isinstance(getattr(layer, "context", None), int):
            return layer.context
    return None


def vocab_size(model: keras.Model) -> int:
    """Return the number of logits ``model`` outputs per position: its vocabulary size."""
    check_type("model", model, keras.Model)
    return int(model.outputs[0].shape[-1])


def input_sizes(model: keras.Model) -> list[int]:
    """Return how many token ids each input of ``model`` accepts, in the order of ``model.inputs``.

    A language model has one input and reads the ids it predicts: [vocab_size(model)]. A model with
    several inputs (an encoder-decoder reads source and target ids) names them; input "x" is read by
    the Embedding layer named "x_embedding", and its ``input_dim`` is the bound. A one-input model
    whose input is named that way (a text classifier or a tagger: token ids in, labels out) is bound
    by that Embedding too, not by the number of labels it predicts.
    """
    check_type("model", model, keras.Model)
    if len(model.inputs) == 1:
        name = model.inputs[0].name.split(":")[0]
        try:
            return [int(model.get_layer(f"{name}_embedding").input_dim)]
        except ValueError:
            return [vocab_size(model)]
    sizes = []
    for tensor in model.inputs:
        name = tensor.name.split(":")[0]
        try:
            sizes.append(int(model.get_layer(f"{name}_embedding").input_dim))
        except ValueError:
            raise ValueError(f"model input {name!r} has no Embedding layer named {name + '_embedding'!r}: "
                             f"lm.train cannot check its ids") from None
    return sizes


# ------------------------------------------------------------------------------------ training
def _pair(name: str, data: Any, size: int, context: int | None, sizes: list[int],
          shapes: tuple | None = None) -> tuple[Any, np.ndarray]:
    """Return (inputs, targets) as checked int arrays with the same number of examples.

    Targets are ids below ``size``; inputs are ids below ``sizes[0]`` (:func:`input_sizes`), and with
    several model inputs a tuple of arrays, one per input.
    """
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (inputs, targets), got {_show(data)}")
    if len(sizes) > 1:
        if not isinstance(data[0], (tuple, list)) or len(data[0]) != len(sizes):
            raise TypeError(f"{name} inputs must be a tuple of {len(sizes)} id arrays, one per model "
                            f"input, got {_show(data[0])}")
        targets = check_ids(f"{name} targets", data[1], size)
        inputs = tuple(check_ids(f"{name} inputs[{i}]", x, bound).astype(np.int32)
                       for i, (x, bound) in enumerate(zip(data[0], sizes)))
        if any(len(x) != len(targets) for x in inputs) or targets.size == 0:
            raise ValueError(f"{name}: inputs {[x.shape for x in inputs]} and targets {targets.shape} must "
                             f"be non-empty with the same number of examples")
        return inputs, targets.astype(np.int32)
    inputs = check_ids(f"{name} inputs", data[0], sizes[0], max_length=context)
    targets = check_ids(f"{name} targets", data[1], size, max_length=context)
    if inputs.shape[:targets.ndim] != targets.shape[:inputs.ndim] or len(inputs) != len(targets) or inputs.size == 0:
        raise ValueError(f"{name}: inputs {inputs.shape} and targets {targets.shape} must be non-empty "
                         f"with the same number of examples")
    if shapes is not None:
        (input_shape,), output_shape = shapes
        if inputs.ndim != len(input_shape) or any(w is not None and w != n for w, n in zip(input_shape[1:], inputs.shape[1:])):
            raise ValueError(f"{name} inputs have shape {inputs.shape}, but the model reads "
                             f"{tuple(input_shape)} (None: any size)")
        if targets.ndim != len(output_shape) - 1:
            raise ValueError(f"{name} targets have shape {targets.shape}, but the model's logits are "
                             f"{tuple(output_shape)}: one target id per logits row, shape {tuple(output_shape[:-1])}")
    return inputs.astype(np.int32), targets.astype(np.int32)


class _Budget(keras.callbacks.Callback):
    """Stops ``model.fit`` after the batch during which ``max_seconds`` since ``begin`` have passed."""

    def __init__(self, begin: float, max_seconds: float | None):
        super().__init__()
        self.begin, self.max_seconds, self.spent = begin, max_seconds, False

    def on_train_batch_end(self, batch, logs=None):
        if self.max_seconds is not None and time.perf_counter() - self.begin >= self.max_seconds:
            self.spent = self.model.stop_training = True  # Keras ends the epoch after this batch


def _line(record: dict, epochs: int, report: str, seconds: float, note: str) -> str:
    """Return the progress line of one epoch."""
    parts = [f"epoch {record['epoch']}/{epochs}"]
    for key, label in ((report, "train"), (f"val_{report}", "valid")):
        if key in record:
            parts.append(f"{label} {record[key]:.3f} nats = {record[key] / math.log(2):.3f} bits")
    if "valid_bits" in record:
        parts.append(f"valid documents {record['valid_bits']:.3f} bits/token")
    return "  ".join(parts) + f"  ({seconds:.1f} s){note}"


def train(model: keras.Model, train_data: Any, *, valid_data: Any = None, valid_documents: Any = None,
          epochs: int = 1, batch_size: int = 64, max_seconds: float | None = None, verbose: bool = True,
          seed: int = 0, patience: int | None = None, restore_best: bool = False,
          report: str = "loss", valid_batch_size: int = 16, log_dir: Any = None) -> dict[str, Any]:
    """Return the training history: lists "loss" (and "val_loss", "valid_bits"), "seconds" (since
    the start, after each epoch) and "epochs" (one dict per epoch), "best_epoch" (1-based, None
    without validation), "stopped".

    ``train_data`` and ``valid_data`` are pairs (inputs, targets) of token ids, checked against the
    model's vocabulary before Keras sees them; for a model with several inputs (an encoder-decoder:
    (source, target shifted right)) inputs is a tuple of arrays, each checked against
    :func:`input_sizes`. Each epoch is one ``model.fit`` pass over the examples in the order of a
    permutation drawn from ``np.random.default_rng(seed)`` (the loop seeds its own shuffling: no
    global seed is read or set). ``valid_documents`` (id lists) are
    scored after every epoch by :func:`evaluate_documents` ("valid_bits", comparable with the
    n-gram models; ``valid_batch_size`` documents or windows per call). Losses are mean nats per
    target of the compiled loss, or of the compiled metric ``report`` (e.g. a cross-entropy metric
    that leaves an L2 penalty out).

    The validation score that decides is "valid_bits" if documents are given, else "val_<report>".
    ``patience`` stops after that many epochs without a better score; ``restore_best`` (implied by
    ``patience``) puts back the weights of the best epoch at the end. ``max_seconds`` ends training
    after the batch that spends the budget (the last epoch is then partial). With ``verbose`` one
    line is printed per epoch instead of Keras's progress bar. With ``log_dir`` a
    ``keras.callbacks.TensorBoard`` writes the epoch metrics there for TensorBoard (``train/`` and,
    with valid_data, ``validation/``; step = epoch number from 0), one callback for the whole run.
    """
    check_type("model", model, keras.Model)
    if not getattr(model, "compiled", True):
        raise ValueError("model must be compiled (model.compile(optimizer=..., loss=...)) before lm.train fits it; "
                         "the builders of lstm_lm and transformer return compiled models")
    size, context, sizes = vocab_size(model), model_context(model), input_sizes(model)
    shapes = ([tuple(model.inputs[0].shape)], tuple(model.outputs[0].shape)) if len(sizes) == 1 else None
    inputs, targets = _pair("train_data", train_data, size, context, sizes, shapes)
    valid = _pair("valid_data", valid_data, size, context, sizes, shapes) if valid_data is not None else None
    epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_STEPS)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if max_seconds is not None:
        max_seconds = check_float("max_seconds", max_seconds, minimum=0.0, min_inclusive=False)
    check_bool("verbose", verbose)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    if patience is not None:
        patience = check_int("patience", patience, minimum=0)
    check_bool("restore_best", restore_best)
    check_type("report", report, str)
    valid_batch_size = check_int("valid_batch_size", valid_batch_size, minimum=1)
    if valid_documents is not None:
        _documents("valid_documents", valid_documents, size)
    monitor = "valid_bits" if valid_documents is not None else f"val_{report}" if valid is not None else None
    if (patience is not None or restore_best) and monitor is None:
        raise ValueError("patience and restore_best need a validation score: pass valid_data or valid_documents")
    restore_best = restore_best or patience is not None
    begin = time.perf_counter()
    budget = _Budget(begin, max_seconds)
    callbacks = [budget]
    if log_dir is not None:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(check_path("log_dir", log_dir))))
    records: list[dict] = []
    best, best_weights, stopped = math.inf, None, "epochs"
    for epoch in range(epochs):
        epoch_start = time.perf_counter()
        order = rng.permutation(len(targets))
        shuffled = tuple(x[order] for x in inputs) if isinstance(inputs, tuple) else inputs[order]
        fitted = model.fit(shuffled, targets[order], validation_data=valid, initial_epoch=epoch, epochs=epoch + 1,
                           batch_size=batch_size, shuffle=False, verbose=0, callbacks=callbacks)
        record = {"epoch": epoch + 1}
        for key, values in fitted.history.items():
            record[key] = float(values[-1])
        if report not in record:
            raise ValueError(f"report must name the loss or a compiled metric of the model "
                             f"({', '.join(k for k in record if not k.startswith('val_') and k != 'epoch')}), "
                             f"got {report!r}")
        if valid_documents is not None:
            record["valid_bits"] = evaluate_documents(model, valid_documents,
                                                      batch_size=valid_batch_size)["bits_per_token"]
        record["seconds"] = time.perf_counter() - begin
        records.append(record)
        if monitor is not None and record[monitor] < best:
            best = record[monitor]
            best_weights = model.get_weights() if restore_best else None
        best_epoch = None if monitor is None else 1 + int(np.argmin([r[monitor] for r in records]))
        if budget.spent:
            stopped = "time budget"
        elif patience is not None and len(records) - best_epoch >= max(patience, 1):
            stopped = "patience"  # as keras.callbacks.EarlyStopping(patience=patience)
        if verbose:
            note = {"epochs": "", "time budget": " (time budget spent)",
                    "patience": f" (best epoch {best_epoch}: stop)"}[stopped]
            print(_line(record, epochs, report, time.perf_counter() - epoch_start,
                        note if epoch + 1 < epochs else ""), flush=True)
        if stopped != "epochs":
            break
    if restore_best and best_weights is not None:
        model.set_weights(best_weights)
    history: dict[str, Any] = {key: [r[key] for r in records] for key in records[0] if key != "epoch"}
    history.update(epochs=records, best_epoch=None if monitor is None else
                   1 + int(np.argmin([r[monitor] for r in records])), stopped=stopped)
    return history


# ------------------------------------------------------------------------------------- scoring
def _documents(name: str, documents: Any, size: int) -> list[list[int]]:
    """Return ``documents`` as lists of ids below ``size``, raising unless it is a non-empty list of id lists."""
    if isinstance(documents, (str, bytes)) or not isinstance(documents, (list, tuple)):
        raise TypeError(f"{name} must be a list of id lists (corpus.ids('valid')), got "
                        f"{type(documents).__name__} {_show(documents)}")
    if not documents:
        raise ValueError(f"{name} must be a non-empty list of id lists (corpus.ids('valid'))")
    out = []
    for i, doc in enumerate(documents):
        ids = check_ids(f"{name}[{i}]", doc, size, allow_empty=True)
        if ids.ndim != 1:
            raise ValueError(f"{name}[{i}] must be one document, a 1-D list of ids, got shape {ids.shape}")
        out.append(ids.tolist())
    return out


def _rows(sequences: list[list[int]], context: int | None, stride: int) -> list[tuple[list, list, int]]:
    """Return (inputs, targets, targets to skip) per model input: whole sequences, or context windows."""
    rows = []
    for seq in sequences:
        inputs, targets = seq[:-1], seq[1:]
        if context is None or len(inputs) <= context:
            rows.append((inputs, targets, 0))
            continue
        done = 0  # targets scored so far
        for begin in range(0, len(inputs) - context + stride, stride):
            begin = min(begin, len(inputs) - context)  # the last window ends at the document's end
            rows.append((inputs[begin:begin + context], targets[begin:begin + context], done - begin))
            done = begin + context
            if done == len(inputs):
                break
    return rows


def evaluate_documents(model: keras.Model, documents: Sequence[Sequence[int]], *, context: int | None = None,
                       stride: int | None = None, batch_size: int = 16) -> dict[str, float]:
    """Return cross_entropy (nats), perplexity, bits_per_token and tokens over whole documents.

    Each document w_1 ... w_T is read as <bos> w_1 ... w_T and scored on predicting
    w_1 ... w_T <eos>, the tokens an n-gram model of notebook 01 predicts:
    H = -(1/N) Σ ln P(w_t | w_<t), perplexity = exp(H), bits = H / ln 2, N = Σ (T + 1).

    A model with a finite ``context`` (default :func:`model_context`: a Transformer's window) reads
    a longer document in windows of ``context`` inputs starting every ``stride`` tokens (default
    context // 2; the last window ends at the document's end); each window scores only the targets
    no earlier one scored, so every token is predicted once, from at least context − stride
    earlier tokens (all of them near the start). Documents that fit are read whole, from <bos>.
    """
    check_type("model", model, keras.Model)
    size = vocab_size(model)
    documents = _documents("documents", documents, size)
    context = model_context(model) if context is None else check_int("context", context, minimum=1)
    if stride is not None:
        check_int("stride", stride, minimum=1)
    if stride is not None and context is None:
        raise ValueError("stride applies to a model with a finite context: pass context too")
    if context is not None:
        stride = max(context // 2, 1) if stride is None else check_int("stride", stride, minimum=1, maximum=context)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    sequences = [[Vocab.bos_id, *doc, Vocab.eos_id] for doc in documents]
    rows = sorted(_rows(sequences, context, stride or 1), key=lambda row: len(row[0]))  # less padding
    total, count = 0.0, 0
    for first in range(0, len(rows), batch_size):
        batch = rows[first:first + batch_size]
        width = max(len(row[0]) for row in batch)
        ids = np.zeros((len(batch), width), dtype=np.int32)  # <pad> = 0 on the right
        goal = np.zeros((len(batch), width), dtype=np.int64)
        scored = np.zeros((len(batch), width), dtype=bool)
        for i, (inputs, targets, skip) in enumerate(batch):
            ids[i, :len(inputs)], goal[i, :len(targets)] = inputs, targets
            scored[i, skip:len(inputs)] = True
        # causal: padding to the right of a position cannot change its logits
        with quiet_retracing():  # a new width per batch, by design
            logits = model.predict_on_batch(ids)  # (batch, width, vocab)
        log_probs = losses.log_softmax(np.asarray(logits, dtype=np.float64))
        picked = np.take_along_axis(log_probs, goal[:, :, None], axis=2)[..., 0]  # (batch, width)
        total -= float(picked[scored].sum())
        count += int(scored.sum())
    cross_entropy = total / count
    return {"cross_entropy": cross_entropy, "perplexity": math.exp(cross_entropy),
            "bits_per_token": cross_entropy / math.log(2), "tokens": count}
