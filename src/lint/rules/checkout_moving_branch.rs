//! Rule `checkout-moving-branch`: a release or deploy job checks out a branch instead of the
//! commit that triggered it.

use super::super::ops::OpKind;
use super::super::{Rule, Set, Severity, Sink};
use super::release_jobs;

pub const RULE: Rule = Rule {
    id: "checkout-moving-branch",
    severity: Severity::Warning,
    title: "a release or deploy job checks out a moving branch",
    doc: "`actions/checkout` with `ref: main` (or the default branch, `github.head_ref`, \
          `workflow_run.head_branch`, or `github.ref` on a branch push) in a job that publishes \
          or deploys, or in a job it needs. The branch may have moved since the run started: \
          the job builds and ships a commit nobody tested or tagged, and two runs can ship \
          each other's code. Check out the triggering commit (the default, `github.sha`, or \
          `workflow_run.head_sha`); for a tag, `surestep check-tag` tells which commit it \
          names. Checkouts into a `path:` or of another `repository:` (a gh-pages branch to \
          publish into) are not reported.",
    check,
};

const MOVING_EXPR: &[&str] = &["default_branch", "github.head_ref", "head_branch", "base_ref"];

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        let workflow_run_only = wf.on.workflow_run.is_some() && wf.on.events.len() == 1;
        if workflow_run_only {
            continue; // workflow-run-checkout covers these
        }
        for job in release_jobs(set, wf) {
            for step in &job.steps {
                if !step.ops.iter().any(|o| o.kind == OpKind::Checkout)
                    || step.with_str("path").is_some()
                    || step.with_str("repository").is_some()
                {
                    continue;
                }
                let Some(r) = step.with("ref") else { continue };
                let t = r.text().trim();
                let moving = if t.contains("${{") {
                    MOVING_EXPR.iter().any(|m| t.contains(m))
                        || (wf.on.on_branch_push()
                            && !wf.on.on_tag_push()
                            && (t.contains("github.ref }}") || t.contains("github.ref_name")))
                } else {
                    !t.is_empty()
                        && !t.starts_with("refs/tags/")
                        && !is_commitish(t)
                        && !looks_like_version(t)
                };
                if moving {
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        r.pos,
                        r.text().chars().count() as u32,
                        format!("job `{}` ships from `{}`, a branch that can move after the run started", job.id, t),
                        "drop `ref:` (checkout then uses the triggering commit) or check out the tag's commit".into(),
                    );
                }
            }
        }
    }
}

fn is_commitish(t: &str) -> bool {
    t.len() >= 7 && t.chars().all(|c| c.is_ascii_hexdigit())
}

fn looks_like_version(t: &str) -> bool {
    let t = t.trim_start_matches('v');
    t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('.')
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on:
  push:
    tags: ['v*']
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: main
      - run: gh release create ${{ github.ref_name }}
";

    #[test]
    fn fires_on_the_ref() {
        fires(&[("w.yml", BEFORE)], "checkout-moving-branch", &[("w.yml", 10, 16, "main")]);
    }

    #[test]
    fn silent_on_the_triggering_commit_or_plain_ci() {
        silent(
            &[("w.yml", &BEFORE.replace("        with:\n          ref: main\n", ""))],
            "checkout-moving-branch",
        );
        silent(
            &[("w.yml", &BEFORE.replace("gh release create ${{ github.ref_name }}", "pytest"))],
            "checkout-moving-branch",
        );
        silent(
            &[("w.yml", &BEFORE.replace("ref: main", "ref: main\n          path: base"))],
            "checkout-moving-branch",
        );
    }
}
