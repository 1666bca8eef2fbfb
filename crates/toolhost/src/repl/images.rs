//! Images from tool calls made by REPL code: drawn inline with the protocol the terminal
//! speaks (see [`crate::graphics`]), otherwise saved. Saved files go to a directory private
//! to this process (mode 0700, an unpredictable name) under names the host makes up: never
//! a tool-supplied string.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::ImageItem;
use crate::graphics::{ImageProtocol, ProtocolChoice, iterm_png, kitty_png, resolve};

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
    /// Drawn on stdout with this protocol when the image's form suits it (sixel as sixel,
    /// PNG with kitty or iTerm2); everything else saved.
    Terminal(ProtocolChoice),
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

/// The escape sequence drawing `image` with `protocol`, when that protocol draws its form.
fn drawn(protocol: ImageProtocol, mime_type: &str, data: &[u8]) -> Option<Vec<u8>> {
    match (protocol, mime_type) {
        (ImageProtocol::Sixel, SIXEL_MIME) => Some(data.to_vec()),
        (ImageProtocol::Kitty, "image/png") => Some(kitty_png(data)),
        (ImageProtocol::Iterm, "image/png") => Some(iterm_png(data)),
        _ => None,
    }
}

impl ImageSink {
    /// Show or save each image; the notes say where each went.
    pub fn handle(self, images: &[ImageItem]) -> Vec<(SavedImage, String)> {
        let has_raster = images.iter().any(|i| i.mime_type != SIXEL_MIME);
        let mut notes = Vec::new();
        for image in images {
            if let ImageSink::Terminal(choice) = self
                && let Some(bytes) = drawn(resolve(choice), &image.mime_type, &image.data)
            {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&bytes);
                let _ = out.flush();
                notes.push((SavedImage::Shown, String::new()));
                continue;
            }
            if image.mime_type == SIXEL_MIME {
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
    match save_private(&image.mime_type, &image.data) {
        Ok(path) => SavedImage::Saved(path),
        Err(e) => SavedImage::Failed(e),
    }
}

/// Save image data in the process's private directory under a name the host makes up
/// (random, with the extension of a known MIME type): its path.
pub fn save_private(mime_type: &str, data: &[u8]) -> Result<PathBuf, String> {
    let dir = private_dir()?;
    let name = format!(
        "image-{:016x}.{}",
        rand::random::<u64>(),
        extension(mime_type)
    );
    let path = dir.join(name);
    // create_new: never write through a file (or link) someone put there.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all(data))
        .map_err(|e| e.to_string())?;
    Ok(path)
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
