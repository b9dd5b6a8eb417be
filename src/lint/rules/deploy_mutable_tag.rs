//! Rule `deploy-mutable-tag`: a deploy names a moving tag while the workflow has the digest.

use super::super::ops::{OpKind, image_repository, is_mutable_tag};
use super::super::{Rule, Set, Severity, Sink};

pub const RULE: Rule = Rule {
    id: "deploy-mutable-tag",
    severity: Severity::Warning,
    title: "a deploy uses a moving tag where the digest is available",
    doc: "The workflow pushes an image (docker/build-push-action, `docker push`) and then \
          deploys the same repository by a tag that moves (`:latest`, a branch name, no tag). \
          The push knows the digest (build-push-action's `digest` output, `surestep \
          wait-for-image`'s `image` output), but the deploy resolves the tag again later, when \
          another run may have moved it: two quick pushes and both deploys run the newer image, \
          or a re-run of an old deploy ships the newest. Deploy `repo@sha256:…` from the \
          push's output or from `surestep wait-for-image --revision auto`.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        let pushed: Vec<String> = wf
            .jobs
            .iter()
            .flat_map(|j| j.ops())
            .filter(|(_, o)| o.kind == OpKind::PushImage)
            .flat_map(|(_, o)| {
                o.images.iter().map(|i| image_repository(&wf.env.resolve(&i.resolved)))
            })
            .collect();
        if pushed.is_empty() {
            continue;
        }
        for job in &wf.jobs {
            for (_, op) in job.ops().filter(|(_, o)| o.kind == OpKind::Deploy) {
                for img in &op.images {
                    let resolved = wf.env.resolve(&img.resolved);
                    if is_mutable_tag(&resolved) != Some(true)
                        || !pushed.contains(&image_repository(&resolved))
                    {
                        continue;
                    }
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        img.pos,
                        img.len,
                        format!("job `{}` deploys `{}`, a tag that moves, though this workflow pushed the image and has its digest", job.id, img.resolved),
                        format!("deploy the digest: `surestep wait-for-image {} --revision auto` prints `repo@sha256:…` (or use build-push-action's `digest` output)", img.resolved),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on: push
env:
  IMAGE: ghcr.io/o/app
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ${{ env.IMAGE }}:latest
  deploy:
    needs: build
    concurrency: deploy
    runs-on: ubuntu-latest
    steps:
      - run: gcloud run deploy app --image ${{ env.IMAGE }}:latest --region eu
";

    #[test]
    fn fires_on_the_image_argument() {
        fires(
            &[("w.yml", BEFORE)],
            "deploy-mutable-tag",
            &[("w.yml", 17, 44, "${{ env.IMAGE }}:latest")],
        );
    }

    #[test]
    fn silent_with_a_digest_or_an_image_built_elsewhere() {
        let fixed = BEFORE
            .replace("--image ${{ env.IMAGE }}:latest", "--image ${{ needs.build.outputs.image }}");
        silent(&[("w.yml", &fixed)], "deploy-mutable-tag");
        let other = BEFORE.replace(
            "--image ${{ env.IMAGE }}:latest",
            "--image gcr.io/google-samples/hello-app:1.0",
        );
        silent(&[("w.yml", &other)], "deploy-mutable-tag");
    }
}
