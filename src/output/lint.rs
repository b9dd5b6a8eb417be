//! How `lint` findings read: compiler-style text with the source line and a caret, JSON, SARIF
//! 2.1.0 for code scanning, and GitHub annotations at each finding's line.

use super::style::md_escape;
use super::{Annotation, Render, Styles};
use crate::commands::lint::{LintOutcome, RuleDocs};
use crate::exit::ExitStatus;
use crate::lint::{Finding, Severity};
use serde_json::json;

/// Replaces control characters so workflow text never drives the terminal.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() && c != '\t' { '\u{FFFD}' } else { c }).collect()
}

fn severity_label(s: &Styles, sev: Severity, rule: &str) -> String {
    let text = format!("{}[{rule}]", sev.as_str());
    match sev {
        Severity::Error => s.bad(&text),
        Severity::Warning => s.warn(&text),
        Severity::Note => s.bold(&text),
    }
}

/// One finding as a compiler would print it.
pub fn finding_text(s: &Styles, f: &Finding) -> String {
    let line_no = f.line.to_string();
    let pad = " ".repeat(line_no.len());
    let source = clean(&f.source).replace('\t', " ");
    let width = source.chars().count() as u32;
    let col = f.column.saturating_sub(1).min(width);
    let len = f.length.min(width.saturating_sub(col)).max(1);
    let mut out = format!(
        "{}:{}:{}: {}: {}\n{pad} {}\n{} {} {source}\n{pad} {} {}{}",
        clean(&f.file),
        f.line,
        f.column,
        severity_label(s, f.severity, f.rule),
        clean(&f.message),
        s.dim("|"),
        s.dim(&line_no),
        s.dim("|"),
        s.dim("|"),
        " ".repeat(col as usize),
        s.warn(&"^".repeat(len as usize)),
    );
    if !f.fix.is_empty() {
        out.push_str(&format!("\n{pad} {} fix: {}", s.dim("="), clean(&f.fix)));
    }
    out
}

impl Render for LintOutcome {
    fn status(&self) -> ExitStatus {
        LintOutcome::status(self)
    }

    fn text(&self, s: &Styles) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&finding_text(s, f));
            out.push_str("\n\n");
        }
        let (e, w, n) = (
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Note),
        );
        let files = format!("{} file{}", self.files, if self.files == 1 { "" } else { "s" });
        if self.findings.is_empty() {
            out.push_str(&format!("{} {files} checked: no findings", s.good("✓")));
        } else {
            out.push_str(&format!("{files} checked: {e} error(s), {w} warning(s), {n} note(s)"));
        }
        if self.suppressed > 0 {
            out.push_str(&format!(" ({} suppressed)", self.suppressed));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        vec![
            ("findings".into(), self.findings.len().to_string()),
            ("errors".into(), self.count(Severity::Error).to_string()),
            ("warnings".into(), self.count(Severity::Warning).to_string()),
            ("notes".into(), self.count(Severity::Note).to_string()),
        ]
    }

    fn summary(&self) -> String {
        let mut md = format!(
            "### surestep lint: {} finding(s) in {} file(s)\n\n",
            self.findings.len(),
            self.files
        );
        if !self.findings.is_empty() {
            md.push_str("| where | rule | finding |\n|---|---|---|\n");
            for f in self.findings.iter().take(100) {
                md.push_str(&format!(
                    "| `{}:{}:{}` | {} `{}` | {} |\n",
                    md_escape(&f.file),
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.rule,
                    md_escape(&f.message)
                ));
            }
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self
            .unreadable
            .iter()
            .map(|u| {
                Annotation::error(format!("cannot read {}: {}", u.file, u.error))
                    .in_file(u.file.clone())
            })
            .collect();
        if self.annotate {
            for f in &self.findings {
                let message = if f.fix.is_empty() {
                    f.message.clone()
                } else {
                    format!("{}\nfix: {}", f.message, f.fix)
                };
                let a = match f.severity {
                    Severity::Error => Annotation::error(message),
                    Severity::Warning => Annotation::warning(message),
                    Severity::Note => Annotation::notice(message),
                };
                out.push(
                    a.in_file(f.file.clone())
                        .at(f.line, f.column, f.column + f.length)
                        .titled(format!("surestep {}", f.rule)),
                );
            }
        }
        out
    }
}

impl Render for RuleDocs {
    fn status(&self) -> ExitStatus {
        ExitStatus::Success
    }
    fn text(&self, s: &Styles) -> String {
        self.rules
            .iter()
            .map(|r| {
                if self.full {
                    format!("{} ({}): {}\n\n{}", s.bold(r.id), r.severity.as_str(), r.title, r.doc)
                } else {
                    format!("{:<26} {:<8} {}", r.id, r.severity.as_str(), r.title)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn outputs(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    fn summary(&self) -> String {
        String::new()
    }
    fn annotations(&self) -> Vec<Annotation> {
        Vec::new()
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A path as a SARIF `uri`: relative paths with `/`, percent-encoding what a URI cannot hold.
fn uri(path: &str) -> (String, bool) {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SET: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b']')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    let p = path.replace('\\', "/");
    let absolute = p.starts_with('/');
    let enc = utf8_percent_encode(&p, SET).to_string();
    if absolute { (format!("file://{enc}"), true) } else { (enc, false) }
}

/// The outcome as a SARIF 2.1.0 log (what `github/codeql-action/upload-sarif` accepts).
pub fn lint_sarif(outcome: &LintOutcome) -> String {
    let rules = crate::lint::all_rules();
    let rule_objs: Vec<_> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.split('-').map(|w| { let mut c = w.chars(); c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default() }).collect::<String>(),
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.doc },
                "help": { "text": r.doc },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
                "properties": { "tags": ["ci", "release", "race-condition"], "problem.severity": sarif_level(r.severity) }
            })
        })
        .collect();
    let location = |file: &str, region: Option<serde_json::Value>| {
        let (u, absolute) = uri(file);
        let mut art = json!({ "uri": u });
        if !absolute {
            art["uriBaseId"] = json!("%SRCROOT%");
        }
        let mut phys = json!({ "artifactLocation": art });
        if let Some(r) = region {
            phys["region"] = r;
        }
        json!({ "physicalLocation": phys })
    };
    let results: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.id == f.rule).unwrap_or(0);
            let text = if f.fix.is_empty() {
                f.message.clone()
            } else {
                format!("{} Fix: {}", f.message, f.fix)
            };
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": { "text": text },
                "locations": [location(&f.file, Some(json!({
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.line,
                    "endColumn": f.column + f.length,
                })))]
            })
        })
        .collect();
    let notifications: Vec<_> = outcome
        .unreadable
        .iter()
        .map(|u| json!({ "level": "error", "message": { "text": format!("cannot read {}: {}", u.file, u.error) }, "locations": [location(&u.file, None)] }))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "surestep",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rule_objs,
            }},
            "invocations": [{
                "executionSuccessful": outcome.unreadable.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
