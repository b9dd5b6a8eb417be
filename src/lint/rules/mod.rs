//! The rules, one file each (the way zizmor keeps one file per audit).
//!
//! Every rule exports a [`Rule`] constant with its id, severity, title and the `--explain`
//! paragraph, and a check that reads the whole [`Set`] of workflows. A rule reports only what it
//! can tell from the files: an expression or variable it cannot read makes it stay silent.

use super::ops::Op;
use super::workflow::{Job, Step, Workflow, condition};
use super::yaml::Node;
use super::{Rule, Set};

pub mod cancel_in_progress_ship;
pub mod checkout_moving_branch;
pub mod deploy_mutable_tag;
pub mod masked_failure;
pub mod matrix_artifact_name;
pub mod matrix_cache_key;
pub mod mutable_tag_race;
pub mod publish_branch_and_tag;
pub mod publish_no_concurrency;
pub mod shallow_tag_lookup;
pub mod ship_if_always;
pub mod sleep_sync;
pub mod split_deploy_groups;
pub mod workflow_run_checkout;
pub mod workflow_run_conclusion;

/// Every rule, in the order of the README.
pub const RULES: &[&Rule] = &[
    &publish_no_concurrency::RULE,
    &cancel_in_progress_ship::RULE,
    &split_deploy_groups::RULE,
    &mutable_tag_race::RULE,
    &workflow_run_checkout::RULE,
    &workflow_run_conclusion::RULE,
    &publish_branch_and_tag::RULE,
    &shallow_tag_lookup::RULE,
    &matrix_cache_key::RULE,
    &matrix_artifact_name::RULE,
    &masked_failure::RULE,
    &sleep_sync::RULE,
    &deploy_mutable_tag::RULE,
    &checkout_moving_branch::RULE,
    &ship_if_always::RULE,
];

/// What a shipping op does, in words for messages.
pub fn ship_words(op: &Op) -> String {
    use super::ops::OpKind::*;
    match op.kind {
        Publish(index) => format!("uploads to {index} (`{}`)", op.what),
        Release => format!("publishes a GitHub release (`{}`)", op.what),
        PushImage => format!("pushes an image (`{}`)", op.what),
        Deploy => format!("deploys (`{}`)", op.what),
        TerraformApply => format!("runs `{}`", op.what),
        _ => format!("runs `{}`", op.what),
    }
}

/// The conditions (`if:`) of a job and of every job upstream of it, each in parentheses,
/// joined with `&&`: one expression the condition reader can evaluate.
pub fn upstream_conditions(wf: &Workflow, job: &Job) -> String {
    join_conditions(wf.upstream(job.id).iter().map(|j| j.if_))
}

/// [`upstream_conditions`] and the step's own `if:`: what must hold for the step to run.
pub fn step_conditions(wf: &Workflow, job: &Job, step: &Step) -> String {
    join_conditions(wf.upstream(job.id).iter().map(|j| j.if_).chain(std::iter::once(step.if_)))
}

fn join_conditions<'n>(ifs: impl Iterator<Item = Option<&'n Node>>) -> String {
    ifs.map(condition)
        .filter(|c| !c.trim().is_empty())
        .map(|c| format!("({c})"))
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The first shipping step of a job: (op, step index); for a reusable call, `None`.
pub fn first_ship<'j>(job: &'j Job) -> Option<(usize, &'j Op)> {
    job.first_ship()
}

/// The concurrency fix, naming the surestep step that makes the shipping step idempotent.
pub fn concurrency_fix(op: Option<&Op>) -> String {
    use super::ops::OpKind::*;
    let base = "add `concurrency: { group: <name>-${{ github.ref }}, cancel-in-progress: false }` to the job or workflow so runs queue instead of overlapping";
    match op.map(|o| o.kind) {
        Some(Publish(_)) => format!(
            "{base}; upload with `surestep publish`, which skips files the index already has byte-identical"
        ),
        Some(TerraformApply) => format!(
            "{base}; keep Terraform's `-lock-timeout` and recover crashed applies with `surestep lock status/unlock`"
        ),
        Some(PushImage) | Some(Deploy) => {
            format!("{base}; deploy the digest `surestep wait-for-image` prints, not a tag")
        }
        _ => base.to_owned(),
    }
}

/// An image reference normalised for comparison: lower case, `${{ x }}` spacing removed,
/// `docker://` dropped, `:latest` added when no tag or digest is written.
pub fn image_key(image: &str) -> String {
    let s: String = image.trim().trim_start_matches("docker://").to_ascii_lowercase();
    let s = s.replace("${{ ", "${{").replace(" }}", "}}");
    let last = s.rsplit('/').next().unwrap_or(&s);
    if last.contains(':') || s.contains('@') { s } else { format!("{s}:latest") }
}

/// Whether two branch filter lists of `on.push` can match one branch (`None`: any branch).
pub fn branches_overlap(a: Option<Vec<&str>>, b: Option<Vec<&str>>) -> bool {
    match (a, b) {
        (None, _) | (_, None) => true,
        (Some(a), Some(b)) => a.iter().any(|x| b.iter().any(|y| glob_overlap(x, y))),
    }
}

fn glob_overlap(a: &str, b: &str) -> bool {
    a == b || glob_match(a, b) || glob_match(b, a)
}

/// A small version of GitHub's branch filter globs: `*` and `**` match any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == text;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else { return false };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// The branch filter of `on.push` (`None`: every branch), or nothing when pushes to branches do
/// not trigger the workflow.
pub fn push_branches<'a>(wf: &'a Workflow) -> Option<Option<Vec<&'a str>>> {
    if !wf.on.on_branch_push() {
        return None;
    }
    let push = wf.on.push?;
    Some(push.get("branches").map(|b| b.strings()))
}

