//! The Debian package: `cargo deb` packs the test build's binary (no release build in CI)
//! with the desktop entry, the icon, the bundled corpus and the example project; as root
//! (CI), the package is installed with `dpkg -i`, `spantag` is found on the PATH, the
//! desktop entry's command opens the window under Xvfb, and the package is removed again.
//! Needs cargo-deb (`scripts/check.sh` installs it) and what `scripts/setup-debian.sh`
//! installs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(command: &mut Command) -> Output {
    let out = command.output().expect("command runs");
    assert!(
        out.status.success(),
        "{command:?} failed\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Builds the package from the binary the tests run and returns its path.
fn build_package(out_dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = Path::new(env!("CARGO_BIN_EXE_spantag"));
    // target/debug/spantag → target
    let target_dir = binary
        .parent()
        .and_then(Path::parent)
        .expect("the binary is in <target>/debug");
    let out = run(Command::new("bash")
        .arg(root.join("scripts/package-deb.sh"))
        .args(["--profile", "dev", "--no-build", "--no-strip", "-o"])
        .arg(out_dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(root));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let deb = stdout
        .lines()
        .map(str::trim)
        .find(|l| l.ends_with(".deb"))
        .map(PathBuf::from)
        .or_else(|| {
            std::fs::read_dir(out_dir)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "deb"))
        })
        .expect("cargo deb names the .deb");
    assert!(deb.is_file(), "{}", deb.display());
    deb
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Starts the desktop entry's command under Xvfb and returns the window's title.
fn open_window_from(entry: &str, work: &Path) -> String {
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("the desktop entry has an Exec line");
    // Field codes (%f, %u …) stand for files the menu passes; none here.
    let command: Vec<&str> = exec
        .split_whitespace()
        .filter(|w| !w.starts_with('%'))
        .collect();
    let script = format!(
        r#"set -eu
{command} >"$WORK/app.log" 2>&1 &
app=$!
wid=""
for _ in $(seq 1 450); do
    wid=$(xdotool search --onlyvisible --name spantag 2>/dev/null | head -n 1 || true)
    [ -n "$wid" ] && break
    kill -0 $app 2>/dev/null || break
    sleep 0.2
done
[ -n "$wid" ] || {{ echo "no window"; cat "$WORK/app.log"; kill $app; exit 1; }}
sleep 1
xwd -silent -id "$wid" | convert xwd:- "$WORK/installed.png"
echo "window: $(xdotool getwindowname "$wid")"
kill $app
"#,
        command = command.join(" ")
    );
    let drive = |attempt: u32| {
        // A display number of its own (not -a, which races with other servers starting).
        let display = 200 + (std::process::id() + attempt * 97) % 700;
        Command::new("xvfb-run")
            .args(["-n", &display.to_string()])
            .args(["-s", "-screen 0 1280x800x24", "bash", "-c", &script])
            .env("WORK", work)
            .env("XDG_CONFIG_HOME", work.join("config"))
            .env("XDG_DATA_HOME", work.join("data"))
            .env("XDG_RUNTIME_DIR", work)
            .env("SPANTAG_RECOVERY_DIR", work.join("recovery"))
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .expect("xvfb-run runs")
    };
    let mut out = drive(0);
    let log = std::fs::read_to_string(work.join("app.log")).unwrap_or_default();
    if !out.status.success() && log.contains("connection to X server") {
        // A display that vanished under a busy machine; once more.
        out = drive(1);
    }
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the installed spantag opened no window\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_package_installs_spantag_with_its_menu_entry_and_opens_the_window() {
    let work = tempfile::tempdir().expect("tmp");
    let deb = build_package(work.path());
    let contents = run(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    let listing = String::from_utf8_lossy(&contents.stdout);
    for file in [
        "./usr/bin/spantag",
        "./usr/share/applications/spantag.desktop",
        "./usr/share/icons/hicolor/256x256/apps/spantag.png",
        "./usr/share/spantag/corpus/000_959efbcd506ccd6d.txt",
        "./usr/share/spantag/example.ron",
    ] {
        assert!(
            listing.contains(file),
            "{file} is in the package:\n{listing}"
        );
    }
    if !is_root() {
        // Installing needs root (CI runs as root); the contents are checked above.
        eprintln!("not root: the package was built and checked, not installed");
        return;
    }
    run(Command::new("dpkg").arg("-i").arg(&deb));
    let found = Command::new("sh")
        .args(["-c", "command -v spantag"])
        .output()
        .expect("sh runs");
    let entry = std::fs::read_to_string("/usr/share/applications/spantag.desktop");
    let icon = Path::new("/usr/share/icons/hicolor/256x256/apps/spantag.png").is_file();
    let example = Path::new("/usr/share/spantag/example.ron").is_file();
    let opened = entry
        .as_ref()
        .ok()
        .map(|entry| open_window_from(entry, work.path()));
    run(Command::new("dpkg").args(["-r", "spantag"]));

    assert_eq!(
        String::from_utf8_lossy(&found.stdout).trim(),
        "/usr/bin/spantag",
        "spantag on the PATH"
    );
    let entry = entry.expect("the desktop entry is installed");
    assert!(entry.contains("Icon=spantag"), "{entry}");
    assert!(icon && example, "icon and example project installed");
    let opened = opened.unwrap_or_default();
    assert!(opened.contains("window: "), "{opened}");
    let shot = std::fs::metadata(work.path().join("installed.png")).expect("screenshot");
    assert!(shot.len() > 10_000, "the window drew something");
}
