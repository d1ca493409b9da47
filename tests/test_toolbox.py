import pickle
import random

import numpy as np
import pytest
from deap import algorithms, cma, tools

from evonet import MLPLayout, WeightIndividual, forward, make_toolbox

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


def xor_toolbox(seed, **kwargs):
    options = dict(mutation_sigma=1.0, mutation_indpb=0.2)
    options.update(kwargs)
    return make_toolbox(MLPLayout(2, (2,), 1, activation="tanh"), XOR_X, XOR_Y,
                        loss="squared_error", random_state=seed, **options)


def run_easimple(seed, ngen, n=200):
    random.seed(seed)
    toolbox = xor_toolbox(seed)
    hof = tools.HallOfFame(1, similar=np.array_equal)
    pop, log = algorithms.eaSimple(toolbox.population(n=n), toolbox, cxpb=0.5, mutpb=0.5,
                                   ngen=ngen, halloffame=hof, verbose=False)
    return pop, log, hof


def test_toolbox_registers_the_deap_aliases():
    toolbox = xor_toolbox(0)
    for name in ("individual", "population", "mate", "mutate", "select", "evaluate", "map"):
        assert hasattr(toolbox, name)
    ind = toolbox.individual()
    assert isinstance(ind, WeightIndividual) and ind.shape == (9,)


def test_map_scores_in_order_and_matches_single_evaluation():
    toolbox = xor_toolbox(0)
    pop = toolbox.population(n=70)
    batched = toolbox.map(toolbox.evaluate, pop)
    assert isinstance(batched, list) and len(batched) == 70
    single = [toolbox.evaluate(ind) for ind in pop]
    np.testing.assert_allclose([f[0] for f in batched], [f[0] for f in single], rtol=1e-6)
    # and equal to the mean squared error of the float64 network
    layout = MLPLayout(2, (2,), 1)
    mse = [np.mean((forward(layout, ind, XOR_X, np.float64).ravel() - XOR_Y) ** 2) for ind in pop]
    np.testing.assert_allclose([f[0] for f in batched], mse, rtol=1e-5)


def test_map_falls_back_to_builtin_map_for_other_functions():
    toolbox = xor_toolbox(0)
    assert toolbox.map(len, [[1], [1, 2]]) == [1, 2]


def test_same_random_state_gives_same_population_and_run():
    a = xor_toolbox(3).population(n=5)
    b = xor_toolbox(3).population(n=5)
    c = xor_toolbox(4).population(n=5)
    np.testing.assert_array_equal(np.stack(a), np.stack(b))
    assert not np.array_equal(np.stack(a), np.stack(c))
    _, log1, hof1 = run_easimple(7, 10, n=50)
    _, log2, hof2 = run_easimple(7, 10, n=50)
    np.testing.assert_array_equal(hof1[0], hof2[0])
    assert log1.select("nevals") == log2.select("nevals")


def test_easimple_solves_xor():
    # budget: population 200, 200 generations (about 30,000 evaluations)
    _, log, hof = run_easimple(0, 200)
    best = hof[0]
    assert best.fitness.values[0] < 0.01
    out = forward(MLPLayout(2, (2,), 1), best, XOR_X, dtype=np.float64).ravel()
    assert np.mean((out - XOR_Y) ** 2) < 0.01


def test_eamuplus_lambda_runs_unchanged():
    random.seed(1)
    toolbox = xor_toolbox(1)
    hof = tools.HallOfFame(1, similar=np.array_equal)
    pop, _ = algorithms.eaMuPlusLambda(toolbox.population(n=30), toolbox, mu=30, lambda_=60,
                                       cxpb=0.4, mutpb=0.5, ngen=15, halloffame=hof,
                                       verbose=False)
    start = np.mean([f[0] for f in toolbox.map(toolbox.evaluate, xor_toolbox(1).population(30))])
    assert hof[0].fitness.values[0] < start


