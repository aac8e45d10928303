//! The SAM reader under the [`crate::manager::DeviceManager`]: opening
//! means reset + self-test + SAM ID; each unit of work is one poll; events
//! go to a channel the UI reads.

use super::reader::{ReaderError, SamReader, Timeouts};
use super::session::{ReaderEvent, ReaderSession};
use crate::idcard::CivilDate;
use crate::manager::{Fault, Health, Supervised, open_or_gone};
use crate::transport::usb::libusb::open_sam_reader;
use crate::transport::{DeviceAddress, SerialTransport, Transport, TransportError};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Consecutive find-card failures (silence, garbage) before the reader is
/// reported degraded rather than merely unlucky.
const FAILURES_BEFORE_DEGRADED: u32 = 2;

/// Opens the reader wherever it is configured: a serial/CDC path (at
/// `baud`) or the USB bulk variant by `VID:PID`.
pub fn open_transport(
    address: &DeviceAddress,
    baud: u32,
) -> Result<Box<dyn Transport>, TransportError> {
    Ok(match address {
        DeviceAddress::Path(path) => Box::new(SerialTransport::open(path, baud)?),
        DeviceAddress::Usb { vid, pid } => Box::new(open_sam_reader(*vid, *pid)?),
    })
}

/// An opener for [`SupervisedReader::new`] from a configured address.
pub fn opener(
    address: DeviceAddress,
    baud: u32,
) -> impl FnMut() -> Result<Box<dyn Transport>, TransportError> + Send + 'static {
    move || open_transport(&address, baud)
}

/// A SAM reader as a supervised device.
pub struct SupervisedReader<O> {
    opener: O,
    timeouts: Timeouts,
    poll_interval: Duration,
    events: Sender<ReaderEvent>,
    today: fn() -> CivilDate,
    lost: bool,
    pending_sam_id: Option<String>,
    failures: u32,
}

impl<O, T> SupervisedReader<O>
where
    O: FnMut() -> Result<T, TransportError> + Send + 'static,
    T: Transport + 'static,
{
    /// `opener` opens the transport (e.g. a serial port by its stable
    /// path) each time the device is (re)connected.
    pub fn new(opener: O, events: Sender<ReaderEvent>) -> Self {
        SupervisedReader {
            opener,
            timeouts: Timeouts::default(),
            poll_interval: Duration::from_secs(1),
            events,
            today: CivilDate::today_in_china,
            lost: false,
            pending_sam_id: None,
            failures: 0,
        }
    }

    /// Replaces the command timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Time between find-card polls (default 1 s).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The date cards are judged against (default: today in China).
    pub fn with_today(mut self, today: fn() -> CivilDate) -> Self {
        self.today = today;
        self
    }

    fn send(&self, event: ReaderEvent) {
        // Nobody listening is not the reader's problem.
        let _ = self.events.send(event);
    }
}

fn fault(error: ReaderError) -> Fault {
    match error {
        ReaderError::Transport(e) => Fault::from(e),
        other => Fault::Failing(other.to_string()),
    }
}

impl<O, T> Supervised for SupervisedReader<O>
where
    O: FnMut() -> Result<T, TransportError> + Send + 'static,
    T: Transport + 'static,
{
    type Device = ReaderSession<T>;

    fn id(&self) -> crate::manager::DeviceId {
        crate::manager::DeviceId::IdReader
    }

    fn open(&mut self) -> Result<Self::Device, Fault> {
        let transport = open_or_gone(&mut self.opener)?;
        let mut reader = SamReader::new(transport, self.timeouts);
        let sam_id = reader.start().map_err(fault)?;
        log::info!("读卡器就绪 (reader ready), SAM {sam_id}");
        self.pending_sam_id = Some(sam_id);
        self.failures = 0;
        Ok(ReaderSession::new(reader, self.today))
    }

    fn probe(&mut self, session: &mut Self::Device) -> Result<Health, Fault> {
        session.reader_mut().sam_status().map_err(fault)?;
        Ok(Health::Ok)
    }

    fn run_once(&mut self, session: &mut Self::Device) -> Result<Health, Fault> {
        std::thread::sleep(self.poll_interval);
        match session.poll() {
            Ok(event) => {
                self.failures = 0;
                if let Some(event) = event {
                    self.send(event);
                }
                Ok(Health::Ok)
            }
            Err(error) if error.is_disconnected() => Err(fault(error)),
            Err(error) => {
                self.failures += 1;
                if self.failures >= FAILURES_BEFORE_DEGRADED {
                    Err(fault(error))
                } else {
                    log::debug!("寻卡失败一次 (find failed once): {error}");
                    Ok(Health::Ok)
                }
            }
        }
    }

    fn on_health(&mut self, health: &Health) {
        match health {
            Health::Missing(reason) if !self.lost => {
                self.lost = true;
                self.send(ReaderEvent::ReaderLost(reason.clone()));
            }
            Health::Ok => {
                if std::mem::take(&mut self.lost) {
                    self.send(ReaderEvent::ReaderBack);
                }
                if let Some(sam_id) = self.pending_sam_id.take() {
                    self.send(ReaderEvent::Ready { sam_id });
                }
            }
            _ => {}
        }
    }
}
