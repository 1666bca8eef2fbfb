//! A file's bytes as they arrive, a piece at a time.
//!
//! In the sandbox a read is a trip to a host thread and back, and a blocking
//! read leaves the tool idle for all of it: reading a 30 MB file cost 35–45 ms
//! that way. There a [`ReadAhead`] keeps one read in flight on the host while
//! the tool parses what came before. Natively (tests, benches) a piece is
//! simply read when asked for.

use std::fs::File;
use std::io::Read;

#[cfg(target_arch = "wasm32")]
use crate::read_ahead::ReadAhead;

/// Bytes asked for per read: the most a WASI host hands over at once.
pub const PIECE: usize = 64 << 10;

/// What a look for more bytes found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// This many bytes were appended.
    Bytes(usize),
    /// None yet: a read is on its way.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Pending,
    /// The end of the file.
    End,
}

pub struct Feed {
    file: File,
    #[cfg(target_arch = "wasm32")]
    ahead: Option<ReadAhead>,
}

impl Feed {
    /// Reads `file`, found at `path`, from `offset` on (where `file` is
    /// already positioned).
    #[cfg_attr(not(target_arch = "wasm32"), allow(unused_variables))]
    pub fn new(file: File, path: &str, offset: u64) -> Self {
        Feed {
            file,
            // A path outside the granted directories' names (a relative
            // one, say) is read the ordinary way.
            #[cfg(target_arch = "wasm32")]
            ahead: ReadAhead::open(path, offset),
        }
    }

    /// Appends to `buf` what has arrived, without waiting for a read in
    /// flight; where reads cannot be in flight, reads a piece now.
    pub fn poll(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Arrival> {
        #[cfg(target_arch = "wasm32")]
        if let Some(ahead) = &mut self.ahead {
            return ahead.poll(buf);
        }
        self.read_piece(buf)
    }

    /// Appends at least one byte to `buf`, waiting if need be; 0 at the end.
    pub fn wait(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        loop {
            match self.poll(buf)? {
                Arrival::Bytes(n) => return Ok(n),
                Arrival::End => return Ok(0),
                Arrival::Pending => self.block(),
            }
        }
    }

    fn block(&mut self) {
        #[cfg(target_arch = "wasm32")]
        if let Some(ahead) = &mut self.ahead {
            ahead.block();
        }
    }

    /// One piece, read straight into `buf`'s spare room.
    fn read_piece(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Arrival> {
        let n = (&mut self.file).take(PIECE as u64).read_to_end(buf)?;
        Ok(if n == 0 {
            Arrival::End
        } else {
            Arrival::Bytes(n)
        })
    }
}
