//! How `lock status`, `lock unlock` and `lock probe` outcomes read in text, GitHub outputs and
//! the step summary; and the terminal confirmation before an unlock without `--lock-id`.

use super::sanitize::{console, md_code};
use super::style::{md_escape, plural};
use super::{Annotation, Render, Reporter, Styles};
use crate::commands::lock::LockReport;
use crate::commands::lock::probe::{ProbeOutcome, Verdict};
use crate::commands::lock::status::StatusOutcome;
use crate::commands::lock::unlock::{UnlockOutcome, UnlockResult};
use crate::exit::ExitStatus;
use crate::model::tflock::format_age;
use std::io::{BufRead, Write};
use std::time::Duration;

/// The outcome's warnings as warning annotations, then `error` (if any) as an error one;
/// every text through the console neutraliser.
pub(super) fn warnings_then_error<'a>(
    warnings: impl IntoIterator<Item = &'a String>,
    error: Option<&str>,
) -> Vec<Annotation> {
    let mut out: Vec<Annotation> =
        warnings.into_iter().map(|w| Annotation::warning(console(w).into_owned())).collect();
    out.extend(error.map(|e| Annotation::error(console(e).into_owned())));
    out
}

fn age_text(report: &LockReport) -> String {
    report.age_seconds.map(|a| format_age(Duration::from_secs(a))).unwrap_or_else(|| "?".into())
}

/// A value from a lock body (untrusted) or `-`, with control characters made visible.
pub(super) fn opt(v: &Option<String>) -> String {
    console(v.as_deref().filter(|s| !s.is_empty()).unwrap_or("-")).into_owned()
}

/// The lock's fields, indented, one per line. Every value came from the lock's writer (or
/// whoever else could write the bucket): each goes through [`console`] on its way out.
fn lock_details(s: &Styles, l: &LockReport) -> String {
    let mut out = String::new();
    // Pad the plain label, then paint it: escape codes take no room on screen.
    let mut line = |k: &str, v: &str| {
        out.push_str(&format!("\n  {}{}", s.dim(&format!("{k:<14}")), console(v)))
    };
    match &l.raw_body {
        Some(raw) => {
            line("body", &format!("(unparseable) {}", raw.trim()));
        }
        None => {
            line("ID", &opt(&l.lock_id));
            line("operation", &opt(&l.operation));
            line("who", &opt(&l.who));
            line("version", &opt(&l.version));
            let when = match l.clock_skew_seconds {
                Some(ahead) => format!(
                    "in the future by {}: clock skew, age unknown",
                    format_age(Duration::from_secs(ahead))
                ),
                None => format!("{} ago", age_text(l)),
            };
            line("created", &format!("{} ({when})", opt(&l.created)));
            line("path", &opt(&l.path));
            if let Some(info) = l.info.as_deref().filter(|i| !i.is_empty()) {
                line("info", info);
            }
            if let Some(until) = &l.lease_expires {
                let state = if l.lease_expired == Some(true) { " (expired)" } else { "" };
                line("lease until", &format!("{until}{state}"));
            }
        }
    }
    if l.workspace != "default" {
        line("workspace", &l.workspace);
    }
    line("etag", &l.etag);
    line("last modified", &opt(&l.last_modified));
    out
}

fn lock_headline(s: &Styles, l: &LockReport) -> String {
    let mark = if l.stale { s.warn("stale") } else { s.bad("locked") };
    format!("{} {}", mark, console(&format!("s3://{}/{}", l.bucket, l.lock_key)))
}

fn common_outputs(
    locked: bool,
    lock_id: &Option<String>,
    who: &Option<String>,
    created: &Option<String>,
    age: Option<u64>,
) -> Vec<(String, String)> {
    vec![
        ("locked".into(), locked.to_string()),
        ("lock_id".into(), lock_id.clone().unwrap_or_default()),
        ("who".into(), who.clone().unwrap_or_default()),
        ("created".into(), created.clone().unwrap_or_default()),
        ("age_seconds".into(), age.map(|a| a.to_string()).unwrap_or_default()),
    ]
}

fn summary_table(locks: &[LockReport]) -> String {
    let mut md = String::from(
        "| lock | ID | who | operation | created | age |\n|---|---|---|---|---|---|\n",
    );
    for l in locks {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {}{} |\n",
            md_code(&l.lock_key),
            md_code(&opt(&l.lock_id)),
            md_escape(&opt(&l.who)),
            md_escape(&opt(&l.operation)),
            md_escape(&opt(&l.created)),
            age_text(l),
            if l.stale { " (stale)" } else { "" }
        ));
    }
    md
}

impl Render for StatusOutcome {
    fn status(&self) -> ExitStatus {
        StatusOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mut out = String::new();
        if self.recursive {
            out.push_str(&format!(
                "{} under {}{}",
                plural(self.lock_count as u64, "lock"),
                self.target,
                self.objects_scanned.map(|n| format!(" ({n} objects listed)")).unwrap_or_default()
            ));
            if self.stale_count > 0 {
                out.push_str(&format!(", {} stale", self.stale_count));
            }
        } else if !self.locked {
            out.push_str(&format!("{} {}: not locked", s.good("✓"), self.target));
        }
        for l in &self.locks {
            out.push('\n');
            out.push_str(&lock_headline(s, l));
            out.push_str(&lock_details(s, l));
        }
        out.trim_start_matches('\n').to_owned()
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let mut out =
            common_outputs(self.locked, &self.lock_id, &self.who, &self.created, self.age_seconds);
        out.push(("lock_count".into(), self.lock_count.to_string()));
        out.push(("stale_count".into(), self.stale_count.to_string()));
        out.push((
            "lock_keys".into(),
            self.locks.iter().map(|l| l.lock_key.as_str()).collect::<Vec<_>>().join("\n"),
        ));
        out
    }

