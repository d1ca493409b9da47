"""Hashes of the fitted weights of short seeded runs, for checking that a refactoring changed
no result.

Run it before and after a change and compare the two outputs::

    python tools/golden_hashes.py > before.json
    # ... change the code ...
    python tools/golden_hashes.py > after.json
    diff before.json after.json

Every strategy and model kind is covered: classifier and regressor with each weight strategy
and NEAT, warm_start, partial_fit, a fit resumed from a checkpoint, pole-balancing and gym
policies, and DEAP's eaSimple on a toolbox. The hashes depend on the machine's NumPy and BLAS
builds: compare runs made on the same machine.
"""

import hashlib
import json
import os
import random
import sys
import tempfile
import warnings

import numpy as np


def digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def model_digest(model):
    if hasattr(model, "coefs_") and getattr(model, "strategy_", None) != "neat":
        return digest(*model.coefs_, *model.intercepts_)
    if hasattr(model, "genome_"):
        return digest(model.genome_.nodes, model.genome_.connections)
    weights = model.weights_
    if hasattr(weights, "nodes"):
        return digest(weights.nodes, weights.connections)
    return digest(weights)


KILLED_FIT = """
import numpy as np
from sklearn.datasets import load_iris
from evonet import NeuroEvolutionClassifier
X, y = load_iris(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
NeuroEvolutionClassifier((4,), strategy="es", max_generations=300, random_state=7,
                         checkpoint={path!r}, checkpoint_interval=0).fit(X, y)
"""


def killed_and_resumed(X, y):
    """A fit killed (SIGKILL) once its checkpoint exists, then resumed in this process."""
    import subprocess
    import time

    from evonet import NeuroEvolutionClassifier

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "run.ckpt")
        child = subprocess.Popen([sys.executable, "-c", KILLED_FIT.format(path=path)])
        while not os.path.exists(path) and child.poll() is None:
            time.sleep(0.005)
        child.kill()
        child.wait()
        if not os.path.exists(path):
            return "the child finished before it could be killed"
        resumed = NeuroEvolutionClassifier((4,), strategy="es", max_generations=300,
                                           random_state=7, checkpoint=path,
                                           checkpoint_interval=0).fit(X, y)
        return model_digest(resumed)


def main():
    from sklearn.datasets import load_diabetes, load_iris

    from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor, evolve_policy

    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    Xr, yr = load_diabetes(return_X_y=True)
    Xr, yr = Xr[:200], yr[:200]
    out = {}
    warnings.simplefilter("ignore")
    for strategy in ("ga", "es", "cmaes", "ipop-cmaes", "neat"):
        clf = NeuroEvolutionClassifier((5,), strategy=strategy, max_generations=15,
                                       random_state=1).fit(X, y)
        out[f"classifier-{strategy}"] = model_digest(clf)
        reg = NeuroEvolutionRegressor((4,), strategy=strategy, max_generations=10,
                                      random_state=2).fit(Xr, yr)
        out[f"regressor-{strategy}"] = model_digest(reg)
    clf = NeuroEvolutionClassifier((5,), random_state=3, max_generations=20,
                                   early_stopping=True, n_iter_no_change=3).fit(X, y)
    out["classifier-auto-early-stopping"] = model_digest(clf) + f"-{clf.n_iter_}"
    clf = NeuroEvolutionClassifier((4,), strategy="es", batch_size=32, max_generations=12,
                                   random_state=4).fit(X, y)
    out["classifier-es-minibatch"] = model_digest(clf)
    warm = NeuroEvolutionClassifier((4,), strategy="cmaes", max_generations=5,
                                    warm_start=True, random_state=5)
    warm.fit(X, y)
    warm.fit(X, y)
    out["classifier-warm-start"] = model_digest(warm)
    part = NeuroEvolutionRegressor((3,), strategy="ga", random_state=6)
    for k in range(6):
        part.partial_fit(Xr[k * 30:(k + 1) * 30], yr[k * 30:(k + 1) * 30])
    out["regressor-partial-fit"] = model_digest(part)
    full = NeuroEvolutionClassifier((4,), strategy="es", max_generations=300,
                                    random_state=7).fit(X, y)
    out["classifier-es-300"] = model_digest(full)
    out["classifier-es-300-killed-and-resumed"] = killed_and_resumed(X, y)
    policy = evolve_policy("1-markov", max_generations=10, random_state=0)
    out["policy-1-markov-cmaes"] = model_digest(policy)
    policy = evolve_policy("2-nonmarkov", strategy="es", max_generations=5, random_state=1)
    out["policy-2-nonmarkov-es"] = model_digest(policy)
    policy = evolve_policy("1-markov", strategy="neat", max_generations=5, random_state=2,
                           population_size=30)
    out["policy-1-markov-neat"] = model_digest(policy)
    try:
        policy = evolve_policy("CartPole-v1", max_generations=3, population_size=8,
                               n_episodes=2, random_state=3)
        out["policy-cartpole"] = model_digest(policy)
    except ImportError:
        out["policy-cartpole"] = "gymnasium missing"

    from deap import algorithms

    from evonet import MLPLayout, make_toolbox

    layout = MLPLayout(4, (3,), 3, output_activation="softmax")
    toolbox = make_toolbox(layout, X, y, loss="log_loss", random_state=0)
    random.seed(0)
    pop = toolbox.population(n=30)
    pop, _ = algorithms.eaSimple(pop, toolbox, cxpb=0.5, mutpb=0.3, ngen=5, verbose=False)
    out["toolbox-easimple"] = digest(*[np.asarray(ind) for ind in pop])
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
