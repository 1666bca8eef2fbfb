//! The 2-D layout: a box engine ([`Block`], [`Row`], [`Canvas`], [`stack`]), growing
//! delimiters, and the typesetter that turns a parsed formula into a block.

mod block;
mod delims;
mod typeset;

pub use block::{Align, Block, Canvas, Cell, Row, TooLarge, offset, stack};
pub use delims::delimiter;
pub use typeset::layout;
