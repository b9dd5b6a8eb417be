//! How a `verify-wheels` outcome reads: one line per file, the matrix as a small table, a final
//! count; the step summary with the matrix and every file's sha256; one annotation per bad file.

use super::sanitize::{console, md_code};
use super::style::md_escape;
use super::{Annotation, Render, Styles};
use crate::commands::verify_wheels::{MatrixReport, VerifyWheelsOutcome};
use crate::exit::ExitStatus;
use crate::inspect::{ArtifactKind, FileReport};
use crate::model::problem::Problem;

/// Rows of the per-file table in the step summary (the summary is capped at 1 MiB by GitHub).
const SUMMARY_FILE_ROWS: usize = 500;

/// `22.1 kB`, `1.3 MB` (decimal units, like PyPI shows).
pub fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes < 1000 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

fn short_sha(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn cell_text(report: &MatrixReport, files: usize) -> &'static str {
    match (files, report.expected) {
        (0, true) => "✗ missing",
        (0, false) => "·",
        (1, _) => "✓",
        (_, true) => "✗ duplicate",
        (_, false) => "✓ several",
    }
}

fn matrix_text(m: &MatrixReport, s: &Styles) -> String {
    let mx = &m.matrix;
    let first = mx.pythons.iter().map(String::len).max().unwrap_or(0).max(6);
    let widths: Vec<usize> = mx.platforms.iter().map(|p| p.chars().count().max(11)).collect();
    let mut out = format!(
        "{}\n  {:first$}",
        if m.expected { "matrix (expected):" } else { "matrix (found):" },
        ""
    );
    for (p, w) in mx.platforms.iter().zip(&widths) {
        out.push_str(&format!("  {p:w$}"));
    }
    for py in &mx.pythons {
        out.push_str(&format!("\n  {py:first$}"));
        for (p, w) in mx.platforms.iter().zip(&widths) {
            let n = mx.cell(py, p).map_or(0, |c| c.files.len());
            let text = cell_text(m, n);
            let painted = if text.starts_with('✗') {
                s.bad(text)
            } else if text == "·" {
                s.dim(text)
            } else {
                s.good(text)
            };
            // Pad by visible width: the paint adds invisible escape codes.
            let pad = w.saturating_sub(text.chars().count());
            out.push_str(&format!("  {painted}{}", " ".repeat(pad)));
        }
    }
    if !mx.outside.is_empty() {
        let shown: Vec<&str> = mx.outside.iter().take(5).map(String::as_str).collect();
        let more = mx.outside.len().saturating_sub(shown.len());
        out.push_str(&format!(
            "\n  outside the matrix: {}{}",
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

fn file_line(f: &FileReport, s: &Styles) -> String {
    let mark = if f.ok() { s.good("✓") } else { s.bad("✗") };
    let mut line = format!(
        "{mark} {}  {}",
        console(&f.path.display().to_string()),
        s.dim(&human_size(f.size))
    );
    if !f.sha256.is_empty() {
        line.push_str(&format!("  {}", s.dim(&format!("sha256:{}", short_sha(&f.sha256)))));
    }
    for p in &f.problems {
        line.push_str(&format!(
            "\n    {} {}  {}",
            problem_mark(p, s),
            console(&p.to_string()),
            s.dim(&problem_code(p))
        ));
    }
    line
}

/// `✗` for a problem that fails the run, `!` for a warning.
fn problem_mark(p: &Problem, s: &Styles) -> String {
    if p.is_error() { s.bad("✗") } else { s.warn("!") }
}

/// The code, marked `(warning)` when it does not fail the run.
fn problem_code(p: &Problem) -> String {
    if p.is_error() { p.code.as_str() } else { format!("{} (warning)", p.code.as_str()) }
}

fn count_text(o: &VerifyWheelsOutcome) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} and {}",
        plural(o.wheel_count, "wheel", "wheels"),
        plural(o.sdist_count, "sdist", "sdists")
    )
}

impl Render for VerifyWheelsOutcome {
    fn status(&self) -> ExitStatus {
        VerifyWheelsOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mut out: Vec<String> = self.files.iter().map(|f| file_line(f, s)).collect();
        if let Some(m) = &self.matrix {
            out.push(matrix_text(m, s));
        }
        if let Some(a) = &self.against {
            out.push(super::against::text(a, s));
        }
        for p in &self.problems {
            out.push(format!(
                "{} {}  {}",
                problem_mark(p, s),
                console(&p.message),
                s.dim(&problem_code(p))
            ));
        }
        let warnings = self.warning_count();
        let warned = if warnings > 0 {
            format!(
                ", {warnings} warning{} (stricter than PyPI and pip; not failing)",
                if warnings == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        let project = match (&self.name, &self.version) {
            (Some(n), Some(v)) => format!(" of {} {}", console(n), console(v)),
            _ => String::new(),
        };
        if self.ok {
            let total: u64 = self.files.iter().map(|f| f.size).sum();
            out.push(format!(
                "{} {}{project} verified ({}{}{warned})",
                s.good("✓"),
                count_text(self),
                human_size(total),
                if self.pypi_preflight { ", PyPI preflight passed" } else { "" }
            ));
            if let Some(path) = &self.checksums_file {
                out.push(format!("  checksums written to {}", path.display()));
            }
        } else {
            let bad_files = self.files.iter().filter(|f| !f.ok()).count();
            let count = self.problem_count();
            let mut parts = Vec::new();
            if bad_files > 0 {
                parts.push(format!("{bad_files} of {} files bad", self.files.len()));
            }
            let set_errors = self.problems.iter().filter(|p| p.is_error()).count();
            if set_errors > 0 {
                parts.push(format!("{set_errors} in the set"));
            }
            out.push(format!(
                "{} {count} problem{} ({}): {}{project}{warned}",
                s.bad("✗"),
                if count == 1 { "" } else { "s" },
                parts.join(", "),
                count_text(self),
            ));
        }
        out.join("\n")
    }

    fn outputs(&self) -> Vec<(String, String)> {
        vec![
            ("ok".into(), self.ok.to_string()),
            ("wheel_count".into(), self.wheel_count.to_string()),
            ("sdist_count".into(), self.sdist_count.to_string()),
            ("name".into(), self.name.clone().unwrap_or_default()),
            ("version".into(), self.version.clone().unwrap_or_default()),
            (
                "previous_version".into(),
                self.against.as_ref().and_then(|a| a.previous_version.clone()).unwrap_or_default(),
            ),
        ]
    }

    fn summary(&self) -> String {
        let mut md = format!(
            "### surestep verify-wheels: {} {}",
            if self.ok { "✅" } else { "❌" },
            match (&self.name, &self.version) {
                (Some(n), Some(v)) => format!("{} {} — ", md_escape(n), md_escape(v)),
                _ => String::new(),
            }
        );
        md.push_str(&format!("{}\n\n", count_text(self)));
        if let Some(m) = &self.matrix {
            let mx = &m.matrix;
            md.push_str(&format!("| {} |", if m.expected { "expected" } else { "found" }));
            for p in &mx.platforms {
                md.push_str(&format!(" {} |", md_escape(p)));
            }
            md.push_str(&format!("\n|---|{}\n", "---|".repeat(mx.platforms.len())));
            for py in &mx.pythons {
                md.push_str(&format!("| {py} |"));
                for p in &mx.platforms {
                    let n = mx.cell(py, p).map_or(0, |c| c.files.len());
                    let mark = match (n, m.expected) {
                        (0, true) => "❌ missing",
                        (0, false) => "·",
                        (1, _) => "✅",
                        (_, true) => "❌ duplicate",
                        (_, false) => "✅ ×2+",
                    };
                    md.push_str(&format!(" {mark} |"));
                }
                md.push('\n');
            }
            md.push('\n');
        }
        if let Some(a) = &self.against {
            md.push_str(&super::against::summary(a));
        }
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("- {} {}", md_mark(p), md_escape(&p.message)))
            .chain(self.files.iter().flat_map(|f| {
                f.problems.iter().map(move |p| {
                    format!(
                        "- {} {}: {}",
                        md_mark(p),
                        md_code(&f.filename),
                        md_escape(&p.to_string())
                    )
                })
            }))
            .collect();
        if !problems.is_empty() {
            md.push_str(&format!(
                "**{} problem{}**\n\n",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ));
            for line in problems.iter().take(SUMMARY_FILE_ROWS) {
                md.push_str(line);
                md.push('\n');
            }
            if problems.len() > SUMMARY_FILE_ROWS {
                md.push_str(&format!(
                    "- … and {} more in the log\n",
                    problems.len() - SUMMARY_FILE_ROWS
                ));
            }
            md.push('\n');
        }
        if !self.files.is_empty() {
            md.push_str("| file | size | sha256 |\n|---|---|---|\n");
            for f in self.files.iter().take(SUMMARY_FILE_ROWS) {
                md.push_str(&format!(
                    "| {} {} | {} | `{}` |\n",
                    if f.ok() { "✅" } else { "❌" },
                    md_code(&f.filename),
                    human_size(f.size),
                    f.sha256
                ));
            }
            if self.files.len() > SUMMARY_FILE_ROWS {
                md.push_str(&format!(
                    "\n… and {} more files\n",
                    self.files.len() - SUMMARY_FILE_ROWS
                ));
            }
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self
            .problems
            .iter()
            .map(|p| {
                if p.is_error() {
                    Annotation::error(p.message.clone())
                } else {
                    Annotation::warning(p.message.clone())
                }
            })
            .collect();
        if let Some(a) = &self.against {
            out.extend(a.warnings().into_iter().map(Annotation::warning));
        }
        out.extend(
            self.skipped
                .iter()
                .map(|s| Annotation::warning(s.reason.clone()).in_file(s.path.clone())),
        );
        for f in &self.files {
            let what = match f.kind {
                ArtifactKind::Wheel => "wheel",
                ArtifactKind::Sdist => "sdist",
                ArtifactKind::Unknown => "file",
            };
            // One annotation per file and level: the errors, then the warnings.
            for error in [true, false] {
                let reasons: Vec<String> = f
                    .problems
                    .iter()
                    .filter(|p| p.is_error() == error)
                    .map(ToString::to_string)
                    .collect();
                if reasons.is_empty() {
                    continue;
                }
                let message = format!(
                    "{what} {}: {}",
                    super::sanitize::console(&f.filename),
                    reasons.join("; ")
                );
                let a =
                    if error { Annotation::error(message) } else { Annotation::warning(message) };
                out.push(a.in_file(f.path.display().to_string()));
            }
        }
        out
    }
}

fn md_mark(p: &Problem) -> &'static str {
    if p.is_error() { "❌" } else { "⚠️" }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_like_pypi() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(22_050), "22.1 kB");
        assert_eq!(human_size(123_000_000), "123.0 MB");
    }
}
