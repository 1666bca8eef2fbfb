//! `linalg`: dense linear algebra on faer: solve (LU, Cholesky, least squares), eig,
//! eigh, svd, qr, cholesky, lu, det, inv, pinv, rank, cond, norm, expm and matmul.
//! One tool; the `op` field picks the operation. Results that depend on a badly
//! conditioned matrix carry a `warnings` list with the condition estimate. Everything
//! here is plain Rust that also runs natively; only `export_tool!` is WebAssembly-specific.

mod conditioning;
mod decompose;
mod eigen;
mod expm;
mod inverse;
mod matmul;
mod matrix;
mod measures;
mod parse;
mod report;
mod schema;
mod solve;

use std::borrow::Cow;
use std::time::Instant;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use toolhost_sdk::{LogLevel, Output, Tool, ToolError, ToolInfo, json};

pub use decompose::{MatrixInput, QrInput, SvdInput};
pub use eigen::EigInput;
pub use inverse::PinvInput;
pub use matmul::MatmulInput;
pub use measures::{CondInput, NormInput, RankInput};
pub use solve::SolveInput;

/// The operation and its arguments; see [`schema`] for what each one does. Read from
/// JSON by [`parse`], in one pass: the `op` field picks the variant wherever it appears.
#[derive(Debug)]
pub enum Input {
    Solve(SolveInput),
    Eig(EigInput),
    Eigh(EigInput),
    Svd(SvdInput),
    Qr(QrInput),
    Cholesky(MatrixInput),
    Lu(MatrixInput),
    Det(MatrixInput),
    Inv(MatrixInput),
    Pinv(PinvInput),
    Rank(RankInput),
    Cond(CondInput),
    Norm(NormInput),
    Expm(MatrixInput),
    Matmul(MatmulInput),
}

impl JsonSchema for Input {
    fn schema_name() -> Cow<'static, str> {
        "LinalgInput".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        schema::input_schema(generator)
    }
}

pub struct Linalg;

impl Tool for Linalg {
    type Input = Input;

    fn info() -> ToolInfo {
        ToolInfo::new(
            "linalg",
            env!("CARGO_PKG_VERSION"),
            "Dense linear algebra in double precision (faer). Matrices are lists of rows, \
             e.g. [[1, 2], [3, 4]]; up to 1,000×1,000 and beyond. Set `op`:\n\
             - solve: a, b (vector or matrix); assume \"pos\" for symmetric positive definite \
             (Cholesky); non-square a gives least squares (QR), singular a the minimum-norm \
             solution.\n\
             - eig (general; complex results as [re, im] pairs), eigh (symmetric), svd, qr, \
             cholesky, lu: decompositions.\n\
             - det, inv, pinv, rank, cond (p: 2, \"fro\", 1, \"inf\"), norm (ord: \"fro\", \
             \"nuc\", 1, 2, \"inf\"; vectors too), expm, matmul (a, b).\n\
             A singular or ill-conditioned matrix is reported in `warnings` with its \
             condition estimate; inv refuses a singular matrix.",
        )
        .example(
            "Solve a 3×3 system",
            json!({
                "op": "solve",
                "a": [[3, 2, -1], [2, -2, 4], [-1, 0.5, -1]],
                "b": [1, -2, 0]
            }),
        )
        .example(
            "Least-squares line through four points (columns: intercept, slope)",
            json!({
                "op": "solve",
                "a": [[1, 0], [1, 1], [1, 2], [1, 3]],
                "b": [1.1, 2.9, 5.2, 6.8]
            }),
        )
        .example(
            "Eigenvalues of a rotation: a complex pair",
            json!({ "op": "eig", "a": [[0, -1], [1, 0]] }),
        )
        .example(
            "Eigen-decomposition of a symmetric matrix",
            json!({ "op": "eigh", "a": [[2, -1, 0], [-1, 2, -1], [0, -1, 2]] }),
        )
        .example(
            "Singular values only",
            json!({ "op": "svd", "a": [[3, 2, 2], [2, 3, -2]], "vectors": false }),
        )
        .example("Determinant", json!({ "op": "det", "a": [[1, 2], [3, 4]] }))
        .example(
            "Condition number of the 5×5 Hilbert matrix",
            json!({
                "op": "cond",
                "a": [
                    [1, 0.5, 0.3333333333333333, 0.25, 0.2],
                    [0.5, 0.3333333333333333, 0.25, 0.2, 0.16666666666666666],
                    [0.3333333333333333, 0.25, 0.2, 0.16666666666666666, 0.14285714285714285],
                    [0.25, 0.2, 0.16666666666666666, 0.14285714285714285, 0.125],
                    [0.2, 0.16666666666666666, 0.14285714285714285, 0.125, 0.1111111111111111]
                ]
            }),
        )
        .example(
            "Matrix exponential",
            json!({ "op": "expm", "a": [[0, 1], [-1, 0]] }),
        )
        .example(
            "Matrix times vector",
            json!({ "op": "matmul", "a": [[1, 2], [3, 4], [5, 6]], "b": [1, -1] }),
        )
    }

    fn call(input: Input) -> Result<Output, ToolError> {
        let start = Instant::now();
        let report = match &input {
            Input::Solve(i) => solve::run(i)?,
            Input::Eig(i) => eigen::run_eig(i)?,
            Input::Eigh(i) => eigen::run_eigh(i)?,
            Input::Svd(i) => decompose::run_svd(i)?,
            Input::Qr(i) => decompose::run_qr(i)?,
            Input::Cholesky(i) => decompose::run_cholesky(i)?,
            Input::Lu(i) => decompose::run_lu(i)?,
            Input::Det(i) => measures::run_det(i)?,
            Input::Inv(i) => inverse::run_inv(i)?,
            Input::Pinv(i) => inverse::run_pinv(i)?,
            Input::Rank(i) => measures::run_rank(i)?,
            Input::Cond(i) => measures::run_cond(i)?,
            Input::Norm(i) => measures::run_norm(i)?,
            Input::Expm(i) => expm::run(i)?,
            Input::Matmul(i) => matmul::run(i)?,
        };
        let computed = start.elapsed();
        let output = Output::text(report.text).and_json(&report.json);
        // Where the time went, for anyone tuning a large call (the input's parse comes
        // before and the output's serialisation after; `toolhost run -v` shows this).
        toolhost_sdk::log(
            LogLevel::Debug,
            &format!(
                "checks and computation {:.1} ms, output built {:.1} ms",
                computed.as_secs_f64() * 1e3,
                (start.elapsed() - computed).as_secs_f64() * 1e3
            ),
        );
        Ok(output)
    }
}

toolhost_sdk::export_tool!(Linalg);
