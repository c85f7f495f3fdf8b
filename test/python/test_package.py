"""pytest tests of the Python package (python-package.test runs them)."""
import os
import pathlib
import signal
import subprocess
import threading

import h5py
import numpy as np
import pytest
import xarray

import rateml

MODELS = pathlib.Path(os.environ["RATEML_MODELS"])
SCRATCH = pathlib.Path(os.environ["RATEML_SCRATCH"])


@pytest.fixture(scope="module")
def montbrio():
    return rateml.compile(MODELS / "montbrio.xml", precision="f32")


@pytest.fixture(scope="module")
def sweep_bin():
    exe = SCRATCH / "montbrio.bin"
    subprocess.run(["rateml-compile", str(MODELS / "montbrio.xml"),
                    "--precision", "f32", "-o", str(exe)], check=True)
    return exe


def test_model_description(montbrio):
    assert montbrio.name == "montbrio"
    assert montbrio.precision == "f32"
    assert montbrio.parameters == {"global_speed": (1.0, 10.0),
                                   "global_coupling": (0.0, 1.0)}
    assert montbrio.constants["J"] == 15
    assert montbrio.states == ["r", "V"]
    assert "bold_tr" in montbrio.options


def test_compile_error_is_located(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<Lems>\n  <ComponentType name="derivatives">\n'
                   '    <Dynamics>\n'
                   '      <TimeDerivative variable="dx" value="-x"/>\n'
                   '    </Dynamics>\n  </ComponentType>\n</Lems>\n')
    with pytest.raises(rateml.CompileError) as error:
        rateml.compile(bad)
    assert f"{bad}:4:" in str(error.value)
    with pytest.raises(FileNotFoundError):
        rateml.compile(tmp_path / "nowhere.xml")


def same_file(ds, path):
    """Every dataset and attribute of the HDF5 file `path` equals ds's."""
    with h5py.File(path, "r") as f:
        names = []
        f.visititems(lambda n, o: names.append(n)
                     if isinstance(o, h5py.Dataset) else None)
        for name in names:
            ours = ds[name].values
            theirs = (f[name].asstr()[...] if ours.dtype.kind == "O"
                      else f[name][...])
            assert ours.dtype.kind == "O" or ours.dtype == theirs.dtype, name
            assert np.array_equal(ours, theirs, equal_nan=ours.dtype.kind
                                  == "f"), name
            if ours.dtype.kind == "f":
                assert ours.tobytes() == theirs.tobytes(), name
        for key, value in f.attrs.items():
            assert np.array_equal(np.asarray(ds.attrs[key]),
                                  np.asarray(value)), key
    return True


def test_sweep_equals_sweep_bin(montbrio, sweep_bin, tmp_path):
    coupling = np.linspace(0.1, 0.6, 5)
    ds = montbrio.sweep(connectivity="builtin:20",
                        sweep={"global_coupling": coupling,
                               "global_speed": [3, 6]},
                        steps=600, dt=0.1, integrator="heun",
                        record="states", every=20, seed=7, quiet=True,
                        set={"cv": 0.5})
    subprocess.run([sweep_bin, "--connectivity", "builtin:20", "--values",
                    "global_coupling=" + ",".join(map(repr, coupling)),
                    "--values", "global_speed=3,6", "--steps", "600", "--dt",
                    "0.1", "--integrator", "heun", "--record", "states",
                    "--every", "20", "--seed", "7", "--set", "cv=0.5",
                    "--quiet", "--output", tmp_path / "cli.h5"], check=True)
    assert same_file(ds, tmp_path / "cli.h5")
    assert dict(ds.sizes) == {"set": 10, "time": 31, "variable": 2,
                              "node": 20, "param": 2}
    assert list(ds["variable"].values) == ["r", "V"]
    # Swept values as coordinates; the first key varies slowest.
    assert list(ds["global_speed"].values[:2]) == [3, 6]
    assert ds["global_coupling"].values[2] == coupling[1]


