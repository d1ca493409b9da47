"""Speed of NEAT in evonet against neat-python, in one run on this machine.

Prints:

1. genome evaluations per second, evaluation alone, on the *same genomes* in
   both libraries, population 150: XOR (4 rows) and iris (150 rows, 4 inputs,
   3 outputs, softmax cross-entropy). The genomes are every population of
   NEAT runs (evonet's on XOR and iris, and neat-python's own on XOR),
   converted gene for gene; neat-python's sigmoid is ``1/(1+exp(-5z))``, so
   the converted weights and biases are scaled by 4.9/5 and both libraries
   compute the same outputs (checked). neat-python evaluates a genome the
   way its XOR example does: ``FeedForwardNetwork.create`` then one
   ``activate`` per row; evonet scores each population in one call of the
   :class:`~evonet.evaluation.Evaluator` on a
   :class:`~evonet.problems.graph.GraphProblem` (the path of every run);
2. whole XOR runs to neat-python's criterion (``4 - SSE >= 3.9``): mean wall
   time per run of ``experiments/xor.py --criterion neat-python`` against
   ``benchmarks/peers/neat_xor.py`` (neat-python's documented example), same
   number of runs.

BLAS is single-threaded, held once for the whole benchmark as the run loop
holds it for a whole run (:func:`~evonet.evaluation.blas_single_thread`), so
each population's evaluation costs what it costs in a run; evaluation times are
the best CPU time of ``--repeats`` passes over all the populations. Targets:
evaluation throughput >= 10x neat-python's; whole runs >= 5x faster.

Usage: python benchmarks/neat_speed.py [--runs 30] [--seed 0] [--repeats 7] [--json PATH]
"""

import argparse
import importlib.util
import json
import math
import os
import statistics
import sys
import tempfile
import time

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs

from evonet.evaluation import Evaluator, blas_single_thread
from evonet.genome.initializers import MinimalInitializer
from evonet.genome.innovation import InnovationRegistry
from evonet.genome.neat import (
    ENABLED,
    IN_NODE,
    NODE_ACTIVATIONS,
    OUT_NODE,
    WEIGHT,
    NeatGenome,
)
from evonet.nn.graph import FeedForwardPopulation
from evonet.problems.graph import GraphProblem
from evonet.strategies import get_strategy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(HERE, "peers")
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])
POPULATION = 150
GENERATIONS = 30
# neat-python activation computing evonet's, after scaling the node's inputs and bias
TO_NEAT_PYTHON = {"neat_sigmoid": ("sigmoid", 4.9 / 5.0), "logistic": ("sigmoid", 1 / 5.0),
                  "tanh": ("tanh", 1 / 2.5), "identity": ("identity", 1.0),
                  "relu": ("relu", 1.0)}


def load(path, name):
    """The script at ``path`` as a module, its folder first on ``sys.path`` while it loads
    (as when it is run: experiments/xor.py imports ``_common`` from there)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(os.path.dirname(path))
    return module


def best_time(fn, repeats):
    """Smallest CPU time of ``fn()`` over ``repeats`` calls (after one warm-up call).

    CPU time of this process (both libraries run single-threaded here), so
    that other work on a shared machine inflates neither side.
    """
    fn()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def evonet_populations(problem, n_inputs, n_outputs, output_activation, seed, settings):
    """Every population of a NEAT run of evonet on ``problem``, for GENERATIONS generations."""
    rng = np.random.default_rng(seed)
    strategy = get_strategy("neat", **dict(settings, population_size=POPULATION))
    state = strategy.init(MinimalInitializer(n_inputs, n_outputs,
                                             output_activation=output_activation), rng)
    populations = []
    for _ in range(GENERATIONS):
        population = strategy.ask(state, rng)
        populations.append(population)
        state = strategy.tell(state, population, problem(population), rng)
    return populations


def neat_config(neat, n_inputs, n_outputs):
    """A neat-python Config for ``n_inputs`` and ``n_outputs``, from the peer's XOR file."""
    with open(os.path.join(PEERS, "configs", "neat_xor.ini")) as f:
        text = f.read()
    text = text.replace("num_inputs              = 2", f"num_inputs = {n_inputs}")
    text = text.replace("num_outputs             = 1", f"num_outputs = {n_outputs}")
    text = text.replace("activation_options      = sigmoid",
                        "activation_options = sigmoid tanh identity relu")
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as f:
        f.write(text)
    try:
        return neat.Config(neat.DefaultGenome, neat.DefaultReproduction,
                           neat.DefaultSpeciesSet, neat.DefaultStagnation, f.name)
    finally:
        os.unlink(f.name)


