//! Images from TOOL results: shown inline as sixel on a terminal, otherwise saved to files.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::output::{Content, ToolOutput};

#[derive(Debug, Clone, Default)]
pub enum ImageMode {
    /// Sixel on stdout when it is a terminal and the tool sent sixel; otherwise save.
    #[default]
    Auto,
    /// Always save to files in this directory (default: the system temp dir).
    Save(Option<PathBuf>),
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Show or save the images of `output`; returns notes for the output and the saved paths.
pub fn handle(mode: &ImageMode, tool: &str, output: &ToolOutput) -> (Vec<String>, Vec<String>) {
    let mut notes = Vec::new();
    let mut saved = Vec::new();
    let terminal = matches!(mode, ImageMode::Auto) && std::io::stdout().is_terminal();
    let sixel = output.content.iter().find_map(|c| match c {
        Content::Sixel { sixel } => Some(sixel),
        _ => None,
    });
    if let (true, Some(sixel)) = (terminal, sixel) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(sixel.as_bytes());
        let _ = out.flush();
        return (notes, saved);
    }
    let dir = match mode {
        ImageMode::Save(Some(dir)) => dir.clone(),
        _ => std::env::temp_dir().join("toolhost-images"),
    };
    let has_image = output
        .content
        .iter()
        .any(|c| matches!(c, Content::Image { .. }));
    for c in &output.content {
        let (mime_type, data, ext) = match c {
            Content::Image { mime_type, data } => {
                let ext = mime_type
                    .rsplit('/')
                    .next()
                    .unwrap_or("bin")
                    .split('+')
                    .next()
                    .unwrap_or("bin");
                (mime_type.as_str(), data.as_slice(), ext)
            }
            // Sixel alone is still a picture: keep it (`cat` shows it on a sixel terminal).
            Content::Sixel { sixel } if !has_image => ("sixel", sixel.as_bytes(), "six"),
            _ => continue,
        };
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{tool}-{}-{n}.{ext}", std::process::id()));
        match std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, data)) {
            Ok(()) => {
                notes.push(format!(
                    "[{tool}: {mime_type} image saved to {}]",
                    path.display()
                ));
                saved.push(path.display().to_string());
            }
            Err(e) => notes.push(format!("[{tool}: could not save a {mime_type} image: {e}]")),
        }
    }
    (notes, saved)
}
