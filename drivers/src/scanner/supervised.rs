//! A serial scanner under the [`crate::manager::DeviceManager`]: each unit
//! of work waits briefly for one code and forwards it, classified, to the
//! channel the UI reads. A lost cable becomes `Missing` and is reopened
//! with backoff; a garbled code costs that code only.

use super::{LineConfig, Scan, ScanError, ScanKind, SerialScanner, classify};
use crate::manager::{Fault, Health, Supervised, open_or_gone};
use crate::transport::{Transport, TransportError};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// What the scanner reports to the kiosk.
#[derive(Debug)]
pub enum ScannerEvent {
    /// A code was read; `kind` says what it is (the kiosk's own QR, a
    /// credit code, an ID number, plain text).
    Scanned { scan: Scan, kind: ScanKind },
    /// A code was read but could not be used (too long, undecodable).
    Rejected(ScanError),
}

/// How long one unit of work waits for a code before checking in with the
/// manager (so a stop request is honoured promptly).
const WAIT: Duration = Duration::from_millis(200);

/// A line scanner (serial or USB CDC) as a supervised device.
pub struct SupervisedScanner<O> {
    name: String,
    opener: O,
    config: LineConfig,
    events: Sender<ScannerEvent>,
}

impl<O, T> SupervisedScanner<O>
where
    O: FnMut() -> Result<T, TransportError> + Send + 'static,
    T: Transport + 'static,
{
    /// `opener` opens the transport each time the scanner is (re)connected.
    pub fn new(
        name: impl Into<String>,
        opener: O,
        config: LineConfig,
        events: Sender<ScannerEvent>,
    ) -> Self {
        SupervisedScanner {
            name: name.into(),
            opener,
            config,
            events,
        }
    }
}

impl<O, T> Supervised for SupervisedScanner<O>
where
    O: FnMut() -> Result<T, TransportError> + Send + 'static,
    T: Transport + 'static,
{
    type Device = SerialScanner<T>;

    fn name(&self) -> String {
        self.name.clone()
    }

    fn open(&mut self) -> Result<Self::Device, Fault> {
        let transport = open_or_gone(&mut self.opener)?;
        Ok(SerialScanner::new(transport, self.config.clone()))
    }

    /// A line scanner has no status command: an open port is all we can
    /// know until a read fails.
    fn probe(&mut self, _device: &mut Self::Device) -> Result<Health, Fault> {
        Ok(Health::Ok)
    }

    fn run_once(&mut self, device: &mut Self::Device) -> Result<Health, Fault> {
        match device.next_scan(WAIT) {
            Ok(Some(scan)) => {
                let kind = classify(&scan.text);
                log::info!("扫码 (scan): {kind}");
                let _ = self.events.send(ScannerEvent::Scanned { scan, kind });
                Ok(Health::Ok)
            }
            Ok(None) => Ok(Health::Ok),
            Err(ScanError::Transport(e)) => Err(Fault::from(e)),
            Err(e) => {
                log::warn!("扫码无法使用 (scan rejected): {e}");
                let _ = self.events.send(ScannerEvent::Rejected(e));
                Ok(Health::Ok)
            }
        }
    }
}
