//! Rule `workflow-run-checkout`: a `workflow_run` release builds the default branch's tip.

use super::super::ops::OpKind;
use super::super::script::Script;
use super::super::{Rule, Set, Severity, Sink};
use super::release_jobs;

pub const RULE: Rule = Rule {
    id: "workflow-run-checkout",
    severity: Severity::Error,
    title: "a workflow_run release checks out or names the wrong commit",
    doc: "In a workflow started by `workflow_run`, `github.sha` and `github.ref` are the \
          default branch's latest commit, not the commit the triggering workflow built. A \
          release job that runs `actions/checkout` without `ref: ${{ \
          github.event.workflow_run.head_sha }}`, or passes `github.sha` / `github.ref` (or \
          `$GITHUB_SHA`) as the commit it releases, tags and ships whatever landed on the \
          default branch since - the seed story's cache-build → release-build chain. Check \
          out `github.event.workflow_run.head_sha` and find its tag with `surestep check-tag` \
          (it reads `workflow_run.head_sha` from the event by itself). Only jobs that publish \
          or deploy, and the jobs they need, are checked: a workflow_run job that comments on \
          a pull request rightly checks out the default branch.",
    check,
};

const WRONG: &[&str] = &[
    "github.sha",
    "github.ref",
    "github.ref_name",
    "$GITHUB_SHA",
    "${GITHUB_SHA}",
    "$GITHUB_REF",
    "${GITHUB_REF}",
];

fn check(set: &Set, sink: &mut Sink) {
    for wf in set.workflows.iter().filter(|w| w.on.workflow_run.is_some()) {
        for job in release_jobs(set, wf) {
            for step in &job.steps {
                for op in step.ops.iter().filter(|o| o.kind == OpKind::Checkout) {
                    if step.with_str("repository").is_some() {
                        continue;
                    }
                    match step.with("ref") {
                        None => sink.report(
                            &RULE,
                            wf,
                            Some(job),
                            op.pos,
                            op.len,
                            format!("job `{}` checks out the default branch's tip, not the commit the triggering workflow built", job.id),
                            "add `with: { ref: ${{ github.event.workflow_run.head_sha }} }` to the checkout".into(),
                        ),
                        Some(r) if !r.text().contains("head_sha") && names_wrong_commit(r.text()) => sink.report(
                            &RULE,
                            wf,
                            Some(job),
                            r.pos,
                            r.text().chars().count() as u32,
                            format!("job `{}` checks out `{}`, which in a workflow_run is not the built commit", job.id, r.text()),
                            "use `ref: ${{ github.event.workflow_run.head_sha }}`".into(),
                        ),
                        _ => {}
                    }
                }
                let mut texts: Vec<(String, Script)> = Vec::new();
                if let Some((_, s)) = &step.run {
                    texts.push(("run".into(), s.clone()));
                }
                if step.action != "actions/checkout"
                    && let Some(w) = step.with
                {
                    for (_, v) in w.entries() {
                        if v.as_str().is_some() {
                            texts.push(("with".into(), Script::from_node(v, &wf.lines)));
                        }
                    }
                }
                for (_, s) in texts {
                    if let Some((at, word)) = find_wrong(&s.text) {
                        sink.report(
                            &RULE,
                            wf,
                            Some(job),
                            s.pos(at),
                            word.len() as u32,
                            format!("`{word}` in a workflow_run is the default branch's tip, not the commit the triggering workflow built"),
                            "use `${{ github.event.workflow_run.head_sha }}` (and `surestep check-tag` for its tag)".into(),
                        );
                    }
                }
            }
        }
    }
}

fn names_wrong_commit(r: &str) -> bool {
    !r.contains("${{")
        || WRONG.iter().any(|w| r.contains(w))
        || r.contains("head_branch")
        || r.contains("default_branch")
}

/// The first mention of `github.sha`/`github.ref` (inside an expression) or `$GITHUB_SHA`.
fn find_wrong(text: &str) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for (start, end, inner) in super::super::expr::expressions(text) {
        if inner.contains("head_sha") {
            continue;
        }
        for w in ["github.sha", "github.ref_name", "github.ref"] {
            if let Some(i) = text[start..end].find(w) {
                let after = text[start + i + w.len()..].chars().next();
                if w == "github.ref" && after.is_some_and(|c| c == '_') {
                    continue;
                }
                let at = start + i;
                if best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, w));
                }
                break;
            }
        }
    }
    for w in ["$GITHUB_SHA", "${GITHUB_SHA}", "$GITHUB_REF", "${GITHUB_REF}"] {
        if let Some(at) = text.find(w) {
            let after = text[at + w.len()..].chars().next();
            if after.is_some_and(|c| c == '_' || c.is_ascii_alphanumeric()) {
                continue;
            }
            if best.is_none_or(|(b, _)| at < b) {
                best = Some((at, w));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on:
  workflow_run:
    workflows: [cache-build]
    types: [completed]
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: gh release create \"v1\" --target ${{ github.sha }}
";

    #[test]
    fn fires_on_checkout_and_on_github_sha() {
        fires(
            &[("w.yml", BEFORE)],
            "workflow-run-checkout",
            &[("w.yml", 9, 15, "actions/checkout"), ("w.yml", 12, 50, "github.sha")],
        );
    }

    #[test]
    fn silent_with_head_sha_and_on_a_pr_commenter() {
        let fixed = BEFORE
            .replace(
                "fetch-depth: 0",
                "fetch-depth: 0\n          ref: ${{ github.event.workflow_run.head_sha }}",
            )
            .replace("github.sha", "github.event.workflow_run.head_sha");
        silent(&[("w.yml", &fixed)], "workflow-run-checkout");
        let ci = BEFORE.replace(
            "gh release create \"v1\" --target ${{ github.sha }}",
            "echo ${{ github.sha }}",
        );
        silent(&[("w.yml", &ci)], "workflow-run-checkout");
    }
}
