"""The checkpoint serialiser: exact round trips of a run's objects, nothing else accepted."""

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from deap import tools

from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.callbacks import Callback, Checkpoint
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.genome.initializers import MinimalInitializer
from evonet.genome.types import as_individual
from evonet.io import read_checkpoint, write_checkpoint
from evonet.io._state import Decoder, Encoder
from evonet.problems.graph import GraphProblem
from evonet.strategies import get_strategy


def round_trip(value):
    encoder = Encoder()
    encoded = json.loads(json.dumps(encoder.encode(value), allow_nan=False))
    return Decoder(encoder.arrays.__getitem__).decode(encoded)


def test_plain_values_keep_their_types_and_bits():
    value = {1: (np.float64(0.1), np.int64(-3), np.bool_(True), float("-inf"), float("nan")),
             "list": [None, True, 2**80, "text"], (2, 3): np.float32(1.5)}
    back = round_trip(value)
    assert list(back) == [1, "list", (2, 3)]
    assert [type(v) for v in back[1]] == [np.float64, np.int64, np.bool_, float, float]
    assert back[1][0] == 0.1 and back[1][3] == -np.inf and np.isnan(back[1][4])
    assert back["list"] == [None, True, 2**80, "text"] and back[(2, 3)] == np.float32(1.5)


def test_arrays_keep_dtype_layout_and_sharing():
    a = np.asfortranarray(np.random.default_rng(0).normal(size=(3, 4)))
    labels = np.array(["a", "b"], dtype=object)
    back = round_trip({"a": a, "again": a, "ints": np.arange(3, dtype=np.int32),
                       "labels": labels})
    assert back["a"] is back["again"] and np.array_equal(back["a"], a)
    assert back["a"].flags.f_contiguous and back["ints"].dtype == np.int32
    assert back["labels"].dtype == object and back["labels"].tolist() == ["a", "b"]


def test_generators_continue_exactly():
    for bit_generator in (np.random.PCG64, np.random.MT19937, np.random.Philox):
        rng = np.random.Generator(bit_generator(5))
        rng.random(7)
        back = round_trip(rng)
        assert np.array_equal(back.random(10), rng.random(10))


def test_individuals_hall_of_fame_and_logbook():
    from evonet.evolve import same_individual as _similar

    hall = tools.HallOfFame(2, similar=_similar)
    hall.update([as_individual([1.0, 2.0], fitness=0.5), as_individual([3.0], fitness=0.1)])
    logbook = tools.Logbook()
    logbook.header = ["gen", "min"]
    logbook.record(gen=1, min=0.5)
    back_hall, back_log = round_trip([hall, logbook])
    assert [list(i) for i in back_hall] == [[3.0], [1.0, 2.0]]
    assert [i.fitness.values for i in back_hall] == [(0.1,), (0.5,)]
    assert type(back_hall[0]) is type(hall[0]) and back_hall.similar is _similar
    assert list(back_log) == [{"gen": 1, "min": 0.5}] and back_log.header == ["gen", "min"]


class Crash(Exception):
    pass


class CrashAt(Callback):
    def __init__(self, generation):
        self.generation = generation

    def on_generation(self, run):
        if run.generation == self.generation:
            raise Crash


STRATEGY_NAMES = ["ga", "cmaes", "es", "ipop-cmaes", "neat"]
DATA = Path(__file__).parent / "data"


