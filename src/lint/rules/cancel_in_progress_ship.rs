//! Rule `cancel-in-progress-ship`: `cancel-in-progress: true` on a group whose jobs ship.

use super::super::cond::{contexts, eval};
use super::super::workflow::{Job, Workflow};
use super::super::yaml::Node;
use super::super::{Rule, Set, Severity, Sink};

pub const RULE: Rule = Rule {
    id: "cancel-in-progress-ship",
    severity: Severity::Error,
    title: "cancel-in-progress can cancel a publish or deploy half-way",
    doc: "`cancel-in-progress: true` (or an expression that is true for a run that ships) on a concurrency \
          group whose jobs publish or deploy. When a second run enters the group, GitHub \
          cancels the first wherever it is: between two uploads of a release (half the wheels \
          on PyPI), in the middle of `terraform apply` (a state lock left behind, \
          infrastructure half-changed), after an image push but before the deploy. That is \
          the setting zizmor and cost guides recommend for CI, and the unsafe one for a \
          release. Use `cancel-in-progress: false` so the next run queues; recover an apply \
          that was killed anyway with `surestep lock status` / `surestep lock unlock`. An \
          expression is read against the workflow's triggers and the job's `if:`: `${{ \
          github.ref != 'refs/heads/main' }}` on a tag-push release is reported, `${{ \
          github.event_name == 'pull_request' }}` on a job that only ships on push is not, and \
          an expression surestep cannot read is never reported.",
    check,
};

/// Whether `cancel-in-progress` can be true for a run of `job` (or of any shipping job): a
/// literal `true`, or an expression that is true in one of the contexts the workflow's triggers
/// allow and the job's own `if:` does not exclude. Unknown expressions do not count.
fn can_be_true(node: &Node, wf: &Workflow, jobs: &[&Job]) -> bool {
    if is_true(node) {
        return true;
    }
    let text = node.text();
    if !text.contains("${{") {
        return false;
    }
    contexts(wf).iter().any(|ctx| {
        jobs.iter().any(|j| j.if_.is_none_or(|c| eval(c.text(), ctx) != Some(false)))
            && eval(text, ctx) == Some(true)
    })
}

/// Whether the value is `true` or `${{ true }}`.
pub fn is_true(node: &Node) -> bool {
    let t = node.text().trim();
    let inner =
        t.strip_prefix("${{").and_then(|x| x.strip_suffix("}}")).map(str::trim).unwrap_or(t);
    inner == "true"
}

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        let shipping: Vec<&Job> =
            wf.jobs.iter().filter(|j| set.job_ships(j) && j.concurrency.is_none()).collect();
        if let Some(c) = wf.concurrency.as_ref().filter(|c| !c.unique_per_run())
            && let Some(cancel) = c.cancel.filter(|n| can_be_true(n, wf, &shipping))
            && let Some(job) = shipping.first()
        {
            sink.report(
                &RULE,
                wf,
                None,
                cancel.pos,
                cancel.text().chars().count() as u32,
                format!(
                    "the workflow's concurrency group cancels a running run, and job `{}` publishes or deploys: a new push can kill it half-way",
                    job.id
                ),
                "set `cancel-in-progress: false` (queue, do not cancel) for workflows that ship".into(),
            );
        }
        for job in &wf.jobs {
            if let Some(c) = job.concurrency.as_ref().filter(|c| !c.unique_per_run())
                && set.job_ships(job)
                && let Some(cancel) = c.cancel.filter(|n| can_be_true(n, wf, &[job]))
            {
                sink.report(
                    &RULE,
                    wf,
                    Some(job),
                    cancel.pos,
                    cancel.text().chars().count() as u32,
                    format!("job `{}` publishes or deploys under `cancel-in-progress: true`: a new run kills it half-way", job.id),
                    "set `cancel-in-progress: false` on the group of a publish or deploy job; if an apply was killed, `surestep lock status --stale-after` finds its lock".into(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on: push
concurrency:
  group: deploy-${{ github.ref }}
  cancel-in-progress: true
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: terraform apply -auto-approve
";

    #[test]
    fn fires_on_the_cancel_value() {
        fires(&[("w.yml", BEFORE)], "cancel-in-progress-ship", &[("w.yml", 4, 23, "true")]);
        let job = "on: push\njobs:\n  d:\n    concurrency:\n      group: d\n      cancel-in-progress: ${{ true }}\n    runs-on: x\n    steps:\n      - run: terraform apply\n";
        fires(&[("w.yml", job)], "cancel-in-progress-ship", &[("w.yml", 6, 27, "${{ true }}")]);
    }

    #[test]
    fn silent_when_queued_or_on_ci() {
        silent(
            &[("w.yml", &BEFORE.replace("cancel-in-progress: true", "cancel-in-progress: false"))],
            "cancel-in-progress-ship",
        );
        silent(
            &[("w.yml", &BEFORE.replace("terraform apply -auto-approve", "terraform plan"))],
            "cancel-in-progress-ship",
        );
        let expr = BEFORE.replace(
            "cancel-in-progress: true",
            "cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
        );
        silent(&[("w.yml", &expr)], "cancel-in-progress-ship");
        let unknown =
            BEFORE.replace("cancel-in-progress: true", "cancel-in-progress: ${{ inputs.cancel }}");
        silent(&[("w.yml", &unknown)], "cancel-in-progress-ship");
        // One group per run outside pull requests: no shipping run is ever cancelled.
        let per_run = BEFORE.replace(
            "deploy-${{ github.ref }}",
            "${{ github.workflow }}-${{ github.head_ref || github.run_id }}",
        );
        silent(&[("w.yml", &per_run)], "cancel-in-progress-ship");
    }

    #[test]
    fn expressions_are_read_against_the_triggers() {
        let cancel = "cancel-in-progress: ${{ github.ref != 'refs/heads/main' }}";
        let on_tags = BEFORE
            .replace("on: push", "on:\n  push:\n    tags: ['v*']")
            .replace("cancel-in-progress: true", cancel);
        fires(
            &[("w.yml", &on_tags)],
            "cancel-in-progress-ship",
            &[("w.yml", 6, 23, "${{ github.ref")],
        );
        let main_and_prs = BEFORE
            .replace("on: push", "on:\n  push:\n    branches: [main]\n  pull_request:")
            .replace("cancel-in-progress: true", cancel)
            .replace(
                "    runs-on: ubuntu-latest",
                "    if: github.event_name == 'push'\n    runs-on: ubuntu-latest",
            );
        silent(&[("w.yml", &main_and_prs)], "cancel-in-progress-ship");
    }
}
