"""Fixtures shared by several test modules."""

import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

CLUSTER = dict(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
               host="127.0.0.1")


@pytest.fixture(scope="session")
def dask_client():
    """One 2-process Dask cluster on loopback for every Dask test of the session."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(**CLUSTER) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def iris():
    """Iris, standardised."""
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y
