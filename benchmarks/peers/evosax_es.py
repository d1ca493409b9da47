"""evosax's OpenAI-ES on digits, as its examples run it: milliseconds per generation.

One network shape per call: ``64-H-10`` (tanh hidden layer, softmax output,
float32), population ``P``, fitness the mean log-loss on all 1,437 rows given
(standardised digits), the population scored by ``jax.vmap``. Two ways of
running the same generations:

- ``loop``: a Python loop of jitted ``ask``, fitness and ``tell`` (evosax's
  examples); the median milliseconds of the timed generations;
- ``scan``: every generation inside one jitted ``jax.lax.scan``; its wall time
  divided by the generations.

Compilation is done (and excluded) before timing. Prints one JSON line:
``{"loop_ms": ..., "scan_ms": ..., "cores": ..., "versions": {...}}``, where
``cores`` is the process's CPU seconds over its wall seconds while timing
the loop. Needs ``pip install "evonet[bench]"`` (evosax 0.3.x).

Usage: python benchmarks/peers/evosax_es.py --hidden 32 --population 100 --generations 40
"""

import json
import statistics
import time
from importlib.metadata import version

import jax
import jax.numpy as jnp
import numpy as np
import optax
from _digits import digits, parse_args
from evosax.algorithms import Open_ES


def fitness_fn(hidden, X, y):
    """Mean log-loss of every network of a population (rows: flat parameter vectors)."""
    n_in, n_out = X.shape[1], 10
    sizes = [n_in * hidden, hidden, hidden * n_out, n_out]
    bounds = np.cumsum([0, *sizes])
    onehot = jax.nn.one_hot(y, n_out)

    def one(theta):
        W1 = theta[bounds[0]:bounds[1]].reshape(n_in, hidden)
        b1 = theta[bounds[1]:bounds[2]]
        W2 = theta[bounds[2]:bounds[3]].reshape(hidden, n_out)
        b2 = theta[bounds[3]:bounds[4]]
        logits = jnp.tanh(X @ W1 + b1) @ W2 + b2
        return -jnp.mean(jnp.sum(onehot * jax.nn.log_softmax(logits), axis=1))

    return jax.vmap(one), int(bounds[-1])


def main():
    args = parse_args(__doc__)
    X, y = digits()
    evaluate, n_params = fitness_fn(args.hidden, jnp.asarray(X), jnp.asarray(y))
    es = Open_ES(population_size=args.population, solution=jnp.zeros(n_params),
                 optimizer=optax.adam(0.01), std_schedule=optax.constant_schedule(0.05))
    params = es.default_params
    key = jax.random.key(0)
    mean = 0.1 * jax.random.normal(key, (n_params,))
    ask, tell, evaluate = jax.jit(es.ask), jax.jit(es.tell), jax.jit(evaluate)

    def generation(state, key):
        key_ask, key_tell = jax.random.split(key)
        population, state = ask(key_ask, state, params)
        fitness = evaluate(population)
        state, _ = tell(key_tell, population, fitness, state, params)
        return state, fitness

    state = es.init(key, mean, params)
    keys = jax.random.split(jax.random.key(1), args.generations + 1)
    state, fitness = generation(state, keys[0])  # compiles
    fitness.block_until_ready()
    times = []
    wall, cpu = time.perf_counter(), time.process_time()
    for k in keys[1:]:
        start = time.perf_counter()
        state, fitness = generation(state, k)
        fitness.block_until_ready()
        times.append(time.perf_counter() - start)
    cores = (time.process_time() - cpu) / (time.perf_counter() - wall)

    def body(state, key):
        key_ask, key_tell = jax.random.split(key)
        population, state = es.ask(key_ask, state, params)
        fitness = evaluate(population)
        state, _ = es.tell(key_tell, population, fitness, state, params)
        return state, fitness.min()

    scan = jax.jit(lambda state, keys: jax.lax.scan(body, state, keys))
    scan(state, keys[1:])[1].block_until_ready()  # compiles
    start = time.perf_counter()
    scan(state, keys[1:])[1].block_until_ready()
    scan_ms = 1e3 * (time.perf_counter() - start) / args.generations
    print(json.dumps({"loop_ms": 1e3 * statistics.median(times), "scan_ms": scan_ms,
                      "cores": cores, "n_params": n_params,
                      "versions": {"evosax": version("evosax"), "jax": jax.__version__}}))


if __name__ == "__main__":
    main()
