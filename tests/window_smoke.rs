//! The real window under Xvfb, driven by xdotool: tag a word, save, check the file.
//! Needs the packages `scripts/setup-debian.sh` installs (the README's test command runs it).

use std::path::Path;
use std::process::Command;

#[test]
fn real_window_tags_a_word_and_saves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = root.join("target/smoke");
    let _ = std::fs::remove_dir_all(&work);
    let out = Command::new("bash")
        .arg(root.join("scripts/smoke-window.sh"))
        .arg(env!("CARGO_BIN_EXE_spantag"))
        .arg(&work)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "smoke test failed (is Xvfb installed? run scripts/setup-debian.sh)\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("tagged Cambridge as ORG"), "{stdout}");
    let shot = std::fs::metadata(work.join("window.png")).expect("screenshot taken");
    assert!(shot.len() > 10_000, "screenshot is not empty");
}
