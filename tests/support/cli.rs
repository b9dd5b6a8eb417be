//! Driving the real binary: a clean environment, a captured run, and GitHub output files.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// Whether a variable of the outer environment could change what surestep does (CI context,
/// credentials, its own settings, colour), so tests must not inherit it.
pub fn is_ambient(name: &str) -> bool {
    ["GITHUB_", "SURESTEP_", "AWS_", "TWINE_", "ACTIONS_", "GOOGLE_", "CLOUDSDK_"]
        .iter()
        .any(|p| name.starts_with(p))
        || ["NO_COLOR", "DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR"].contains(&name)
}

/// Where registry logins are looked up when a test does not say: a directory that does not
/// exist, so the machine's own ~/.docker/config.json never takes part.
pub const NO_DOCKER_CONFIG: &str = "/nonexistent/surestep-tests/docker-config";

/// `surestep` with every ambient variable removed and a generous timeout.
pub fn surestep() -> Command {
    let mut cmd = Command::cargo_bin("surestep").expect("the surestep binary is built");
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_ambient) {
            cmd.env_remove(name);
        }
    }
    cmd.env("DOCKER_CONFIG", NO_DOCKER_CONFIG);
    cmd.timeout(Duration::from_secs(180));
    cmd
}

/// Removes every ambient variable from a std `Command` (for processes run in the background).
pub fn scrub_env(cmd: &mut std::process::Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_ambient) {
            cmd.env_remove(name);
        }
    }
}

/// One finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// stdout as the one JSON document `--json` promises.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.all()))
    }
    /// Exit code, stdout and stderr, for assertion messages and secret checks.
    pub fn all(&self) -> String {
        format!("exit {}\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.all())
    }
}

/// Runs `cmd` to completion and captures everything.
pub fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let out = cmd.output().expect("run surestep");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: start.elapsed(),
    }
}

/// Parses a `$GITHUB_OUTPUT` file the way the runner does: whichever of `=` and `<<` comes
/// first decides between `k=v` and a `k<<DELIMITER` block.
pub fn read_github_outputs(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let heredoc = match (line.find('='), line.find("<<")) {
            (Some(eq), Some(h)) => h < eq,
            (None, Some(_)) => true,
            _ => false,
        };
        if heredoc && let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.push((name.to_owned(), value.join("\n")));
        } else if let Some((name, value)) = line.split_once('=') {
            out.push((name.to_owned(), value.to_owned()));
        }
    }
    out
}

/// The value of one output (the last one written wins, as in the runner); panics naming it
/// when absent.
pub fn github_output<'a>(outputs: &'a [(String, String)], name: &str) -> &'a str {
    outputs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no output {name} in {outputs:?}"))
}
