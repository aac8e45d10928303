//! Memory split for the benches (the binary's UI bench and the drivers'
//! handwriting and speech benches include this file by `#[path]`).

/// kB figures of /proc/self/smaps_rollup: (resident, private, file-backed).
/// "Private" here is anonymous memory, the part that costs RAM for good;
/// a mapped file's pages count as Private_Clean while one process maps them
/// but the kernel can drop and re-read them, so they are file-backed.
pub fn memory_kb() -> Option<(u64, u64, u64)> {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    let field = |name: &str| -> u64 {
        rollup
            .lines()
            .find_map(|l| {
                l.strip_prefix(name)?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    };
    let anonymous = field("Anonymous:");
    Some((
        field("Rss:"),
        anonymous,
        field("Rss:").saturating_sub(anonymous),
    ))
}