def small_run(strategy, **params):
    """A fresh seeded run of ``strategy`` on a tiny regression task, and its problem."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] - X[:, 1]
    if strategy == "neat":
        problem = GraphProblem(2, 1, X, y)
        initializer = MinimalInitializer(2, 1)
    else:
        layout = MLPLayout(2, (3,), 1)
        problem = SupervisedProblem(layout, X, y)

        def initializer(n, rng):
            return init_population(layout, n, rng)

    return Run(get_strategy(strategy, population_size=12, **params), Evaluator(problem),
               np.random.default_rng(1), initializer=initializer, batch_size=16)


def write_interrupted(strategy, path):
    """Run 12 generations with a checkpoint after each; crash in the 6th (file at 5)."""
    with pytest.raises(Crash):
        evolve(small_run(strategy), 12, callbacks=[Checkpoint(path, interval=0), CrashAt(6)])


def assert_resumes_like_uninterrupted(strategy, path, **params):
    reference = evolve(small_run(strategy, **params), 12)
    saved = read_checkpoint(path)
    assert saved.generation == 5
    resumed = evolve(Run.from_state(get_strategy(strategy, population_size=12),
                                    small_run(strategy).evaluator, saved.run_state), 7)
    assert resumed.generation == 12
    assert resumed.loss_curve == reference.loss_curve
    best, expected = resumed.best, reference.best
    if strategy == "neat":
        best, expected = best.connections, expected.connections
    assert np.array_equal(best, expected)


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_saved_runs_continue_exactly(tmp_path, strategy):
    path = tmp_path / "run.ckpt"
    write_interrupted(strategy, path)
    assert_resumes_like_uninterrupted(strategy, path)


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_checkpoints_of_evonet_0_1_0_still_resume(strategy):
    """Files written by evonet 0.1.0 (``python tests/test_checkpoint_state.py`` at that
    version), whose strategy states were ``StrategyState`` attribute bags."""
    path = DATA / f"checkpoint-0.1.0-{strategy}.ckpt"
    assert read_checkpoint(path).evonet_version == "0.1.0"
    # the ES of 0.1.0 drew fresh noise every generation: its states have no noise
    # table's seed and resume with those draws, which noise_table=False reproduces
    legacy = {"noise_table": False} if strategy == "es" else {}
    assert_resumes_like_uninterrupted(strategy, path, **legacy)


def test_strategy_states_are_written_field_by_field():
    for name in STRATEGY_NAMES:
        run = evolve(small_run(name), 2)
        encoder = Encoder()
        encoded = json.loads(json.dumps(encoder.encode(run.state), allow_nan=False))
        cls = type(run.state)
        assert encoded["$object"] == cls.__name__
        assert list(encoded["fields"]) == [f.name for f in dataclasses.fields(cls)]
        back = Decoder(encoder.arrays.__getitem__).decode(encoded)
        assert type(back) is cls and back.generation == 2 and back.best_loss == run.state.best_loss


def test_state_fields_must_match_the_dataclass():
    encoder = Encoder()
    encoded = encoder.encode(evolve(small_run("es"), 1).state)
    decoder = Decoder(encoder.arrays.__getitem__)
    extra = dict(encoded, fields={**encoded["fields"], "os": 1})
    with pytest.raises(ValueError, match="OpenESState has the fields"):
        decoder.decode(extra)
    missing = dict(encoded, fields={k: v for k, v in encoded["fields"].items() if k != "m"})
    with pytest.raises(ValueError, match="OpenESState has the fields"):
        decoder.decode(missing)
    # a 0.1.0 state ("StrategyState", an attribute bag) is read by its attributes
    legacy = dict(encoded, **{"$object": "StrategyState"})
    assert type(Decoder(encoder.arrays.__getitem__).decode(legacy)).__name__ == "OpenESState"
    with pytest.raises(ValueError, match="no strategy state has the fields"):
        decoder.decode(dict(missing, **{"$object": "StrategyState"}))


def test_unknown_objects_are_refused_on_both_sides():
    with pytest.raises(ValueError, match=r"state\[0\]: cannot save an object of type object"):
        Encoder().encode([object()])
    decoder = Decoder({}.__getitem__)
    for bad, match in [({"$object": "posix.system", "$id": 0, "fields": {}}, "not allowed"),
                       ({"$evil": 1}, "unknown entry"), ({"$ref": 3}, "unknown object"),
                       ({"$float": "1e999"}, "invalid float"), ({"plain": 1}, "unknown entry"),
                       ({"$generator": {"$dict": [["bit_generator", "os"]]}}, "bit generator"),
                       ({"$halloffame": 1, "similar": "eval", "items": []}, "similar test"),
                       ({"$array": "a9", "$id": 0}, "malformed")]:
        with pytest.raises(ValueError, match=match):
            decoder.decode(bad)
    nested = []
    for _ in range(300):
        nested = [nested]
    with pytest.raises(ValueError, match="nested too deeply"):
        decoder.decode(nested)


def small_checkpoint(path):
    layout = MLPLayout(1, (), 1)
    problem = SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0])
    run = Run(get_strategy("cmaes"), Evaluator(problem), np.random.default_rng(0),
              initializer=lambda n, rng: init_population(layout, n, rng))
    write_checkpoint(path, evolve(run, 3), metadata={"kind": "test"})


def test_damaged_checkpoints_raise_value_error(tmp_path):
    path = tmp_path / "run.ckpt"
    small_checkpoint(path)
    data = path.read_bytes()
    for cut in (0, 100, len(data) - 10):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match="checkpoint"):
            read_checkpoint(path)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    doc = json.loads(members["checkpoint.json"])
    for change, match in [({"format_version": "2.0"}, "newer than this evonet"),
                          ({"format": "x"}, "not an evonet checkpoint"),
                          ({"generation": "3"}, "generation")]:
        edited = dict(members, **{"checkpoint.json": json.dumps({**doc, **change}).encode()})
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in edited.items():
                archive.writestr(name, content)
        with pytest.raises(ValueError, match=match):
            read_checkpoint(path)
    buffer = io.BytesIO()
    np.save(buffer, np.array([{}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, buffer.getvalue() if name == "arrays/a0.npy" else content)
    with pytest.raises(ValueError, match="pickle"):
        read_checkpoint(path)


@pytest.mark.parametrize("env", ["2-damping", "CartPole-v1"])
def test_control_runs_resume_exactly(tmp_path, env):
    """resume_run, the helper for run loops outside the estimators, on control problems."""
    from evonet.control import GymProblem, MLPPolicy, PoleBalancingProblem
    from evonet.io.checkpoint import resume_run

    if env == "CartPole-v1":
        pytest.importorskip("gymnasium")
        policy = MLPPolicy(4, (), 1, output_activation="tanh")
        problem = GymProblem(env, policy, n_episodes=2)   # fresh episode seeds per generation
    else:
        policy = MLPPolicy(3, (2,), bias=False)
        problem = PoleBalancingProblem(env, policy, max_steps=200)
    fingerprint = {"params": {"env": env}}

    def make():
        return Run(get_strategy("cmaes", population_size=8), Evaluator(problem),
                   np.random.default_rng(2), initializer=policy.init_population)

    reference = evolve(make(), 10)
    path = tmp_path / "policy.ckpt"
    with pytest.raises(Crash):
        evolve(make(), 10, callbacks=[Checkpoint(path, 0, metadata=fingerprint), CrashAt(5)])
    run = resume_run(path, get_strategy("cmaes", population_size=8), Evaluator(problem),
                     fingerprint)
    resumed = evolve(run, 10 - run.generation)
    assert resumed.loss_curve == reference.loss_curve
    assert np.array_equal(resumed.best, reference.best)


if __name__ == "__main__":   # writes the checkpoint files of today's evonet into tests/data
    import evonet

    for name in STRATEGY_NAMES:
        target = DATA / f"checkpoint-{evonet.__version__}-{name}.ckpt"
        if target.exists():   # never replace a file an older evonet wrote
            print(target, "exists, kept")
            continue
        write_interrupted(name, target)
        print(target, target.stat().st_size)


def test_a_checkpoint_saved_without_metadata_resumes_with_no_fingerprint(tmp_path):
    # Checkpoint's metadata defaults to None, and resume_run then failed on None.get
    from evonet.callbacks import Checkpoint
    from evonet.evaluation import Evaluator, SupervisedProblem
    from evonet.evolve import Run, evolve
    from evonet.genome import init_population
    from evonet.io.checkpoint import resume_run
    from evonet.nn import MLPLayout
    from evonet.strategies import get_strategy

    layout = MLPLayout(1, (), 1)
    evaluator = Evaluator(SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0]))
    path = tmp_path / "run.ckpt"
    run = Run(get_strategy("cmaes"), evaluator, np.random.default_rng(0),
              initializer=lambda n, rng: init_population(layout, n, rng))
    evolve(run, 3, callbacks=[Checkpoint(path, 0)])
    for fingerprint in (None, {}):
        assert resume_run(path, get_strategy("cmaes"), evaluator, fingerprint).generation == 3


def test_a_resumed_run_keeps_recording_the_statistics_it_is_given(tmp_path):
    # resume_run took no stats: the resumed records lacked the user's columns
    from deap import tools

    from evonet.callbacks import Checkpoint
    from evonet.evaluation import Evaluator, SupervisedProblem
    from evonet.evolve import Run, evolve
    from evonet.genome import init_population
    from evonet.io.checkpoint import resume_run
    from evonet.nn import MLPLayout
    from evonet.strategies import get_strategy

    layout = MLPLayout(1, (), 1)
    evaluator = Evaluator(SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0]))
    stats = tools.Statistics()
    stats.register("med", np.median)
    path = tmp_path / "run.ckpt"
    run = Run(get_strategy("cmaes"), evaluator, np.random.default_rng(0), stats=stats,
              initializer=lambda n, rng: init_population(layout, n, rng))
    evolve(run, 2, callbacks=[Checkpoint(path, 0)])
    resumed = evolve(resume_run(path, get_strategy("cmaes"), evaluator, None, stats=stats), 2)
    assert [record["gen"] for record in resumed.logbook] == [1, 2, 3, 4]
    assert all(np.isfinite(record["med"]) for record in resumed.logbook)
