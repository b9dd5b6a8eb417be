//! `bash scripts/demo.sh`, the README's "Run it": it runs a whole release against its own
//! servers, exits 0, and leaves nothing running — also when it is killed half-way.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The demo with the binary under test (no second build inside the test).
fn demo() -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(support::repo_root().join("scripts/demo.sh"))
        .env("SURESTEP_BIN", assert_cmd::cargo::cargo_bin("surestep"))
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null());
    cmd
}

/// A server the demo started, from its `  NAME  127.0.0.1:PORT  pid PID` line.
#[derive(Debug)]
struct Server {
    name: String,
    port: u16,
    pid: u32,
}

fn parse_server(line: &str) -> Option<Server> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [name, addr, "pid", pid] => Some(Server {
            name: (*name).to_owned(),
            port: addr.strip_prefix("127.0.0.1:")?.parse().ok()?,
            pid: pid.parse().ok()?,
        }),
        _ => None,
    }
}

/// The demo's work directory, from `(work dir PATH)`.
fn work_dir(text: &str) -> Option<PathBuf> {
    let start = text.find("(work dir ")? + "(work dir ".len();
    let end = start + text[start..].find(')')?;
    Some(PathBuf::from(&text[start..end]))
}

/// Processes whose command line mentions `needle` (the demo's supervisors and servers name
/// files in its work dir).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) {
            found.push(format!("{}: {cmdline}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Every server is gone within `within`: pid dead, port closed, no process naming the work dir.
fn assert_nothing_left(servers: &[Server], dir: &std::path::Path, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let alive: Vec<&Server> = servers
            .iter()
            .filter(|s| support::pid_alive(s.pid) || support::port_open(s.port))
            .collect();
        let stray = processes_mentioning(&dir.to_string_lossy());
        if alive.is_empty() && stray.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still running after the demo ended: {alive:?} {stray:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_runs_a_whole_release_exits_0_and_leaves_nothing_running() {
    let started = Instant::now();
    let out = demo().output().expect("run bash scripts/demo.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}\n--- stderr\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");

    // Each command is printed before it runs, in the order of a release.
    let mut at = 0;
    for cmd in [
        "$ surestep check-tag",
        "$ surestep verify-wheels dist",
        "$ surestep publish",
        "$ surestep publish",
        "$ surestep wait-for-image",
        "$ surestep lock status",
        "$ surestep lock unlock",
    ] {
        let found = stdout[at..].find(cmd).unwrap_or_else(|| panic!("{cmd:?} not printed:\n{all}"));
        at += found + cmd.len();
    }
    // The summary: every step gave the expected exit code; the second publish skipped all.
    assert!(!stdout.contains("UNEXPECTED"), "{all}");
    assert!(stdout.contains("0 uploaded, 11 already there"), "the re-run uploads nothing:\n{all}");
    assert!(stdout.contains("index: 11 files"), "{all}");

    let servers: Vec<Server> = stdout.lines().filter_map(parse_server).collect();
    let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["registry", "pypiserver", "moto"], "{all}");
    let dir = work_dir(&stdout).expect("the work dir is printed");
    assert_nothing_left(&servers, &dir, Duration::from_secs(1));
    assert!(!dir.exists(), "the work dir {} is removed", dir.display());
    println!("demo: exit 0 in {:.1}s, servers {names:?} gone", started.elapsed().as_secs_f64());
}

/// `kill -9` of the demo while its servers run: the supervisors read EOF on the lifeline FIFO
/// and stop them. (Only the temp dir is left; the test removes it.)
#[test]
fn demo_killed_with_sigkill_still_leaves_no_server_running() {
    let mut child = demo().stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn");
    // Keep reading end open until the kill: a closed pipe would end the demo by SIGPIPE.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    let mut servers = Vec::new();
    let mut line = String::new();
    while servers.len() < 3 && reader.read_line(&mut line).expect("demo stdout") > 0 {
        servers.extend(parse_server(&line));
        text.push_str(&line);
        line.clear();
    }
    assert_eq!(servers.len(), 3, "the demo started its servers:\n{text}");
    assert!(servers.iter().all(|s| support::port_open(s.port)), "they are up: {servers:?}");
    let dir = work_dir(&text).expect("the work dir is printed");
    child.kill().expect("SIGKILL the demo");
    child.wait().unwrap();
    drop(reader);
    assert_nothing_left(&servers, &dir, Duration::from_secs(15));
    let _ = std::fs::remove_dir_all(&dir);
}