    fn summary(&self) -> String {
        let mut md = format!("### surestep lock status\n\n{}: ", md_code(&self.target));
        if self.locks.is_empty() {
            md.push_str("not locked.\n");
        } else {
            md.push_str(&format!(
                "{}, {} stale.\n\n",
                plural(self.lock_count as u64, "lock"),
                self.stale_count
            ));
            md.push_str(&summary_table(&self.locks));
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> =
            self.warnings.iter().map(|w| Annotation::warning(console(w).into_owned())).collect();
        if self.fail_if_locked && self.locked {
            out.push(Annotation::error(match (&self.lock_id, &self.who) {
                (Some(id), Some(who)) if !self.recursive => {
                    format!("{} is locked by {} (ID {})", self.target, console(who), console(id))
                }
                _ => {
                    format!("{} held under {}", plural(self.lock_count as u64, "lock"), self.target)
                }
            }));
        }
        out
    }
}

impl Render for UnlockOutcome {
    fn status(&self) -> ExitStatus {
        UnlockOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mark = match self.result {
            UnlockResult::Removed => s.good("✓"),
            UnlockResult::NotLocked | UnlockResult::Gone => s.good("✓"),
            UnlockResult::DryRun => s.dim("dry run"),
            _ => s.bad("✗"),
        };
        let mut out = format!("{mark} {}", console(&self.message));
        if let Some(l) = &self.lock {
            let label = if self.removed { "removed lock" } else { "lock read" };
            out.push_str(&format!("\n{}", s.dim(label)));
            out.push_str(&lock_details(s, l));
        }
        if let Some(l) = &self.current {
            out.push_str(&format!("\n{}", s.dim("current lock")));
            out.push_str(&lock_details(s, l));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let mut out =
            common_outputs(self.locked, &self.lock_id, &self.who, &self.created, self.age_seconds);
        out.push(("removed".into(), self.removed.to_string()));
        out.push(("result".into(), format!("{:?}", self.result).to_lowercase()));
        out
    }

    fn summary(&self) -> String {
        let mut md = format!("### surestep lock unlock\n\n{}\n", md_escape(&self.message));
        if let Some(l) = &self.lock {
            md.push('\n');
            md.push_str(&summary_table(std::slice::from_ref(l)));
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let failed = self.status() == ExitStatus::Failed;
        warnings_then_error(&self.warnings, failed.then_some(self.message.as_str()))
    }
}

impl Render for ProbeOutcome {
    fn status(&self) -> ExitStatus {
        ProbeOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mut out = format!(
            "{} {} ({}): {}",
            if self.safe { s.good("✓") } else { s.bad("✗") },
            self.target,
            self.endpoint,
            if self.safe {
                "honours the conditional writes and deletes Terraform's locking relies on"
            } else {
                "Terraform's S3 locking is NOT safe on this store"
            }
        );
        for c in &self.checks {
            let verdict = match c.verdict {
                Verdict::Honoured => s.good("honoured"),
                Verdict::Ignored => s.bad("ignored"),
                Verdict::Unsupported => s.bad("unsupported"),
                Verdict::Inconclusive => s.warn("inconclusive"),
            };
            out.push_str(&format!("\n  {} {}: {}", s.pad(&verdict, 12), c.request, c.detail));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let mut out = vec![("safe".into(), self.safe.to_string())];
        for c in &self.checks {
            out.push((c.name.into(), format!("{:?}", c.verdict).to_lowercase()));
        }
        out
    }

    fn summary(&self) -> String {
        let mut md = format!(
            "### surestep lock probe\n\n{}: {}\n\n| request | verdict | detail |\n|---|---|---|\n",
            md_code(&self.target),
            if self.safe {
                "safe for Terraform locking"
            } else {
                "**unsafe** for Terraform locking"
            }
        );
        for c in &self.checks {
            md.push_str(&format!(
                "| {} | {:?} | {} |\n",
                md_escape(c.request),
                c.verdict,
                md_escape(&c.detail)
            ));
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let level = if self.safe { Annotation::warning } else { Annotation::error };
        self.warnings.iter().map(level).collect()
    }
}

/// Shows the lock on stderr and asks for `yes`, as `terraform force-unlock` does.
/// Only called when stdin and stderr are terminals.
pub fn confirm_unlock(reporter: &Reporter, lock: &LockReport) -> std::io::Result<bool> {
    let s = reporter.err_styles();
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}{}", lock_headline(s, lock), lock_details(s, lock))?;
    write!(
        err,
        "Remove this lock? Terraform runs holding it will fail to write state. Only 'yes' will be accepted: "
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

#[cfg(test)]
mod tests {
    use crate::output::sanitize::console;

    #[test]
    fn lock_body_text_cannot_drive_the_terminal() {
        assert_eq!(console("ci@host"), "ci@host");
        let hostile = "x\u{1b}]0;pwned\u{7}\r\n::error::fake";
        let shown = console(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("\\u{1b}") && shown.contains("::error::fake"), "{shown}");
    }
}
