//! `expm`: the matrix exponential by scaling and squaring with Padé approximants
//! (Higham, "The scaling and squaring method for the matrix exponential revisited",
//! SIAM J. Matrix Anal. Appl. 26 (2005), Algorithm 2.3). faer has no expm; this is
//! the algorithm MATLAB and scipy (before 0.13) use, on faer's products and LU.

use faer::Mat;
use faer::prelude::*;
use toolhost_sdk::{ToolError, json};

use crate::conditioning::norm1;
use crate::decompose::MatrixInput;
use crate::matrix::{matrix, rows_json, square};
use crate::report::{Report, show_matrix};

/// θ_m: the largest ‖A‖₁ for which the degree-m Padé approximant is accurate to unit
/// roundoff (Higham 2005, Table 2.3).
const THETA: [(usize, f64); 5] = [
    (3, 1.495585217958292e-2),
    (5, 2.53939833006323e-1),
    (7, 9.504178996162932e-1),
    (9, 2.097847961257068e0),
    (13, 5.371920351148152e0),
];

/// Padé coefficients b_0..b_m for each degree.
fn coefficients(m: usize) -> &'static [f64] {
    match m {
        3 => &[120.0, 60.0, 12.0, 1.0],
        5 => &[30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0],
        7 => &[
            17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0,
        ],
        9 => &[
            17643225600.0,
            8821612800.0,
            2075673600.0,
            302702400.0,
            30270240.0,
            2162160.0,
            110880.0,
            3960.0,
            90.0,
            1.0,
        ],
        _ => &[
            64764752532480000.0,
            32382376266240000.0,
            7771770303897600.0,
            1187353796428800.0,
            129060195264000.0,
            10559470521600.0,
            670442572800.0,
            33522128640.0,
            1323241920.0,
            40840800.0,
            960960.0,
            16380.0,
            182.0,
            1.0,
        ],
    }
}

/// Σ cᵢ Mᵢ + c_I · I.
fn combination(n: usize, terms: &[(f64, &Mat<f64>)], identity: f64) -> Mat<f64> {
    Mat::from_fn(n, n, |i, j| {
        let diagonal = if i == j { identity } else { 0.0 };
        terms.iter().map(|(c, m)| c * m[(i, j)]).sum::<f64>() + diagonal
    })
}

pub fn expm(a: &Mat<f64>) -> Mat<f64> {
    let n = a.nrows();
    let norm = norm1(a);
    let (m, s) = THETA
        .iter()
        .find(|(_, theta)| norm <= *theta)
        .map(|(m, _)| (*m, 0))
        .unwrap_or_else(|| {
            let theta13 = THETA[4].1;
            (13, (norm / theta13).log2().ceil().max(0.0) as i32)
        });
    let scaled = combination(n, &[(0.5f64.powi(s), a)], 0.0);
    let b = coefficients(m);
    let a2 = &scaled * &scaled;
    let (u, v) = if m == 13 {
        let a4 = &a2 * &a2;
        let a6 = &a4 * &a2;
        let inner_u = &a6 * combination(n, &[(b[13], &a6), (b[11], &a4), (b[9], &a2)], 0.0);
        let u_sum = combination(
            n,
            &[(1.0, &inner_u), (b[7], &a6), (b[5], &a4), (b[3], &a2)],
            b[1],
        );
        let inner_v = &a6 * combination(n, &[(b[12], &a6), (b[10], &a4), (b[8], &a2)], 0.0);
        let v = combination(
            n,
            &[(1.0, &inner_v), (b[6], &a6), (b[4], &a4), (b[2], &a2)],
            b[0],
        );
        (&scaled * u_sum, v)
    } else {
        // Even powers A⁰, A², A⁴, …: U = A Σ b_{2k+1} A^{2k}, V = Σ b_{2k} A^{2k}.
        let mut powers = vec![a2.clone()];
        while powers.len() < m / 2 {
            let next = powers.last().expect("at least A²") * &a2;
            powers.push(next);
        }
        let odd: Vec<(f64, &Mat<f64>)> = (0..powers.len())
            .map(|k| (b[2 * k + 3], &powers[k]))
            .collect();
        let even: Vec<(f64, &Mat<f64>)> = (0..powers.len())
            .map(|k| (b[2 * k + 2], &powers[k]))
            .collect();
        (
            &scaled * combination(n, &odd, b[1]),
            combination(n, &even, b[0]),
        )
    };
    // r = (V - U)⁻¹ (V + U), then square s times.
    let p = &v + &u;
    let q = &v - &u;
    let mut r = p;
    q.partial_piv_lu().solve_in_place(r.as_mut());
    for _ in 0..s {
        r = &r * &r;
    }
    r
}

pub fn run(input: &MatrixInput) -> Result<Report, ToolError> {
    let a = matrix("a", &input.a.0)?;
    square("a", &a, "expm")?;
    let e = expm(&a);
    if e.col_iter().any(|c| c.iter().any(|v| !v.is_finite())) {
        return Err(ToolError::invalid_input(
            "exp(a) overflows double precision (its entries exceed 1.8e308)",
        )
        .at("/a"));
    }
    Ok(Report::new(
        show_matrix("expm", &e, false),
        json!({ "expm": rows_json(&e) }),
        &[],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_generator_exponentiates_to_a_rotation() {
        // exp([[0, -t], [t, 0]]) = [[cos t, -sin t], [sin t, cos t]], for small and large t.
        for t in [1e-3, 0.5, 2.0, 30.0] {
            let a = Mat::from_fn(2, 2, |i, j| [[0.0, -t], [t, 0.0]][i][j]);
            let e = expm(&a);
            assert!((e[(0, 0)] - t.cos()).abs() < 1e-13, "t = {t}: {e:?}");
            assert!((e[(1, 0)] - t.sin()).abs() < 1e-13, "t = {t}: {e:?}");
        }
    }

    #[test]
    fn a_nilpotent_matrix_has_a_polynomial_exponential() {
        // exp(N) = I + N + N²/2 for N strictly upper triangular 3×3.
        let a = Mat::from_fn(3, 3, |i, j| {
            [[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]][i][j]
        });
        let e = expm(&a);
        let want = [[1.0, 1.0, 3.5], [0.0, 1.0, 3.0], [0.0, 0.0, 1.0]];
        for i in 0..3 {
            for j in 0..3 {
                assert!((e[(i, j)] - want[i][j]).abs() < 1e-14, "{e:?}");
            }
        }
    }
}
