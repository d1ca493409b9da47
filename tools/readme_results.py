"""The README's table of experiment results, regenerated from the files in experiments/results/.

Every measured figure of the table is read from the JSON file an experiment
wrote with ``--json``; the published references come from the same files
where the experiment records them (the NEAT paper's XOR figures, the pole
balancing papers), else from the constants below, with their sources.

    python tools/readme_results.py            # print the table
    python tools/readme_results.py --check    # exit 1 if README.md's table differs
    python tools/readme_results.py --write    # put the table into README.md

The table sits in README.md between the lines ``<!-- results-table -->`` and
``<!-- /results-table -->``; ``tests/test_readme.py`` fails when it and the
results files disagree.
"""

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "experiments", "results")
README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- results-table -->", "<!-- /results-table -->"

NEAT_PYTHON_XOR = "neat-python: 12,923, 13% unsolved"
"""neat-python's own XOR example (its documentation's figures), for the neat-python criterion."""
CARTPOLE_REFERENCE = "neat-python 285 evaluations; SAC -176.3"
"""experiments/cartpole_gym.py's PEER_CARTPOLE and PENDULUM_REFERENCE (RL Zoo's SAC)."""
POLE_TASKS = ["1-markov", "1-nonmarkov", "2-markov", "2-nonmarkov", "2-damping"]
CLASSIFIERS = ["iris", "wine", "breast_cancer", "digits"]
REGRESSORS = ["diabetes", "friedman1"]


def _load(results, name):
    with open(os.path.join(results, f"{name}.json"), encoding="utf-8") as f:
        return json.load(f)


def _count(value):
    return "-" if value is None else f"{round(value):,}"


def sklearn_row(results):
    """The row of sklearn_benchmark.py: evonet's defaults beside scikit-learn's MLP."""
    scores = _load(results, "sklearn_benchmark")["results"]
    model = {name: scores[name]["models"] for name in CLASSIFIERS + REGRESSORS}
    digits = model["digits"]["evonet"]
    per_generation = 1000 * digits["fit_s"] / digits["generations"]
    # a PBT fit's generations are its rounds of training
    unit = "PBT rounds" if digits.get("strategy") == "pbt" else "generations"
    ours = (", ".join(f"{n} {100 * model[n]['evonet']['mean']:.1f}" for n in CLASSIFIERS)
            + f"% (digits {digits['fit_s']:.1f} s per fold, {digits['generations']:.0f} "
              f"{unit} of {per_generation:.0f} ms); "
            + ", ".join(f"{n} R^2 {model[n]['evonet']['mean']:.3f}" for n in REGRESSORS))
    theirs = ("MLP: " + ", ".join(f"{100 * model[n]['MLPClassifier']['mean']:.1f}"
                                  for n in CLASSIFIERS) + "%; "
              + ", ".join(f"{model[n]['MLPRegressor']['mean']:.3f}" for n in REGRESSORS))
    return ("`sklearn_benchmark.py`", "repeated 5-fold CV accuracy (R^2) against "
            "`MLPClassifier` / `MLPRegressor`, default settings", ours, theirs)


def xor_rows(results):
    """The rows of xor.py: the paper's criterion and neat-python's."""
    paper = _load(results, "xor_paper")
    s, p = paper["summary"], paper["paper"]
    first = ("`xor.py`", f"NEAT on XOR, paper's protocol, {s['runs']} runs",
             f"{_count(s['evaluations']['mean'])} mean evaluations, {s['failures']} failures, "
             f"{s['hidden_nodes']['mean']:.2f} hidden nodes",
             f"paper: {_count(p['evaluations'])}, {p['failures']} failures, "
             f"{p['hidden_nodes']:.2f}")
    s = _load(results, "xor_neat_python")["summary"]
    second = ("`xor.py --criterion neat-python`", "the same, neat-python's criterion",
              f"{_count(s['evaluations']['mean'])} mean evaluations, {s['failures']} failures",
              NEAT_PYTHON_XOR)
    return [first, second]


def xor_easimple_row(results):
    """The row of xor_easimple.py, with the machine and its load when it was timed."""
    saved = _load(results, "xor_easimple")
    runs, args, machine = saved["runs"], saved["args"], saved["machine"]
    evaluations = sum(r["evaluations"] for r in runs) / len(runs)
    seconds = sorted(r["wall_s"] for r in runs)
    return (f"`xor_easimple.py --runs {args['runs']}`",
            f"XOR with DEAP's `eaSimple` on an evonet toolbox (2-2-1, population "
            f"{args['population']}, {args['generations']} generations)",
            f"{saved['solved']}/{len(runs)} runs reached MSE < 0.01, {_count(evaluations)} "
            f"evaluations and {seconds[0]:.2f} to {seconds[-1]:.2f} s each ({machine['cpus']} "
            f"cores, load average {machine['load_average_1min']:.1f} at the start)", "")


