//! Printing as queued jobs: each job is kept (by receipt number or notice
//! id) before it is sent, so a receipt lost to a paper-out can be printed
//! again later. The store is a trait: memory now, the outbox's SQLite
//! later.

use super::layout::Document;
use super::{PrintError, escpos::to_escpos};
use crate::fonts::CjkFont;
use onevisit_drivers::escpos::PaperWidth;
use onevisit_drivers::printer::{PrintReport, Printer};
use onevisit_drivers::transport::Transport;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// What a job prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Notice,
    Receipt,
    Commitment,
    TestPage,
    /// A document drafted from the form for signature (公司章程 …), one
    /// job per template.
    Signing(crate::catalog::Template),
    /// The 告知承诺书 for the items open to 告知承诺制.
    NotificationCommitment,
}

/// A job as stored for reprints: the width-independent document (it holds
/// masked personal data only), so it reprints on either paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredJob {
    /// The receipt number (or another id the counter can give).
    pub key: String,
    pub kind: DocumentKind,
    pub document: Document,
}

/// Where printed jobs are kept for reprinting.
pub trait JobStore {
    /// Keeps `job`; a later job of the same key and kind replaces it.
    fn put(&mut self, job: StoredJob) -> Result<(), PrintError>;
    /// Every kept job of `key`, in the order first stored.
    fn get(&self, key: &str) -> Result<Vec<StoredJob>, PrintError>;
}

/// The reprint store's file in the kiosk's data directory: the kiosk
/// writes it, staff mode and `onevisit print reprint` read it.
pub const REPRINT_STORE_FILE: &str = "print-jobs.sqlite3";

/// A [`JobStore`] in SQLite, so a receipt can be reprinted by its number
/// after a restart or a power cut. Stored documents hold masked personal
/// data only, so nothing here needs encrypting.
pub struct SqliteJobStore {
    db: rusqlite::Connection,
}

fn store_error(e: impl std::fmt::Display) -> PrintError {
    PrintError::Store(e.to_string())
}

impl SqliteJobStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &std::path::Path) -> Result<Self, PrintError> {
        let db = rusqlite::Connection::open(path).map_err(store_error)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS print_jobs (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 key TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 document TEXT NOT NULL,
                 UNIQUE (key, kind)
             );",
        )
        .map_err(store_error)?;
        Ok(Self { db })
    }
}

impl JobStore for SqliteJobStore {
    fn put(&mut self, job: StoredJob) -> Result<(), PrintError> {
        let kind = serde_json::to_string(&job.kind).map_err(store_error)?;
        let document = serde_json::to_string(&job.document).map_err(store_error)?;
        // Replacing in place keeps the first-stored order `get` promises.
        self.db
            .execute(
                "INSERT INTO print_jobs (key, kind, document) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key, kind) DO UPDATE SET document = excluded.document",
                rusqlite::params![job.key, kind, document],
            )
            .map_err(store_error)?;
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Vec<StoredJob>, PrintError> {
        let mut stmt = self
            .db
            .prepare("SELECT kind, document FROM print_jobs WHERE key = ?1 ORDER BY seq")
            .map_err(store_error)?;
        let rows = stmt
            .query_map([key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(store_error)?;
        rows.map(|row| {
            let (kind, document) = row.map_err(store_error)?;
            Ok(StoredJob {
                key: key.to_string(),
                kind: serde_json::from_str(&kind).map_err(store_error)?,
                document: serde_json::from_str(&document).map_err(store_error)?,
            })
        })
        .collect()
    }
}

/// A [`JobStore`] that lasts as long as the process.
#[derive(Debug, Default)]
pub struct MemoryJobStore {
    jobs: BTreeMap<String, Vec<StoredJob>>,
}

impl JobStore for MemoryJobStore {
    fn put(&mut self, job: StoredJob) -> Result<(), PrintError> {
        let list = self.jobs.entry(job.key.clone()).or_default();
        match list.iter_mut().find(|j| j.kind == job.kind) {
            Some(existing) => *existing = job,
            None => list.push(job),
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Vec<StoredJob>, PrintError> {
        Ok(self.jobs.get(key).cloned().unwrap_or_default())
    }
}

/// The kiosk's print queue for one printer.
pub struct PrintQueue<S: JobStore> {
    store: S,
    paper: PaperWidth,
    pending: VecDeque<StoredJob>,
}

impl<S: JobStore> PrintQueue<S> {
    pub fn new(store: S, paper: PaperWidth) -> Self {
        Self {
            store,
            paper,
            pending: VecDeque::new(),
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Jobs waiting to be printed.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Keeps the job for reprints, then queues it.
    pub fn submit(&mut self, job: StoredJob) -> Result<(), PrintError> {
        self.store.put(job.clone())?;
        self.pending.push_back(job);
        Ok(())
    }

    /// Prints queued jobs in order. The first failure stops the queue and
    /// leaves that job at its head (the printer refused it up front, or
    /// reported it interrupted: either way it prints again next time).
    pub fn run<T: Transport>(
        &mut self,
        printer: &mut Printer<T>,
        font: &CjkFont,
    ) -> Result<Vec<PrintReport>, PrintError> {
        let mut reports = Vec::new();
        while let Some(job) = self.pending.front() {
            let bytes = to_escpos(&job.document, self.paper, font)?;
            let report = printer.print_job(&bytes)?;
            log::info!(
                "printed {:?} {} ({} bytes)",
                job.kind,
                job.key,
                report.bytes
            );
            self.pending.pop_front();
            reports.push(report);
        }
        Ok(reports)
    }

    /// Queues every kept job of `key` again (the applicant lost the
    /// receipt, or it was cut short) and prints. `Ok(vec![])` never
    /// happens: an unknown key is [`PrintError::NothingToReprint`].
    pub fn reprint<T: Transport>(
        &mut self,
        key: &str,
        printer: &mut Printer<T>,
        font: &CjkFont,
    ) -> Result<Vec<PrintReport>, PrintError> {
        let jobs = self.store.get(key)?;
        if jobs.is_empty() {
            return Err(PrintError::NothingToReprint(key.to_string()));
        }
        self.pending.extend(jobs);
        self.run(printer, font)
    }
}
