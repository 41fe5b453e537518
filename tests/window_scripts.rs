//! Every script in the real window under Xvfb: a corpus in Chinese, Japanese, Korean,
//! Arabic, Hebrew, Devanagari, Thai and emoji is drawn, and the window's own font lookup
//! (its glyph self-check) finds a real glyph for every character — none falls back to the
//! replacement box. Needs the Noto fonts `scripts/setup-debian.sh` installs.

use std::path::Path;
use std::process::Command;

#[test]
fn the_real_window_has_a_glyph_for_every_character_of_a_multi_script_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = root.join("target/scripts-window");
    let _ = std::fs::remove_dir_all(&work);
    let out = Command::new("bash")
        .arg(root.join("scripts/scripts-window.sh"))
        .arg(env!("CARGO_BIN_EXE_spantag"))
        .arg(&work)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the window test failed (is Xvfb installed? run scripts/setup-debian.sh)\n{stdout}\n{stderr}"
    );
    let report = std::fs::read_to_string(work.join("glyphs.txt")).expect("glyph report");
    let characters: usize = report
        .lines()
        .find_map(|l| l.strip_prefix("characters: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the report counts the characters it checked");
    assert!(characters > 80, "the whole document was checked: {report}");
    let missing = report
        .lines()
        .find_map(|l| l.strip_prefix("missing:"))
        .expect("the report lists missing glyphs");
    assert_eq!(
        missing.trim(),
        "",
        "no font draws these characters: {report}"
    );
    let shot = std::fs::metadata(work.join("scripts.png")).expect("screenshot taken");
    assert!(shot.len() > 10_000, "screenshot is not empty");
}
