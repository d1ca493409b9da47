"""Pole-balancing dynamics: physics invariants, hand-worked numbers, bad input."""

import math

import numpy as np
import pytest

from evonet.control import PoleBalancing, damping_fitness, make_scalar_step, make_task
from evonet.tasks.pole import TASKS, damping_from_window


def reference_derivative(state, F, n_poles, mu_c=0.0005, mu_p=0.000002):
    """The equations of POLE_BALANCING.md written out literally, in plain Python."""
    g, M = -9.8, 1.0
    masses, halves = (0.1, 0.01)[:n_poles], (0.5, 0.05)[:n_poles]
    xd = state[1]
    th = [state[2 + 2 * i] for i in range(n_poles)]
    thd = [state[3 + 2 * i] for i in range(n_poles)]
    Ft = [m * h * w**2 * math.sin(t) + 0.75 * m * math.cos(t) * (mu_p * w / (m * h)
                                                                   + g * math.sin(t))
          for m, h, t, w in zip(masses, halves, th, thd)]
    mt = [m * (1 - 0.75 * math.cos(t) ** 2) for m, t in zip(masses, th)]
    sgn = float(xd > 0) - float(xd < 0)
    xdd = (F - mu_c * sgn + sum(Ft)) / (M + sum(mt))
    thdd = [-(3 / (4 * h)) * (xdd * math.cos(t) + g * math.sin(t) + mu_p * w / (m * h))
            for m, h, t, w in zip(masses, halves, th, thd)]
    out = [xd, xdd]
    for w, a in zip(thd, thdd):
        out += [w, a]
    return np.array(out)


def reference_rk4(state, F, n_poles, h=0.01):
    s = np.asarray(state, dtype=float)
    k1 = reference_derivative(s, F, n_poles)
    k2 = reference_derivative(s + h / 2 * k1, F, n_poles)
    k3 = reference_derivative(s + h / 2 * k2, F, n_poles)
    k4 = reference_derivative(s + h * k3, F, n_poles)
    return s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


@pytest.mark.parametrize("n_poles", [1, 2])
@pytest.mark.parametrize("friction", [True, False])
def test_upright_equilibrium_stays_put_under_zero_force(n_poles, friction):
    kwargs = {} if friction else dict(cart_friction=0.0, hinge_friction=0.0)
    task = PoleBalancing(n_poles=n_poles, **kwargs)
    states = np.zeros((3, task.state_size))
    for _ in range(500):
        states = task.step(states, np.zeros(3))
    assert np.array_equal(states, np.zeros((3, task.state_size)))
    assert not task.failed(states).any()


@pytest.mark.parametrize("n_poles", [1, 2])
def test_mirrored_states_and_forces_give_mirrored_trajectories(n_poles):
    task = PoleBalancing(n_poles=n_poles)
    rng = np.random.default_rng(0)
    states = rng.uniform(-0.2, 0.2, size=(20, task.state_size))
    forces = rng.uniform(-10, 10, size=(20, 30))
    a, b = states, -states
    for k in range(30):
        a = task.step(a, forces[:, k])
        b = task.step(b, -forces[:, k])
    np.testing.assert_allclose(b, -a, rtol=0, atol=1e-15)


def test_accelerations_at_the_start_match_hand_computation():
    # single pole at 4 degrees, at rest, F = 0, worked on paper:
    # sin = 0.0697565, cos = 0.9975641, tmp = g sin = -0.6836134,
    # Ft = 0.075 cos tmp = -0.0511461, mt = 0.1 (1 - 0.75 cos^2) = 0.0253649,
    # x_ddot = Ft / (1 + mt) = -0.0498809, theta_ddot = -1.5 (x_ddot cos + tmp) = 1.1000592
    task = PoleBalancing(n_poles=1)
    columns = task.to_columns(task.initial_state(1))
    acc = task._accelerations(columns[:, 0], columns[:, 1], np.zeros(1))
    np.testing.assert_allclose(acc[:, 0], [-0.0498809, 1.1000592], rtol=3e-6)
    # one control step (0.02 s) from there: velocities grow by about a * t and
    # positions by a t^2 / 2, the rest being third order in t (below 1e-6 here)
    x, x_dot, theta, theta_dot = task.step(task.initial_state(1), [0.0])[0]
    assert x_dot == pytest.approx(-0.0498809 * 0.02, rel=2e-2)
    assert theta_dot == pytest.approx(1.1000592 * 0.02, rel=2e-2)
    assert x == pytest.approx(-0.0498809 * 0.02**2 / 2, rel=2e-2)
    assert theta - math.radians(4) == pytest.approx(1.1000592 * 0.02**2 / 2, rel=2e-2)


@pytest.mark.parametrize("n_poles", [1, 2])
def test_one_control_step_is_two_rk4_steps_of_the_equations(n_poles):
    task = PoleBalancing(n_poles=n_poles)
    rng = np.random.default_rng(1)
    state = rng.uniform(-0.3, 0.3, size=task.state_size)
    F = 7.5
    expected = reference_rk4(reference_rk4(state, F, n_poles), F, n_poles)
    np.testing.assert_allclose(task.step(state[None], [F])[0], expected, rtol=1e-12,
                               atol=1e-15)
    # and against the hand-worked start: theta grows by about theta_ddot h^2 / 2 per RK4 step
    start = task.initial_state(1)[0]
    after = reference_rk4(start, 0.0, n_poles)
    assert after[2] == pytest.approx(start[2] + 0.5 * reference_derivative(
        start, 0.0, n_poles)[3] * 1e-4, rel=1e-6)


