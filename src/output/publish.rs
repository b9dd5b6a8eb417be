//! How a `publish` outcome reads: a table of files, GitHub outputs and the step summary.

use super::sanitize::{console, md_code};
use super::{Annotation, Render, Styles};
use crate::commands::publish::{Action, FailureKind, PublishOutcome, PublishedFile};
use crate::exit::ExitStatus;

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Uploaded => "uploaded",
        Action::Skipped => "skipped",
        Action::Conflict => "conflict",
        Action::Failed => "failed",
        Action::WouldUpload => "upload",
        Action::Held => "held",
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

impl Render for PublishOutcome {
    fn status(&self) -> ExitStatus {
        PublishOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let width = self
            .files
            .iter()
            .map(|f| console(&f.filename).chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let mut out =
            format!("{:width$}  {:>10}  {:8}  {:>7}\n", "file", "size", "action", "seconds");
        for f in &self.files {
            let word = action_word(f.action);
            let painted = match f.action {
                Action::Uploaded => s.good(&format!("{word:8}")),
                Action::Skipped | Action::WouldUpload => s.dim(&format!("{word:8}")),
                Action::Conflict | Action::Failed => s.bad(&format!("{word:8}")),
                Action::Held => s.warn(&format!("{word:8}")),
            };
            out.push_str(&format!(
                "{:width$}  {:>10}  {painted}  {:>7.2}\n",
                console(&f.filename),
                human_size(f.size),
                f.seconds
            ));
        }
        for a in &self.against {
            out.push_str(&super::against::text(a, s));
            out.push('\n');
        }
        for r in &self.refusals {
            out.push_str(&format!("{} refused before any upload: {r}\n", s.bad("✗")));
        }
        let headline = if self.dry_run {
            let planned = self.files.iter().filter(|f| f.action == Action::WouldUpload).count();
            format!(
                "dry run: {planned} to upload, {} already there, {}; nothing was sent",
                self.skipped,
                super::style::plural(self.conflicts as u64, "conflict")
            )
        } else {
            format!(
                "{} uploaded, {} already there, {}, {} failed to {} ({}, {}, {:.2} s)",
                self.uploaded,
                self.skipped,
                super::style::plural(self.conflicts as u64, "conflict"),
                self.failed,
                self.repository_url,
                super::style::plural(self.index_requests as u64, "index read"),
                super::style::plural(self.upload_requests as u64, "upload"),
                self.seconds
            )
        };
        let mark = match self.status() {
            ExitStatus::Success => s.good("✓"),
            _ => s.bad("✗"),
        };
        out.push_str(&format!("{mark} {headline}"));
        if self.verified_upload {
            out.push_str(&format!(
                "\n{} the index lists every uploaded file with our sha256",
                s.good("✓")
            ));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        vec![
            ("uploaded".into(), self.uploaded.to_string()),
            ("skipped".into(), self.skipped.to_string()),
            ("uploaded_files".into(), self.uploaded_files().join("\n")),
        ]
    }

    fn summary(&self) -> String {
        let mut md = String::from("### surestep publish\n\n");
        if self.dry_run {
            md.push_str("Dry run: nothing was sent.\n\n");
        }
        for a in &self.against {
            md.push_str(&super::against::summary(a));
        }
        for r in &self.refusals {
            md.push_str(&format!(
                "- ❌ refused before any upload: {}\n",
                super::style::md_escape(r)
            ));
        }
        if !self.refusals.is_empty() {
            md.push('\n');
        }
        md.push_str("| file | size | action | seconds | sha256 |\n|---|---:|---|---:|---|\n");
        for f in &self.files {
            md.push_str(&format!(
                "| {} | {} | {} | {:.2} | `{}` |\n",
                md_code(&f.filename),
                human_size(f.size),
                action_word(f.action),
                f.seconds,
                short_hash(&f.sha256)
            ));
        }
        md.push_str(&format!(
            "\n{} uploaded, {} already there, {}, {} failed — {}\n",
            self.uploaded,
            self.skipped,
            super::style::plural(self.conflicts as u64, "conflict"),
            self.failed,
            md_code(&self.repository_url)
        ));
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self.warnings.iter().map(Annotation::warning).collect();
        out.extend(
            self.refusals
                .iter()
                .map(|r| Annotation::error(format!("refused before any upload: {r}"))),
        );
        out.extend(self.files.iter().filter_map(file_annotation));
        if self.files.iter().any(|f| f.failure == Some(FailureKind::Auth)) {
            // The token advice is PyPI's; other indexes have their own accounts.
            out.push(Annotation::notice(if targets_pypi(&self.repository_url) {
                "check the credentials: PyPI takes the user `__token__` with a `pypi-…` API token \
                 (SURESTEP_PYPI_TOKEN), or trusted publishing with `permissions: id-token: write`"
            } else {
                "check the credentials the index expects: --username/--password (or \
                 TWINE_USERNAME/TWINE_PASSWORD)"
            }));
        }
        out
    }
}

/// Whether the upload went to pypi.org or test.pypi.org.
fn targets_pypi(url: &str) -> bool {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| matches!(h.as_str(), "upload.pypi.org" | "pypi.org" | "test.pypi.org"))
}

fn file_annotation(f: &PublishedFile) -> Option<Annotation> {
    match f.action {
        Action::Conflict | Action::Failed => {
            Some(Annotation::error(f.detail.clone()).in_file(f.path.clone()))
        }
        Action::Held => Some(Annotation::warning(f.detail.clone()).in_file(f.path.clone())),
        _ => None,
    }
}

fn short_hash(hex: &str) -> &str {
    hex.get(..16).unwrap_or(hex)
}
