//! `surestep lint`: the release races of the seed stories, found in GitHub workflow files.
//!
//! Pure: sources in, findings out. Each file is parsed once into a position-carrying tree
//! ([`yaml`]), modelled ([`workflow`], with what each step does from [`ops`]), then every rule in
//! [`rules`] (one file per rule) reads the whole set, so cross-file rules see every workflow.
//! Suppression comments and `--ignore` / `--min-severity` are applied last.

pub mod cond;
pub mod expr;
pub mod ops;
pub mod rules;
pub mod script;
pub mod workflow;
pub mod yaml;

use serde::Serialize;
use workflow::Workflow;
use yaml::Pos;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A rule: its id, default severity, one-line title, the `--explain` paragraph, and its check.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub doc: &'static str,
    pub check: fn(&Set, &mut Sink),
}

/// One finding, at the exact node.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Columns the finding covers on its line (for carets and SARIF regions).
    pub length: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    pub message: String,
    pub fix: String,
    /// The source line, for the text output.
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    job_line: Option<u32>,
}

/// A file to lint.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown in findings (relative as given).
    pub path: String,
    pub text: String,
}

/// Every workflow of the run, for rules that look across files.
pub struct Set<'a> {
    pub workflows: Vec<Workflow<'a>>,
}

impl<'a> Set<'a> {
    /// The workflow a job's `uses: ./.github/workflows/x.yml` calls, when it is in the run.
    pub fn called(&self, uses: &str) -> Option<&Workflow<'a>> {
        let target = uses.trim().strip_prefix("./")?.split('@').next()?;
        self.workflows.iter().find(|w| {
            let p = w.path.replace('\\', "/");
            p == target || p.ends_with(&format!("/{target}"))
        })
    }

    /// Whether a job ships: a step of its own, or a called reusable workflow in the run ships.
    pub fn job_ships(&self, job: &workflow::Job) -> bool {
        job.ships()
            || job
                .uses
                .and_then(|u| u.as_str())
                .and_then(|u| self.called(u))
                .is_some_and(|w| w.jobs.iter().any(|j| j.ships()))
    }
}

/// Where rules report.
pub struct Sink {
    findings: Vec<Finding>,
}

impl Sink {
    /// Records a finding of `rule` at `pos` in `wf` (in job `job`, if any).
    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &mut self,
        rule: &Rule,
        wf: &Workflow,
        job: Option<&workflow::Job>,
        pos: Pos,
        length: u32,
        message: String,
        fix: String,
    ) {
        let source = wf.lines.get(pos.line.saturating_sub(1) as usize).copied().unwrap_or("");
        self.findings.push(Finding {
            rule: rule.id,
            severity: rule.severity,
            file: wf.path.to_owned(),
            line: pos.line,
            column: pos.col,
            length: length.max(1),
            job: job.map(|j| j.id.to_owned()),
            message,
            fix,
            source: source.to_owned(),
            job_line: job.map(|j| j.key.pos.line),
        });
    }
}

/// `syntax-error`: not a rule that can be switched off by fixing a pattern, but a finding.
pub const SYNTAX_ERROR: Rule = Rule {
    id: "syntax-error",
    severity: Severity::Error,
    title: "the file is not valid YAML",
    doc: "The file cannot be read as YAML, so GitHub will not run it and no other rule can check \
          it. The finding points at the line and column where the YAML parser stopped.",
    check: |_, _| {},
};

/// `parse-note`: a shape the linter does not know, reported instead of guessed.
pub const PARSE_NOTE: Rule = Rule {
    id: "parse-note",
    severity: Severity::Note,
    title: "a part of the file is not a shape surestep understands",
    doc: "A workflow part has a shape surestep does not model (a top level that is not a \
          mapping, a file without `jobs:` or `runs:`, several YAML documents). Rules skip what \
          they cannot read; this note says so rather than staying silent or guessing.",
    check: |_, _| {},
};

/// What to report.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rule ids not to report.
    pub ignore: Vec<String>,
    pub min_severity: Option<Severity>,
}

/// Findings of one run over a set of files.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Findings hidden by `# surestep: ignore[…]` comments.
    pub suppressed: usize,
}

/// Every rule, in the documented order, then the meta findings.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut r: Vec<&'static Rule> = rules::RULES.to_vec();
    r.push(&SYNTAX_ERROR);
    r.push(&PARSE_NOTE);
    r
}

