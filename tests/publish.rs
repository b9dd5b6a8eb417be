//! `surestep publish` driven as a binary against real pypiserver and devpi-server instances on
//! 127.0.0.1 (tests/support), with the MarkupSafe 3.0.3 release (10 wheels + sdist) as the dist.

mod support;

use support::cli::Run;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::http;
use support::*;

const FIXTURE: &str = "markupsafe-3.0.3";

/// The shared MarkupSafe fixture set, or None (with a message) when ../shared is absent.
fn fixture_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wheels").join(FIXTURE);
    // Missing: a failure under CI=true, a counted skip elsewhere (tests/support/skip.rs).
    support::skip::fixture(&dir)
}

macro_rules! fixtures_or_skip {
    () => {
        match fixture_dir() {
            Some(d) => d,
            None => return,
        }
    };
}

fn dist_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// One index under test: where to upload, where to look, how to log in.
struct Index {
    upload: String,
    simple: String,
    user: &'static str,
    pass: &'static str,
    _server: Option<PyPiServer>,
}

fn pypiserver() -> Index {
    let server = PyPiServer::start();
    Index {
        upload: server.upload_url(),
        simple: server.simple_url(),
        user: support::pypi::USER,
        pass: support::pypi::PASS,
        _server: Some(server),
    }
}

/// A fresh non-volatile index on the shared devpi instance.
fn devpi() -> Index {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!("pub{}x{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let index = Devpi::shared().create_index(&name, false);
    Index {
        upload: index.upload_url,
        simple: index.simple_url,
        user: support::pypi::USER,
        pass: support::pypi::PASS,
        _server: None,
    }
}

impl Index {
    /// filename → sha256 as the index lists them for `project` (PEP 503 HTML, `#sha256=`).
    fn files(&self, project: &str) -> BTreeMap<String, String> {
        let r = http::request(
            "GET",
            &format!("{}{project}/", self.simple),
            &[("Accept", "text/html")],
            b"",
        )
        .unwrap();
        let mut out = BTreeMap::new();
        if r.status != 200 {
            return out;
        }
        for piece in r.text().split("href=\"").skip(1) {
            let href = &piece[..piece.find('"').unwrap()];
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let file = path.rsplit('/').next().unwrap().to_owned();
            let sha = fragment.strip_prefix("sha256=").unwrap_or("").to_owned();
            assert!(out.insert(file.clone(), sha).is_none(), "{file} listed twice:\n{}", r.text());
        }
        out
    }

    fn surestep(&self) -> Command {
        let mut cmd = surestep_bare();
        cmd.args(["publish", "--json", "--no-progress"])
            .args(["--repository-url", &self.upload, "--check-url", &self.simple])
            .args(["-u", self.user, "-p", self.pass]);
        cmd
    }

    fn std_command(&self, dist: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("surestep"));
        support::cli::scrub_env(&mut cmd);
        cmd.args(["publish", "--json", "--no-progress"])
            .args(["--repository-url", &self.upload, "--check-url", &self.simple])
            .args(["-u", self.user, "-p", self.pass])
            .arg(dist);
        cmd
    }
}

fn surestep_bare() -> Command {
    support::cli::surestep()
}

fn run(cmd: &mut Command) -> Run {
    support::cli::run(cmd)
}

/// What a publish run reports, read from its `--json` document.
trait PublishReport {
    fn actions(&self) -> BTreeMap<String, String>;
    fn n(&self, field: &str) -> u64;
}

