//! The published input schema: one object schema per operation, chosen by `op` with
//! `if`/`then` (as the stats tool does). A `oneOf` over the operations fails as a whole,
//! so a validator could only say that no branch matched; with `if`/`then` only the named
//! operation's schema applies, the validator names the field at fault, and an unknown
//! `op` is reported against the list of operations.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use toolhost_sdk::{Value, json};

use crate::decompose::{MatrixInput, QrInput, SvdInput};
use crate::eigen::EigInput;
use crate::inverse::PinvInput;
use crate::matmul::MatmulInput;
use crate::measures::{CondInput, NormInput, RankInput};
use crate::solve::SolveInput;

struct Operation {
    name: &'static str,
    description: &'static str,
    schema: fn(&mut SchemaGenerator) -> Schema,
}

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

pub fn operation_names() -> Vec<&'static str> {
    OPERATIONS.iter().map(|o| o.name).collect()
}

pub fn input_schema(generator: &mut SchemaGenerator) -> Schema {
    let listing: Vec<String> = OPERATIONS
        .iter()
        .map(|o| format!("{}: {}", o.name, o.description))
        .collect();
    let branches: Vec<Value> = OPERATIONS
        .iter()
        .map(|o| {
            let mut then = (o.schema)(generator);
            let object = then.ensure_object();
            object.insert("description".into(), json!(o.description));
            object
                .entry("properties")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("an object schema's properties are an object")
                .insert("op".into(), json!({ "const": o.name }));
            object
                .entry("required")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("required is a list")
                .insert(0, json!("op"));
            json!({
                "if": { "properties": { "op": { "const": o.name } }, "required": ["op"] },
                "then": then,
            })
        })
        .collect();
    json_schema!({
        "type": "object",
        "description": "A linear algebra operation, chosen by `op`; the other fields are that operation's. Matrices are lists of rows.",
        "properties": {
            "op": {
                "enum": operation_names(),
                "description": listing.join("\n"),
            }
        },
        "required": ["op"],
        "allOf": branches,
    })
}
