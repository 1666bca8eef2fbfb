//! The linalg tool through the real binary (`toolhost run linalg`), against numpy and
//! scipy's answers for a fixed set of matrices (tests/fixtures/numerics/linalg_refs.json,
//! written by make_linalg_refs.py beside it). Solutions are held to numpy's backward
//! error (within 10×), values to tolerances that grow with the condition number: the
//! promise is numpy's accuracy, not numpy's bits.

mod common;

use common::{TestRegistry, shared_cache_dir};
use serde_json::{Value, json};
use std::process::Command;

const EPS: f64 = f64::EPSILON;

type Matrix = Vec<Vec<f64>>;

fn refs() -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/numerics/linalg_refs.json");
    let text = std::fs::read_to_string(&path).expect("read the numpy references");
    let all: Value = serde_json::from_str(&text).unwrap();
    all["cases"].as_array().unwrap().clone()
}

/// Run `toolhost --json run linalg` on `input` (passed as a file: a large matrix does not
/// fit in an argument) and return the JSON item, or the exit code and what it printed.
fn run_with(registry: Option<&TestRegistry>, input: &Value) -> Result<Value, (i32, String)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.json");
    std::fs::write(&file, input.to_string()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_toolhost"));
    if let Some(r) = registry {
        command.arg("--registry").arg(&r.path);
    }
    let o = command
        .args(["--json", "run", "linalg", &format!("@{}", file.display())])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run toolhost");
    if o.status.code() != Some(0) {
        return Err((
            o.status.code().unwrap_or(-1),
            // With --json the error (code, message, details.pointer) is JSON on stdout.
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ));
    }
    let out: Value = serde_json::from_slice(&o.stdout).expect("--json prints JSON");
    Ok(out["content"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|c| c.get("json").cloned())
        .expect("a JSON item"))
}

fn linalg(input: Value) -> Value {
    run_with(None, &input).unwrap_or_else(|(code, err)| panic!("{input:.200}: exit {code}: {err}"))
}

fn matrix(v: &Value) -> Matrix {
    serde_json::from_value(v.clone()).expect("a matrix")
}

fn vector(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).expect("a vector")
}

fn matvec(a: &Matrix, x: &[f64]) -> Vec<f64> {
    a.iter()
        .map(|row| row.iter().zip(x).map(|(p, q)| p * q).sum())
        .collect()
}

fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
    a.iter()
        .map(|row| {
            (0..b[0].len())
                .map(|j| row.iter().enumerate().map(|(k, v)| v * b[k][j]).sum())
                .collect()
        })
        .collect()
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn fro(a: &Matrix) -> f64 {
    a.iter().flatten().map(|x| x * x).sum::<f64>().sqrt()
}

fn difference(a: &Matrix, b: &Matrix) -> f64 {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(p, q)| (p - q) * (p - q))
        .sum::<f64>()
        .sqrt()
}

fn relative_vector_error(got: &[f64], want: &[f64]) -> f64 {
    let diff: Vec<f64> = got.iter().zip(want).map(|(p, q)| p - q).collect();
    norm2(&diff) / norm2(want)
}

/// ||A x - b|| / (||A||_F ||x||).
fn solve_backward(a: &Matrix, x: &[f64], b: &[f64]) -> f64 {
    let r: Vec<f64> = matvec(a, x).iter().zip(b).map(|(p, q)| p - q).collect();
    norm2(&r) / (fro(a) * norm2(x))
}

/// Within 10× numpy's backward error, numpy's counted as at least one rounding error:
/// below eps a smaller figure is luck, not method.
fn assert_backward(what: &str, ours: f64, numpy: &Value) {
    let numpy = numpy.as_f64().expect("numpy's backward error");
    assert!(
        ours <= 10.0 * numpy.max(EPS),
        "{what}: backward error {ours:.3e}, numpy's {numpy:.3e}"
    );
}

fn cond2(case: &Value) -> f64 {
    case["cond"]["2"].as_f64().unwrap()
}