impl PublishReport for Run {
    fn actions(&self) -> BTreeMap<String, String> {
        self.json()["files"]
            .as_array()
            .unwrap_or_else(|| panic!("no files in {}\n{}", self.stdout, self.stderr))
            .iter()
            .map(|f| {
                (
                    f["filename"].as_str().unwrap().to_owned(),
                    f["action"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
    fn n(&self, field: &str) -> u64 {
        self.json()[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{field} in {}\n{}", self.stdout, self.stderr))
    }
}

fn assert_index_has_exactly(index: &Index, dist: &[PathBuf]) {
    let listed = index.files("markupsafe");
    let expected: BTreeMap<String, String> =
        dist.iter().map(|p| (name_of(p), support::sha256_file(p))).collect();
    assert_eq!(listed, expected, "the index should list every file once with our sha256");
}

// --- first publish, then a re-run -------------------------------------------------------------

fn first_publish_then_rerun(index: Index) {
    let dir = fixtures_or_skip!();
    let dist = dist_files(&dir);
    let first = run(index.surestep().arg(&dir));
    assert_eq!(first.code, 0, "{}", first.all());
    assert_eq!(first.n("uploaded"), 11, "{}", first.all());
    assert_eq!(first.n("skipped"), 0);
    assert_eq!(first.json()["verified_upload"], true, "{}", first.all());
    assert!(first.actions().values().all(|a| a == "uploaded"), "{}", first.all());
    assert_index_has_exactly(&index, &dist);

    let second = run(index.surestep().arg(&dir));
    assert_eq!(second.code, 0, "{}", second.all());
    assert_eq!(second.n("uploaded"), 0, "{}", second.all());
    assert_eq!(second.n("skipped"), 11);
    assert_eq!(
        second.n("index_requests"),
        1,
        "one index read for the one project: {}",
        second.all()
    );
    assert_eq!(second.n("upload_requests"), 0);
    assert_index_has_exactly(&index, &dist);
}

#[test]
fn pypiserver_first_publish_uploads_all_and_rerun_reads_the_index_once() {
    first_publish_then_rerun(pypiserver());
}

#[test]
fn devpi_first_publish_uploads_all_and_rerun_reads_the_index_once() {
    let index = devpi();
    let upload = index.upload.clone();
    first_publish_then_rerun(index);
    if fixture_dir().is_none() {
        return;
    }
    // devpi keeps the metadata fields of the upload form: they arrived under the right names.
    let r = http::request(
        "GET",
        &format!("{upload}markupsafe/3.0.3"),
        &[("Accept", "application/json")],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let meta: Value = serde_json::from_slice(&r.body).unwrap();
    let meta = &meta["result"];
    assert_eq!(meta["name"], "MarkupSafe", "{meta}");
    assert_eq!(meta["summary"], "Safely add untrusted strings to HTML/XML markup.", "{meta}");
    assert_eq!(meta["requires_python"], ">=3.9", "{meta}");
    let classifiers = meta["classifiers"].as_array().unwrap();
    assert!(classifiers.len() > 3, "multi-use field repeated: {meta}");
    assert!(classifiers.iter().any(|c| c == "Programming Language :: Python"), "{meta}");
    assert!(meta["description"].as_str().unwrap_or("").contains("MarkupSafe"), "{meta}");
}

// --- a half-done release completes ------------------------------------------------------------

fn half_done_release_completes(index: Index) {
    let dir = fixtures_or_skip!();
    let dist = dist_files(&dir);
    let early: Vec<&Path> = dist.iter().step_by(3).map(PathBuf::as_path).collect();
    twine_upload(&index.upload, index.user, index.pass, &early);
    let r = run(index.surestep().arg(&dir));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.n("skipped"), early.len() as u64, "{}", r.all());
    assert_eq!(r.n("uploaded"), (dist.len() - early.len()) as u64, "{}", r.all());
    let actions = r.actions();
    for f in &early {
        assert_eq!(actions[&name_of(f)], "skipped");
    }
    assert_index_has_exactly(&index, &dist);
}

#[test]
fn pypiserver_half_done_release_completes() {
    half_done_release_completes(pypiserver());
}

#[test]
fn devpi_half_done_release_completes() {
    half_done_release_completes(devpi());
}

// --- same name, different bytes ---------------------------------------------------------------

fn conflict_uploads_nothing(index: Index) {
    let tmp = tempdir("publish-conflict");
    let theirs_dir = tmp.path().join("theirs");
    let dist = tmp.path().join("dist");
    let theirs = make_wheel_salted(&theirs_dir, "clashpkg", "1.0.0", "built elsewhere");
    twine_upload(&index.upload, index.user, index.pass, &[&theirs]);
    let ours = make_wheel_salted(&dist, "clashpkg", "1.0.0", "built here");
    let other = make_wheel(&dist, "clashpkg", "1.0.1");
    let (ours_sha, theirs_sha) = (support::sha256_file(&ours), support::sha256_file(&theirs));
    assert_ne!(ours_sha, theirs_sha);

    let r = run(index.surestep().arg(&dist));
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(r.n("conflicts"), 1);
    assert_eq!(r.n("upload_requests"), 0, "nothing may be sent: {}", r.all());
    let actions = r.actions();
    assert_eq!(actions[&name_of(&ours)], "conflict");
    assert_eq!(actions[&name_of(&other)], "held");
    assert!(
        r.stderr.contains(&ours_sha) && r.stderr.contains(&theirs_sha),
        "both digests named:\n{}",
        r.stderr
    );
    let listed = index.files("clashpkg");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[&name_of(&theirs)], theirs_sha, "the index keeps its file");

    // Text mode names both digests too.
    let text = run(surestep_text(&index).arg(&dist));
    assert_eq!(text.code, 1, "{}", text.all());
    assert!(text.all().contains(&ours_sha) && text.all().contains(&theirs_sha), "{}", text.all());
    assert!(text.stdout.contains("conflict"), "{}", text.stdout);
}

fn surestep_text(index: &Index) -> Command {
    let mut cmd = surestep_bare();
    cmd.args(["publish", "--no-progress", "--color", "never"])
        .args(["--repository-url", &index.upload, "--check-url", &index.simple])
        .args(["-u", index.user, "-p", index.pass]);
    cmd
}

#[test]
fn pypiserver_same_name_different_bytes_is_a_conflict_and_nothing_is_uploaded() {
    conflict_uploads_nothing(pypiserver());
}

#[test]
fn devpi_same_name_different_bytes_is_a_conflict_and_nothing_is_uploaded() {
    conflict_uploads_nothing(devpi());
}

// --- two processes at once --------------------------------------------------------------------

fn two_processes_at_once(index: Index) {
    let dir = fixtures_or_skip!();
    let dist = dist_files(&dir);
    let mut a = index.std_command(&dir);
    let mut b = index.std_command(&dir);
    for cmd in [&mut a, &mut b] {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let (a, b) = (a.spawn().unwrap(), b.spawn().unwrap());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let mut uploaded = 0;
    for out in [&a, &b] {
        let all = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0), "{all}");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            json["uploaded"].as_u64().unwrap() + json["skipped"].as_u64().unwrap(),
            11,
            "{all}"
        );
        uploaded += json["uploaded"].as_u64().unwrap();
    }
    assert!(uploaded >= 11, "every file uploaded by one of the two runs");
    assert_index_has_exactly(&index, &dist);
}

#[test]
fn pypiserver_two_processes_at_once_both_succeed_and_each_file_exists_once() {
    two_processes_at_once(pypiserver());
}

#[test]
fn devpi_two_processes_at_once_both_succeed_and_each_file_exists_once() {
    two_processes_at_once(devpi());
}

// --- auth failure -----------------------------------------------------------------------------

const WRONG: &str = "pypi-WrongTokenValue-7f3a9c1e5b";

fn auth_failure_exits_3_without_the_secret(index: Index) {
    let tmp = tempdir("publish-auth");
    let dist = tmp.path().join("dist");
    make_wheel(&dist, "authpkg", "1.0.0");
    make_wheel(&dist, "authpkg", "1.0.1");
    let gh = tmp.path().join("gh");
    std::fs::create_dir_all(&gh).unwrap();
    for json in [true, false] {
        let mut cmd = surestep_bare();
        cmd.args(["publish", "--no-progress", "--github", "always"])
            .args(["--repository-url", &index.upload, "--check-url", &index.simple])
            .env("GITHUB_OUTPUT", gh.join("out"))
            .env("GITHUB_STEP_SUMMARY", gh.join("summary"))
            .env("TWINE_USERNAME", index.user)
            .env("TWINE_PASSWORD", WRONG)
            .arg(&dist);
        if json {
            cmd.arg("--json");
        } else {
            cmd.arg("-vv"); // debug logs of every request must not carry it either
        }
        let r = run(&mut cmd);
        assert_eq!(r.code, 3, "{}", r.all());
        assert!(r.all().contains("credentials"), "says what is wrong: {}", r.all());
        // The one allowed appearance is the mask command itself.
        let outside_mask: String = r
            .all()
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(!outside_mask.contains(WRONG), "secret leaked:\n{}", r.all());
        assert!(r.all().contains(&format!("::add-mask::{WRONG}")), "masked first:\n{}", r.all());
    }
    for file in ["out", "summary"] {
        let text = std::fs::read_to_string(gh.join(file)).unwrap_or_default();
        assert!(!text.contains(WRONG), "secret in {file}: {text}");
    }
    assert!(index.files("authpkg").is_empty());
}

#[test]
fn pypiserver_auth_failure_exits_3_and_the_token_appears_nowhere() {
    auth_failure_exits_3_without_the_secret(pypiserver());
}

#[test]
fn devpi_auth_failure_exits_3_and_the_token_appears_nowhere() {
    auth_failure_exits_3_without_the_secret(devpi());
}

// --- interrupted upload, then a re-run --------------------------------------------------------

fn make_big_wheel(dir: &Path, name: &str, mb: u32) -> PathBuf {
    let out = std::process::Command::new(python())
        .arg(scripts_dir().join("make_big_wheel.py"))
        .arg(dir)
        .args([name, "1.0.0", &mb.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// `packages`: where pypiserver keeps files (it stores what it received of an interrupted
/// upload; the re-run must say so and how to repair it).
fn killed_mid_upload_then_rerun(index: Index, packages: Option<PathBuf>) {
    let tmp = tempdir("publish-kill");
    let dist = tmp.path().join("dist");
    let big = make_big_wheel(&dist, "bigpkg", 48);
    let mut cmd = index.std_command(&dist);
    // One file at a time and no verification pass: the process dies inside the upload.
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Lines mode logs "<file>: started" when the upload begins.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line.contains(&name_of(&big)) && line.contains("started") => break,
            Ok(_) => {}
            Err(_) => assert!(Instant::now() < deadline, "the upload never started"),
        }
    }
    // Kill at once: on an idle machine 48 MB reach a loopback index in well under 50 ms, and a
    // kill after the upload finished tests nothing.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(status.code().is_none(), "killed, not finished: {status:?}");

    let mut r = run(index.surestep().arg(&dist));
    if let (1, Some(packages)) = (r.code, &packages) {
        // pypiserver kept the part it received: a conflict that names the truncation.
        let kept = packages.join(name_of(&big));
        let kept_len = std::fs::metadata(&kept).unwrap().len();
        assert!(kept_len < std::fs::metadata(&big).unwrap().len());
        assert!(
            r.all().contains(&format!("truncated copy of this file ({kept_len} of")),
            "{}",
            r.all()
        );
        assert!(
            r.all().contains(&support::sha256_file(&kept))
                && r.all().contains(&support::sha256_file(&big))
        );
        std::fs::remove_file(kept).unwrap();
        r = run(index.surestep().arg(&dist));
    }
    assert_eq!(r.code, 0, "{}", r.all());
    // The kill lands inside the upload (the re-run sends the file again). Should the whole file
    // have reached the index first all the same, the re-run must see it whole and skip it.
    let skipped_whole = r.n("skipped") == 1 && r.all().contains("already on the index");
    assert!(r.n("uploaded") == 1 || skipped_whole, "{}", r.all());
    assert_eq!(index.files("bigpkg").get(&name_of(&big)), Some(&support::sha256_file(&big)));
}

#[test]
fn pypiserver_killed_mid_upload_then_rerun_completes() {
    let index = pypiserver();
    let packages = index._server.as_ref().map(PyPiServer::packages_dir);
    killed_mid_upload_then_rerun(index, packages);
}

#[test]
fn devpi_killed_mid_upload_then_rerun_completes() {
    killed_mid_upload_then_rerun(devpi(), None);
}

// --- plan only, checks before sending ---------------------------------------------------------

#[test]
fn dry_run_prints_the_plan_and_sends_nothing() {
    let dir = fixtures_or_skip!();
    let index = pypiserver();
    let dist = dist_files(&dir);
    twine_upload(&index.upload, index.user, index.pass, &[&dist[0]]);
    let r = run(index.surestep().arg("--dry-run").arg(&dir));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["dry_run"], true);
    assert_eq!(r.n("upload_requests"), 0);
    let actions = r.actions();
    assert_eq!(actions[&name_of(&dist[0])], "skipped");
    assert_eq!(actions.values().filter(|a| *a == "would_upload").count(), 10);
    assert_eq!(index.files("markupsafe").len(), 1);
}

#[test]
fn a_changed_file_is_refused_by_the_manifest_before_anything_is_sent() {
    let index = pypiserver();
    let tmp = tempdir("publish-manifest");
    let dist = tmp.path().join("dist");
    let a = make_wheel(&dist, "manpkg", "1.0.0");
    let b = make_wheel(&dist, "manpkg", "1.0.1");
    let manifest = tmp.path().join("SHA256SUMS");
    std::fs::write(
        &manifest,
        format!(
            "{}  {}\n{}  {}\n",
            support::sha256_file(&a),
            name_of(&a),
            "0".repeat(64),
            name_of(&b)
        ),
    )
    .unwrap();
    let r = run(index.surestep().arg("--manifest").arg(&manifest).arg(&dist));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.all().contains(&name_of(&b)) && r.all().contains("changed since it was verified"),
        "{}",
        r.all()
    );
    assert!(index.files("manpkg").is_empty());
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let tmp = tempdir("publish-http");
    let dist = tmp.path().join("dist");
    make_wheel(&dist, "httppkg", "1.0.0");
    let r = run(surestep_bare()
        .args(["publish", "--repository-url", "http://index.example.invalid/legacy/"])
        .args(["--check-url", "https://index.example.invalid/simple/"])
        .arg(&dist));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--allow-insecure-http"), "{}", r.stderr);
}

#[test]
fn an_index_without_a_derivable_simple_api_needs_check_url() {
    let tmp = tempdir("publish-check-url");
    let dist = tmp.path().join("dist");
    make_wheel(&dist, "cupkg", "1.0.0");
    let r = run(surestep_bare()
        .args(["publish", "--repository-url", "http://127.0.0.1:9/"])
        .arg(&dist));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("--check-url"), "{}", r.stderr);
}

#[test]
fn github_outputs_list_the_uploaded_files() {
    let index = pypiserver();
    let tmp = tempdir("publish-gh");
    let dist = tmp.path().join("dist");
    let a = make_wheel(&dist, "ghpkg", "1.0.0");
    let b = make_wheel(&dist, "ghpkg", "1.0.1");
    let c = make_wheel(&dist, "ghpkg", "1.0.2");
    twine_upload(&index.upload, index.user, index.pass, &[&a]);
    let (out, summary) = (tmp.path().join("out"), tmp.path().join("summary"));
    let r = run(surestep_text(&index)
        .args(["--github", "always"])
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .arg(&dist));
    assert_eq!(r.code, 0, "{}", r.all());
    let outputs = std::fs::read_to_string(&out).unwrap();
    assert!(outputs.contains("uploaded=2\n") && outputs.contains("skipped=1\n"), "{outputs}");
    let delimited = outputs.split("uploaded_files<<").nth(1).expect("multi-line uploaded_files");
    let (delimiter, rest) = delimited.split_once('\n').unwrap();
    let value = rest.split(&format!("\n{delimiter}\n")).next().unwrap();
    assert_eq!(value, format!("{}\n{}", name_of(&b), name_of(&c)), "{outputs}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| `ghpkg-1.0.1-py3-none-any.whl` |") && md.contains("uploaded"), "{md}");
}

