//! The bytes of a table as a window that moves through them: all of inline
//! text at once, or a file read a chunk at a time.
//!
//! Reading a large CSV file whole costs more than parsing it: under WASI the
//! host fills a buffer of the file's size and copies it into the sandbox's
//! memory, and each of those buffers is fresh pages that fault one by one. A
//! window of a few MiB is reused from chunk to chunk instead, and stays in
//! the cache while it is parsed.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use crate::error::DataError;

/// Bytes read from a file per refill (more when a record is longer).
const CHUNK: usize = 4 << 20;

enum Origin<'a> {
    Text(&'a [u8]),
    File { file: File, path: String },
}

pub struct Chunks<'a> {
    origin: Origin<'a>,
    /// A file's bytes from `offset` on that are read and not yet released.
    buf: Vec<u8>,
    /// The offset of the window's first byte in the data.
    offset: u64,
    /// The size of the data.
    size: u64,
    /// The window reaches the end of the data.
    complete: bool,
}

impl<'a> Chunks<'a> {
    /// All of `text` at once.
    pub fn text(text: &'a [u8]) -> Self {
        Chunks {
            origin: Origin::Text(text),
            buf: Vec::new(),
            offset: 0,
            size: text.len() as u64,
            complete: true,
        }
    }

    /// The file at `path`, from `offset` on, with its first chunk read.
    pub fn file(path: &str, offset: u64) -> Result<Self, DataError> {
        let fail = |e: std::io::Error| read_error(path, e);
        let mut file = File::open(path).map_err(fail)?;
        let metadata = file.metadata().map_err(fail)?;
        if metadata.is_dir() {
            return Err(DataError::Read {
                path: path.to_owned(),
                reason: "it is a directory, not a file".to_owned(),
            });
        }
        if offset > 0 {
            file.seek(SeekFrom::Start(offset)).map_err(fail)?;
        }
        let mut chunks = Chunks {
            origin: Origin::File {
                file,
                path: path.to_owned(),
            },
            buf: Vec::new(),
            offset,
            size: metadata.len(),
            complete: false,
        };
        chunks.advance(0)?;
        Ok(chunks)
    }

    /// How to read the same data again.
    pub fn reopener(&self) -> Reopener<'a> {
        match &self.origin {
            Origin::Text(text) => Reopener::Text(text),
            Origin::File { path, .. } => Reopener::File(path.clone()),
        }
    }

    /// The bytes read and not yet released.
    pub fn window(&self) -> &[u8] {
        match &self.origin {
            Origin::Text(text) => &text[self.offset as usize..],
            Origin::File { .. } => &self.buf,
        }
    }

    /// Whether the window holds the rest of the data.
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// Where the window starts in the data.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The size of the data, read or not.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Releases the window's first `consumed` bytes and reads on: at least a
    /// chunk, and at least twice what is left, so that a record longer than
    /// a chunk is soon whole in the window.
    pub fn advance(&mut self, consumed: usize) -> Result<(), DataError> {
        self.offset += consumed as u64;
        let Origin::File { file, path } = &mut self.origin else {
            return Ok(());
        };
        self.buf.drain(..consumed);
        let want = CHUNK.max(2 * self.buf.len());
        if self.buf.capacity() < want {
            self.buf.reserve_exact(want - self.buf.len());
        }
        while self.buf.len() < want {
            let filled = self.buf.len();
            // Reads straight into the spare capacity, a host call each.
            let n = file
                .by_ref()
                .take((want - filled) as u64)
                .read_to_end(&mut self.buf)
                .map_err(|e| read_error(path, e))?;
            if n == 0 {
                self.complete = true;
                break;
            }
        }
        Ok(())
    }

    /// Reads the rest of the data into the window.
    pub fn read_all(&mut self) -> Result<(), DataError> {
        if let Origin::File { file, path } = &mut self.origin {
            let rest = self.size.saturating_sub(self.offset) as usize;
            self.buf
                .try_reserve_exact(rest.saturating_sub(self.buf.len()) + 1)
                .map_err(|_| DataError::Read {
                    path: path.clone(),
                    reason: format!(
                        "the file ({} bytes) does not fit in this tool's memory limit",
                        self.size
                    ),
                })?;
            file.read_to_end(&mut self.buf)
                .map_err(|e| read_error(path, e))?;
            self.complete = true;
        }
        Ok(())
    }
}

/// Where some data came from, to read it again from any offset.
pub enum Reopener<'a> {
    Text(&'a [u8]),
    File(String),
}

impl<'a> Reopener<'a> {
    pub fn open(&self, offset: u64) -> Result<Chunks<'a>, DataError> {
        match self {
            Reopener::Text(text) => {
                let mut chunks = Chunks::text(text);
                chunks.offset = offset;
                Ok(chunks)
            }
            Reopener::File(path) => Chunks::file(path, offset),
        }
    }
}

fn read_error(path: &str, e: std::io::Error) -> DataError {
    DataError::Read {
        path: path.to_owned(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => {
                "no such file (files must be in a directory the host grants to this tool, under the path the host mounts it at, e.g. /data)".to_owned()
            }
            std::io::ErrorKind::PermissionDenied => {
                "permission denied (the directory is not granted to this tool)".to_owned()
            }
            _ => e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_through_a_moving_window() {
        let dir = std::env::temp_dir().join(format!("chunks-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.txt");
        let data: Vec<u8> = (0..3 * CHUNK + 123).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let path = path.to_str().unwrap();

        let mut chunks = Chunks::file(path, 0).unwrap();
        assert_eq!(chunks.size(), data.len() as u64);
        let mut seen = Vec::new();
        // Release a little less than the window each time, as a reader that
        // keeps an unfinished record does.
        loop {
            let window = chunks.window();
            let keep = if chunks.complete() { 0 } else { 1000 };
            let take = window.len() - keep;
            seen.extend_from_slice(&window[..take]);
            if chunks.complete() {
                break;
            }
            chunks.advance(take).unwrap();
        }
        assert_eq!(seen, data);

        let mut again = chunks.reopener().open(CHUNK as u64 + 5).unwrap();
        assert_eq!(again.window()[0], data[CHUNK + 5]);
        again.read_all().unwrap();
        assert!(again.complete());
        assert_eq!(again.window(), &data[CHUNK + 5..]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn text_is_one_window() {
        let mut chunks = Chunks::text(b"a,b\n1,2\n");
        assert!(chunks.complete());
        chunks.advance(4).unwrap();
        assert_eq!(chunks.window(), b"1,2\n");
        assert_eq!(chunks.reopener().open(2).unwrap().window(), b"b\n1,2\n");
    }
}
