//! What the developer window and the production kiosk share: the outbox
//! and the uplink (with the offline banner following it), the devices
//! under one [`DeviceManager`] from a set of openers (simulators over PTYs
//! in development, the configured addresses in production), delivery of
//! their events to the UI thread ([`post`]) and the systemd watchdog timer.

use crate::config::{CameraSetting, CameraSource, DeviceSetting, KioskConfig};
use crate::wiring::devices::print_handler;
use onevisit_core::outbox::Outbox;
use onevisit_core::staff::recorder::NOT_CONFIGURED;
use onevisit_core::staff::{DeviceRecorder, StaffDesk, SystemClock};
use onevisit_drivers::camera::sim::{SimCamera, SimControl};
use onevisit_drivers::camera::supervised::{CameraFeed, CameraOpener, SupervisedCamera};
use onevisit_drivers::camera::v4l2::V4l2Camera;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::manager::{Backoff, DeviceId, DeviceManager, Health};
use onevisit_drivers::printer::PrinterConfig;
use onevisit_drivers::printer::supervised::{PrintRequest, SupervisedPrinter};
use onevisit_drivers::sam::ReaderEvent;
use onevisit_drivers::sam::supervised::SupervisedReader;
use onevisit_drivers::scanner::supervised::{
    ScannerEvent, SupervisedHidScanner, SupervisedScanner,
};
use onevisit_drivers::scanner::{HidReportFormat, LineConfig};
use onevisit_drivers::transport::usb::libusb::{open_hid_scanner, open_printer};
use onevisit_drivers::transport::{DeviceAddress, SerialTransport, Transport, TransportError};
use onevisit_ui::Kiosk;
use onevisit_uplink::{Link, Uplink, UplinkConfig, UplinkHandle};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How long a platform lookup may keep a person waiting at the screen
/// (progress query, licence data) before the kiosk answers without it.
const PERSON_WAITING: Duration = Duration::from_secs(4);

thread_local! {
    // The UI thread's kiosk, for events posted with invoke_from_event_loop
    // (the closure must be Send; the kiosk is not).
    static KIOSK: RefCell<Option<Rc<Kiosk>>> = const { RefCell::new(None) };
}

/// Makes `kiosk` the target of [`post`] (None when the window closes).
pub fn set_posted_kiosk(kiosk: Option<Rc<Kiosk>>) {
    KIOSK.with(|k| *k.borrow_mut() = kiosk);
}

/// Runs `f` on the UI thread with the kiosk; false once the loop has ended.
pub fn post(f: impl FnOnce(&Kiosk) + Send + 'static) -> bool {
    slint::invoke_from_event_loop(move || {
        KIOSK.with(|k| {
            if let Some(k) = k.borrow().as_ref() {
                f(k);
            }
        })
    })
    .is_ok()
}

/// Sends the systemd watchdog keep-alive from the event loop, when the
/// service has a watchdog.
pub fn watchdog_timer() -> Option<slint::Timer> {
    let every = crate::firmware::watchdog::watchdog_interval()?;
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, every, || {
        if let Err(e) = crate::firmware::watchdog::notify_watchdog() {
            log::warn!("sd_notify WATCHDOG: {e}");
        }
    });
    Some(timer)
}

