//! The bytes of a table as a window that moves through them: all of inline
//! text at once, or a file read a piece at a time.
//!
//! Reading a large CSV file whole costs more than parsing it: under WASI the
//! host fills a buffer of the file's size and copies it into the sandbox's
//! memory, and each of those buffers is fresh pages that fault one by one. A
//! window of a few hundred KiB to a few MiB is reused instead, topped up
//! between batches from a [`Feed`] (which in the sandbox reads ahead while
//! the batches are parsed), and stays in the cache while it is parsed.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use crate::error::DataError;
use crate::feed::{Arrival, Feed};

/// Bytes [`Chunks::advance`] reads at least, when it must wait for them.
const FILL: usize = 256 << 10;
/// Read-ahead kept in the window beyond the reader's position.
const AHEAD: usize = 1 << 20;
/// Bytes the reader passes before [`Chunks::step`] releases them: what is
/// left is moved to the front, so seldom and little.
const RELEASE: usize = 4 << 20;

enum Origin<'a> {
    Text(&'a [u8]),
    File { feed: Feed, path: String },
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
                feed: Feed::new(file, path, offset),
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

    /// Releases the window's first `consumed` bytes and reads on, waiting
    /// if need be: at least [`FILL`] bytes, and at least twice what is left,
    /// so that a record longer than the window is soon whole in it.
    pub fn advance(&mut self, consumed: usize) -> Result<(), DataError> {
        self.offset += consumed as u64;
        let Origin::File { feed, path } = &mut self.origin else {
            return Ok(());
        };
        self.buf.drain(..consumed);
        let want = FILL.max(2 * self.buf.len());
        self.buf.reserve(want.saturating_sub(self.buf.len()));
        while !self.complete && self.buf.len() < want {
            if feed.wait(&mut self.buf).map_err(|e| read_error(path, e))? == 0 {
                self.complete = true;
            }
        }
        Ok(())
    }

    /// Between batches, with the reader at `pos` in the window: releases
    /// what it has passed once that is a lot, and appends what has arrived
    /// without waiting for more. Returns the reader's position in the
    /// window afterwards.
    pub fn step(&mut self, pos: usize) -> Result<usize, DataError> {
        let Origin::File { feed, path } = &mut self.origin else {
            return Ok(pos);
        };
        let pos = if pos >= RELEASE {
            self.buf.drain(..pos);
            self.offset += pos as u64;
            0
        } else {
            pos
        };
        if !self.complete
            && self.buf.len() - pos < AHEAD
            && feed.poll(&mut self.buf).map_err(|e| read_error(path, e))? == Arrival::End
        {
            self.complete = true;
        }
        Ok(pos)
    }

    /// Reads the rest of the data into the window.
    pub fn read_all(&mut self) -> Result<(), DataError> {
        if let Origin::File { feed, path } = &mut self.origin {
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
            while !self.complete {
                if feed.wait(&mut self.buf).map_err(|e| read_error(path, e))? == 0 {
                    self.complete = true;
                }
            }
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

    fn temp_file(name: &str, data: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("chunks-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        path
    }

    #[test]
    fn a_file_is_read_through_a_moving_window() {
        let data: Vec<u8> = (0..3 * FILL + 123).map(|i| (i % 251) as u8).collect();
        let path = temp_file("advance.txt", &data);
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

        let mut again = chunks.reopener().open(FILL as u64 + 5).unwrap();
        assert_eq!(again.window()[0], data[FILL + 5]);
        again.read_all().unwrap();
        assert!(again.complete());
        assert_eq!(again.window(), &data[FILL + 5..]);
        std::fs::remove_file(path).unwrap();
    }

    /// A reader that takes batches of varying size and steps between them
    /// sees every byte once, in order, while the window is released and
    /// topped up behind and ahead of it.
    #[test]
    fn stepping_between_batches_tops_up_and_releases() {
        let data: Vec<u8> = (0..2 * RELEASE + 3 * AHEAD + 77)
            .map(|i| (i * 7 % 253) as u8)
            .collect();
        let path = temp_file("step.txt", &data);
        let path = path.to_str().unwrap();
        let mut chunks = Chunks::file(path, 0).unwrap();
        let mut seen = Vec::new();
        let mut pos = 0;
        let mut batch = 1;
        let mut released = 0;
        loop {
            let window = chunks.window();
            let end = (pos + batch).min(window.len());
            seen.extend_from_slice(&window[pos..end]);
            batch = batch * 3 % 100_003 + 1;
            if end == window.len() {
                if chunks.complete() {
                    break;
                }
                // The window ran out: as a reader that wants more does.
                chunks.advance(end).unwrap();
                pos = 0;
                continue;
            }
            let before = chunks.offset();
            pos = chunks.step(end).unwrap();
            released += usize::from(chunks.offset() > before);
            assert_eq!(chunks.offset() + pos as u64, before + end as u64);
        }
        assert_eq!(seen.len(), data.len());
        assert!(seen == data, "bytes out of order");
        assert!(released >= 2, "the window was released {released} times");
        std::fs::remove_file(path).unwrap();
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
