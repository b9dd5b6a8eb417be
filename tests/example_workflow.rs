//! Every workflow file (`examples/release.yml`, `.github/workflows/*.yml`) and `action.yml` is
//! valid GitHub Actions YAML, and every `surestep` command line in them parses with the real
//! CLI definition (clap's own parser, the one the binary uses). The project's own workflows
//! do what the README promises: CI runs the README's test command; the release checks the
//! tag, verifies exactly the wheel matrix it builds and publishes it, installing surestep from
//! the wheel it built, never with `cargo install`.
//!
//! The YAML is read by PyYAML from the venv-yaml peer venv (installed by
//! `bash scripts/services.sh install`); the `run:` scripts are split into command lines with
//! Python's `shlex`, `${{ … }}` expressions replaced by a placeholder word.

mod support;

use clap::Parser;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use surestep::cli::Cli;

const EXTRACT: &str = r##"
import json, re, shlex, sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
if True in doc:  # YAML 1.1 reads the key `on` as true
    doc["on"] = doc.pop(True)
steps = [(job_id, step) for job_id, job in (doc.get("jobs") or {}).items() for step in job.get("steps") or []]
steps += [("action", step) for step in (doc.get("runs") or {}).get("steps") or []]
commands = []
for n, (job_id, step) in enumerate(steps):
    run = step.get("run")
    if not isinstance(run, str):
        continue
    text = re.sub(r"\$\{\{.*?\}\}", "GHA_EXPRESSION", run).replace("\\\n", " ")
    for line in text.splitlines():
        lex = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lex.whitespace_split = True
        lex.commenters = "#"
        words = []
        for w in list(lex) + [";"]:
            if w in (";", "&&", "||", "|", "&"):
                if words and words[0] == "surestep":
                    commands.append({"job": job_id, "step": step.get("id") or step.get("name") or str(n), "argv": words})
                words = []
            else:
                words.append(w)
print(json.dumps({"workflow": doc, "commands": commands}))
"##;

struct Extracted {
    file: PathBuf,
    workflow: Value,
    commands: Vec<(String, Vec<String>)>,
}

/// `examples/release.yml` and every `.github/workflows/*.yml`.
fn workflow_files() -> Vec<PathBuf> {
    let root = support::repo_root();
    let mut files = vec![root.join("examples/release.yml")];
    let dir = root.join(".github/workflows");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    found.sort();
    assert!(found.len() >= 2, "ci.yml and release.yml in {}: {found:?}", dir.display());
    files.extend(found);
    files
}

fn extract(rel: &str) -> Extracted {
    extract_file(support::repo_root().join(rel))
}

fn extract_file(yml: PathBuf) -> Extracted {
    let python = support::peers_dir().join("venv-yaml/bin/python");
    support::require_installed(&python, "PyYAML (venv-yaml)");
    let out = std::process::Command::new(&python)
        .args(["-c", EXTRACT])
        .arg(&yml)
        .output()
        .expect("run python");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named 'yaml'"),
        "PyYAML is missing from {}: run {}",
        python.display(),
        support::INSTALL_HINT
    );
    assert!(out.status.success(), "{} is not valid YAML: {}", yml.display(), stderr);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("extractor prints JSON");
    let commands = doc["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let at = format!(
                "{}: job {} step {}",
                yml.file_name().unwrap().to_string_lossy(),
                c["job"].as_str().unwrap(),
                c["step"].as_str().unwrap()
            );
            let argv = c["argv"].as_array().unwrap().iter();
            (at, argv.map(|w| w.as_str().unwrap().to_owned()).collect())
        })
        .collect();
    Extracted { file: yml, workflow: doc["workflow"].clone(), commands }
}