// --- trusted publishing -----------------------------------------------------------------------

struct OidcPeer {
    proc: ServerProcess,
    _dir: tempfile::TempDir,
}

fn start_oidc_peer(minted: &str, request_token: &str, fail_mint: Option<&str>) -> OidcPeer {
    let dir = tempdir("oidc");
    let port = free_port();
    let mut cmd = std::process::Command::new(python());
    cmd.arg(scripts_dir().join("oidc_peer.py"))
        .args(["--port", &port.to_string(), "--minted-token", minted])
        .args(["--request-token", request_token, "--audience", "pypi-local"]);
    if let Some(code) = fail_mint {
        cmd.args(["--fail-mint", code]);
    }
    let mut proc = ServerProcess::spawn("oidc-peer", &cmd, port, &dir.path().join("oidc.log"));
    proc.wait_ready(Duration::from_secs(20), port_open);
    OidcPeer { proc, _dir: dir }
}

const MINTED: &str = "pypi-MintedByOidc-2b8e61d0c4";
const REQUEST_TOKEN: &str = "gha-request-token-93c1f0aa";

fn trusted_publishing_command(server: &PyPiServer, peer: &OidcPeer, dist: &Path) -> Command {
    let oidc = format!("http://127.0.0.1:{}", peer.proc.port());
    let mut cmd = surestep_bare();
    cmd.args(["publish", "--json", "--no-progress", "--github", "always"])
        .args(["--repository-url", &server.upload_url(), "--check-url", &server.simple_url()])
        .args(["--trusted-publishing-url", &oidc])
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{oidc}/id-token?api-version=2.0"))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
        .arg(dist);
    cmd
}

