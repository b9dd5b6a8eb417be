//! Rule `matrix-cache-key`: matrix jobs save one cache key.

use super::super::{Rule, Set, Severity, Sink};
use super::matrix_gap;

pub const RULE: Rule = Rule {
    id: "matrix-cache-key",
    severity: Severity::Warning,
    title: "matrix jobs save the same cache key",
    doc: "`actions/cache` (or `actions/cache/save`) in a matrix job, with a `key` that does not \
          mention every dimension of the matrix that takes several values. The jobs build \
          different things (another Python, another platform) but save under one key: the \
          first to finish wins, the others fail to reserve it, and the next run restores one \
          job's files into every job - the seed story's wheels missing from `dist/`. Put each \
          varying dimension in the key (`${{ matrix.python-version }}`; `runner.os` counts for \
          a dimension used in `runs-on`), and check what a restored cache gave you with \
          `surestep verify-wheels` before publishing. Keys built from step outputs or \
          unknown variables are not judged.",
    check,
};

fn check(set: &Set, sink: &mut Sink) {
    for wf in &set.workflows {
        for job in &wf.jobs {
            for step in &job.steps {
                if !(step.is_action("actions/cache") || step.is_action("actions/cache/save")) {
                    continue;
                }
                let Some(key) = step.with("key") else { continue };
                if let Some(missing) = matrix_gap(job, step, key.text()) {
                    sink.report(
                        &RULE,
                        wf,
                        Some(job),
                        key.pos,
                        key.text().chars().count() as u32,
                        format!(
                            "the cache key of job `{}` does not vary with matrix {} `{}`: several matrix jobs save the same key",
                            job.id,
                            if missing.len() > 1 { "dimensions" } else { "dimension" },
                            missing.join("`, `")
                        ),
                        format!("add {} to the key", missing.iter().map(|m| format!("`${{{{ matrix.{m} }}}}`")).collect::<Vec<_>>().join(" and ")),
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
  build-wheels:
    strategy:
      matrix:
        platform: [linux-x86_64, linux-aarch64]
        python-version: ['3.10', '3.11']
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4
        with:
          path: dist
          key: wheel-${{ matrix.platform }}-${{ hashFiles('Cargo.lock') }}
";

    #[test]
    fn fires_on_the_key() {
        fires(&[("w.yml", BEFORE)], "matrix-cache-key", &[("w.yml", 13, 16, "wheel-")]);
    }

    #[test]
    fn silent_when_the_key_varies_or_no_matrix() {
        let fixed =
            BEFORE.replace("}}-${{ hashFiles", "}}-py${{ matrix.python-version }}-${{ hashFiles");
        silent(&[("w.yml", &fixed)], "matrix-cache-key");
        let single = BEFORE
            .replace("        python-version: ['3.10', '3.11']\n", "")
            .replace("[linux-x86_64, linux-aarch64]", "[linux-x86_64]");
        silent(&[("w.yml", &single)], "matrix-cache-key");
        let unknown = BEFORE.replace("${{ matrix.platform }}", "${{ steps.py.outputs.version }}");
        silent(&[("w.yml", &unknown)], "matrix-cache-key");
    }
}
