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
# (plain matplotlib from ``logbook_``: the best and mean return of each generation)
import matplotlib.pyplot as plt
import numpy as np

generations = policy.logbook_.select("gen")
fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.plot(generations, -np.array(policy.logbook_.select("mean")), marker="o",
        label="population mean")
ax.plot(generations, -np.array(policy.logbook_.select("min")), marker="o",
        label="population best")
ax.set_xlabel("generation")
ax.set_ylabel("mean episode return")
ax.legend()
ax.set_title("CartPole-v1")
fig.tight_layout()
plt.show()
