"""lmtutor: the helper package of the lmtutor course.

Each module holds one concept of the course, with NumPy reference code and (in later notebooks)
Keras builders side by side. Importing the package imports nothing heavy and changes no global
state; import the module you need::

    from lmtutor import text, ngram
    vocab = text.Vocab.build([text.tokenize_words("The cat sat.")])
    model = ngram.NGramLM(n=2).fit([["the", "cat", "sat"]])
"""

__version__ = "0.1.0"

__all__ = [
    "attention", "checkpoints", "checks", "classroom", "corpora", "datasets", "decoding",
    "embeddings", "evaluation", "generate", "glove", "losses", "lstm_lm", "memory", "ngram",
    "optim", "plots", "regularization", "rnn", "text", "training", "transformer", "widgets",
]
