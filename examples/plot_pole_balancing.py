"""
Balancing two poles on a cart
=============================

:func:`~evonet.control.evolve_policy` evolves a policy network for a control task. The
double pole balancing benchmark with velocities (``"2-markov"``) is simulated in NumPy for
the whole population at once; IPOP-CMA-ES finds a network that keeps both poles up for
100,000 steps (half an hour of simulated time) within a few hundred evaluations.
"""

# %%
from evonet.control import evolve_policy, trajectory

policy = evolve_policy("2-markov", strategy="ipop-cmaes", max_generations=200,
                       random_state=0)
print(f"{policy.n_evaluations_} networks evaluated, {policy.n_generations_} generations; "
      f"steps balanced: {policy.rollout()[0]}")
print(policy.network_)

# %%
# The first ten seconds of the champion's run: cart position, pole angles and the force it
# applies (:func:`~evonet.control.trajectory` records one cart step by step).
states, forces = trajectory(policy.env_, policy.network_, policy.weights_, max_steps=500)

# %%
# Drawing
# -------
# (plain matplotlib from the recorded states and forces)
import matplotlib.pyplot as plt
import numpy as np

t = np.arange(len(states)) * 0.02   # 50 steps a second
fig, axes = plt.subplots(3, 1, figsize=(7, 6), sharex=True)
axes[0].plot(t, states[:, 0])
axes[0].set_ylabel("cart position (m)")
for i in range(policy.env_.n_poles):
    axes[1].plot(t, np.degrees(states[:, 2 + 2 * i]), label=f"pole {i + 1}")
axes[1].set_ylabel("angle (degrees)")
axes[1].legend(loc="upper right")
axes[2].plot(t[1:], forces, lw=0.8)
axes[2].set_ylabel("force (N)")
axes[2].set_xlabel("time (s)")
fig.suptitle("The evolved controller on the double pole")
fig.tight_layout()
plt.show()
