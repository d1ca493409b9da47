"""What the peer ES scripts share: digits as they score it, and their command line."""

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler


def digits():
    """The first 1,437 rows of digits, standardised, as float32; and their labels."""
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:1437]).astype(np.float32), y[:1437]


def parse_args(doc):
    """The shape and the timed generations of one measurement."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=32, help="hidden units")
    parser.add_argument("--population", type=int, default=100, help="population size")
    parser.add_argument("--generations", type=int, default=40, help="timed generations")
    return parser.parse_args()
