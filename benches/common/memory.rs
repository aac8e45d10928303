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

/// The `n` mappings with the most resident memory, from /proc/self/smaps:
/// (what is mapped, resident kB, anonymous kB), largest first. Anonymous
/// mappings without a name are summed as "[anonymous]".
#[allow(dead_code)] // only the UI bench prints them
pub fn largest_mappings(n: usize) -> Vec<(String, u64, u64)> {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return Vec::new();
    };
    let mut totals: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    let mut current = String::new();
    let kb = |rest: &str| -> u64 {
        rest.trim()
            .strip_suffix("kB")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            // A mapping's header: address range, perms, offset, dev, inode, path.
            let path = line.split_whitespace().nth(5).unwrap_or("[anonymous]");
            current = path.to_string();
        } else if let Some(rest) = line.strip_prefix("Rss:") {
            totals.entry(current.clone()).or_default().0 += kb(rest);
        } else if let Some(rest) = line.strip_prefix("Anonymous:") {
            totals.entry(current.clone()).or_default().1 += kb(rest);
        }
    }
    let mut all: Vec<_> = totals.into_iter().map(|(k, (r, a))| (k, r, a)).collect();
    all.sort_by_key(|(_, rss, _)| std::cmp::Reverse(*rss));
    all.truncate(n);
    all
}
