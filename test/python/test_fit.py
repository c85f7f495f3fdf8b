"""pytest tests of rateml.fit (fit.test runs them): the loop, the history,
the objective and its worst score, determinism, the HDF5 file, errors and
the GPU path through the stand-in driver."""
import os
import pathlib
import sys

import numpy as np
import pytest
import xarray

import rateml

MODELS = pathlib.Path(os.environ["RATEML_MODELS"])

# 400 ms of Montbrio on builtin:68 without noise, from one fixed initial
# state for every set, so that a set's FC depends on its parameters only.
_rng = np.random.default_rng(0)
INITIAL = np.stack([_rng.uniform(0, 0.5, 68), _rng.uniform(-2, 0, 68)])
RUN = dict(dt=0.1, steps=4000, bold="r", bold_tr=20, bold_dt=1,
           no_noise=True, initial=INITIAL, threads=1)
TRUTH = {"global_speed": 4.0, "global_coupling": 0.3}


@pytest.fixture(scope="module")
def montbrio():
    return rateml.compile(MODELS / "montbrio.xml", precision="f64")


def fcd_values(bold, window, step):
    """The upper triangle of the FCD of `bold` [samples, nodes]: the
    correlations between the FCs of windows of `window` samples."""
    upper = np.triu_indices(bold.shape[1], 1)
    fcs = [np.corrcoef(bold[t:t + window].T)[upper]
           for t in range(0, len(bold) - window + 1, step)]
    return np.corrcoef(fcs)[np.triu_indices(len(fcs), 1)]


@pytest.fixture(scope="module")
def target(montbrio):
    """The FC of the model itself at TRUTH, and FCD values of its BOLD."""
    ds = montbrio.sweep(values={k: [v] for k, v in TRUTH.items()},
                        quiet=True, **RUN)
    return ds["fc"].values[0], fcd_values(ds["bold"].values[0], 5, 1)


def test_fit_finds_the_generating_parameters(montbrio, target):
    fc, _ = target
    result = rateml.fit(montbrio, free={"global_coupling": (0, 1)},
                        set={"global_speed": 4.0}, target_fc=fc,
                        popsize=8, generations=6, seed=2, quiet=True, **RUN)
    h = result.history
    assert h.sizes["evaluation"] == 48
    assert set(h["generation"].values) == set(range(6))
    assert list(h.attrs["free"]) == ["global_coupling"]
    # The best is the best evaluated set, and its score is its fc_corr.
    k = int(np.argmax(h["score"].values))
    assert result.best_score == h["score"].values[k]
    assert result.best == {"global_coupling": h["global_coupling"].values[k]}
    assert result.best_score == h["fc_corr"].values[k]
    assert result.best_fc.shape == (68, 68)
    # Bounds hold, and the fit improves on its first generation.
    assert ((h["global_coupling"] >= 0) & (h["global_coupling"] <= 1)).all()
    first = h["score"].values[h["generation"].values == 0].max()
    assert result.best_score >= first
    assert result.best_score > 0.95
    # The best set, simulated again on its own, has the recorded metric.
    again = montbrio.sweep(values={"global_speed": [4.0],
                                   "global_coupling": [
                                       result.best["global_coupling"]]},
                           target_fc=fc, quiet=True, **RUN)
    assert again["fit/fc_corr"].values[0] == result.best_score
    assert np.array_equal(again["fc"].values[0], result.best_fc)


def test_diverged_sets_get_the_worst_score(montbrio, target):
    """Couplings up to 3 make some sets blow up (NaN); the fit goes on."""
    fc, _ = target
    result = rateml.fit(montbrio, free={"global_coupling": (0, 3)},
                        set={"global_speed": 4.0}, target_fc=fc,
                        popsize=8, generations=2, seed=1, quiet=True, **RUN)
    h = result.history
    diverged = h["diverged_step"].values >= 0
    assert diverged.any() and not diverged.all()
    assert (h["score"].values[diverged] == h.attrs["worst_score"]).all()
    assert h.attrs["worst_score"] < h["score"].values[~diverged].min()
    assert np.isfinite(result.best_score)


