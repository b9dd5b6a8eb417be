//! What a dist directory holds: the entries named like distributions (whatever they turn out
//! to be: a file, a dangling symlink, a loop, a directory), the look-alikes that are skipped
//! and why (an upper-case `.WHL`, a nested `dist/dist/`), and everything else.
//!
//! Shared by `verify-wheels` and `publish`, so neither can pass over a broken entry silently.

use crate::model::wheel_name::DistFilename;
use std::path::{Path, PathBuf};

/// One directory, listed (not recursive).
#[derive(Debug, Default)]
pub struct DirScan {
    /// Entries named like a distribution (`.whl`, `.tar.gz`, `.zip`), sorted. Not necessarily
    /// readable files: [`entry_problem`] says what is wrong with one.
    pub candidates: Vec<PathBuf>,
    /// Look-alikes that are not taken, with the reason (to be mentioned, not failed).
    pub skipped: Vec<(PathBuf, String)>,
    /// Everything else.
    pub ignored: Vec<PathBuf>,
}

/// Lists `dir`.
pub fn scan(dir: &Path) -> std::io::Result<DirScan> {
    let mut scan = DirScan::default();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if DistFilename::is_candidate(&name) {
            scan.candidates.push(path);
        } else if DistFilename::is_candidate(&name.to_ascii_lowercase()) {
            scan.skipped.push((
                path,
                "skipped: the extension is not lower-case (pip and PyPI take only .whl, .tar.gz and .zip)"
                    .into(),
            ));
        } else if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let nested = std::fs::read_dir(&path)
                .map(|it| {
                    it.flatten()
                        .filter(|e| DistFilename::is_candidate(&e.file_name().to_string_lossy()))
                        .count()
                })
                .unwrap_or(0);
            if nested > 0 {
                scan.skipped.push((
                    path,
                    format!(
                        "skipped: this nested directory holds {nested} distribution{} (directories are not searched recursively; pass it to check them)",
                        if nested == 1 { "" } else { "s" }
                    ),
                ));
            } else {
                scan.ignored.push(path);
            }
        } else {
            scan.ignored.push(path);
        }
    }
    scan.candidates.sort();
    scan.skipped.sort();
    scan.ignored.sort();
    Ok(scan)
}

/// What keeps an entry from being read as a distribution file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryProblem {
    /// It is not a regular file: a dangling symlink, a symlink loop, a directory… (exit 1).
    NotAFile(String),
    /// The file system refused (permissions, I/O) (exit 3).
    Unreadable(String),
}

/// `None` when `path` is a regular file (through symlinks); else what is wrong with it.
pub fn entry_problem(path: &Path) -> Option<EntryProblem> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => None,
        Ok(meta) if meta.is_dir() => {
            Some(EntryProblem::NotAFile("is a directory, not a file".into()))
        }
        Ok(_) => Some(EntryProblem::NotAFile("is not a regular file".into())),
        Err(e) => {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            let target = std::fs::read_link(path)
                .map(|t| format!(" {}", crate::output::sanitize::console(&t.to_string_lossy())))
                .unwrap_or_default();
            // ELOOP (40 on Linux, 62 on macOS): the link resolves to itself.
            let is_loop = matches!(e.raw_os_error(), Some(40) | Some(62));
            if link && is_loop {
                Some(EntryProblem::NotAFile(format!("is a symbolic link loop (->{target})")))
            } else if link && e.kind() == std::io::ErrorKind::NotFound {
                Some(EntryProblem::NotAFile(format!(
                    "is a dangling symbolic link (->{target}, which does not exist)"
                )))
            } else if e.kind() == std::io::ErrorKind::NotFound {
                Some(EntryProblem::NotAFile("does not exist".into()))
            } else {
                Some(EntryProblem::Unreadable(format!("cannot read: {e}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_entries_and_look_alikes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a-1.0-py3-none-any.whl"), b"x").unwrap();
        std::fs::write(d.join("B-1.0-py3-none-any.WHL"), b"x").unwrap();
        std::fs::create_dir(d.join("dist")).unwrap();
        std::fs::write(d.join("dist/c-1.0.tar.gz"), b"x").unwrap();
        std::fs::write(d.join("README"), b"x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("gone.whl"), d.join("dangling-1.0-py3-none-any.whl"))
                .unwrap();
            std::os::unix::fs::symlink(d.join("loop-1.0.tar.gz"), d.join("loop-1.0.tar.gz"))
                .unwrap();
        }
        let scan = scan(d).unwrap();
        let names = |v: &[PathBuf]| -> Vec<String> {
            v.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect()
        };
        assert_eq!(scan.skipped.len(), 2, "{:?}", scan.skipped);
        assert_eq!(names(&scan.ignored), ["README"]);
        assert_eq!(entry_problem(&d.join("a-1.0-py3-none-any.whl")), None);
        std::fs::create_dir(d.join("d-1.0.tar.gz")).unwrap();
        let dir_named_like_sdist = entry_problem(&d.join("d-1.0.tar.gz"));
        assert!(
            matches!(dir_named_like_sdist, Some(EntryProblem::NotAFile(m)) if m.contains("directory"))
        );
        #[cfg(unix)]
        {
            assert_eq!(scan.candidates.len(), 3);
            let dangling = entry_problem(&d.join("dangling-1.0-py3-none-any.whl"));
            assert!(matches!(dangling, Some(EntryProblem::NotAFile(m)) if m.contains("dangling")));
            let looped = entry_problem(&d.join("loop-1.0.tar.gz"));
            assert!(matches!(looped, Some(EntryProblem::NotAFile(m)) if m.contains("loop")));
        }
    }
}
