//! The `spantag` binary: the command line, or the window when no command is given.

fn main() -> std::process::ExitCode {
    spantag::cli::main()
}
