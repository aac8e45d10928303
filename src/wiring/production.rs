//! `onevisit run [--config PATH]`: the installed kiosk. The configuration
//! (or `$ONEVISIT_CONFIG`), the start-up checks (fatal problems stop it
//! with a clear message; missing devices only degrade it), the outbox and
//! the uplink to the configured platform ([`Services`]), the configured
//! devices under supervision, a full-screen window of the configured size,
//! the configured idle times, speech (读屏) if the kiosk has a sound card,
//! sd_notify READY and watchdog keep-alives, no developer panel; installed
//! catalog updates are taken between visits ([`CatalogWatch`]).

use crate::config::{ConfigError, KioskConfig};
use crate::firmware::CatalogStore;
use crate::firmware::startup::{self, StartupReport};
use crate::wiring::services::{
    DeviceOpeners, DeviceRig, DeviceSinks, Services, ServicesError, post, set_posted_kiosk,
    watchdog_timer,
};
use onevisit_core::catalog::Catalog;
use onevisit_core::visit::session::Page;
use onevisit_drivers::speech::{Speaker, SpeechSettings};
use onevisit_ui::{AppWindow, Kiosk, SessionController};
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// How often the welcome page looks for a newly installed catalog.
pub const CATALOG_CHECK_EVERY: Duration = Duration::from_secs(60);

/// Loads the configuration for `onevisit run`: `path`, else
/// `$ONEVISIT_CONFIG`; production never falls back to built-in defaults.
pub fn load_config(path: Option<&Path>) -> Result<KioskConfig, ConfigError> {
    if KioskConfig::config_path(path).is_none() {
        return Err(ConfigError::Missing);
    }
    KioskConfig::load(path)
}

/// The start-up checks failed: the kiosk must not start. The report says
/// which check and what to do.
#[derive(Debug, thiserror::Error)]
#[error("自助终端无法启动 (the kiosk cannot start):\n{0}")]
pub struct StartupRefused(pub Box<StartupReport>);

impl StartupRefused {
    pub fn code(&self) -> &'static str {
        "startup_refused"
    }
}

/// The start-up checks; `Err` with the report when the kiosk must not start.
pub fn check(cfg: &KioskConfig) -> Result<(StartupReport, Catalog), StartupRefused> {
    let mut report = startup::run(cfg);
    match report.catalog.take() {
        Some(catalog) if !report.fatal() => Ok((report, catalog)),
        _ => Err(StartupRefused(Box::new(report))),
    }
}

/// The kiosk's services and devices, running: what `onevisit run` builds
/// before it opens the window (and what tests build with simulators).
pub struct Production {
    pub services: Services,
    pub devices: Rc<DeviceRig>,
}

impl Production {
    /// Opens the outbox, starts the uplink and the configured devices;
    /// device events go to `sinks` (after 重置终端: to the kiosk), their
    /// health is recorded for staff and heartbeats.
    pub fn start(cfg: &KioskConfig, sinks: DeviceSinks) -> Result<Production, ServicesError> {
        let services = Services::start(cfg)?;
        let for_devices = cfg.clone();
        let devices = DeviceRig::start(
            move || DeviceOpeners::from_config(&for_devices),
            sinks,
            services.recorder.clone(),
            cfg.data_dir.clone(),
        )?;
        Ok(Production { services, devices })
    }

    /// Connects the printer, 重置终端 and the offline banner to `kiosk`.
    pub fn connect(&self, kiosk: &Rc<Kiosk>) -> std::io::Result<()> {
        self.devices.connect(kiosk);
        self.services.share_licences(kiosk);
        self.services.show_banner()
    }
}

/// The controller for this configuration: outbox, idle times, notice key.
pub fn controller(cfg: &KioskConfig, catalog: Catalog, services: &Services) -> SessionController {
    let (controller, unknown) = SessionController::new(catalog)
        .with_outbox(services.outbox.clone())
        .with_idle(cfg.idle_timeout, cfg.idle_countdown)
        .with_notice_key(&cfg.notice_key)
        .with_staff_window(cfg.staff_window())
        .with_speech_volume(cfg.speech.volume_percent)
        .with_consult(cfg.consult.clone());
    if !unknown.is_empty() {
        log::warn!(
            "kiosk.toml [consult] names departments the catalog does not have: {}",
            unknown.join(", ")
        );
    }
    let (controller, unknown) = controller
        .with_rongque_days(cfg.rongque_days)
        .with_windows(cfg.windows.clone());
    if !unknown.is_empty() {
        log::warn!(
            "kiosk.toml [window] names departments the catalog does not have: {}",
            unknown.join(", ")
        );
    }
    controller
}

/// Gives `kiosk` its voice (kiosk.toml `[speech]`): eSpeak NG through
/// ALSA's default device. No voice or no sound card is a staff alert, and
/// the speech bar hides (the speaker tells once, from its own thread or at
/// once); the kiosk goes on without speech.
pub fn connect_speaker(cfg: &KioskConfig, kiosk: &Kiosk) {
    if !cfg.speech.enabled {
        log::info!("speech off: kiosk.toml speech.enabled = false");
        return;
    }
    let settings = SpeechSettings {
        rate_wpm: cfg.speech.rate_wpm,
        volume_percent: cfg.speech.volume_percent,
    };
    let speaker = Speaker::open_default(settings, |e| {
        log::error!("STAFF ALERT: speech off: {e}");
        // The bar follows on the UI thread.
        post(|k| k.refresh());
    });
    kiosk.set_speaker(Arc::new(speaker));
}

