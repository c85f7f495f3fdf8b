#!/usr/bin/python3
"""Float64 reference for /bold, /fc, /fcd_var and /fit of a sweep.bin run.

    bold-reference.py RUN.h5 DRIVER.h5 [--bold-set NAME=VALUE ...]
                      [--target-fc F] [--target-fcd F] [--rtol R]

DRIVER.h5 holds window means (--tavg) of the recorded variables over
windows of exactly the BOLD integration step, e.g. from rateml-reference.
This script integrates the Balloon-Windkessel equations of TVB's
BalloonModel analyser with explicit Euler in NumPy, with TVB's default
constants transcribed here (changed only by --bold-set, as the run was),
written from TVB's equations and not from the runtime's code. It checks
that RUN.h5 records those constants as attributes of /bold, computes FC, FCD
variance and the fits the same way the documentation defines them, and
compares with RUN.h5. Exits 1 on mismatch.
"""
import argparse
import sys

import h5py
import numpy as np


# TVB's BalloonModel defaults (tvb_library/tvb/analyzers/fmri_balloon.py):
# tau_s, tau_f, tau_o in s (its docstring: kappa = 1/tau_s, gamma = 1/tau_f),
# the revised coefficients' constants of Stephan et al. (2007) at 1.5 T.
TVB_BALLOON = {"tau_s": 1.54, "tau_f": 1.44, "tau_o": 0.98, "alpha": 0.32,
               "E0": 0.4, "V0": 4.0, "TE": 0.04, "epsilon": 0.5,
               "nu_0": 40.3, "r_0": 25.0}


def constants(overrides):
    """TVB's defaults with NAME=VALUE overrides."""
    c = dict(TVB_BALLOON)
    for item in overrides:
        name, value = item.split("=", 1)
        assert name in c, f"unknown constant {name}"
        c[name] = float(value)
    return c


def balloon_windkessel(x, h, c):
    """BOLD of x [time][set][node] sampled after every step (seconds h)."""
    s = np.zeros(x.shape[1:])
    f = np.ones_like(s)
    v = np.ones_like(s)
    q = np.ones_like(s)
    k1 = 4.3 * c["nu_0"] * c["E0"] * c["TE"]
    k2 = c["epsilon"] * c["r_0"] * c["E0"] * c["TE"]
    k3 = 1.0 - c["epsilon"]
    out = []
    for xt in x:
        vout = v ** (1.0 / c["alpha"])
        ds = xt - s / c["tau_s"] - (f - 1.0) / c["tau_f"]
        df = s
        dv = (f - vout) / c["tau_o"]
        dq = (f * (1.0 - (1.0 - c["E0"]) ** (1.0 / f)) / c["E0"]
              - vout * q / v) / c["tau_o"]
        s, f, v, q = s + h * ds, f + h * df, v + h * dv, q + h * dq
        out.append(c["V0"] * (k1 * (1 - q) + k2 * (1 - q / v) + k3 * (1 - v)))
    return np.array(out)


def upper(m):
    return m[np.triu_indices(m.shape[0], 1)]


def fcd_values(bold, window, step):
    starts = range(0, bold.shape[0] - window + 1, step)
    fcs = np.array([upper(np.corrcoef(bold[a:a + window].T)) for a in starts])
    return upper(np.corrcoef(fcs))


def ks(a, b):
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    fb = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return np.max(np.abs(fa - fb))


def load_target(path):
    return np.load(path) if path.endswith(".npy") else np.loadtxt(path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run")
    p.add_argument("driver")
    p.add_argument("--target-fc")
    p.add_argument("--target-fcd")
    p.add_argument("--bold-set", action="append", default=[])
    p.add_argument("--rtol", type=float, default=1e-9)
    p.add_argument("--peak", action="store_true",
                   help="print when set 0's node 0 BOLD peaks, in RUN.h5 "
                        "and in this reference")
    args = p.parse_args()
    run, drv = h5py.File(args.run, "r"), h5py.File(args.driver, "r")
    battrs = run["bold"].attrs
    c = constants(args.bold_set)
    recorded = {k: float(battrs[k]) for k in c}
    if recorded != c:
        print("MISMATCH: /bold records constants", recorded, "expected", c)
        return 1
    bold_dt, tr = float(battrs["bold_dt_ms"]), float(battrs["tr_ms"])
    names = [n.decode() if isinstance(n, bytes) else n
             for n in drv.attrs["var_names"]]
    driver = battrs["driver"]
    driver = driver.decode() if isinstance(driver, bytes) else driver
    window_ms = float(drv.attrs["every"]) * float(drv.attrs["dt"])
    assert abs(window_ms - bold_dt) < 1e-12, "driver windows != BOLD step"
    x = np.asarray(drv["data"][:, :, names.index(driver), :], dtype=np.float64)
    bold_all = balloon_windkessel(np.swapaxes(x, 0, 1), bold_dt / 1000.0, c)
    per = int(round(tr / bold_dt))
    got = run["bold"][...]
    want = np.swapaxes(bold_all[per - 1::per][:got.shape[1]], 0, 1)
    failures = []

    def compare(name, a, b, rtol):
        scale = max(np.max(np.abs(b)), 1e-300)
        err = np.max(np.abs(a - b)) / scale
        print(f"{name}: max |difference| / max |reference| = {err:.3g}")
        if not err <= rtol:
            failures.append(name)

    compare("/bold", got, want, args.rtol)
    if args.peak:
        times = np.asarray(run["bold_time"][...]) / 1000.0
        print(f"BOLD peak: {times[np.argmax(got[0, :, 0])]:.2f} s, "
              f"reference {times[np.argmax(want[0, :, 0])]:.2f} s")
    first = int(round(float(run["fc"].attrs["transient_ms"]) / tr))
    fc = np.array([np.corrcoef(b[first:].T) for b in want])
    compare("/fc", run["fc"][...], fc, 1e-7)
    fcd = None
    if "fcd_var" in run:
        a = run["fcd_var"].attrs
        window = int(round(float(a["window_ms"]) / tr))
        step = int(round(float(a["step_ms"]) / tr))
        fcd = [fcd_values(b[first:], window, step) for b in want]
        compare("/fcd_var", run["fcd_var"][...],
                np.array([np.var(v) for v in fcd]), 1e-6)
    if args.target_fc:
        t = upper(load_target(args.target_fc))
        compare("/fit/fc_corr", run["fit/fc_corr"][...],
                np.array([np.corrcoef(upper(m), t)[0, 1] for m in fc]), 1e-7)
    if args.target_fcd:
        t = load_target(args.target_fcd)
        t = upper(t) if t.ndim == 2 else t
        compare("/fit/fcd_ks", run["fit/fcd_ks"][...],
                np.array([ks(v, t) for v in fcd]), 1e-12)
    if failures:
        print("MISMATCH:", ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
