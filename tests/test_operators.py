import numpy as np
import pytest

from evonet.genome import WeightIndividual, as_individual
from evonet.operators import (
    blend_crossover,
    cx_blend,
    cx_sbx,
    cx_uniform,
    gaussian_mutation,
    mut_gaussian,
    sbx_crossover,
    sel_tournament,
    tournament_indices,
    uniform_crossover,
)

RNG = np.random.default_rng


def parents(n=50, m=8):
    rng = RNG(42)
    return rng.normal(size=(m, n)), rng.normal(size=(m, n))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "op, arg", [(blend_crossover, 0.5), (sbx_crossover, 10.0), (uniform_crossover, 0.5)]
)
def test_population_crossover_keeps_shape_dtype_and_inputs(op, arg, dtype):
    a, b = (p.astype(dtype) for p in parents())
    a0, b0 = a.copy(), b.copy()
    c1, c2 = op(a, b, arg, RNG(0))
    assert c1.shape == a.shape and c2.shape == b.shape
    assert c1.dtype == dtype and c2.dtype == dtype
    for child in (c1, c2):
        assert not np.shares_memory(child, a) and not np.shares_memory(child, b)
    assert not np.shares_memory(c1, c2)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)
    c1b, _ = op(a, b, arg, RNG(0))
    np.testing.assert_array_equal(c1, c1b)


def test_blend_children_lie_in_widened_interval():
    a, b = parents(200, 20)
    alpha = 0.3
    c1, c2 = blend_crossover(a, b, alpha, RNG(1))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    d = hi - lo
    for c in (c1, c2):
        assert np.all(c >= lo - alpha * d - 1e-12) and np.all(c <= hi + alpha * d + 1e-12)
    # with alpha > 0 some children leave the parents' interval
    assert np.any((c1 < lo) | (c1 > hi))


def test_sbx_is_symmetric_about_parent_mean_and_spread_shrinks_with_eta():
    a, b = parents(500, 10)
    c1, c2 = sbx_crossover(a, b, 2.0, RNG(2))
    np.testing.assert_allclose(c1 + c2, a + b)
    wide = np.abs(c1 - c2).mean()
    n1, n2 = sbx_crossover(a, b, 100.0, RNG(2))
    narrow = np.abs(n1 - n2) - np.abs(a - b)
    assert np.abs(narrow).mean() < np.abs(np.abs(c1 - c2) - np.abs(a - b)).mean()
    assert wide > 0


def test_uniform_children_take_each_gene_from_one_parent():
    a, b = parents()
    c1, c2 = uniform_crossover(a, b, 0.5, RNG(3))
    from_a = c1 == a
    assert np.all(from_a | (c1 == b))
    np.testing.assert_array_equal(np.where(from_a, b, a), c2)
    assert 0.3 < from_a.mean() < 0.7


@pytest.mark.parametrize("op", [cx_blend, cx_sbx, cx_uniform])
def test_deap_crossover_writes_children_into_parents_without_aliasing(op):
    a = WeightIndividual(np.arange(10.0))
    b = WeightIndividual(-np.arange(10.0) - 5.0)
    a_copy, b_copy = np.array(a), np.array(b)
    c1, c2 = op(a, b, rng=RNG(4))
    assert c1 is a and c2 is b
    assert not np.shares_memory(c1, c2)
    # the children are what the population form computes from unmodified copies
    population_form = {cx_blend: blend_crossover, cx_sbx: sbx_crossover,
                       cx_uniform: uniform_crossover}[op]
    default = {cx_blend: 0.5, cx_sbx: 15.0, cx_uniform: 0.5}[op]
    e1, e2 = population_form(a_copy, b_copy, default, RNG(4))
    np.testing.assert_array_equal(c1, e1)
    np.testing.assert_array_equal(c2, e2)


def test_gaussian_mutation_rate_scale_and_per_gene_sigma():
    pop = np.zeros((400, 50))
    out = gaussian_mutation(pop, 0.5, 0.2, RNG(5))
    changed = out != 0
    assert 0.18 < changed.mean() < 0.22
    assert abs(out[changed].std() - 0.5) < 0.03
    assert np.all(pop == 0)
    sigma = np.zeros(50)
    sigma[:5] = 1.0
    out = gaussian_mutation(pop, sigma, 1.0, RNG(6))
    assert np.all(out[:, 5:] == 0) and np.all(out[:, :5] != 0)


