//! Rule `masked-failure`: a publish, deploy, verify or test command whose failure is ignored.

use super::super::ops::{Op, OpKind};
use super::super::{Rule, Set, Severity, Sink};
use super::cancel_in_progress_ship::is_true;

pub const RULE: Rule = Rule {
    id: "masked-failure",
    severity: Severity::Warning,
    title: "the failure of a publish, deploy, verify or test command is ignored",
    doc: "`|| true`, `|| :`, `|| exit 0`, `|| echo …`, a `set +e` before the command, or \
          `continue-on-error: true` on the step or job turns a failed upload, deploy, \
          verification or test run into a green check: the release goes on with a missing \
          wheel, the deploy of a broken build is reported as done. The story of CI \
          consistency layers bans `|| true` on critical commands for this reason. Let the \
          command fail; when re-running must be safe, make the step idempotent instead \
          (`surestep publish` skips files already uploaded) rather than hiding its exit \
          status. `|| true` after a command that is none of these (`rm -rf build || true`) \
          is not reported.",
    check,
};

fn critical(op: &Op) -> bool {
    op.kind.ships() || matches!(op.kind, OpKind::Test | OpKind::Verify)
}

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        for job in &wf.jobs {
            if let Some(c) = job.continue_on_error.filter(|c| is_true(c))
                && let Some((_, op)) = job.ops().find(|(_, o)| critical(o))
            {
                sink.report(
                    &RULE,
                    wf,
                    Some(job),
                    c.pos,
                    c.text().chars().count() as u32,
                    format!("job `{}` runs `{}` with `continue-on-error: true`: its failure does not fail the run", job.id, op.what),
                    "remove `continue-on-error` from jobs that publish, deploy, verify or test".into(),
                );
            }
            for step in &job.steps {
                for op in step.ops.iter().filter(|o| critical(o)) {
                    if let Some(m) = &op.masked {
                        sink.report(
                            &RULE,
                            wf,
                            Some(job),
                            m.pos,
                            m.len,
                            format!("`{} … {}` hides the failure of `{}`", op.what, m.how, op.what),
                            "drop the `|| …`: let the step fail (make it idempotent instead, e.g. `surestep publish` skips files already on the index)".into(),
                        );
                    }
                }
                if let Some(c) = step.continue_on_error.filter(|c| is_true(c))
                    && let Some(op) = step.ops.iter().find(|o| critical(o))
                {
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        c.pos,
                        c.text().chars().count() as u32,
                        format!("`{}` runs with `continue-on-error: true`: its failure does not fail the job", op.what),
                        "remove `continue-on-error: true` from this step".into(),
                    );
                }
                let Some((_, script)) = &step.run else { continue };
                let cmds = script.commands();
                let mut off: Option<usize> = None;
                for (i, cmd) in cmds.iter().enumerate() {
                    let args: Vec<&str> = cmd.args().collect();
                    if cmd.program() == "set" {
                        if args.contains(&"+e") || args.windows(2).any(|w| w == ["+o", "errexit"]) {
                            off = Some(i);
                        } else if args.iter().any(|a| a.starts_with('-') && a.contains('e'))
                            || args.windows(2).any(|w| w == ["-o", "errexit"])
                        {
                            off = None;
                        }
                        continue;
                    }
                    let Some(set_at) = off else { continue };
                    let Some(op) = step.ops.iter().find(|o| o.cmd == Some(i) && critical(o)) else {
                        continue;
                    };
                    if op.masked.is_some()
                        || script.text[cmd.end()..].contains("$?")
                        || script.text.contains("PIPESTATUS")
                    {
                        continue;
                    }
                    let at = cmds[set_at].start();
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        script.pos(at),
                        6,
                        format!("`set +e` is in force when `{}` runs, and its exit status is never checked", op.what),
                        "remove `set +e` (or check `$?` right after the command)".into(),
                    );
                    off = None;
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
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          pip install -e .
          pytest -x tests/ || true
      - run: twine upload dist/*
        continue-on-error: true
";

    #[test]
    fn fires_on_the_mask_and_the_flag() {
        fires(
            &[("w.yml", BEFORE)],
            "masked-failure",
            &[("w.yml", 8, 31, "true"), ("w.yml", 10, 28, "true")],
        );
        let set_e = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: |\n          set +e\n          cargo test\n";
        fires(&[("w.yml", set_e)], "masked-failure", &[("w.yml", 7, 11, "set +e")]);
        // Test runs under coverage and Django's runner count as tests.
        for cmd in
            ["coverage run -m pytest", "coverage run manage.py test", "python manage.py test"]
        {
            let wf = BEFORE.replace("pytest -x tests/", cmd);
            let col = 11 + cmd.len() as u32 + 4;
            fires(
                &[("w.yml", &wf)],
                "masked-failure",
                &[("w.yml", 8, col, "true"), ("w.yml", 10, 28, "true")],
            );
        }
    }

    #[test]
    fn silent_on_non_critical_commands() {
        let fixed = BEFORE.replace(" || true", "").replace("        continue-on-error: true\n", "");
        silent(&[("w.yml", &fixed)], "masked-failure");
        let ci = BEFORE
            .replace("pytest -x tests/ || true", "rm -rf build || true")
            .replace("twine upload dist/*", "echo done");
        silent(&[("w.yml", &ci)], "masked-failure");
    }
}
