#!/usr/bin/env python3
"""Naive DEAP neuroevolution of a fixed 1-hidden-layer NumPy MLP (flat weights).

Tutorial-style DEAP: creator.Individual is a list of floats (uniform in
[-1, 1]); the toolbox evaluates one individual at a time through toolbox.map
(the builtin map); fitness = training accuracy (default) or, with
--fitness nll, minus the mean cross-entropy.

--algo ga  : eaSimple(cxpb=0.5, mutpb=0.2), selTournament(tournsize=3),
             cxBlend(alpha=0.5) or cxTwoPoint (--crossover), mutGaussian(mu=0,
             sigma=0.2, indpb=0.05), HallOfFame(1).
--algo cma : deap.cma.Strategy(centroid=0, sigma=0.5, lambda_=pop) with
             algorithms.eaGenerateUpdate, HallOfFame(1).

MLP: in -> hidden (tanh) -> classes (argmax / softmax for nll); hidden 8 for
iris, 32 for digits (--hidden overrides). Data: stratified 80/20 split
(random_state=0), StandardScaler fitted on train. Test accuracy is that of the
hall-of-fame individual.

Timing: "s/gen" = algorithm wall time / generations; "evals/s" = network
evaluations (one forward pass over the full training set each) per second of
algorithm wall time; "evals/s fitness-only" divides by time inside evaluate.

Usage:
  python deap_mlp.py --dataset iris|digits [--algo ga|cma] [--crossover blend|twopoint]
                     [--pop 100] [--gens 200] [--runs 3] [--seed 0]
                     [--fitness acc|nll] [--json out.json]
"""
import argparse
import json
import random
import statistics
import time

import deap
import numpy as np
from deap import algorithms, base, cma, creator, tools
from sklearn.datasets import load_digits, load_iris
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

creator.create("FitnessMax", base.Fitness, weights=(1.0,))
creator.create("Individual", list, fitness=creator.FitnessMax)


