//! The GA 467 "SAM" ID card reader protocol: frames, status codes, an
//! incremental decoder and the reader session that turns polls into card
//! events.
//!
//! Layering, bottom up: [`frame`] (pure bytes), [`decoder`] (bytes arriving
//! in arbitrary pieces), [`reader`] (one command/response exchange over a
//! [`crate::transport::Transport`]), [`session`] (card arrival/removal and
//! the events the UI consumes), [`supervised`] (the reader under the
//! [`crate::manager`]).

pub mod decoder;
pub mod frame;
pub mod reader;
pub mod samid;
pub mod session;
pub mod status;
pub mod supervised;

pub use decoder::FrameDecoder;
pub use frame::{Command, FrameError, RawFrame, Response};
pub use reader::{ReaderError, SamReader, Timeouts};
pub use session::{CardRead, ReaderEvent, ReaderSession};
pub use status::SamStatus;
