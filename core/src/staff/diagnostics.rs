//! The diagnostics bundle staff export to a USB stick: one folder with
//! versions, device states, the outbox status, the staff overview, recent
//! audit entries and copies of the log files, every text masked
//! ([`super::mask::mask_personal`]) so that no ID number, mobile number or
//! named person leaves the kiosk. The folder is written under a
//! `.partial` name and renamed when complete, so a stick pulled out early
//! never holds a bundle that looks whole.

use super::mask::mask_personal;
use super::status::StaffDesk;
use super::{StaffError, cst};
use crate::outbox::{Outbox, UplinkState};
use onevisit_drivers::manager::{DeviceId, Health};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// At most this much of each log file is copied (its end).
const MAX_LOG_BYTES: u64 = 16 * 1024 * 1024;

/// Why the bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    #[error("无法写入 {path}：{reason}。请确认 U 盘已插好、已挂载且没有写保护 (not writable)")]
    NotWritable { path: PathBuf, reason: String },
    #[error(transparent)]
    Staff(#[from] StaffError),
}

/// What goes into the bundle besides what the desk knows.
pub struct DiagnosticsInput<'a> {
    pub outbox: &'a Outbox,
    /// The device manager's live health (None: the last saved).
    pub devices: Option<&'a BTreeMap<DeviceId, Health>>,
    pub uplink: Option<&'a UplinkState>,
    pub catalog_version: Option<String>,
    /// Log files, or directories whose files are all copied.
    pub logs: Vec<PathBuf>,
    /// How many audit entries (newest first).
    pub audit_entries: usize,
}

/// The finished bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticsReport {
    pub dir: PathBuf,
    /// File names inside `dir`.
    pub files: Vec<String>,
}

fn not_writable(path: &Path, e: impl std::fmt::Display) -> DiagnosticsError {
    DiagnosticsError::NotWritable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Writes the bundle into a new folder under `out` and returns it.
pub fn export(
    desk: &StaffDesk,
    out: &Path,
    input: &DiagnosticsInput<'_>,
) -> Result<DiagnosticsReport, DiagnosticsError> {
    let meta = std::fs::metadata(out).map_err(|e| not_writable(out, e))?;
    if !meta.is_dir() {
        return Err(not_writable(out, "不是目录 (not a directory)"));
    }
    let now = desk.clock().now_ms();
    let stamp = cst(now).replace([' ', ':'], "").replace('-', "");
    let name = format!(
        "onevisit-diagnostics-{}-{}",
        input.outbox.kiosk_id(),
        &stamp
    );
    // Two exports in the same second get -2, -3, … rather than failing.
    let name = (1..)
        .map(|n| {
            if n == 1 {
                name.clone()
            } else {
                format!("{name}-{n}")
            }
        })
        .find(|n| !out.join(n).exists() && !out.join(format!("{n}.partial")).exists())
        .expect("a free name");
    let partial = out.join(format!("{name}.partial"));
    let done = out.join(&name);
    std::fs::create_dir_all(partial.join("logs")).map_err(|e| not_writable(out, e))?;
    let mut files: Vec<String> = Vec::new();
    let write = |files: &mut Vec<String>, rel: &str, text: &str| -> Result<(), DiagnosticsError> {
        let p = partial.join(rel);
        let mut f = std::fs::File::create(&p).map_err(|e| not_writable(&p, e))?;
        f.write_all(mask_personal(text).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| not_writable(&p, e))?;
        files.push(rel.to_string());
        Ok(())
    };

    let overview = desk.overview(
        input.devices,
        input.outbox,
        input.uplink,
        input.catalog_version.clone(),
    )?;
    write(
        &mut files,
        "overview.json",
        &serde_json::to_string_pretty(&overview).expect("json"),
    )?;
    write(&mut files, "overview.txt", &overview.to_text())?;
    let status = input.outbox.status().map_err(StaffError::from)?;
    write(
        &mut files,
        "outbox-status.json",
        &serde_json::to_string_pretty(&status).expect("json"),
    )?;
    let raw_devices = match input.devices {
        Some(d) => serde_json::to_value(d).expect("json"),
        None => serde_json::to_value(desk.saved_devices()?).expect("json"),
    };
    write(
        &mut files,
        "devices.json",
        &serde_json::to_string_pretty(&raw_devices).expect("json"),
    )?;
    let audit: Vec<String> = desk
        .audit()
        .recent(input.audit_entries)?
        .iter()
        .map(|e| e.to_string())
        .collect();
    write(&mut files, "audit.txt", &(audit.join("\n") + "\n"))?;

    let mut log_files = Vec::new();
    for p in &input.logs {
        if p.is_dir() {
            let mut inner: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            inner.retain(|f| f.is_file());
            inner.sort();
            log_files.extend(inner);
        } else if p.is_file() {
            log_files.push(p.clone());
        }
    }
    let mut skipped = Vec::new();
    for (i, src) in log_files.iter().enumerate() {
        let base = src
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| format!("log{i}"));
        let rel = format!("logs/{i:02}-{base}");
        match masked_copy(src, &partial.join(&rel)) {
            Ok(()) => files.push(rel),
            Err(CopyError::Write(e)) => return Err(not_writable(&partial.join(&rel), e)),
            Err(CopyError::Read(e)) => skipped.push(format!("{}: {e}", src.display())),
        }
    }
    let mut manifest = format!(
        "onevisit diagnostics\nkiosk {}\nmade {}\napp {}\ncatalog {}\n\nfiles:\n",
        input.outbox.kiosk_id(),
        cst(now),
        overview.versions.app,
        overview.versions.catalog.as_deref().unwrap_or("-"),
    );
    for f in &files {
        manifest.push_str(&format!("  {f}\n"));
    }
    for s in &skipped {
        manifest.push_str(&format!("  (unreadable, skipped) {s}\n"));
    }
    manifest.push_str(
        "\nPersonal data (ID numbers, mobile numbers, named people) is masked in every file.\n",
    );
    write(&mut files, "MANIFEST.txt", &manifest)?;
    std::fs::rename(&partial, &done).map_err(|e| not_writable(&done, e))?;
    desk.audit().record(
        "staff",
        "diagnostics_export",
        &format!("ok: {} ({} files)", done.display(), files.len()),
    )?;
    Ok(DiagnosticsReport { dir: done, files })
}

enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Copies the end of `src` to `dst`, masking line by line.
fn masked_copy(src: &Path, dst: &Path) -> Result<(), CopyError> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(src).map_err(CopyError::Read)?;
    let len = f.metadata().map_err(CopyError::Read)?.len();
    let cut = len > MAX_LOG_BYTES;
    if cut {
        f.seek(SeekFrom::Start(len - MAX_LOG_BYTES))
            .map_err(CopyError::Read)?;
    }
    let mut reader = std::io::BufReader::new(f);
    let mut out = std::io::BufWriter::new(std::fs::File::create(dst).map_err(CopyError::Write)?);
    let mut buf = Vec::new();
    let mut first = true;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(CopyError::Read)?;
        if n == 0 {
            break;
        }
        if std::mem::take(&mut first) && cut {
            // Skip the partial first line after the cut.
            out.write_all(b"[... earlier lines not copied ...]\n")
                .map_err(CopyError::Write)?;
            continue;
        }
        let line = String::from_utf8_lossy(&buf);
        out.write_all(mask_personal(&line).as_bytes())
            .map_err(CopyError::Write)?;
    }
    out.flush().map_err(CopyError::Write)?;
    out.get_ref().sync_all().map_err(CopyError::Write)?;
    Ok(())
}
