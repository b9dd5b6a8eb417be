//! `publish` racing another run, behind an index that lists uploads late: a real pypiserver with
//! the fault proxy serving each simple page as it was a few seconds earlier (a CDN in front of
//! PyPI, a mirror), and a partial copy on the index that another run is still writing.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::cli::scrub_env;
use support::*;

/// Three tiny files of one release (two wheels and the sdist).
fn release(dir: &Path, name: &str) -> Vec<PathBuf> {
    let out = Command::new(python())
        .arg(scripts_dir().join("make_release.py"))
        .arg(dir)
        .args([name, "1.0.0", "--python", "cp311,cp312", "--platform", "musllinux_1_2_x86_64"])
        .arg("--sdist")
        .output()
        .expect("run make_release.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(PathBuf::from).collect()
}

fn publish(upload: &str, simple: &str, dist: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_surestep"));
    scrub_env(&mut cmd);
    cmd.args(["--json", "--no-progress", "publish", "--repository-url", upload, "--check-url"])
        .arg(simple)
        .args(["-u", support::pypi::USER, "-p", support::pypi::PASS, "--verify-timeout", "30"])
        .arg(dist)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn report(out: &std::process::Output) -> (Value, String) {
    let all = format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {all}"));
    (json, all)
}

#[test]
fn two_runs_at_once_behind_an_index_that_lists_late_both_succeed() {
    let server = PyPiServer::start();
    let lag = 3.0;
    let proxy = FaultProxy::start(
        server.port(),
        &Faults {
            stale_seconds: lag,
            stale_match: Some("^GET /simple/".into()),
            ..Faults::default()
        },
    );
    let tmp = tempdir("races");
    let dist = tmp.path().join("dist");
    let files = release(&dist, "racer");
    let upload = format!("{}/", proxy.url());
    let simple = format!("{}/simple/", proxy.url());
    let (a, b) = (
        publish(&upload, &simple, &dist).spawn().unwrap(),
        publish(&upload, &simple, &dist).spawn().unwrap(),
    );
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut uploaded = 0;
    let mut raced = 0;
    for out in [&a, &b] {
        let (json, all) = report(out);
        assert_eq!(out.status.code(), Some(0), "a run whose file landed must not fail: {all}");
        uploaded += json["uploaded"].as_u64().unwrap();
        raced += json["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["detail"].as_str().unwrap().contains("uploaded by another run"))
            .count();
    }
    assert_eq!(uploaded, 3, "each file uploaded once");
    assert!(raced >= 1, "the losing run judged its 409 by waiting for the lagging index");
    assert!(
        proxy.requests().iter().any(|r| r.fault.as_deref() == Some("stale")),
        "the index did lag behind the uploads"
    );
    let stored = sha256_dir(&server.packages_dir());
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(stored.get(&name), Some(&sha256_file(f)), "{name} stored once, intact");
    }
}

#[test]
fn a_partial_copy_another_run_is_writing_is_waited_for_not_called_a_conflict() {
    let server = PyPiServer::start();
    let proxy = FaultProxy::start(server.port(), &Faults::default());
    let tmp = tempdir("races");
    let dist = tmp.path().join("dist");
    let files = release(&dist, "partial");
    let wheel = files.iter().find(|f| f.extension().is_some_and(|e| e == "whl")).unwrap();
    let name = wheel.file_name().unwrap().to_owned();
    let bytes = std::fs::read(wheel).unwrap();
    // Another run's upload, half written into the index's storage.
    let stored = server.packages_dir().join(&name);
    std::fs::write(&stored, &bytes[..bytes.len() / 2]).unwrap();
    let upload = format!("{}/", proxy.url());
    let simple = format!("{}/simple/", proxy.url());
    let run = publish(&upload, &simple, &dist).spawn().unwrap();
    // Once surestep has downloaded the partial copy to look at it, the other run finishes.
    let started = Instant::now();
    while !proxy.requests().iter().any(|r| r.path.ends_with(&*name.to_string_lossy())) {
        assert!(started.elapsed() < Duration::from_secs(60), "surestep never looked at the copy");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The other run needs a moment more (the scenario itself, not a wait for a condition).
    std::thread::sleep(Duration::from_millis(1500));
    let part = server.packages_dir().join(".partial-finishing");
    std::fs::write(&part, &bytes).unwrap();
    std::fs::rename(&part, &stored).unwrap();
    let out = run.wait_with_output().unwrap();
    let (json, all) = report(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let entry = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filename"] == *name.to_string_lossy())
        .cloned()
        .unwrap();
    assert_eq!(entry["action"], "skipped", "{all}");
    assert!(entry["detail"].as_str().unwrap().contains("partial copy"), "{all}");
    assert_eq!(json["uploaded"], 2, "the other files were not held: {all}");
}

#[test]
fn an_upload_whose_answer_is_lost_behind_an_index_that_lists_late_is_found_not_failed() {
    let server = PyPiServer::start();
    // Every upload reaches the server, which stores it, but its answer is cut off; the simple
    // pages show each change 3 s late.
    let proxy = FaultProxy::start(
        server.port(),
        &Faults {
            kinds: vec!["reset_response"],
            matching: Some("^POST ".into()),
            rate: 1.0,
            stale_seconds: 3.0,
            stale_match: Some("^GET /simple/".into()),
            ..Faults::default()
        },
    );
    let tmp = tempdir("races");
    let dist = tmp.path().join("dist");
    let files = release(&dist, "lostanswer");
    let out = publish(&format!("{}/", proxy.url()), &format!("{}/simple/", proxy.url()), &dist)
        .args(["--retries", "1"])
        .output()
        .unwrap();
    let (json, all) = report(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(json["skipped"], files.len(), "{all}");
    assert!(
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["detail"].as_str().unwrap().contains("the index lists our exact file")),
        "{all}"
    );
    assert_eq!(sha256_dir(&server.packages_dir()).len(), files.len());
}
