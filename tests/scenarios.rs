//! The seeds' release races, replayed end to end: each test is one story from a release
//! workflow, driving the real binary against the real servers of `tests/support` on 127.0.0.1,
//! asserting what a release engineer would notice (exit codes, outputs, what the server holds
//! afterwards) and printing a one-line verdict (`cargo test --test scenarios -- --nocapture`).

mod support;

use assert_cmd::Command;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::http::{self, MANIFEST_ACCEPT};
use support::{Registry, RegistryAuth};

// ------------------------------------------------------------------------------------ helpers

/// Environment variables a CI runner or a developer shell may carry into a test.
const SCRUBBED: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_SHA",
    "GITHUB_REF",
    "GITHUB_TOKEN",
    "GITHUB_ACTOR",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SURESTEP_TAG_PREFIX",
    "SURESTEP_REGISTRY_USERNAME",
    "SURESTEP_REGISTRY_PASSWORD",
    "SURESTEP_PYPI_TOKEN",
    "TWINE_USERNAME",
    "TWINE_PASSWORD",
    "TWINE_REPOSITORY_URL",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_SSE_CUSTOMER_KEY",
    "NO_COLOR",
];

/// `surestep ARGS...` with a clean environment, in `dir`.
fn surestep(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("surestep").unwrap();
    for var in SCRUBBED {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir).args(args).timeout(Duration::from_secs(60));
    cmd
}

/// One finished run of the binary.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn of(cmd: &mut Command) -> Run {
        let out = cmd.output().expect("run surestep");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    #[allow(dead_code)] // used by the scenarios of the commands still to land
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{self}"))
    }
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A `$GITHUB_OUTPUT` file read back into pairs (`k=v` lines and `k<<DELIM` blocks).
fn github_outputs(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.push((k.to_owned(), value.join("\n")));
        } else if let Some((k, v)) = line.split_once('=') {
            out.push((k.to_owned(), v.to_owned()));
        }
    }
    out
}

fn output<'a>(outputs: &'a [(String, String)], key: &str) -> &'a str {
    outputs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no step output {key} in {outputs:?}"))
}