def test_stimulus_keyword_equals_sweep_bin(montbrio, sweep_bin, tmp_path):
    pulse = np.zeros((300, 20))
    pulse[100:160, :5] = 1.0
    ramp = np.linspace(0.0, 0.2, 300)
    ds = montbrio.sweep(connectivity="builtin:20",
                        sweep={"global_coupling": [0.1], "global_speed": [4]},
                        steps=300, record="states", every=10, no_noise=True,
                        stimulus={"V": pulse, "r": ramp}, quiet=True)
    np.save(tmp_path / "pulse.npy", pulse)
    np.save(tmp_path / "ramp.npy", ramp)
    subprocess.run([sweep_bin, "--connectivity", "builtin:20", "--values",
                    "global_coupling=0.1", "--values", "global_speed=4",
                    "--steps", "300", "--record", "states", "--every", "10",
                    "--no-noise", "--stimulus",
                    f"V={tmp_path / 'pulse.npy'}", "--stimulus",
                    f"r={tmp_path / 'ramp.npy'}", "--quiet", "--output",
                    tmp_path / "cli.h5"], check=True)
    # The stimulus attribute names the files each was read from.
    ds.attrs["stimulus"] = [f"V={tmp_path / 'pulse.npy'}",
                            f"r={tmp_path / 'ramp.npy'}"]
    assert same_file(ds, tmp_path / "cli.h5")
    plain = montbrio.sweep(connectivity="builtin:20",
                           sweep={"global_coupling": [0.1],
                                  "global_speed": [4]},
                           steps=300, record="states", every=10,
                           no_noise=True, quiet=True)
    assert not np.array_equal(ds["data"].values, plain["data"].values)
    with pytest.raises(ValueError, match="--stimulus: 'W' is not a state"):
        montbrio.sweep(connectivity="builtin:20", steps=300,
                       stimulus={"W": pulse}, quiet=True)


def test_bold_analysis_and_arrays(montbrio, sweep_bin, tmp_path):
    weights = np.random.default_rng(1).uniform(0, 1, (6, 6))
    np.fill_diagonal(weights, 0)
    lengths = np.full((6, 6), 40.0)
    initial = np.full((2, 6), 0.2)
    target = np.corrcoef(np.random.default_rng(2).normal(size=(6, 50)))
    table = {"global_coupling": [0.1, 0.2, 0.3], "global_speed": [3, 4, 5]}
    ds = montbrio.sweep(connectivity=rateml.Connectivity(weights, lengths),
                        param_table=table, initial=initial, steps=2000,
                        bold="r", bold_tr=20, fcd_window=60, target_fc=target,
                        no_data=True, quiet=True)
    assert "data" not in ds
    assert dict(ds["fc"].sizes) == {"set": 3, "node": 6, "node_j": 6}
    assert ds["fit/fc_corr"].dims == ("set",)
    assert list(ds["global_speed"].values) == [3, 4, 5]
    # The same through files, with sweep.bin.
    folder = tmp_path / "conn"
    folder.mkdir()
    np.savetxt(folder / "weights.txt", weights, fmt="%.17g")
    np.savetxt(folder / "tract_lengths.txt", lengths, fmt="%.17g")
    np.save(tmp_path / "initial.npy", initial)
    np.save(tmp_path / "target.npy", target)
    (tmp_path / "table.csv").write_text(
        "global_coupling,global_speed\n0.1,3\n0.2,4\n0.3,5\n")
    subprocess.run([sweep_bin, "--connectivity", folder, "--param-table",
                    tmp_path / "table.csv", "--initial",
                    tmp_path / "initial.npy", "--steps", "2000", "--bold",
                    "r", "--bold-tr", "20", "--fcd-window", "60",
                    "--target-fc", tmp_path / "target.npy", "--no-data",
                    "--quiet", "--output", tmp_path / "cli.h5"], check=True)
    # The connectivity attribute names the folder each was read from.
    ds.attrs["connectivity"] = str(folder)
    assert same_file(ds, tmp_path / "cli.h5")


