//! `surestep lint`: read the workflow files, run every rule, report the findings.
//!
//! The story: resolve the paths (default `.github/workflows/`) into files, read them (an
//! unreadable file is an environment failure, reported after the others are checked), lint the
//! whole set at once so cross-file rules see every workflow, then hand the outcome to the output
//! layer in the requested format.

use crate::cli::{FailOn, LintArgs, LintFormat};
use crate::exit::{CliError, ExitStatus};
use crate::lint::{self, Finding, Options, Rule, Severity, SourceFile};
use crate::output::Reporter;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A file that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub file: String,
    pub error: String,
}

/// What `lint` found.
#[derive(Debug, Clone, Serialize)]
pub struct LintOutcome {
    pub files: usize,
    pub findings: Vec<Finding>,
    pub suppressed: usize,
    pub unreadable: Vec<Unreadable>,
    #[serde(skip)]
    pub fail_on: Option<Severity>,
    /// Annotate findings at their lines (GitHub Actions).
    #[serde(skip)]
    pub annotate: bool,
}

impl LintOutcome {
    pub fn status(&self) -> ExitStatus {
        if !self.unreadable.is_empty() {
            ExitStatus::Environment
        } else if self.fail_on.is_some_and(|f| self.findings.iter().any(|x| x.severity >= f)) {
            ExitStatus::Failed
        } else {
            ExitStatus::Success
        }
    }
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

/// `--explain RULE` and `--list-rules`.
#[derive(Debug, Clone, Serialize)]
pub struct RuleDocs {
    pub rules: Vec<RuleDoc>,
    #[serde(skip)]
    pub full: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub doc: &'static str,
}

impl RuleDoc {
    fn of(r: &Rule) -> RuleDoc {
        RuleDoc { id: r.id, severity: r.severity, title: r.title, doc: r.doc }
    }
}

pub fn run(args: &LintArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    if let Some(id) = &args.explain {
        let rule = lint::find_rule(id).ok_or_else(|| unknown_rule(id))?;
        return Ok(
            reporter.finish("lint", &RuleDocs { rules: vec![RuleDoc::of(rule)], full: true })
        );
    }
    if args.list_rules {
        let rules = lint::all_rules().into_iter().map(RuleDoc::of).collect();
        return Ok(reporter.finish("lint", &RuleDocs { rules, full: false }));
    }
    for id in &args.ignore {
        if lint::find_rule(id).is_none() {
            return Err(unknown_rule(id));
        }
    }
    let files = collect_files(&args.paths)?;
    let mut sources = Vec::new();
    let mut unreadable = Vec::new();
    for path in &files {
        let shown = path.to_string_lossy().trim_start_matches("./").to_owned();
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(SourceFile { path: shown, text }),
                Err(_) => {
                    unreadable.push(Unreadable { file: shown, error: "not UTF-8 text".into() })
                }
            },
            Err(e) => unreadable.push(Unreadable { file: shown, error: e.to_string() }),
        }
    }
    let options = Options { ignore: args.ignore.clone(), min_severity: args.min_severity };
    let report = lint::lint(&sources, &options);
    let outcome = LintOutcome {
        files: files.len(),
        findings: report.findings,
        suppressed: report.suppressed,
        unreadable,
        fail_on: match args.fail_on {
            FailOn::Note => Some(Severity::Note),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Error => Some(Severity::Error),
            FailOn::Never => None,
        },
        annotate: reporter.in_github(),
    };
    Ok(match args.format {
        LintFormat::Sarif => {
            let doc = crate::output::lint_sarif(&outcome);
            reporter.finish_document("lint", &outcome, &doc)
        }
        _ => reporter.finish("lint", &outcome),
    })
}

fn unknown_rule(id: &str) -> CliError {
    CliError::usage(anyhow::anyhow!("unknown rule {id:?}"))
        .with_hint("`surestep lint --list-rules` lists the rules")
}

/// The files under the given paths (workflow `.yml`/`.yaml` files and `action.yml`), sorted.
fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let default = [PathBuf::from(".github/workflows")];
    let given = !paths.is_empty();
    let paths = if given { paths } else { &default[..] };
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| {
            let err = CliError::usage(anyhow::anyhow!("{}: {e}", p.display()));
            if given { err } else { err.with_hint("run in a repository with .github/workflows/, or pass workflow files or directories") }
        })?;
        if meta.is_dir() {
            walk(p, &mut out).map_err(|e| {
                CliError::environment(anyhow::anyhow!("reading directory {}: {e}", p.display()))
            })?;
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(CliError::usage(anyhow::anyhow!(
            "no workflow files (*.yml, *.yaml) under {}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
        .with_hint(
            "run in a repository with .github/workflows/, or pass workflow files or directories",
        ));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let ty = e.file_type()?;
        if ty.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}
