//! Scanners under the [`crate::manager::DeviceManager`]: a serial (line)
//! scanner, [`SupervisedScanner`], or a USB HID one (HID POS or keyboard
//! mode), [`SupervisedHidScanner`]. Each unit of work waits briefly for
//! one code and forwards it, classified, to the channel the UI reads; both
//! publish the same [`ScannerEvent`]s, so the kiosk does not care which it
//! has. A lost cable becomes `Missing` and is reopened with backoff; a
//! garbled code costs that code only.

use super::{
    HidDecoder, HidReportFormat, HidScanner, LineConfig, Scan, ScanError, ScanKind, SerialScanner,
    classify,
};
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
    pub fn new(opener: O, config: LineConfig, events: Sender<ScannerEvent>) -> Self {
        SupervisedScanner {
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

    fn id(&self) -> crate::manager::DeviceId {
        crate::manager::DeviceId::Scanner
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
        publish(&self.events, device.next_scan(WAIT))
    }
}

/// One wait for a code, as the manager and the kiosk need it: a code is
/// classified and sent, a bad one is sent as rejected and reading goes on,
/// a transport failure is the manager's (gone → `Missing`, reopened).
fn publish(
    events: &Sender<ScannerEvent>,
    result: Result<Option<Scan>, ScanError>,
) -> Result<Health, Fault> {
    match result {
        Ok(Some(scan)) => {
            let kind = classify(&scan.text);
            log::info!("扫码 (scan): {kind}");
            let _ = events.send(ScannerEvent::Scanned { scan, kind });
            Ok(Health::Ok)
        }
        Ok(None) => Ok(Health::Ok),
        Err(ScanError::Transport(e)) => Err(Fault::from(e)),
        Err(e) => {
            log::warn!("扫码无法使用 (scan rejected): {e}");
            let _ = events.send(ScannerEvent::Rejected(e));
            Ok(Health::Ok)
        }
    }
}

/// A USB HID scanner as a supervised device. Its opener returns the
/// transport (the interrupt endpoint, a hidraw node, a test pipe) with the
/// report format read from the device at that moment, so a scanner
/// switched between keyboard and HID POS mode while unplugged is decoded
/// right when it comes back.
pub struct SupervisedHidScanner<O> {
    opener: O,
    events: Sender<ScannerEvent>,
}

impl<O, T> SupervisedHidScanner<O>
where
    O: FnMut() -> Result<(T, HidReportFormat), TransportError> + Send + 'static,
    T: Transport + 'static,
{
    /// `opener` opens the transport each time the scanner is (re)connected.
    pub fn new(opener: O, events: Sender<ScannerEvent>) -> Self {
        SupervisedHidScanner { opener, events }
    }
}

impl<O, T> Supervised for SupervisedHidScanner<O>
where
    O: FnMut() -> Result<(T, HidReportFormat), TransportError> + Send + 'static,
    T: Transport + 'static,
{
    type Device = HidScanner<T, HidDecoder>;

    fn id(&self) -> crate::manager::DeviceId {
        crate::manager::DeviceId::Scanner
    }

    fn open(&mut self) -> Result<Self::Device, Fault> {
        let (transport, format) = open_or_gone(&mut self.opener)?;
        log::info!(
            "{}: USB扫码枪，{} (HID {format:?})",
            crate::manager::DeviceId::Scanner,
            format.name_zh()
        );
        Ok(HidScanner::new(transport, HidDecoder::new(format)))
    }

    /// Like a line scanner, a HID scanner has no status request: a claimed
    /// interface is all there is to know until a read fails.
    fn probe(&mut self, _device: &mut Self::Device) -> Result<Health, Fault> {
        Ok(Health::Ok)
    }

    fn run_once(&mut self, device: &mut Self::Device) -> Result<Health, Fault> {
        publish(&self.events, device.next_scan(WAIT))
    }
}

#[cfg(test)]
mod tests {
    //! The HID scanner through the real byte path: a scripted USB pipe →
    //! the interrupt reader → the report decoder → the manager → events.
    use super::*;
    use crate::manager::{Backoff, DeviceId, DeviceManager};
    use crate::scanner::{AimId, HID_POS_REPORT_ID, KioskCode, ReportDecoder};
    use crate::sim::scanner::{hid_pos_reports, wedge_reports};
    use crate::transport::usb::fake::FakePipe;
    use crate::transport::usb::{InterruptReader, UsbPipe};
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc::{self, Receiver};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    const EP: u8 = 0x83;

    /// A pipe the test keeps a handle on, to queue reports and unplug it
    /// while the manager's thread reads.
    #[derive(Clone, Default)]
    struct SharedPipe(Arc<Mutex<FakePipe>>);

    impl SharedPipe {
        fn queue(&self, reports: &[impl AsRef<[u8]>]) {
            let mut pipe = self.0.lock().unwrap();
            for r in reports {
                pipe.queue(EP, r.as_ref());
            }
        }
        fn unplug(&self) {
            self.0.lock().unwrap().gone = true;
        }
    }

    impl UsbPipe for SharedPipe {
        fn write(&mut self, ep: u8, data: &[u8], t: Duration) -> Result<usize, TransportError> {
            self.0.lock().unwrap().write(ep, data, t)
        }
        fn read(&mut self, ep: u8, buf: &mut [u8], t: Duration) -> Result<usize, TransportError> {
            let n = self.0.lock().unwrap().read(ep, buf, t)?;
            if n == 0 {
                // An empty fake pipe answers at once; a real endpoint
                // waits out the timeout. Don't spin the manager's thread.
                std::thread::sleep(t.min(Duration::from_millis(5)));
            }
            Ok(n)
        }
    }

    fn fast_backoff() -> Backoff {
        Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(100),
            reopen_after_failures: 3,
        }
    }

    /// Where the scanner is plugged in: the opener takes the next pipe,
    /// "not connected" while there is none.
    type Socket = Arc<Mutex<VecDeque<SharedPipe>>>;

    /// A supervised HID scanner of `format` with `plugged` ready to open;
    /// also the socket (to plug another in later) and the count of opens.
    fn supervise(
        format: HidReportFormat,
        plugged: Vec<SharedPipe>,
    ) -> (
        DeviceManager,
        Receiver<ScannerEvent>,
        Socket,
        Arc<AtomicUsize>,
    ) {
        let socket: Socket = Arc::new(Mutex::new(plugged.into()));
        let opens = Arc::new(AtomicUsize::new(0));
        let (counter, slot) = (Arc::clone(&opens), Arc::clone(&socket));
        let packet = match format {
            HidReportFormat::Pos => 64,
            HidReportFormat::Keyboard => 8,
        };
        let opener = move || match slot.lock().unwrap().pop_front() {
            Some(p) => {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok((InterruptReader::new(p, EP, packet), format))
            }
            None => Err(TransportError::Disconnected(
                "USB设备未连接 (not connected)".into(),
            )),
        };
        let (tx, rx) = mpsc::channel();
        let (mut manager, _changes) = DeviceManager::new();
        manager.supervise(SupervisedHidScanner::new(opener, tx), fast_backoff());
        (manager, rx, socket, opens)
    }

    fn wait_health(manager: &DeviceManager, want: impl Fn(&Health) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if manager
                .health_of(DeviceId::Scanner)
                .as_ref()
                .is_some_and(&want)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!(
            "scanner never became {what}: {:?}",
            manager.health_of(DeviceId::Scanner)
        );
    }

    fn next(events: &Receiver<ScannerEvent>) -> ScannerEvent {
        events
            .recv_timeout(Duration::from_secs(5))
            .expect("an event")
    }

    #[test]
    fn hid_pos_scans_arrive_as_classified_scanner_events() {
        let pipe = SharedPipe::default();
        let (manager, events, _, _) = supervise(HidReportFormat::Pos, vec![pipe.clone()]);
        wait_health(&manager, Health::is_ok, "ok");
        // The kiosk's receipt QR, then a long Chinese code over several
        // continuation reports.
        pipe.queue(&hid_pos_reports(
            b"OV1:R:HL01-20261129-0007-K",
            AimId::parse_prefix(b"]Q1"),
        ));
        let long = "一件事一次办".repeat(10);
        pipe.queue(&hid_pos_reports(long.as_bytes(), None));
        match next(&events) {
            ScannerEvent::Scanned {
                scan,
                kind: ScanKind::Kiosk(KioskCode::Receipt(n)),
            } => {
                assert_eq!(n, "HL01-20261129-0007-K");
                assert_eq!(scan.aim, AimId::parse_prefix(b"]Q1"));
            }
            other => panic!("{other:?}"),
        }
        match next(&events) {
            ScannerEvent::Scanned { scan, .. } => assert_eq!(scan.text, long),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keyboard_mode_scans_arrive_the_same_way() {
        let pipe = SharedPipe::default();
        let (manager, events, _, _) = supervise(HidReportFormat::Keyboard, vec![pipe.clone()]);
        wait_health(&manager, Health::is_ok, "ok");
        pipe.queue(&wedge_reports("91350200776049653A").unwrap());
        match next(&events) {
            ScannerEvent::Scanned {
                kind: ScanKind::SocialCreditCode { code, .. },
                ..
            } => assert_eq!(code.as_str(), "91350200776049653A"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn garbage_reports_are_rejected_and_the_next_code_still_reads() {
        let pipe = SharedPipe::default();
        let (manager, events, _, opens) = supervise(HidReportFormat::Pos, vec![pipe.clone()]);
        wait_health(&manager, Health::is_ok, "ok");
        // A report with the wrong report id, one claiming 200 data bytes,
        // bytes that are neither UTF-8 nor GBK; then a good code.
        let mut wrong_id = hid_pos_reports(b"X", None)[0];
        wrong_id[0] = 0x07;
        let mut too_long = hid_pos_reports(b"X", None)[0];
        too_long[1] = 200;
        pipe.queue(&[wrong_id, too_long]);
        pipe.queue(&hid_pos_reports(&[0xFF, 0xFE, 0xFF], None));
        pipe.queue(&hid_pos_reports(b"OV1:R:HL01-20261129-0008-K", None));
        let mut rejected = Vec::new();
        loop {
            match next(&events) {
                ScannerEvent::Rejected(e) => rejected.push(e),
                ScannerEvent::Scanned { scan, .. } => {
                    assert_eq!(scan.text, "OV1:R:HL01-20261129-0008-K");
                    break;
                }
            }
        }
        assert!(
            matches!(
                rejected.as_slice(),
                [
                    ScanError::ReportId { actual: 0x07, .. },
                    ScanError::ReportDataLength(200),
                    ScanError::Undecodable { .. }
                ]
            ),
            "{rejected:?}"
        );
        // Garbage costs codes, not the connection.
        assert_eq!(manager.health_of(DeviceId::Scanner), Some(Health::Ok));
        assert_eq!(opens.load(Ordering::SeqCst), 1);

        // A short packet (a broken report): once the line is quiet it is
        // refused for its length, and the reports after it are read in
        // line again rather than shifted by its 10 bytes.
        pipe.queue(&[[HID_POS_REPORT_ID; 10]]);
        match next(&events) {
            ScannerEvent::Rejected(ScanError::ReportLength {
                expected: 64,
                actual: 10,
            }) => {}
            other => panic!("{other:?}"),
        }
        pipe.queue(&hid_pos_reports(b"OV1:R:HL01-20261129-0009-K", None));
        assert!(matches!(
            next(&events),
            ScannerEvent::Scanned { scan, .. } if scan.text == "OV1:R:HL01-20261129-0009-K"
        ));

        // Random bytes in random packet sizes never take the reader down
        // (a panic would end the worker: no events, no health).
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let len = (rnd() % 70) as usize;
            let packet: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
            pipe.queue(&[packet]);
        }
        // After the noise and a quiet moment, a good code reads.
        std::thread::sleep(Duration::from_millis(400));
        pipe.queue(&hid_pos_reports(b"OV1:R:HL01-20261129-0010-K", None));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut found = false;
        while Instant::now() < deadline && !found {
            if let Ok(ScannerEvent::Scanned { scan, .. }) =
                events.recv_timeout(Duration::from_millis(500))
            {
                found = scan.text == "OV1:R:HL01-20261129-0010-K";
            }
        }
        assert!(found, "no scan after the noise");
        assert_eq!(manager.health_of(DeviceId::Scanner), Some(Health::Ok));
    }

    #[test]
    fn an_unplugged_hid_scanner_is_missing_then_reopened() {
        let first = SharedPipe::default();
        let (manager, events, socket, opens) = supervise(HidReportFormat::Pos, vec![first.clone()]);
        wait_health(&manager, Health::is_ok, "ok");
        first.queue(&hid_pos_reports(b"before", None));
        assert!(
            matches!(next(&events), ScannerEvent::Scanned { scan, .. } if scan.text == "before")
        );

        // Unplugged: the read fails with Disconnected → Missing, and stays
        // so (with retries) while nothing is plugged in.
        first.unplug();
        wait_health(
            &manager,
            |h| matches!(h, Health::Missing(why) if why.contains("unplugged") || why.contains("not connected")),
            "missing",
        );
        std::thread::sleep(Duration::from_millis(150));
        assert!(matches!(
            manager.health_of(DeviceId::Scanner),
            Some(Health::Missing(_))
        ));
        assert_eq!(opens.load(Ordering::SeqCst), 1);

        // Plugged back in: opened again, reading goes on.
        let second = SharedPipe::default();
        socket.lock().unwrap().push_back(second.clone());
        wait_health(&manager, Health::is_ok, "ok again");
        assert_eq!(opens.load(Ordering::SeqCst), 2);
        second.queue(&hid_pos_reports(b"after", None));
        assert!(
            matches!(next(&events), ScannerEvent::Scanned { scan, .. } if scan.text == "after")
        );
    }

    #[test]
    fn the_report_format_follows_the_interface() {
        use crate::transport::usb::UsbInterfaceInfo;
        let interface = |subclass, protocol| UsbInterfaceInfo {
            number: 0,
            class: 0x03,
            subclass,
            protocol,
            endpoints: vec![],
        };
        assert_eq!(
            HidReportFormat::of_interface(&interface(1, 1)),
            HidReportFormat::Keyboard
        );
        assert_eq!(
            HidReportFormat::of_interface(&interface(0, 0)),
            HidReportFormat::Pos
        );
        assert_eq!(
            HidReportFormat::of_interface(&interface(1, 2)),
            HidReportFormat::Pos
        );
        assert_eq!(HidDecoder::new(HidReportFormat::Keyboard).report_len(), 8);
        assert_eq!(HidDecoder::new(HidReportFormat::Pos).report_len(), 64);
    }
}