def test_cohort_keywords(montbrio, sweep_bin, tmp_path):
    # connectivity=[...] is a cohort, target_fc=[...] one target per subject.
    rng = np.random.default_rng(3)
    subjects, targets, folders = [], [], []
    for k, length in enumerate((30.0, 70.0)):
        weights = rng.uniform(0, 1, (6, 6))
        np.fill_diagonal(weights, 0)
        subjects.append(rateml.Connectivity(weights, np.full((6, 6), length)))
        targets.append(np.corrcoef(rng.normal(size=(6, 50))))
        folder = tmp_path / f"subject{k}"
        folder.mkdir()
        np.savetxt(folder / "weights.txt", weights, fmt="%.17g")
        np.savetxt(folder / "tract_lengths.txt", subjects[k].tract_lengths,
                   fmt="%.17g")
        np.save(tmp_path / f"target{k}.npy", targets[k])
        folders.append(str(folder))
    ds = montbrio.sweep(connectivity=subjects, target_fc=targets,
                        sweep={"global_coupling": [0.1, 0.3],
                               "global_speed": [3]},
                        steps=2000, bold="r", bold_tr=20, no_data=True,
                        quiet=True)
    assert list(ds["subject"].values) == [0, 0, 1, 1]
    assert len(ds.attrs["connectivity_sha256"]) == 2
    subprocess.run([sweep_bin, "--connectivity", folders[0], "--connectivity",
                    folders[1], "--values", "global_coupling=0.1,0.3",
                    "--values", "global_speed=3", "--steps", "2000", "--bold",
                    "r", "--bold-tr", "20", "--target-fc",
                    tmp_path / "target0.npy", "--target-fc",
                    tmp_path / "target1.npy", "--no-data", "--quiet",
                    "--output", tmp_path / "cohort.h5"], check=True)
    ds.attrs["connectivity"] = folders
    assert same_file(ds, tmp_path / "cohort.h5")


def test_open_results(sweep_bin, tmp_path):
    subprocess.run([sweep_bin, "--connectivity", "builtin:8", "--sweep",
                    "global_coupling=0:1:3", "--values", "global_speed=2",
                    "--steps", "100", "--quiet", "--output",
                    tmp_path / "r.h5"], check=True)
    ds = rateml.open_results(tmp_path / "r.h5")
    assert ds["data"].dims == ("set", "time", "variable", "node")
    assert list(ds["global_coupling"].values) == [0, 0.5, 1]
    assert ds.attrs["model"] == "montbrio"
    # Without rateml: the named dimensions come from the file itself.
    plain = xarray.open_dataset(tmp_path / "r.h5", engine="h5netcdf")
    assert plain["data"].dims == ("set", "time", "variable", "node")


def test_errors_carry_sweep_bins_messages(montbrio, tmp_path):
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        montbrio.sweep(sweep={"nope": [1, 2]}, quiet=True)
    with pytest.raises(ValueError, match="--values global_speed: 'nan' is "
                       "not a finite number"):
        montbrio.sweep(sweep={"global_speed": [3, float("nan")]},
                       quiet=True)
    with pytest.raises(ValueError, match="parameter set 4: global_speed = "
                       "-1 is not a positive conduction speed"):
        montbrio.sweep(sweep={"global_speed": [3, -1]}, quiet=True)
    with pytest.raises(ValueError, match="did you mean '--bold-tr'"):
        montbrio.sweep(bold_trr=20, quiet=True)
    with pytest.raises(ValueError, match="--initial: shape"):
        montbrio.sweep(connectivity="builtin:8", initial=np.zeros((3, 8)),
                       quiet=True)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        montbrio.sweep(connectivity=tmp_path / "nowhere.zip", quiet=True)
    with pytest.raises(FileNotFoundError):
        montbrio.sweep(initial=tmp_path / "nowhere.npy", quiet=True)
    out = tmp_path / "kept.h5"
    with pytest.raises(ValueError):
        montbrio.sweep(dt=0, output=out, quiet=True)
    assert not out.exists()


