"""What checkpoints cost on the digits classifier, and how the model loader stands up to fuzzing.

The digits fit is what ``evonet fit --dataset digits`` runs: the default
``NeuroEvolutionClassifier`` (64-100-10 network, 7,510 weights; ``strategy="auto"``
trains it by population-based training) in a
``Pipeline`` with a ``StandardScaler``, on a stratified 75% split. Measured in
one run on this machine:

* the same fit with no checkpoint, with ``checkpoint_interval=60`` (the
  default) and with ``checkpoint_interval=0`` (a write after every
  generation); each write is timed inside the run, so the overhead is the
  time spent writing over the time of the fit (not a difference of two
  noisy totals, which is printed too);
* the cost of one write (median) and of reading a checkpoint back, the
  file size, and the steady-state overhead of the default interval
  (one write per 60 s);
* with ``--long SECONDS``, a fit made to run that long (no early stopping)
  at the default interval, so that periodic writes happen within it;
* that all fits give the identical model (a checkpoint never changes a run);
* with ``--fuzz N``, ``N`` hypothesis-mutated model files fed to
  ``evonet.load`` (``tests/test_io_fuzz.py``): the outcome.

Targets: checkpoints cost at most 2% of the run time at the default interval
(the share printed for the default interval, the steady-state share and, with
``--long``, the long fit's share); loading 10,000 mutated files
(``--fuzz 10000``) raises nothing but the documented ``ValueError``.

How it is measured: shared machines vary by 10-25% between runs, so the
checkpoint cost is a ratio taken within one run on one machine (seconds spent
in ``Checkpoint.write`` over the seconds of the fits that made those writes),
never a difference between separately timed fits; the fits with and without
a checkpoint alternate so that drift shows in both. Times come from
``time.perf_counter``, medians over ``--repeats``. The tests never assert a
time: run this script and read (or ``--json``) its figures.

Usage: python benchmarks/checkpoint.py [--repeats 3] [--long 150] [--fuzz 10000] [--seed 0]
                                      [--json PATH]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier
from evonet.callbacks import Callback, Checkpoint
from evonet.io import read_checkpoint
from evonet.runs import fit_context

HERE = os.path.dirname(os.path.abspath(__file__))
WRITES = []


def _timed_write(original):
    def write(self, run):
        start = time.perf_counter()
        original(self, run)
        WRITES.append((time.perf_counter() - start, os.path.getsize(self.path)))
    return write


def digits_fit(seed, **params):
    """Fit the digits pipeline; return (seconds, fitted pipeline, write times, sizes)."""
    X, y = load_digits(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, stratify=y, random_state=seed)
    model = make_pipeline(StandardScaler(), NeuroEvolutionClassifier(random_state=seed,
                                                                     **params))
    WRITES.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    return seconds, model, [w for w, _ in WRITES], [s for _, s in WRITES]


def same_model(a, b):
    return all(np.array_equal(W, V) for W, V in zip(a[-1].coefs_, b[-1].coefs_)) \
        and a[-1].loss_curve_ == b[-1].loss_curve_


def read_cost(folder, seed):
    """Seconds to read back a checkpoint of the digits run (written after 50 generations)."""
    path = os.path.join(folder, "read.ckpt")

    class Stop(Exception):
        pass

    class StopAt(Callback):
        def after_generation(self, run, stopping):
            if run.generation == 20:   # before any default digits fit ends
                raise Stop

    try:
        with fit_context(callbacks=[StopAt()]):
            digits_fit(seed, checkpoint=path, checkpoint_interval=0)
    except Stop:
        pass
    times = []
    for _ in range(5):
        start = time.perf_counter()
        read_checkpoint(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fuzz(examples):
    env = dict(os.environ, EVONET_FUZZ_EXAMPLES=str(examples),
               PYTHONPATH=os.path.join(HERE, ".."))
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             os.path.join(HERE, "..", "tests", "test_io_fuzz.py"),
                             "-k", "mutated", "--hypothesis-show-statistics", "-W", "error"],
                            capture_output=True, text=True, env=env)
    lines = [line.strip() for line in result.stdout.splitlines()
             if "outcome:" in line or "passed" in line or "failed" in line]
    return result.returncode, time.perf_counter() - start, lines


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the train/test split and random_state of every fit "
                             "(default: %(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=3,
                        help="fits without and with the default checkpoint, alternating "
                             "(default: %(default)s)")
    parser.add_argument("--long", type=at_least(0, float), default=0.0, metavar="SECONDS",
                        help="also run a fit of about this many seconds at the default interval "
                             "(default: 0, no such fit)")
    parser.add_argument("--fuzz", type=at_least(0), default=0, metavar="N",
                        help="also load N mutated model files (tests/test_io_fuzz.py) "
                             "(default: 0, no fuzzing)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    Checkpoint.write = _timed_write(Checkpoint.write)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "digits.ckpt")
        # the fits without and with a checkpoint at the default interval alternate, so that
        # the machine's drift shows in both; the overhead itself is timed inside the runs
        plain_times, default_times, default_writes = [], [], []
        for _ in range(args.repeats):
            plain_s, plain, _, _ = digits_fit(args.seed)
            plain_times.append(plain_s)
            default_s, default, writes, _ = digits_fit(args.seed, checkpoint=path)
            default_times.append(default_s)
            default_writes += writes
        plain_s, default_s = statistics.median(plain_times), statistics.median(default_times)
        every_s, every, every_writes, sizes = digits_fit(args.seed, checkpoint=path,
                                                         checkpoint_interval=0)
        generations, strategy = plain[-1].n_iter_, plain[-1].strategy_
        write_s = statistics.median(every_writes)
        results.update(
            generations=generations, strategy=strategy, seconds_no_checkpoint=plain_s,
            seconds_default_interval=default_s, writes_default_interval=len(default_writes),
            overhead_default_interval=sum(default_writes) / sum(default_times),
            repeats=args.repeats,
            seconds_interval_0=every_s, writes_interval_0=len(every_writes),
            overhead_interval_0=sum(every_writes) / every_s,
            one_write_seconds=write_s, one_write_max_seconds=max(every_writes),
            checkpoint_bytes=int(statistics.median(sizes)),
            steady_state_overhead_default=write_s / (60.0 + write_s),
            read_seconds=read_cost(folder, args.seed),
            identical_models=bool(same_model(plain, default) and same_model(plain, every)))
        if args.long:
            per_generation = plain_s / generations
            long_s, long_model, long_writes, _ = digits_fit(
                args.seed, checkpoint=path, n_iter_no_change=10**9,
                max_generations=int(args.long / per_generation))
            results.update(long_seconds=long_s, long_generations=long_model[-1].n_iter_,
                           long_writes=len(long_writes),
                           long_write_seconds=sum(long_writes),
                           long_overhead=sum(long_writes) / long_s)
    r = results
    print(f"digits classifier (64-100-10, {r['strategy']}), seed {args.seed}: "
          f"{r['generations']} generations")
    print(f"  no checkpoint                  {r['seconds_no_checkpoint']:7.2f} s (median of "
          f"{r['repeats']})")
    print(f"  checkpoint, interval 60 s      {r['seconds_default_interval']:7.2f} s (median of "
          f"{r['repeats']}), {r['writes_default_interval']} writes, "
          f"{100 * r['overhead_default_interval']:.3f}% of the runs spent writing")
    print(f"  checkpoint, interval 0         {r['seconds_interval_0']:7.2f} s, "
          f"{r['writes_interval_0']} writes, {100 * r['overhead_interval_0']:.2f}% of the run "
          f"spent writing")
    print(f"  one write: {1000 * r['one_write_seconds']:.2f} ms median "
          f"({1000 * r['one_write_max_seconds']:.1f} ms max), {r['checkpoint_bytes'] / 1024:.0f} "
          f"kB; reading it back: {1000 * r['read_seconds']:.1f} ms")
    print(f"  steady state at the default interval (one write per 60 s): "
          f"{100 * r['steady_state_overhead_default']:.4f}% (target <= 2%)")
    if args.long:
        print(f"  long fit at the default interval: {r['long_seconds']:.1f} s, "
              f"{r['long_generations']} generations, {r['long_writes']} writes taking "
              f"{1000 * r['long_write_seconds']:.1f} ms: {100 * r['long_overhead']:.4f}% "
              f"(target <= 2%)")
    print(f"  identical models with and without checkpoints: {r['identical_models']}")
    if args.fuzz:
        code, seconds, lines = fuzz(args.fuzz)
        results.update(fuzz_examples=args.fuzz, fuzz_passed=code == 0, fuzz_seconds=seconds,
                       fuzz_report=lines)
        print(f"fuzzing evonet.load with {args.fuzz} mutated model files: "
              f"{'only ValueError or working models' if code == 0 else 'FAILED'} "
              f"({seconds:.0f} s)")
        for line in lines:
            print(f"  {line}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
