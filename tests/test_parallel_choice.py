"""The choice between in-process and parallel scoring, on a scripted clock.

In-process scoring runs on one thread here (``n_threads=1``), so that the
scripted problem knows where it was scored; the gate that keeps workers from
starting before they could pay is tested on its own at the end.
"""

import threading
import time

import numpy as np
import pytest

from evonet import Evaluator, config_context
from evonet.evaluation.parallel import ModeChooser


class ScriptedCosts:
    """Chunks of 4 whose scoring advances a fake clock, by ``serial`` seconds a chunk
    in-process (this thread) and ``parallel`` seconds a chunk in a worker thread; it
    records, per call, where its chunks were scored."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, serial, parallel):
        self.serial, self.parallel = serial, parallel
        self.now = 0.0
        self.where = set()
        self.lock = threading.Lock()
        self.here = threading.get_ident()

    def clock(self):
        return self.now

    def evaluate(self, population, rows=None):
        in_process = threading.get_ident() == self.here
        with self.lock:
            self.now += self.serial if in_process else self.parallel
            self.where.add("S" if in_process else "P")
        return np.asarray(population).sum(axis=1)


@pytest.fixture
def scripted(monkeypatch):
    """A :class:`ScriptedCosts` problem whose clock is the one the evaluator reads; the
    workers are tried from the second multi-chunk generation on, and in-process scoring
    uses the calling thread."""

    def make(serial, parallel):
        costs = ScriptedCosts(serial, parallel)
        monkeypatch.setattr(time, "perf_counter", costs.clock)
        return costs

    monkeypatch.setattr(ModeChooser, "worth_probing", lambda self: True)
    with config_context(n_threads=1):
        yield make


def paths(evaluator, costs, calls, size=16):
    """Where each of ``calls`` evaluations of ``size`` individuals was scored: S or P."""
    population = np.ones((size, 3))
    seen = []
    for _ in range(calls):
        costs.where.clear()
        np.testing.assert_array_equal(evaluator.evaluate(population), np.full(size, 3.0))
        seen.append("".join(sorted(costs.where)))
    return "".join(seen)


@pytest.mark.parametrize("serial, parallel, chosen", [
    (0.010, 0.100, "serial"),     # workers 10 times slower
    (0.010, 0.001, "parallel"),   # workers 10 times faster
    (0.010, 0.0096, "serial"),    # 4% faster is not worth the workers
    (0.010, 0.0094, "parallel"),  # 6% faster is
])
def test_the_faster_path_is_kept_after_timing_both(scripted, capsys, serial, parallel, chosen):
    costs = scripted(serial, parallel)
    with Evaluator(costs, n_jobs=2, backend="threading", verbose=1) as evaluator:
        # four generations of 4 chunks alternate in-process and workers, then it chooses
        assert paths(evaluator, costs, 4) == "SPSP" and evaluator.mode is None
        assert paths(evaluator, costs, 4) == 4 * chosen[0].upper()
        assert evaluator.mode == chosen
    how = "in-process" if chosen == "serial" else "with 2 workers"
    assert capsys.readouterr().err == (
        f"evonet: scoring generations {how}: one took {4e3 * serial:.1f} ms in-process "
        f"and {4e3 * parallel:.1f} ms with 2 workers\n")


def test_the_workers_start_up_is_not_counted(scripted):
    costs = scripted(0.001, 1.0)
    with Evaluator(costs, n_jobs=2, backend="threading") as evaluator:
        assert paths(evaluator, costs, 2) == "SP"   # the workers' start-up: 4 s
        costs.parallel = 0.0009
        assert paths(evaluator, costs, 2) == "SP"   # 4 ms in-process, 3.6 ms with workers
        assert paths(evaluator, costs, 1) == "P" and evaluator.mode == "parallel"


def test_the_faster_in_process_time_counts(scripted):
    costs = scripted(0.001, 0.002)
    with Evaluator(costs, n_jobs=2, backend="threading") as evaluator:
        assert paths(evaluator, costs, 1) == "S"    # 4 ms
        costs.serial = 0.010
        assert paths(evaluator, costs, 3) == "PSP"  # 8 ms, 40 ms, 8 ms
        assert paths(evaluator, costs, 1) == "S" and evaluator.mode == "serial"


def test_both_paths_are_timed_again_every_reprobe_every_generations(scripted):
    costs = scripted(0.010, 0.100)
    evaluator = Evaluator(costs, n_jobs=2, backend="threading")
    evaluator.REPROBE_EVERY = 8
    with evaluator:
        assert paths(evaluator, costs, 8) == "SPSPSSSS" and evaluator.mode == "serial"
        costs.parallel = 0.001   # the workers became faster: seen at the next timing
        assert paths(evaluator, costs, 8) == "SPSPPPPP" and evaluator.mode == "parallel"


def test_one_chunk_generations_single_jobs_and_non_adaptive_evaluators(scripted):
    costs = scripted(0.010, 0.100)
    with Evaluator(costs, n_jobs=2, backend="threading") as evaluator:
        # a generation of one chunk is scored in-process and not timed
        assert paths(evaluator, costs, 3, size=4) == "SSS"
        assert paths(evaluator, costs, 2) == "SP" and evaluator.mode is None
    with Evaluator(costs, n_jobs=1, backend="threading") as evaluator:
        assert paths(evaluator, costs, 6) == "SSSSSS"
    with Evaluator(costs, n_jobs=2, backend="threading", adaptive=False) as evaluator:
        assert paths(evaluator, costs, 6) == "PPPPPP" and paths(evaluator, costs, 1, 4) == "S"


def test_workers_are_tried_only_once_they_could_pay():
    # in-process generations of 4 chunks: 1 s each, of which 1 s of CPU (one thread)
    chooser = ModeChooser(backend="test-one-thread")
    assert chooser.choose(n_jobs=2) == "serial"
    chooser.record("serial", 1.0, cpu=1.0, n_chunks=4)
    assert chooser.choose(n_jobs=2) == "serial"    # 0.5 s foregone: less than a start-up
    chooser.record("serial", 1.0, cpu=1.0, n_chunks=4)
    assert chooser.choose(n_jobs=2) == "parallel"  # 1 s foregone: worth a start-up
    # threads that already use both cores: 2 workers could save nothing
    chooser = ModeChooser(backend="test-two-threads")
    for _ in range(50):
        assert chooser.choose(n_jobs=2) == "serial"
        chooser.record("serial", 0.5, cpu=0.97, n_chunks=4)
    assert chooser.mode is None and chooser.calls == 1
    # one chunk's worth of CPU cannot be shared by more workers than chunks
    chooser = ModeChooser(backend="test-two-chunks")
    for _ in range(50):
        assert chooser.choose(n_jobs=8, capacity=8) == "serial"
        chooser.record("serial", 0.5, cpu=0.95, n_chunks=2)


def test_the_measured_start_up_is_remembered_for_the_next_fit():
    chooser = ModeChooser(backend="test-start-up")
    for mode, seconds in [("serial", 1.0), ("serial", 1.0), ("parallel", 3.0),
                          ("serial", 1.0), ("parallel", 0.4)]:
        assert chooser.choose(n_jobs=2) == mode
        chooser.record(mode, seconds, cpu=seconds if mode == "serial" else None, n_chunks=4)
    assert chooser.choose(n_jobs=2) == "parallel"
    # the start-up took 2.6 s: the next fit waits until 2.6 s could have been saved (6 x 0.5)
    chooser = ModeChooser(backend="test-start-up")
    for _ in range(6):
        assert chooser.choose(n_jobs=2) == "serial"
        chooser.record("serial", 1.0, cpu=1.0, n_chunks=4)
    assert chooser.choose(n_jobs=2) == "parallel"
