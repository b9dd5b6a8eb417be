//! `surestep lint` driven as a user runs it: the seed stories' workflows before and after their
//! fix, the project's own example, a corpus of real public workflows with a reviewed snapshot of
//! the findings, every output format (SARIF checked against the published 2.1.0 schema),
//! suppression, exit codes, and arbitrary YAML that must never crash the linter.

mod support;

use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::cli::{run, surestep};

fn fixtures() -> PathBuf {
    support::repo_root().join("tests/fixtures")
}

fn lint_json(args: &[&str]) -> (i32, Value) {
    let out =
        run(surestep().current_dir(support::repo_root()).arg("lint").args(args).arg("--json"));
    let json = out.json();
    (out.code, json)
}

fn findings(doc: &Value) -> Vec<(String, String, u64, u64)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy().into_owned();
            (
                f["rule"].as_str().unwrap().to_owned(),
                name,
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn temp_workflows(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Each seed story's "before" workflows fire the rule the story is about, at the node; the
/// "after" workflows, rewritten with surestep steps, are clean.
#[test]
fn seed_stories_fire_before_and_are_clean_after() {
    type Expected<'a> = &'a [(&'a str, &'a str, u64, u64)];
    let expected: &[(&str, Expected)] = &[
        (
            "000-rapid-tags",
            &[
                ("matrix-cache-key", "release.yml", 20, 16),
                ("matrix-artifact-name", "release.yml", 24, 17),
                ("publish-no-concurrency", "release.yml", 35, 14),
            ],
        ),
        (
            "001-deploy-groups",
            &[
                ("cancel-in-progress-ship", "deploy-prod.yml", 7, 23),
                ("split-deploy-groups", "deploy-prod.yml", 11, 18),
            ],
        ),
        (
            "002-workflow-run",
            &[
                ("workflow-run-checkout", "release-build.yaml", 15, 15),
                ("shallow-tag-lookup", "release-build.yaml", 18, 17),
                ("workflow-run-checkout", "release-build.yaml", 29, 15),
                ("workflow-run-conclusion", "release-build.yaml", 31, 14),
                ("workflow-run-checkout", "release-build.yaml", 31, 87),
            ],
        ),
        (
            "003-stale-image",
            &[
                ("mutable-tag-race", "cloudrun-deploy.yml", 15, 23),
                ("deploy-mutable-tag", "cloudrun-deploy.yml", 18, 46),
            ],
        ),
        ("004-masked-failure", &[("masked-failure", "ci.yml", 19, 31)]),
    ];
    for (story, want) in expected {
        let dir = fixtures().join("lint/seeds").join(story);
        let (code, doc) = lint_json(&[dir.join("before").to_str().unwrap()]);
        assert_eq!(code, 1, "{story} before: {doc}");
        let got = findings(&doc);
        let want: Vec<_> =
            want.iter().map(|(r, f, l, c)| (r.to_string(), f.to_string(), *l, *c)).collect();
        assert_eq!(got, want, "{story} before");
        let (code, doc) = lint_json(&[dir.join("after").to_str().unwrap()]);
        assert_eq!((code, findings(&doc)), (0, vec![]), "{story} after: {doc}");
    }
}

/// The project's own example workflow (and its workflows, when it has some) lint clean.
#[test]
fn the_projects_own_workflows_are_clean() {
    let root = support::repo_root();
    let mut args = vec![root.join("examples/release.yml")];
    if root.join(".github/workflows").is_dir() {
        args.push(root.join(".github/workflows"));
    }
    let out = run(surestep().arg("lint").args(&args));
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("no findings"), "{out}");
}

/// `surestep lint PATH --json` from the repository root: every finding as `file:line:col rule`
/// (file relative to `strip`), none a parse failure.
fn corpus_findings(path: &str, strip: &str) -> (Vec<String>, Value) {
    let out = run(surestep().current_dir(support::repo_root()).args([
        "lint",
        path,
        "--json",
        "--fail-on",
        "never",
    ]));
    assert_eq!(out.code, 0, "{path}: {out}");
    let doc = out.json();
    let mut lines = Vec::new();
    for f in doc["findings"].as_array().unwrap() {
        let rule = f["rule"].as_str().unwrap();
        assert!(rule != "syntax-error" && rule != "parse-note", "{path} does not parse: {f}");
        lines.push(format!(
            "{}:{}:{} {rule}",
            f["file"].as_str().unwrap().trim_start_matches(strip),
            f["line"],
            f["column"]
        ));
    }
    (lines, doc)
}

/// The findings against the reviewed snapshot `tests/fixtures/<name>` (rewritten with
/// SURESTEP_REGENERATE=1, for review).
fn assert_snapshot(name: &str, lines: &[String]) {
    let snapshot = support::repo_root().join("tests/fixtures").join(name);
    let text = lines.join("\n") + "\n";
    if std::env::var_os("SURESTEP_REGENERATE").is_some() {
        std::fs::write(&snapshot, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&snapshot).unwrap(),
        text,
        "findings changed: review them (REVIEW.md beside the corpus), then regenerate with \
         SURESTEP_REGENERATE=1"
    );
}

#[test]
fn second_corpus_linted_one_repository_at_a_time_matches_the_reviewed_snapshot() {
    // tests/fixtures/workflows-by-repo: release, publish and deploy workflows of 64 other
    // projects, one folder per repository (see its SOURCES and REVIEW.md).
    let dir = fixtures().join("workflows-by-repo");
    let mut repos: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    repos.sort();
    assert!(repos.len() >= 60, "{} repositories", repos.len());
    let strip = "tests/fixtures/workflows-by-repo/";
    let lines: Vec<String> =
        repos.iter().flat_map(|repo| corpus_findings(&format!("{strip}{repo}"), strip).0).collect();
    assert_snapshot("workflows-by-repo.findings", &lines);
}

/// Every real workflow of the corpus parses (no syntax error, no parse note), and the findings
/// match the snapshot reviewed by hand (tests/fixtures/workflows.findings; regenerate with
/// SURESTEP_REGENERATE=1 and review the diff).
#[test]
fn corpus_of_real_workflows_matches_the_reviewed_snapshot() {
    let dir = fixtures().join("workflows");
    let count = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yml" || x == "yaml")
        })
        .count();
    assert!(count >= 100, "the corpus has {count} workflow files");
    let (lines, doc) = corpus_findings("tests/fixtures/workflows", "tests/fixtures/workflows/");
    assert_eq!(doc["files"].as_u64(), Some(count as u64));
    assert_snapshot("workflows.findings", &lines);
}

