"""emcee on the mcmc benchmark's three targets, for the host's sandbox bench
(`cargo bench -p toolhost --bench tools -- mcmc`), which runs this script in
the same session as the tool and prints both.

Same budget as the tool's ensemble: 32 walkers x (625 burn-in + 2500 kept)
sweeps = 100,000 draws. ESS is ArviZ's rank-normalised bulk ESS (Vehtari et
al. 2021) with walkers as chains (what `arviz.from_emcee` does), the
estimator the tool reports; emcee's own autocorrelation-time estimate is
printed beside it. Seconds are `run_mcmc` alone (emcee's sampling, not the
ESS). One JSON line per target, variant and seed.

Needs emcee, numpy and arviz: a venv under target/, never in CI.
"""

import json
import sys
import time

import arviz
import emcee
import numpy as np

WALKERS, BURN, KEPT = 32, 625, 2500


def gauss10(x):
    return -0.5 * np.dot(x, x)


def ar1_precision(d, rho):
    idx = np.arange(d)
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    return np.linalg.inv(cov)


PREC5 = ar1_precision(5, 0.9)


def corr5(x):
    return -0.5 * x @ PREC5 @ x


def banana(x):
    return -((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2) / 20


def gauss10_v(x):
    return -0.5 * np.einsum("ij,ij->i", x, x)


def corr5_v(x):
    return -0.5 * np.einsum("ij,jk,ik->i", x, PREC5, x)


def banana_v(x):
    return -((1 - x[:, 0]) ** 2 + 100 * (x[:, 1] - x[:, 0] ** 2) ** 2) / 20


TARGETS = {
    "gauss10": (10, gauss10, gauss10_v),
    "corr5": (5, corr5, corr5_v),
    "banana": (2, banana, banana_v),
}


def run(name, seed, vectorize):
    dim, f, fv = TARGETS[name]
    rng = np.random.default_rng(seed)
    # The tool's starting points: uniform in (-2, 2).
    p0 = rng.uniform(-2, 2, size=(WALKERS, dim))
    # emcee draws from numpy's global state.
    np.random.seed(seed)
    sampler = emcee.EnsembleSampler(
        WALKERS, dim, fv if vectorize else f, vectorize=vectorize
    )
    start = time.perf_counter()
    sampler.run_mcmc(p0, BURN + KEPT)
    seconds = time.perf_counter() - start
    kept = sampler.get_chain(discard=BURN)  # (steps, walkers, dim)
    posterior = {"x": np.transpose(kept, (1, 0, 2))}  # walkers as chains
    ess = arviz.ess(arviz.convert_to_dataset(posterior), method="bulk")["x"].values
    tau = emcee.autocorr.integrated_time(kept, quiet=True)
    return {
        "target": name,
        "vectorize": vectorize,
        "seed": seed,
        "seconds": seconds,
        "min_ess_bulk": float(np.min(ess)),
        "min_ess_emcee": float(np.min(KEPT * WALKERS / tau)),
        "acceptance": float(np.mean(sampler.acceptance_fraction)),
    }


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name in TARGETS:
        for vectorize in (False, True):
            for seed in range(1, seeds + 1):
                print(json.dumps(run(name, seed, vectorize)), flush=True)


if __name__ == "__main__":
    main()
