//! `doi`, the sender's command-line tool: see `doi --help` and the README.

fn main() -> std::process::ExitCode {
    doi_cli::main()
}