@pytest.mark.parametrize("n_poles", [1, 2])
def test_scalar_step_is_bit_identical_to_the_vectorised_step(n_poles):
    task = PoleBalancing(n_poles=n_poles)
    step = make_scalar_step(task)
    rng = np.random.default_rng(2)
    states = rng.uniform(-0.3, 0.3, size=(50, task.state_size))
    states[::5, 1] = 0.0   # sgn(0) = 0 on both paths
    forces = rng.uniform(-10, 10, size=50)
    scalar = [tuple(s) for s in states]
    for _ in range(40):
        states = task.step(states, forces)
        scalar = [step(s, f) for s, f in zip(scalar, forces)]
    assert np.array_equal(states, np.array(scalar))


def test_failure_conditions():
    one, two = PoleBalancing(n_poles=1), PoleBalancing(n_poles=2)
    limit1, limit2 = math.radians(12), math.radians(36)
    states = np.zeros((5, 4))
    states[1, 0] = 2.41
    states[2, 2] = limit1 + 1e-9
    states[3, 2] = -limit1 + 1e-9
    states[4, 0] = -2.4
    assert one.failed(states).tolist() == [False, True, True, False, False]
    s2 = np.zeros((3, 6))
    s2[1, 4] = -(limit2 + 1e-9)
    s2[2, 2] = limit1 + 0.1   # fine with two poles
    assert two.failed(s2).tolist() == [False, True, False]


def test_initial_state_and_observations():
    for name, spec in TASKS.items():
        task = make_task(name)
        s = task.initial_state(2)
        assert s.shape == (2, 2 + 2 * spec["n_poles"])
        assert s[0, 2] == math.radians(4) and np.count_nonzero(s) == 2
        obs = task.observe(s)
        assert obs.shape == (2, task.n_observations)
    state = np.array([[2.4, 2.0, 0.52, -2.0, -0.26, 1.0]])
    np.testing.assert_allclose(make_task("2-markov").observe(state),
                               [[1, 1, 1, -1, -0.5, 0.5]])
    np.testing.assert_allclose(make_task("2-nonmarkov").observe(state), [[1, 1, -0.5]])


def test_generalization_starts():
    starts = make_task("2-damping").generalization_starts()
    assert starts.shape == (625, 6)
    assert len(np.unique(starts, axis=0)) == 625
    assert np.all(starts[:, 4:] == 0)
    np.testing.assert_allclose(np.unique(starts[:, 0]), [-1.944, -1.08, 0, 1.08, 1.944],
                               atol=1e-12)
    np.testing.assert_allclose(np.unique(np.degrees(starts[:, 3])),
                               [-7.74, -4.3, 0, 4.3, 7.74], atol=1e-12)


def test_damping_fitness_on_a_hand_made_trajectory():
    t = np.arange(1, 201)
    traj = np.zeros((200, 6))
    traj[:, 0] = 0.01 * (t % 2)     # |x| = 0.01 on odd steps
    traj[:, 3] = -0.02              # |theta_1_dot| = 0.02 always
    traj[:, 4] = 5.0                # the short pole never counts
    # last 100 steps: 50 * 0.01 + 100 * 0.02 = 2.5; f = 0.1 * 0.2 + 0.9 * 0.75 / 2.5
    assert damping_fitness(traj) == pytest.approx(0.02 + 0.27)
    assert damping_fitness(traj[:99]) == pytest.approx(0.1 * 0.099)   # t < 100: f2 = 0
    assert damping_from_window(1000, 0.75) == pytest.approx(0.1 + 0.9)


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 5)), "5 values per cart but the task with 2 pole"),
    (np.zeros((2, 2, 6)), r"must have shape \(n, 6\)"),
    (np.full((1, 6), np.nan), "NaN or infinite"),
])
def test_bad_states_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        PoleBalancing(n_poles=2).step(bad, np.zeros(len(bad)))


def test_bad_forces_raise():
    task = PoleBalancing(n_poles=2)
    with pytest.raises(ValueError, match="NaN or infinite"):
        task.step(np.zeros((2, 6)), [0.0, np.inf])
    with pytest.raises(ValueError, match=r"forces must have shape \(2,\)"):
        task.step(np.zeros((2, 6)), [0.0, 1.0, 2.0])


def test_bad_task_settings_raise():
    with pytest.raises(ValueError, match="n_poles"):
        PoleBalancing(n_poles=3)
    with pytest.raises(ValueError, match="fitness"):
        PoleBalancing(fitness="time")
    with pytest.raises(ValueError, match="non-Markovian"):
        PoleBalancing(markovian=True, fitness="damping")
    with pytest.raises(ValueError, match="task='3-poles'"):
        make_task("3-poles")
