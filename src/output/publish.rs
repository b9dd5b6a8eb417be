//! How a `publish` outcome reads: a table of files, GitHub outputs and the step summary.

use super::style::md_escape;
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
        let width = self.files.iter().map(|f| f.filename.len()).max().unwrap_or(4).max(4);
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
                f.filename,
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
                "dry run: {planned} to upload, {} already there, {} conflict(s); nothing was sent",
                self.skipped, self.conflicts
            )
        } else {
            format!(
                "{} uploaded, {} already there, {} conflict(s), {} failed to {} ({} index reads, {} uploads, {:.2} s)",
                self.uploaded,
                self.skipped,
                self.conflicts,
                self.failed,
                self.repository_url,
                self.index_requests,
                self.upload_requests,
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
            md.push_str(&format!("- ❌ refused before any upload: {}\n", md_escape(r)));
        }
        if !self.refusals.is_empty() {
            md.push('\n');
        }
        md.push_str("| file | size | action | seconds | sha256 |\n|---|---:|---|---:|---|\n");
        for f in &self.files {
            md.push_str(&format!(
                "| `{}` | {} | {} | {:.2} | `{}` |\n",
                md_escape(&f.filename),
                human_size(f.size),
                action_word(f.action),
                f.seconds,
                short_hash(&f.sha256)
            ));
        }
        md.push_str(&format!(
            "\n{} uploaded, {} already there, {} conflict(s), {} failed — `{}`\n",
            self.uploaded,
            self.skipped,
            self.conflicts,
            self.failed,
            md_escape(&self.repository_url)
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
            out.push(Annotation::notice(
                "check the credentials: PyPI takes the user `__token__` with a `pypi-…` API token \
                 (SURESTEP_PYPI_TOKEN), or trusted publishing with `permissions: id-token: write`",
            ));
        }
        out
    }
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
