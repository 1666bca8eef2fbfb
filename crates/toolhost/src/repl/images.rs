//! Images from tool calls made by REPL code: drawn inline on a terminal that shows sixel,
//! otherwise saved. Saved files go to a directory private to this process (mode 0700,
//! an unpredictable name) under names the host makes up: never a tool-supplied string.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::ImageItem;

/// Where an image went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedImage {
    Shown,
    Saved(PathBuf),
    Failed(String),
}

/// How images are handled in this front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSink {
    /// Sixel on stdout when it is a terminal that can show it; everything else saved.
    Terminal,
    /// Always saved (the agent, the MCP server, scripts: stdout may be a protocol).
    Save,
}

const SIXEL_MIME: &str = "image/x-sixel";

/// The file extension for a MIME type toolhost knows; anything else is `.bin`.
fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/svg+xml" => "svg",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        SIXEL_MIME => "six",
        _ => "bin",
    }
}

/// The process's private image directory, made on first use and kept after exit so the
/// printed paths stay valid.
fn private_dir() -> Result<&'static Path, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("toolhost-images-")
            .tempdir()
            .map(|d| d.keep())
            .map_err(|e| format!("cannot create a private image directory: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("cannot make the image directory private: {e}"))?;
        }
        Ok(dir)
    })
    .as_ref()
    .map(PathBuf::as_path)
    .map_err(Clone::clone)
}

fn terminal_shows_sixel() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var("TERM").is_ok_and(|t| !t.is_empty() && t != "dumb")
}

impl ImageSink {
    /// Show or save each image; the notes say where each went.
    pub fn handle(self, images: &[ImageItem]) -> Vec<(SavedImage, String)> {
        let has_raster = images.iter().any(|i| i.mime_type != SIXEL_MIME);
        let mut notes = Vec::new();
        for image in images {
            if image.mime_type == SIXEL_MIME {
                if self == ImageSink::Terminal && terminal_shows_sixel() {
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(&image.data);
                    let _ = out.flush();
                    notes.push((SavedImage::Shown, String::new()));
                    continue;
                }
                // The same picture came as PNG or SVG too: keep that one.
                if has_raster {
                    continue;
                }
            }
            let saved = save(image);
            let note = match &saved {
                SavedImage::Saved(path) => format!(
                    "[{}: {} image saved to {}]",
                    image.tool,
                    image.mime_type,
                    path.display()
                ),
                SavedImage::Failed(e) => {
                    format!(
                        "[{}: could not save a {} image: {e}]",
                        image.tool, image.mime_type
                    )
                }
                SavedImage::Shown => String::new(),
            };
            notes.push((saved, note));
        }
        notes
    }
}

fn save(image: &ImageItem) -> SavedImage {
    let dir = match private_dir() {
        Ok(d) => d,
        Err(e) => return SavedImage::Failed(e),
    };
    let name = format!(
        "image-{:016x}.{}",
        rand::random::<u64>(),
        extension(&image.mime_type)
    );
    let path = dir.join(name);
    // create_new: never write through a file (or link) someone put there.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all(&image.data));
    match written {
        Ok(()) => SavedImage::Saved(path),
        Err(e) => SavedImage::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_images_are_private_and_never_named_by_the_tool() {
        let image = ImageItem {
            tool: "../../evil".into(),
            mime_type: "image/../../png".into(),
            data: vec![1, 2, 3],
        };
        let notes = ImageSink::Save.handle(&[image]);
        let SavedImage::Saved(path) = &notes[0].0 else {
            panic!("{notes:?}")
        };
        let dir = path.parent().unwrap();
        assert!(
            dir.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("toolhost-images-")
        );
        assert_eq!(path.extension().unwrap(), "bin");
        assert!(!path.to_str().unwrap().contains("evil"));
        assert_eq!(std::fs::read(path).unwrap(), vec![1, 2, 3]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        }
    }
}
