//! Gates that never lie (issue 11): an answer surestep could not establish is never a pass,
//! untrusted text never becomes a workflow command or a terminal escape, and nothing crashes
//! at the edges (a closed pipe, huge durations, a `--json` usage error). Every run drives the
//! real binary; S3 answers come from moto and s3s-fs, "not S3" from Python's http.server, all
//! on 127.0.0.1.

mod support;

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};
use support::cli::{Run, run, surestep};
use support::{Moto, S3sFs, ServerProcess, free_port, http_ready, make_wheel, python, tempdir};
use surestep::model::tflock::{LockInfo, format_rfc3339};

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

/// A plain web server (not S3) on a free loopback port, serving an empty directory.
struct WebServer {
    proc: ServerProcess,
    _dir: tempfile::TempDir,
}

impl WebServer {
    fn start() -> WebServer {
        let dir = tempdir("www");
        std::fs::write(dir.path().join("index.html"), "<h1>welcome</h1>").unwrap();
        let port = free_port();
        let mut cmd = StdCommand::new(python());
        cmd.args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1"])
            .current_dir(dir.path());
        let mut proc = ServerProcess::spawn("http.server", &cmd, port, &dir.path().join("log"));
        proc.wait_ready(Duration::from_secs(30), http_ready("/", Some(200)));
        WebServer { proc, _dir: dir }
    }
    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.proc.port())
    }
}

/// `surestep lock …` against `endpoint` with throwaway credentials.
fn lock(endpoint: &str, args: &[&str]) -> Run {
    run(&mut lock_command(endpoint, args))
}

/// The command [`lock`] runs, for tests that run it in several output modes.
fn lock_command(endpoint: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = surestep();
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/surestep-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/surestep-test/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("lock")
        .args(args)
        .args(["--endpoint-url", endpoint, "--path-style"]);
    cmd
}

/// No line a runner would take as a workflow command that surestep did not mean: the hostile
/// payloads below all carry the word FORGED right after the command.
fn assert_no_forged_commands(r: &Run) {
    for line in r.stdout.lines().chain(r.stderr.lines()) {
        let t = line.trim_start();
        // `::name props::FORGED…` (the payload's own command), any `::stop-commands`, any
        // legacy `##[…]` command; surestep's own annotations carry the payload escaped inside.
        let own_command_is_payload = t.strip_prefix("::").is_some_and(|rest| {
            rest.find("::").is_some_and(|i| rest[i + 2..].starts_with("FORGED"))
        });
        let forged =
            own_command_is_payload || t.starts_with("::stop-commands") || t.starts_with("##[");
        assert!(!forged, "a forged workflow command reached the log: {line:?}\n{r}");
    }
}

/// Nothing that drives a terminal: no control character but newline and tab, no bidi or
/// invisible format character.
fn assert_no_control_chars(r: &Run) {
    for c in r.stdout.chars().chain(r.stderr.chars()) {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "control character {c:?} reached the terminal\n{r:?}", r = r.all());
    }
}

const HOSTILE: &str = "x\n::warning::FORGED-1\r\n::add-mask::FORGED-2\n  ::stop-commands::FORGED-3\n##[error]FORGED-4 \u{1b}]8;;http://evil/\u{7}link\u{1b}]8;;\u{7} \u{1b}[2J\u{1b}[31mred \u{202e}evil\u{202c} \u{9b}31m <img src=x onerror=alert(1)> ![t](http:_p.png) `code|cell`";

// ---------------------------------------------------------------------------------------------
// §1: an endpoint that is not S3 is not "no lock".

#[test]
fn a_web_server_on_the_endpoint_is_not_no_lock() {
    let web = WebServer::start();
    let e = web.endpoint();
    let status =
        lock(&e, &["status", "s3://state-bucket/prod/terraform.tfstate", "--fail-if-locked"]);
    assert_eq!(status.code, 3, "{status}");
    assert!(status.stderr.contains("not as S3 does") && status.stderr.contains("404"), "{status}");
    assert!(!status.stdout.contains("not locked"), "{status}");
    let unlock = lock(&e, &["unlock", "s3://state-bucket/prod/terraform.tfstate", "--yes"]);
    assert_eq!(unlock.code, 3, "{unlock}");
    assert!(!unlock.stdout.contains("nothing to remove"), "{unlock}");
    let json = lock(&e, &["status", "s3://state-bucket/prod/terraform.tfstate", "--json"]);
    assert_eq!(json.code, 3, "{json}");
    let doc = json.json();
    assert_eq!(doc["exit_code"], 3);
    assert!(doc["error"]["message"].as_str().unwrap().contains("whether a lock exists is unknown"));
    // The recursive listing is refused too.
    let listing = lock(&e, &["status", "s3://state-bucket/prod/", "--recursive"]);
    assert_eq!(listing.code, 3, "{listing}");
}

#[test]
fn a_missing_bucket_on_the_single_key_path_is_exit_3() {
    let m = moto();
    let r = lock(
        &m.endpoint(),
        &["status", "s3://no-such-bucket-here/a/terraform.tfstate", "--fail-if-locked"],
    );
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("no-such-bucket-here") && r.stderr.contains("does not exist"), "{r}");
    let u =
        lock(&m.endpoint(), &["unlock", "s3://no-such-bucket-here/a/terraform.tfstate", "--yes"]);
    assert_eq!(u.code, 3, "{u}");
}

