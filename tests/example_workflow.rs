//! `examples/release.yml` is valid GitHub Actions YAML, and every `surestep` command line in it
//! parses with the real CLI definition (clap's own parser, the one the binary uses).
//!
//! The YAML is read by PyYAML from the venv-yaml peer venv (installed by
//! `bash scripts/services.sh install`); the `run:` scripts are split into command lines with
//! Python's `shlex`, `${{ … }}` expressions replaced by a placeholder word.

mod support;

use clap::Parser;
use serde_json::Value;
use std::collections::BTreeSet;
use surestep::cli::Cli;

const EXTRACT: &str = r##"
import json, re, shlex, sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
if True in doc:  # YAML 1.1 reads the key `on` as true
    doc["on"] = doc.pop(True)
commands = []
for job_id, job in (doc.get("jobs") or {}).items():
    for n, step in enumerate(job.get("steps") or []):
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
    workflow: Value,
    commands: Vec<(String, Vec<String>)>,
}

fn extract() -> Extracted {
    let python = support::peers_dir().join("venv-yaml/bin/python");
    support::require_installed(&python, "PyYAML (venv-yaml)");
    let yml = support::repo_root().join("examples/release.yml");
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
            let at =
                format!("job {} step {}", c["job"].as_str().unwrap(), c["step"].as_str().unwrap());
            let argv = c["argv"].as_array().unwrap().iter();
            (at, argv.map(|w| w.as_str().unwrap().to_owned()).collect())
        })
        .collect();
    Extracted { workflow: doc["workflow"].clone(), commands }
}

#[test]
fn release_yml_is_a_workflow_whose_jobs_and_steps_are_well_formed() {
    let Extracted { workflow, .. } = extract();
    assert!(workflow["name"].is_string(), "a workflow name");
    assert!(workflow["on"]["push"]["tags"].is_array(), "runs on tag pushes: {}", workflow["on"]);
    let jobs = workflow["jobs"].as_object().expect("jobs");
    assert!(jobs.len() >= 4, "tag, wheels, publish, image, deploy: {:?}", jobs.keys());
    for (id, job) in jobs {
        assert!(job["runs-on"].is_string(), "job {id}: runs-on");
        let needs: Vec<&str> = match &job["needs"] {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        for need in needs {
            assert!(jobs.contains_key(need), "job {id} needs unknown job {need}");
        }
        let steps = job["steps"].as_array().unwrap_or_else(|| panic!("job {id}: steps"));
        let mut ids = BTreeSet::new();
        for (n, step) in steps.iter().enumerate() {
            let kinds = [step.get("run").is_some(), step.get("uses").is_some()];
            assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "job {id} step {n}: run XOR uses");
            if let Some(sid) = step["id"].as_str() {
                assert!(ids.insert(sid.to_owned()), "job {id}: duplicate step id {sid}");
            }
        }
        // Every `steps.X.outputs` a job reads comes from one of its own steps.
        let text = job.to_string();
        for part in text.split("steps.").skip(1) {
            let sid: String =
                part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if part[sid.len()..].starts_with(".outputs.") {
                assert!(ids.contains(&sid), "job {id} reads steps.{sid} but has no such step");
            }
        }
    }
}

#[test]
fn every_surestep_line_in_release_yml_parses_with_the_real_cli() {
    let Extracted { commands, .. } = extract();
    let mut seen = BTreeSet::new();
    let mut failures = Vec::new();
    for (at, argv) in &commands {
        if let Err(err) = Cli::try_parse_from(argv) {
            failures.push(format!("{at}: `{}` does not parse:\n{err}", argv.join(" ")));
        }
        let sub = match argv.get(1).map(String::as_str) {
            Some("lock") => format!("lock {}", argv.get(2).map(String::as_str).unwrap_or("")),
            Some(s) => s.to_owned(),
            None => String::new(),
        };
        seen.insert(sub);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
