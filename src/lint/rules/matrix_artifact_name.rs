//! Rule `matrix-artifact-name`: matrix jobs upload artifacts under one name.

use super::super::{Rule, Set, Severity, Sink};
use super::matrix_gap;

pub const RULE: Rule = Rule {
    id: "matrix-artifact-name",
    severity: Severity::Error,
    title: "matrix jobs upload artifacts under the same name",
    doc: "`actions/upload-artifact` in a matrix job whose `name` (default `artifact`) does not \
          mention every varying dimension of the matrix. With upload-artifact v4 the second \
          job fails (`an artifact with this name already exists`) and its wheels never reach \
          the publish job; with v3 the uploads interleave into one artifact. Name each upload \
          after the matrix entry (`wheels-${{ matrix.os }}-${{ matrix.python }}`), download \
          with `pattern:` and `merge-multiple: true`, and let `surestep verify-wheels \
          --python … --platform …` prove every expected wheel arrived.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        for job in &wf.jobs {
            for step in &job.steps {
                if !step.is_action("actions/upload-artifact") {
                    continue;
                }
                if step.with_str("overwrite").is_some_and(|o| o.trim() == "true") {
                    continue;
                }
                let (text, node) = match step.with("name") {
                    Some(n) => (n.text(), n),
                    None => ("artifact", step.uses.unwrap_or(step.node)),
                };
                if let Some(missing) = matrix_gap(job, step, text) {
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        node.pos,
                        node.text().chars().count() as u32,
                        format!(
                            "artifact `{text}` of job `{}` does not vary with matrix `{}`: several matrix jobs upload the same name",
                            job.id,
                            missing.join("`, `")
                        ),
                        format!("name it per matrix entry, e.g. `{text}-{}`", missing.iter().map(|m| format!("${{{{ matrix.{m} }}}}")).collect::<Vec<_>>().join("-")),
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
jobs:
  wheels:
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/upload-artifact@v4
        with:
          name: wheels
          path: dist/*.whl
";

    #[test]
    fn fires_on_the_name() {
        fires(&[("w.yml", BEFORE)], "matrix-artifact-name", &[("w.yml", 11, 17, "wheels")]);
        let unnamed = BEFORE.replace("          name: wheels\n", "");
        fires(
            &[("w.yml", &unnamed)],
            "matrix-artifact-name",
            &[("w.yml", 9, 15, "actions/upload-artifact")],
        );
    }

    #[test]
    fn silent_when_named_per_entry_or_limited() {
        silent(
            &[("w.yml", &BEFORE.replace("name: wheels", "name: wheels-${{ matrix.os }}"))],
            "matrix-artifact-name",
        );
        silent(
            &[("w.yml", &BEFORE.replace("name: wheels", "name: wheels-${{ runner.os }}"))],
            "matrix-artifact-name",
        );
        let limited = BEFORE.replace(
            "      - uses: actions/upload",
            "      - if: matrix.os == 'ubuntu-latest'\n        uses: actions/upload",
        );
        silent(&[("w.yml", &limited)], "matrix-artifact-name");
    }
}
