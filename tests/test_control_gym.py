"""gymnasium adapter, evolve_policy and the fitted policy object."""

import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")

from evonet.control import (  # noqa: E402
    EvolvedPolicy,
    GymEnvironment,
    GymProblem,
    MLPPolicy,
    RecurrentPolicy,
    evolve_policy,
    save_gif,
)
from evonet.evaluation import Evaluator  # noqa: E402
from evonet.problems.gym import EpisodeSeeds  # noqa: E402

BALANCER = np.array([0.0, 0.0, 1.0, 1.0])     # push towards the side the pole falls to


def test_spaces_and_action_mapping():
    cart = GymEnvironment("CartPole-v1")
    assert (cart.n_observations, cart.n_actions, cart.discrete) == (4, 2, True)
    assert cart.reward_threshold == 475.0 and cart.max_episode_steps == 500
    assert cart.actions(np.array([[0.2, -0.1, 0.0]])).tolist() == [1, 0, 0]
    pend = GymEnvironment("Pendulum-v1")
    assert (pend.n_observations, pend.n_actions, pend.discrete) == (3, 1, False)
    np.testing.assert_allclose(pend.actions(np.array([[-1.0, 0.0, 0.5, 3.0]]))[:, 0],
                               [-2.0, 0.0, 1.0, 2.0])


def test_unsupported_spaces_and_mismatched_policies_raise():
    with pytest.raises(ValueError, match="observation space Discrete"):
        GymEnvironment("FrozenLake-v1")
    cart = GymEnvironment("CartPole-v1")
    with pytest.raises(ValueError, match="n_inputs=3 but CartPole-v1 observations have 4"):
        cart.check_policy(MLPPolicy(3, (), 1))
    with pytest.raises(ValueError, match=r"n_outputs=3 but the Discrete\(2\) action space"):
        GymProblem("CartPole-v1", MLPPolicy(4, (), 3))
    with pytest.raises(ValueError, match="n_outputs=2 but the Box of dimension 1"):
        GymProblem("Pendulum-v1", MLPPolicy(3, (), 2))
    with pytest.raises(ValueError, match="no vectorised implementation"):
        GymProblem("Pendulum-v1", MLPPolicy(3, (), 1), vectorization="vector")
    with pytest.raises(ValueError, match="registered environment id"):
        GymEnvironment(3)


def test_returns_are_those_of_plain_gymnasium_episodes():
    policy = MLPPolicy(4, (), 1, bias=False)
    problem = GymProblem("CartPole-v1", policy, n_episodes=3)
    pop = np.stack([BALANCER, -BALANCER, 0.3 * BALANCER + 0.1])
    seeds = np.array([5, 6, 7])
    returns = problem.returns(pop, seeds)
    env = gym.make("CartPole-v1")
    for p, w in enumerate(pop):
        for e, seed in enumerate(seeds):
            obs, _ = env.reset(seed=int(seed))
            total, done = 0.0, False
            while not done:
                obs, r, term, trunc, _ = env.step(int(np.tanh(w @ obs) > 0))
                total += r
                done = term or trunc
            assert returns[p, e] == total
    np.testing.assert_allclose(problem.evaluate(pop, seeds), -returns.mean(axis=1))


def test_recurrent_policy_on_a_continuous_task_and_batch_invariance():
    policy = RecurrentPolicy(3, 2, 1, shortcut=True)
    problem = GymProblem("Pendulum-v1", policy, n_episodes=2)
    pop = np.random.default_rng(0).normal(size=(5, policy.n_params))
    together = problem.returns(pop, [1, 2])
    alone = np.concatenate([problem.returns(pop[i:i + 1], [1, 2]) for i in range(5)])
    np.testing.assert_array_equal(together, alone)
    assert together.shape == (5, 2) and (together < 0).all()


