//! The `spantag` binary: the command line, or the window when no command is given.

fn main() -> std::process::ExitCode {
    spantag::allocator::limit_malloc_arenas();
    spantag::cli::main()
}
