//! What can go wrong, and how each failure is reported to the caller: always
//! with the input field at fault (a JSON pointer) and, for faults in the
//! data, the line and column.

use toolhost_sdk::{ToolError, json};

use crate::column::Place;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A field of the call is wrong or missing.
    #[error("{message}")]
    Option { pointer: String, message: String },

    /// The file could not be read.
    #[error("cannot read '{path}': {reason}")]
    Read { path: String, reason: String },

    /// The data is malformed at a line or record.
    #[error("{at}{}: {message}", column.as_ref().map(|c| format!(", column '{c}'")).unwrap_or_default())]
    Malformed {
        at: Place,
        column: Option<String>,
        message: String,
    },

    /// A column name that the table does not have.
    #[error("unknown column '{name}'{hint}")]
    UnknownColumn {
        pointer: String,
        name: String,
        /// " (did you mean 'x'?)" and the list of columns.
        hint: String,
    },

    /// An operation needs numbers but the column holds text.
    #[error("{message}")]
    NotNumeric {
        pointer: String,
        column: String,
        message: String,
    },

    /// A filter expression that does not parse or compile.
    #[error("{pointer}: {message}")]
    Expression {
        pointer: String,
        message: String,
        line: Option<usize>,
        column: Option<usize>,
        snippet: String,
    },
}

impl DataError {
    pub fn option(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        DataError::Option {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl From<DataError> for ToolError {
    fn from(e: DataError) -> ToolError {
        let message = e.to_string();
        let details = match e {
            DataError::Option { pointer, .. } | DataError::UnknownColumn { pointer, .. } => {
                json!({ "pointer": pointer })
            }
            DataError::Read { .. } => json!({ "pointer": "/path" }),
            DataError::Malformed { at, column, .. } => match at {
                Place::Line(n) => json!({ "pointer": "/", "line": n, "column": column }),
                Place::Record(n) => json!({ "pointer": "/", "record": n, "column": column }),
            },
            DataError::NotNumeric {
                pointer, column, ..
            } => json!({ "pointer": pointer, "column": column }),
            DataError::Expression {
                pointer,
                line,
                column,
                snippet,
                ..
            } => json!({ "pointer": pointer, "line": line, "column": column, "snippet": snippet }),
        };
        ToolError::invalid_input(message).with_details(details)
    }
}
