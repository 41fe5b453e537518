//! `spantag git-setup`: spantag as git's merge driver for project files, so `git pull`
//! of two annotators' work on one project merges the annotations (three-way, by id)
//! instead of lines, and a conflict is recorded in the project as data rather than as
//! text markers that would break the file.
//!
//! Two things are set up: a line `*.ron merge=spantag` in the repository's
//! `.gitattributes` (committed, so every clone has it), and the driver itself in the
//! repository's own config (`merge.spantag.driver`, not committed: every clone runs
//! `spantag git-setup` once), naming the spantag that ran the command. This is the one
//! part of the team work that does IO: it runs `git` and writes `.gitattributes`
//! atomically.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The line `.gitattributes` needs.
pub const ATTRIBUTES_LINE: &str = "*.ron merge=spantag";

/// Why git-setup failed.
#[derive(Debug, thiserror::Error)]
pub enum GitSetupError {
    /// `git` could not be run.
    #[error("could not run git ({0}); is git installed?")]
    NoGit(std::io::Error),
    /// `git` said no.
    #[error("{dir}: git {args}: {message}")]
    Git {
        /// Where it ran.
        dir: PathBuf,
        /// The arguments.
        args: String,
        /// What git printed.
        message: String,
    },
    /// `.gitattributes` could not be read or written.
    #[error("{path}: {source}")]
    Attributes {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

/// What [`setup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupReport {
    /// The repository's top folder.
    pub root: PathBuf,
    /// Whether the line was added to `.gitattributes` (`false`: it was there already).
    pub attributes_added: bool,
    /// The driver command now configured.
    pub driver: String,
}

/// Installs `spantag` (the binary at `exe`) as the merge driver of the git repository
/// that holds `dir`. Running it again changes nothing.
pub fn setup(dir: &Path, exe: &Path) -> Result<SetupReport, GitSetupError> {
    let root = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?.trim());
    let attributes = root.join(".gitattributes");
    let old = match std::fs::read_to_string(&attributes) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(GitSetupError::Attributes {
                path: attributes,
                source,
            });
        }
    };
    let new = with_attributes_line(&old);
    let attributes_added = new != old;
    if attributes_added {
        crate::io::atomic::write_atomically(&attributes, |w| w.write_all(new.as_bytes())).map_err(
            |source| GitSetupError::Attributes {
                path: attributes.clone(),
                source,
            },
        )?;
    }
    let driver = driver_command(exe);
    git(
        &root,
        &[
            "config",
            "merge.spantag.name",
            "spantag: three-way merge of annotation projects",
        ],
    )?;
    git(&root, &["config", "merge.spantag.driver", &driver])?;
    Ok(SetupReport {
        root,
        attributes_added,
        driver,
    })
}

/// `.gitattributes` text with [`ATTRIBUTES_LINE`] (unchanged when it has it already).
pub fn with_attributes_line(text: &str) -> String {
    if text.lines().any(|line| line.trim() == ATTRIBUTES_LINE) {
        return text.to_owned();
    }
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(ATTRIBUTES_LINE);
    out.push('\n');
    out
}

/// The driver command git runs (through a shell): `%O %A %B` are the base, ours (where
/// the result goes) and theirs.
pub fn driver_command(exe: &Path) -> String {
    format!(
        "{} merge %O %A %B -o %A",
        shell_quote(&exe.to_string_lossy())
    )
}

/// `s` quoted for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs git in `dir`; its standard output, or its message.
fn git(dir: &Path, args: &[&str]) -> Result<String, GitSetupError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(GitSetupError::NoGit)?;
    if !out.status.success() {
        return Err(GitSetupError::Git {
            dir: dir.to_owned(),
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attributes_line_is_added_once() {
        let cases = [
            ("", "*.ron merge=spantag\n"),
            ("*.png binary", "*.png binary\n*.ron merge=spantag\n"),
            ("*.png binary\n", "*.png binary\n*.ron merge=spantag\n"),
            ("*.ron merge=spantag\n", "*.ron merge=spantag\n"),
            (
                "a\n  *.ron merge=spantag  \nb\n",
                "a\n  *.ron merge=spantag  \nb\n",
            ),
        ];
        for (old, new) in cases {
            assert_eq!(with_attributes_line(old), new, "{old:?}");
        }
    }

    #[test]
    fn the_driver_command_quotes_the_binary_for_the_shell() {
        assert_eq!(
            driver_command(Path::new("/opt/my tools/spantag")),
            "'/opt/my tools/spantag' merge %O %A %B -o %A"
        );
        assert_eq!(
            driver_command(Path::new("/x/it's/spantag")),
            r"'/x/it'\''s/spantag' merge %O %A %B -o %A"
        );
    }
}
