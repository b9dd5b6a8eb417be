//! Rule `mutable-tag-race`: a workflow pulls or deploys a moving tag that another workflow,
//! started by the same push, is still building.

use super::super::ops::{OpKind, is_mutable_tag};
use super::super::{Rule, Set, Severity, Sink};
use super::{branches_overlap, image_key, push_branches};

pub const RULE: Rule = Rule {
    id: "mutable-tag-race",
    severity: Severity::Error,
    title: "a deploy pulls a moving tag that a parallel workflow is still pushing",
    doc: "Two workflows start on the same push (their `on.push` branches overlap): one builds \
          and pushes `ghcr.io/o/app:latest`, the other pulls or deploys `:latest`. Nothing \
          orders them, so the deploy usually wins and ships the previous image - the seed \
          story's 40-second race, where every deployment to Cloud Run served stale code while \
          both workflows reported success. Trigger the deploy from the build (`on: \
          workflow_run` with `types: [completed]` and a check on the conclusion), or put both \
          in one workflow with `needs:`, and deploy the digest `surestep wait-for-image \
          --revision auto` prints once the registry serves the new image.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    // (image key, workflow file) of every mutable tag pushed by a push-triggered workflow.
    let mut pushed: Vec<(String, usize, &str)> = Vec::new();
    for wf in &set.workflows {
        if push_branches(wf).is_none() {
            continue;
        }
        for job in &wf.jobs {
            for (_, op) in job.ops().filter(|(_, o)| o.kind == OpKind::PushImage) {
                for img in &op.images {
                    let resolved = wf.env.resolve(&img.resolved);
                    if is_mutable_tag(&resolved) == Some(true) {
                        pushed.push((image_key(&resolved), wf.file, wf.path));
                    }
                }
            }
        }
    }
    if pushed.is_empty() {
        return;
    }
    for wf in &set.workflows {
        let Some(branches) = push_branches(wf) else { continue };
        for job in &wf.jobs {
            for (_, op) in
                job.ops().filter(|(_, o)| matches!(o.kind, OpKind::PullImage | OpKind::Deploy))
            {
                for img in &op.images {
                    let resolved = wf.env.resolve(&img.resolved);
                    if is_mutable_tag(&resolved) != Some(true) {
                        continue;
                    }
                    let key = image_key(&resolved);
                    let Some((_, _, builder)) = pushed.iter().find(|(k, f, _)| {
                        *k == key
                            && *f != wf.file
                            && set
                                .workflows
                                .iter()
                                .find(|w| w.file == *f)
                                .and_then(push_branches)
                                .is_some_and(|b| branches_overlap(b, branches.clone()))
                    }) else {
                        continue;
                    };
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        img.pos,
                        img.len,
                        format!(
                            "`{}` is pushed by `{builder}`, which the same push starts in parallel: this job can pull the previous image",
                            img.resolved
                        ),
                        format!(
                            "start this workflow from the build (`on: workflow_run: {{ workflows: [...], types: [completed] }}` gated on success) and deploy the digest from `surestep wait-for-image {} --revision auto`",
                            img.resolved
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BUILD: &str = "\
name: Build and Publish Docker Image
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/denhamparry/talks:latest
";
    const DEPLOY: &str = "\
name: Deploy to Cloud Run
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: |
          docker pull ghcr.io/denhamparry/talks:latest
          gcloud run deploy talks --image europe-west1-docker.pkg.dev/p/talks/talks:latest
";

    #[test]
    fn fires_on_the_pulled_reference() {
        fires(
            &[("build.yml", BUILD), ("deploy.yml", DEPLOY)],
            "mutable-tag-race",
            &[("deploy.yml", 10, 23, "ghcr.io/denhamparry/talks:latest")],
        );
    }

    #[test]
    fn silent_after_workflow_run_or_on_other_branches() {
        let fixed = DEPLOY.replace("  push:\n    branches: [main]", "  workflow_run:\n    workflows: [\"Build and Publish Docker Image\"]\n    types: [completed]");
        silent(&[("build.yml", BUILD), ("deploy.yml", &fixed)], "mutable-tag-race");
        let other = DEPLOY.replace("branches: [main]", "branches: [release]");
        silent(&[("build.yml", BUILD), ("deploy.yml", &other)], "mutable-tag-race");
        // A plain CI job pulling a base image nobody here pushes.
        let ci = DEPLOY.replace("ghcr.io/denhamparry/talks:latest", "python:latest");
        silent(&[("build.yml", BUILD), ("deploy.yml", &ci)], "mutable-tag-race");
    }
}