#[test]
fn trusted_publishing_mints_a_token_and_uploads_with_it() {
    let server = PyPiServer::start();
    server.allow_token(MINTED);
    let peer = start_oidc_peer(MINTED, REQUEST_TOKEN, None);
    let tmp = tempdir("publish-tp");
    let dist = tmp.path().join("dist");
    let wheel = make_wheel(&dist, "tppkg", "1.0.0");
    let r = run(&mut trusted_publishing_command(&server, &peer, &dist));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["credentials"], "trusted_publishing");
    assert_eq!(r.n("uploaded"), 1);
    assert!(server.packages_dir().join(name_of(&wheel)).is_file());
    for secret in [MINTED, REQUEST_TOKEN] {
        assert!(
            r.stderr.contains(&format!("::add-mask::{secret}")),
            "{secret} masked:\n{}",
            r.stderr
        );
        let all = r.all();
        let outside: Vec<&str> = all.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
        assert!(!outside.join("\n").contains(secret), "{secret} leaked:\n{all}");
    }
    // A re-run with everything present needs no token at all.
    let again = run(&mut trusted_publishing_command(&server, &peer, &dist));
    assert_eq!(again.code, 0, "{}", again.all());
    assert_eq!(again.n("skipped"), 1);
    assert!(!again.stderr.contains(MINTED), "no mint when nothing is uploaded");
}

