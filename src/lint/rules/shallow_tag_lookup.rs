//! Rule `shallow-tag-lookup`: a tag lookup after a shallow checkout that fetched no tags.

use super::super::ops::OpKind;
use super::super::{Rule, Set, Severity, Sink};

pub const RULE: Rule = Rule {
    id: "shallow-tag-lookup",
    severity: Severity::Warning,
    title: "a tag lookup runs on a shallow checkout without tags",
    doc: "`actions/checkout` fetches one commit and no tags by default. A later `git \
          describe`, `git tag --points-at`/`--contains`/`--list`, `setuptools-scm` or \
          `surestep check-tag` then sees no tags: the version comes out as `0.1.dev1+g…`, the \
          release is skipped as untagged, or the job fails. Check out with `fetch-depth: 0` \
          (or `fetch-tags: true`), run `git fetch --tags` first, or use `surestep check-tag \
          --fetch`. Workflows started only by a tag push or a release are not reported: the \
          checkout fetches that tag.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        let only_tags = !wf.on.events.is_empty()
            && wf.on.events.iter().all(|e| *e == "release" || *e == "push")
            && !wf.on.on_branch_push();
        if wf.is_action || only_tags {
            continue;
        }
        for job in &wf.jobs {
            let mut shallow = false;
            for step in &job.steps {
                for op in &step.ops {
                    match op.kind {
                        OpKind::Checkout => {
                            if step.with_str("path").is_some()
                                || step.with_str("repository").is_some()
                            {
                                continue;
                            }
                            let depth = step.with_str("fetch-depth").map(str::trim);
                            let tags = step.with_str("fetch-tags").map(str::trim);
                            shallow = depth.is_none_or(|d| d == "1") && tags != Some("true");
                        }
                        OpKind::FetchTags => shallow = false,
                        OpKind::TagLookup if shallow => {
                            sink.report(
                                &RULE,
                                wf,
                                Some(job),
                                op.pos,
                                op.len,
                                format!("`{}` runs after a shallow checkout with no tags: it finds no tag (or a wrong version)", op.what),
                                "check out with `fetch-depth: 0` (or `fetch-tags: true`), or use `surestep check-tag --fetch`".into(),
                            );
                            shallow = false;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
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
  check-tag:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: tag
        run: |
          TAG=$(git tag --points-at HEAD | grep -E '^v[0-9]+' || true)
          echo \"tag=$TAG\" >> $GITHUB_OUTPUT
";

    #[test]
    fn fires_on_the_lookup_inside_the_substitution() {
        fires(
            &[("w.yml", BEFORE)],
            "shallow-tag-lookup",
            &[("w.yml", 12, 17, "git tag --points-at")],
        );
    }

    #[test]
    fn silent_with_full_history_or_fetched_tags_or_tag_trigger() {
        let deep = BEFORE.replace(
            "      - uses: actions/checkout@v4\n",
            "      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n",
        );
        silent(&[("w.yml", &deep)], "shallow-tag-lookup");
        let fetched =
            BEFORE.replace("          TAG=", "          git fetch --tags --force\n          TAG=");
        silent(&[("w.yml", &fetched)], "shallow-tag-lookup");
        let tag_push = BEFORE.replace(
            "  workflow_run:\n    workflows: [cache-build]\n    types: [completed]",
            "  push:\n    tags: ['v*']",
        );
        silent(&[("w.yml", &tag_push)], "shallow-tag-lookup");
    }
}
