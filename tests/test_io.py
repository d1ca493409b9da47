"""Model files: exact round trips, and a ValueError naming the field for damaged files."""

import io
import json
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import evonet
from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor, load, save
from evonet.io import atomic_write, write_archive


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


FAST = dict(hidden_layer_sizes=(4,), max_generations=8, random_state=0)


def fitted_models(X, y):
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(60, 3))
    Yr = np.column_stack([Xr[:, 0] * 3 + 10, Xr[:, 1] - Xr[:, 2]])
    Xm, Ym = make_multilabel_classification(n_samples=60, n_features=5, n_classes=3,
                                            random_state=0)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    return {
        "multiclass": (NeuroEvolutionClassifier(**FAST).fit(X, y), X, y),
        "binary-strings": (NeuroEvolutionClassifier(**FAST).fit(X, labels == "setosa"), X,
                           labels == "setosa"),
        "string-labels": (NeuroEvolutionClassifier(**FAST).fit(X, labels), X, labels),
        "multilabel": (NeuroEvolutionClassifier(**FAST).fit(Xm, Ym), Xm, Ym),
        "regressor": (NeuroEvolutionRegressor(**FAST).fit(Xr, Yr[:, 0]), Xr, Yr[:, 0]),
        "regressor-2d": (NeuroEvolutionRegressor(**FAST).fit(Xr, Yr), Xr, Yr),
        "neat-classifier": (NeuroEvolutionClassifier(strategy="neat", population_size=20,
                                                     max_generations=15, random_state=0)
                            .fit(X, labels), X, labels),
        "neat-regressor": (NeuroEvolutionRegressor(strategy="neat", population_size=20,
                                                   max_generations=15, random_state=0)
                           .fit(Xr, Yr), Xr, Yr),
        "early-stopping": (NeuroEvolutionClassifier(early_stopping=True, **FAST).fit(X, y), X,
                           y),
        "pipeline": (make_pipeline(StandardScaler(), NeuroEvolutionClassifier(**FAST)).fit(X, y),
                     X, y),
    }


@pytest.fixture(scope="module")
def models(iris):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fitted_models(*iris)


def outputs(model, X):
    out = [model.predict(X)]
    if hasattr(model, "predict_proba"):
        out.append(model.predict_proba(X))
    return out


@pytest.mark.parametrize("name", ["multiclass", "binary-strings", "string-labels", "multilabel",
                                  "regressor", "regressor-2d", "neat-classifier",
                                  "neat-regressor", "early-stopping", "pipeline"])
def test_round_trip_predicts_exactly_the_same(tmp_path, models, name):
    model, X, y = models[name]
    path = tmp_path / "model.evonet"
    save(model, path)
    loaded = load(path)
    assert type(loaded) is type(model)
    for a, b in zip(outputs(model, X), outputs(loaded, X)):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    est, back = (model[-1], loaded[-1]) if hasattr(model, "steps") else (model, loaded)
    assert est.get_params() == back.get_params()
    for attribute in ("n_iter_", "n_evaluations_", "best_loss_", "loss_", "loss_curve_",
                      "strategy_", "validation_scores_", "best_validation_score_",
                      "n_features_in_"):
        assert getattr(back, attribute) == getattr(est, attribute), attribute
    assert len(back.logbook_) == len(est.logbook_)
    assert back.logbook_[-1]["gen"] == est.logbook_[-1]["gen"]
    if hasattr(est, "classes_"):
        assert np.array_equal(back.classes_, est.classes_)
        assert back.classes_.dtype == est.classes_.dtype
    # a loaded model can be fitted again like a fresh one
    back.set_params(max_generations=2).fit(X, y)


