"""The environments policies act in: pole-balancing tasks and gymnasium environments."""

from evonet.tasks.gym import GymEnvironment
from evonet.tasks.pole import TASKS, PoleBalancing, make_task

__all__ = ["make_env"]


def make_env(env):
    """A :class:`PoleBalancing` task (name or instance) or a :class:`GymEnvironment`.

    Examples
    --------
    >>> make_env("1-markov"), make_env("CartPole-v1")
    (PoleBalancing(n_poles=1, markovian=True, fitness='steps'), GymEnvironment('CartPole-v1'))
    """
    if isinstance(env, (PoleBalancing, GymEnvironment)):
        return env
    if isinstance(env, str) and env in TASKS:
        return make_task(env)
    return GymEnvironment(env)
