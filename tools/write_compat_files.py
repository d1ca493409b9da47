"""Write the model files and checkpoints of ``tests/data/v0_1_0/`` (run once, with evonet 0.1.0).

``tests/test_io_compat.py`` loads them with the current evonet and checks that every model
predicts what it predicted when it was written, and that every checkpoint resumes to the model
0.1.0 resumed it to. The expected outputs are written beside them, in ``expected.npz``.

Run from the repository root, with the evonet whose files are to be kept: the files of
``tests/data/v0_1_0/`` were made by evonet 0.1.0 as of commit 3536328, where this script runs
as written (it reaches into that version's ``evonet.estimators._base``)::

    git worktree add /tmp/evonet-0.1.0 3536328
    cp tools/write_compat_files.py /tmp/evonet-0.1.0/tools/
    cd /tmp/evonet-0.1.0 && python tools/write_compat_files.py /tmp/v0_1_0

The checkpoints are those of a ``fit`` that ended (budget reached) with its checkpoint file
kept: the script stops the estimators from removing it. Resuming one with the same budget
restores the saved run and picks its result without evolving further, so the expected
outputs do not depend on the machine's BLAS.
"""

import os
import shutil
import sys
import warnings

import numpy as np


def data():
    from sklearn.datasets import load_diabetes, load_iris

    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    Xr, yr = load_diabetes(return_X_y=True)
    Xr, yr = Xr[:80, :4], yr[:80]
    Yr = np.column_stack([yr, Xr[:, 0] * 100 - 3])
    return X, labels, Xr, Yr


def models(X, labels, Xr, Yr):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor, evolve_policy

    return {
        "classifier": NeuroEvolutionClassifier((4,), max_generations=10, random_state=0)
        .fit(X, labels),
        "regressor": NeuroEvolutionRegressor((3,), max_generations=10, random_state=0)
        .fit(Xr, Yr),
        "neat_classifier": NeuroEvolutionClassifier(strategy="neat", population_size=20,
                                                    max_generations=10, random_state=0)
        .fit(X, labels),
        "pipeline": make_pipeline(StandardScaler(),
                                  NeuroEvolutionClassifier((3,), max_generations=10,
                                                           random_state=0)).fit(X, labels),
        "policy": evolve_policy("1-markov", max_generations=4, random_state=0),
    }


CHECKPOINTS = {
    "classifier": dict(hidden_layer_sizes=(3,), strategy="cmaes", max_generations=6,
                       random_state=1, checkpoint_interval=0),
    "regressor": dict(hidden_layer_sizes=(3,), strategy="es", max_generations=6,
                      random_state=2, checkpoint_interval=0),
}


def main(folder):
    import evonet
    import evonet.estimators._base as base

    warnings.simplefilter("ignore")
    os.makedirs(folder, exist_ok=True)
    X, labels, Xr, Yr = data()
    expected = {"iris_X": X, "iris_labels": labels.astype("U"), "diabetes_X": Xr,
                "diabetes_Y": Yr}
    for name, model in models(X, labels, Xr, Yr).items():
        path = os.path.join(folder, f"{name}.evonet")
        if name == "pipeline":
            evonet.save(model, path)
        else:
            model.save(path)
        if name == "policy":
            expected["policy_act"] = np.array([model.act(np.array([0.01, 0.0, 0.05, -0.1]))])
            expected["policy_rollout"] = model.rollout(max_steps=500)
            continue
        Xm = Xr if name == "regressor" else X
        expected[f"{name}_predict"] = np.asarray(model.predict(Xm))
        if hasattr(model, "predict_proba"):
            expected[f"{name}_proba"] = model.predict_proba(Xm)

    base.remove_checkpoint = lambda path: None   # keep the checkpoint of the finished fit
    for name, params in CHECKPOINTS.items():
        path = os.path.join(folder, f"{name}.ckpt")
        if os.path.exists(path):
            os.unlink(path)
        cls = evonet.NeuroEvolutionClassifier if name == "classifier" \
            else evonet.NeuroEvolutionRegressor
        Xm, ym = (X, labels) if name == "classifier" else (Xr, Yr)
        cls(checkpoint=path, **params).fit(Xm, ym)
        copy = os.path.join(folder, "resumed.ckpt")
        shutil.copyfile(path, copy)
        resumed = cls(checkpoint=copy, **params).fit(Xm, ym)
        os.unlink(copy)
        expected[f"{name}_ckpt_predict"] = np.asarray(resumed.predict(Xm))
        expected[f"{name}_ckpt_n_iter"] = np.array(resumed.n_iter_)
    np.savez_compressed(os.path.join(folder, "expected.npz"), **expected)
    print(f"evonet {evonet.__version__}: wrote {sorted(os.listdir(folder))}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "data", "v0_1_0"))
