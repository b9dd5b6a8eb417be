//! Rule `publish-branch-and-tag`: one publish job runs on branch pushes and tag pushes alike.

use super::super::ops::OpKind;
use super::super::workflow::condition;
use super::super::{Rule, Set, Severity, Sink};
use super::{ship_words, upstream_conditions};

pub const RULE: Rule = Rule {
    id: "publish-branch-and-tag",
    severity: Severity::Warning,
    title: "a publish runs on branch pushes and tag pushes with no guard on the ref",
    doc: "The workflow is triggered by pushes to branches and by pushes of tags (a bare \
          `push:`, or `branches:` and `tags:` together), and a job publishes a package or a \
          GitHub release with no condition on the ref (`startsWith(github.ref, \
          'refs/tags/')`, `github.ref_type == 'tag'`). Pushing a release commit and its tag \
          starts two runs that both upload the same version: the second fails with `File \
          already exists`, or two different builds of one version race (the seed story's tag \
          push during a branch build). Guard the publish on the tag (`if: \
          startsWith(github.ref, 'refs/tags/')`, or `surestep check-tag --require`), and \
          upload with `surestep publish`, which skips what the index already has. Uploads \
          with `skip-existing` are already idempotent and not reported.",
    check,
};

const GUARDS: &[&str] = &[
    "github.ref",
    "ref_type",
    "ref_name",
    "GITHUB_REF",
    "refs/tags",
    "event_name",
    "check-tag",
    "startsWith",
    "github.event.release",
    "has_tag",
    "is_tag",
    "tag_name",
];

fn check(set: &Set, sink: &mut Sink) {
    for wf in set.workflows.iter().filter(|w| w.on.on_branch_push() && w.on.on_tag_push()) {
        for job in &wf.jobs {
            let Some((si, op)) =
                job.ops().find(|(_, o)| matches!(o.kind, OpKind::Publish(_) | OpKind::Release))
            else {
                continue;
            };
            let step = &job.steps[si];
            let mut gates = upstream_conditions(wf, job);
            gates.push_str(&condition(step.if_));
            for s in &job.steps[..=si] {
                if let Some((_, script)) = &s.run {
                    gates.push_str(&script.text);
                }
            }
            if GUARDS.iter().any(|g| gates.contains(g)) {
                continue;
            }
            let idempotent = step.with_str("skip-existing").is_some_and(|v| v.trim() == "true")
                || op.args.iter().any(|a| a == "--skip-existing" || a == "--check-url");
            if idempotent
                || matches!(op.kind, OpKind::Publish(_)) && op.what.starts_with("surestep")
            {
                continue;
            }
            sink.report(
                &RULE,
                wf,
                Some(job),
                op.pos,
                op.len,
                format!(
                    "job `{}` {} on every branch push and every tag push: a release commit pushed with its tag publishes twice",
                    job.id,
                    ship_words(op)
                ),
                "guard the job with `if: startsWith(github.ref, 'refs/tags/')` (or `surestep check-tag --require`) and publish with `surestep publish`".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on:
  push:
    branches: [master]
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
";

    #[test]
    fn fires_on_the_publish_step() {
        fires(
            &[("w.yml", BEFORE)],
            "publish-branch-and-tag",
            &[("w.yml", 9, 15, "pypa/gh-action-pypi-publish")],
        );
        let bare = BEFORE.replace("  push:\n    branches: [master]\n    tags: ['v*']", "  push:");
        fires(&[("w.yml", &bare)], "publish-branch-and-tag", &[("w.yml", 7, 15, "pypa/")]);
    }

    #[test]
    fn silent_when_guarded_tag_only_or_ci() {
        let guarded = BEFORE
            .replace("    runs-on:", "    if: startsWith(github.ref, 'refs/tags/')\n    runs-on:");
        silent(&[("w.yml", &guarded)], "publish-branch-and-tag");
        let tags = BEFORE.replace("    branches: [master]\n", "");
        silent(&[("w.yml", &tags)], "publish-branch-and-tag");
        let ci =
            BEFORE.replace("pypa/gh-action-pypi-publish@release/v1", "actions/upload-artifact@v4");
        silent(&[("w.yml", &ci)], "publish-branch-and-tag");
    }
}