def test_ea_generate_update_with_deap_cma():
    np.random.seed(0)  # deap.cma draws from numpy's global state
    toolbox = xor_toolbox(0)
    strategy = cma.Strategy(centroid=[0.0] * 9, sigma=1.0, lambda_=20)
    toolbox.register("generate", strategy.generate, WeightIndividual)
    toolbox.register("update", strategy.update)
    hof = tools.HallOfFame(1, similar=np.array_equal)
    algorithms.eaGenerateUpdate(toolbox, ngen=60, halloffame=hof, verbose=False)
    assert hof[0].fitness.values[0] < 0.2


def test_log_loss_and_error_rate_on_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    labels = rng.integers(0, 3, size=60)
    layout = MLPLayout(3, (4,), 3, output_activation="softmax")
    tb = make_toolbox(layout, X, labels, loss="log_loss", random_state=0)
    ind = tb.individual()
    probs = forward(layout, ind, X, dtype=np.float64)
    expected = -np.mean(np.log(probs[np.arange(60), labels]))
    assert tb.evaluate(ind)[0] == pytest.approx(expected, rel=1e-5)
    tb = make_toolbox(layout, X, labels, loss="error_rate", random_state=0)
    assert tb.evaluate(ind)[0] == pytest.approx(np.mean(probs.argmax(1) != labels))


def test_binary_log_loss_uses_one_logistic_unit():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(float)
    layout = MLPLayout(2, (3,), 1, output_activation="logistic")
    tb = make_toolbox(layout, X, y, loss="log_loss", random_state=0)
    ind = tb.individual()
    p = forward(layout, ind, X, dtype=np.float64).ravel()
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert tb.evaluate(ind)[0] == pytest.approx(expected, rel=1e-5)


def test_toolbox_pickles():
    toolbox = xor_toolbox(0)
    clone = pickle.loads(pickle.dumps(toolbox))
    ind = toolbox.individual()
    assert clone.evaluate(ind) == toolbox.evaluate(ind)


def test_operators_draw_only_from_the_toolbox_generator():
    random.seed(11)
    np.random.seed(11)
    py_state, np_state = random.getstate(), np.random.get_state()[1].copy()
    toolbox = xor_toolbox(0)
    pop = toolbox.population(n=10)
    toolbox.mate(pop[0], pop[1])
    toolbox.mutate(pop[2])
    for ind, fit in zip(pop, toolbox.map(toolbox.evaluate, pop)):
        ind.fitness.values = fit
    toolbox.select(pop, 5)
    assert random.getstate() == py_state
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(loss="hinge"), "loss='hinge'"),
        (dict(crossover="twopoint"), "crossover='twopoint'"),
        (dict(mutation_sigma=-1.0), "mutation_sigma"),
        (dict(tournsize=0), "tournsize"),
        (dict(random_state="x"), "random_state"),
    ],
)
def test_make_toolbox_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_toolbox(MLPLayout(2, (2,), 1), XOR_X, XOR_Y, **kwargs)


def test_make_toolbox_rejects_bad_data():
    layout = MLPLayout(2, (2,), 1)
    with pytest.raises(ValueError, match="3 features"):
        make_toolbox(layout, np.zeros((4, 3)), XOR_Y)
    with pytest.raises(ValueError, match="y has 3 rows"):
        make_toolbox(layout, XOR_X, XOR_Y[:3])
    with pytest.raises(ValueError, match="NaN"):
        make_toolbox(layout, XOR_X, np.array([0.0, np.nan, 1.0, 0.0]))
    with pytest.raises(ValueError, match="output_activation"):
        make_toolbox(layout, XOR_X, XOR_Y, loss="log_loss")


@pytest.mark.parametrize("crossover, options, message", [
    ("sbx", {"alpha": 0.3}, r"crossover='sbx' takes no option 'alpha'; it takes \['eta'\]"),
    ("blend", {"alpha": -1}, "alpha must be finite and non-negative"),
    ("uniform", {"indpb": 2}, "indpb must be a probability"),
    ("sbx", {"eta": float("nan")}, "eta must be non-negative")])
def test_crossover_options_are_checked_when_the_toolbox_is_made(crossover, options, message):
    # they failed inside eaSimple's first generation
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match=message):
        make_toolbox(MLPLayout(2, (2,), 1), X, y, crossover=crossover,
                     crossover_kwargs=options, random_state=0)
