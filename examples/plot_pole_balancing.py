"""
Balancing two poles on a cart
=============================

:func:`~evonet.control.evolve_policy` evolves a policy network for a control task. The
double pole balancing benchmark with velocities (``"2-markov"``) is simulated in NumPy for
the whole population at once; IPOP-CMA-ES finds a network that keeps both poles up for
100,000 steps (half an hour of simulated time) within a few hundred evaluations.
"""

# %%
from evonet.control import evolve_policy

policy = evolve_policy("2-markov", strategy="ipop-cmaes", max_generations=200,
                       random_state=0)
print(f"{policy.n_evaluations_} networks evaluated, {policy.n_generations_} generations; "
      f"steps balanced: {policy.rollout()[0]}")
print(policy.network_)

# %%
# Drawing
# -------
# The first ten seconds of the champion's run:
# :meth:`RolloutDisplay.from_policy <evonet.plot.RolloutDisplay.from_policy>` records one
# cart step by step (as :func:`~evonet.control.trajectory` does) and draws the cart
# position, the pole angles and the force the network applies.
import matplotlib.pyplot as plt

from evonet.plot import RolloutDisplay

fig, axes = plt.subplots(3, 1, figsize=(7, 6), sharex=True)
RolloutDisplay.from_policy(policy, max_steps=500, ax=axes)
fig.suptitle("The evolved controller on the double pole")
fig.tight_layout()
plt.show()
