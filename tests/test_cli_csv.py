"""CSV at the command line: labels with commas and quotes survive a round trip through
`evonet fit` and `evonet predict`, and a UTF-8 byte order mark in a header is ignored."""

import csv
import re

import numpy as np

import evonet
from evonet.cli import main
from evonet.cli.data import load_csv

LABELS = np.array(['low, or none', 'high "very"'], dtype=object)


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path, header, rows, bom=False):
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_labels_with_commas_and_quotes_round_trip_and_a_bom_is_ignored(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = LABELS[(X[:, 0] > 0).astype(int)]
    data, model, out = tmp_path / "data.csv", tmp_path / "m.evonet", tmp_path / "pred.csv"
    # a spreadsheet's UTF-8 export starts with a byte order mark, before the first column name
    write_csv(data, ["x1", "x2", "label"], [[a, b, c] for (a, b), c in zip(X, y)], bom=True)
    assert data.read_bytes().startswith(b"\xef\xbb\xbfx1,")
    features, target, names = load_csv(data, target="label")
    assert names == ["x1", "x2"] and list(target) == list(y)

    code, _, err = run(["fit", data, "--target", "label", "--hidden", "2", "--generations",
                        "5", "--quiet", "--out", model], capsys)
    assert code == 0, err
    code, _, err = run(["predict", model, data, "--proba", "--out", out], capsys)
    assert code == 0, err
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    loaded = evonet.load(model)
    assert rows[0] == ["prediction"] + [f"proba_{c}" for c in loaded.classes_]
    assert [r[0] for r in rows[1:]] == list(loaded.predict(features))
    assert {r[0] for r in rows[1:]} <= set(LABELS) and all(len(r) == 3 for r in rows)
    assert np.array_equal(np.array([r[1:] for r in rows[1:]], dtype=float),
                          loaded.predict_proba(features))

    # the same to stdout, from a prediction file without a byte order mark
    plain = tmp_path / "plain.csv"
    write_csv(plain, ["x2", "x1"], [[b, a] for a, b in X])
    code, text, _ = run(["predict", model, plain], capsys)
    assert code == 0
    assert [r[0] for r in csv.reader(text.splitlines())][1:] == list(loaded.predict(features))


def test_targets_with_more_levels_than_the_split_can_hold(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    counts = tmp_path / "counts.csv"    # 20 integer levels: classes by the rule, 15 test rows
    write_csv(counts, ["x1", "x2", "n"], [[a, b, k % 20] for k, (a, b) in enumerate(X)])
    names = tmp_path / "names.csv"      # text labels: classes whatever their number
    write_csv(names, ["x1", "x2", "who"], [[a, b, f"p{k % 20}"] for k, (a, b) in enumerate(X)])
    cases = [
        (["fit", counts, "--target", "n"],
         "target column 'n' has 20 distinct values, more than the 15 held-out rows "
         "(--test-size 0.25) can hold one of each: it looks like a regression target; use "
         "--task regression"),
        (["fit", counts, "--target", "n", "--test-size", "0.9"],
         "more than the 6 training rows (--test-size 0.9)"),
        (["fit", "--dataset", "diabetes", "--task", "classification"],
         "the target of diabetes has 214 distinct values, more than the 111 held-out rows "
         "(--test-size 0.25) can hold one of each: it looks like a regression target; use "
         "--task regression"),
        # the test size is at fault, not the target: the advice says so (it said regression)
        (["fit", "--dataset", "iris", "--test-size", "0.99"],
         "the target of iris has 3 distinct values, more than the 1 training rows "
         "(--test-size 0.99) can hold one of each; choose a --test-size from 0.02 to 0.98"),
        (["fit", names, "--target", "who"],
         "target column 'who' has 20 distinct values, more than the 15 held-out rows "
         "(--test-size 0.25) can hold one of each; classification needs more rows per class"),
    ]
    for argv, message in cases:
        code, out, err = run(argv, capsys)
        assert (code, out) == (2, ""), (argv, out)
        assert err.startswith("evonet: error: ") and err.count("\n") == 1, argv
        assert message in err, argv

    # the same counts over 21 levels are past the rule: a regression target, fitted as one
    write_csv(counts, ["x1", "x2", "n"], [[a, b, k % 21] for k, (a, b) in enumerate(X)])
    code, out, err = run(["fit", counts, "--target", "n", "--hidden", "2", "--generations",
                          "3", "--quiet"], capsys)
    assert code == 0 and "NeuroEvolutionRegressor" in out and "held-out R^2" in out, err


def test_numeric_class_labels_come_back_as_the_file_writes_them(tmp_path, capsys):
    # they came back as floats: 02139 as 2139.0, 0 as 0.0, so predictions matched no label
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    labels = np.where(X[:, 0] > 0, "02139", "-2")
    data, model = tmp_path / "zip.csv", tmp_path / "zip.evonet"
    write_csv(data, ["x1", "x2", "zip"], [[a, b, c] for (a, b), c in zip(X, labels)])
    code, _, err = run(["fit", data, "--target", "zip", "--hidden", "2", "--generations", "3",
                        "--quiet", "--out", model], capsys)
    assert code == 0, err
    code, text, err = run(["predict", model, data, "--proba"], capsys)
    assert code == 0, err
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["prediction", "proba_-2", "proba_02139"]
    assert {r[0] for r in rows[1:]} <= {"02139", "-2"}
    code, text, _ = run(["info", model], capsys)
    assert re.search(r"^classes +2: -2, 02139$", text, re.MULTILINE), text


def test_a_file_that_is_not_utf8_names_its_line_and_the_fix(tmp_path, capsys):
    # it ended in Python's "'utf-8' codec can't decode byte 0xe9 in position 16"
    path = tmp_path / "latin1.csv"
    path.write_bytes("a,b,y\n1,2,x\n3,4,café\n".encode("latin-1"))
    code, out, err = run(["fit", path, "--target", "y"], capsys)
    assert (code, out) == (2, "")
    assert err == (f"evonet: error: {path}, line 3: not UTF-8 text; save the file as UTF-8 "
                   f"(a spreadsheet's 'CSV UTF-8')\n")


def test_info_quotes_the_class_labels_a_plain_list_would_make_ambiguous(tmp_path, capsys):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    labels = np.where(X[:, 0] > 0, "yes, sure", "ñö")
    data, model = tmp_path / "l.csv", tmp_path / "l.evonet"
    write_csv(data, ["x1", "x2", "y"], [[a, b, c] for (a, b), c in zip(X, labels)])
    code, _, err = run(["fit", data, "--target", "y", "--hidden", "2", "--generations", "3",
                        "--quiet", "--out", model], capsys)
    assert code == 0, err
    code, text, _ = run(["info", model], capsys)
    # two classes, not three: the label holding a comma is quoted
    assert re.search(r'^classes +2: "yes, sure", ñö$', text, re.MULTILINE), text


def test_a_number_written_two_ways_is_one_class_labelled_as_first_written(tmp_path, capsys):
    # 1 and 1.0 became two classes, the classifier's and the split's counts disagreeing
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2))
    labels = [("1" if k % 2 else "1.0") if x0 > 0 else "0" for k, (x0, _) in enumerate(X)]
    data, model = tmp_path / "n.csv", tmp_path / "n.evonet"
    write_csv(data, ["x1", "x2", "y"], [[a, b, c] for (a, b), c in zip(X, labels)])
    code, _, err = run(["fit", data, "--target", "y", "--hidden", "2", "--generations", "3",
                        "--quiet", "--out", model], capsys)
    assert code == 0, err
    first = next(c for c in labels if c != "0")
    assert sorted(evonet.load(model).classes_) == sorted(["0", first])