#[test]
fn a_real_s3_without_the_lock_still_says_not_locked() {
    let m = moto();
    m.create_bucket("gates-empty");
    let r = lock(
        &m.endpoint(),
        &["status", "s3://gates-empty/a/terraform.tfstate", "--fail-if-locked"],
    );
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("not locked"), "{r}");
}

// ---------------------------------------------------------------------------------------------
// §1: empty list values, for every list flag of every command (found from the CLI definition).

/// The arguments each subcommand needs besides the flag under test.
fn base_args(path: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    match path {
        ["wait-for-image"] => v.push("127.0.0.1:1/x:1".into()),
        ["promote"] => v.push("127.0.0.1:1/x:1".into()),
        ["lock", "probe"] => v.push("s3://bucket/p/".into()),
        ["lock", _] => v.push("s3://bucket/k.tfstate".into()),
        _ => {}
    }
    v
}

#[test]
fn every_list_flag_refuses_an_empty_value() {
    use clap::CommandFactory;
    let root = surestep::cli::Cli::command();
    let mut leaves: Vec<(Vec<&str>, &clap::Command)> = Vec::new();
    for sub in root.get_subcommands() {
        if sub.has_subcommands() {
            for inner in sub.get_subcommands() {
                leaves.push((vec![sub.get_name(), inner.get_name()], inner));
            }
        } else {
            leaves.push((vec![sub.get_name()], sub));
        }
    }
    let mut checked = 0;
    for (path, cmd) in &leaves {
        for arg in cmd.get_arguments() {
            let list = arg.get_value_delimiter().is_some()
                || (arg.is_positional() && arg.get_num_args().is_some_and(|n| n.max_values() > 1));
            if !list {
                continue;
            }
            let values: &[&str] =
                if arg.get_value_delimiter().is_some() { &["", ",", " , "] } else { &[""] };
            for value in values {
                let mut args = base_args(path);
                let shown = match arg.get_long() {
                    Some(long) => {
                        args.push(format!("--{long}"));
                        format!("--{long}")
                    }
                    None => arg.get_value_names().map(|n| n[0].to_string()).unwrap_or_default(),
                };
                args.push(value.to_string());
                let r = run(surestep().args(&args));
                assert_eq!(r.code, 2, "{args:?} must be a usage error\n{r}");
                assert!(r.stderr.contains(&shown), "{args:?}: the error names {shown}\n{r}");
                checked += 1;
            }
        }
    }
    // verify-wheels --python/--platform/paths, publish paths, wait-for-image --platform.
    assert!(checked >= 11, "only {checked} list flags found");
    // Single values that would switch a check off are refused too.
    for args in [
        vec!["verify-wheels", "--version", ""],
        vec!["verify-wheels", "--from-tag", ""],
        vec!["wait-for-image", "127.0.0.1:1/x:1", "--digest", ""],
        vec!["lock", "unlock", "s3://bucket/k", "--lock-id", ""],
        vec!["lock", "status", "s3://bucket/k", "--endpoint-url", ""],
        vec!["lock", "status", "s3://bucket/k", "--workspace", ""],
        vec!["check-tag", "--rev", ""],
        vec!["publish", "--username", ""],
        vec!["wait-for-image", "127.0.0.1:1/x:1", "--username", ""],
    ] {
        let r = run(surestep().args(&args));
        assert_eq!(r.code, 2, "{args:?}\n{r}");
        assert!(r.stderr.contains(args[args.len() - 2]), "{args:?}\n{r}");
    }
}

// ---------------------------------------------------------------------------------------------
// §1: broken entries in a dist directory are problems; look-alikes are mentioned.

fn dist_with_broken_entries() -> (tempfile::TempDir, PathBuf) {
    let root = tempdir("dist-broken");
    let dist = root.path().join("dist");
    std::fs::create_dir_all(dist.join("dist")).unwrap();
    let wheel = make_wheel(&dist, "gates-demo", "1.0.0");
    std::fs::copy(&wheel, dist.join("dist").join(wheel.file_name().unwrap())).unwrap();
    std::fs::copy(&wheel, dist.join("Other-1.0.0-py3-none-any.WHL")).unwrap();
    std::os::unix::fs::symlink(
        dist.join("gone.whl"),
        dist.join("gates_demo-1.0.0-py2-none-any.whl"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dist.join("loop-1.0.0.tar.gz"), dist.join("loop-1.0.0.tar.gz"))
        .unwrap();
    (root, dist)
}

#[test]
fn dangling_symlinks_and_loops_in_dist_fail_verify_wheels_naming_them() {
    let (_root, dist) = dist_with_broken_entries();
    let r = run(surestep().arg("verify-wheels").arg(&dist).arg("--no-pypi"));
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stdout.contains("gates_demo-1.0.0-py2-none-any.whl"), "{r}");
    assert!(r.stdout.contains("dangling symbolic link") && r.stdout.contains("loop"), "{r}");
    assert!(!r.stdout.contains("verified ("), "{r}");
    // The look-alikes are mentioned, not silently passed over.
    assert!(
        r.stderr.contains("Other-1.0.0-py3-none-any.WHL") && r.stderr.contains("lower-case"),
        "{r}"
    );
    assert!(r.stderr.contains("nested directory"), "{r}");
    let json =
        run(surestep().arg("--json").arg("verify-wheels").arg(&dist).arg("--no-pypi")).json();
    let codes: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["problems"].as_array().unwrap())
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == "not_a_file").count(), 2, "{json}");
    assert_eq!(json["skipped"].as_array().unwrap().len(), 2, "{json}");
}

