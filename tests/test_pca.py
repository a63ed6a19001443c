"""Tests of lmtutor.pca: a hand case, the covariance eigenvectors as an independent oracle, and bad input."""

import re

import numpy as np
import pytest

from lmtutor import pca


def test_points_on_a_line_project_to_their_signed_distance_from_the_mean():
    direction = np.array([3.0, 4.0]) / 5.0
    along = np.array([-2.0, -1.0, 0.5, 2.5])  # mean 0
    points = np.array([10.0, -3.0]) + along[:, None] * direction  # on a line through (10, -3)
    projected = pca.project(points, components=2)
    assert np.allclose(np.abs(projected[:, 0]), np.abs(along))
    assert np.allclose(projected[:, 0] * np.sign(projected[0, 0]), along * np.sign(along[0]))
    assert np.allclose(projected[:, 1], 0.0)  # no spread off the line


def test_equals_the_projection_on_the_eigenvectors_of_the_covariance_matrix():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 6)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.1])  # distinct variances
    projected = pca.project(vectors, components=3)
    centred = vectors - vectors.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / len(vectors))  # ascending
    oracle = centred @ eigenvectors[:, ::-1][:, :3]
    signs = np.sign(np.sum(projected * oracle, axis=0))  # each direction's sign is arbitrary
    assert np.allclose(projected, oracle * signs, atol=1e-10)
    assert np.allclose(projected.var(axis=0), eigenvalues[::-1][:3])  # variance along each: its eigenvalue
    assert np.allclose(np.corrcoef(projected.T), np.eye(3), atol=1e-10)  # uncorrelated coordinates


def test_is_unchanged_by_a_shift_and_keeps_every_distance_with_all_components():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(10, 4))
    full = pca.project(vectors, components=4)
    assert np.allclose(np.abs(pca.project(vectors + 7.0, components=4)), np.abs(full))
    distances = lambda x: np.linalg.norm(x[:, None] - x[None], axis=-1)
    assert np.allclose(distances(full), distances(vectors))  # a rotation of the centred points


@pytest.mark.parametrize("vectors, components, error, words", [
    ("abc", 2, TypeError, "vectors must be an array of numbers"),
    (np.zeros(5), 1, ValueError, "vectors must be a 2-D array (N, D) with at least 2 rows, got shape (5,)"),
    (np.zeros((1, 3)), 1, ValueError, "with at least 2 rows, got shape (1, 3)"),
    ([[0.0, np.nan], [1.0, 2.0]], 1, ValueError, "vectors must be finite"),
    (np.zeros((5, 3)), 4, ValueError, "components must be <= 3"),
    (np.zeros((5, 3)), 0, ValueError, "components must be >= 1"),
    (np.zeros((5, 3)), 1.5, TypeError, "components must be an int"),
])
def test_bad_input_names_the_argument(vectors, components, error, words):
    with pytest.raises(error, match=re.escape(words)):
        pca.project(vectors, components=components)
