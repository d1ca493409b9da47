"""
CartPole with gymnasium
=======================

:func:`~evonet.control.evolve_policy` also takes a gymnasium environment id (``Box``
observations, ``Discrete`` or ``Box`` actions; ``pip install "evonet[control]"``). Each
network is scored on the mean return of a few episodes; the run stops when the best network
reaches the environment's reward threshold. The logbook records the population's returns
per generation (as losses: negated returns).
"""

# %%
from evonet.control import evolve_policy

policy = evolve_policy("CartPole-v1", max_generations=50, random_state=0)
print(f"{policy.n_evaluations_} networks evaluated in {policy.n_generations_} generations, "
      f"stopped: {policy.stop_reason_}")
returns = policy.rollout(n_episodes=20, seed=1000)   # 20 episodes it never saw
print(f"returns on 20 new episodes: mean {returns.mean():.1f}, min {returns.min():.1f}")

# %%
# Drawing
# -------
# :class:`~evonet.plot.EvolutionDisplay` draws the run from ``logbook_``: the best and
# mean return of each generation's population, with the band of one standard deviation
# (``from_policy`` negates the recorded losses back into returns: higher is better).
# :class:`~evonet.plot.NetworkDisplay` draws the policy network: four observations in,
# one output per action.
import matplotlib.pyplot as plt

from evonet.plot import EvolutionDisplay, NetworkDisplay

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=[1.3, 1])
EvolutionDisplay.from_policy(policy, ax=left)
left.set_ylabel("mean episode return")
left.set_title("CartPole-v1")
NetworkDisplay.from_policy(policy, ax=right)
fig.tight_layout()
plt.show()
