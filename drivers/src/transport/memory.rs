//! An in-memory duplex byte pipe, for unit tests of protocol code.

use super::{Transport, TransportError};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Pipe {
    bytes: VecDeque<u8>,
    /// The writing end was dropped.
    closed: bool,
}

type Shared = Arc<(Mutex<Pipe>, Condvar)>;

/// One end of a duplex pair: what one end writes the other reads. When an
/// end is dropped the other reads what is left, then gets `Disconnected`.
pub struct MemoryTransport {
    incoming: Shared,
    outgoing: Shared,
}

impl MemoryTransport {
    /// Two connected ends.
    pub fn pair() -> (MemoryTransport, MemoryTransport) {
        let a: Shared = Arc::default();
        let b: Shared = Arc::default();
        (
            MemoryTransport {
                incoming: Arc::clone(&a),
                outgoing: Arc::clone(&b),
            },
            MemoryTransport {
                incoming: b,
                outgoing: a,
            },
        )
    }
}

impl Transport for MemoryTransport {
    fn write_all(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let (lock, signal) = &*self.outgoing;
        let mut pipe = lock
            .lock()
            .map_err(|_| TransportError::Io("poisoned".into()))?;
        if pipe.closed {
            return Err(TransportError::Disconnected(
                "对端已关闭 (peer closed)".into(),
            ));
        }
        pipe.bytes.extend(bytes);
        signal.notify_all();
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        let (lock, signal) = &*self.incoming;
        let deadline = Instant::now() + timeout;
        let mut pipe = lock
            .lock()
            .map_err(|_| TransportError::Io("poisoned".into()))?;
        loop {
            if !pipe.bytes.is_empty() {
                let n = buf.len().min(pipe.bytes.len());
                for (slot, byte) in buf.iter_mut().zip(pipe.bytes.drain(..n)) {
                    *slot = byte;
                }
                return Ok(n);
            }
            if pipe.closed {
                return Err(TransportError::Disconnected(
                    "对端已关闭 (peer closed)".into(),
                ));
            }
            let now = Instant::now();
            if now >= deadline || buf.is_empty() {
                return Ok(0);
            }
            pipe = signal
                .wait_timeout(pipe, deadline - now)
                .map_err(|_| TransportError::Io("poisoned".into()))?
                .0;
        }
    }

    fn flush(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

impl Drop for MemoryTransport {
    fn drop(&mut self) {
        for shared in [&self.incoming, &self.outgoing] {
            let (lock, signal) = &**shared;
            if let Ok(mut pipe) = lock.lock() {
                pipe.closed = true;
                signal.notify_all();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_timeouts_return_zero_and_drop_disconnects() {
        let (mut a, mut b) = MemoryTransport::pair();
        let mut buf = [0u8; 8];
        let started = Instant::now();
        assert_eq!(b.read(&mut buf, Duration::from_millis(30)).unwrap(), 0);
        assert!(started.elapsed() >= Duration::from_millis(30));
        a.write_all(b"hello").unwrap();
        assert_eq!(b.read(&mut buf, Duration::from_millis(30)).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        b.write_all(b"x").unwrap();
        drop(b);
        assert_eq!(a.read(&mut buf, Duration::ZERO).unwrap(), 1);
        assert!(matches!(
            a.read(&mut buf, Duration::ZERO),
            Err(TransportError::Disconnected(_))
        ));
        assert!(matches!(
            a.write_all(b"y"),
            Err(TransportError::Disconnected(_))
        ));
    }
}