#[test]
fn trusted_publishing_refused_by_the_index_exits_3_with_its_reason() {
    let server = PyPiServer::start();
    let peer = start_oidc_peer(MINTED, REQUEST_TOKEN, Some("invalid-publisher"));
    let tmp = tempdir("publish-tp-fail");
    let dist = tmp.path().join("dist");
    make_wheel(&dist, "tpfail", "1.0.0");
    let r = run(&mut trusted_publishing_command(&server, &peer, &dist));
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.all().contains("invalid-publisher"), "{}", r.all());
    assert!(r.all().contains("id-token: write"), "hint: {}", r.all());
    assert!(server.packages_dir().read_dir().unwrap().next().is_none());
}

// --- checks before sending, retries through a faulty network ----------------------------------

#[test]
fn a_corrupt_wheel_fails_the_whole_publish_before_anything_is_sent() {
    let index = pypiserver();
    let tmp = tempdir("publish-corrupt");
    let dist = tmp.path().join("dist");
    let good = make_wheel(&dist, "corruptpkg", "1.0.0");
    let bad = make_wheel(&dist, "corruptpkg", "1.0.1");
    // Flip bytes in the middle of the archive: a member no longer matches its CRC / RECORD.
    let mut bytes = std::fs::read(&bad).unwrap();
    let mid = bytes.len() / 3;
    for b in &mut bytes[mid..mid + 8] {
        *b ^= 0x5a;
    }
    std::fs::write(&bad, bytes).unwrap();
    let r = run(index.surestep().arg(&dist));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.all().contains(&name_of(&bad)) && r.all().contains("nothing was sent"),
        "{}",
        r.all()
    );
    assert!(
        !r.all().contains(&format!("{}:", name_of(&good))),
        "only the bad file is named: {}",
        r.all()
    );
    assert!(index.files("corruptpkg").is_empty());
}

