//! The README documents every keyboard shortcut the app has, and the test command CI runs.

use spantag::app::keys::HELP;

#[test]
fn readme_lists_every_shortcut_and_ci_runs_the_readme_test_command() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    for shortcut in HELP {
        assert!(
            readme.contains(&format!("| {} |", shortcut.keys)),
            "README lacks {}",
            shortcut.keys
        );
    }
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run");
    assert!(readme.contains("bash scripts/check.sh") && ci.contains("bash scripts/check.sh"));
}