def test_problems_pickle_for_process_workers():
    import pickle

    from evonet.control import PoleBalancingProblem

    gym_problem = GymProblem("CartPole-v1", MLPPolicy(4, (), 1, bias=False), n_episodes=2)
    pop = np.stack([BALANCER, -BALANCER])
    before = gym_problem.evaluate(pop, [1, 2])          # builds (unpicklable) environments
    again = pickle.loads(pickle.dumps(gym_problem))
    np.testing.assert_array_equal(again.evaluate(pop, [1, 2]), before)
    pole = PoleBalancingProblem("2-markov", MLPPolicy(6, (), bias=False), max_steps=200)
    pole.evaluate(np.zeros((3, 6)))                       # fills the constants cache
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(pole)).evaluate(np.zeros((3, 6))),
                                  pole.evaluate(np.zeros((3, 6))))


def test_episode_seeds_come_from_the_run_generator():
    sampler = GymProblem("CartPole-v1", MLPPolicy(4, (), 1), n_episodes=4).make_sampler()
    assert isinstance(sampler, EpisodeSeeds)
    a = sampler.next(np.random.default_rng(3))
    b = sampler.next(np.random.default_rng(3))
    assert np.array_equal(a, b) and len(set(a.tolist())) == 4


def test_vector_mode_is_reproducible_and_parallel_results_match():
    policy = MLPPolicy(4, (), 1, bias=False)
    pop = np.random.default_rng(1).normal(size=(40, 4))
    vec = GymProblem("CartPole-v1", policy, n_episodes=2, vectorization="vector")
    assert np.array_equal(vec.evaluate(pop, [3, 4]), vec.evaluate(pop, [3, 4]))
    sync = GymProblem("CartPole-v1", policy, n_episodes=2, chunk_size=8)
    serial = Evaluator(sync).evaluate(pop, np.array([3, 4]))
    # 5 chunks of 8, scored by the workers (adaptive=False: no in-process choice)
    threads = Evaluator(sync, n_jobs=2, backend="threading", adaptive=False).evaluate(
        pop, np.array([3, 4]))
    np.testing.assert_array_equal(serial, threads)


def test_evolve_policy_solves_cartpole_and_repeats():
    kwargs = dict(policy=MLPPolicy(4, (), 1, bias=False), max_generations=30, n_episodes=3,
                  random_state=0, strategy_params=dict(sigma=1.0))
    a = evolve_policy("CartPole-v1", **kwargs)
    b = evolve_policy("CartPole-v1", **kwargs)
    assert a.target_reached_ and np.array_equal(a.weights_, b.weights_)
    assert a.n_evaluations_ == b.n_evaluations_ and len(a.logbook_) == a.n_generations_
    returns = a.rollout(n_episodes=5, seed=100)
    assert returns.shape == (5,) and returns.mean() >= 400
    obs, _ = gym.make("CartPole-v1").reset(seed=1)
    assert a.act(obs) in (0, 1)
    with pytest.raises(ValueError, match="observation has 3 values but the policy expects 4"):
        a.act(obs[:3])