def test_ctrl_c_stops_the_run(montbrio, tmp_path):
    # Python raises KeyboardInterrupt only when SIGINT is not ignored (lit
    # starts tests with it ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    out = tmp_path / "long.h5"
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        montbrio.sweep(connectivity="builtin:68", steps=2000000, threads=1,
                       no_data=True, bold="r", output=out, quiet=True)
    timer.cancel()
    signal.signal(signal.SIGINT, previous)
    assert not out.exists()
    assert not list(tmp_path.glob("long.h5*"))


def test_float64_equals_the_reference(tmp_path):
    """TVB's semantics from Python: the float64 engine against the float64
    reference interpreter (rateml-reference --optimized), to the bit."""
    model = rateml.compile(MODELS / "montbrio.xml", precision="f64")
    ds = model.sweep(connectivity="builtin:20", sweep={
        "global_coupling": [0.1, 0.4], "global_speed": [2, 5]},
        steps=400, every=20, seed=3, record="states", quiet=True)
    subprocess.run(["rateml-reference", str(MODELS / "montbrio.xml"),
                    "--optimized", "--connectivity", "builtin:20",
                    "--values", "global_coupling=0.1,0.4", "--values",
                    "global_speed=2,5", "--steps", "400", "--every", "20",
                    "--seed", "3", "--record", "states", "--quiet",
                    "--output", tmp_path / "ref.h5"], check=True)
    with h5py.File(tmp_path / "ref.h5", "r") as f:
        assert ds["data"].values.tobytes() == f["data"][...].tobytes()
        assert np.array_equal(ds["diverged_step"].values,
                              f["diverged_step"][...])


def test_regional_keywords(tmp_path):
    """compile(regional=[...]) and sweep(node_values=..., maps=...) with
    arrays: the float64 engine against rateml-reference --optimized given
    the same values as files, to the bit."""
    model = rateml.compile(MODELS / "montbrio.xml", precision="f64",
                           regional=["eta", "tau"])
    assert model.regional == ["tau", "eta"]
    rng = np.random.default_rng(1)
    tau = rng.uniform(0.8, 1.2, size=12)
    z = rng.normal(size=12)
    ds = model.sweep(connectivity="builtin:12", node_values={"tau": tau},
                     maps={"eta": z}, sweep={"eta.scale": [0.0, 0.2]},
                     steps=200, every=20, seed=4, record="states",
                     quiet=True)
    np.save(tmp_path / "tau.npy", tau)
    np.save(tmp_path / "z.npy", z)
    subprocess.run(["rateml-reference", str(MODELS / "montbrio.xml"),
                    "--optimized", "--connectivity", "builtin:12",
                    "--node-values", f"tau={tmp_path / 'tau.npy'}",
                    "--map", f"eta={tmp_path / 'z.npy'}",
                    "--values", "eta.scale=0,0.2", "--steps", "200",
                    "--every", "20", "--seed", "4", "--record", "states",
                    "--quiet", "--output", tmp_path / "ref.h5"], check=True)
    with h5py.File(tmp_path / "ref.h5", "r") as f:
        assert ds["data"].values.tobytes() == f["data"][...].tobytes()
    with pytest.raises(ValueError, match="--map J: sweep.bin was "
                       "built without regional 'J'"):
        model.sweep(connectivity="builtin:12", maps={"J": z}, steps=10,
                    quiet=True)


@pytest.mark.skipif(not os.environ.get("RATEML_FAKE_CUDA"),
                    reason="needs the stand-in CUDA driver (lit sets it)")
def test_gpu_backend():
    """backend='gpu' runs the GPU path (here the stand-in driver of
    test/fake-libcuda) and agrees with the CPU."""
    model = rateml.compile(MODELS / "montbrio.xml", precision="f64")
    options = dict(connectivity="builtin:12", sweep={
        "global_coupling": [0.1, 0.4, 0.7], "global_speed": [2, 5]},
        steps=300, every=10, seed=5, quiet=True)
    gpu = model.sweep(backend="gpu", **options)
    cpu = model.sweep(backend="cpu", **options)
    assert gpu.attrs["backend"].startswith("gpu")
    assert np.allclose(gpu["data"].values, cpu["data"].values, rtol=1e-12,
                       atol=0)
