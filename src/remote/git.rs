//! The `git` CLI, parsed: the same view of tags the CI runner has. No printing here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git (is it installed and on PATH?)")]
    Missing(#[source] std::io::Error),
    #[error("{dir} is not inside a git repository")]
    NotARepository { dir: String },
    #[error("revision {rev:?} is not a commit in this repository")]
    UnknownRevision { rev: String },
    #[error("`git {args}` failed: {stderr}")]
    Failed { args: String, stderr: String },
}

/// A git working copy, driven through the CLI.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    /// Opens the repository containing `dir`, checking that git runs and that it is a repository.
    pub fn open(dir: &Path) -> Result<Self, GitError> {
        let git = Self { dir: dir.to_path_buf() };
        let out = git.raw(&["rev-parse", "--git-dir"])?;
        if !out.status.success() {
            return Err(GitError::NotARepository { dir: dir.display().to_string() });
        }
        Ok(git)
    }

    fn raw(&self, args: &[&str]) -> Result<Output, GitError> {
        Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            // Never prompt for credentials in CI; fail instead.
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(GitError::Missing)
    }

    fn run(&self, args: &[&str]) -> Result<String, GitError> {
        let out = self.raw(args)?;
        if !out.status.success() {
            return Err(GitError::Failed {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The full commit SHA a revision names (tags are peeled to their commit).
    pub fn resolve_commit(&self, rev: &str) -> Result<String, GitError> {
        let spec = format!("{rev}^{{commit}}");
        let out = self.raw(&["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])?;
        if !out.status.success() {
            return Err(GitError::UnknownRevision { rev: rev.to_owned() });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Tags (lightweight and annotated, peeled) that point at `commit`.
    pub fn tags_pointing_at(&self, commit: &str) -> Result<Vec<String>, GitError> {
        let out = self.run(&["tag", "--points-at", commit])?;
        Ok(lines(&out))
    }

    /// Every tag in the repository.
    pub fn all_tags(&self) -> Result<Vec<String>, GitError> {
        let out = self.run(&["tag", "--list"])?;
        Ok(lines(&out))
    }

    /// Every tag with the type of the object it finally names (annotated tags peeled):
    /// `commit`, `tree`, `blob` (or `tag` for a chain git did not peel).
    pub fn tags_with_types(&self) -> Result<Vec<(String, String)>, GitError> {
        let out = self.run(&[
            "for-each-ref",
            "--format=%(objecttype) %(*objecttype) %(refname:strip=2)",
            "refs/tags",
        ])?;
        Ok(out
            .lines()
            .filter_map(|line| {
                let (kind, rest) = line.split_once(' ')?;
                let (peeled, name) = rest.split_once(' ')?;
                let kind = if peeled.is_empty() { kind } else { peeled };
                (!name.is_empty()).then(|| (name.to_owned(), kind.to_owned()))
            })
            .collect())
    }

    /// Whether `refs/tags/<name>` exists (whatever it points at).
    pub fn tag_exists(&self, name: &str) -> Result<bool, GitError> {
        let spec = format!("refs/tags/{name}");
        let out = self.raw(&["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])?;
        Ok(out.status.success())
    }

    /// Whether the clone is shallow (`actions/checkout` without `fetch-depth: 0`).
    pub fn is_shallow(&self) -> Result<bool, GitError> {
        let out = self.run(&["rev-parse", "--is-shallow-repository"])?;
        Ok(out.trim() == "true")
    }

    /// `git fetch --tags --force` from the default remote.
    pub fn fetch_tags(&self) -> Result<(), GitError> {
        self.run(&["fetch", "--tags", "--force", "--quiet"]).map(|_| ())
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}
