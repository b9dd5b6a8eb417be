//! How a `check-tag` outcome reads in text, GitHub outputs and the step summary.

use super::sanitize::{console, md_code};
use super::style::md_escape;
use super::{Annotation, Render, Styles};
use crate::commands::check_tag::{CheckResult, CheckTagOutcome, short};
use crate::exit::ExitStatus;

/// Ignored tags listed one per line before the rest are counted.
const IGNORED_SHOWN: usize = 10;

impl Render for CheckTagOutcome {
    fn status(&self) -> ExitStatus {
        CheckTagOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mut out = match &self.tag {
            Some(t) => {
                let mut line = format!(
                    "{} {} carries {} (version {}",
                    s.good("✓"),
                    short(&self.commit),
                    s.bold(&console(&t.tag_name)),
                    t.version
                );
                if t.python_version != t.version && !t.python_version.is_empty() {
                    line.push_str(&format!(", Python {}", t.python_version));
                }
                line.push_str(match t.is_latest {
                    Some(true) => ", latest)",
                    Some(false) => ", not the latest release)",
                    None => ", latest unknown: shallow clone)",
                });
                line
            }
            None => format!("{} {} carries no release tag", s.dim("–"), short(&self.commit)),
        };
        for t in self.tags.iter().skip(1) {
            out.push_str(&format!("\n  also tagged {}", console(t)));
        }
        // A commit may carry hundreds of other tags: list a few, count the rest.
        for i in self.ignored.iter().take(IGNORED_SHOWN) {
            out.push_str(&format!(
                "\n  {} {}: {}",
                s.dim("ignored"),
                console(&i.tag),
                console(&i.reason)
            ));
        }
        if self.ignored.len() > IGNORED_SHOWN {
            out.push_str(&format!(
                "\n  {} and {} more tags that are not release tags (all in --json)",
                s.dim("ignored"),
                self.ignored.len() - IGNORED_SHOWN
            ));
        }
        for c in &self.checks {
            let mark = match c.result {
                CheckResult::Passed => s.good("✓"),
                CheckResult::Failed => s.bad("✗"),
                CheckResult::Skipped => s.dim("–"),
                CheckResult::Unknown => s.warn("?"),
            };
            out.push_str(&format!("\n{mark} {}: {}", c.name, console(&c.detail)));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let t = self.tag.as_ref();
        let field = |f: &dyn Fn(&crate::commands::check_tag::FoundTag) -> String| {
            t.map(f).unwrap_or_default()
        };
        let mut out = vec![
            ("has_tag".into(), self.has_tag.to_string()),
            ("tag_name".into(), field(&|t| t.tag_name.clone())),
            ("version".into(), field(&|t| t.version.clone())),
            ("major".into(), field(&|t| t.major.to_string())),
            ("minor".into(), field(&|t| t.minor.to_string())),
            ("patch".into(), field(&|t| t.patch.to_string())),
            ("prerelease".into(), field(&|t| t.prerelease.clone())),
            ("python_version".into(), field(&|t| t.python_version.clone())),
            (
                "is_latest".into(),
                match t.map(|t| t.is_latest) {
                    Some(Some(latest)) => latest.to_string(),
                    Some(None) => "unknown".into(),
                    None => "false".into(),
                },
            ),
            ("commit".into(), self.commit.clone()),
            ("tags".into(), self.tags.join("\n")),
        ];
        if let Some(c) = &self.trigger_conclusion {
            out.push(("trigger_conclusion".into(), c.clone()));
        }
        out
    }

    fn summary(&self) -> String {
        let mut md = String::from("### surestep check-tag\n\n");
        match &self.tag {
            Some(t) => md.push_str(&format!(
                "| tag | version | Python | latest | commit |\n|---|---|---|---|---|\n| {} | {} | {} | {} | `{}` |\n",
                md_code(&t.tag_name),
                t.version,
                t.python_version,
                match t.is_latest {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "unknown (shallow clone)",
                },
                short(&self.commit)
            )),
            None => md.push_str(&format!("Commit `{}` carries no release tag.\n", short(&self.commit))),
        }
        for c in &self.checks {
            let mark = match c.result {
                CheckResult::Passed => "✅",
                CheckResult::Failed => "❌",
                CheckResult::Skipped => "➖",
                CheckResult::Unknown => "❓",
            };
            md.push_str(&format!("\n{mark} **{}**: {}\n", c.name, md_escape(&c.detail)));
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self.warnings.iter().map(Annotation::warning).collect();
        out.extend(
            self.checks
                .iter()
                .filter(|c| matches!(c.result, CheckResult::Failed | CheckResult::Unknown))
                .map(|c| Annotation::error(format!("{}: {}", c.name, c.detail))),
        );
        out
    }
}
