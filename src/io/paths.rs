//! The one answer to "are these two paths the same file?", for every guard that must not
//! write over the wrong file: export over the open project, import into itself, save over
//! a file changed on disk. Raw paths are not enough: `P.ron`, `./P.ron`, `/home/me/P.ron`,
//! a symbolic link to it and a hard link all name one file.

use std::path::{Path, PathBuf};

/// Whether `a` and `b` name the same file. Two existing files are compared by identity
/// (device and inode on Unix, through the `same-file` crate), so links count; a path that
/// does not exist yet is compared by its canonical folder and file name, so a new file
/// is never taken for an existing one and vice versa.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let Ok(same) = same_file::is_same_file(a, b) {
        return same;
    }
    match (canonical_location(a), canonical_location(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// A path with its folder made canonical (the file itself need not exist); `None` when
/// the folder does not exist either.
pub fn canonical_location(path: &Path) -> Option<PathBuf> {
    if let Ok(full) = std::fs::canonicalize(path) {
        return Some(full);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_one_file_are_the_same_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("P.ron");
        std::fs::write(&file, "x").expect("write");
        let other = dir.path().join("Q.ron");
        std::fs::write(&other, "x").expect("write");
        let dotted = dir.path().join(".").join("P.ron");
        let missing = dir.path().join("new.csv");
        let missing_dotted = dir.path().join("sub/../new.csv");
        std::fs::create_dir(dir.path().join("sub")).expect("dir");
        // (a, b, same?)
        let mut cases = vec![
            (file.clone(), file.clone(), true),
            (file.clone(), dotted, true),
            (file.clone(), other.clone(), false),
            (file.clone(), missing.clone(), false),
            (missing.clone(), missing_dotted, true),
            (missing.clone(), dir.path().join("nowhere/new.csv"), false),
        ];
        #[cfg(unix)]
        {
            let link = dir.path().join("link.ron");
            std::os::unix::fs::symlink(&file, &link).expect("symlink");
            let hard = dir.path().join("hard.ron");
            std::fs::hard_link(&file, &hard).expect("hard link");
            cases.push((file.clone(), link, true));
            cases.push((file.clone(), hard, true));
        }
        for (a, b, same) in cases {
            assert_eq!(
                same_file(&a, &b),
                same,
                "{} vs {}",
                a.display(),
                b.display()
            );
            assert_eq!(
                same_file(&b, &a),
                same,
                "{} vs {}",
                b.display(),
                a.display()
            );
        }
    }
}
