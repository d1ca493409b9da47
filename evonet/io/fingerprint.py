"""Fingerprints of a run's settings and data, and what differs between two of them.

A checkpoint keeps the fingerprint of the run that wrote it (in its
``metadata``); a run resumes from it only when its own fingerprint is the
same (:func:`evonet.io.checkpoint.resume_run`, the estimators' ``fit``).
"""

import hashlib
import json

import numpy as np
import scipy.sparse as sp

__all__ = ["array_fingerprint", "describe_mismatch"]


def array_fingerprint(array):
    """Shape, dtype and SHA-256 of an array (of numbers or of any labels), as a dict.

    Examples
    --------
    >>> array_fingerprint(np.zeros((2, 3)))["shape"]
    [2, 3]

    A ``scipy.sparse`` matrix is fingerprinted by its shape, dtype and stored
    values (as CSR, indices as int64), never densified.
    """
    if array is None:
        return None
    if sp.issparse(array):
        return _sparse_fingerprint(array)
    array = np.asarray(array)
    digest = hashlib.sha256()
    digest.update(f"{array.dtype.str}|{array.shape}|".encode())
    if array.dtype.hasobject:
        digest.update(json.dumps([repr(v) for v in array.ravel().tolist()]).encode())
    else:
        digest.update(np.ascontiguousarray(array).view(np.uint8).reshape(-1).data)
    return {"shape": list(array.shape), "dtype": array.dtype.str, "sha256": digest.hexdigest()}


def _sparse_fingerprint(matrix):
    csr = matrix.tocsr()
    digest = hashlib.sha256()
    digest.update(f"sparse|{csr.dtype.str}|{csr.shape}|".encode())
    for part in (csr.indptr.astype(np.int64), csr.indices.astype(np.int64), csr.data):
        digest.update(np.ascontiguousarray(part).view(np.uint8).reshape(-1).data)
    return {"shape": list(csr.shape), "dtype": csr.dtype.str, "sha256": digest.hexdigest()}


def describe_mismatch(saved, current):
    """What differs between two fingerprints (dicts of parameters and data); ``[]`` if nothing.

    Examples
    --------
    >>> describe_mismatch({"params": {"a": 1}, "data": {}}, {"params": {"a": 2}, "data": {}})
    ['parameter a is 1 in the checkpoint but 2 now']
    """
    differences = []
    if saved.get("estimator") != current.get("estimator"):
        differences.append(f"it was written by {saved.get('estimator')}, not "
                           f"{current.get('estimator')}")
    old, new = saved.get("params") or {}, current.get("params") or {}
    for name in sorted(set(old) | set(new)):
        if old.get(name, "<unset>") != new.get(name, "<unset>"):
            differences.append(f"parameter {name} is {old.get(name, '<unset>')!r} in the "
                               f"checkpoint but {new.get(name, '<unset>')!r} now")
    old, new = saved.get("data") or {}, current.get("data") or {}
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if a is None or b is None:
            differences.append(f"{name} is {'absent' if a is None else 'given'} in the checkpoint "
                               f"but {'absent' if b is None else 'given'} now")
        elif a.get("shape") != b.get("shape"):
            differences.append(f"{name} has shape {tuple(a['shape'])} in the checkpoint but "
                               f"{tuple(b['shape'])} now")
        else:
            differences.append(f"{name} holds different values than in the checkpoint")
    return differences
