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
        if wf.is_action || wf.concurrency.as_ref().is_some_and(|c| c.serializes()) {
            continue;
        }
        for job in &wf.jobs {
            if job.concurrency.as_ref().is_some_and(|c| c.serializes()) {
                continue;
            }
            if let Some(uses) = job.uses {
                // A call to a reusable workflow in the run: it ships unguarded if the callee
                // has no group of its own on the shipping job or workflow.
                let Some(callee) = uses.as_str().and_then(|u| set.called(u)) else { continue };
                if callee.concurrency.as_ref().is_some_and(|c| c.serializes()) {
                    continue;
                }
                let shipping = callee
                    .jobs
                    .iter()
                    .find(|j| j.ships() && j.concurrency.as_ref().is_none_or(|c| !c.serializes()));
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
        let per_pr = "${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}";
        let wf = BEFORE.replace("jobs:", &format!("concurrency:\n  group: {per_pr}\njobs:"));
        silent(&[("w.yml", &wf)], "publish-no-concurrency");
    }

    #[test]
    fn a_group_unique_to_each_run_queues_nothing() {
        for group in [
            "${{ github.workflow }}-${{ github.head_ref || github.run_id }}",
            "rel-${{ github.run_id }}",
        ] {
            let wf = BEFORE.replace("jobs:", &format!("concurrency:\n  group: {group}\njobs:"));
            fires(
                &[("w.yml", &wf)],
                "publish-no-concurrency",
                &[("w.yml", 13, 11, "python -m twine")],
            );
        }
    }

    #[test]
    fn silent_on_a_job_or_step_that_never_runs() {
        // `if: false` (a publish job switched off), and a ref the triggers never give.
        let off = BEFORE.replace("    runs-on:", "    if: ${{ false }}\n    runs-on:");
        silent(&[("w.yml", &off)], "publish-no-concurrency");
        let main_only = BEFORE.replace("    tags: ['v*']", "    branches: [main]").replace(
            "      - run: |\n",
            "      - if: github.ref == 'refs/heads/master'\n        run: |\n",
        );
        silent(&[("w.yml", &main_only)], "publish-no-concurrency");
        // The same step on a trigger that can give that ref still fires.
        let both = main_only.replace("branches: [main]", "branches: [main, master]");
        fires(
            &[("w.yml", &both)],
            "publish-no-concurrency",
            &[("w.yml", 12, 11, "python -m twine")],
        );
    }

    #[test]
    fn release_tools_and_tag_moves_are_shipping() {
        for (step, shown) in [
            ("      - run: pnpm dlx semantic-release\n", "pnpm dlx"),
            ("      - run: npx semantic-release\n", "npx semantic"),
            (
                "      - uses: cycjimmy/semantic-release-action@v4\n",
                "cycjimmy/semantic-release-action",
            ),
            ("      - uses: JS-DevTools/npm-publish@v3\n", "JS-DevTools/npm-publish"),
            (
                "      - run: docker buildx imagetools create -t ghcr.io/o/app:1.0 $(cat digests)\n",
                "docker buildx",
            ),
        ] {
            let wf = format!("on: push\njobs:\n  rel:\n    runs-on: x\n    steps:\n{step}");
            let col = step.find(shown).unwrap() as u32 + 1;
            fires(&[("w.yml", &wf)], "publish-no-concurrency", &[("w.yml", 6, col, shown)]);
        }
        // The per-platform push by digest (no tags) moves no tag.
        let by_digest = "on: push\njobs:\n  img:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=image,name=ghcr.io/o/app,push-by-digest=true,name-canonical=true,push=true\n";
        silent(&[("w.yml", by_digest)], "publish-no-concurrency");
        for dry in [
            "npx semantic-release --dry-run",
            "docker buildx imagetools inspect ghcr.io/o/app",
            "docker buildx imagetools create --dry-run -t ghcr.io/o/app:1 ghcr.io/o/app@sha256:1",
        ] {
            let wf = format!(
                "on: push\njobs:\n  rel:\n    runs-on: x\n    steps:\n      - run: {dry}\n"
            );
            silent(&[("w.yml", &wf)], "publish-no-concurrency");
        }
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
