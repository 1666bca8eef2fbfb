//! Reading a file in the sandbox with one read always in flight.
//!
//! A `wasi:io` input stream over a file answers a `read` it has no bytes for
//! by starting a read on a host thread and returning nothing; once the
//! stream's pollable is ready, the next `read` collects the bytes. So the
//! tool asks again right after each collection, and the host reads the next
//! piece while the tool parses this one. The file
//! is opened through the granted directory it lies in, as the standard
//! library would, since its handle is not reachable from a `std::fs::File`.

use wasip2::filesystem::preopens::get_directories;
use wasip2::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, StreamError};

use crate::feed::{Arrival, PIECE};

pub struct ReadAhead {
    // In this order, so dropped in this order: a pollable must not outlive
    // its stream, nor a stream its file.
    /// Ready when the read in flight is done.
    arrived: Pollable,
    stream: InputStream,
    _file: Descriptor,
}

impl ReadAhead {
    /// The file at the absolute `path`, from `offset` on; `None` when no
    /// granted directory holds it by name or it cannot be opened.
    pub fn open(path: &str, offset: u64) -> Option<Self> {
        let (dir, relative) = granted_dir(path)?;
        let file = dir
            .open_at(
                PathFlags::SYMLINK_FOLLOW,
                &relative,
                OpenFlags::empty(),
                DescriptorFlags::READ,
            )
            .ok()?;
        let stream = file.read_via_stream(offset).ok()?;
        let ahead = ReadAhead {
            arrived: stream.subscribe(),
            stream,
            _file: file,
        };
        ahead.start().ok()?;
        Some(ahead)
    }

    /// Starts a read; it answers with nothing.
    fn start(&self) -> std::io::Result<()> {
        match self.stream.read(PIECE as u64) {
            Ok(_) | Err(StreamError::Closed) => Ok(()),
            Err(StreamError::LastOperationFailed(e)) => Err(failed(e)),
        }
    }

    pub fn poll(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Arrival> {
        // The stream takes in the read's bytes only when its pollable is
        // asked; until then a read answers with nothing.
        if !self.arrived.ready() {
            return Ok(Arrival::Pending);
        }
        match self.stream.read(PIECE as u64) {
            Ok(bytes) if bytes.is_empty() => Ok(Arrival::Pending),
            Ok(bytes) => {
                buf.extend_from_slice(&bytes);
                self.start()?;
                Ok(Arrival::Bytes(bytes.len()))
            }
            Err(StreamError::Closed) => Ok(Arrival::End),
            Err(StreamError::LastOperationFailed(e)) => Err(failed(e)),
        }
    }

    /// Waits for the read in flight.
    pub fn block(&mut self) {
        self.arrived.block();
    }
}

fn failed(e: wasip2::io::error::Error) -> std::io::Error {
    std::io::Error::other(e.to_debug_string())
}

/// The granted directory whose guest path is the longest prefix of `path`,
/// and the rest of `path` relative to it.
fn granted_dir(path: &str) -> Option<(Descriptor, String)> {
    if !path.starts_with('/') {
        return None;
    }
    let mut best: Option<(Descriptor, usize)> = None;
    for (dir, name) in get_directories() {
        let name = name.trim_end_matches('/');
        let under = path.len() > name.len()
            && path.starts_with(name)
            && path.as_bytes()[name.len()] == b'/';
        if under && best.as_ref().is_none_or(|(_, len)| name.len() > *len) {
            best = Some((dir, name.len()));
        }
    }
    let (dir, len) = best?;
    let relative = path[len..].trim_start_matches('/');
    (!relative.is_empty()).then(|| (dir, relative.to_owned()))
}