def test_loaded_model_keeps_feature_names_and_to_sklearn(tmp_path, iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = NeuroEvolutionClassifier(**FAST).fit(frame, y)
    clf.save(tmp_path / "m.evonet")
    loaded = load(tmp_path / "m.evonet")
    assert list(loaded.feature_names_in_) == ["a", "b", "c", "d"]
    assert np.array_equal(loaded.to_sklearn().predict(frame), clf.predict(frame))


def test_save_refuses_what_it_cannot_store(tmp_path, iris):
    with pytest.raises(ValueError, match="cannot save a StandardScaler"):
        save(StandardScaler().fit(iris[0]), tmp_path / "x")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        NeuroEvolutionClassifier().save(tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


# -- damaged and hand-edited files ---------------------------------------------------------


def read_members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def edit(path, document=None, arrays=None, drop=()):
    members = read_members(path)
    doc = json.loads(members["model.json"])
    if document is not None:
        document(doc)
    members["model.json"] = json.dumps(doc).encode()
    for name, data in (arrays or {}).items():
        members[f"arrays/{name}.npy"] = data
    for name in drop:
        del members[name]
    write_members(path, members)


@pytest.fixture
def saved(tmp_path, models):
    path = tmp_path / "model.evonet"
    save(models["pipeline"][0], path)
    return path


def _set(key, value):
    def change(doc):
        target = doc
        parts = key.split(".")
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value
    return change


class Exploit:
    def __reduce__(self):
        return (print, ("pickle code ran",))


@pytest.mark.parametrize("document, arrays, drop, field", [
    (_set("format_version", "2.0"), None, (), "format_version.*newer than this evonet"),
    (_set("format", "something"), None, (), "not an evonet model file"),
    (_set("network.activation", "swish"), None, (), "network.activation"),
    (_set("network.output_activation", 3), None, (), "network.output_activation"),
    (_set("network.layer_sizes", [4, 5, 3]), None, (), "coefs_0.*shape"),
    (_set("network.layer_sizes", [4, -4, 3]), None, (), "network.layer_sizes"),
    (_set("n_features_in", 5), None, (), "network.layer_sizes"),
    (_set("params.alpha", -1), None, (), "params.*alpha"),
    (_set("params.bogus", 1), None, (), "params.bogus"),
    (_set("targets.label_type", "binary"), None, (), "classes"),
    (_set("training.strategy", "neat"), None, (), "training.strategy"),
    (_set("training.n_iter", "many"), None, (), "training.n_iter"),
    (_set("surprise", 1), None, (), "surprise"),
    (None, {"coefs_0": npy(np.full((4, 4), np.nan))}, (), "coefs_0.*NaN"),
    (None, {"coefs_1": npy(np.zeros((3, 4)))}, (), "coefs_1.*shape"),
    (None, {"intercepts_0": npy(np.zeros(4, dtype=np.complex128))}, (), "intercepts_0.*dtype"),
    (None, {"classes": npy(np.array([Exploit()], dtype=object), True)}, (), "classes.*pickle"),
    (None, {"coefs_0": pickle.dumps(Exploit())}, (), "coefs_0.*not a valid .npy"),
    (None, {"coefs_0": npy(np.zeros((4, 4)))[:-8]}, (), "coefs_0.*bytes"),
    (None, {"scaler_scale": npy(np.zeros(4))}, (), "scaler_scale.*positive"),
    (None, {"extra": npy(np.zeros(1))}, (), "arrays/extra.npy"),
    (None, None, ("arrays/intercepts_1.npy",), "intercepts_1.*missing"),
    (None, None, ("model.json",), "no model.json"),
])
def test_hand_edited_files_raise_value_error_naming_the_field(saved, capsys, document, arrays,
                                                             drop, field):
    edit(saved, document, arrays, drop)
    with pytest.raises(ValueError, match=field):
        load(saved)
    assert "pickle code ran" not in capsys.readouterr().out


def test_truncated_and_garbage_files(saved, tmp_path):
    data = saved.read_bytes()
    for cut in (0, 10, len(data) // 2, len(data) - 1):
        saved.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="model"):
            load(saved)
    # a byte inside the first member's data (covered by its CRC), wherever the header ends:
    # a fixed fraction of the file may land on a field no check covers (a member's date)
    first = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    flipped = bytearray(data)
    flipped[first.header_offset + 30 + len(first.filename) + first.compress_size // 2] ^= 0xFF
    saved.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="corrupted|not a valid"):
        load(saved)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.evonet")


def test_neat_genome_is_validated(tmp_path, models):
    path = tmp_path / "neat.evonet"
    save(models["neat-classifier"][0], path)
    connections = read_members(path)["arrays/genome_connections.npy"]
    genes = np.load(io.BytesIO(connections))
    genes[0, 2] = 99   # a connection to a missing node
    edit(path, arrays={"genome_connections": npy(genes)})
    with pytest.raises(ValueError, match="genome.*missing node 99"):
        load(path)


def test_atomic_write_keeps_the_previous_file_when_writing_fails(tmp_path):
    path = tmp_path / "model.evonet"
    write_archive(path, "doc.json", {"v": 1}, {})
    before = path.read_bytes()

    def fail(f):
        f.write(b"partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, fail)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.evonet"]
    with pytest.raises(ValueError, match="only arrays of numbers"):
        write_archive(path, "doc.json", {}, {"x": np.array([{}], dtype=object)})
    assert path.read_bytes() == before


def test_policy_round_trip(tmp_path):
    from evonet.control import evolve_policy

    policy = evolve_policy("1-markov", max_generations=3, random_state=0)
    save(policy, tmp_path / "policy.evonet")
    loaded = load(tmp_path / "policy.evonet")
    assert type(loaded).__name__ == "EvolvedPolicy"
    assert np.array_equal(loaded.weights_, policy.weights_)
    assert loaded.rollout(max_steps=500).tolist() == policy.rollout(max_steps=500).tolist()
    assert loaded.n_evaluations_ == policy.n_evaluations_


def test_public_names():
    assert evonet.load is load and evonet.save is save
    assert not hasattr(evonet.io, "load") and not hasattr(evonet.io, "save")


def test_io_imports_nothing_above_it():
    """evonet.io is the lowest layer of persistence: no estimator, policy or package import."""
    import ast
    from pathlib import Path

    above = ("evonet.estimators", "evonet.control", "evonet.saving")
    for path in Path(evonet.io.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name != "evonet" and not name.startswith(above), (path.name, name)


@pytest.mark.parametrize("name", ["multiclass", "string-labels", "multilabel", "regressor-2d"])
def test_target_state_survives_a_model_file(tmp_path, models, name):
    model = models[name][0]
    model.save(tmp_path / "model.evonet")
    before, after = model.get_target_state(), load(tmp_path / "model.evonet").get_target_state()
    assert sorted(before) == sorted(after)
    for key, value in before.items():
        assert np.array_equal(value, after[key]) and np.asarray(value).dtype == \
            np.asarray(after[key]).dtype, key


def test_atomic_write_leaves_links_permissions_and_devices_what_they_were(tmp_path):
    # the temporary file used to replace whatever was at the path: a link became a file,
    # a 0600 file came back 0644, and /dev/null (written as root) a regular file
    import stat

    from evonet.io import WriteError, atomic_write

    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old")
    link.symlink_to(real)
    atomic_write(link, lambda f: f.write(b"new"))
    assert link.is_symlink() and real.read_text() == "new"
    secret = tmp_path / "secret.csv"
    secret.write_text("s")
    secret.chmod(0o600)
    atomic_write(secret, lambda f: f.write(b"t"))
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.read_text() == "t"
    atomic_write(os.devnull, lambda f: f.write(b"x"))
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    with pytest.raises(WriteError, match=f"could not write {tmp_path}: it is a folder"):
        atomic_write(tmp_path, lambda f: f.write(b"x"))


def test_atomic_write_refuses_a_read_only_file(tmp_path, monkeypatch):
    from evonet.io import WriteError, atomic_write

    path = tmp_path / "ro.csv"
    path.write_text("keep")
    # os.access decides (root may write anything; the test runs as whoever runs it)
    monkeypatch.setattr("evonet.io._writing.os.access", lambda p, m: False)
    with pytest.raises(WriteError, match="it is read-only"):
        atomic_write(path, lambda f: f.write(b"x"))
    assert path.read_text() == "keep"


def test_a_pipeline_whose_scaler_only_scales_loads_as_it_was_saved(tmp_path):
    # a StandardScaler(with_mean=False) was saved as one that centres: 53 % of iris's
    # predictions changed on loading
    import scipy.sparse as sp

    X, y = load_iris(return_X_y=True)
    for rows in (X, sp.csr_matrix(X)):   # sparse rows take no centring
        pipe = make_pipeline(StandardScaler(with_mean=False), NeuroEvolutionClassifier(
            (4,), max_generations=5, random_state=0)).fit(rows, y)
        save(pipe, tmp_path / "p.evonet")
        loaded = load(tmp_path / "p.evonet")
        assert loaded[0].with_mean is False
        np.testing.assert_array_equal(loaded.predict_proba(rows), pipe.predict_proba(rows))
    centred = make_pipeline(StandardScaler(with_std=False), NeuroEvolutionClassifier(
        (4,), max_generations=5, random_state=0)).fit(X, y)
    with pytest.raises(ValueError, match="with_std=True"):
        save(centred, tmp_path / "q.evonet")


def test_a_path_without_a_file_name_is_refused_and_dev_stdout_is_appended_to(tmp_path):
    # "out/" was written as a file "out"; /dev/stdout sent to a log with ">>" was replaced,
    # losing the log
    import subprocess
    import sys

    from evonet.io import WriteError, atomic_write, write_problem

    assert write_problem(f"{tmp_path}{os.sep}") == "it needs a file name"
    with pytest.raises(WriteError, match="it needs a file name"):
        atomic_write(f"{tmp_path / 'out'}{os.sep}", lambda f: f.write(b"x"))
    assert not (tmp_path / "out").exists()
    log = tmp_path / "log.txt"
    log.write_text("earlier\n")
    with open(log, "ab") as out:
        subprocess.run([sys.executable, "-c", "from evonet.io import atomic_write; "
                        "atomic_write('/dev/stdout', lambda f: f.write(b'written\\n'))"],
                       stdout=out, check=True)
    assert log.read_text() == "earlier\nwritten\n"


def test_a_file_in_dev_shm_is_replaced_as_any_file_is(tmp_path):
    # only the process's own streams are written in place: a model in /dev/shm written over
    # must not be appended to
    from evonet.io import atomic_write

    if not os.path.isdir("/dev/shm") or not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable /dev/shm here")
    path = os.path.join("/dev/shm", f"evonet-test-{os.getpid()}.bin")
    try:
        atomic_write(path, lambda f: f.write(b"first"))
        atomic_write(path, lambda f: f.write(b"second"))
        with open(path, "rb") as f:
            assert f.read() == b"second"
    finally:
        os.unlink(path)


def test_write_problem_refuses_what_is_not_a_path_and_an_empty_one():
    from evonet.io import write_problem

    assert write_problem("") == "it needs a file name"   # it said nothing was wrong
    with pytest.raises(ValueError, match="path must be a str or os.PathLike, got None"):
        write_problem(None)
    assert write_problem(os.fsencode(os.devnull)) is None