/// Why the kiosk's services could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    /// The data directory, a device or the local platform could not open.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("outbox: {0}")]
    Outbox(#[from] onevisit_core::outbox::OutboxError),
    #[error(transparent)]
    Link(#[from] crate::config::LinkError),
    /// Staff mode only: the applicants' side runs on without it.
    #[error("staff desk: {0}")]
    StaffDesk(#[from] onevisit_core::staff::StaffError),
    #[error("staff_pin_hash: {0}")]
    StaffPin(#[from] onevisit_core::staff::access::AccessError),
}

impl ServicesError {
    /// A stable code for logs and the start-up report.
    pub fn code(&self) -> &'static str {
        match self {
            ServicesError::Io(_) => "services_io",
            ServicesError::Outbox(e) => e.code(),
            ServicesError::Link(e) => e.code(),
            ServicesError::StaffDesk(_) => "staff_desk",
            ServicesError::StaffPin(_) => "staff_pin_hash",
        }
    }
}

/// The outbox in the configured data directory, the uplink sending it to
/// the configured platform (its TLS and CA as configured), and the
/// recorder keeping device health and printed paper for staff mode and
/// heartbeats.
pub struct Services {
    pub data_dir: PathBuf,
    pub outbox: Arc<Outbox>,
    /// Device health and paper into `staff.sqlite3` and heartbeats.
    pub recorder: DeviceRecorder,
    /// The one runtime and client for all the kiosk sends.
    pub link: Link,
    uplink: UplinkHandle,
}

impl Services {
    /// Opens the outbox and starts the uplink for `cfg`.
    pub fn start(cfg: &KioskConfig) -> Result<Services, ServicesError> {
        std::fs::create_dir_all(&cfg.data_dir)?;
        let outbox = Arc::new(Outbox::open(
            &cfg.outbox_path(),
            &cfg.kiosk_id,
            &cfg.data_key,
        )?);
        let link = cfg.link(Duration::from_secs(5))?;
        let mut up = Uplink::new(
            outbox.clone(),
            link.client().clone(),
            UplinkConfig {
                retention: Some(Duration::from_secs(u64::from(cfg.retention_days) * 86_400)),
                ..UplinkConfig::default()
            },
        );
        // Without the staff database the kiosk still serves applicants;
        // heartbeats then carry no device data.
        let recorder =
            match StaffDesk::open(&cfg.data_dir, cfg.devices.paper, Arc::new(SystemClock)) {
                Ok(desk) => {
                    let (recorder, snapshots) = DeviceRecorder::new(desk);
                    up = up.with_device_snapshot(snapshots);
                    recorder
                }
                Err(e) => {
                    log::error!("staff database: {e}; device health is not recorded");
                    DeviceRecorder::none()
                }
            };
        let uplink = link.start_uplink(up);
        Ok(Services {
            data_dir: cfg.data_dir.clone(),
            outbox,
            recorder,
            link,
            uplink,
        })
    }

    /// Whether the platform is unreachable (None until the uplink knows).
    pub fn offline(&self) -> Option<bool> {
        self.uplink.offline()
    }

    /// Calls `deliver` with the platform's reachability whenever it changes
    /// (checked once a second) until `deliver` returns false.
    pub fn follow_uplink(
        &self,
        deliver: impl Fn(bool) -> bool + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.uplink.offline_flag();
        std::thread::Builder::new()
            .name("uplink-banner".into())
            .spawn(move || {
                let mut shown = None;
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    let now = *state.lock().unwrap_or_else(|p| p.into_inner());
                    if now != shown {
                        shown = now;
                        if !deliver(now == Some(true)) {
                            break;
                        }
                    }
                }
            })
            .map(|_| ())
    }

    /// A scanned business licence fills the form from the platform's
    /// shared data, asked through the one Link.
    pub fn share_licences(&self, kiosk: &Rc<Kiosk>) {
        kiosk.set_licence_source(Arc::new(self.link.licence_lookup(PERSON_WAITING)));
        kiosk.set_elicence_source(Arc::new(self.link.licence_lookup(PERSON_WAITING)));
    }

    /// The offline banner on the kiosk follows the uplink.
    pub fn show_banner(&self) -> std::io::Result<()> {
        self.follow_uplink(|offline| post(move |k| k.set_offline(offline)))
    }
}

/// Opens a device's transport each time it is (re)connected.
pub type Opener = Box<dyn FnMut() -> Result<Box<dyn Transport>, TransportError> + Send>;

/// Opens a USB HID scanner each time it is (re)connected: its report
/// transport and the report format its interface declares.
pub type HidOpener =
    Box<dyn FnMut() -> Result<(Box<dyn Transport>, HidReportFormat), TransportError> + Send>;

/// How the scanner is read: lines on a serial/CDC port, or HID reports
/// (HID POS or keyboard mode) from a USB interrupt endpoint. Both give the
/// kiosk the same scanned text.
pub enum ScannerOpener {
    Line(Opener),
    Hid(HidOpener),
}

/// The kiosk's devices as openers; `None` means not there (disabled in the
/// configuration): the kiosk degrades (no reader → the manual path, no
/// printer → the receipt number on screen).
pub struct DeviceOpeners {
    pub reader: Option<Opener>,
    pub scanner: Option<ScannerOpener>,
    pub printer: Option<Opener>,
    /// The document camera (V4L2 or simulated).
    pub camera: Option<CameraOpener>,
    pub paper: PaperWidth,
    /// Time between the reader's find-card polls.
    pub reader_poll: Duration,
}

/// The camera kiosk.toml's `[camera]` names; for `sim`, the switch of the
/// photo under it.
pub fn camera_opener(setting: &CameraSetting) -> (Option<CameraOpener>, Option<SimControl>) {
    match &setting.source {
        CameraSource::None => (None, None),
        CameraSource::Sim => {
            let control = SimControl::default();
            (Some(SimCamera::opener(control.clone())), Some(control))
        }
        CameraSource::Device(path) => {
            let (path, size) = (path.clone(), setting.size);
            let open: CameraOpener = Box::new(move || {
                Ok(Box::new(V4l2Camera::open(&path, size)?)
                    as Box<dyn onevisit_drivers::camera::Camera>)
            });
            (Some(open), None)
        }
    }
}

impl DeviceOpeners {
    /// The configured devices: serial paths at their baud rate, or USB by
    /// `VID:PID` (the SAM reader's bulk variant, the printer's bulk
    /// endpoints, the scanner's HID interrupt endpoint, decoded as the
    /// interface declares: boot keyboard → keyboard mode, else HID POS).
    pub fn from_config(cfg: &KioskConfig) -> DeviceOpeners {
        let d = &cfg.devices;
        let reader = enabled(&d.id_reader).map(|s| -> Opener {
            Box::new(onevisit_drivers::sam::supervised::opener(
                s.address.clone(),
                s.baud,
            ))
        });
        let scanner = enabled(&d.scanner).map(|s| match &s.address {
            DeviceAddress::Path(p) => ScannerOpener::Line(serial(p.clone(), s.baud)),
            DeviceAddress::Usb { vid, pid } => ScannerOpener::Hid(usb_hid_scanner(*vid, *pid)),
        });
        let printer = enabled(&d.printer).map(|s| match &s.address {
            DeviceAddress::Path(p) => serial(p.clone(), s.baud),
            DeviceAddress::Usb { vid, pid } => {
                let (vid, pid) = (*vid, *pid);
                Box::new(move || Ok(Box::new(open_printer(vid, pid)?) as Box<dyn Transport>))
            }
        });
        DeviceOpeners {
            reader,
            scanner,
            printer,
            camera: camera_opener(&cfg.camera).0,
            paper: d.paper_width,
            reader_poll: Duration::from_millis(500),
        }
    }
}

/// A HID scanner at `vid:pid`, its format read from the device at each
/// open (it may have been switched between modes while unplugged).
pub fn usb_hid_scanner(vid: u16, pid: u16) -> HidOpener {
    Box::new(move || {
        let (reader, interface) = open_hid_scanner(vid, pid)?;
        let format = HidReportFormat::of_interface(&interface);
        Ok((Box::new(reader) as Box<dyn Transport>, format))
    })
}

fn enabled(s: &DeviceSetting) -> Option<&DeviceSetting> {
    s.enabled.then_some(s)
}

/// An opener for a serial/CDC device node.
pub fn serial(path: PathBuf, baud: u32) -> Opener {
    Box::new(move || Ok(Box::new(SerialTransport::open(&path, baud)?) as Box<dyn Transport>))
}

/// Takes every device's health after a change; false once nobody listens.
pub type HealthSink = Box<dyn Fn(&BTreeMap<DeviceId, Health>) -> bool + Send>;

/// Where device events go (the UI thread in the kiosk, a channel in
/// tests). Each returns false once nobody listens any more.
pub struct DeviceSinks {
    pub reader: Box<dyn Fn(ReaderEvent) -> bool + Send>,
    pub scanned: Box<dyn Fn(String) -> bool + Send>,
    /// Every device's health, after each change (devices kiosk.toml
    /// disables are `Missing(NOT_CONFIGURED)`).
    pub health: HealthSink,
}

impl DeviceSinks {
    /// The kiosk on the UI thread, through [`post`].
    pub fn kiosk() -> DeviceSinks {
        DeviceSinks {
            reader: Box::new(|e| post(move |k| k.reader_event(e))),
            scanned: Box::new(|text| post(move |k| k.scanned(&text))),
            health: Box::new(|h| {
                let h = h.clone();
                post(move |k| k.device_health(h))
            }),
        }
    }

    /// The same, delivering only while `current` holds `mine`: once a
    /// restart replaced these devices, their late events are dropped (so
    /// a stale health map cannot overwrite the new devices') and their
    /// forwarding threads end.
    pub fn while_current(self, current: &Arc<AtomicU32>, mine: u32) -> DeviceSinks {
        let live = |c: Arc<AtomicU32>| move || c.load(Ordering::SeqCst) == mine;
        let (r, s, h) = (
            live(current.clone()),
            live(current.clone()),
            live(current.clone()),
        );
        let DeviceSinks {
            reader,
            scanned,
            health,
        } = self;
        DeviceSinks {
            reader: Box::new(move |e| r() && reader(e)),
            scanned: Box::new(move |t| s() && scanned(t)),
            health: Box::new(move |m| h() && health(m)),
        }
    }

    /// The same, with each health change first recorded by `recorder`
    /// (staff database, paper forecast, heartbeats), off the UI thread.
    pub fn recorded_by(self, recorder: DeviceRecorder) -> DeviceSinks {
        let health = self.health;
        DeviceSinks {
            health: Box::new(move |h| {
                recorder.health(h);
                health(h)
            }),
            ..self
        }
    }
}

/// The devices under supervision; dropping this stops them.
pub struct RunningDevices {
    _manager: DeviceManager,
    /// Print jobs for the printer worker (None: no printer configured).
    pub printer: Option<Sender<PrintRequest>>,
    /// The camera's frames for the capture screen (None: no camera).
    pub camera: Option<CameraFeed>,
    pub paper: PaperWidth,
}

/// Starts each device under one device manager (reconnects with backoff)
/// and forwards its events to `sinks`.
pub fn start_devices(
    openers: DeviceOpeners,
    sinks: DeviceSinks,
) -> std::io::Result<RunningDevices> {
    let (mut manager, changes) = DeviceManager::new();
    let backoff = Backoff {
        initial: Duration::from_millis(200),
        max: Duration::from_secs(5),
        reopen_after_failures: 3,
    };
    let DeviceSinks {
        reader,
        scanned,
        health,
    } = sinks;
    // Devices the kiosk does not have are reported once, as such; the
    // others as the manager sees them, after each change.
    let mut map = BTreeMap::new();
    for (name, configured) in [
        (DeviceId::IdReader, openers.reader.is_some()),
        (DeviceId::Scanner, openers.scanner.is_some()),
        (DeviceId::Printer, openers.printer.is_some()),
        (DeviceId::Camera, openers.camera.is_some()),
    ] {
        if !configured {
            map.insert(name, Health::Missing(NOT_CONFIGURED.into()));
        }
    }
    if !health(&map) {
        log::warn!("device health has no listener");
    }
    forward("device-health", changes, move |change| {
        map.insert(change.device, change.health);
        health(&map)
    })?;
    if let Some(open) = openers.reader {
        let (tx, rx) = std::sync::mpsc::channel::<ReaderEvent>();
        manager.supervise(
            SupervisedReader::new(open, tx).with_poll_interval(openers.reader_poll),
            backoff,
        );
        forward("reader-events", rx, reader)?;
    } else {
        // No reader: the welcome page shows the manual path.
        let _ = reader(ReaderEvent::ReaderLost(
            "未配置身份证读卡器 (no ID reader configured)".into(),
        ));
    }
    if let Some(open) = openers.scanner {
        let (tx, rx) = std::sync::mpsc::channel::<ScannerEvent>();
        // One device name and one event channel whichever way it is read.
        match open {
            ScannerOpener::Line(open) => manager.supervise(
                SupervisedScanner::new(open, LineConfig::default(), tx),
                backoff,
            ),
            ScannerOpener::Hid(open) => {
                manager.supervise(SupervisedHidScanner::new(open, tx), backoff)
            }
        }
        forward("scanner-events", rx, move |e| match e {
            ScannerEvent::Scanned { scan, .. } => scanned(scan.text),
            ScannerEvent::Rejected(err) => {
                log::warn!("scan rejected: {err}");
                true
            }
        })?;
    }
    let printer = openers.printer.map(|open| {
        let (jobs_tx, jobs_rx) = std::sync::mpsc::channel();
        manager.supervise(
            SupervisedPrinter::new(open, PrinterConfig::default(), jobs_rx),
            backoff,
        );
        jobs_tx
    });
    let camera = openers.camera.map(|open| {
        let feed = CameraFeed::default();
        manager.supervise(SupervisedCamera::new(open, feed.clone()), backoff);
        feed
    });
    Ok(RunningDevices {
        _manager: manager,
        printer,
        camera,
        paper: openers.paper,
    })
}

impl RunningDevices {
    /// The capture screen shows this camera's pictures.
    pub fn connect_camera(&self, kiosk: &Kiosk) {
        if let Some(feed) = &self.camera {
            kiosk.set_camera(feed.clone());
        }
    }

    /// Prints the kiosk's documents on this printer, keeping them for
    /// reprints in `<data_dir>/print-jobs.sqlite3` and counting their paper
    /// with `recorder`. Without a printer the kiosk says so and shows the
    /// receipt number instead.
    pub fn connect_printer(
        &self,
        kiosk: &Kiosk,
        data_dir: &std::path::Path,
        recorder: &DeviceRecorder,
    ) {
        if let Some(jobs) = &self.printer {
            kiosk.set_print_handler(print_handler(
                jobs.clone(),
                Some(data_dir.join(onevisit_core::print::REPRINT_STORE_FILE)),
                self.paper,
                recorder.clone(),
                |result| {
                    post(move |k| k.print_finished(result));
                },
            ));
        }
    }
}

/// Moves device events off their channel; ends when `deliver` says the
/// receiver is gone.
fn forward<E: Send + 'static>(
    name: &str,
    rx: std::sync::mpsc::Receiver<E>,
    mut deliver: impl FnMut(E) -> bool + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            for event in rx {
                if !deliver(event) {
                    break;
                }
            }
        })
        .map(|_| ())
}

