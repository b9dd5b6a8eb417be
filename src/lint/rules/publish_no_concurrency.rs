//! Rule `publish-no-concurrency`: a job that publishes or deploys with no concurrency group.

use super::super::{Rule, Set, Severity, Sink};
use super::{concurrency_fix, ship_words};

pub const RULE: Rule = Rule {
    id: "publish-no-concurrency",
    severity: Severity::Warning,
    title: "a publish or deploy job runs with no concurrency group",
    doc: "A job that uploads to a package index (pypa/gh-action-pypi-publish, twine, uv, \
          maturin, flit, poetry, hatch, surestep publish, cargo/npm publish), pushes an image \
          (docker push, build-push-action with push), publishes a GitHub release, runs \
          `terraform apply` or deploys (cloud deploy actions and CLIs) has no `concurrency:` \
          group, at job or workflow level. Two runs - two tags pushed seconds apart, a branch \
          push and a tag push, a re-run - then ship at the same time: PyPI answers `File \
          already exists` to the second, a registry tag ends up pointing at whichever push \
          finished last, two applies race for the state lock. Give the job (or workflow) a \
          group with `cancel-in-progress: false` so runs queue, and make the step idempotent \
          (`surestep publish` skips files already on the index). A reusable workflow is \
          checked at its callers when they are linted with it.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        if wf.is_action || wf.concurrency.as_ref().is_some_and(|c| c.group.is_some()) {
            continue;
        }
        for job in &wf.jobs {
            if job.concurrency.as_ref().is_some_and(|c| c.group.is_some()) {
                continue;
            }
            if let Some(uses) = job.uses {
                // A call to a reusable workflow in the run: it ships unguarded if the callee
                // has no group of its own on the shipping job or workflow.
                let Some(callee) = uses.as_str().and_then(|u| set.called(u)) else { continue };
                if callee.concurrency.as_ref().is_some_and(|c| c.group.is_some()) {
                    continue;
                }
                let shipping = callee.jobs.iter().find(|j| {
                    j.ships() && j.concurrency.as_ref().is_none_or(|c| c.group.is_none())
                });
                if let Some(cj) = shipping {
                    let op = cj.first_ship().map(|(_, o)| o);
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        uses.pos,
                        uses.text().chars().count() as u32,
                        format!(
                            "job `{}` calls `{}`, whose job `{}` {}, and neither has a concurrency group: two runs ship at once",
                            job.id,
                            uses.text(),
                            cj.id,
                            op.map(ship_words).unwrap_or_default()
                        ),
                        concurrency_fix(op),
                    );
                }
                continue;
            }
            if wf.only_called() {
                continue; // the callers decide; checked at their `uses:`
            }
            if let Some((_, op)) = job.first_ship() {
                sink.report(
                    &RULE,
                    wf,
                    Some(job),
                    op.pos,
                    op.len,
                    format!(
                        "job `{}` {} with no concurrency group: two runs (tags pushed in quick succession, a re-run) ship at the same time",
                        job.id,
                        ship_words(op)
                    ),
                    concurrency_fix(Some(op)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
      - run: |
          ls dist
          python -m twine upload dist/*
";

    #[test]
    fn fires_on_the_upload_command_inside_the_script() {
        fires(
            &[("w.yml", BEFORE)],
            "publish-no-concurrency",
            &[("w.yml", 11, 11, "python -m twine")],
        );
    }

    #[test]
    fn silent_with_a_group_at_job_or_workflow_level() {
        let job = BEFORE
            .replace("    runs-on:", "    concurrency: publish-${{ github.ref }}\n    runs-on:");
        silent(&[("w.yml", &job)], "publish-no-concurrency");
        let wf = BEFORE.replace("jobs:", "concurrency:\n  group: release\njobs:");
        silent(&[("w.yml", &wf)], "publish-no-concurrency");
    }

    #[test]
    fn silent_on_a_plain_ci_job() {
        let ci = BEFORE.replace("python -m twine upload dist/*", "python -m twine check dist/*");
        silent(&[("w.yml", &ci)], "publish-no-concurrency");
    }

    #[test]
    fn reusable_workflow_is_checked_at_its_caller() {
        let callee = "on: workflow_call\njobs:\n  up:\n    runs-on: x\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";
        let caller = "on: push\njobs:\n  rel:\n    uses: ./.github/workflows/pub.yml\n";
        fires(
            &[(".github/workflows/pub.yml", callee), (".github/workflows/main.yml", caller)],
            "publish-no-concurrency",
            &[(".github/workflows/main.yml", 4, 11, "./.github")],
        );
        let guarded = caller.replace("    uses:", "    concurrency: rel\n    uses:");
        silent(
            &[(".github/workflows/pub.yml", callee), (".github/workflows/main.yml", &guarded)],
            "publish-no-concurrency",
        );
    }
}