def test_evolved_policy_config_round_trip_and_render(tmp_path):
    policy = EvolvedPolicy(MLPPolicy(4, (), 1, bias=False), BALANCER, "CartPole-v1")
    again = EvolvedPolicy.from_config(policy.get_config())
    assert np.array_equal(again.weights_, policy.weights_)
    pytest.importorskip("pygame")   # gymnasium renders classic control with pygame
    returns, frames = policy.rollout(n_episodes=1, seed=2, render=True)
    assert len(frames) == returns[0] + 1 and frames[0].ndim == 3
    assert returns[0] == policy.rollout(n_episodes=1, seed=2)[0]
    from PIL import Image

    path = tmp_path / "cartpole.gif"
    save_gif(frames, path, fps=50, every=2)
    with Image.open(path) as gif:
        assert gif.size == (frames[0].shape[1], frames[0].shape[0])
        total = 0   # Pillow merges identical consecutive frames, adding up their durations
        for k in range(gif.n_frames):
            gif.seek(k)
            total += gif.info["duration"]
        assert total == 20 * ((len(frames) + 1) // 2)
    with pytest.raises(ValueError, match="frame 0 has shape"):
        save_gif([frames[0][:, :, 0]], path)
    with pytest.raises(ValueError, match="no frames"):
        save_gif([], path)


def test_evolved_policies_save_and_load_through_the_model_format(tmp_path):
    from evonet.control import RecurrentPolicy
    from evonet.saving import load, save

    for policy in (EvolvedPolicy(MLPPolicy(4, (), 1, bias=False), BALANCER, "CartPole-v1"),
                   EvolvedPolicy(RecurrentPolicy(3, 2, shortcut=True, readout="previous"),
                                 np.linspace(-1, 1, 18), "2-damping")):
        policy.n_evaluations_ = 7
        path = tmp_path / "policy.zip"
        save(policy, path)
        loaded = load(path)
        assert np.array_equal(loaded.weights_, policy.weights_)
        assert loaded.network_.get_config() == policy.network_.get_config()
        assert loaded.n_evaluations_ == 7
        obs = np.full(policy.network_.n_inputs, 0.1)
        assert [loaded.act(obs) for _ in range(3)] == [policy.act(obs) for _ in range(3)]


def test_evolve_policy_on_a_pole_task_with_another_strategy():
    result = evolve_policy("1-markov", strategy="ga", population_size=20, max_generations=3,
                           random_state=1)
    assert result.n_generations_ <= 3 and result.best_fitness_ >= 22
    rollout_steps = result.rollout(max_steps=500)[0]
    assert rollout_steps == min(500, result.best_fitness_)
    with pytest.raises(ValueError, match="maps 3 inputs"):
        EvolvedPolicy(MLPPolicy(3, (), bias=False), np.zeros(3), "1-markov")


class GridForce(gym.Env):
    """A toy task with a 2 x 2 ``Box`` action: reward -|action - target| per step."""

    observation_space = gym.spaces.Box(-1.0, 1.0, shape=(3,))
    action_space = gym.spaces.Box(np.array([[-1.0, 0.0], [0.0, -2.0]]),
                                  np.array([[1.0, 1.0], [2.0, 2.0]]))
    target = np.array([[0.5, 0.25], [1.5, -1.0]])

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return self.np_random.uniform(-1, 1, 3).astype(np.float32), {}

    def step(self, action):
        assert action.shape == (2, 2)
        assert self.action_space.contains(action.astype(np.float32))
        self.t += 1
        reward = -float(np.abs(action - self.target).sum())
        return self.np_random.uniform(-1, 1, 3).astype(np.float32), reward, False, \
            self.t >= 5, {}


gym.register("evonet-test/GridForce-v0", entry_point=GridForce, max_episode_steps=5)


def test_multidimensional_box_actions_take_outputs_in_row_major_order():
    env = GymEnvironment("evonet-test/GridForce-v0")
    assert (env.n_actions, env.discrete) == (4, False)
    actions = env.actions(np.array([[0.0, 1.0], [1.0, -1.0], [-1.0, 0.5], [0.0, 2.0]]))
    assert actions.shape == (2, 2, 2)
    np.testing.assert_allclose(actions[0], [[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(actions[1], [[1.0, 0.0], [1.5, 2.0]])
    with pytest.raises(ValueError, match="n_outputs=2 but the Box of dimension 4"):
        env.check_policy(MLPPolicy(3, (), 2))
    policy = evolve_policy("evonet-test/GridForce-v0", policy=MLPPolicy(3, (), 4),
                           strategy="cmaes", max_generations=40, n_episodes=2, target=None,
                           random_state=0)
    assert policy.act(np.zeros(3)).shape == (2, 2)
    # a network applying no force acts mid-range: 2.25 from the target per step
    idle = EvolvedPolicy(MLPPolicy(3, (), 4), np.zeros(16), "evonet-test/GridForce-v0")
    np.testing.assert_allclose(idle.rollout(n_episodes=3), -11.25, rtol=1e-6)
    assert policy.rollout(n_episodes=3).mean() > -8.0