def load(name):
    X, y = (load_iris if name == "iris" else load_digits)(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    sc = StandardScaler().fit(Xtr)
    return sc.transform(Xtr), ytr, sc.transform(Xte), yte


class MLP:
    def __init__(self, n_in, n_hidden, n_out):
        self.shapes = [(n_in, n_hidden), (n_hidden,), (n_hidden, n_out), (n_out,)]
        self.size = sum(int(np.prod(s)) for s in self.shapes)

    def unpack(self, flat):
        w = np.asarray(flat, dtype=np.float64)
        out, i = [], 0
        for s in self.shapes:
            n = int(np.prod(s))
            out.append(w[i:i + n].reshape(s))
            i += n
        return out

    def logits(self, flat, X):
        W1, b1, W2, b2 = self.unpack(flat)
        return np.tanh(X @ W1 + b1) @ W2 + b2


def one_run(args, seed):
    random.seed(seed)
    np.random.seed(seed)  # deap.cma uses numpy.random
    Xtr, ytr, Xte, yte = load(args.dataset)
    hidden = args.hidden or (8 if args.dataset == "iris" else 32)
    n_cls = int(ytr.max()) + 1
    mlp = MLP(Xtr.shape[1], hidden, n_cls)
    stats_ = {"evals": 0, "eval_time": 0.0}

    def evaluate(ind):
        t = time.perf_counter()
        z = mlp.logits(ind, Xtr)
        if args.fitness == "acc":
            f = float(np.mean(z.argmax(1) == ytr))
        else:
            z = z - z.max(1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(1, keepdims=True))
            f = float(logp[np.arange(len(ytr)), ytr].mean())
        stats_["evals"] += 1
        stats_["eval_time"] += time.perf_counter() - t
        return (f,)

    tb = base.Toolbox()
    tb.register("evaluate", evaluate)
    hof = tools.HallOfFame(1)
    st = tools.Statistics(lambda ind: ind.fitness.values[0])
    st.register("max", np.max)
    st.register("avg", np.mean)
    t0 = time.perf_counter()
    if args.algo == "ga":
        tb.register("attr_float", random.uniform, -1.0, 1.0)
        tb.register("individual", tools.initRepeat, creator.Individual, tb.attr_float, mlp.size)
        tb.register("population", tools.initRepeat, list, tb.individual)
        if args.crossover == "blend":
            tb.register("mate", tools.cxBlend, alpha=0.5)
        else:
            tb.register("mate", tools.cxTwoPoint)
        tb.register("mutate", tools.mutGaussian, mu=0.0, sigma=0.2, indpb=0.05)
        tb.register("select", tools.selTournament, tournsize=3)
        pop = tb.population(n=args.pop)
        _, log = algorithms.eaSimple(pop, tb, cxpb=0.5, mutpb=0.2, ngen=args.gens,
                                     stats=st, halloffame=hof, verbose=False)
    else:
        strategy = cma.Strategy(centroid=[0.0] * mlp.size, sigma=0.5, lambda_=args.pop)
        tb.register("generate", strategy.generate, creator.Individual)
        tb.register("update", strategy.update)
        _, log = algorithms.eaGenerateUpdate(tb, ngen=args.gens, stats=st, halloffame=hof,
                                             verbose=False)
    wall = time.perf_counter() - t0
    best = hof[0]
    return {"dataset": args.dataset, "algo": args.algo, "seed": seed,
            "crossover": args.crossover if args.algo == "ga" else None,
            "fitness": args.fitness, "hidden": hidden, "n_weights": mlp.size,
            "n_train": int(len(ytr)), "wall_s": wall, "s_per_gen": wall / args.gens,
            "evals": stats_["evals"], "evals_per_s": stats_["evals"] / wall,
            "evals_per_s_fitness_only": stats_["evals"] / stats_["eval_time"],
            "eval_time_fraction": stats_["eval_time"] / wall,
            "best_train_fitness": best.fitness.values[0],
            "train_acc": float(np.mean(mlp.logits(best, Xtr).argmax(1) == ytr)),
            "test_acc": float(np.mean(mlp.logits(best, Xte).argmax(1) == yte)),
            "max_fitness_gen100": log[min(100, len(log) - 1)]["max"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", choices=["iris", "digits"], default="iris")
    ap.add_argument("--algo", choices=["ga", "cma"], default="ga")
    ap.add_argument("--crossover", choices=["blend", "twopoint"], default="blend")
    ap.add_argument("--fitness", choices=["acc", "nll"], default="acc")
    ap.add_argument("--hidden", type=int, default=None)
    ap.add_argument("--pop", type=int, default=100)
    ap.add_argument("--gens", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    runs = []
    for r in range(args.runs):
        res = one_run(args, args.seed + r)
        runs.append(res)
        print(f"{res['dataset']} {res['algo']} {res['crossover']} fit={res['fitness']} "
              f"seed {res['seed']}: {res['s_per_gen'] * 1e3:.1f} ms/gen "
              f"{res['evals_per_s']:.0f} evals/s ({res['evals_per_s_fitness_only']:.0f} "
              f"fitness-only, {100 * res['eval_time_fraction']:.0f}% of time) "
              f"evals={res['evals']} train {res['train_acc']:.3f} test {res['test_acc']:.3f}",
              flush=True)

    def m(k):
        return statistics.mean(x[k] for x in runs)
    summ = {"runs": len(runs), "n_weights": runs[0]["n_weights"],
            "ms_per_gen_mean": 1e3 * m("s_per_gen"), "evals_per_s_mean": m("evals_per_s"),
            "evals_per_s_fitness_only_mean": m("evals_per_s_fitness_only"),
            "evals_per_gen_mean": m("evals") / args.gens,
            "train_acc_mean": m("train_acc"), "test_acc_mean": m("test_acc"),
            "test_acc_min_max": [min(x["test_acc"] for x in runs),
                                 max(x["test_acc"] for x in runs)],
            "deap_version": deap.__version__}
    print(json.dumps(summ, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "summary": summ, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