/// Staff mode and the progress query for a kiosk: the staff desk the
/// services already opened (`staff.sqlite3` in the data directory), the
/// PIN gate from `staff_pin_hash` (none: staff mode says 未设置维护密码),
/// and a query that asks the platform with a short timeout and answers
/// from the outbox when it cannot.
pub fn staff_services(
    cfg: &KioskConfig,
    services: &Services,
    catalog: &onevisit_core::catalog::Catalog,
) -> Result<onevisit_core::visit::staff_mode::StaffServices, ServicesError> {
    let desk = match services.recorder.desk() {
        Some(d) => d.clone(),
        // The services could not open it; try once more for the reason.
        None => StaffDesk::open(&cfg.data_dir, cfg.devices.paper, Arc::new(SystemClock))?,
    };
    let gate = desk.gate(cfg.staff_pin_hash.as_deref())?;
    let outbox = services.outbox.clone();
    let query = onevisit_core::progress::ProgressQuery::new(
        outbox.clone(),
        Some(Arc::new(services.link.status_lookup(PERSON_WAITING))),
        onevisit_core::progress::item_names(catalog),
        desk.clock().clone(),
    )
    .with_audit(desk.audit().clone())
    .with_staff_window(catalog.staff_window());
    Ok(
        onevisit_core::visit::staff_mode::StaffServices::new(desk, gate, outbox)
            .with_catalog_version(Some(catalog.version.declared.clone()))
            .with_reprint_store(cfg.data_dir.join(onevisit_core::print::REPRINT_STORE_FILE))
            .with_paper(cfg.devices.paper_width)
            .with_export_dir(cfg.diagnostics_dir.clone())
            .with_logs(cfg.log_dirs())
            .with_query(Arc::new(query)),
    )
}

