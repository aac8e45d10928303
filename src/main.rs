fn main() -> std::process::ExitCode {
    // Behave like a Unix tool when the reader goes away (`onevisit … | head`):
    // end quietly instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default before any other
    // thread exists has no memory-safety implications.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    onevisit::cli::main()
}
