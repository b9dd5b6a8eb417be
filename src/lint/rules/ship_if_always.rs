//! Rule `ship-if-always`: a publish or deploy job that runs when the jobs it needs failed.

use super::super::{Rule, Set, Severity, Sink};
use super::pos_in_scalar;

pub const RULE: Rule = Rule {
    id: "ship-if-always",
    severity: Severity::Error,
    title: "a publish or deploy job runs even when the jobs it needs failed",
    doc: "A job that publishes or deploys with `if: always()`, `!cancelled()` or `failure()` \
          (and no check of `needs.<job>.result`) runs after its build or test jobs failed: it \
          ships the wheels that did get built, or deploys without the new image. Drop the \
          status function (the default `success()` is what a release wants), or keep it and \
          require `needs.build.result == 'success'` for each job the release depends on.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        for job in wf.jobs.iter().filter(|j| !j.needs.is_empty() && set.job_ships(j)) {
            let Some(cond) = job.if_ else { continue };
            let t = cond.text();
            let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            // `!failure()` is the guard itself (`!failure() && !cancelled()`: skipped needs
            // are fine, failed ones are not).
            if compact.contains("!failure()") || t.contains(".result") {
                continue;
            }
            let Some(token) =
                ["always()", "!cancelled()", "failure()"].into_iter().find(|k| t.contains(k))
            else {
                continue;
            };
            if t.contains("success()") && token != "always()" {
                continue;
            }
            let (pos, len) = pos_in_scalar(cond, token);
            sink.report(
                &RULE,
                wf,
                Some(job),
                pos,
                len,
                format!(
                    "job `{}` publishes or deploys with `{token}`: it runs even when `{}` failed",
                    job.id,
                    job.needs.join("`, `")
                ),
                format!(
                    "remove `{token}`, or require {}",
                    job.needs
                        .iter()
                        .map(|n| format!("`needs.{n}.result == 'success'`"))
                        .collect::<Vec<_>>()
                        .join(" && ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, silent};

    const BEFORE: &str = "\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  publish:
    needs: build
    if: ${{ always() && github.ref == 'refs/heads/main' }}
    concurrency: publish
    runs-on: ubuntu-latest
    steps:
      - run: uv publish
";

    #[test]
    fn fires_on_the_status_function() {
        fires(&[("w.yml", BEFORE)], "ship-if-always", &[("w.yml", 9, 13, "always()")]);
    }

    #[test]
    fn silent_when_results_are_checked_or_not_shipping() {
        let checked =
            BEFORE.replace("always() &&", "always() && needs.build.result == 'success' &&");
        silent(&[("w.yml", &checked)], "ship-if-always");
        silent(&[("w.yml", &BEFORE.replace("uv publish", "echo report"))], "ship-if-always");
        // The usual guard that lets skipped needs through but not failed ones.
        let guarded = BEFORE.replace("always() &&", "!failure() && !cancelled() &&");
        silent(&[("w.yml", &guarded)], "ship-if-always");
        let spaced = BEFORE.replace("always() &&", "! failure() && ! cancelled() &&");
        silent(&[("w.yml", &spaced)], "ship-if-always");
        // `!cancelled()` alone still runs after a failed build.
        let unguarded = BEFORE.replace("always() &&", "!cancelled() &&");
        fires(&[("w.yml", &unguarded)], "ship-if-always", &[("w.yml", 9, 13, "!cancelled()")]);
    }
}