/// The kiosk's running devices, restartable: 重置终端 on the staff screen
/// stops them (on a thread: each worker first finishes its current unit of
/// work) and starts them again from the same openers, reconnecting the
/// printer, so a wedged device gets a fresh open without a reboot.
pub struct DeviceRig {
    openers: Box<dyn Fn() -> DeviceOpeners>,
    recorder: DeviceRecorder,
    data_dir: PathBuf,
    running: RefCell<Option<RunningDevices>>,
    /// Which start the running devices are (0 first, +1 per restart);
    /// older devices' events are dropped.
    generation: Arc<AtomicU32>,
}

impl DeviceRig {
    /// Starts the devices from `openers`, their events to `sinks` (after a
    /// restart: to the kiosk on the UI thread), health recorded by
    /// `recorder`.
    pub fn start(
        openers: impl Fn() -> DeviceOpeners + 'static,
        sinks: DeviceSinks,
        recorder: DeviceRecorder,
        data_dir: PathBuf,
    ) -> std::io::Result<Rc<DeviceRig>> {
        let generation = Arc::new(AtomicU32::new(0));
        let running = start_devices(
            openers(),
            sinks
                .recorded_by(recorder.clone())
                .while_current(&generation, 0),
        )?;
        Ok(Rc::new(DeviceRig {
            openers: Box::new(openers),
            recorder,
            data_dir,
            running: RefCell::new(Some(running)),
            generation,
        }))
    }

