//! How a `wait-for-image` outcome reads in text, GitHub outputs and the step summary.

use super::sanitize::{console, md_code};
use super::style::md_escape;
use super::{Annotation, Render, Styles};
use crate::commands::wait_for_image::{WaitForImageOutcome, describe_seen, short_sha};
use crate::exit::ExitStatus;

impl WaitForImageOutcome {
    /// The timeout message: what was awaited and what was last seen.
    fn timeout_message(&self) -> String {
        let mut msg =
            format!("timed out after {}s waiting for {}", self.waited_seconds, self.reference);
        match &self.last_seen {
            Some(seen) => {
                msg.push_str(&format!("; last seen {}", describe_seen(seen, &self.conditions)))
            }
            None => msg.push_str("; the tag never appeared"),
        }
        if let Some(e) = &self.last_error {
            msg.push_str(&format!("; the last poll failed: {e}"));
        }
        msg
    }

    fn platform_list(&self) -> String {
        self.platforms.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }
}

impl Render for WaitForImageOutcome {
    fn status(&self) -> ExitStatus {
        WaitForImageOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        if !self.ready {
            let mut out = format!("{} {}", s.bad("✗"), console(&self.timeout_message()));
            for c in self.conditions.iter().filter(|c| !c.passed) {
                out.push_str(&format!("\n  {} {}: {}", s.bad("✗"), c.name, console(&c.detail)));
            }
            return out;
        }
        let mut out = format!(
            "{} {} is ready after {}s ({}, {})",
            s.good("✓"),
            s.bold(&console(&self.reference)),
            self.waited_seconds,
            super::style::plural(self.polls as u64, "poll"),
            super::style::plural(self.requests as u64, "request")
        );
        if let Some(image) = &self.image {
            out.push_str(&format!("\n  image      {}", console(image)));
        }
        out.push_str(&format!(
            "\n  revision   {}",
            console(self.revision.as_deref().unwrap_or("(no revision label)"))
        ));
        if !self.platforms.is_empty() {
            out.push_str(&format!("\n  platforms  {}", console(&self.platform_list())));
        }
        for c in &self.conditions {
            out.push_str(&format!("\n{} {}: {}", s.good("✓"), c.name, console(&c.detail)));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("ready".into(), self.ready.to_string()),
            ("digest".into(), self.digest.as_ref().map(ToString::to_string).unwrap_or_default()),
            ("image".into(), self.image.clone().unwrap_or_default()),
            ("revision".into(), self.revision.clone().unwrap_or_default()),
            ("platforms".into(), self.platform_list()),
            ("waited_seconds".into(), self.waited_seconds.to_string()),
        ];
        if let Some(c) = &self.trigger_conclusion {
            out.push(("trigger_conclusion".into(), c.clone()));
        }
        out
    }

    fn summary(&self) -> String {
        let mut md = String::from("### surestep wait-for-image\n\n");
        if self.ready {
            md.push_str(&format!(
                "✅ {} is ready after {}s: {}",
                md_code(&self.reference),
                self.waited_seconds,
                md_code(self.image.as_deref().unwrap_or(""))
            ));
            if let Some(r) = &self.revision {
                md.push_str(&format!(" (revision {}", md_code(short_sha(r))));
                if !self.platforms.is_empty() {
                    md.push_str(&format!(", {}", md_escape(&self.platform_list())));
                }
                md.push(')');
            } else if !self.platforms.is_empty() {
                md.push_str(&format!(" ({})", md_escape(&self.platform_list())));
            }
            md.push('\n');
        } else {
            md.push_str(&format!("❌ {}\n", md_escape(&self.timeout_message())));
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self.notes.iter().map(Annotation::notice).collect();
        if !self.ready {
            out.push(Annotation::error(self.timeout_message()));
        }
        out
    }
}