/// The one-line verdict of a story.
fn verdict(scenario: &str, text: &str) {
    println!("VERDICT {scenario}: {text}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A throw-away git repository with a fixed identity.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo { dir: support::tempdir("scenario-repo") };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "release-bot")
            .env("GIT_AUTHOR_EMAIL", "release-bot@example.invalid")
            .env("GIT_COMMITTER_NAME", "release-bot")
            .env("GIT_COMMITTER_EMAIL", "release-bot@example.invalid")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
    fn commit(&self, message: &str) -> String {
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }
    /// A `workflow_run` event file whose run was for `head_sha`.
    fn workflow_run_event(&self, head_sha: &str, head_branch: &str) -> PathBuf {
        let path = self.path().join(format!("event-{}.json", &head_sha[..7]));
        let event = serde_json::json!({
            "action": "completed",
            "workflow_run": {"head_sha": head_sha, "head_branch": head_branch, "event": "push"}
        });
        std::fs::write(&path, event.to_string()).unwrap();
        path
    }
}

// --------------------------------------------------------------- 1. tag read from workflow_run

/// Commit and tag pushed together; the release workflow runs on `workflow_run` (after CI), where
/// `GITHUB_SHA` is the default branch's tip. check-tag must answer for `head_sha`.
#[test]
fn s1_workflow_run_release_reads_the_tag_of_head_sha_not_the_branch_tip() {
    let repo = Repo::new();
    let tagged = repo.commit("release 1.4.0");
    repo.git(&["tag", "-a", "v1.4.0", "-m", "1.4.0"]);
    // Someone merged to main while CI ran: the default branch's tip is now a later commit.
    let tip = repo.commit("docs: typo");
    let gh = support::tempdir("s1-gh");
    let out = gh.path().join("output");

    let check_tag = |event: &Path, out: &Path| {
        Run::of(
            surestep(repo.path(), &["check-tag"])
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_EVENT_NAME", "workflow_run")
                .env("GITHUB_EVENT_PATH", event)
                .env("GITHUB_SHA", &tip)
                .env("GITHUB_REF", "refs/heads/main")
                .env("GITHUB_OUTPUT", out)
                .env("GITHUB_STEP_SUMMARY", gh.path().join("summary")),
        )
    };

    // The run for the tagged commit: released.
    let r = check_tag(&repo.workflow_run_event(&tagged, "v1.4.0"), &out);
    assert_eq!(r.code, 0, "{r}");
    let outputs = github_outputs(&out);
    assert_eq!(output(&outputs, "has_tag"), "true");
    assert_eq!(output(&outputs, "tag_name"), "v1.4.0");
    assert_eq!(output(&outputs, "python_version"), "1.4.0");
    assert_eq!(output(&outputs, "commit"), tagged, "the commit is head_sha, not GITHUB_SHA");

    // The run for the untagged push to main: not a release, and not an error either.
    let out2 = gh.path().join("output2");
    let r = check_tag(&repo.workflow_run_event(&tip, "main"), &out2);
    assert_eq!(r.code, 0, "no tag is not an error: {r}");
    let outputs = github_outputs(&out2);
    assert_eq!(output(&outputs, "has_tag"), "false");
    assert_eq!(output(&outputs, "commit"), tip);

    verdict(
        "1 workflow_run",
        &format!(
            "PASS: head_sha {} -> has_tag=true v1.4.0 (GITHUB_SHA {} ignored); untagged push -> has_tag=false, exit 0",
            &tagged[..7],
            &tip[..7]
        ),
    );
}

// ----------------------------------------------------------- 2. stale :latest vs the new build

const REG_USER: &str = "deployer";
const REG_PASS: &str = "reg-pass-Vt81x";

/// GET a manifest by reference with Basic auth; returns (bytes, Docker-Content-Digest).
fn get_manifest(reg: &Registry, repo: &str, reference: &str) -> (Vec<u8>, Option<String>) {
    let url = format!("{}/v2/{repo}/manifests/{reference}", reg.url());
    let auth = http::basic_auth(REG_USER, REG_PASS);
    let r =
        http::request("GET", &url, &[("Accept", MANIFEST_ACCEPT), ("Authorization", &auth)], b"")
            .expect("GET manifest");
    assert_eq!(r.status, 200, "GET {url}: {}", r.text());
    let digest = r.header("Docker-Content-Digest").map(str::to_owned);
    (r.body, digest)
}

/// The deploy job starts `wait-for-image --revision auto` while `:latest` still serves the
/// previous build; the new multi-arch build is pushed 2.5 s later. The step must output the new
/// digest (never the old one) and the pinned `name@sha256:` must resolve to the new image.
#[test]
fn s2_deploy_waits_through_the_stale_latest_and_pins_the_new_build() {
    const OLD: &str = "0ld0ld0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let reg = Registry::start(RegistryAuth::htpasswd(REG_USER, REG_PASS));
    let repo = Repo::new();
    let new_rev = repo.commit("feature: the new build");
    let platforms = ["linux/amd64", "linux/arm64"];
    let old = reg.push_image("shop/web", "latest", OLD, &platforms);

    let gh = support::tempdir("s2-gh");
    let out = gh.path().join("output");
    let event = repo.workflow_run_event(&new_rev, "main");
    let image = format!("{}/shop/web:latest", reg.host_port());
    let started = Instant::now();
    let (r, new) = std::thread::scope(|s| {
        let push = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(2500));
            reg.push_image("shop/web", "latest", &new_rev, &platforms)
        });
        let r = Run::of(
            surestep(repo.path(), &["wait-for-image", &image, "--revision", "auto"])
                .args(["--platform", "linux/amd64,linux/arm64", "--timeout", "40s"])
                .args(["--interval", "300ms", "--no-progress", "--github", "always"])
                .args(["--username", REG_USER])
                .env("SURESTEP_REGISTRY_PASSWORD", REG_PASS)
                .env("GITHUB_EVENT_NAME", "workflow_run")
                .env("GITHUB_EVENT_PATH", &event)
                .env("GITHUB_SHA", OLD) // workflow_run: the default branch's tip
                .env("GITHUB_OUTPUT", &out)
                .env("GITHUB_STEP_SUMMARY", gh.path().join("summary")),
        );
        (r, push.join().expect("push thread"))
    });
    assert_ne!(old, new);
    assert_eq!(r.code, 0, "{r}");
    assert!(started.elapsed() >= Duration::from_millis(2500), "it waited for the push");
    let outputs = github_outputs(&out);
    let pinned = format!("{}/shop/web@{new}", reg.host_port());
    assert_eq!(output(&outputs, "digest"), new);
    assert_eq!(output(&outputs, "image"), pinned);
    assert_eq!(output(&outputs, "revision"), new_rev);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(&old), "the stale digest must never be an output:\n{text}");
    // The password appears only in the ::add-mask:: line that hides it from the log.
    let all = r.all();
    let leaks: Vec<&str> = all.lines().filter(|l| l.contains(REG_PASS)).collect();
    assert!(leaks.iter().all(|l| *l == format!("::add-mask::{REG_PASS}")), "{leaks:?}");
    assert!(!text.contains(REG_PASS));

    // What the deploy would pull: the pinned reference, verified byte for byte, is the new
    // build on both platforms.
    let (index, served) = get_manifest(&reg, "shop/web", &new);
    assert_eq!(format!("sha256:{}", sha256_hex(&index)), new, "bytes match the pinned digest");
    assert_eq!(served.as_deref(), Some(new.as_str()));
    let index: Value = serde_json::from_slice(&index).unwrap();
    let mut seen = Vec::new();
    for m in index["manifests"].as_array().expect("an OCI index") {
        let (bytes, _) = get_manifest(&reg, "shop/web", m["digest"].as_str().unwrap());
        let manifest: Value = serde_json::from_slice(&bytes).unwrap();
        let rev = &manifest["annotations"]["org.opencontainers.image.revision"];
        assert_eq!(rev, new_rev.as_str(), "platform manifest {} is the new build", m["digest"]);
        seen.push(format!(
            "{}/{}",
            m["platform"]["os"].as_str().unwrap(),
            m["platform"]["architecture"].as_str().unwrap()
        ));
    }
    seen.sort();
    assert_eq!(seen, platforms);

    verdict(
        "2 stale image",
        &format!(
            "PASS: waited {:.1}s through stale {} and pinned the new build {} ({}), never the old digest",
            started.elapsed().as_secs_f64(),
            &old[..19],
            &new[..19],
            seen.join("+")
        ),
    );
}
