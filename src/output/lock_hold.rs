//! How `lock acquire`, `lock release` and `lock run` outcomes read in text, GitHub outputs, the
//! step summary and annotations.

use super::lock::{opt, warnings_then_error};
use super::sanitize::console;
use super::style::md_escape;
use super::{Annotation, Render, Styles};
use crate::commands::lock::acquire::AcquireOutcome;
use crate::commands::lock::release::{ReleaseOutcome, ReleaseResult};
use crate::commands::lock::run::RunOutcome;
use crate::exit::ExitStatus;

fn acquire_text(a: &AcquireOutcome, s: &Styles) -> String {
    let mark = if a.acquired { s.good("✓") } else { s.bad("✗") };
    let mut out = format!("{mark} {}", console(&a.message));
    let mut line =
        |k: &str, v: &str| out.push_str(&format!("\n  {}{v}", s.dim(&format!("{k:<14}"))));
    if a.acquired {
        line("ID", &a.lock_id);
        line("etag", &opt(&a.etag));
        line("who", &console(&a.who));
        line("operation", &console(&a.operation));
        line("created", &opt(&a.created));
        line("lease until", &opt(&a.lease_expires));
    } else if let Some(h) = &a.holder {
        line("holder ID", &opt(&h.lock_id));
        line("who", &opt(&h.who));
        line("operation", &opt(&h.operation));
        line("created", &opt(&h.created));
        line("lease until", &opt(&h.lease_expires));
        if let Some(info) = h.info.as_deref().filter(|i| !i.is_empty()) {
            line("info", &console(info));
        }
    }
    line("waited", &format!("{:.1}s", a.waited_seconds));
    out
}

fn acquire_outputs(a: &AcquireOutcome) -> Vec<(String, String)> {
    let holder_who = a.holder.as_ref().and_then(|h| h.who.clone());
    vec![
        ("acquired".into(), a.acquired.to_string()),
        ("lock_id".into(), if a.acquired { a.lock_id.clone() } else { String::new() }),
        ("etag".into(), a.etag.clone().unwrap_or_default()),
        ("lease_expires".into(), a.lease_expires.clone().unwrap_or_default()),
        ("waited_seconds".into(), format!("{:.1}", a.waited_seconds)),
        ("who".into(), if a.acquired { a.who.clone() } else { holder_who.unwrap_or_default() }),
        (
            "holder_lock_id".into(),
            a.holder.as_ref().and_then(|h| h.lock_id.clone()).unwrap_or_default(),
        ),
    ]
}

impl Render for AcquireOutcome {
    fn status(&self) -> ExitStatus {
        if self.acquired { ExitStatus::Success } else { ExitStatus::Failed }
    }

    fn text(&self, s: &Styles) -> String {
        acquire_text(self, s)
    }

    fn outputs(&self) -> Vec<(String, String)> {
        acquire_outputs(self)
    }

    fn summary(&self) -> String {
        format!("### surestep lock acquire\n\n{}\n", md_escape(&self.message))
    }

    fn annotations(&self) -> Vec<Annotation> {
        warnings_then_error(&self.warnings, (!self.acquired).then_some(self.message.as_str()))
    }
}

impl Render for ReleaseOutcome {
    fn status(&self) -> ExitStatus {
        ReleaseOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mark = match self.result {
            ReleaseResult::Released | ReleaseResult::NotLocked => s.good("✓"),
            _ => s.bad("✗"),
        };
        let mut out = format!("{mark} {}", console(&self.message));
        if let Some(h) = &self.holder {
            out.push_str(&format!(
                "\n  {:<14}{}\n  {:<14}{}",
                s.dim("holder ID"),
                opt(&h.lock_id),
                s.dim("who"),
                opt(&h.who)
            ));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        vec![
            ("released".into(), self.released.to_string()),
            ("result".into(), format!("{:?}", self.result).to_lowercase()),
            ("lock_id".into(), self.lock_id.clone()),
            ("who".into(), self.holder.as_ref().and_then(|h| h.who.clone()).unwrap_or_default()),
        ]
    }

    fn summary(&self) -> String {
        format!("### surestep lock release\n\n{}\n", md_escape(&self.message))
    }

    fn annotations(&self) -> Vec<Annotation> {
        let failed = self.status() == ExitStatus::Failed;
        warnings_then_error(&self.warnings, failed.then_some(self.message.as_str()))
    }
}

impl Render for RunOutcome {
    fn status(&self) -> ExitStatus {
        RunOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mark = if self.status_code == 0 { s.good("✓") } else { s.bad("✗") };
        let mut out = format!("{mark} {}", console(&self.message));
        let mut line =
            |k: &str, v: &str| out.push_str(&format!("\n  {}{v}", s.dim(&format!("{k:<14}"))));
        line("lock ID", &self.acquire.lock_id);
        line("waited", &format!("{:.1}s", self.acquire.waited_seconds));
        if self.acquire.lease_seconds.is_some() {
            line("renewals", &self.renewals.to_string());
        }
        if !self.forwarded_signals.is_empty() {
            line("forwarded", &self.forwarded_signals.join(", "));
        }
        if let Some(h) = &self.lost_to {
            line("now held by", &format!("{} (ID {})", opt(&h.who), opt(&h.lock_id)));
        }
        if !self.acquire.acquired
            && let Some(h) = &self.acquire.holder
        {
            line("holder ID", &opt(&h.lock_id));
            line("who", &opt(&h.who));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let mut out = acquire_outputs(&self.acquire);
        out.push(("exit_code".into(), self.status_code.to_string()));
        out.push(("lease_lost".into(), self.lease_lost.to_string()));
        out.push((
            "released".into(),
            self.release.as_ref().is_some_and(|r| r.released).to_string(),
        ));
        out
    }

    fn summary(&self) -> String {
        format!("### surestep lock run\n\n{}\n", md_escape(&self.message))
    }

    fn annotations(&self) -> Vec<Annotation> {
        let failed = self.lease_lost || !self.acquire.acquired;
        warnings_then_error(
            self.acquire.warnings.iter().chain(&self.warnings),
            failed.then_some(self.message.as_str()),
        )
    }
}
