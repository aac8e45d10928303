//! One runtime and one client for everything the kiosk sends. The kiosk
//! builds a [`Link`] once; the outbox drain, the heartbeats and the
//! progress queries all run on its runtime through the same connection
//! pool (a cloned `reqwest::Client` shares it).

use crate::{PlatformClient, PlatformError, Uplink};
use onevisit_core::applicant::{LicenceData, LicenceSource};
use onevisit_core::platform::contract::CaseStatus;
use onevisit_core::progress::CaseStatusSource;
use onevisit_core::visit::materials::{ElicenceSource, HeldLicence};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The kiosk's connection to the platform: one Tokio runtime (one worker
/// thread: the kiosk sends little) and one signed HTTP client.
#[derive(Clone)]
pub struct Link {
    runtime: Arc<tokio::runtime::Runtime>,
    client: PlatformClient,
}

impl Link {
    pub fn new(client: PlatformClient) -> std::io::Result<Link> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("uplink")
            .enable_all()
            .build()?;
        Ok(Link {
            runtime: Arc::new(runtime),
            client,
        })
    }

    pub fn client(&self) -> &PlatformClient {
        &self.client
    }

    /// The runtime, for other long-running tasks of the kiosk (the fleet
    /// client).
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }

    /// Runs `f` on the link's runtime and waits for it. Not from inside
    /// the runtime (an async task): that would block its only worker.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// One request for a person waiting at the screen, cut off after
    /// `timeout` (a retryable failure, like an unreachable platform).
    fn ask<T>(
        &self,
        timeout: Duration,
        request: impl Future<Output = Result<T, PlatformError>>,
    ) -> Result<T, PlatformError> {
        match self.block_on(async { tokio::time::timeout(timeout, request).await }) {
            Ok(answer) => answer,
            Err(_) => Err(PlatformError::Retryable {
                reason: format!("timeout after {} s", timeout.as_secs()),
                retry_after: None,
            }),
        }
    }

    /// The progress query's source of case status: the same client, each
    /// query cut off after `timeout` (the applicant is waiting).
    pub fn status_lookup(&self, timeout: Duration) -> StatusLookup {
        StatusLookup {
            link: self.clone(),
            timeout,
        }
    }

    /// The form's source of shared licence data: the same client, each
    /// lookup cut off after `timeout` (the applicant is waiting).
    pub fn licence_lookup(&self, timeout: Duration) -> LicenceLookup {
        LicenceLookup {
            link: self.clone(),
            timeout,
        }
    }

    /// Starts `uplink` (built on [`Link::client`]) on the runtime for the
    /// life of the process.
    pub fn start_uplink(&self, uplink: Uplink) -> UplinkHandle {
        let offline = Arc::new(Mutex::new(None));
        let seen = offline.clone();
        let mut states = uplink.subscribe();
        let (stop, stop_rx) = watch::channel(false);
        self.runtime.spawn(async move {
            while states.changed().await.is_ok() {
                let retrying = states.borrow().mode == "retrying";
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(retrying);
            }
        });
        self.runtime.spawn(async move {
            if let Err(e) = uplink.run(false, stop_rx).await {
                log::error!("STAFF ALERT: uplink stopped: {e}");
            }
        });
        UplinkHandle {
            offline,
            _stop: stop,
        }
    }
}

/// A running uplink: whether the platform is reachable. Dropping it stops
/// the uplink at its next wait.
pub struct UplinkHandle {
    offline: Arc<Mutex<Option<bool>>>,
    _stop: watch::Sender<bool>,
}

impl UplinkHandle {
    /// Whether the platform is unreachable (None until the uplink knows).
    pub fn offline(&self) -> Option<bool> {
        *self.offline.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The same flag, for a thread that watches it.
    pub fn offline_flag(&self) -> Arc<Mutex<Option<bool>>> {
        self.offline.clone()
    }
}

/// Case status from the platform for 办件查询, through the [`Link`].
#[derive(Clone)]
pub struct StatusLookup {
    link: Link,
    timeout: Duration,
}

impl CaseStatusSource for StatusLookup {
    fn case_status(&self, receipt_no: &str) -> Result<CaseStatus, PlatformError> {
        self.link
            .ask(self.timeout, self.link.client.case_status(receipt_no))
    }
}

/// Shared licence data from the platform for the form, and the 电子证照
/// the applicant holds for the materials page, through the
/// [`Link`].
#[derive(Clone)]
pub struct LicenceLookup {
    link: Link,
    timeout: Duration,
}

impl ElicenceSource for LicenceLookup {
    fn elicences(
        &self,
        id_number: &str,
        materials: &[String],
    ) -> Result<Vec<HeldLicence>, PlatformError> {
        let query = onevisit_core::platform::contract::ElicenceQuery {
            id_number: id_number.to_string(),
            materials: materials.to_vec(),
        };
        self.link
            .ask(self.timeout, self.link.client.elicences(&query))
    }
}

impl LicenceSource for LicenceLookup {
    fn licence(&self, uscc: &str) -> Result<Option<LicenceData>, PlatformError> {
        self.link
            .ask(self.timeout, self.link.client.licence(uscc))
            .map(|l| l.map(LicenceData::from))
    }
}