def to_neat_python(neat, genome, key):
    """The neat-python genome computing what ``genome`` computes."""
    n_in = genome.n_inputs

    def np_key(node):
        return -node - 1 if node < n_in else node - n_in

    g = neat.DefaultGenome(key)
    scale = {}
    for node_id, bias, code, _ in genome.nodes.tolist():
        if node_id < n_in:
            continue
        name, factor = TO_NEAT_PYTHON[NODE_ACTIVATIONS[int(code)]]
        gene = neat.genes.DefaultNodeGene(np_key(int(node_id)))
        gene.bias, gene.response, gene.activation, gene.aggregation = bias * factor, 1.0, name, \
            "sum"
        gene.time_constant = 1.0
        g.nodes[gene.key] = gene
        scale[int(node_id)] = factor
    for k, a, b, w, e in genome.connections[:, [0, IN_NODE, OUT_NODE, WEIGHT, ENABLED]].tolist():
        gene = neat.genes.DefaultConnectionGene((np_key(int(a)), np_key(int(b))),
                                                innovation=int(k))
        gene.weight, gene.enabled = w * scale[int(b)], bool(e)
        g.connections[gene.key] = gene
    return g


def from_neat_python(genome, n_inputs, n_outputs, registry):
    """The evonet genome of a neat-python genome (sigmoid nodes; response 1)."""
    def node_id(key):
        return -key - 1 if key < 0 else key + n_inputs

    nodes = [(k, 0.0, "identity") for k in range(n_inputs)]
    for key, gene in genome.nodes.items():
        # neat-python's sigmoid(5 z) = neat_sigmoid(4.9 z') with z' = z * 5 / 4.9
        nodes.append((node_id(key), gene.bias * 5 / 4.9 * gene.response, "neat_sigmoid"))
    conns = []
    for (a, b), gene in genome.connections.items():
        a, b = node_id(a), node_id(b)
        conns.append((registry.connection(a, b), a, b, gene.weight * 5 / 4.9, gene.enabled))
    return NeatGenome(n_inputs, n_outputs, nodes, conns)


def neat_python_xor_populations(neat, seed):
    """neat-python's own populations on XOR (its documented example) for GENERATIONS gens."""
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                         neat.DefaultStagnation, os.path.join(PEERS, "configs", "neat_xor.ini"))
    config.fitness_threshold = math.inf
    pop = neat.Population(config, seed=seed)
    populations = []

    def evaluate(genomes, config):
        populations.append([g for _, g in genomes])
        xor_neat_python(neat, config, [g for _, g in genomes])

    pop.run(evaluate, GENERATIONS)
    return populations


def xor_neat_python(neat, config, genomes):
    """neat-python's XOR example fitness, genome by genome."""
    for g in genomes:
        net = neat.nn.FeedForwardNetwork.create(g, config)
        fitness = 4.0
        for x, y in zip(XOR_X.tolist(), XOR_Y.tolist()):
            fitness -= (net.activate(x)[0] - y) ** 2
        g.fitness = fitness


def iris_neat_python(neat, config, genomes, X, y):
    """Softmax cross-entropy of each genome on every row, one ``activate`` per row."""
    rows = X.tolist()
    labels = y.tolist()
    for g in genomes:
        net = neat.nn.FeedForwardNetwork.create(g, config)
        total = 0.0
        for x, label in zip(rows, labels):
            out = net.activate(x)
            top = max(out)
            total += top + math.log(sum(math.exp(o - top) for o in out)) - out[label]
        g.fitness = -total / len(rows)