#[test]
fn publish_refuses_a_dist_with_a_dangling_symlink_before_any_request() {
    let (_root, dist) = dist_with_broken_entries();
    let closed = free_port();
    let r = run(surestep().arg("publish").arg(&dist).args([
        "--repository-url",
        &format!("http://127.0.0.1:{closed}/legacy/"),
        "--check-url",
        &format!("http://127.0.0.1:{closed}/simple/"),
        "--no-verify",
    ]));
    assert_eq!(r.code, 1, "{r}");
    assert!(
        r.stderr.contains("gates_demo-1.0.0-py2-none-any.whl") && r.stderr.contains("dangling"),
        "{r}"
    );
}

#[test]
fn write_checksums_never_overwrites_what_it_verifies() {
    let root = tempdir("sums");
    let dist = root.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let wheel = make_wheel(&dist, "gates-sums", "1.0.0");
    let before = std::fs::read(&wheel).unwrap();
    for target in [wheel.clone(), dist.join("new-1.0-py3-none-any.whl")] {
        let r =
            run(surestep().arg("verify-wheels").arg(&dist).arg("--write-checksums").arg(&target));
        assert_eq!(r.code, 2, "{r}");
        assert!(r.stderr.contains("--write-checksums"), "{r}");
    }
    let r = run(surestep().arg("verify-wheels").arg(&wheel).arg("--write-checksums").arg(&wheel));
    assert_eq!(r.code, 2, "{r}");
    assert_eq!(std::fs::read(&wheel).unwrap(), before, "the wheel is untouched");
    let ok = run(surestep()
        .arg("verify-wheels")
        .arg(&dist)
        .arg("--write-checksums")
        .arg(dist.join("SHA256SUMS")));
    assert_eq!(ok.code, 0, "{ok}");
}

// ---------------------------------------------------------------------------------------------
// §1: GitHub outputs that cannot be written are never silent.

#[test]
fn github_actions_without_github_output_warns_once() {
    let root = tempdir("gh-no-output");
    let wheel = make_wheel(root.path(), "gates-gh", "1.0.0");
    for empty in [None, Some("")] {
        let mut cmd = surestep();
        cmd.env("GITHUB_ACTIONS", "true").arg("verify-wheels").arg(&wheel);
        if let Some(v) = empty {
            cmd.env("GITHUB_OUTPUT", v);
        }
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{r}");
        let warnings = r.stdout.lines().filter(|l| l.contains("GITHUB_OUTPUT is not set")).count();
        assert_eq!(warnings, 1, "{r}");
        assert!(r.stdout.lines().any(|l| l.starts_with("::warning::GITHUB_OUTPUT")), "{r}");
    }
}

#[test]
fn an_unwritable_output_file_still_shows_the_result_and_names_the_file() {
    let root = tempdir("gh-bad-output");
    let wheel = make_wheel(root.path(), "gates-gh", "1.0.0");
    let bad = root.path().join("no-such-dir/output");
    let r = run(surestep()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &bad)
        .arg("verify-wheels")
        .arg(&wheel));
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stdout.contains("verified"), "the result is shown before the failure\n{r}");
    assert!(r.stdout.contains("no-such-dir/output") && r.stdout.contains("GITHUB_OUTPUT"), "{r}");
    let json = run(surestep()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &bad)
        .args(["--json", "verify-wheels"])
        .arg(&wheel));
    let doc = json.json();
    assert_eq!(doc["exit_code"], 3, "{json}");
    assert_eq!(doc["ok"], true, "{json}");
    assert!(doc["error"]["message"].as_str().unwrap().contains("no-such-dir/output"), "{json}");
}

// ---------------------------------------------------------------------------------------------
// §3: hostile text through every output path.