def test_mut_gaussian_in_place_and_shape():
    ind = WeightIndividual(np.zeros(20))
    (out,) = mut_gaussian(ind, sigma=1.0, indpb=1.0, rng=RNG(7))
    assert out is ind and out.shape == (20,) and out.dtype == np.float64
    assert np.all(ind != 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_operators_keep_float32_and_float64_at_both_levels(dtype):
    a, b = (p.astype(dtype) for p in parents(30, 6))
    pop = gaussian_mutation(a, 0.5, 0.5, RNG(8))
    assert pop.dtype == dtype and pop.shape == a.shape
    # the draws are the same whatever the dtype: only the rounding differs
    np.testing.assert_allclose(pop, gaussian_mutation(a.astype(np.float64), 0.5, 0.5, RNG(8)),
                               rtol=1e-6, atol=1e-6)
    ind = a[0].copy()
    (out,) = mut_gaussian(ind, sigma=0.5, indpb=0.5, rng=RNG(9))
    assert out is ind and out.dtype == dtype
    for op, population_form in ((cx_blend, blend_crossover), (cx_sbx, sbx_crossover),
                                (cx_uniform, uniform_crossover)):
        i1, i2 = a[1].copy(), b[1].copy()
        c1, c2 = op(i1, i2, rng=RNG(10))
        assert c1 is i1 and c1.dtype == dtype and c2.dtype == dtype
        default = {cx_blend: 0.5, cx_sbx: 15.0, cx_uniform: 0.5}[op]
        e1, e2 = population_form(a[1:2], b[1:2], default, RNG(10))
        assert e1.dtype == dtype
        np.testing.assert_array_equal(c1, e1[0])
        np.testing.assert_array_equal(c2, e2[0])


def test_integer_parents_give_float64_children():
    a, b = np.zeros((2, 5), dtype=int), np.ones((2, 5), dtype=int)
    assert blend_crossover(a, b, 0.5, RNG(0))[0].dtype == np.float64
    assert gaussian_mutation(a, 0.1, 1.0, RNG(0)).dtype == np.float64


def test_tournament_picks_lowest_loss_of_entrants():
    losses = np.array([5.0, 1.0, 3.0, np.nan])
    winners = tournament_indices(losses, 1000, 4, RNG(8))
    counts = np.bincount(winners, minlength=4)
    assert counts[1] > counts[2] > counts[0] > counts[3]
    # NaN wins only a tournament of NaN entrants: probability 0.25**4
    assert counts[3] <= 3 * 1000 * 0.25**4
    # a huge tournament almost always finds the best
    assert np.mean(tournament_indices(losses, 200, 50, RNG(9)) == 1) > 0.99


def test_sel_tournament_on_individuals_prefers_lower_loss():
    pop = [as_individual([float(i)], fitness=float(i)) for i in range(10)]
    chosen = sel_tournament(pop, 2000, tournsize=3, rng=RNG(10))
    mean_loss = np.mean([c.fitness.values[0] for c in chosen])
    assert mean_loss < 3.5  # uniform choice would give 4.5
    with pytest.raises(ValueError, match="no fitness"):
        sel_tournament([WeightIndividual([0.0])], 1, rng=RNG(0))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: blend_crossover(np.zeros(3), np.zeros(4), 0.5, RNG(0)), "same shape"),
        (lambda: blend_crossover(np.zeros(3), np.zeros(3), -1.0, RNG(0)), "alpha"),
        (lambda: uniform_crossover(np.zeros(3), np.zeros(3), 1.5, RNG(0)), "indpb"),
        (lambda: gaussian_mutation(np.zeros(3), -0.1, 0.5, RNG(0)), "sigma"),
        (lambda: gaussian_mutation(np.zeros(3), np.ones(4), 0.5, RNG(0)), "one value per gene"),
        (lambda: tournament_indices(np.zeros(3), 2, 0, RNG(0)), "tournsize"),
        (lambda: tournament_indices(np.zeros(0), 2, 2, RNG(0)), "empty"),
    ],
)
def test_operators_reject_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_sel_tournament_breaks_ties_at_random_and_never_picks_nan_over_a_number():
    # ties went to the later list position (a plateau drifted to the population's end), and
    # a NaN loss beat every number, against the strategies' own tournaments
    from evonet.genome import as_individual
    from evonet.operators import sel_tournament

    tied = [as_individual([float(i)], fitness=1.0) for i in range(10)]
    counts = np.bincount([int(s[0]) for s in sel_tournament(
        tied, 10_000, tournsize=3, rng=np.random.default_rng(0))], minlength=10)
    assert counts.min() > 850 and counts.max() < 1150   # about 1,000 each
    pop = [as_individual([float(i)], fitness=f)
           for i, f in enumerate([1.0, float("nan"), 2.0, 3.0])]
    chosen = [int(s[0]) for s in sel_tournament(pop, 1000, tournsize=4,
                                                rng=np.random.default_rng(0))]
    # NaN wins only a tournament of NaN entrants alone: (1/4)**4 of them
    assert chosen.count(1) < 20 and chosen.count(0) > chosen.count(2) > chosen.count(3)