/// The proxy logs a request once it has finished with it, which can be just after the client
/// has its answer: wait (bounded) until `n` are logged.
fn logged_requests(proxy: &FaultProxy, n: usize) -> Vec<ProxiedRequest> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let requests = proxy.requests();
        if requests.len() >= n || Instant::now() > deadline {
            return requests;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The upload URL goes through the fault proxy; the index is read directly.
fn through_faults(server: &PyPiServer, faults: &Faults) -> (FaultProxy, Command) {
    let proxy = FaultProxy::start(server.port(), faults);
    let mut cmd = surestep_bare();
    cmd.args(["publish", "--json", "--no-progress", "--concurrency", "1"])
        .args([
            "--repository-url",
            &format!("{}/", proxy.url()),
            "--check-url",
            &server.simple_url(),
        ])
        .args(["-u", support::pypi::USER, "-p", support::pypi::PASS]);
    (proxy, cmd)
}

#[test]
fn a_lost_answer_is_resolved_by_the_index_before_any_retry() {
    let server = PyPiServer::start();
    let faults = Faults { kinds: vec!["reset_response"], fail_first: 1, ..Faults::default() };
    let (proxy, mut cmd) = through_faults(&server, &faults);
    let tmp = tempdir("publish-lost");
    let dist = tmp.path().join("dist");
    let wheel = make_wheel(&dist, "lostpkg", "1.0.0");
    let r = run(cmd.arg(&dist));
    assert_eq!(r.code, 0, "{}", r.all());
    // The server stored the file, the answer was cut: the re-check finds it, no second POST.
    assert_eq!(r.n("upload_requests"), 1, "{}", r.all());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(proxy.requests().len(), 1, "{:?}", proxy.requests());
    assert_eq!(r.actions()[&name_of(&wheel)], "skipped", "{}", r.all());
    assert!(r.all().contains("listed our exact file"), "{}", r.all());
    assert!(server.packages_dir().join(name_of(&wheel)).is_file());
}

#[test]
fn server_errors_are_retried_until_the_upload_lands() {
    let server = PyPiServer::start();
    let faults = Faults { kinds: vec!["503"], fail_first: 2, ..Faults::default() };
    let (proxy, mut cmd) = through_faults(&server, &faults);
    let tmp = tempdir("publish-503");
    let dist = tmp.path().join("dist");
    let wheel = make_wheel(&dist, "retrypkg", "1.0.0");
    let r = run(cmd.arg(&dist));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.n("upload_requests"), 3, "{}", r.all());
    let statuses: Vec<Option<u16>> = logged_requests(&proxy, 3).iter().map(|q| q.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
    assert_eq!(r.actions()[&name_of(&wheel)], "uploaded");
}

#[test]
fn server_errors_beyond_the_retries_exit_3() {
    let server = PyPiServer::start();
    let faults = Faults { kinds: vec!["503"], rate: 1.0, ..Faults::default() };
    let (proxy, mut cmd) = through_faults(&server, &faults);
    let tmp = tempdir("publish-503-all");
    let dist = tmp.path().join("dist");
    make_wheel(&dist, "downpkg", "1.0.0");
    let r = run(cmd.args(["--retries", "2"]).arg(&dist));
    assert_eq!(r.code, 3, "{}", r.all());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(logged_requests(&proxy, 3).len(), 3, "1 try + 2 retries");
    assert!(r.all().contains("503"), "{}", r.all());
    assert!(server.packages_dir().read_dir().unwrap().next().is_none());
}

#[test]
fn pypi_upload_rules_apply_before_anything_is_sent_to_pypi() {
    let tmp = tempdir("publish-preflight");
    let dist = tmp.path().join("dist");
    let wheel = make_wheel(&dist, "prepkg", "1.0.0+local");
    // Fails on the local checks, before any request (not even the index read) leaves.
    let r = run(surestep_bare()
        .args(["publish", "--json", "--repository", "testpypi", "--retries", "0"])
        .env("SURESTEP_PYPI_TOKEN", "pypi-NeverSent")
        .arg(&dist));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.all().contains(&name_of(&wheel)) && r.all().contains("pypi_local_version"),
        "{}",
        r.all()
    );
    assert!(r.all().contains("nothing was sent"), "{}", r.all());
}

