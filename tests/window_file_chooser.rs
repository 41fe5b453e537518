//! The real window under Xvfb, where no desktop portal answers: Ctrl+O reaches spantag's
//! own file chooser, opens the project typed into it, and Save As saves it elsewhere.
//! Needs the packages `scripts/setup-debian.sh` installs (the README's test command runs it).

#[path = "common/window.rs"]
mod window;

#[test]
fn without_a_portal_ctrl_o_and_save_as_reach_the_in_app_chooser() {
    let (work, stdout) = window::run_window_script("file-chooser-window.sh", "file-chooser");
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
