"""lmtutor: the helper package of the lmtutor course.

Each module holds one concept of the course, with NumPy reference code and (in later notebooks)
Keras builders side by side. Importing the package imports nothing heavy and changes no global
state; import the module you need::

    from lmtutor import text, ngram
    vocab = text.Vocab.build([text.tokenize_words("The cat sat.")])
    model = ngram.NGramLM(n=2).fit([["the", "cat", "sat"]])

Notebooks that use Keras call :func:`quiet_tensorflow` first, in their Setup cell;
:func:`quiet_retracing` hides one expected TensorFlow warning while documents are scored.
"""

__version__ = "0.1.0"


def quiet_tensorflow():
    """Return the tensorflow module, imported with its C++ start-up messages hidden.

    TensorFlow 2.21 writes "All log messages before absl::InitializeLog() ..." and an oneDNN notice
    to the process's stderr while it loads, whatever TF_CPP_MIN_LOG_LEVEL says, and Jupyter shows
    them under the cell. This sets TF_CPP_MIN_LOG_LEVEL=3 (unless it is set already): the C++ log
    shows nothing, not even its ERROR lines, because on CPUs without AVX-512 oneDNN logs a harmless
    "oneDNN supports DT_BOOL only on platforms with AVX-512" as an error the first time a boolean
    mask runs (notebook 09's attention), a red box a learner would take for a failure; real
    failures still raise Python exceptions with their messages. File descriptor 2 goes to /dev/null
    for the import only; an import error still raises.
    """
    import os
    import sys

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


def quiet_retracing():
    """Return a context manager that hides TensorFlow's retracing warning, and only that warning.

    Scoring documents of different lengths feeds Keras a new input shape per batch, so TensorFlow
    traces the model again and warns ("... triggered tf.function retracing ..."). Where that is the
    design (lm.evaluate_documents), the warning tells a student
    nothing; every other warning of the "tensorflow" logger still shows.
    """
    import contextlib
    import logging

    class DropRetracing(logging.Filter):
        def filter(self, record):
            return "triggered tf.function retracing" not in record.getMessage()

    @contextlib.contextmanager
    def hidden():
        logger, dropper = logging.getLogger("tensorflow"), DropRetracing()
        logger.addFilter(dropper)
        try:
            yield
        finally:
            logger.removeFilter(dropper)

    return hidden()


__all__ = [
    "distribute", "scaling", "tensorboard_logs",  # notebook 13
    "attention", "bias", "checkpoints", "checks", "classify", "classroom", "corpora", "datasets", "decoding",
    "dialogue", "dialogue_data", "embeddings", "evaluation", "explain", "generate", "glove", "grading", "guide", "lm", "losses", "lstm_lm", "memorisation", "memory", "mlp_lm", "ngram",
    "numerals", "optim", "parallel", "pca", "plots", "regularization", "retrieval", "rnn", "sentiment", "seq2seq", "tagging", "text", "timing",
    "transformer", "translate", "translation_data", "translation_metrics", "widgets",
]
