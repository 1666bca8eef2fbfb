//! The published input schema: one object schema per linear algebra operation, chosen by
//! `op` with `if`/`then` so a validator names the field at fault
//! ([`toolhost_sdk::operations`]).

use schemars::{JsonSchema, Schema, SchemaGenerator};
use toolhost_sdk::operations::{self, Operation};

use crate::decompose::{MatrixInput, QrInput, SvdInput};
use crate::eigen::EigInput;
use crate::inverse::PinvInput;
use crate::matmul::MatmulInput;
use crate::measures::{CondInput, NormInput, RankInput};
use crate::solve::SolveInput;

const OPERATIONS: [Operation; 15] = [
    Operation {
        name: "solve",
        description: "Solve A x = b: LU for square A, Cholesky with assume \"pos\", least \
                      squares (QR) when A has more rows than columns, minimum norm (SVD) \
                      when fewer or when A is singular. Returns x and a condition estimate.",
        schema: SolveInput::json_schema,
    },
    Operation {
        name: "eig",
        description: "Eigenvalues and eigenvectors of a general square matrix, as [re, im] \
                      pairs, largest modulus first; eigenvectors[k] (unit norm) belongs to \
                      eigenvalues[k].",
        schema: EigInput::json_schema,
    },
    Operation {
        name: "eigh",
        description: "Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric \
                      matrix; eigenvectors[k] belongs to eigenvalues[k].",
        schema: EigInput::json_schema,
    },
    Operation {
        name: "svd",
        description: "Singular value decomposition A = U diag(s) Vᵀ: u, s (descending), vt.",
        schema: SvdInput::json_schema,
    },
    Operation {
        name: "qr",
        description: "QR decomposition A = Q R (Householder): q with orthonormal columns, r \
                      upper triangular.",
        schema: QrInput::json_schema,
    },
    Operation {
        name: "cholesky",
        description: "Cholesky factor L (lower triangular) of a symmetric positive definite \
                      matrix: A = L Lᵀ.",
        schema: MatrixInput::json_schema,
    },
    Operation {
        name: "lu",
        description: "LU decomposition with partial pivoting: row i of L U is row perm[i] of A.",
        schema: MatrixInput::json_schema,
    },
    Operation {
        name: "det",
        description: "Determinant, with sign and ln|det| (which stay finite when det \
                      overflows), and a condition estimate.",
        schema: MatrixInput::json_schema,
    },
    Operation {
        name: "inv",
        description: "Inverse of a square non-singular matrix (a singular one is refused; \
                      use pinv).",
        schema: MatrixInput::json_schema,
    },
    Operation {
        name: "pinv",
        description: "Moore–Penrose pseudo-inverse of any matrix, from the SVD.",
        schema: PinvInput::json_schema,
    },
    Operation {
        name: "rank",
        description: "Numerical rank: the number of singular values above tol.",
        schema: RankInput::json_schema,
    },
    Operation {
        name: "cond",
        description: "Condition number in the 2-norm (default), Frobenius, 1 or ∞ norm.",
        schema: CondInput::json_schema,
    },
    Operation {
        name: "norm",
        description: "Norm of a matrix (Frobenius by default, nuclear, 1, 2, ∞) or of a \
                      vector (2 by default, 1, ∞).",
        schema: NormInput::json_schema,
    },
    Operation {
        name: "expm",
        description: "Matrix exponential exp(A) (scaling and squaring, Padé degree 13).",
        schema: MatrixInput::json_schema,
    },
    Operation {
        name: "matmul",
        description: "Matrix product A B, of a matrix with a matrix or a vector.",
        schema: MatmulInput::json_schema,
    },
];

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    operations::input_schema(
        generator,
        &OPERATIONS,
        "A linear algebra operation, chosen by `op`; the other fields are that operation's. Matrices are lists of rows.",
    )
}