fn nonsingular(case: &Value) -> bool {
    case.get("solve").is_some()
}

#[test]
fn solve_is_as_backward_stable_as_numpy_and_flags_the_hilbert_matrix() {
    for case in refs().iter().filter(|c| nonsingular(c)) {
        let name = case["name"].as_str().unwrap();
        let a = matrix(&case["a"]);
        let b = vector(&case["b"]);
        let out = linalg(json!({ "op": "solve", "a": case["a"], "b": case["b"] }));
        let x = vector(&out["x"]);
        assert_eq!(out["method"], "lu", "{name}");
        assert_backward(name, solve_backward(&a, &x, &b), &case["solve_backward"]);
        let forward = relative_vector_error(&x, &vector(&case["solve"]));
        assert!(
            forward <= 10.0 * cond2(case) * EPS + 1e-15,
            "{name}: forward error {forward:.3e}"
        );
        // The 1-norm condition estimate is within a factor 3 of the true one (numpy's
        // cond(a, 1)); Hilbert 8×8 (3.4e10) gets a warning, the others none.
        let estimate = out["condition_estimate"].as_f64().unwrap();
        let truth = case["cond"]["1"].as_f64().unwrap();
        assert!(
            estimate <= truth * 1.000001 && estimate >= truth / 3.0,
            "{name}: {estimate} vs {truth}"
        );
        let warnings = out["warnings"].as_array().unwrap();
        if name.starts_with("hilbert") {
            assert_eq!(warnings[0]["kind"], "ill_conditioned", "{name}");
        } else {
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
        }
        if let Some(want) = case.get("solve_pos") {
            let out =
                linalg(json!({ "op": "solve", "a": case["a"], "b": case["b"], "assume": "pos" }));
            assert_eq!(out["method"], "cholesky");
            let x = vector(&out["x"]);
            assert_backward(
                name,
                solve_backward(&a, &x, &b),
                &case["solve_pos_backward"],
            );
            assert!(relative_vector_error(&x, &vector(want)) <= 10.0 * cond2(case) * EPS + 1e-15);
        }
    }
}

#[test]
fn non_square_systems_match_numpy_lstsq() {
    for case in refs().iter().filter(|c| c.get("lstsq").is_some()) {
        let name = case["name"].as_str().unwrap();
        let out = linalg(json!({ "op": "solve", "a": case["a"], "b": case["b"] }));
        let x = vector(&out["x"]);
        let error = relative_vector_error(&x, &vector(&case["lstsq"]));
        assert!(error < 1e-13, "{name}: {error:.3e} ({})", out["method"]);
        let residual = out["residual_norm"].as_f64().unwrap();
        let want = case["lstsq_residual_norm"].as_f64().unwrap();
        assert!(
            (residual - want).abs() <= 1e-13 * want.max(1.0),
            "{name}: {residual} vs {want}"
        );
        assert_eq!(out["rank"], case["rank"], "{name}");
    }
}