def pole_rows(results):
    """The rows of pole_balancing.py: the default strategies, then NEAT."""
    runs = [_load(results, f"pole_balancing_{task}")["summary"] for task in POLE_TASKS]
    solved = sum(r["solved"] for r in runs)
    total = sum(r["runs"] for r in runs)
    published = [r["published"] for r in runs]
    first = ("`pole_balancing.py`", f"mean evaluations to solve, {runs[0]['runs']} runs per "
             f"task ({', '.join(POLE_TASKS)})",
             " / ".join(_count(r["evaluations"]["mean"]) for r in runs)
             + (f", all {total} runs solved" if solved == total else f", {solved}/{total} "
                                                                      f"runs solved"),
             "CMA-ES " + " / ".join(_count(p["CMA-ES"]) for p in published)
             + f"; ESP {_count(published[1]['ESP'])} without velocities")
    tasks = POLE_TASKS[:4]
    runs = [_load(results, f"pole_balancing_neat_{task}")["summary"] for task in tasks]
    solved = sum(r["solved"] for r in runs)
    total = sum(r["runs"] for r in runs)
    second = ("`pole_balancing.py --strategy neat`",
              f"the same with NEAT (recurrent networks grown from a minimal start), "
              f"{runs[0]['runs']} runs per steps task",
              " / ".join(_count(r["evaluations"]["mean"]) for r in runs)
              + f" ({', '.join(tasks)}), "
              + (f"all {total} runs solved" if solved == total else f"{solved}/{total} solved"),
              "NEAT paper " + " / ".join(_count(r["published"]["NEAT"]) for r in runs))
    return [first, second]


def cartpole_row(results):
    """The row of cartpole_gym.py: CartPole-v1 solved, Pendulum-v1's test return."""
    saved = _load(results, "cartpole_gym")
    cart, pendulum = saved["cartpole"]["summary"], saved["pendulum"]["summary"]
    return ("`cartpole_gym.py`", "CartPole-v1 solved on 100 fresh episodes; Pendulum-v1 "
            "test return",
            f"{cart['solved_test']}/{cart['runs']} runs solved, "
            f"{_count(cart['evaluations']['mean'])} mean evaluations; Pendulum "
            f"{pendulum['test_mean_return']['mean']:.1f}", CARTPOLE_REFERENCE)


def baldwin_row(results):
    """The row of baldwin.py: Hinton & Nowlan's simulation with and without learning."""
    saved = _load(results, "baldwin")
    learned, innate, runs = saved["with_learning"], saved["without_learning"], saved["runs"]
    last = len(learned["undecided"]) - 1
    return ("`baldwin.py`", f"Hinton & Nowlan's Baldwin effect, {runs} runs of "
            f"{saved['settings']['population']:,} organisms, {last} generations",
            f"with learning: incorrect alleles {100 * learned['incorrect'][30]:.1f}% at "
            f"generation 30, undecided {100 * learned['undecided'][30]:.1f}% at 30 and "
            f"{100 * learned['undecided'][last]:.1f}% at {last}, right network found in "
            f"{learned['found'][-1]}/{runs} runs; without learning found in "
            f"{innate['found'][-1]}/{runs}", "paper: undecided level off near 46%; Stojic "
            "(2017) replication: undecided keep falling")


def seed_examples_row(results):
    """The row of seed_examples.py: the three first programs, run through evonet."""
    saved = _load(results, "seed_examples")
    perceptron, backprop = saved["perceptron_and"], saved["xor_backprop"]
    steps = sorted(s for s in backprop["steps_to_learn"] if s > 0)
    span = f" in {steps[0]} to {steps[-1]} steps" if steps else ""
    return ("`seed_examples.py`", "the first programs: a delta-rule perceptron on AND, a 2-4-1 "
            "sigmoid MLP on XOR by back-propagation and by evolution, a generational loop "
            "written on a toolbox",
            f"AND in {perceptron['steps']} updates; XOR by back-propagation "
            f"{backprop['learned']}/{backprop['networks']} networks{span}, evolved in "
            f"{_count(saved['xor_evolved']['evaluations_to_learn'])} evaluations, by the loop "
            f"in {_count(saved['generational_loop']['evaluations'])}", "")


def results_table(results=RESULTS):
    """The markdown table of the README's experiments section, from ``results``' files."""
    rows = [sklearn_row(results), *xor_rows(results), xor_easimple_row(results),
            *pole_rows(results), cartpole_row(results), baldwin_row(results),
            seed_examples_row(results)]
    lines = ["| experiment | what it measures | latest result | reference |",
             "|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def readme_table(text):
    """The table between the markers of README text ``text``."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"README.md lacks the lines {BEGIN} and {END} around the table")
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n")


def with_table(text, table):
    """README text ``text`` with ``table`` between the markers."""
    readme_table(text)   # the markers are there
    before, rest = text.split(BEGIN, 1)
    return f"{before}{BEGIN}\n{table}\n{END}{rest.split(END, 1)[1]}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="exit with 1 if the table in README.md differs from the results")
    group.add_argument("--write", action="store_true",
                       help="replace the table in README.md by the one from the results")
    args = parser.parse_args(argv)
    table = results_table()
    if not (args.check or args.write):
        print(table)
        return 0
    with open(README, encoding="utf-8") as f:
        text = f.read()
    if args.check:
        same = readme_table(text) == table
        print("README.md's table matches experiments/results/" if same else
              "README.md's table differs from experiments/results/: run python "
              "tools/readme_results.py --write", file=sys.stderr)
        return 0 if same else 1
    with open(README, "w", encoding="utf-8") as f:
        f.write(with_table(text, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
