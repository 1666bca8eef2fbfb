//! `toolhost view`: an agent run's trajectory as one self-contained HTML page (no network,
//! assets inlined) that opens from disk. The page is a template rendered with auto-escaping,
//! so whatever a model or tool wrote stays text.

mod chart;
mod highlight;
mod live;
pub mod model;
mod page;
mod text;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use live::LiveServer;
pub use model::{RunView, build};
pub use page::{render, render_live};
pub use text::Clipped;

use crate::agent::trajectory;

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("cannot read the trajectory {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} holds no agent run: it has no start record at depth 0")]
    NoRun { path: PathBuf },
    #[error("cannot render the page: {0}")]
    Render(#[from] minijinja::Error),
    #[error("cannot write the page {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Read a trajectory and render its page; `mismatches` from a replay of it, if any.
pub fn render_file(path: &Path, mismatches: &[String]) -> Result<String, ViewError> {
    let records = trajectory::read(path).map_err(|source| ViewError::Read {
        path: path.to_owned(),
        source,
    })?;
    let has_run = records
        .iter()
        .any(|r| matches!(r, trajectory::Record::Start { depth: 0, .. }));
    if !has_run {
        return Err(ViewError::NoRun {
            path: path.to_owned(),
        });
    }
    Ok(render(&build(&records, mismatches))?)
}

/// The page's default place: next to the trajectory, `.html` for `.jsonl`.
pub fn default_page_path(trajectory: &Path) -> PathBuf {
    trajectory.with_extension("html")
}

/// Render `trajectory` into `out` (created or replaced).
pub fn write_page(trajectory: &Path, out: &Path, mismatches: &[String]) -> Result<(), ViewError> {
    let html = render_file(trajectory, mismatches)?;
    std::fs::write(out, html).map_err(|source| ViewError::Write {
        path: out.to_owned(),
        source,
    })
}
