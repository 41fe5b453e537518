//! The real window under Xvfb, where no desktop portal answers: Ctrl+O reaches spantag's
//! own file chooser, opens the project typed into it, and Save As saves it elsewhere.
//! Needs the packages `scripts/setup-debian.sh` installs (the README's test command runs it).

use std::path::Path;
use std::process::Command;

#[test]
fn without_a_portal_ctrl_o_and_save_as_reach_the_in_app_chooser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = root.join("target/file-chooser");
    let _ = std::fs::remove_dir_all(&work);
    let out = Command::new("bash")
        .arg(root.join("scripts/file-chooser-window.sh"))
        .arg(env!("CARGO_BIN_EXE_spantag"))
        .arg(&work)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "file chooser test failed (is Xvfb installed? run scripts/setup-debian.sh)\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("after open: chosen.ron — spantag"),
        "Ctrl+O opened the typed project: {stdout}"
    );
    assert!(
        stdout.contains("after save as: saved-elsewhere.ron — spantag"),
        "Save As saved under the typed name: {stdout}"
    );
    let saved = spantag::io::project_file::load(&work.join("saved-elsewhere.ron"))
        .expect("the copy is a project");
    let chosen =
        spantag::io::project_file::load(&work.join("chosen.ron")).expect("the original loads");
    assert_eq!(saved.documents().len(), chosen.documents().len());
    let shot = std::fs::metadata(work.join("chooser.png")).expect("screenshot of the chooser");
    assert!(shot.len() > 10_000, "screenshot is not empty");
}
