//! Rule `publish-branch-and-tag`: one publish job runs on branch pushes and tag pushes alike.

use super::super::cond::{Context, contexts, eval};
use super::super::ops::OpKind;
use super::super::workflow::Workflow;
use super::super::{Rule, Set, Severity, Sink};
use super::{ship_words, step_conditions};

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
          upload with `surestep publish`, which skips what the index already has. The same \
          holds for tag pushes together with `release:` events (a release made for a tag \
          starts a second run; a ref test cannot tell them apart, `github.event_name` can). \
          Uploads with `skip-existing` are already idempotent and not reported.",
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

/// A script test that tells a `release` run from a tag-push run.
const SCRIPT_EVENT_GUARDS: &[&str] = &["GITHUB_EVENT_NAME", "github.event_name"];

/// Whether the publishing step runs both for a tag push and for a `release` event: every
/// `if:` on the way (`all`, from [`step_conditions`]) is true in a tag-push context and in
/// the release context (a condition surestep cannot read is not). A ref test cannot tell the
/// two apart (both are on the tag); `github.event_name` can.
fn runs_on_tag_push_and_release(wf: &Workflow, all: &str, scripts: &str) -> bool {
    if SCRIPT_EVENT_GUARDS.iter().any(|g| scripts.contains(g)) {
        return false;
    }
    let runs = |ctx: &Context| all.is_empty() || eval(all, ctx) == Some(true);
    let ctxs = contexts(wf);
    let tag_push = ctxs.iter().any(|c| {
        c.event == "push"
            && c.git_ref.as_deref().is_some_and(|r| r.starts_with("refs/tags/"))
            && runs(c)
    });
    tag_push && ctxs.iter().any(|c| c.event == "release" && runs(c))
}

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        let branch_and_tag = wf.on.on_branch_push() && wf.on.on_tag_push();
        let tag_and_release = wf.on.on_tag_push() && wf.on.has("release");
        if !branch_and_tag && !tag_and_release {
            continue;
        }
        for job in &wf.jobs {
            let Some((si, op)) =
                job.ops().find(|(_, o)| matches!(o.kind, OpKind::Publish(_) | OpKind::Release))
            else {
                continue;
            };
            let step = &job.steps[si];
            let mut scripts = String::new();
            for s in &job.steps[..=si] {
                if let Some((_, script)) = &s.run {
                    scripts.push_str(&script.text);
                }
            }
            let conditions = step_conditions(wf, job, step);
            let gates = conditions.clone() + &scripts;
            let idempotent = step.with_str("skip-existing").is_some_and(|v| v.trim() == "true")
                || op.args.iter().any(|a| a == "--skip-existing" || a == "--check-url");
            if idempotent
                || matches!(op.kind, OpKind::Publish(_)) && op.what.starts_with("surestep")
            {
                continue;
            }
            let (why, fix) = if branch_and_tag && !GUARDS.iter().any(|g| gates.contains(g)) {
                (
                    "on every branch push and every tag push: a release commit pushed with its tag publishes twice",
                    "guard the job with `if: startsWith(github.ref, 'refs/tags/')` (or `surestep check-tag --require`) and publish with `surestep publish`",
                )
            } else if tag_and_release && runs_on_tag_push_and_release(wf, &conditions, &scripts) {
                (
                    "on tag pushes and on `release` events: publishing a release for a tag starts a second run that uploads the same version",
                    "trigger the publish on one of the two (`push: tags:` or `release:`), or guard it with `if: github.event_name == 'release'`; publish with `surestep publish`",
                )
            } else {
                continue;
            };
            sink.report(
                &RULE,
                wf,
                Some(job),
                op.pos,
                op.len,
                format!("job `{}` {} {why}", job.id, ship_words(op)),
                fix.into(),
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
    fn tag_pushes_and_release_events_both_publishing() {
        let both = BEFORE
            .replace("    branches: [master]\n", "")
            .replace("jobs:", "  release:\n    types: [published]\njobs:");
        fires(&[("w.yml", &both)], "publish-branch-and-tag", &[("w.yml", 10, 15, "pypa/")]);
        // A ref test does not tell the two apart; the event name does.
        let by_ref = both
            .replace("    runs-on:", "    if: startsWith(github.ref, 'refs/tags/')\n    runs-on:");
        fires(&[("w.yml", &by_ref)], "publish-branch-and-tag", &[("w.yml", 11, 15, "pypa/")]);
        let by_event =
            both.replace("    runs-on:", "    if: github.event_name == 'release'\n    runs-on:");
        silent(&[("w.yml", &by_event)], "publish-branch-and-tag");
        // An `||` that lets both through is no guard.
        let either = both.replace(
            "    runs-on:",
            "    if: startsWith(github.ref, 'refs/tags/v') || github.event_name == 'release'\n    runs-on:",
        );
        fires(&[("w.yml", &either)], "publish-branch-and-tag", &[("w.yml", 11, 15, "pypa/")]);
        // Only on tag pushes.
        let push_only =
            both.replace("    runs-on:", "    if: github.event_name == 'push'\n    runs-on:");
        silent(&[("w.yml", &push_only)], "publish-branch-and-tag");
        let release_only = both.replace("  push:\n    tags: ['v*']\n", "");
        silent(&[("w.yml", &release_only)], "publish-branch-and-tag");
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
