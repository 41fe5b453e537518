//! The real window under Xvfb, driven by xdotool: tag a word, save, check the file.
//! Needs the packages `scripts/setup-debian.sh` installs (the README's test command runs it).

#[path = "common/window.rs"]
mod window;

#[test]
fn real_window_tags_a_word_and_saves() {
    let (work, stdout) = window::run_window_script("smoke-window.sh", "smoke");
    assert!(stdout.contains("tagged Cambridge as ORG"), "{stdout}");
    let shot = std::fs::metadata(work.join("window.png")).expect("screenshot taken");
    assert!(shot.len() > 10_000, "screenshot is not empty");
}
