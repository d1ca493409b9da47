"""Batched Adam and SGD (scikit-learn's updates) and training a population by minibatch steps."""

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from threadpoolctl import threadpool_limits

from evonet.nn import SGD, Adam, AdamState, MLPLayout, take_rows
from evonet.problems import SupervisedProblem, loss_and_grad, train_population


def run_sklearn(optimizer, param, grads):
    history = []
    for g in grads:
        optimizer.update_params([param], [g])
        history.append(param.copy())
    return history


def run_evonet(optimizer, param, grads):
    params = param[None, :].copy()
    state = optimizer.init(params)
    history = []
    for g in grads:
        params, state = optimizer.step(params, g[None, :], state)
        history.append(params[0].copy())
    return history, state


def test_adam_matches_sklearn_step_for_step():
    rng = np.random.default_rng(0)
    w = rng.normal(size=7)
    grads = rng.normal(size=(20, 7))
    expected = run_sklearn(AdamOptimizer([w.copy()], 0.01, 0.8, 0.99, 1e-7), w.copy(), grads)
    got, state = run_evonet(Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-7), w, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
    assert state.t.tolist() == [20]


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_matches_sklearn_step_for_step(nesterov):
    rng = np.random.default_rng(1)
    w = rng.normal(size=5)
    grads = rng.normal(size=(20, 5))
    sk = SGDOptimizer([w.copy()], learning_rate_init=0.05, lr_schedule="constant",
                      momentum=0.8, nesterov=nesterov)
    expected = run_sklearn(sk, w.copy(), grads)
    got, _ = run_evonet(SGD(0.05, momentum=0.8, nesterovs_momentum=nesterov), w, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_defaults_are_sklearns():
    assert (Adam().learning_rate, Adam().beta_1, Adam().beta_2, Adam().epsilon) == \
        (1e-3, 0.9, 0.999, 1e-8)
    assert (SGD().momentum, SGD().nesterovs_momentum) == (0.9, True)


@pytest.mark.parametrize("make", [lambda lr: Adam(lr), lambda lr: SGD(lr)])
def test_per_network_learning_rates_and_active_mask(make):
    rng = np.random.default_rng(2)
    params = rng.normal(size=(3, 4))
    grads = rng.normal(size=(3, 4))
    lrs = np.array([0.1, 0.01, 0.5])
    opt = make(lrs)
    state = opt.init(params)
    new, new_state = opt.step(params, grads, state, active=np.array([True, False, True]))
    np.testing.assert_array_equal(new[1], params[1])
    for p in (0, 2):
        alone = make(lrs[p])
        one, _ = alone.step(params[p:p + 1], grads[p:p + 1], alone.init(params[p:p + 1]))
        np.testing.assert_array_equal(new[p], one[0])
    assert new_state.t.tolist() == [1, 0, 1]
    np.testing.assert_array_equal(state.t, [0, 0, 0])  # the old state is not changed


@pytest.mark.parametrize("lr", [0.0, -1.0, np.nan, [0.1, 0.2]])
def test_bad_learning_rate_is_refused(lr):
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(lr).step(np.zeros((3, 2)), np.zeros((3, 2)), Adam().init(np.zeros((3, 2))))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="beta_1"):
        Adam(beta_1=1.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=-0.1)


def regression_problem(n_rows=64, dtype=np.float32):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n_rows, 3))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    return SupervisedProblem(MLPLayout(3, (8,), 1), X, y, alpha=1e-3, dtype=dtype)


def test_training_lowers_the_loss_of_every_network():
    problem = regression_problem()
    pop = np.random.default_rng(4).normal(scale=0.5, size=(6, problem.n_params))
    before = problem.evaluate(pop)
    result = train_population(problem, pop, steps=200, batch_size=16,
                              rng=np.random.default_rng(5), optimizer=Adam(0.01))
    assert (problem.evaluate(result.population) < 0.5 * before).all()
    assert not result.stopped.any() and isinstance(result.state, AdamState)
    assert (result.state.t == 200).all()


def test_a_diverging_network_stops_and_keeps_finite_weights():
    problem = regression_problem()
    rng = np.random.default_rng(6)
    pop = rng.normal(scale=0.5, size=(4, problem.n_params))
    pop[1] = 1e30  # its outputs overflow float32 at once
    result = train_population(problem, pop, steps=30, batch_size=16, rng=rng,
                              optimizer=SGD(np.array([1e-3, 1e-3, 1e30, 1e-3])))
    assert result.stopped.tolist() == [False, True, True, False]
    np.testing.assert_array_equal(result.population[1], pop[1])
    assert np.isfinite(result.population).all()
    assert np.isinf(result.losses[[1, 2]]).all() and np.isfinite(result.losses[[0, 3]]).all()


def test_training_is_deterministic_and_independent_of_threads():
    problem = regression_problem(n_rows=700)
    pop = np.random.default_rng(7).normal(size=(5, problem.n_params))

    def train(seed):
        return train_population(problem, pop, steps=8, batch_size=300,
                                rng=np.random.default_rng(seed))

    first = train(8)
    with threadpool_limits(1):
        single = train(8)
    np.testing.assert_array_equal(first.population, single.population)
    np.testing.assert_array_equal(first.state.m, single.state.m)
    assert not np.array_equal(train(9).population, first.population)


def test_continuing_from_the_state_equals_one_longer_run():
    problem = regression_problem(dtype=np.float64)
    pop = np.random.default_rng(10).normal(size=(3, problem.n_params))
    rng = np.random.default_rng(0)
    whole = train_population(problem, pop, steps=10, rng=rng)
    half = train_population(problem, pop, steps=4, rng=rng)
    rest = train_population(problem, half.population, steps=6, rng=rng, state=half.state)
    np.testing.assert_array_equal(rest.population, whole.population)
    np.testing.assert_array_equal(rest.state.v, whole.state.v)


def test_train_population_refuses_bad_arguments():
    problem = regression_problem()
    pop = np.zeros((2, problem.n_params))
    with pytest.raises(ValueError, match="steps"):
        train_population(problem, pop, steps=-1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        train_population(problem, pop, steps=1, rng=0)
    with pytest.raises(ValueError, match="stopped"):
        train_population(problem, pop, steps=1, rng=np.random.default_rng(0), stopped=[True])


def test_per_network_alpha_is_each_networks_own_l2_term():
    problem = regression_problem(dtype=np.float64)
    pop = np.random.default_rng(11).normal(size=(3, problem.n_params))
    alphas = np.array([0.0, 0.5, 2.0])
    losses, grads = loss_and_grad(problem, pop, alpha=alphas)
    for p, a in enumerate(alphas):
        own = SupervisedProblem(problem.layout, problem.X_aug[:, :-1], problem.targets[0],
                                alpha=a, dtype=np.float64)
        np.testing.assert_allclose(losses[p], own.evaluate(pop[p:p + 1])[0], rtol=1e-12)
        np.testing.assert_allclose(grads[p], loss_and_grad(own, pop[p:p + 1])[1][0],
                                   rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match="alpha"):
        loss_and_grad(problem, pop, alpha=[-1.0, 0.0, 0.0])


def test_take_rows_copies_each_networks_state():
    opt = Adam(0.1)
    params = np.arange(6.0).reshape(3, 2)
    _, state = opt.step(params, params, opt.init(params), active=np.array([True, False, True]))
    taken = take_rows(state, [2, 2, 1])
    np.testing.assert_array_equal(taken.m, state.m[[2, 2, 1]])
    assert taken.t.tolist() == [1, 1, 0]
    taken.m[0] = 99.0
    assert state.m[2, 0] != 99.0
