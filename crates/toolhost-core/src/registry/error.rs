use std::fmt;
use std::path::PathBuf;

use super::Position;

/// One thing wrong with a registry, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryProblem {
    /// `None` for the built-in registry.
    pub file: Option<PathBuf>,
    pub position: Option<Position>,
    pub message: String,
}

impl fmt::Display for RegistryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}", file.display())?,
            None => f.write_str("<built-in registry>")?,
        }
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A registry that could not be loaded: every problem found, each with file:line:column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RegistryError {
    pub problems: Vec<RegistryProblem>,
}

impl RegistryError {
    pub fn single(file: Option<PathBuf>, position: Option<Position>, message: String) -> Self {
        RegistryError {
            problems: vec![RegistryProblem {
                file,
                position,
                message,
            }],
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