def test_a_run_begun_before_labels_were_kept_as_text_goes_on_with_numbers(tmp_path):
    # its checkpoint holds numeric targets: resuming with text labels would not match it
    import argparse

    from evonet.cli.commands import _load

    data = tmp_path / "z.csv"
    write_csv(data, ["x", "zip"], [[k, "02139" if k % 2 else "10001"] for k in range(20)])
    args = argparse.Namespace(dataset=None, data=str(data), target="zip", task=None,
                              checkpoint=str(tmp_path / "run.ckpt"))
    *_, labels, digest = _load(args, text_labels=False)
    assert labels is None and digest is not None
    *_, labels, _ = _load(args)
    assert set(labels) == {"02139", "10001"}


def test_the_checkpoint_records_how_the_class_labels_were_taken():
    # a run resumed with numbers recorded "text" all the same: its next resume took text
    # labels, and the estimator's checkpoint refused its targets
    import argparse

    from evonet.cli.commands import _record

    args = argparse.Namespace(data="d.csv", target="y", dataset=None, task=None,
                              strategy="auto", generations=None, hidden=None, test_size=0.25,
                              seed=0, n_jobs=None, out=None, checkpoint_interval=60)
    for text_labels, recorded in ((True, "text"), (False, "numbers")):
        assert _record(args, "abc", text_labels)["labels"] == recorded
