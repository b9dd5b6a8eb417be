//! Flags of `surestep lint`.

use crate::lint::Severity;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// `path:line:col: severity[rule]: message`, the source line and a caret
    Text,
    /// One JSON document (same as --json)
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (upload-sarif)
    Sarif,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Note,
    Warning,
    Error,
    /// Always exit 0 when the files could be read
    Never,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Rules: publish-no-concurrency, cancel-in-progress-ship, split-deploy-groups, mutable-tag-race, \
workflow-run-checkout, workflow-run-conclusion, publish-branch-and-tag, shallow-tag-lookup, \
matrix-cache-key, matrix-artifact-name, masked-failure, sleep-sync, deploy-mutable-tag, \
checkout-moving-branch, ship-if-always (and the findings syntax-error, parse-note). \
`surestep lint --explain RULE` tells what a rule catches and how to fix it.

Suppress one finding with a comment `# surestep: ignore[RULE]` on its line, or on a job's key \
line (or the comment line above it) for the whole job.

Exit 0 when no finding is at or above --fail-on, 1 when one is, 2 on usage errors, 3 when a \
file cannot be read.")]
pub struct LintArgs {
    /// Workflow files, composite action.yml files, or directories of them
    /// [default: .github/workflows/]
    #[arg(value_name = "PATH", value_parser = super::non_empty_path)]
    pub paths: Vec<PathBuf>,
    /// Print what RULE catches, why it is a race, and the fix; then exit
    #[arg(long, value_name = "RULE", value_parser = super::non_empty)]
    pub explain: Option<String>,
    /// List the rules with their severity and title; then exit
    #[arg(long)]
    pub list_rules: bool,
    /// Do not report RULE (repeat, or separate with commas)
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = super::non_empty)]
    pub ignore: Vec<String>,
    /// Report only findings of this severity or above
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Exit 1 when a finding of this severity or above is reported
    #[arg(long, value_enum, default_value_t = FailOn::Warning, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Output format
    #[arg(long, value_enum, default_value_t = LintFormat::Text, value_name = "FORMAT")]
    pub format: LintFormat,
}
