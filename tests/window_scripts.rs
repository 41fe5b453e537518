//! Every script in the real window under Xvfb: a corpus in Chinese, Japanese, Korean,
//! Arabic, Hebrew, Devanagari, Thai and emoji is drawn, and the window's own font lookup
//! (its glyph self-check) finds a real glyph for every character — none falls back to the
//! replacement box. Needs the Noto fonts `scripts/setup-debian.sh` installs.

#[path = "common/window.rs"]
mod window;

#[test]
fn the_real_window_has_a_glyph_for_every_character_of_a_multi_script_corpus() {
    let (work, _) = window::run_window_script("scripts-window.sh", "scripts-window");
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
