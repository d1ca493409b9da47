"""
A model file's picture: ``evonet plot``
=======================================

``evonet plot MODEL --out FILE`` draws a saved model's network and the evolution of its
run in one figure, written as PNG, SVG or PDF by the extension of ``FILE``, without
opening a window. In Python the same figure is :func:`evonet.plot.model_figure` (a
matplotlib ``Figure`` made without pyplot) and :func:`evonet.plot.save_model_figure`
writes it. This example fits a classifier on the wine data set, saves it, and draws the
file as the command line does.
"""

# %%
import os
import tempfile
import warnings

from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import evonet
from evonet import NeuroEvolutionClassifier

# a short run on purpose: its budget ends before the loss settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_wine(return_X_y=True)
model = make_pipeline(StandardScaler(),
                      NeuroEvolutionClassifier((6,), max_generations=150, random_state=0))
model.fit(X, y)
folder = tempfile.mkdtemp()
path = os.path.join(folder, "wine.evonet")
evonet.save(model, path)
print(f"training accuracy {model.score(X, y):.3f}; saved {os.path.getsize(path)} bytes")

# %%
# On the command line
# -------------------
# ``evonet plot wine.evonet --out wine.png``; here the same command is run through
# :func:`evonet.cli.main`, the function behind the ``evonet`` program.
from evonet.cli import main

picture = os.path.join(folder, "wine.png")
status = main(["plot", path, "--out", picture])
print(f"exit code {status}; {picture}: {os.path.getsize(picture)} bytes")

# %%
# What it wrote: the network (the 13 inputs of the wine data set, 6 hidden units and 3
# outputs) and the run's evolution (the population's best, mean and spread of the
# training loss per generation, and the full-data checks).
import matplotlib.pyplot as plt

image = plt.imread(picture)
fig, ax = plt.subplots(figsize=(12, 12 * image.shape[0] / image.shape[1]))
ax.imshow(image)
ax.set_axis_off()
fig.tight_layout(pad=0)
plt.show()

# %%
# In Python
# ---------
# :func:`~evonet.plot.model_figure` returns the figure itself, to change before saving
# (:func:`~evonet.plot.save_model_figure` writes it as ``evonet plot`` does).
from evonet.plot import model_figure

figure = model_figure(evonet.load(path))
network_ax, evolution_ax = figure.axes[:2]
evolution_ax.set_yscale("log")
figure.savefig(os.path.join(folder, "wine_log.svg"))
print([ax.get_xlabel() for ax in figure.axes[:2]])
