fn main() -> std::process::ExitCode {
    onevisit::cli::main()
}