/// Jobs that ship or feed a job that ships (their checkout is the release's source).
pub fn release_jobs<'s, 'a>(set: &Set, wf: &'s Workflow<'a>) -> Vec<&'s Job<'a>> {
    let mut out: Vec<&Job> = Vec::new();
    for j in wf.jobs.iter().filter(|j| set.job_ships(j)) {
        for u in wf.upstream(j.id) {
            if !out.iter().any(|o| o.id == u.id) {
                out.push(u);
            }
        }
    }
    out.sort_by_key(|j| j.key.pos);
    out
}

/// Column of `needle` inside a scalar node's text, when the node is on one line.
pub fn pos_in_scalar(node: &super::yaml::Node, needle: &str) -> (super::yaml::Pos, u32) {
    use super::yaml::{Pos, Style};
    let text = node.text();
    match text.find(needle) {
        Some(i) if node.pos.line == node.end.line => {
            let quote = u32::from(node.style() == Some(Style::Quoted));
            let col = node.pos.col + quote + text[..i].chars().count() as u32;
            (Pos::new(node.pos.line, col), needle.chars().count() as u32)
        }
        _ => (node.pos, text.chars().count() as u32),
    }
}

/// The matrix dimensions a per-job name or key fails to vary with, when that can be told:
/// `Some(missing)` (non-empty) means two jobs of the matrix write the same name.
pub fn matrix_gap(job: &Job, step: &super::workflow::Step, text: &str) -> Option<Vec<String>> {
    use super::expr::{expressions, matrix_names, mentions};
    let matrix = job.matrix.as_ref()?;
    if matrix.is_multi() != Some(true) {
        return None;
    }
    // A step limited to some matrix entries (`if: matrix.os == 'ubuntu-latest'`): cannot tell.
    if step.if_.is_some_and(|c| mentions(c.text(), "matrix")) {
        return None;
    }
    let text = step.env.resolve(text);
    let mut covered = matrix_names(&text);
    if covered.iter().any(|n| n == "*")
        || mentions(&text, "strategy.job-index")
        || mentions(&text, "job.container")
    {
        return None;
    }
    if mentions(&text, "runner.os")
        || mentions(&text, "runner.arch")
        || mentions(&text, "runner.name")
    {
        let runs_on = job.runs_on.map(|r| {
            let mut v = Vec::new();
            r.walk_scalars(&mut v);
            v.iter().map(|n| n.text()).collect::<Vec<_>>().join(" ")
        });
        let names = matrix_names(&runs_on.unwrap_or_default());
        if names.iter().any(|n| n == "*") {
            return None;
        }
        covered.extend(names);
    }
    for (_, _, inner) in expressions(&text) {
        let known = [
            "matrix",
            "runner.",
            "hashFiles",
            "github.",
            "inputs.",
            "vars.",
            "secrets.",
            "format(",
            "join(",
        ];
        let unquoted: String = inner.split('\'').step_by(2).collect::<Vec<_>>().join("''");
        let only_known = unquoted
            .split(|c: char| {
                !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' || c == '(')
            })
            .filter(|t| !t.is_empty() && t.contains(['.', '(']))
            .all(|t| known.iter().any(|k| t.starts_with(k)));
        if !only_known {
            return None; // steps.x.outputs.y, env.UNKNOWN, needs…: cannot tell
        }
    }
    if text.contains('$') && text.replace("${{", "").contains('$') {
        return None; // a shell variable we could not resolve
    }
    let missing = matrix.missing(&covered);
    (!missing.is_empty()).then_some(missing)
}

#[cfg(test)]
pub mod testing {
    //! Helpers for the rules' tests: lint YAML text and check where findings point.
    use super::super::{Finding, Options, SourceFile, lint};

    pub fn lint_files(files: &[(&str, &str)]) -> Vec<Finding> {
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(p, t)| SourceFile { path: p.to_string(), text: t.to_string() })
            .collect();
        lint(&sources, &Options::default()).findings
    }

    pub fn of_rule(findings: &[Finding], rule: &str) -> Vec<Finding> {
        findings.iter().filter(|f| f.rule == rule).cloned().collect()
    }

    /// Asserts `rule` fires exactly at these (file, line, column, text at that column).
    pub fn fires(files: &[(&str, &str)], rule: &str, expected: &[(&str, u32, u32, &str)]) {
        let all = lint_files(files);
        let got = of_rule(&all, rule);
        let got_pos: Vec<(String, u32, u32)> =
            got.iter().map(|f| (f.file.clone(), f.line, f.column)).collect();
        let want: Vec<(String, u32, u32)> =
            expected.iter().map(|(f, l, c, _)| (f.to_string(), *l, *c)).collect();
        assert_eq!(got_pos, want, "{rule} findings: {got:#?}");
        for (f, (_, _, col, text)) in got.iter().zip(expected) {
            let at: String = f.source.chars().skip(*col as usize - 1).collect();
            assert!(
                at.starts_with(text),
                "{rule} at {}:{}: expected `{text}` there, found `{at}`",
                f.line,
                f.column
            );
        }
    }

    /// Asserts `rule` stays silent.
    pub fn silent(files: &[(&str, &str)], rule: &str) {
        let got = of_rule(&lint_files(files), rule);
        assert!(got.is_empty(), "{rule} should be silent: {got:#?}");
    }
}