const PUBLISH: &str = "\
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: |
          ls dist
          twine upload dist/*
      - run: pytest || true
";

#[test]
fn text_output_is_compiler_style_with_the_source_line_and_a_caret() {
    let dir = temp_workflows(&[("release.yml", PUBLISH)]);
    let out = run(surestep().current_dir(dir.path()).args(["lint", "release.yml"]));
    assert_eq!(out.code, 1, "{out}");
    let want = "release.yml:10:11: warning[publish-no-concurrency]: job `publish` uploads to PyPI (`twine upload`)";
    assert!(out.stdout.contains(want), "{out}");
    assert!(
        out.stdout.contains("10 |           twine upload dist/*\n   |           ^^^^^^^^^^^^\n"),
        "{out}"
    );
    assert!(out.stdout.contains("= fix: add `concurrency:"), "{out}");
    assert!(out.stdout.contains("release.yml:11:24: warning[masked-failure]"), "{out}");
}

#[test]
fn json_output_names_rule_position_message_and_fix() {
    let dir = temp_workflows(&[("release.yml", PUBLISH)]);
    let out =
        run(surestep().current_dir(dir.path()).args(["lint", "release.yml", "--format", "json"]));
    let doc = out.json();
    assert_eq!(doc["command"], "lint");
    assert_eq!(doc["exit_code"], 1);
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "publish-no-concurrency");
    assert_eq!(f["severity"], "warning");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64(), f["length"].as_u64()),
        (Some(10), Some(11), Some(12))
    );
    assert!(f["fix"].as_str().unwrap().contains("surestep publish"), "{f}");
}

/// `--format sarif` is valid against the published SARIF 2.1.0 schema (OASIS, errata 01).
#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let dir = temp_workflows(&[("release.yml", PUBLISH), ("broken.yml", "jobs: [\n")]);
    let out = run(surestep().current_dir(dir.path()).args(["lint", ".", "--format", "sarif"]));
    assert_eq!(out.code, 1, "{out}");
    let log: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let errors: Vec<String> =
        validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{log}");
    let loc = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(results[1]["ruleId"], "publish-no-concurrency");
    assert_eq!(loc["artifactLocation"]["uri"], "release.yml");
    assert_eq!(loc["region"]["startLine"], 10);
    assert_eq!(loc["region"]["startColumn"], 11);
    assert_eq!(results[0]["ruleId"], "syntax-error");
    assert!(log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len() >= 17);
    // A schema-valid document that breaks a rule of the schema is caught (the test can fail).
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn github_annotations_point_at_file_line_and_column() {
    let dir = temp_workflows(&[("release.yml", PUBLISH)]);
    let out = run(surestep()
        .current_dir(dir.path())
        .env("GITHUB_ACTIONS", "true")
        .args(["lint", "release.yml"]));
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stdout.contains("::warning file=release.yml,line=10,col=11,endColumn=23,title=surestep publish-no-concurrency::job `publish`"),
        "{out}"
    );
}

#[test]
fn suppression_by_comment_on_the_line_or_the_job_and_by_flag() {
    let on_line = PUBLISH.replace(
        "twine upload dist/*",
        "twine upload dist/*  # surestep: ignore[publish-no-concurrency]",
    );
    let on_job = PUBLISH.replace(
        "  publish:\n",
        "  # surestep: ignore[masked-failure, publish-no-concurrency]\n  publish:\n",
    );
    let dir = temp_workflows(&[("a.yml", &on_line), ("b.yml", &on_job)]);
    let (code, doc) = lint_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc).iter().map(|f| (f.0.as_str(), f.1.as_str())).collect::<Vec<_>>(),
        [("masked-failure", "a.yml")]
    );
    assert_eq!(doc["suppressed"], 3);
    let (code, doc) =
        lint_json(&[dir.path().join("a.yml").to_str().unwrap(), "--ignore", "masked-failure"]);
    assert_eq!((code, doc["findings"].as_array().unwrap().len()), (0, 0), "{doc}");
    let (code, doc) =
        lint_json(&[dir.path().join("b.yml").to_str().unwrap(), "--min-severity", "error"]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn exit_codes_follow_fail_on_and_input_errors() {
    let dir = temp_workflows(&[("release.yml", PUBLISH)]);
    let p = dir.path().join("release.yml");
    let p = p.to_str().unwrap();
    assert_eq!(run(surestep().args(["lint", p, "--fail-on", "error"])).code, 0);
    assert_eq!(run(surestep().args(["lint", p, "--fail-on", "never"])).code, 0);
    assert_eq!(run(surestep().args(["lint", p])).code, 1);
    let missing = run(surestep().args(["lint", "/nonexistent/workflow.yml"]));
    assert_eq!(missing.code, 2, "{missing}");
    let unknown = run(surestep().args(["lint", p, "--ignore", "no-such-rule"]));
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(unknown.stderr.contains("--list-rules"), "{unknown}");
    // No workflows at the default path: a usage error, not "nothing to check".
    let empty = tempfile::tempdir().unwrap();
    let none = run(surestep().current_dir(empty.path()).arg("lint"));
    assert_eq!(none.code, 2, "{none}");
    // A file that cannot be read as text: exit 3, after the others are checked.
    std::fs::write(dir.path().join("binary.yml"), [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let bad = run(surestep().args(["lint", dir.path().to_str().unwrap()]));
    assert_eq!(bad.code, 3, "{bad}");
    assert!(
        bad.stderr.contains("binary.yml") && bad.stdout.contains("publish-no-concurrency"),
        "{bad}"
    );
}

#[test]
fn a_yaml_syntax_error_is_a_finding_with_its_position() {
    let dir =
        temp_workflows(&[("broken.yml", "on: push\njobs:\n  a:\n    steps: [\n      - run: x\n")]);
    let (code, doc) = lint_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{doc}");
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "syntax-error");
    assert!(f["line"].as_u64().unwrap() >= 4, "{f}");
}

#[test]
fn explain_prints_the_rule_doc_and_rejects_unknown_rules() {
    for rule in [
        "publish-no-concurrency",
        "cancel-in-progress-ship",
        "split-deploy-groups",
        "mutable-tag-race",
        "workflow-run-checkout",
        "workflow-run-conclusion",
        "publish-branch-and-tag",
        "shallow-tag-lookup",
        "matrix-cache-key",
        "matrix-artifact-name",
        "masked-failure",
        "sleep-sync",
        "deploy-mutable-tag",
        "checkout-moving-branch",
        "ship-if-always",
        "syntax-error",
        "parse-note",
    ] {
        let out = run(surestep().args(["lint", "--explain", rule]));
        assert_eq!(out.code, 0, "{out}");
        assert!(out.stdout.starts_with(rule) && out.stdout.len() > 200, "{out}");
    }
    assert_eq!(run(surestep().args(["lint", "--explain", "nope"])).code, 2);
}

/// Composite actions are linted too (their steps).
#[test]
fn composite_actions_are_read() {
    let action = "name: publish\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: twine check dist/* || true\n";
    let dir = temp_workflows(&[("action.yml", action)]);
    let (code, doc) = lint_json(&[dir.path().join("action.yml").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), [("masked-failure".to_owned(), "action.yml".to_owned(), 6, 34)]);
}

fn yamlish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "on:",
        "jobs:",
        "steps:",
        "- ",
        "run: |",
        "uses: actions/cache@v4",
        "with:",
        "key: ${{ matrix.x }}",
        "matrix:",
        "include:",
        "&a ",
        "*a",
        "<<: *a",
        "concurrency:",
        "cancel-in-progress: true",
        "\n",
        "\n  ",
        "\n    ",
        "twine upload",
        "|| true",
        "'",
        "\"",
        "[",
        "]",
        "{",
        "}",
        ":",
        "#",
        "${{",
        "}}",
        "\t",
        "é",
        "---",
        "environment: prod",
        "needs: [a]",
        "if: always()",
        "docker pull x:latest",
        "sleep 5",
        "workflow_run:",
    ]);
    prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    /// Arbitrary YAML-ish text never panics the linter, and every finding has a position.
    #[test]
    fn arbitrary_yaml_never_panics(text in yamlish(), raw in ".{0,200}") {
        for t in [text, raw] {
            let sources = vec![
                surestep::lint::SourceFile { path: "a.yml".into(), text: t.clone() },
                surestep::lint::SourceFile { path: "b.yml".into(), text: t },
            ];
            let report = surestep::lint::lint(&sources, &surestep::lint::Options::default());
            for f in report.findings {
                prop_assert!(f.line >= 1 && f.column >= 1);
            }
        }
    }
}