/// Installed catalog updates (`onevisit catalog install`), taken between
/// visits: [`CatalogWatch::apply`] swaps the controller's catalog when the
/// store's generation changed and the kiosk is on the welcome page.
pub struct CatalogWatch {
    store: CatalogStore,
    packaged: PathBuf,
    generation: u64,
}

impl CatalogWatch {
    /// Watches `cfg.catalog_root`, starting from its current generation
    /// (the catalog the kiosk started with).
    pub fn new(cfg: &KioskConfig) -> CatalogWatch {
        let store = CatalogStore::new(&cfg.catalog_root);
        let generation = store.generation().unwrap_or(0);
        CatalogWatch {
            store,
            packaged: cfg.catalog_dir.clone(),
            generation,
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// A changed catalog, loaded, when the kiosk is between visits.
    fn changed(&self, page: Page) -> Option<(u64, Catalog)> {
        if page != Page::Welcome {
            return None;
        }
        match self.store.load_if_changed(self.generation, &self.packaged) {
            Ok(found) => found,
            Err(e) => {
                log::warn!("catalog update not taken, the current catalog stays: {e}");
                None
            }
        }
    }

    /// Switches `controller` to a newly installed catalog if it is on the
    /// welcome page. True when it switched.
    pub fn apply(&mut self, controller: &mut SessionController) -> bool {
        self.apply_with(controller.page(), |c| controller.replace_catalog(c))
    }

    fn apply_with(&mut self, page: Page, replace: impl FnOnce(Catalog) -> bool) -> bool {
        let Some((generation, catalog)) = self.changed(page) else {
            return false;
        };
        if !replace(catalog) {
            return false;
        }
        log::info!("catalog switched to generation {generation}");
        self.generation = generation;
        true
    }

    /// Checks every `every` on the UI thread; the bundle tiles follow.
    pub fn start(mut self, kiosk: &Rc<Kiosk>, every: Duration) -> slint::Timer {
        let weak = Rc::downgrade(kiosk);
        let timer = slint::Timer::default();
        timer.start(slint::TimerMode::Repeated, every, move || {
            if let Some(k) = weak.upgrade() {
                let page = k.controller().page();
                self.apply_with(page, |c| k.replace_catalog(c));
            }
        });
        timer
    }
}

/// `onevisit run [--config PATH]`.
pub fn run(config: Option<&Path>) -> ExitCode {
    let cfg = match load_config(config) {
        Ok(c) => c,
        Err(e @ ConfigError::Missing) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("配置无效 (invalid configuration): {e}");
            return ExitCode::from(2);
        }
    };
    cfg.warn_if_dev();
    let (report, catalog) = match check(&cfg) {
        Ok(r) => r,
        Err(e) => {
            eprint!("{e}");
            return ExitCode::from(2);
        }
    };
    eprint!("{report}");
    #[cfg(feature = "kiosk-kms")]
    if std::env::var_os("SLINT_BACKEND").is_none()
        && let Err(e) = slint::BackendSelector::new()
            .backend_name("linuxkms".into())
            .renderer_name("software".into())
            .select()
    {
        eprintln!("无法使用 DRM/KMS 显示 (cannot use DRM/KMS): {e}");
        return ExitCode::from(2);
    }
    let window = match AppWindow::new() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("无法打开全屏窗口 (cannot open the kiosk screen): {e}");
            return ExitCode::from(2);
        }
    };
    let production = match Production::start(&cfg, DeviceSinks::kiosk()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("无法启动数据存储或设备 (cannot start the outbox, uplink or devices): {e}");
            return ExitCode::FAILURE;
        }
    };
    window.window().set_size(slint::PhysicalSize::new(
        cfg.screen.width,
        cfg.screen.height,
    ));
    window.window().set_fullscreen(true);
    // The controller applies kiosk.toml's staff window to the catalog;
    // staff mode and the query read it back from there.
    let controller = controller(&cfg, catalog, &production.services);
    let staff =
        crate::wiring::services::staff_services(&cfg, &production.services, controller.catalog());
    let kiosk = Kiosk::new(window, controller);
    match staff {
        Ok(s) => kiosk.with_staff(s),
        // Staff mode off; the applicants' side works on.
        Err(e) => log::error!("staff mode unavailable: {e}"),
    }
    kiosk.set_portrait(cfg.screen.orientation == crate::config::Orientation::Portrait);
    set_posted_kiosk(Some(kiosk.clone()));
    connect_speaker(&cfg, &kiosk);
    if let Err(e) = production.connect(&kiosk) {
        eprintln!("cannot start the offline banner: {e}");
        return ExitCode::FAILURE;
    }
    let _catalog = CatalogWatch::new(&cfg).start(&kiosk, CATALOG_CHECK_EVERY);
    log::info!(
        "onevisit kiosk {} running: data in {}, platform {}",
        cfg.kiosk_id,
        cfg.data_dir.display(),
        cfg.platform_url
    );
    let _watchdog = watchdog_timer();
    if let Err(e) = crate::firmware::watchdog::notify_ready() {
        log::warn!("sd_notify READY: {e}");
    }
    let result = kiosk.window().run();
    set_posted_kiosk(None);
    let _ = crate::firmware::watchdog::notify_stopping();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
