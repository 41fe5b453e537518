//! Running a real-window script under Xvfb (`scripts/*-window.sh BINARY WORKDIR`), for
//! the tests that drive the real binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `scripts/SCRIPT` on the spantag binary with a fresh `target/WORK` folder; fails
/// the test (naming the packages it needs) unless it succeeds. Returns the folder and
/// what the script printed.
pub fn run_window_script(script: &str, work: &str) -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = root.join("target").join(work);
    let _ = std::fs::remove_dir_all(&work);
    let out = Command::new("bash")
        .arg(root.join("scripts").join(script))
        .arg(env!("CARGO_BIN_EXE_spantag"))
        .arg(&work)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed (is Xvfb installed? run scripts/setup-debian.sh)\n{stdout}\n{stderr}"
    );
    (work, stdout)
}