    /// Connects the printer to `kiosk` and makes 重置终端 restart the
    /// devices.
    pub fn connect(self: &Rc<Self>, kiosk: &Rc<Kiosk>) {
        if let Some(r) = self.running.borrow().as_ref() {
            r.connect_printer(kiosk, &self.data_dir, &self.recorder);
            r.connect_camera(kiosk);
        }
        let rig = Rc::downgrade(self);
        let weak = Rc::downgrade(kiosk);
        kiosk.set_staff_reset_handler(move || {
            if let (Some(rig), Some(k)) = (rig.upgrade(), weak.upgrade()) {
                rig.restart(&k);
            }
        });
    }

    /// Stops the devices and starts them again.
    pub fn restart(&self, kiosk: &Kiosk) {
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(old) = self.running.borrow_mut().take() {
            // Joining the workers can take a second or two: not on the UI
            // thread. The new workers retry their opens until the old
            // ones have let go of the ports.
            let stopped = std::thread::Builder::new()
                .name("devices-stop".into())
                .spawn(move || drop(old));
            if let Err(e) = stopped {
                log::error!("cannot stop the devices on a thread: {e}");
            }
        }
        match start_devices(
            (self.openers)(),
            DeviceSinks::kiosk()
                .recorded_by(self.recorder.clone())
                .while_current(&self.generation, mine),
        ) {
            Ok(running) => {
                running.connect_printer(kiosk, &self.data_dir, &self.recorder);
                running.connect_camera(kiosk);
                *self.running.borrow_mut() = Some(running);
                log::info!("devices restarted (重置终端)");
            }
            Err(e) => log::error!("devices not restarted: {e}"),
        }
    }

    /// How many times the devices were restarted.
    pub fn restarts(&self) -> u32 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The printer's job queue (None: no printer configured).
    pub fn printer(&self) -> Option<Sender<PrintRequest>> {
        self.running.borrow().as_ref()?.printer.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_of_replaced_devices_are_dropped_and_end_their_forwarding() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (reader_tx, scan_tx) = (tx.clone(), tx.clone());
        let current = Arc::new(AtomicU32::new(0));
        let sinks = DeviceSinks {
            reader: Box::new(move |_| reader_tx.send("reader").is_ok()),
            scanned: Box::new(move |_| scan_tx.send("scan").is_ok()),
            health: Box::new(move |_| tx.send("health").is_ok()),
        }
        .while_current(&current, 0);
        assert!((sinks.scanned)("code".into()));
        assert!((sinks.health)(&BTreeMap::new()));
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), ["scan", "health"]);
        // A restart: these devices are the old ones now.
        current.store(1, Ordering::SeqCst);
        assert!(!(sinks.health)(&BTreeMap::new()));
        assert!(!(sinks.reader)(ReaderEvent::CardRemoved));
        assert!(!(sinks.scanned)("late".into()));
        assert!(rx.try_iter().next().is_none(), "nothing delivered");
    }
}
