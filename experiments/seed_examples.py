"""The three programs that started evonet, run through evonet.

1. A sigmoid perceptron (two inputs and a bias, logistic output) learns AND by
   the delta rule, w += lr * error * x, one pattern at a time; the network is
   an evonet MLPLayout without hidden layer and its outputs come from
   evonet.forward.
2. A 2-layer sigmoid MLP (2-4-1, logistic hidden and output units) learns XOR
   twice: by evonet's batched back-propagation (population_loss_and_grad:
   --networks initialisations trained together by full-batch gradient
   descent with momentum on the squared error), and by evolution
   (NeuroEvolutionClassifier with the same network, its default strategy).
3. The generational loop written by hand on an evonet toolbox
   (evonet.make_toolbox, the same 2-4-1 network on XOR): evaluate the
   population (one batched pass), select parents (tournaments), cross over,
   mutate, keep the best, next generation.

A network has learned a task when its outputs reproduce the truth table
with a margin: every output within 0.25 of its target (below 0.25 for a 0,
above 0.75 for a 1). Prints what each learned (the
outputs on the four patterns) and in how many steps (weight updates,
gradient steps) or network evaluations; every draw comes from numpy
Generators seeded from --seed. With --json, writes the figures to PATH, or to
seed_examples.json in the output folder (--out-dir, experiments/results/ by
default). Nothing else is written.

Usage: python experiments/seed_examples.py [--seed 0] [--networks 10] [--out-dir DIR]
           [--json [PATH]]
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np
from _common import add_output_options, at_least, json_path, machine_conditions

from evonet import MLPLayout, NeuroEvolutionClassifier, forward, make_toolbox
from evonet.callbacks import Callback
from evonet.problems.learning import population_loss_and_grad
from evonet.runs import fit_context

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
AND = np.array([0.0, 0.0, 0.0, 1.0])
XOR = np.array([0.0, 1.0, 1.0, 0.0])
HIDDEN = (4,)
"""Hidden units of the XOR network (2-2-1 often sticks in XOR's local minima)."""
TOLERANCE = 0.25
"""A task is learned when every output is within this of its target."""


def xor_layout():
    """The 2-layer sigmoid network of the XOR examples."""
    return MLPLayout(2, HIDDEN, 1, activation="logistic", output_activation="logistic")


def reproduces(outputs, targets, tolerance=TOLERANCE):
    """Whether ``outputs`` (..., 4) are within ``tolerance`` of ``targets`` on every pattern."""
    return (np.abs(np.asarray(outputs) - targets) < tolerance).all(axis=-1)


def perceptron_and(seed=0, learning_rate=0.5, max_epochs=1000):
    """A sigmoid perceptron trained by the delta rule on AND, one pattern at a time."""
    layout = MLPLayout(2, (), 1, output_activation="logistic")
    weights = np.random.default_rng(seed).uniform(-0.5, 0.5, layout.n_params)
    (W, b), = layout.unpack(weights)        # views into the flat weight vector
    steps = 0
    for epoch in range(1, max_epochs + 1):  # noqa: B007 (reported after the loop)
        for x, target in zip(X, AND):
            error = target - forward(layout, weights, x[None], dtype=np.float64)[0, 0]
            W += learning_rate * error * x[:, None]     # w += lr * error * x
            b += learning_rate * error                  # the bias: an input fixed at 1
            steps += 1
        outputs = forward(layout, weights, X, dtype=np.float64)[:, 0]
        if reproduces(outputs, AND):
            break
    return {"learned": bool(reproduces(outputs, AND)), "epochs": epoch, "steps": steps,
            "outputs": outputs.tolist(), "weights": weights.tolist()}


def xor_backprop(seed=0, networks=10, learning_rate=2.0, momentum=0.9, max_steps=5000):
    """``networks`` 2-4-1 sigmoid MLPs learning XOR together by back-propagation.

    Full-batch gradient descent with (classical) momentum on evonet's mean
    squared error; all networks take each step in one batched pass. Returns
    for each network the step at which it first reproduced the truth table.
    """
    layout = xor_layout()
    rng = np.random.default_rng(seed)
    bound = np.sqrt(6.0 / (2 + HIDDEN[0]))       # Glorot's uniform range, as scikit-learn
    population = rng.uniform(-bound, bound, (networks, layout.n_params))
    velocity = np.zeros_like(population)
    learned_at = np.full(networks, -1)
    for step in range(1, max_steps + 1):
        _, grads = population_loss_and_grad(layout, population, X, XOR, "squared_error",
                                            dtype=np.float64)
        velocity = momentum * velocity - learning_rate * grads
        population = population + velocity
        outputs = forward(layout, population, X, dtype=np.float64)[:, :, 0]
        learned_at[(learned_at < 0) & reproduces(outputs, XOR)] = step
        if (learned_at > 0).all():
            break
    return {"networks": networks, "learned": int((learned_at > 0).sum()),
            "steps_to_learn": learned_at.tolist(), "steps_taken": step,
            "outputs": outputs.tolist()}


class _BestOutputs(Callback):
    """Records, each generation, the evaluations so far and the strategy's incumbent."""

    def __init__(self):
        self.history = []

    def on_generation(self, run):
        self.history.append((run.n_evaluations, np.array(run.incumbent, dtype=np.float64)))


def xor_evolved(seed=0, max_generations=300):
    """The 2-4-1 sigmoid MLP evolved on XOR by NeuroEvolutionClassifier."""
    recorder = _BestOutputs()
    model = NeuroEvolutionClassifier(hidden_layer_sizes=HIDDEN, activation="logistic",
                                     max_generations=max_generations, alpha=0.0,
                                     random_state=seed)
    with warnings.catch_warnings(), fit_context(callbacks=[recorder]):
        warnings.simplefilter("ignore")     # stopping at the budget warns, as MLPClassifier
        model.fit(X, XOR.astype(int))
    layout = MLPLayout(2, HIDDEN, 1, activation="logistic",
                       output_activation=model.out_activation_)
    first = next((i for i, (_, w) in enumerate(recorder.history)
                  if reproduces(forward(layout, w, X, dtype=np.float64)[:, 0], XOR)), None)
    return {"learned": bool((model.predict(X) == XOR).all()),
            "probabilities": model.predict_proba(X)[:, 1].tolist(),
            "strategy": model.strategy_, "generations": int(model.n_iter_),
            "evaluations": int(model.n_evaluations_),
            "generations_to_learn": None if first is None else first + 1,
            "evaluations_to_learn": None if first is None else recorder.history[first][0]}


def generational_loop(seed=0, population_size=100, max_generations=300, cxpb=0.5, mutpb=0.5):
    """The generational loop by hand on an evonet toolbox, on XOR; stops once it learned."""
    rng = np.random.default_rng(seed)
    layout = xor_layout()
    toolbox = make_toolbox(layout, X, XOR, loss="squared_error", random_state=rng,
                           mutation_sigma=1.0, mutation_indpb=0.2)
    population = toolbox.population(n=population_size)
    evaluations = 0
    for generation in range(1, max_generations + 1):  # noqa: B007 (reported after the loop)
        fresh = [ind for ind in population if not ind.fitness.valid]
        for ind, fitness in zip(fresh, toolbox.map(toolbox.evaluate, fresh)):   # evaluate
            ind.fitness.values = fitness
        evaluations += len(fresh)
        best = min(population, key=lambda ind: ind.fitness.values[0])
        outputs = forward(layout, best, X, dtype=np.float64)[:, 0]
        if reproduces(outputs, XOR):
            break
        offspring = [toolbox.clone(ind) for ind in toolbox.select(population, population_size)]
        for a, b in zip(offspring[::2], offspring[1::2]):                      # crossover
            if rng.random() < cxpb:
                toolbox.mate(a, b)
                del a.fitness.values, b.fitness.values
        for ind in offspring:                                                   # mutation
            if rng.random() < mutpb:
                toolbox.mutate(ind)
                del ind.fitness.values
        offspring[0] = toolbox.clone(best)                                      # elitism
        population = offspring                                                  # next
    return {"learned": bool(reproduces(outputs, XOR)), "generations": generation,
            "evaluations": evaluations, "outputs": outputs.tolist(),
            "loss": best.fitness.values[0]}


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of every example's generator (default: %(default)s)")
    parser.add_argument("--networks", type=at_least(1), default=10,
                        help="XOR networks trained together by back-propagation "
                             "(default: %(default)s)")
    add_output_options(parser, "folder for the JSON file, made if missing (default: "
                               "experiments/results/)",
                       "write what each example learned, its steps or evaluations and times "
                       "as JSON: to PATH if given, else to seed_examples.json in the output "
                       "folder")
    return parser


def _timed(function, **kwargs):
    start = time.perf_counter()
    result = function(**kwargs)
    result["wall_s"] = time.perf_counter() - start
    return result


def _table(values):
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


def main(argv=None):
    args = build_parser().parse_args(argv)
    machine = machine_conditions()
    results = {
        "perceptron_and": _timed(perceptron_and, seed=args.seed),
        "xor_backprop": _timed(xor_backprop, seed=args.seed, networks=args.networks),
        "xor_evolved": _timed(xor_evolved, seed=args.seed),
        "generational_loop": _timed(generational_loop, seed=args.seed),
    }
    r = results["perceptron_and"]
    print(f"1. perceptron, delta rule on AND: learned={r['learned']} after {r['epochs']} epochs "
          f"({r['steps']} weight updates); outputs {_table(r['outputs'])}, weights "
          f"(w1, w2, bias) {_table(r['weights'])}")
    r = results["xor_backprop"]
    steps = [s for s in r["steps_to_learn"] if s > 0]
    print(f"2a. 2-4-1 sigmoid MLP, back-propagation on XOR: {r['learned']}/{r['networks']} "
          f"networks learned it"
          + (f", in {min(steps)} to {max(steps)} steps (median {int(np.median(steps))})"
             if steps else "")
          + f"; outputs of the first {_table(r['outputs'][0])}")
    r = results["xor_evolved"]
    print(f"2b. the same MLP evolved on XOR ({r['strategy']}): learned={r['learned']}, first "
          f"learned it after {r['evaluations_to_learn']} evaluations "
          f"({r['generations_to_learn']} generations; the run: {r['evaluations']} evaluations, "
          f"{r['generations']} generations); probabilities {_table(r['probabilities'])}")
    r = results["generational_loop"]
    print(f"3. generational loop on an evonet toolbox, XOR: learned={r['learned']} in "
          f"{r['generations']} generations ({r['evaluations']} evaluations); outputs "
          f"{_table(r['outputs'])}")
    print("wall time: " + ", ".join(f"{name} {r['wall_s']:.2f} s" for name, r in results.items())
          + f" (load average {machine['load_average_1min']:.1f})")
    if args.json is not None:
        args.json = json_path(args, "seed_examples.json")
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "machine": machine, **results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
