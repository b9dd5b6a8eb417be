//! Rule `sleep-sync`: a fixed `sleep` used to wait for something before a pull, deploy or publish.

use super::super::ops::OpKind;
use super::super::{Rule, Set, Severity, Sink};

pub const RULE: Rule = Rule {
    id: "sleep-sync",
    severity: Severity::Warning,
    title: "a fixed sleep stands in for waiting on a condition",
    doc: "A `sleep N` followed, in the same job, by an image pull, a deploy or a publish is a \
          guess at how long something else takes - the image build, the index's CDN, another \
          workflow. Builds get slower and the guess goes stale: the seed story rejected \
          delays as 'brittle, wastes CI minutes, doesn't guarantee correctness'. Wait for the \
          condition itself: `surestep wait-for-image --revision auto` polls the registry \
          until the image of this commit is there, `surestep publish --verify-upload` until \
          the index serves the files. A `sleep` inside a retry loop (`until …; do …; sleep \
          5; done`) is polling, and is not reported.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        for job in &wf.jobs {
            let ops: Vec<(usize, &super::super::ops::Op)> = job.ops().collect();
            for (i, (_, op)) in ops.iter().enumerate() {
                if op.kind != OpKind::Sleep || op.in_loop {
                    continue;
                }
                let next = ops[i + 1..].iter().map(|(_, o)| o).find(|o| {
                    matches!(
                        o.kind,
                        OpKind::PullImage
                            | OpKind::Deploy
                            | OpKind::Publish(_)
                            | OpKind::Release
                            | OpKind::TerraformApply
                    )
                });
                let Some(next) = next else { continue };
                let fix = match next.kind {
                    OpKind::PullImage | OpKind::Deploy => {
                        "wait for the image itself: `surestep wait-for-image <image> --revision auto`, then deploy the digest it prints"
                    }
                    OpKind::Publish(_) => {
                        "wait for the condition, not the clock: `surestep publish --verify-upload` checks the index serves the files"
                    }
                    _ => {
                        "wait for the condition you need (a job `needs:`, a `workflow_run` trigger, `surestep wait-for-image`), not a fixed time"
                    }
                };
                sink.report(
                    &RULE,
                    wf,
                    Some(job),
                    op.pos,
                    op.len,
                    format!("`{}` waits a fixed time before `{}`: if what it waits for is slower, the next step uses the old state", op.what, next.what),
                    fix.into(),
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
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Wait for the image build
        run: sleep 60
      - run: docker pull ghcr.io/o/app:latest
";

    #[test]
    fn fires_on_the_sleep() {
        fires(&[("w.yml", BEFORE)], "sleep-sync", &[("w.yml", 7, 14, "sleep 60")]);
    }

    #[test]
    fn silent_when_polling_or_in_plain_ci() {
        let poll =
            BEFORE.replace("run: sleep 60", "run: until curl -fs localhost:8080; do sleep 5; done");
        silent(&[("w.yml", &poll)], "sleep-sync");
        let ci = BEFORE.replace("docker pull ghcr.io/o/app:latest", "pytest");
        silent(&[("w.yml", &ci)], "sleep-sync");
    }
}