def test_objective_with_fcd_and_determinism(montbrio, target, tmp_path):
    fc, fcd = target
    options = dict(free={"global_coupling": (0, 1), "global_speed": (1, 10)},
                   target_fc=fc, target_fcd=fcd,
                   objective=("fc_corr", "-fcd_ks"), popsize=6,
                   generations=2, seed=3, quiet=True, fcd_window=100,
                   fcd_step=20, **RUN)
    a = rateml.fit(montbrio, output=tmp_path / "fit.h5", **options)
    b = rateml.fit(montbrio, **options)
    h = a.history
    assert h.attrs["objective"] == "fc_corr,-fcd_ks"
    ok = h["diverged_step"].values < 0
    assert np.allclose(h["score"].values[ok],
                       (h["fc_corr"] - h["fcd_ks"]).values[ok], rtol=0,
                       atol=1e-15)
    xarray.testing.assert_identical(a.history, b.history)
    assert a.best == b.best
    saved = xarray.open_dataset(tmp_path / "fit.h5", engine="h5netcdf",
                                group="history")
    assert saved.sizes["evaluation"] == 12
    assert np.array_equal(saved["score"].values, h["score"].values)
    best = xarray.open_dataset(tmp_path / "fit.h5", engine="h5netcdf",
                               group="best")
    assert list(best["param"].values) == ["global_coupling", "global_speed"]
    assert best["fc"].dims == ("subject", "node", "node_j")
    assert best["score"].values[0] == a.best_score


def test_a_constant_is_a_free_parameter(montbrio, target):
    fc, _ = target
    result = rateml.fit(montbrio, free={"eta": (-6, -4)},
                        set=TRUTH, target_fc=fc, popsize=4, generations=1,
                        seed=1, quiet=True, **RUN)
    assert -6 <= result.best["eta"] <= -4


def test_cohort_fits_each_subject_to_its_own_target(montbrio):
    """Two subjects, one CMA-ES each, all populations in one sweep per
    generation; each subject's scores are against its own target."""
    rng = np.random.default_rng(5)

    def subject():
        w = rng.uniform(0, 1, (16, 16)) * (rng.uniform(size=(16, 16)) < 0.4)
        np.fill_diagonal(w, 0)
        return rateml.Connectivity(weights=w,
                                   tract_lengths=rng.uniform(10, 120,
                                                             (16, 16)))
    cohort = [subject(), subject()]
    run = {**RUN, "initial": INITIAL[:, :16]}
    truth = montbrio.sweep(values={k: [v] for k, v in TRUTH.items()},
                           connectivity=cohort, quiet=True, **run)
    targets = [truth["fc"].values[0], truth["fc"].values[1]]
    result = rateml.fit(montbrio, free={"global_coupling": (0, 1)},
                        set={"global_speed": 4.0}, connectivity=cohort,
                        target_fc=targets, popsize=4, generations=2, seed=1,
                        quiet=True, **run)
    h = result.history
    assert sorted(h["subject"].values.tolist()) == [0] * 8 + [1] * 8
    assert len(result.best) == 2 and len(result.best_score) == 2
    for k in (0, 1):
        mine = h["score"].values[h["subject"].values == k]
        assert result.best_score[k] == mine.max()
        again = montbrio.sweep(
            values={"global_speed": [4.0], "global_coupling": [
                result.best[k]["global_coupling"]]},
            connectivity=cohort[k], target_fc=targets[k], quiet=True, **run)
        assert again["fit/fc_corr"].values[0] == result.best_score[k]