def check_outputs(neat, config, genomes, converted, X, activate):
    """Largest difference between evonet's and neat-python's outputs on the rows of X."""
    ours = FeedForwardPopulation(genomes, np.float64).forward(X, activate_outputs=activate)
    worst = 0.0
    for k, g in enumerate(converted):
        net = neat.nn.FeedForwardNetwork.create(g, config)
        theirs = np.array([net.activate(x) for x in X.tolist()])
        worst = max(worst, float(np.abs(theirs - ours[k]).max()))
    return worst


def throughput(name, neat, config, populations, converted, evonet_problem, neat_eval,
               repeats):
    evaluator = Evaluator(evonet_problem)
    n = sum(len(p) for p in populations)
    t_evonet = best_time(lambda: [evaluator.evaluate(p) for p in populations], repeats)
    t_forward = best_time(lambda: [FeedForwardPopulation(p).forward_chunk(
        evonet_problem.X) for p in populations], repeats)
    t_neat = best_time(lambda: [neat_eval(p) for p in converted], repeats)
    sizes = [(len(g.connections), g.n_hidden) for p in populations for g in p]
    row = {"genomes": name, "n_genomes": n, "populations": len(populations),
           "mean_connections": float(np.mean([s[0] for s in sizes])),
           "mean_hidden": float(np.mean([s[1] for s in sizes])),
           "evonet_evals_per_s": n / t_evonet, "evonet_forward_only_evals_per_s": n / t_forward,
           "neat_python_evals_per_s": n / t_neat, "speedup": t_neat / t_evonet}
    print(f"| {name} | {row['mean_connections']:.1f} / {row['mean_hidden']:.1f} | "
          f"{row['evonet_evals_per_s']:,.0f} | {row['evonet_forward_only_evals_per_s']:,.0f} | "
          f"{row['neat_python_evals_per_s']:,.0f} | {row['speedup']:.1f}x | >= 10x |",
          flush=True)
    return row