fn needs_of(job: &Value) -> Vec<&str> {
    match &job["needs"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// Every `PREFIX.NAME.outputs.` reference in `text`: the NAMEs.
fn referenced(text: &str, prefix: &str) -> Vec<(String, String)> {
    text.split(prefix)
        .skip(1)
        .filter_map(|part| {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            let rest = part[name.len()..].strip_prefix(".outputs.")?;
            let output: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            Some((name, output))
        })
        .collect()
}

#[test]
fn every_workflow_is_well_formed() {
    for file in workflow_files() {
        let Extracted { workflow, .. } = extract_file(file.clone());
        let f = file.display();
        assert!(workflow["name"].is_string(), "{f}: a workflow name");
        assert!(workflow["on"].is_object(), "{f}: `on:` triggers");
        let jobs = workflow["jobs"].as_object().unwrap_or_else(|| panic!("{f}: jobs"));
        for (id, job) in jobs {
            assert!(job["runs-on"].is_string(), "{f}: job {id}: runs-on");
            for need in needs_of(job) {
                assert!(jobs.contains_key(need), "{f}: job {id} needs unknown job {need}");
            }
            let steps = job["steps"].as_array().unwrap_or_else(|| panic!("{f}: job {id}: steps"));
            let mut ids = BTreeSet::new();
            for (n, step) in steps.iter().enumerate() {
                let kinds = [step.get("run").is_some(), step.get("uses").is_some()];
                assert_eq!(
                    kinds.iter().filter(|k| **k).count(),
                    1,
                    "{f}: job {id} step {n}: run XOR uses"
                );
                if let Some(sid) = step["id"].as_str() {
                    assert!(ids.insert(sid.to_owned()), "{f}: job {id}: duplicate step id {sid}");
                }
            }
            // Every `steps.X.outputs` a job reads comes from one of its own steps, and every
            // `needs.J.outputs.O` from a job it needs that declares that output.
            let text = job.to_string();
            for (sid, _) in referenced(&text, "steps.") {
                assert!(ids.contains(&sid), "{f}: job {id} reads steps.{sid} but has no such step");
            }
            for (need, output) in referenced(&text, "needs.") {
                assert!(
                    needs_of(job).contains(&need.as_str()),
                    "{f}: job {id} reads needs.{need} without needing it"
                );
                assert!(
                    jobs[&need]["outputs"].get(&output).is_some(),
                    "{f}: job {id} reads needs.{need}.outputs.{output}, which job {need} does not declare"
                );
            }
        }
    }
}

#[test]
fn every_surestep_line_in_every_workflow_and_the_action_parses_with_the_real_cli() {
    let mut files = workflow_files();
    files.push(support::repo_root().join("action.yml"));
    let mut failures = Vec::new();
    let mut total = 0;
    for file in files {
        let Extracted { commands, .. } = extract_file(file);
        for (at, argv) in &commands {
            total += 1;
            if let Err(err) = Cli::try_parse_from(argv) {
                failures.push(format!("{at}: `{}` does not parse:\n{err}", argv.join(" ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(total >= 9, "surestep lines found: {total}");
}

fn subcommands(commands: &[(String, Vec<String>)]) -> BTreeSet<String> {
    commands
        .iter()
        .map(|(_, argv)| match argv.get(1).map(String::as_str) {
            Some("lock") => format!("lock {}", argv.get(2).map(String::as_str).unwrap_or("")),
            Some(s) => s.to_owned(),
            None => String::new(),
        })
        .collect()
}

#[test]
fn every_surestep_line_in_release_yml_parses_with_the_real_cli() {
    let Extracted { workflow, commands, .. } = extract("examples/release.yml");
    assert!(workflow["on"]["push"]["tags"].is_array(), "runs on tag pushes: {}", workflow["on"]);
    assert!(
        workflow["jobs"].as_object().unwrap().len() >= 4,
        "tag, wheels, publish, image, deploy"
    );
    let seen = subcommands(&commands);
    let want = [
        "check-tag",
        "verify-wheels",
        "publish",
        "wait-for-image",
        "lock status",
        "lock unlock",
        "lock run",
    ];
    for w in want {
        assert!(seen.contains(w), "release.yml has no `surestep {w}` step (has {seen:?})");
    }

    // The check can fail: a mistyped flag on one of those lines is caught.
    let (at, argv) = &commands[0];
    let mut broken = argv.clone();
    broken.push("--no-such-flag".into());
    assert!(Cli::try_parse_from(&broken).is_err(), "{at}: a bad flag must not parse");
}

/// The value of `--flag V` (or `--flag=V`) in one command line.
fn flag<'a>(argv: &'a [String], name: &str) -> Option<&'a str> {
    argv.iter().enumerate().find_map(|(i, w)| {
        if w == name {
            argv.get(i + 1).map(String::as_str)
        } else {
            w.strip_prefix(name).and_then(|r| r.strip_prefix('='))
        }
    })
}

fn command<'a>(commands: &'a [(String, Vec<String>)], sub: &str) -> &'a [String] {
    let found: Vec<_> =
        commands.iter().filter(|(_, a)| a.get(1).is_some_and(|s| s == sub)).collect();
    assert_eq!(found.len(), 1, "one `surestep {sub}` line: {commands:?}");
    &found[0].1
}

#[test]
fn the_release_workflow_checks_the_tag_verifies_the_exact_matrix_and_publishes() {
    let Extracted { workflow, commands, file } = extract(".github/workflows/release.yml");
    let f = file.display();
    assert_eq!(workflow["on"]["push"]["tags"], serde_json::json!(["v*"]), "{f}: v* tags");
    let concurrency = &workflow["concurrency"];
    assert!(concurrency["group"].as_str().unwrap_or("").contains("github.ref"), "{f}: one per tag");
    assert_eq!(concurrency["cancel-in-progress"], false, "{f}: a release is never cancelled");

    let tag = command(&commands, "check-tag");
    assert!(tag.contains(&"--require".to_owned()), "{f}: {tag:?}");
    assert_eq!(flag(tag, "--version-file"), Some("Cargo.toml"), "{f}: {tag:?}");

    // verify-wheels names exactly the platforms built: the matrix plus the tag job's wheel.
    let jobs = &workflow["jobs"];
    let mut built: BTreeSet<String> = jobs["wheels"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("wheels matrix include")
        .iter()
        .map(|e| e["platform"].as_str().expect("each matrix entry names its platform").to_owned())
        .collect();
    built.insert("manylinux_x86_64".into());
    let verify = command(&commands, "verify-wheels");
    let verified: BTreeSet<String> =
        flag(verify, "--platform").expect("--platform").split(',').map(str::to_owned).collect();
    assert_eq!(verified, built, "{f}: verify-wheels --platform is the built matrix");
    let want: BTreeSet<String> = [
        "manylinux_x86_64",
        "manylinux_aarch64",
        "musllinux_x86_64",
        "musllinux_aarch64",
        "macosx_x86_64",
        "macosx_arm64",
        "win_amd64",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(built, want, "{f}: the release matrix");
    assert!(verify.contains(&"--sdist".to_owned()) && flag(verify, "--write-checksums").is_some());
    assert!(flag(verify, "--python").is_some(), "{f}: {verify:?}");

    let publish = command(&commands, "publish");
    assert_eq!(flag(publish, "--trusted-publishing"), Some("always"), "{f}: {publish:?}");
    assert_eq!(flag(publish, "--manifest"), flag(verify, "--write-checksums"), "{f}");
    let publish_job = commands.iter().find(|(_, a)| a[1] == "publish").unwrap().0.clone();
    let job_name = publish_job.split("job ").nth(1).unwrap().split(' ').next().unwrap();
    assert_eq!(jobs[job_name]["permissions"]["id-token"], "write", "{f}: trusted publishing");

    // Every job that runs surestep installs it from the wheel this run built, before using it.
    for (id, job) in jobs.as_object().unwrap() {
        let steps = job["steps"].as_array().unwrap();
        let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
        let Some(first_use) = runs.iter().position(|r| r.trim_start().starts_with("surestep "))
        else {
            continue;
        };
        let install = runs[..first_use]
            .iter()
            .any(|r| r.contains("pip\" install --no-index --find-links dist surestep"));
        assert!(install, "{f}: job {id} runs surestep without installing the built wheel first");
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("gh release upload") && text.contains("SHA256SUMS"),
        "{f}: the GitHub release"
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = std::fs::read_to_string(support::repo_root().join("README.md")).unwrap();
    let testing = readme.split("## Testing").nth(1).expect("README has a Testing section");
    let block = testing.split("```sh\n").nth(1).expect("a sh block in Testing");
    let test_command = block.split("```").next().unwrap().trim();
    let Extracted { workflow, file, .. } = extract(".github/workflows/ci.yml");
    let runs: Vec<String> = workflow["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|j| j["steps"].as_array().unwrap().iter())
        .filter_map(|s| s["run"].as_str().map(|r| r.trim().to_owned()))
        .collect();
    assert!(
        runs.iter().any(|r| r == test_command),
        "{}: runs {test_command:?}? {runs:?}",
        file.display()
    );
}

#[test]
fn no_workflow_or_readme_snippet_compiles_surestep_with_cargo_install() {
    let mut files = workflow_files();
    files.push(support::repo_root().join("action.yml"));
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("cargo install"), "{}: installs with cargo install", file.display());
    }
    let readme = std::fs::read_to_string(support::repo_root().join("README.md")).unwrap();
    for block in readme.split("```yaml").skip(1) {
        let block = block.split("```").next().unwrap();
        assert!(
            !block.contains("cargo install"),
            "a README workflow snippet uses cargo install:\n{block}"
        );
    }
}

#[test]
fn action_yml_parses_and_its_inputs_are_documented_in_the_readme() {
    let Extracted { workflow: action, .. } = extract("action.yml");
    assert!(action["name"].is_string() && action["description"].is_string(), "{action}");
    assert_eq!(action["runs"]["using"], "composite", "no Docker: every runner OS");
    let inputs = action["inputs"].as_object().expect("inputs");
    let names: BTreeSet<&str> = inputs.keys().map(String::as_str).collect();
    assert_eq!(names, BTreeSet::from(["version", "index-url"]));
    assert_eq!(
        inputs["version"]["default"],
        env!("CARGO_PKG_VERSION"),
        "the action installs its own release by default"
    );
    assert_eq!(inputs["index-url"]["default"], "https://pypi.org/simple/");
    let steps = action["runs"]["steps"].as_array().unwrap();
    for step in steps {
        if step.get("run").is_some() {
            assert!(step["shell"].is_string(), "composite run steps need a shell: {step}");
        }
    }
    assert!(
        steps.iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains("$GITHUB_ACTION_PATH/scripts/install-action.sh"))),
        "the action runs scripts/install-action.sh (the script tests/dogfood.rs runs)"
    );

    let readme = std::fs::read_to_string(support::repo_root().join("README.md")).unwrap();
    let section =
        readme.split("### GitHub Action").nth(1).expect("README has a GitHub Action section");
    let section = section.split("\n## ").next().unwrap();
    for (name, input) in inputs {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("README's action inputs table has no `{name}` row"));
        let default = input["default"].as_str().unwrap();
        assert!(
            row.contains(default),
            "README row for `{name}` gives the default {default}: {row}"
        );
    }
    for output in action["outputs"].as_object().unwrap().keys() {
        assert!(section.contains(&format!("`{output}`")), "README documents output `{output}`");
    }
}
