"""
Checkpoints and model files
===========================

A fit with ``checkpoint=PATH`` saves the whole run while it runs; if it is stopped, the
same call continues from the file and ends with the very model an uninterrupted fit gives.
A fitted model is saved in one file with :meth:`~evonet.NeuroEvolutionClassifier.save`
(or :func:`evonet.save`) and loaded back with :func:`evonet.load`, predicting exactly as
before. This example stops a fit half way, resumes it, saves the result and loads it.
"""

# %%
import os
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import evonet
from evonet import NeuroEvolutionClassifier

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
warnings.filterwarnings("ignore", category=ConvergenceWarning)   # a fixed budget here
folder = tempfile.mkdtemp()
checkpoint = os.path.join(folder, "run.ckpt")
settings = dict(hidden_layer_sizes=(6,), strategy="es", max_generations=120,
                n_iter_no_change=10_000, random_state=0)   # all 120 generations

# %%
# An uninterrupted fit, for comparison.
whole = NeuroEvolutionClassifier(**settings).fit(X, y)

# %%
# The same fit stopped after 60 generations (a crash, a Ctrl-C, the end of a job's time):
# ``checkpoint_interval=0`` writes the file after every generation, and a fit stopped by
# its budget would remove it, so a callback stops this one instead, as Ctrl-C would. The
# estimator keeps the best network found so far.
from evonet.callbacks import Callback
from evonet.runs import fit_context


class StopAt(Callback):
    """Raise KeyboardInterrupt after generation ``n`` (what Ctrl-C does)."""

    def __init__(self, n):
        self.n = n

    def on_generation(self, run):
        if run.generation == self.n:
            raise KeyboardInterrupt


first = NeuroEvolutionClassifier(**settings, checkpoint=checkpoint, checkpoint_interval=0)
with fit_context(callbacks=[StopAt(60)]):
    try:
        first.fit(X, y)
    except KeyboardInterrupt:   # the run is saved before the exception propagates
        pass
print(f"stopped: {first.stop_reason_} after {first.n_iter_} generations; "
      f"checkpoint kept: {os.path.exists(checkpoint)}")

# %%
# Fitting again with the same settings continues from the checkpoint.
resumed = NeuroEvolutionClassifier(**settings, checkpoint=checkpoint).fit(X, y)
print(f"resumed run: {resumed.n_iter_} generations, same weights as the uninterrupted "
      f"fit: {all(np.array_equal(a, b) for a, b in zip(resumed.coefs_, whole.coefs_))}")

# %%
# Save the model and load it back: the same predictions, bit for bit.
path = os.path.join(folder, "cancer.evonet")
resumed.save(path)
loaded = evonet.load(path)
print(f"{os.path.getsize(path)} bytes; same probabilities: "
      f"{np.array_equal(loaded.predict_proba(X), resumed.predict_proba(X))}")

# %%
# Drawing
# -------
# (plain matplotlib: the training loss of each check, from the runs' ``logbook_``, and the
# loaded model's first-layer weights from ``coefs_``)
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
for model, style in [(whole, dict(lw=4, alpha=0.4, label="uninterrupted")),
                     (first, dict(label="stopped at 60")),
                     (resumed, dict(ls="--", label="resumed"))]:
    checks = [record for record in model.logbook_ if "loss" in record]
    left.plot([record["gen"] for record in checks], [record["loss"] for record in checks],
              **style)
left.set_xlabel("generation")
left.set_ylabel("training loss")
left.legend()
image = right.imshow(loaded.coefs_[0].T, aspect="auto", cmap="RdBu",
                     vmin=-np.abs(loaded.coefs_[0]).max(), vmax=np.abs(loaded.coefs_[0]).max())
right.set_xlabel("input feature")
right.set_ylabel("hidden unit")
right.set_title("first-layer weights of the loaded model")
fig.colorbar(image, ax=right)
fig.tight_layout()
plt.show()