def test_a_map_coefficient_is_a_free_parameter():
    """A regional map's weight (eta.scale, a run parameter of a --regional
    build) fitted to the FC the map made at a known weight."""
    model = rateml.compile(MODELS / "montbrio.xml", precision="f64",
                           regional=["eta"])
    z = np.random.default_rng(3).normal(size=68)
    z = (z - z.mean()) / z.std()
    truth = model.sweep(values={**{k: [v] for k, v in TRUTH.items()},
                                "eta.scale": [0.05]},
                        maps={"eta": z}, quiet=True, **RUN)
    result = rateml.fit(model, free={"eta.scale": (-0.1, 0.1)}, set=TRUTH,
                        maps={"eta": z}, target_fc=truth["fc"].values[0],
                        popsize=6, generations=3, seed=2, quiet=True, **RUN)
    h = result.history
    assert -0.1 <= h["eta.scale"].min() and h["eta.scale"].max() <= 0.1
    assert h["eta.scale"].std() > 0
    again = model.sweep(values={**{k: [v] for k, v in TRUTH.items()},
                                "eta.scale": [result.best["eta.scale"]]},
                        maps={"eta": z}, target_fc=truth["fc"].values[0],
                        quiet=True, **RUN)
    assert again["fit/fc_corr"].values[0] == result.best_score


@pytest.mark.parametrize("kwargs, message", [
    (dict(free={"global_coupling": (1, 0)}), "LO < HI"),
    (dict(free={"global_coupling": (0, 1)}, objective="fc_corr,-fcd_ks"),
     "'fcd_ks' needs target_fcd"),
    (dict(free={"global_coupling": (0, 1)}, objective="fcd_corr"),
     "unknown metric 'fcd_corr'"),
    (dict(free={"global_coupling": (0, 1)}), "global_speed neither free"),
    (dict(free={"global_coupling": (0, 1)}, set={"global_speed": 4},
          sweep={"global_speed": [1, 2]}), "'sweep' is set by the fit"),
    (dict(free={"global_coupling": (0, 1)}, set={"global_speed": 4},
          set_offset=3), "'set_offset' is set by the fit"),
    (dict(free={"global_coupling": (0, 1), "nope": (0, 1)},
          set={"global_speed": 4}), "unknown parameter 'nope'"),
])
def test_bad_input(montbrio, target, kwargs, message):
    run = {**RUN, **{k: v for k, v in kwargs.items() if k == "sweep"}}
    kwargs = {k: v for k, v in kwargs.items() if k != "sweep"}
    with pytest.raises(ValueError, match=message):
        rateml.fit(montbrio, target_fc=target[0], popsize=4, generations=1,
                   quiet=True, **kwargs, **run)


def test_a_plain_process_does_not_start_mpi(montbrio, target):
    """Without a launcher (lit gives none) the fit runs alone: mpi4py, whose
    import initialises MPI, stays unimported (rateml-fit-mpi.test fits
    across ranks)."""
    rateml.fit(montbrio, free={"global_coupling": (0, 1)},
               set={"global_speed": 4.0}, target_fc=target[0], popsize=2,
               generations=1, quiet=True, **RUN)
    assert "mpi4py" not in sys.modules


def test_fit_needs_bold(montbrio, target):
    with pytest.raises(ValueError, match="give bold=VAR"):
        rateml.fit(montbrio, free={"global_coupling": (0, 1)},
                   set={"global_speed": 4}, target_fc=target[0], steps=100)


@pytest.mark.skipif(not os.environ.get("RATEML_FAKE_CUDA"),
                    reason="needs the stand-in CUDA driver (lit sets it)")
def test_gpu_fit_equals_cpu_fit(montbrio, target):
    """The GPU path (the stand-in driver of test/fake-libcuda) evaluates the
    same populations to the same scores within float64 rounding."""
    options = dict(free={"global_coupling": (0, 1)},
                   set={"global_speed": 4.0}, target_fc=target[0],
                   popsize=4, generations=2, seed=4, quiet=True, **RUN)
    gpu = rateml.fit(montbrio, backend="gpu", **options)
    cpu = rateml.fit(montbrio, backend="cpu", **options)
    assert np.allclose(gpu.history["score"], cpu.history["score"],
                       rtol=1e-9, atol=1e-12)