#[test]
fn a_singular_matrix_is_reported_not_hidden() {
    let case = refs()
        .into_iter()
        .find(|c| c["name"].as_str().unwrap().contains("singular"))
        .unwrap();
    let a = matrix(&case["a"]);
    let out = linalg(json!({ "op": "solve", "a": case["a"], "b": case["b"] }));
    assert_eq!(out["warnings"][0]["kind"], "singular", "{out}");
    assert_eq!(out["rank"], 2);
    // The minimum-norm least-squares solution, whose residual is orthogonal to A's range.
    let x = vector(&out["x"]);
    let r: Vec<f64> = matvec(&a, &x)
        .iter()
        .zip(vector(&case["b"]))
        .map(|(p, q)| p - q)
        .collect();
    let at_r: Vec<f64> = (0..5)
        .map(|j| (0..5).map(|i| a[i][j] * r[i]).sum())
        .collect();
    assert!(norm2(&at_r) < 1e-12 * fro(&a) * norm2(&r), "Aᵀr = {at_r:?}");

    let out = linalg(json!({ "op": "det", "a": case["a"] }));
    assert!(out["det"].as_f64().unwrap().abs() < 1e-12, "{out}");
    assert_eq!(out["warnings"][0]["kind"], "singular");

    let (code, err) = run_with(None, &json!({ "op": "inv", "a": case["a"] })).unwrap_err();
    assert_ne!(code, 0);
    assert!(
        err.contains("invalid_input") && err.contains("pinv"),
        "{err}"
    );
    assert!(err.contains(r#""pointer":"/a""#), "{err}");

    let out = linalg(json!({ "op": "rank", "a": case["a"] }));
    assert_eq!(out["rank"], 2);
    let out = linalg(json!({ "op": "cond", "a": case["a"] }));
    assert_eq!(out["warnings"][0]["kind"], "singular", "{out}");
}

#[test]
fn eig_and_eigh_match_numpy_eigenvalues_with_numpys_backward_error() {
    for case in refs().iter().filter(|c| c.get("eig").is_some()) {
        let name = case["name"].as_str().unwrap();
        let a = matrix(&case["a"]);
        let n = a.len();
        let out = linalg(json!({ "op": "eig", "a": case["a"] }));
        let values: Vec<[f64; 2]> = serde_json::from_value(out["eigenvalues"].clone()).unwrap();
        let vectors: Vec<Vec<[f64; 2]>> =
            serde_json::from_value(out["eigenvectors"].clone()).unwrap();
        // Each numpy eigenvalue has one of ours nearby (and the counts agree).
        let want: Vec<[f64; 2]> = serde_json::from_value(case["eig"].clone()).unwrap();
        assert_eq!(values.len(), want.len());
        let scale = fro(&a);
        for w in &want {
            let nearest = values
                .iter()
                .map(|v| (v[0] - w[0]).hypot(v[1] - w[1]))
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest <= 1e-8 * scale,
                "{name}: {w:?} is {nearest:.3e} from ours"
            );
        }
        // max_k ||A v - λ v|| / (||A|| ||v||) in complex arithmetic.
        let mut worst: f64 = 0.0;
        for (lambda, v) in values.iter().zip(&vectors) {
            let mut r2 = 0.0;
            for i in 0..n {
                let (mut re, mut im) = (0.0, 0.0);
                for j in 0..n {
                    re += a[i][j] * v[j][0];
                    im += a[i][j] * v[j][1];
                }
                re -= lambda[0] * v[i][0] - lambda[1] * v[i][1];
                im -= lambda[0] * v[i][1] + lambda[1] * v[i][0];
                r2 += re * re + im * im;
            }
            let vnorm = v
                .iter()
                .map(|z| z[0] * z[0] + z[1] * z[1])
                .sum::<f64>()
                .sqrt();
            assert!(
                (vnorm - 1.0).abs() < 1e-12,
                "{name}: eigenvectors have unit norm"
            );
            worst = worst.max(r2.sqrt() / (scale * vnorm));
        }
        assert_backward(&format!("eig {name}"), worst, &case["eig_backward"]);

        if let Some(want) = case.get("eigh") {
            let out = linalg(json!({ "op": "eigh", "a": case["a"] }));
            let values = vector(&out["eigenvalues"]);
            for (got, want) in values.iter().zip(vector(want)) {
                assert!(
                    (got - want).abs() <= 1e-13 * scale,
                    "{name}: {got} vs {want}"
                );
            }
            let v = matrix(&out["eigenvectors"]);
            let worst = values
                .iter()
                .zip(&v)
                .map(|(lambda, v)| {
                    let r: Vec<f64> = matvec(&a, v)
                        .iter()
                        .zip(v)
                        .map(|(p, q)| p - lambda * q)
                        .collect();
                    norm2(&r) / (scale * norm2(v))
                })
                .fold(0.0, f64::max);
            assert_backward(&format!("eigh {name}"), worst, &case["eigh_backward"]);
        }
    }
}

#[test]
fn svd_pinv_rank_cond_and_norms_match_numpy() {
    for case in refs() {
        let name = case["name"].as_str().unwrap();
        let a = matrix(&case["a"]);
        let out = linalg(json!({ "op": "svd", "a": case["a"] }));
        let (u, s, vt) = (matrix(&out["u"]), vector(&out["s"]), matrix(&out["vt"]));
        let want = vector(&case["singular_values"]);
        let largest = want[0].max(1.0);
        for (got, want) in s.iter().zip(&want) {
            assert!(
                (got - want).abs() <= 1e-12 * largest,
                "{name}: {got} vs {want}"
            );
        }
        let us: Matrix = u
            .iter()
            .map(|row| row.iter().zip(&s).map(|(p, q)| p * q).collect())
            .collect();
        let back = difference(&matmul(&us, &vt), &a) / fro(&a);
        assert_backward(&format!("svd {name}"), back, &case["svd_backward"]);

        let out = linalg(json!({ "op": "pinv", "a": case["a"] }));
        let want = matrix(&case["pinv"]);
        let error = difference(&matrix(&out["pinv"]), &want) / fro(&want);
        let tolerance = if cond2(&case) > 1e12 {
            1e-6
        } else {
            1e-12 * cond2(&case).max(1.0)
        };
        assert!(error <= tolerance, "pinv {name}: {error:.3e}");

        let out = linalg(json!({ "op": "rank", "a": case["a"] }));
        assert_eq!(out["rank"], case["rank"], "{name}");

        for (ord, key) in [
            (json!("fro"), "fro"),
            (json!("nuc"), "nuc"),
            (json!(1), "1"),
            (json!(2), "2"),
            (json!("inf"), "inf"),
        ] {
            let out = linalg(json!({ "op": "norm", "a": case["a"], "ord": ord }));
            let (got, want) = (
                out["norm"].as_f64().unwrap(),
                case["norm"][key].as_f64().unwrap(),
            );
            assert!(
                (got - want).abs() <= 1e-13 * want,
                "norm {key} {name}: {got} vs {want}"
            );
        }
        for (p, key) in [
            (json!(2), "2"),
            (json!("fro"), "fro"),
            (json!(1), "1"),
            (json!("inf"), "inf"),
        ] {
            let Some(want) = case["cond"].get(key).and_then(Value::as_f64) else {
                continue;
            };
            if want > 1e15 {
                continue;
            }
            let out = linalg(json!({ "op": "cond", "a": case["a"], "p": p }));
            let got = out["cond"].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-13 * want * want.max(10.0),
                "cond {key} {name}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn det_inv_lu_cholesky_and_expm_match_numpy_and_scipy() {
    for case in refs().iter().filter(|c| nonsingular(c)) {
        let name = case["name"].as_str().unwrap();
        let a = matrix(&case["a"]);
        let n = a.len();
        let c = cond2(case);

        let out = linalg(json!({ "op": "det", "a": case["a"] }));
        let (got, want) = (out["det"].as_f64().unwrap(), case["det"].as_f64().unwrap());
        assert!(
            (got - want).abs() <= 1e-13 * c * want.abs(),
            "det {name}: {got} vs {want}"
        );
        let log = out["log_abs_det"].as_f64().unwrap();
        assert!(
            (log - case["log_abs_det"].as_f64().unwrap()).abs() < 1e-12 * c.max(10.0),
            "{name}"
        );

        let out = linalg(json!({ "op": "inv", "a": case["a"] }));
        let inv = matrix(&out["inv"]);
        let mut residual = matmul(&a, &inv);
        for (i, row) in residual.iter_mut().enumerate() {
            row[i] -= 1.0;
        }
        let back = fro(&residual) / (fro(&a) * fro(&inv));
        assert_backward(&format!("inv {name}"), back, &case["inv_backward"]);

        let out = linalg(json!({ "op": "lu", "a": case["a"] }));
        assert_eq!(
            out["perm"], case["lu"]["perm"],
            "lu {name}: the same pivots as LAPACK"
        );
        for key in ["l", "u"] {
            let want = matrix(&case["lu"][key]);
            let error = difference(&matrix(&out[key]), &want) / fro(&want);
            assert!(error < 1e-13 * c.max(10.0), "lu {key} {name}: {error:.3e}");
        }

        if let Some(want) = case.get("cholesky") {
            let out = linalg(json!({ "op": "cholesky", "a": case["a"] }));
            let want = matrix(want);
            let error = difference(&matrix(&out["l"]), &want) / fro(&want);
            assert!(error < 1e-13 * c.max(10.0), "cholesky {name}: {error:.3e}");
        }

        let out = linalg(json!({ "op": "expm", "a": case["a"] }));
        let want = matrix(&case["expm"]);
        let error = difference(&matrix(&out["expm"]), &want) / fro(&want);
        assert!(
            error < 1e-12 * (n as f64),
            "expm {name}: relative error {error:.3e} against scipy"
        );
    }
}

#[test]
fn qr_reconstructs_a_tall_matrix_with_orthonormal_q() {
    let case = refs()
        .into_iter()
        .find(|c| c["name"] == "tall 8x4")
        .unwrap();
    let a = matrix(&case["a"]);
    let out = linalg(json!({ "op": "qr", "a": case["a"] }));
    let (q, r) = (matrix(&out["q"]), matrix(&out["r"]));
    assert_eq!((q.len(), q[0].len(), r.len(), r[0].len()), (8, 4, 4, 4));
    assert!(difference(&matmul(&q, &r), &a) < 1e-14 * fro(&a) * 10.0);
    let qt: Matrix = (0..4).map(|j| (0..8).map(|i| q[i][j]).collect()).collect();
    let identity: Matrix = (0..4)
        .map(|i| (0..4).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    assert!(difference(&matmul(&qt, &q), &identity) < 1e-14 * 10.0);
    for (i, row) in r.iter().enumerate() {
        assert!(row[..i].iter().all(|v| *v == 0.0), "r is upper triangular");
    }
}

#[test]
fn a_ragged_matrix_is_refused_naming_the_row() {
    let (code, err) = run_with(
        None,
        &json!({ "op": "solve", "a": [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4]], "b": [1, 2, 3, 4] }),
    )
    .unwrap_err();
    assert_ne!(code, 0);
    assert!(
        err.contains(r#""pointer":"/a/3""#) && err.contains("row 3 of a has 4 entries, expected 5"),
        "{err}"
    );
}

/// A deterministic, diagonally weighted 1000×1000 matrix (well conditioned).
fn big_system(n: usize) -> (Matrix, Vec<f64>) {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let a: Matrix = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| next() + if i == j { 10.0 } else { 0.0 })
                .collect()
        })
        .collect();
    let ones = vec![1.0; n];
    let b = matvec(&a, &ones);
    (a, b)
}

#[test]
fn a_1000_by_1000_solve_runs_within_the_default_limits() {
    // No limits given: the registry's defaults (10 s, 256 MB, 4 MB of output) apply.
    let registry = TestRegistry::new("tools:\n  - name: linalg\n    component: builtin:linalg\n");
    let (a, b) = big_system(1000);
    let out = run_with(Some(&registry), &json!({ "op": "solve", "a": a, "b": b }))
        .unwrap_or_else(|(code, err)| panic!("exit {code}: {err}"));
    let x = vector(&out["x"]);
    assert!(relative_vector_error(&x, &vec![1.0; 1000]) < 1e-12);
    assert!(solve_backward(&a, &x, &b) < 1e-15);
}

#[test]
fn linalg_is_a_python_function_in_the_repl() {
    let o = Command::new(env!("CARGO_BIN_EXE_toolhost"))
        .args([
            "repl",
            "-e",
            "r = linalg(op=\"det\", a=[[1, 2], [3, 4]])\nprint(abs(r[\"det\"] + 2) < 1e-12, r[\"warnings\"])",
        ])
        .env("TOOLHOST_CACHE_DIR", shared_cache_dir())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run toolhost repl");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "True []");
}
