"""
A regressor fits a noisy sine
=============================

:class:`~evonet.NeuroEvolutionRegressor` is the drop-in for
:class:`~sklearn.neural_network.MLPRegressor`. Here a network with one hidden layer of 12
units learns a noisy sine wave, with ``early_stopping=True``: a tenth of the rows is held
out, and the network with the best R^2 on it is kept.
"""

# %%
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from evonet import NeuroEvolutionRegressor

# these runs are short on purpose: their budget ends before the loss settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.default_rng(0)
X = np.sort(rng.uniform(-3, 3, size=(300, 1)), axis=0)
y = np.sin(2 * X[:, 0]) + rng.normal(scale=0.15, size=300)
reg = NeuroEvolutionRegressor((12,), early_stopping=True, max_generations=600,
                              random_state=0).fit(X, y)
print(f"{reg.strategy_}: {reg.n_iter_} generations ({reg.stop_reason_}), "
      f"R^2 {reg.score(X, y):.3f}, best validation R^2 {max(reg.validation_scores_):.3f}")

# %%
# Drawing
# -------
# (plain matplotlib: the data and the prediction; and the validation score of each check,
# the records of ``logbook_`` that have a ``val_score``, as listed in ``validation_scores_``)
import matplotlib.pyplot as plt

grid = np.linspace(-3, 3, 400)[:, None]
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.scatter(X[:, 0], y, s=8, color="gray", label="data")
left.plot(grid[:, 0], np.sin(2 * grid[:, 0]), color="black", lw=1, ls="--", label="sin(2x)")
left.plot(grid[:, 0], reg.predict(grid), color="tab:orange", lw=2, label="evolved network")
left.legend(loc="lower left", fontsize=8)
left.set_xlabel("x")
checks = [record for record in reg.logbook_ if "val_score" in record]
right.plot([record["gen"] for record in checks], [record["val_score"] for record in checks])
right.set_xlabel("generation")
right.set_ylabel("validation R^2")
right.set_ylim(-0.2, 1.0)
fig.tight_layout()
plt.show()
