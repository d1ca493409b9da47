"""evonet.plot: what each display draws (markers, edges, lines, labels), not pixels."""

import subprocess
import sys
import types
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor, evolve_policy  # noqa: E402
from evonet.control import EvolvedPolicy, MLPPolicy, RecurrentPolicy  # noqa: E402
from evonet.genome.neat import NeatGenome  # noqa: E402
from evonet.plot import (  # noqa: E402
    EvolutionDisplay,
    NetworkDisplay,
    ParetoFrontDisplay,
    RolloutDisplay,
    SpeciesDisplay,
)

DISPLAYS = [EvolutionDisplay, NetworkDisplay, SpeciesDisplay, ParetoFrontDisplay]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def mlp(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return NeuroEvolutionClassifier((3,), max_generations=30, early_stopping=True,
                                        random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def neat(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return NeuroEvolutionClassifier((3,), strategy="neat", max_generations=12,
                                        random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def policy():
    return evolve_policy("1-markov", max_generations=4, random_state=0)


@pytest.fixture(scope="module")
def neat_policy():
    return evolve_policy("1-markov", strategy="neat", max_generations=4, population_size=30,
                         random_state=1)


def column(logbook, key):
    return np.array([r.get(key, np.nan) for r in logbook], dtype=float)


# -- EvolutionDisplay ---------------------------------------------------------------------

def test_evolution_draws_one_line_per_statistic_with_labels(mlp):
    display = EvolutionDisplay.from_estimator(mlp)
    assert sorted(display.lines_) == ["best", "checks", "mean", "validation"]
    gens = column(mlp.logbook_, "gen")
    np.testing.assert_array_equal(display.lines_["best"].get_xdata(), gens)
    np.testing.assert_array_equal(display.lines_["best"].get_ydata(), column(mlp.logbook_, "min"))
    np.testing.assert_array_equal(display.lines_["mean"].get_ydata(),
                                  column(mlp.logbook_, "mean"))
    assert len(display.lines_["checks"].get_xdata()) == len(mlp.loss_curve_)
    assert list(display.lines_["validation"].get_ydata()) == mlp.validation_scores_
    assert display.ax_.get_xlabel() == "generation"
    assert display.ax_.get_ylabel() == "training loss (log_loss)"
    assert display.validation_ax_.get_ylabel() == "validation score"
    assert display.figure_ is display.ax_.figure
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["mean +- std", "best", "mean", "full-data check", "validation score"]


def test_evolution_spread_is_the_recorded_std_or_min_max(mlp):
    mean, std = column(mlp.logbook_, "mean"), column(mlp.logbook_, "std")
    worst = column(mlp.logbook_, "max")
    assert (std > 0).all() and (worst >= mean).all()
    band = EvolutionDisplay.from_estimator(mlp, spread="std").spread_
    y = band.get_paths()[0].vertices[:, 1]
    assert np.isclose(y.min(), (mean - std).min()) and np.isclose(y.max(), (mean + std).max())
    band = EvolutionDisplay.from_estimator(mlp, spread="minmax").spread_
    y = band.get_paths()[0].vertices[:, 1]
    assert np.isclose(y.min(), column(mlp.logbook_, "min").min())
    assert np.isclose(y.max(), worst.max())
    assert EvolutionDisplay.from_estimator(mlp, spread=None).spread_ is None
    with pytest.raises(ValueError, match="spread='iqr' is not supported"):
        EvolutionDisplay.from_estimator(mlp, spread="iqr")


def test_evolution_of_an_old_logbook_without_spread_and_of_a_policy(policy):
    old = [{"gen": 1, "min": 2.0, "mean": 3.0}, {"gen": 2, "min": 1.0, "mean": 2.0, "loss": 1.0}]
    display = EvolutionDisplay.from_logbook(old)
    assert display.spread_ is None and sorted(display.lines_) == ["best", "checks", "mean"]
    display = EvolutionDisplay.from_policy(policy)
    np.testing.assert_array_equal(display.lines_["best"].get_ydata(),
                                  -column(policy.logbook_, "min"))
    assert display.ax_.get_ylabel() == "fitness" and display.validation_ax_ is None
    with pytest.raises(ValueError, match="records"):
        EvolutionDisplay.from_logbook([1.0, 0.5])
    hand_made = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
    with pytest.raises(ValueError, match="no logbook"):
        EvolutionDisplay.from_policy(hand_made)


def test_the_logbook_records_the_population_spread_and_neat_species(mlp, neat):
    for record in mlp.logbook_:
        assert record["min"] <= record["mean"] <= record["max"] and record["std"] >= 0
        assert not any(k.startswith("species:") for k in record)
    for record in neat.logbook_:
        sizes = [v for k, v in record.items() if k.startswith("species:")]
        assert sizes and all(type(v) is int and v > 0 for v in sizes)
        assert sum(sizes) == record["nevals"] == 150


# -- NetworkDisplay -----------------------------------------------------------------------

def test_network_of_an_mlp_has_a_marker_per_unit_and_a_line_per_weight(mlp):
    display = NetworkDisplay.from_estimator(mlp)
    sizes = [mlp.coefs_[0].shape[0]] + [W.shape[1] for W in mlp.coefs_]
    weights = np.concatenate([W.ravel() for W in mlp.coefs_])
    assert len(display.nodes_.get_offsets()) == sum(sizes) == 4 + 3 + 3
    assert len(display.edges_.get_segments()) == weights.size
    colors = display.edges_.get_colors()
    red = matplotlib.colors.to_rgba("tab:red")
    assert sum(np.allclose(c, red) for c in colors) == int((weights < 0).sum())
    widths = display.edges_.get_linewidths()
    assert np.argmax(widths) == np.argmax(np.abs(weights))
    assert sorted({x for x, _ in display.nodes_.get_offsets()}) == [0.0, 1.0, 2.0]


def test_network_can_keep_only_the_largest_weights(mlp):
    weights = np.concatenate([W.ravel() for W in mlp.coefs_])
    display = NetworkDisplay.from_estimator(mlp, max_edges=5)
    assert len(display.edges_.get_segments()) == 5
    red = matplotlib.colors.to_rgba("tab:red")
    largest = weights[np.argsort(-np.abs(weights), kind="stable")[:5]]
    assert sum(np.allclose(c, red) for c in display.edges_.get_colors()) == (largest < 0).sum()
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="max_edges must be a positive integer"):
            NetworkDisplay.from_estimator(mlp, max_edges=bad)


def test_network_of_a_neat_fit_draws_its_enabled_genes(neat):
    genome = neat.genome_
    display = NetworkDisplay.from_estimator(neat)
    assert len(display.nodes_.get_offsets()) == len(genome.nodes)
    assert len(display.edges_.get_segments()) == genome.n_enabled
    assert display.disabled_edges_ is None


def hand_genome(recurrent=False):
    """Inputs 0, 1; output 2; hidden 3 -> 4 in a chain; one disabled gene; 5 unused."""
    connections = [(0, 0, 3, 1.0, True), (1, 3, 4, -2.0, True), (2, 4, 2, 0.5, True),
                   (3, 0, 2, 1.0, False), (4, 1, 4, 1.5, True)]
    if recurrent:
        connections += [(5, 4, 3, 0.7, True), (6, 3, 3, -0.4, True)]
    return NeatGenome(2, 1, nodes=[(0, 0, 0), (1, 0, 0), (2, 0.5, 1), (3, 0, 1), (4, 0, 1),
                                   (5, 0, 1)], connections=connections)


def test_genome_hidden_nodes_stand_at_their_depth_and_disabled_genes_are_optional():
    display = NetworkDisplay.from_genome(hand_genome())
    x = {node: pos[0] for node, pos in display.positions.items()}
    assert (x[0], x[1], x[3], x[4], x[2]) == (0, 0, 1, 2, 3)
    assert len(display.nodes_.get_offsets()) == 6
    assert len(display.edges_.get_segments()) == 4 and display.disabled_edges_ is None
    assert display.inactive == {5}
    shown = NetworkDisplay.from_genome(hand_genome(), show_disabled=True)
    assert len(shown.edges_.get_segments()) == 4
    assert len(shown.disabled_edges_.get_segments()) == 1
    assert sorted(t.get_text() for t in shown.labels_) == ["0", "1", "2", "3", "4", "5"]


def test_recurrent_and_self_connections_are_drawn_and_refused_feed_forward():
    genome = hand_genome(recurrent=True)
    display = NetworkDisplay.from_genome(genome)
    segments = display.edges_.get_segments()
    assert len(segments) == genome.n_enabled == 6
    loops = [s for s in segments if np.allclose(s[0], s[-1])]
    back = [s for s in segments if s[-1][0] < s[0][0]]
    assert len(loops) == 1 and np.allclose(loops[0][0], display.positions[3])
    assert len(back) == 1 and np.allclose(back[0][[0, -1]], [display.positions[4],
                                                             display.positions[3]])
    assert back[0][:, 1].max() > max(display.positions[4][1], display.positions[3][1])
    straight = [s for s in segments if len(s) == 2]
    assert len(straight) == 3   # 0 -> 3, 3 -> 4 and 4 -> 2; 1 -> 4 skips a column: bent
    with pytest.raises(ValueError, match=r"has a cycle \(3 -> 4 -> 3\).*feed_forward=False"):
        NetworkDisplay.from_genome(genome, feed_forward=True)
    assert len(NetworkDisplay.from_genome(hand_genome(), feed_forward=True).edges_
               .get_segments()) == 4
    with pytest.raises(ValueError, match="feed_forward must be"):
        NetworkDisplay.from_genome(genome, feed_forward="yes")
    with pytest.raises(ValueError, match="genome must be a NeatGenome"):
        NetworkDisplay.from_genome(np.zeros(3))


def test_network_of_policies(policy, neat_policy):
    display = NetworkDisplay.from_policy(policy)
    assert len(display.nodes_.get_offsets()) == policy.network_.n_inputs + 1
    assert len(display.edges_.get_segments()) == policy.network_.n_inputs
    display = NetworkDisplay.from_policy(neat_policy)
    assert len(display.nodes_.get_offsets()) == len(neat_policy.weights_.nodes)
    assert len(display.edges_.get_segments()) == neat_policy.weights_.n_enabled
    recurrent = EvolvedPolicy(RecurrentPolicy(2, 2), np.zeros(RecurrentPolicy(2, 2).n_params),
                              "1-nonmarkov")
    with pytest.raises(ValueError, match="draws MLP and NEAT networks"):
        NetworkDisplay.from_policy(recurrent)
    with pytest.raises(ValueError, match="policy must be an EvolvedPolicy"):
        NetworkDisplay.from_policy(NeuroEvolutionClassifier())


# -- SpeciesDisplay -----------------------------------------------------------------------

def test_species_stack_plot_has_one_band_per_species(neat):
    display = SpeciesDisplay.from_estimator(neat)
    keys = sorted({int(k.split(":")[1]) for r in neat.logbook_ for k in r
                   if k.startswith("species:")})
    assert display.keys == keys and len(display.stacks_) == len(keys)
    assert (display.sizes.sum(axis=1) == 150).all()
    assert display.ax_.get_xlabel() == "generation"
    assert display.ax_.get_ylabel() == "genomes per species"


def test_species_of_a_run_without_species_is_refused(mlp, policy, neat_policy):
    with pytest.raises(ValueError, match="strategy='cmaes'"):
        SpeciesDisplay.from_estimator(mlp)
    with pytest.raises(ValueError, match="fixed topology"):
        SpeciesDisplay.from_policy(policy)
    assert len(SpeciesDisplay.from_policy(neat_policy).stacks_) >= 1
    with pytest.raises(ValueError, match="records no species"):
        SpeciesDisplay.from_logbook([{"gen": 1, "min": 1.0}])
    with pytest.raises(ValueError, match="records"):
        SpeciesDisplay.from_logbook([3, 4])


# -- ParetoFrontDisplay -------------------------------------------------------------------

def fitted_with_front(front):
    model = NeuroEvolutionRegressor()
    model.n_features_in_ = 2   # fitted, as far as check_is_fitted can tell
    if front is not None:
        model.pareto_front_ = front
    return model


def test_pareto_front_marks_every_point_and_the_chosen_one():
    front = [{"score": 0.95, "n_weights": 40, "index": 3},
             {"score": 0.90, "n_weights": 12, "index": 0},
             {"score": 0.97, "n_weights": 90, "index": 7}]
    display = ParetoFrontDisplay.from_estimator(fitted_with_front(front))
    np.testing.assert_array_equal(display.points_.get_offsets(),
                                  [[40, 0.95], [12, 0.90], [90, 0.97]])
    np.testing.assert_array_equal(display.best_.get_offsets(), [[40, 0.95]])
    np.testing.assert_array_equal(display.line_.get_xdata(), [12, 40, 90])
    assert display.ax_.get_xlabel() == "number of weights" and display.ax_.get_ylabel() == "score"
    lossy = ParetoFrontDisplay.from_estimator(fitted_with_front(
        [{"loss": 0.1, "n_weights": 5, "index": 0}]))
    assert lossy.ax_.get_ylabel() == "loss"


def test_pareto_front_of_a_real_nsga2_fit():
    X, y = load_iris(return_X_y=True)
    clf = NeuroEvolutionClassifier((4,), strategy="nsga2", scoring="accuracy", population_size=20,
                                   max_generations=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    display = ParetoFrontDisplay.from_estimator(clf)
    front = clf.pareto_front_
    # one point per network of the front, at its size and score; the best score circled
    np.testing.assert_array_equal(display.points_.get_offsets(),
                                  [[p["n_weights"], p["score"]] for p in front])
    np.testing.assert_array_equal(display.best_.get_offsets(),
                                  [[front[0]["n_weights"], front[0]["score"]]])
    assert display.ax_.get_ylabel() == "score"


def test_pareto_front_is_refused_without_a_front(mlp):
    with pytest.raises(ValueError, match="has no Pareto front"):
        ParetoFrontDisplay.from_estimator(mlp)
    with pytest.raises(ValueError, match="has no Pareto front"):
        ParetoFrontDisplay.from_estimator(fitted_with_front([]))
    with pytest.raises(ValueError, match="'n_weights'"):
        ParetoFrontDisplay.from_estimator(fitted_with_front([{"score": 1.0}]))


# -- RolloutDisplay -----------------------------------------------------------------------

def test_rollout_draws_position_angles_and_force(policy):
    display = RolloutDisplay.from_policy(policy, max_steps=300)
    assert sorted(display.lines_) == ["force", "theta_1", "x"]
    n = len(display.forces)
    assert 1 <= n <= 300 and len(display.lines_["x"].get_xdata()) == n + 1
    assert len(display.lines_["force"].get_ydata()) == n
    assert [a.get_ylabel() for a in display.axes_] == ["cart position (m)", "pole angle (deg)",
                                                       "force (N)"]
    assert display.axes_[2].get_xlabel() == "time (s)" and display.ax_ is display.axes_[0]
    assert np.isclose(display.lines_["x"].get_xdata()[1], 0.02)


def test_rollout_of_two_poles_and_bad_input():
    two = EvolvedPolicy(MLPPolicy(6, (), bias=False), np.zeros(6), "2-markov")
    display = RolloutDisplay.from_policy(two, max_steps=50)
    assert sorted(display.lines_) == ["force", "theta_1", "theta_2", "x"]
    with pytest.raises(ValueError, match="max_steps must be a positive integer"):
        RolloutDisplay.from_policy(two, max_steps=0)
    with pytest.raises(ValueError, match="ax must be a sequence of 3"):
        RolloutDisplay.from_policy(two, ax=plt.subplots()[1])
    gym_like = types.SimpleNamespace(network_=two.network_, weights_=two.weights_,
                                     env_="CartPole-v1")
    with pytest.raises(ValueError, match="pole-balancing rollouts; this policy acts in"):
        RolloutDisplay.from_policy(gym_like)


# -- what every display shares ------------------------------------------------------------

@pytest.mark.parametrize("display", DISPLAYS, ids=lambda d: d.__name__)
def test_an_unfitted_estimator_raises_not_fitted(display):
    with pytest.raises(NotFittedError):
        display.from_estimator(NeuroEvolutionClassifier())


@pytest.mark.parametrize("display", DISPLAYS, ids=lambda d: d.__name__)
def test_what_is_not_an_estimator_is_refused(display, policy):
    with pytest.raises(ValueError, match="from_policy"):
        display.from_estimator(policy)
    with pytest.raises(ValueError, match="estimator must be a fitted evonet estimator"):
        display.from_estimator("model.evonet")


def test_an_estimator_without_a_network_or_logbook_is_refused(iris):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit(*iris)
    with pytest.raises(ValueError, match="no network to draw"):
        NetworkDisplay.from_estimator(model)
    with pytest.raises(ValueError, match="no logbook"):
        EvolutionDisplay.from_estimator(model)


def test_a_pipeline_is_drawn_through_its_last_step(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), NeuroEvolutionClassifier((2,), max_generations=3,
                                                                    random_state=0))
    with pytest.raises(NotFittedError):
        NetworkDisplay.from_estimator(pipe)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(X, y)
    assert len(NetworkDisplay.from_estimator(pipe).edges_.get_segments()) == 4 * 2 + 2 * 3


def test_displays_draw_on_the_axes_given(mlp):
    fig, (left, right) = plt.subplots(1, 2)
    assert NetworkDisplay.from_estimator(mlp, ax=left).ax_ is left
    display = EvolutionDisplay.from_estimator(mlp, ax=right)
    assert display.ax_ is right and display.figure_ is fig
    again = display.plot(ax=left, spread=None)
    assert again is display and display.ax_ is left


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_evonet_plot_without_matplotlib_names_the_extra():
    result = run_python("import sys\nsys.modules['matplotlib'] = None\nimport evonet.plot")
    assert result.returncode == 1
    assert 'ImportError: evonet.plot needs matplotlib, which is not installed: pip install ' \
           '"evonet[plot]"' in result.stderr


def test_fitting_never_imports_matplotlib():
    result = run_python(
        "import sys, warnings\nwarnings.simplefilter('ignore')\n"
        "from sklearn.datasets import load_iris\nfrom evonet import NeuroEvolutionClassifier\n"
        "X, y = load_iris(return_X_y=True)\n"
        "for s in ('cmaes', 'neat'):\n"
        "    NeuroEvolutionClassifier((2,), strategy=s, max_generations=2).fit(X, y)\n"
        "print('matplotlib' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_model_files_keep_the_recorded_spread_and_species(neat, tmp_path):
    from evonet import load, save

    save(neat, tmp_path / "neat.evonet")
    back = load(tmp_path / "neat.evonet")
    assert [dict(r) for r in back.logbook_] == [dict(r) for r in neat.logbook_]
    assert all(type(v) is int for r in back.logbook_ for k, v in r.items()
               if k.startswith("species:"))
    assert SpeciesDisplay.from_estimator(back).sizes.tolist() == \
        SpeciesDisplay.from_estimator(neat).sizes.tolist()


def test_a_checkpoint_without_species_sizes_still_loads():
    from evonet.io._state import Decoder, Encoder
    from evonet.strategies import NEATState

    state = NEATState(population=[], species=[], registry=None, threshold=3.0,
                      species_sizes={4: 10})
    encoder = Encoder()
    encoded = encoder.encode(state)
    assert Decoder(encoder.arrays.__getitem__).decode(encoded).species_sizes == {4: 10}
    older = dict(encoded, fields={k: v for k, v in encoded["fields"].items()
                                  if k != "species_sizes"})
    assert Decoder(encoder.arrays.__getitem__).decode(older).species_sizes == {}
    missing = dict(encoded, fields={k: v for k, v in encoded["fields"].items()
                                    if k != "threshold"})
    with pytest.raises(ValueError, match="NEATState has the fields"):
        Decoder(encoder.arrays.__getitem__).decode(missing)


def test_species_rows_of_a_model_file_are_checked(tmp_path):
    from evonet.io.model import logbook_arrays, open_model, read_logbook, write_model

    records = [{"gen": 1, "min": 1.0, "species:0": 9}, {"gen": 2, "min": 0.5, "species:2": 9}]
    columns, arrays = logbook_arrays(records)
    assert columns == ["gen", "min"] and arrays["logbook_species"].tolist() == [[0, 0, 9],
                                                                                 [1, 2, 9]]
    for rows, ok in [(arrays["logbook_species"], True), (np.array([[2, 0, 9]]), False),
                     (np.array([[0, -1, 9]]), False)]:
        path = tmp_path / "m.evonet"
        write_model(path, "Example", {"training": {"logbook_columns": columns}},
                    dict(arrays, logbook_species=rows))
        archive, fields, _ = open_model(path)
        with archive:
            if ok:
                assert [dict(r) for r in read_logbook(fields)] == records
            else:
                with pytest.raises(ValueError, match="logbook_species"):
                    read_logbook(fields)


def test_a_deap_logbook_with_avg_draws_its_mean_and_one_without_statistics_is_refused():
    # DEAP's examples record "avg": the mean line was all NaN, drawn empty without a word
    from deap import tools

    from evonet.plot import EvolutionDisplay

    logbook = tools.Logbook()
    for gen in range(5):
        logbook.record(gen=gen, min=1.0 / (gen + 1), avg=2.0 / (gen + 1), std=0.1)
    display = EvolutionDisplay.from_logbook(logbook)
    np.testing.assert_allclose(display.mean, [2.0 / (g + 1) for g in range(5)])
    chaptered = tools.Logbook()
    for gen in range(3):
        chaptered.record(gen=gen, fitness={"min": 1.0, "avg": 2.0})
    with pytest.raises(ValueError, match="hold no 'min'.*chapters"):
        EvolutionDisplay.from_logbook(chaptered)
    display = EvolutionDisplay.from_logbook(chaptered.chapters["fitness"])
    assert np.isfinite(display.mean).all()
    only_extremes = [{"gen": g, "min": 1.0, "max": 2.0} for g in range(3)]  # drawn as before
    assert np.isfinite(EvolutionDisplay.from_logbook(only_extremes).best).all()
    plt.close("all")
