//! A test runner for tests that each need a process of their own: Slint's
//! testing backend can be installed once per process, so every Slint test
//! used to be a binary of its own (a link of ~100 MB each). Here one binary
//! holds them all; run without arguments it starts itself once per test
//! (`--run-one NAME`) and reports like libtest, so `cargo test` and its
//! filters work as usual.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub type Case = (&'static str, fn());

pub fn main(cases: &[Case]) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--run-one") {
        let name = args.get(i + 1).map(String::as_str).unwrap_or_default();
        return match cases.iter().find(|(n, _)| *n == name) {
            Some((_, run)) => {
                run();
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("no test named {name:?}");
                ExitCode::from(2)
            }
        };
    }
    if args.iter().any(|a| a == "--list") {
        for (name, _) in cases {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let exact = args.iter().any(|a| a == "--exact");
    let mut filters = Vec::new();
    let mut skips = Vec::new();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--skip" => skips.extend(it.next().cloned()),
            "--test-threads" => threads = it.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            s if s.starts_with("--test-threads=") => {
                threads = s["--test-threads=".len()..].parse().unwrap_or(1)
            }
            s if s.starts_with('-') => {} // --nocapture, --color …: no effect here
            s => filters.push(s.to_string()),
        }
    }
    let matches = |name: &str, f: &str| if exact { name == f } else { name.contains(f) };
    let chosen: Vec<&Case> = cases
        .iter()
        .filter(|(n, _)| filters.is_empty() || filters.iter().any(|f| matches(n, f)))
        .filter(|(n, _)| !skips.iter().any(|s| matches(n, s)))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot find this test binary: {e}");
            return ExitCode::FAILURE;
        }
    };
    let next = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, chosen.len().max(1)) {
            s.spawn(|| {
                while let Some((name, _)) = chosen.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let out = Command::new(&exe).args(["--run-one", name]).output();
                    let ok = matches!(&out, Ok(o) if o.status.success());
                    let mut stdout = std::io::stdout().lock();
                    let _ = writeln!(
                        stdout,
                        "test {name} ... {}",
                        if ok { "ok" } else { "FAILED" }
                    );
                    // A passing test's own stdout is its report (the tap
                    // counts, say): shown, as libtest shows nothing of it.
                    if let Ok(o) = &out
                        && ok
                        && !o.stdout.is_empty()
                    {
                        let _ = stdout.write_all(&o.stdout);
                    }
                    if !ok {
                        let text = match out {
                            Ok(o) => format!(
                                "{}{}",
                                String::from_utf8_lossy(&o.stdout),
                                String::from_utf8_lossy(&o.stderr)
                            ),
                            Err(e) => format!("could not start: {e}"),
                        };
                        failed
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((*name, text));
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    for (name, text) in &failed {
        println!("\n---- {name} output ----\n{text}");
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        chosen.len() - failed.len(),
        failed.len(),
        cases.len() - chosen.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
