"""Optuna's GPSampler on the bayesopt benchmark's three problems, for the host's
sandbox bench (`cargo bench -p toolhost --bench tools -- bayesopt`) and the
native one (`cargo bench -p tool-bayesopt --bench regret`), which run this
script in the same session as the tool and print both.

Same objectives, bounds and budgets as the tool's benchmark (Branin with 30
evaluations, Hartmann-6 and Ackley-5 with 60), seeds 1..N, and
`optuna.samplers.GPSampler(seed=s)` with its defaults (10 startup trials, as
the tool's default design). One JSON line per problem and seed: the best
value, the regret (best minus the global minimum) and the wall seconds of
`study.optimize` (the objective is a few floating-point operations, so this
is the sampler's time).

Needs optuna and torch (CPU is enough): a venv under target/, never in CI;
see the top of crates/toolhost/benches/tools/bayesopt.rs.
"""

import json
import math
import os
import sys
import time

# One thread, as the tool's sandbox uses; torch reads this at import.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import optuna  # noqa: E402

BRANIN_MIN = 0.397887357729738
HARTMANN6_MIN = -3.322368011415515

H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
H6_A = np.array(
    [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ]
)
H6_P = np.array(
    [
        [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
        [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
        [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ]
)


def branin(v):
    x, y = v
    return (
        (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x)
        + 10
    )


def hartmann6(v):
    x = np.asarray(v)
    inner = (H6_A * (x - H6_P) ** 2).sum(axis=1)
    return float(-(H6_ALPHA * np.exp(-inner)).sum())


def ackley(v):
    x = np.asarray(v)
    d = len(x)
    return float(
        -20 * math.exp(-0.2 * math.sqrt((x**2).sum() / d))
        - math.exp(np.cos(2 * math.pi * x).sum() / d)
        + 20
        + math.e
    )


# name, objective, bounds per dimension, evaluations, global minimum
PROBLEMS = [
    ("Branin", branin, [(-5.0, 10.0), (0.0, 15.0)], 30, BRANIN_MIN),
    ("Hartmann-6", hartmann6, [(0.0, 1.0)] * 6, 60, HARTMANN6_MIN),
    ("Ackley-5", ackley, [(-32.768, 32.768)] * 5, 60, 0.0),
]


def run(objective, bounds, n_calls, seed):
    def trial_value(trial):
        v = [trial.suggest_float(f"x{i + 1}", lo, hi) for i, (lo, hi) in enumerate(bounds)]
        return objective(v)

    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.GPSampler(seed=seed)
    )
    start = time.perf_counter()
    study.optimize(trial_value, n_trials=n_calls)
    return study.best_value, time.perf_counter() - start


def main():
    # "N" for seeds 1..N, or "A-B" for seeds A..B.
    spec = sys.argv[1] if len(sys.argv) > 1 else "10"
    first, _, last = spec.rpartition("-") if "-" in spec else ("1", "", spec)
    seeds = range(int(first), int(last) + 1)
    only = set(sys.argv[2:])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for name, objective, bounds, n_calls, minimum in PROBLEMS:
        if only and name not in only:
            continue
        for seed in seeds:
            best, seconds = run(objective, bounds, n_calls, seed)
            print(
                json.dumps(
                    {
                        "problem": name,
                        "seed": seed,
                        "n_calls": n_calls,
                        "best": best,
                        "regret": best - minimum,
                        "seconds": seconds,
                        "optuna": optuna.__version__,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
