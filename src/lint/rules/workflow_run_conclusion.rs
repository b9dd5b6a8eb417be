//! Rule `workflow-run-conclusion`: a `workflow_run` release ships even when the build failed.

use super::super::workflow::condition;
use super::super::{Rule, Set, Severity, Sink};
use super::{ship_words, upstream_conditions};

pub const RULE: Rule = Rule {
    id: "workflow-run-conclusion",
    severity: Severity::Error,
    title: "a workflow_run publish or deploy does not check that the build succeeded",
    doc: "`on: workflow_run` with `types: [completed]` fires when the triggering workflow \
          completes - successfully, failed or cancelled. A job that publishes or deploys \
          without checking `github.event.workflow_run.conclusion == 'success'` (in its `if:`, \
          a job it needs, or a step before the shipping step) ships after a failed build: the \
          previous image, a half-built set of wheels. Add `if: \
          github.event.workflow_run.conclusion == 'success'` to the job (or to the first job \
          of the chain).",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in set.workflows.iter().filter(|w| w.on.on_workflow_run_completed()) {
        for job in wf.jobs.iter().filter(|j| set.job_ships(j)) {
            let mut gates = upstream_conditions(wf, job);
            let ship = job.first_ship();
            for u in wf.upstream(job.id) {
                for (i, step) in u.steps.iter().enumerate() {
                    if u.id == job.id && ship.is_some_and(|(s, _)| i > s) {
                        break;
                    }
                    gates.push_str(&condition(step.if_));
                    if let Some((_, s)) = &step.run {
                        gates.push_str(&s.text);
                    }
                }
            }
            if gates.contains("conclusion") || gates.contains("--require-success") {
                continue;
            }
            let (pos, len, what) = match (ship, job.uses) {
                (Some((_, op)), _) => (op.pos, op.len, ship_words(op)),
                (None, Some(u)) => (
                    u.pos,
                    u.text().chars().count() as u32,
                    format!("calls `{}`, which ships", u.text()),
                ),
                _ => continue,
            };
            sink.report(
                &RULE,
                wf,
                Some(job),
                pos,
                len,
                format!("job `{}` {what} whenever the triggering workflow completes, even when it failed or was cancelled", job.id),
                "gate the job: `if: github.event.workflow_run.conclusion == 'success'`".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on:
  workflow_run:
    workflows: [\"Build and Publish Docker Image\"]
    types: [completed]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.workflow_run.head_sha }}
      - uses: google-github-actions/deploy-cloudrun@v2
        with:
          image: ghcr.io/o/app@sha256:abc
";

    #[test]
    fn fires_on_the_deploy_step() {
        fires(
            &[("w.yml", BEFORE)],
            "workflow-run-conclusion",
            &[("w.yml", 12, 15, "google-github-actions/deploy-cloudrun")],
        );
    }

    #[test]
    fn silent_when_gated_or_not_shipping() {
        let gated = BEFORE.replace("    runs-on: ubuntu-latest", "    if: ${{ github.event.workflow_run.conclusion == 'success' }}\n    runs-on: ubuntu-latest");
        silent(&[("w.yml", &gated)], "workflow-run-conclusion");
        let step_gate = BEFORE.replace("      - uses: google", "      - if: github.event.workflow_run.conclusion != 'success'\n        run: exit 1\n      - uses: google");
        silent(&[("w.yml", &step_gate)], "workflow-run-conclusion");
        let ci =
            BEFORE.replace("google-github-actions/deploy-cloudrun@v2", "actions/github-script@v7");
        silent(&[("w.yml", &ci)], "workflow-run-conclusion");
    }
}
