//! Reading CSV records (RFC 4180). [`Scanner`] reads any record, one byte at a
//! time where it must; [`BatchReader`] reads batches of records 64 bytes at a
//! time and hands the records it cannot read that way (quotes, lone `\r`) to
//! the scanner.

mod batch;
mod masks;
mod scanner;

pub use batch::{Batch, BatchReader, MAX_INPUT, RecordError};
pub use masks::{MASKS, ONES, bytes_equal};
pub use scanner::{Field, ScanError, Scanner};
