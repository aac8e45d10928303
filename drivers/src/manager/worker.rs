//! The loop that supervises one device.

use super::{Backoff, Fault, Health, HealthChange, HealthMap, Supervised};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

pub(super) struct Worker<S: Supervised> {
    pub device: S,
    pub backoff: Backoff,
    pub stop: Receiver<()>,
    pub health: HealthMap,
    pub changes: Sender<HealthChange>,
    pub id: super::DeviceId,
}

impl<S: Supervised> Worker<S> {
    pub fn run(mut self) {
        let mut open: Option<S::Device> = None;
        let mut wait: Option<Duration> = None;
        let mut failures = 0u32;
        let mut current: Option<Health> = None;
        while !self.stopped() {
            let Some(device) = open.as_mut() else {
                match self
                    .device
                    .open()
                    .and_then(|mut d| self.device.probe(&mut d).map(|h| (d, h)))
                {
                    Ok((device, health)) => {
                        open = Some(device);
                        wait = None;
                        failures = 0;
                        self.report(&mut current, health);
                    }
                    Err(fault) => {
                        let health = match fault {
                            Fault::Gone(reason) => Health::Missing(reason),
                            Fault::Failing(reason) => Health::Degraded(reason),
                        };
                        self.report(&mut current, health);
                        let next = self.backoff.next(wait);
                        wait = Some(next);
                        if self.sleep(next) {
                            return;
                        }
                    }
                }
                continue;
            };
            match self.device.run_once(device) {
                Ok(health) => {
                    failures = 0;
                    self.report(&mut current, health);
                }
                Err(Fault::Gone(reason)) => {
                    log::warn!("设备{}已断开 (device gone): {reason}", self.id);
                    open = None;
                    self.report(&mut current, Health::Missing(reason));
                }
                Err(Fault::Failing(reason)) => {
                    failures += 1;
                    log::warn!(
                        "设备{}工作异常 (device failing, {failures}): {reason}",
                        self.id
                    );
                    self.report(&mut current, Health::Degraded(reason));
                    if failures >= self.backoff.reopen_after_failures {
                        // Closing and reopening clears stuck drivers and
                        // adapters; wait first so a broken device is not
                        // hammered.
                        open = None;
                        failures = 0;
                        let next = self.backoff.next(wait);
                        wait = Some(next);
                        if self.sleep(next) {
                            return;
                        }
                    }
                }
            }
        }
    }

    fn report(&mut self, current: &mut Option<Health>, health: Health) {
        if current.as_ref() == Some(&health) {
            return;
        }
        log::info!("设备{}状态 (health): {health:?}", self.id);
        self.device.on_health(&health);
        if let Ok(mut map) = self.health.lock() {
            map.insert(self.id, health.clone());
        }
        let _ = self.changes.send(HealthChange {
            device: self.id,
            health: health.clone(),
        });
        *current = Some(health);
    }

    fn stopped(&self) -> bool {
        !matches!(
            self.stop.try_recv(),
            Err(std::sync::mpsc::TryRecvError::Empty)
        )
    }

    /// Sleeps `d` unless told to stop; true when stopping.
    fn sleep(&self, d: Duration) -> bool {
        !matches!(self.stop.recv_timeout(d), Err(RecvTimeoutError::Timeout))
    }
}