#[test]
fn a_manifest_written_by_verify_wheels_lets_the_same_files_through() {
    let dir = fixtures_or_skip!();
    let index = pypiserver();
    let tmp = tempdir("publish-sums");
    let sums = tmp.path().join("SHA256SUMS");
    let verified =
        run(surestep_bare().arg("verify-wheels").arg(&dir).arg("--write-checksums").arg(&sums));
    assert_eq!(verified.code, 0, "{}", verified.all());
    let r = run(index.surestep().arg("--manifest").arg(&sums).arg(&dir));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.n("uploaded"), 11, "{}", r.all());
}

// --- never a false alarm -----------------------------------------------------------------------

#[test]
fn every_corpus_wheel_passes_publishs_checks_in_a_dry_run() {
    // The real wheels of ../shared/fixtures/wheels/corpus and one wheel per build backend
    // (tests/fixtures/wheels/generated, among them maturin 1.7's compressed `Tag:` line): the
    // checks publish runs before uploading refuse none of them.
    let Some(shared) = support::skip::fixture(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wheels/corpus"),
    ) else {
        return;
    };
    let generated = support::repo_root().join("tests/fixtures/wheels/generated");
    let wheels: Vec<PathBuf> = [shared, generated]
        .iter()
        .flat_map(|d| dist_files(d))
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert!(wheels.len() >= 28, "{wheels:?}");
    let index = pypiserver();
    let r = run(index.surestep().arg("--dry-run").args(&wheels));
    assert_eq!(r.code, 0, "{}", r.all());
    let actions = r.actions();
    assert_eq!(actions.len(), wheels.len(), "{}", r.all());
    assert!(actions.values().all(|a| a == "would_upload"), "{actions:#?}");
}