def whole_runs(neat_xor, xor, runs, seed):
    config_path = os.path.join(PEERS, "configs", "neat_xor.ini")
    ours = [xor.one_run(seed + r, "neat-python") for r in range(runs)]
    theirs = [neat_xor.one_run(config_path, seed + r, 300) for r in range(runs)]

    def summary(results, evaluations):
        solved = [r for r in results if r["solved"]]
        return {"runs": len(results), "failures": len(results) - len(solved),
                "wall_s_per_run": statistics.mean(r["wall_s"] for r in results),
                "wall_s_per_solved_run": statistics.mean(r["wall_s"] for r in solved)
                if solved else None,
                "evaluations": statistics.mean(r[evaluations] for r in solved)
                if solved else None}
    a, b = summary(ours, "evaluations"), summary(theirs, "evals_to_solve")
    return {"evonet": a, "neat_python": b,
            "speedup_per_run": b["wall_s_per_run"] / a["wall_s_per_run"],
            "speedup_per_solved_run": (b["wall_s_per_solved_run"] / a["wall_s_per_solved_run"]
                                       if a["wall_s_per_solved_run"] and
                                       b["wall_s_per_solved_run"] else None)}


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=at_least(1), default=30,
                        help="whole XOR runs of each library (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the first run of each library and of the populations "
                             "timed; run i uses seed + i (default: %(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=7,
                        help="timed passes over all the populations; the best one counts "
                             "(default: %(default)s)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    try:
        import neat
    except ImportError:
        neat = None
        print("neat-python is not installed: evonet's figures only.")
    xor = load(os.path.join(ROOT, "experiments", "xor.py"), "xor_experiment")
    results = {"targets": {"evaluation_speedup": 10.0, "whole_run_speedup": 5.0}}

    from sklearn.datasets import load_iris

    iris = load_iris()
    X_iris = (iris.data - iris.data.mean(axis=0)) / iris.data.std(axis=0)
    y_iris = iris.target
    xor_problem = GraphProblem(2, 1, XOR_X, XOR_Y, output_activation="logistic")
    iris_problem = GraphProblem(4, 3, X_iris, y_iris, loss="log_loss",
                                output_activation="softmax")

    def xor_loss(population):
        fitness, _ = xor.score(population, "paper")
        return -fitness

    with blas_single_thread():
        xor_pops = evonet_populations(xor_loss, 2, 1, "neat_sigmoid", args.seed, xor.SETTINGS)
        iris_pops = evonet_populations(Evaluator(iris_problem).evaluate, 4, 3, "identity",
                                       args.seed, dict(xor.SETTINGS, fitness_shaping="shift"))
        results["throughput"] = []
        if neat is None:
            for name, pops, problem in (("xor", xor_pops, xor_problem),
                                        ("iris", iris_pops, iris_problem)):
                evaluator = Evaluator(problem)
                n = sum(len(p) for p in pops)
                t = best_time(lambda: [evaluator.evaluate(p) for p in pops], args.repeats)  # noqa: B023
                print(f"{name}: evonet {n / t:,.0f} evaluations/s")
        else:
            xor_config = neat_config(neat, 2, 1)
            iris_config = neat_config(neat, 4, 3)
            key = iter(range(10**9))
            xor_conv = [[to_neat_python(neat, g, next(key)) for g in p] for p in xor_pops]
            iris_conv = [[to_neat_python(neat, g, next(key)) for g in p] for p in iris_pops]
            # neat-python's own XOR genomes, converted to evonet
            np_pops = neat_python_xor_populations(neat, args.seed)
            registry = InnovationRegistry()
            np_conv = [[from_neat_python(g, 2, 1, registry) for g in p] for p in np_pops]
            checks = {
                "xor": check_outputs(neat, xor_config, xor_pops[-1], xor_conv[-1], XOR_X, True),
                "iris": check_outputs(neat, iris_config, iris_pops[-1][:20], iris_conv[-1][:20],
                                      X_iris[:10], True),
                "neat-python xor": check_outputs(neat, xor_config, np_conv[-1], np_pops[-1],
                                                 XOR_X, True),
            }
            results["output_check_max_abs_difference"] = checks
            print("same outputs in both libraries (max |difference|): " +
                  ", ".join(f"{k} {v:.1e}" for k, v in checks.items()))
            print(f"\nevaluation alone, population {POPULATION}, every population of "
                  f"{GENERATIONS} generations")
            print("| genomes | connections / hidden | evonet evals/s (Evaluator) | evonet "
                  "decode + forward only | neat-python evals/s | speedup | target |")
            print("|---|---|---|---|---|---|---|")
            for row in (
                throughput("xor (evonet's)", neat, xor_config, xor_pops, xor_conv, xor_problem,
                           lambda p: xor_neat_python(neat, xor_config, p), args.repeats),
                throughput("xor (neat-python's)", neat, xor_config, np_conv, np_pops,
                           xor_problem, lambda p: xor_neat_python(neat, xor_config, p),
                           args.repeats),
                throughput("iris (evonet's)", neat, iris_config, iris_pops, iris_conv,
                           iris_problem,
                           lambda p: iris_neat_python(neat, iris_config, p, X_iris, y_iris),
                           args.repeats),
            ):
                results["throughput"].append(row)
            neat_xor = load(os.path.join(PEERS, "neat_xor.py"), "neat_xor_peer")
            print(f"\nwhole XOR runs to neat-python's criterion (4 - SSE >= 3.9), "
                  f"{args.runs} runs each, seeds {args.seed}..{args.seed + args.runs - 1}")
            runs = whole_runs(neat_xor, xor, args.runs, args.seed)
            results["whole_runs"] = runs
            print("| library | failures | mean evaluations (solved) | wall per run | "
                  "wall per solved run |")
            print("|---|---|---|---|---|")
            for name in ("evonet", "neat_python"):
                r = runs[name]
                solved = r["wall_s_per_solved_run"]
                print(f"| {name} | {r['failures']}/{r['runs']} | {r['evaluations'] or 0:,.0f} | "
                      f"{r['wall_s_per_run'] * 1e3:.1f} ms | "
                      f"{'-' if solved is None else f'{solved * 1e3:.1f} ms'} |")
            print(f"speedup per run {runs['speedup_per_run']:.1f}x, per solved run "
                  f"{runs['speedup_per_solved_run']:.1f}x (target >= 5x)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