/// A lock whose every text field is hostile, written to moto as Terraform would.
fn hostile_lock(bucket: &str, created: SystemTime) {
    let m = moto();
    m.create_bucket(bucket);
    let info = LockInfo {
        id: format!("id-{HOSTILE}"),
        operation: format!("OperationTypeApply{HOSTILE}"),
        info: HOSTILE.into(),
        who: format!("mallory@{HOSTILE}"),
        version: "1.11.2".into(),
        created: format_rfc3339(created),
        path: format!("{bucket}/{HOSTILE}"),
    };
    let r = m.s3(
        "PUT",
        &format!("/{bucket}/env/terraform.tfstate.tflock"),
        &[("content-type", "application/json")],
        Some(info.to_json().as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Every way a command's output can leave: text, -v, quiet, GitHub (annotations, outputs,
/// summary), JSON.
fn every_output_mode(base: &dyn Fn() -> assert_cmd::Command) -> Vec<(String, Run)> {
    let dir = tempdir("modes");
    let out = dir.path().join("output");
    let summary = dir.path().join("summary");
    let mut runs = Vec::new();
    for (label, extra, github) in [
        ("text", vec!["--color", "never"], false),
        ("verbose", vec!["-v", "--color", "never"], false),
        ("colour", vec!["--color", "always"], false),
        ("github", vec!["--github", "always", "--color", "never"], true),
        ("json", vec!["--json"], false),
    ] {
        let mut cmd = base();
        if github {
            cmd.env("GITHUB_OUTPUT", &out).env("GITHUB_STEP_SUMMARY", &summary);
        }
        // Global flags go first so that they are seen whatever the subcommand.
        let r = run(cmd.args(&extra));
        runs.push((label.to_string(), r));
    }
    let summary_text = std::fs::read_to_string(&summary).unwrap_or_default();
    // Inside a code span everything is literal; outside, no markup may survive.
    let outside = outside_code_spans(&summary_text);
    assert!(
        !outside.contains("![") && !outside.contains("<img") && !outside.contains("](http"),
        "the summary renders foreign text, never its markup:\n{summary_text}"
    );
    assert!(!summary_text.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'), "{summary_text:?}");
    runs
}

/// Markdown with its code spans (a run of N backticks up to the next run of exactly N) removed.
fn outside_code_spans(md: &str) -> String {
    let b = md.as_bytes();
    let run_at = |i: usize| b[i..].iter().take_while(|c| **c == b'`').count();
    let (mut out, mut i) = (String::new(), 0);
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() && b[i + 1].is_ascii_punctuation() {
            // An escaped character is literal text: it forms no markup, opens no code span.
            out.push(' ');
            i += 2;
        } else if b[i] == b'`' {
            let n = run_at(i);
            let mut j = i + n;
            let mut closed = None;
            while j < b.len() {
                if b[j] == b'`' {
                    let m = run_at(j);
                    if m == n {
                        closed = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            match closed {
                Some(end) => i = end,
                None => {
                    out.push_str(&md[i..i + n]);
                    i += n;
                }
            }
        } else {
            let c = md[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn assert_safe(runs: &[(String, Run)], json_carries_payload: bool) {
    for (label, r) in runs {
        assert_no_forged_commands(r);
        if label != "colour" {
            assert_no_control_chars(r);
        } else {
            // Colour on: only plain SGR colour codes, no OSC, no screen clearing, no CR.
            let all = r.all();
            assert!(
                !all.contains("\u{1b}]") && !all.contains("\u{1b}[2J") && !all.contains('\r'),
                "{all:?}"
            );
        }
        if label == "json" && json_carries_payload {
            // JSON stays exact: the hostile value comes back byte for byte.
            let doc = r.json();
            assert!(doc.to_string().contains("FORGED-1"), "{doc}");
        }
    }
}

#[test]
fn a_hostile_lock_body_cannot_command_the_runner_or_the_terminal() {
    hostile_lock("gates-hostile", SystemTime::now() - Duration::from_secs(7200));
    let e = moto().endpoint();
    for sub in [
        vec![
            "status",
            "s3://gates-hostile/env/terraform.tfstate",
            "--stale-after",
            "1h",
            "--fail-if-locked",
        ],
        vec![
            "status",
            "s3://gates-hostile/",
            "--recursive",
            "--stale-after",
            "1h",
            "--fail-if-locked",
        ],
        vec!["unlock", "s3://gates-hostile/env/terraform.tfstate", "--dry-run", "--yes"],
        vec!["unlock", "s3://gates-hostile/env/terraform.tfstate", "--lock-id", "wrong", "--yes"],
    ] {
        let base = || lock_command(&e, &sub);
        let runs = every_output_mode(&base);
        assert_safe(&runs, true);
        // The values are still shown, escaped.
        let text = &runs[0].1;
        assert!(text.all().contains("mallory@x\\n::warning::FORGED-1"), "{text}");
    }
}

#[test]
fn hostile_file_names_and_metadata_cannot_command_the_runner_or_the_terminal() {
    let root = tempdir("hostile-files");
    let dist = root.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let wheel = make_wheel(&dist, "gates-hostile", "1.0.0");
    // A file name that is its own attack, and a wheel renamed so its metadata disagrees.
    let evil = dist.join(format!("evil{}-1.0.0-py3-none-any.whl", HOSTILE.replace('/', "_")));
    std::fs::copy(&wheel, &evil).unwrap();
    let closed = free_port();
    for args in [
        vec!["verify-wheels".to_string(), dist.display().to_string()],
        vec!["verify-wheels".to_string(), evil.display().to_string()],
        vec![
            "publish".to_string(),
            evil.display().to_string(),
            "--repository-url".into(),
            format!("http://127.0.0.1:{closed}/legacy/"),
            "--check-url".into(),
            format!("http://127.0.0.1:{closed}/simple/"),
            "--dry-run".into(),
        ],
    ] {
        let base = || {
            let mut cmd = surestep();
            cmd.args(&args);
            cmd
        };
        assert_safe(&every_output_mode(&base), false);
    }
}

// ---------------------------------------------------------------------------------------------
// §4: no crash, whatever the other end does.

/// Runs the binary with stdout (or stderr) already closed by the reader.
fn run_with_closed(stream: &str, args: &[&str]) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("surestep");
    let mut cmd = StdCommand::new(bin);
    support::cli::scrub_env(&mut cmd);
    cmd.args(args).stdin(Stdio::null());
    match stream {
        "stdout" => cmd.stdout(Stdio::piped()).stderr(Stdio::piped()),
        _ => cmd.stdout(Stdio::null()).stderr(Stdio::piped()),
    };
    let mut child = cmd.spawn().unwrap();
    let mut other = String::new();
    if stream == "stdout" {
        drop(child.stdout.take());
        use std::io::Read;
        child.stderr.take().unwrap().read_to_string(&mut other).unwrap();
    } else {
        drop(child.stderr.take());
    }
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), other)
}

#[test]
fn a_closed_stdout_or_stderr_ends_quietly_with_the_commands_status() {
    let root = tempdir("pipe");
    let wheel = make_wheel(root.path(), "gates-pipe", "1.0.0");
    let w = wheel.display().to_string();
    let (code, stderr) = run_with_closed("stdout", &["verify-wheels", &w]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (code, stderr) = run_with_closed("stdout", &["--json", "verify-wheels", &w]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run_with_closed("stdout", &["--help"]);
    assert_eq!(code, 0, "{stderr}");
    // A failing command keeps its own status when stderr is gone.
    let missing = root.path().join("missing.whl").display().to_string();
    let (code, _) = run_with_closed("stderr", &["verify-wheels", &missing]);
    assert_eq!(code, 1);
    let (code, _) = run_with_closed("stderr", &["-vv", "verify-wheels", &w]);
    assert_eq!(code, 0);
}

#[test]
fn json_usage_errors_are_one_document_on_stdout() {
    for args in [
        vec!["--json", "verify-wheels", "--bogus"],
        vec!["--json", "no-such-command"],
        vec!["lock", "status", "--json"],
        vec!["--json", "wait-for-image", "x/y", "--timeout", "forever"],
    ] {
        let r = run(surestep().args(&args));
        assert_eq!(r.code, 2, "{args:?}\n{r}");
        let doc = r.json();
        assert_eq!(doc["exit_code"], 2, "{doc}");
        assert!(!doc["error"]["message"].as_str().unwrap().is_empty(), "{doc}");
    }
    let doc = run(surestep().args(["--json", "verify-wheels", "--bogus"])).json();
    assert_eq!(doc["command"], "verify-wheels");
    assert!(doc["error"]["message"].as_str().unwrap().contains("--bogus"), "{doc}");
    let doc = run(surestep().args(["lock", "status", "--json"])).json();
    assert_eq!(doc["command"], "lock status");
    let doc = run(surestep().args(["--json", "lock"])).json();
    assert_eq!(doc["exit_code"], 2);
    assert!(doc["error"]["message"].as_str().unwrap().contains("missing"), "{doc}");
}

#[test]
fn verbose_logs_obey_color_never_and_a_non_terminal_stderr() {
    let root = tempdir("logs");
    let wheel = make_wheel(root.path(), "gates-logs", "1.0.0");
    m_bucket("gates-logs");
    for extra in [vec!["--color", "never"], vec![]] {
        let r = lock(
            &moto().endpoint(),
            &[&["-vv"], extra.as_slice(), &["status", "s3://gates-logs/k.tfstate"]].concat(),
        );
        assert_eq!(r.code, 0, "{r}");
        assert!(r.stderr.contains("DEBUG") || r.stderr.contains("TRACE"), "logs are on\n{r}");
        assert!(!r.stderr.contains('\u{1b}'), "no colour codes in logs to a pipe\n{r}");
    }
    let r = run(surestep().args(["-vv", "--color", "always", "verify-wheels"]).arg(&wheel));
    assert!(r.stdout.contains('\u{1b}'), "--color always still paints\n{r}");
    // The argument parser's own errors follow the same decision.
    let r = run(surestep().args(["--color", "always", "verify-wheels", "--bogus"]));
    assert!(r.stderr.contains('\u{1b}'), "{r}");
    let r = run(surestep().args(["verify-wheels", "--bogus", "--color=never"]));
    assert!(!r.stderr.contains('\u{1b}') && r.code == 2, "{r}");
}

fn m_bucket(name: &str) {
    moto().create_bucket(name);
}

#[test]
fn huge_durations_are_refused_not_panics() {
    for args in [
        vec!["wait-for-image", "127.0.0.1:1/x:1", "--timeout", "18446744073709551615"],
        vec!["wait-for-image", "127.0.0.1:1/x:1", "--interval", "18446744073709551615"],
        vec!["wait-for-image", "127.0.0.1:1/x:1", "--timeout", "9999999999h"],
        vec!["publish", "--verify-timeout", "18446744073709551615", "--dry-run"],
    ] {
        let r = run(surestep().args(&args));
        assert_eq!(r.code, 2, "{args:?}\n{r}");
        assert!(!r.stderr.contains("panicked"), "{r}");
        assert!(r.stderr.contains("longer than a week"), "{r}");
    }
}

#[test]
fn credentials_in_urls_and_image_references_are_never_echoed() {
    const PW: &str = "hunter2-gates-secret";
    let m = moto();
    for args in [
        vec![
            "wait-for-image".to_string(),
            format!("https://user:{PW}@127.0.0.1:1/x:1"),
            "--timeout".into(),
            "0".into(),
        ],
        vec![
            "wait-for-image".to_string(),
            format!("user:{PW}@127.0.0.1:1/x:1"),
            "--timeout".into(),
            "0".into(),
        ],
    ] {
        for json in [false, true] {
            let mut cmd = surestep();
            if json {
                cmd.arg("--json");
            }
            let r = run(cmd.args(&args));
            assert_eq!(r.code, 2, "{r}");
            assert!(!r.all().contains(PW), "{r}");
            assert!(r.all().contains("credentials"), "{r}");
        }
    }
    let endpoint = m.endpoint().replace("http://", &format!("http://AKIA:{PW}@"));
    let r = lock(&endpoint, &["status", "s3://gates-creds/k.tfstate", "--json"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(!r.all().contains(PW), "{r}");
    // From the environment, the endpoint is redacted wherever it is named.
    let closed = free_port();
    let mut cmd = surestep();
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_ENDPOINT_URL_S3", format!("http://AKIA:{PW}@127.0.0.1:{closed}"))
        .args(["lock", "status", "s3://gates-creds/k.tfstate", "--path-style", "--json", "-v"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 3, "{r}");
    assert!(!r.stdout.contains(PW), "{r}");
}

// ---------------------------------------------------------------------------------------------
// §5: small things a demanding user notices.

#[test]
fn lock_columns_line_up_with_colour_on() {
    hostile_lock("gates-columns", SystemTime::now() - Duration::from_secs(60));
    let r = lock(
        &moto().endpoint(),
        &["status", "s3://gates-columns/env/terraform.tfstate", "--color", "always"],
    );
    assert_eq!(r.code, 0, "{r}");
    let plain = strip_sgr(&r.stdout);
    let columns: Vec<usize> = plain
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim().is_empty())
        .map(|l| {
            l.as_bytes().iter().skip(2).position(|b| *b == b' ').map_or(0, |end| {
                2 + end + l.as_bytes()[2 + end..].iter().take_while(|b| **b == b' ').count()
            })
        })
        .collect();
    assert!(columns.len() >= 5, "{plain}");
    // "last modified" is two words: its value still starts at column 16.
    let aligned = plain
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim().is_empty())
        .all(|l| l.len() > 17 && l.as_bytes()[15] == b' ' && l.as_bytes()[16] != b' ');
    assert!(aligned, "values start at one column: {columns:?}\n{plain}");
}

fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_lock_created_in_the_future_is_clock_skew_not_zero_seconds_ago() {
    hostile_lock("gates-skew", SystemTime::now() + Duration::from_secs(3 * 3600));
    let r = lock(
        &moto().endpoint(),
        &["status", "s3://gates-skew/env/terraform.tfstate", "--color", "never"],
    );
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stderr.contains("clock skew"), "{r}");
    assert!(
        r.stdout.contains("in the future by 2h") || r.stdout.contains("in the future by 3h"),
        "{r}"
    );
    assert!(!r.stdout.contains("(0s ago)"), "{r}");
    let doc =
        lock(&moto().endpoint(), &["status", "s3://gates-skew/env/terraform.tfstate", "--json"])
            .json();
    assert!(doc["locks"][0]["clock_skew_seconds"].as_u64().unwrap() > 3600, "{doc}");
}

#[test]
fn a_probe_that_found_if_none_match_honoured_does_not_claim_double_locking() {
    let s = S3sFs::start();
    s.create_bucket("gates-probe");
    let mut cmd = surestep();
    let (ak, sk) = s.credentials();
    cmd.env("AWS_ACCESS_KEY_ID", ak)
        .env("AWS_SECRET_ACCESS_KEY", sk)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args([
            "lock",
            "probe",
            "s3://gates-probe/p/",
            "--endpoint-url",
            &s.endpoint(),
            "--path-style",
            "--json",
        ]);
    let r = run(&mut cmd);
    let doc: Value = r.json();
    let put = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "put_if_none_match")
        .cloned();
    let put_honoured = put.as_ref().is_some_and(|c| c["verdict"] == "honoured");
    let warnings = doc["warnings"].to_string();
    // s3s-fs 0.14 honours If-None-Match and ignores If-Match on DELETE (test-peers.md).
    assert!(put_honoured, "{r}");
    assert!(!warnings.contains("two holders both get the lock"), "{r}");
    assert!(warnings.contains("a newer lock can be removed"), "{r}");
}

#[test]
fn malformed_urls_are_shown_as_given_without_credentials() {
    let root = tempdir("bad-url");
    let wheel = make_wheel(root.path(), "gates-url", "1.0.0");
    let r = run(surestep().arg("publish").arg(&wheel).args([
        "--repository-url",
        "ht tp://u:hunter2@index.example/",
        "--dry-run",
    ]));
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("ht tp://index.example/"), "{r}");
    assert!(!r.stderr.contains("<url>") && !r.stderr.contains("hunter2"), "{r}");
}

#[test]
fn help_shows_ranges_and_verify_timeout_takes_durations() {
    let help = run(surestep().args(["publish", "--help"]));
    let text = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("(1 to 64)") && text.contains("(0 to 20)"), "{help}");
    let root = tempdir("verify-timeout");
    let wheel = make_wheel(root.path(), "gates-vt", "1.0.0");
    for value in ["10m", "90", "1m30s"] {
        let closed = free_port();
        let r = run(surestep().arg("publish").arg(&wheel).args([
            "--verify-timeout",
            value,
            "--repository-url",
            &format!("http://127.0.0.1:{closed}/legacy/"),
            "--check-url",
            &format!("http://127.0.0.1:{closed}/simple/"),
            "--dry-run",
            "--retries",
            "0",
        ]));
        // Parsed (no usage error); the closed index then makes it an environment failure.
        assert_ne!(r.code, 2, "--verify-timeout {value}\n{r}");
    }
}

#[test]
fn a_token_that_claims_to_live_forever_does_not_overflow_the_clock() {
    let reg = support::Registry::start_token_expiring("gate", "gate-pass", "18446744073709551615");
    reg.push_image(
        "team/forever",
        "v1",
        "0123456789abcdef0123456789abcdef01234567",
        &["linux/amd64"],
    );
    let r = run(surestep()
        .args(["wait-for-image", &format!("{}/team/forever:v1", reg.host_port())])
        .args(["--timeout", "30s", "--username", "gate"])
        .env("SURESTEP_REGISTRY_PASSWORD", "gate-pass"));
    assert_eq!(r.code, 0, "{r}");
    assert!(!r.stderr.contains("panicked"), "{r}");
}

/// HOSTILE as a TOML basic string body (escapes for the control characters).
fn toml_escaped(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c if c.is_control() => format!("\\u{:04X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

#[test]
fn a_hostile_version_file_cannot_command_the_runner_or_the_terminal() {
    let dir = tempdir("hostile-tag");
    let d = dir.path().to_path_buf();
    support::git(&d, &["init", "-q", "-b", "main"]);
    std::fs::write(
        d.join("pyproject.toml"),
        format!("[project]\nname = \"x\"\nversion = \"1.0.0{}\"\n", toml_escaped(HOSTILE)),
    )
    .unwrap();
    support::git(&d, &["add", "pyproject.toml"]);
    support::git(&d, &["commit", "-q", "-m", "release"]);
    support::git(&d, &["tag", "v1.0.0"]);
    support::git(&d, &["tag", "v1.0.0-not.semver+x"]);
    let base = || {
        let mut cmd = surestep();
        cmd.current_dir(&d).args(["check-tag", "--version-file", "pyproject.toml", "--require"]);
        cmd
    };
    let runs = every_output_mode(&base);
    assert_eq!(runs[0].1.code, 1, "{}", runs[0].1);
    assert_safe(&runs, true);
}

#[test]
fn a_hostile_image_revision_cannot_command_the_runner_or_the_terminal() {
    let reg = support::Registry::start(support::RegistryAuth::Anonymous);
    reg.push_image("team/hostile", "v1", HOSTILE, &["linux/amd64"]);
    let image = format!("{}/team/hostile:v1", reg.host_port());
    for extra in [vec!["--revision", "0123456789abcdef"], vec![]] {
        let base = || {
            let mut cmd = surestep();
            cmd.args(["wait-for-image", &image, "--timeout", "0"]).args(&extra);
            cmd
        };
        let runs = every_output_mode(&base);
        assert_safe(&runs, true);
    }
}

/// A wheel whose METADATA is hostile (and so disagrees with its file name).
fn hostile_metadata_wheel(dir: &std::path::Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("gates_meta-1.0.0-py3-none-any.whl");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    let di = "gates_meta-1.0.0.dist-info";
    let metadata = format!(
        "Metadata-Version: 2.1\nName: gates-meta{h}\nVersion: 1.0.0{h}\nSummary: {h}\n\n",
        h = HOSTILE.replace(['\n', '\r'], " ")
    );
    for (name, body) in [
        (format!("{di}/METADATA"), metadata),
        (
            format!("{di}/WHEEL"),
            "Wheel-Version: 1.0\nGenerator: gates\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .into(),
        ),
        (format!("{di}/RECORD"), format!("{di}/METADATA,,\n{di}/WHEEL,,\n{di}/RECORD,,\n")),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn hostile_metadata_cannot_command_the_runner_or_the_terminal() {
    let dir = tempdir("hostile-meta");
    let wheel = hostile_metadata_wheel(dir.path());
    let closed = free_port();
    for args in [
        vec!["verify-wheels".to_string(), wheel.display().to_string()],
        vec![
            "publish".to_string(),
            wheel.display().to_string(),
            "--repository-url".into(),
            format!("http://127.0.0.1:{closed}/legacy/"),
            "--check-url".into(),
            format!("http://127.0.0.1:{closed}/simple/"),
        ],
    ] {
        let base = || {
            let mut cmd = surestep();
            cmd.args(&args);
            cmd
        };
        let runs = every_output_mode(&base);
        assert_ne!(runs[0].1.code, 0, "{}", runs[0].1);
        assert!(runs[0].1.all().contains("FORGED"), "the metadata is shown: {}", runs[0].1);
        assert_safe(&runs, false);
    }
}

#[test]
fn an_index_error_page_is_reduced_to_text_and_the_token_hint_is_for_pypi_only() {
    let index = support::PyPiServer::start();
    let dir = tempdir("index-page");
    let wheel = make_wheel(dir.path(), "gates-page", "1.0.0");
    let (user, _) = index.credentials();
    let r = run(surestep()
        // The default retries: pypiserver answers 403 before reading the body and closes, so
        // now and then the body write meets a closed socket (EPIPE) and the answer is lost;
        // the retry (after the index says the file is not there) reads the 403 itself.
        .args(["publish", "--color", "never"])
        .args(["--repository-url", &index.upload_url(), "--check-url", &index.simple_url()])
        .args(["--username", user, "--password", "not-the-password"])
        .arg(&wheel));
    assert_eq!(r.code, 3, "{r}");
    let all = r.all();
    // pypiserver answers with an HTML page carrying CSS: only its words may reach the user.
    for markup in ["<html", "<body", "<style", "background-color", "</", "&#"] {
        assert!(!all.contains(markup), "{markup} reached the output\n{r}");
    }
    assert!(all.contains("credentials"), "{r}");
    assert!(
        !all.contains("__token__") && !all.contains("pypi-"),
        "PyPI's token advice for another index\n{r}"
    );
}

/// A TLS web server on loopback (`openssl s_server -WWW`, serving an empty directory) with a
/// leaf certificate for 127.0.0.1 signed by a throwaway CA; returns the server and the CA file.
fn tls_server() -> (ServerProcess, PathBuf, tempfile::TempDir) {
    let dir = tempdir("tls");
    let d = dir.path();
    let openssl = |args: &[&str]| {
        let out = StdCommand::new("openssl").args(args).current_dir(d).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    openssl(
        &[&["req", "-x509"][..], &ec, &["-days", "2", "-subj", "/CN=surestep test CA"]]
            .concat()
            .iter()
            .chain(&["-keyout", "ca.key", "-out", "ca.pem"])
            .copied()
            .collect::<Vec<_>>(),
    );
    openssl(
        &[&["req"][..], &ec, &["-subj", "/CN=127.0.0.1", "-keyout", "key.pem", "-out", "leaf.csr"]]
            .concat(),
    );
    std::fs::write(
        d.join("ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext",
        "-out",
        "cert.pem",
    ]);
    let www = d.join("www");
    std::fs::create_dir(&www).unwrap();
    let port = free_port();
    let mut cmd = StdCommand::new("openssl");
    cmd.args(["s_server", "-quiet", "-WWW", "-accept", &format!("127.0.0.1:{port}")])
        .arg("-cert")
        .arg(d.join("cert.pem"))
        .arg("-key")
        .arg(d.join("key.pem"))
        .current_dir(&www);
    let mut proc = ServerProcess::spawn("openssl s_server", &cmd, port, &d.join("log"));
    proc.wait_ready(Duration::from_secs(30), |p| {
        std::net::TcpStream::connect(("127.0.0.1", p)).is_ok()
    });
    (proc, d.join("ca.pem"), dir)
}

#[test]
fn https_is_verified_against_the_system_roots_loaded_at_the_first_handshake() {
    // The roots are loaded lazily (src/remote/tls.rs): a server no root vouches for is still
    // refused, and one whose CA is in the system store (SSL_CERT_FILE) is spoken to.
    let (server, ca, _dir) = tls_server();
    let dist = tempdir("tls-dist");
    make_wheel(dist.path(), "demo", "1.0.0");
    let against = format!("https://127.0.0.1:{}/simple/", server.port());
    let verify = |ca: Option<&PathBuf>| {
        let mut cmd = surestep();
        cmd.args(["--json", "-v", "verify-wheels", "--no-pypi", "--against", &against])
            .arg(dist.path());
        if let Some(ca) = ca {
            cmd.env("SSL_CERT_FILE", ca);
        }
        run(&mut cmd)
    };
    let untrusted = verify(None);
    assert_eq!(untrusted.code, 3, "{}", untrusted.all());
    // A certificate verdict is the same on every try: not retried with backoff.
    assert!(!untrusted.stderr.contains("retrying"), "{}", untrusted.all());
    assert!(
        untrusted.all().contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        untrusted.all()
    );
    let trusted = verify(Some(&ca));
    // The handshake passes; s_server is no index (a text/plain 404 page), which is exit 3 too,
    // for that reason and not the certificate.
    assert_eq!(trusted.code, 3, "{}", trusted.all());
    assert!(!trusted.all().contains("certificate"), "{}", trusted.all());
    assert!(trusted.all().contains("Content-Type"), "{}", trusted.all());
}