pub fn find_rule(id: &str) -> Option<&'static Rule> {
    all_rules().into_iter().find(|r| r.id == id)
}

/// Lints a set of files together.
pub fn lint(sources: &[SourceFile], options: &Options) -> Report {
    use rayon::prelude::*;
    let parsed: Vec<Result<yaml::Document, yaml::SyntaxError>> =
        sources.par_iter().map(|s| yaml::parse(&s.text)).collect();
    let mut sink = Sink { findings: Vec::new() };
    let mut workflows = Vec::new();
    for (i, (src, doc)) in sources.iter().zip(&parsed).enumerate() {
        let lines: Vec<&str> = src.text.lines().collect();
        let note = |sink: &mut Sink, rule: &Rule, pos: Pos, message: String| {
            sink.findings.push(Finding {
                rule: rule.id,
                severity: rule.severity,
                file: src.path.clone(),
                line: pos.line.max(1),
                column: pos.col.max(1),
                length: 1,
                job: None,
                message,
                fix: String::new(),
                source: lines
                    .get(pos.line.saturating_sub(1) as usize)
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                job_line: None,
            })
        };
        match doc {
            Err(e) => note(&mut sink, &SYNTAX_ERROR, e.pos, format!("invalid YAML: {}", e.message)),
            Ok(doc) => {
                let Some(root) = &doc.root else {
                    note(&mut sink, &PARSE_NOTE, Pos::new(1, 1), "the file is empty".into());
                    continue;
                };
                if doc.extra_documents {
                    note(
                        &mut sink,
                        &PARSE_NOTE,
                        root.pos,
                        "several YAML documents: only the first is read".into(),
                    );
                }
                if !root.is_map() {
                    note(
                        &mut sink,
                        &PARSE_NOTE,
                        root.pos,
                        "the top level is not a mapping: not a workflow".into(),
                    );
                    continue;
                }
                if root.get("jobs").is_none() && root.get("runs").is_none() {
                    note(
                        &mut sink,
                        &PARSE_NOTE,
                        root.pos,
                        "neither `jobs:` (a workflow) nor `runs:` (an action): nothing to check"
                            .into(),
                    );
                    continue;
                }
                if let Some(jobs) = root.get("jobs")
                    && !jobs.is_map()
                {
                    note(&mut sink, &PARSE_NOTE, jobs.pos, "`jobs:` is not a mapping".into());
                    continue;
                }
                workflows.push(Workflow::new(i, &src.path, &src.text, root));
            }
        }
    }
    let set = Set { workflows };
    for rule in rules::RULES {
        (rule.check)(&set, &mut sink);
    }
    let mut findings = sink.findings;
    let mut suppressed = 0;
    findings.retain(|f| {
        if options.ignore.iter().any(|r| r == f.rule) {
            return false;
        }
        if options.min_severity.is_some_and(|m| f.severity < m) {
            return false;
        }
        let src = sources.iter().find(|s| s.path == f.file);
        let hidden = src.is_some_and(|s| is_suppressed(&s.text, f));
        suppressed += usize::from(hidden);
        !hidden
    });
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule).cmp(&(&b.file, b.line, b.column, b.rule))
    });
    findings.dedup_by(|a, b| {
        a.file == b.file && a.line == b.line && a.column == b.column && a.rule == b.rule
    });
    Report { findings, suppressed }
}

/// `# surestep: ignore[rule-a, rule-b]` on the finding's line, or on the job's key line or the
/// comment line right above it.
fn is_suppressed(text: &str, f: &Finding) -> bool {
    let line = |n: u32| text.lines().nth(n.saturating_sub(1) as usize).unwrap_or("");
    let mut candidates = vec![line(f.line)];
    if let Some(j) = f.job_line {
        candidates.push(line(j));
        if j > 1 && line(j - 1).trim_start().starts_with('#') {
            candidates.push(line(j - 1));
        }
    }
    candidates.iter().any(|l| ignores(l, f.rule))
}

fn ignores(line: &str, rule: &str) -> bool {
    let Some(hash) = line.find('#') else { return false };
    let mut rest = &line[hash..];
    while let Some(i) = rest.find("surestep:") {
        let after = rest[i + "surestep:".len()..].trim_start();
        if let Some(list) = after.strip_prefix("ignore[")
            && let Some(end) = list.find(']')
            && list[..end].split(',').any(|r| r.trim() == rule || r.trim() == "all")
        {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}
