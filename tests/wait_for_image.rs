//! `surestep wait-for-image` driven as a binary against the real docker-registry (CNCF
//! distribution 2.8) on 127.0.0.1, in token-auth and htpasswd modes, with images pushed by the
//! test through the registry API (scripts/peers/push_image.py).

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::cli::{run, surestep};
use support::http::{self, MANIFEST_ACCEPT};
use support::{FaultProxy, Faults, PushOptions, Registry, RegistryAuth};

const USER: &str = "tester";
const PASS: &str = "s3cret-pass-Zq9";
const REV_OLD: &str = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const REV_NEW: &str = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static TOKEN: OnceLock<Registry> = OnceLock::new();
static HTPASSWD: OnceLock<Registry> = OnceLock::new();
static ANONYMOUS: OnceLock<Registry> = OnceLock::new();

fn token() -> &'static Registry {
    TOKEN.get_or_init(|| Registry::start(RegistryAuth::token(USER, PASS)))
}
fn htpasswd() -> &'static Registry {
    HTPASSWD.get_or_init(|| Registry::start(RegistryAuth::htpasswd(USER, PASS)))
}
fn anonymous() -> &'static Registry {
    ANONYMOUS.get_or_init(|| Registry::start(RegistryAuth::Anonymous))
}

/// `surestep wait-for-image IMAGE --interval 200ms` with a clean environment.
fn wait_for(image: &str) -> Command {
    let mut cmd = surestep();
    cmd.args(["wait-for-image", image, "--interval", "200ms"]);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn with_creds(cmd: &mut Command) -> &mut Command {
    cmd.args(["--username", USER]).env("SURESTEP_REGISTRY_PASSWORD", PASS)
}

/// Pushes after `delay` on a background thread; the handle yields the digest.
fn push_later(
    reg: &'static Registry,
    delay: Duration,
    repo: &'static str,
    tag: &'static str,
    revision: &'static str,
    platforms: &'static [&'static str],
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        reg.push_image(repo, tag, revision, platforms)
    })
}

/// HEAD the manifest by reference, with the registry's own credentials.
fn head(reg: &Registry, repo: &str, reference: &str) -> http::Response {
    let mut headers = vec![("Accept", MANIFEST_ACCEPT)];
    let auth = reg.credentials().map(|(u, p)| http::basic_auth(u, p));
    if let (Some(a), RegistryAuth::Htpasswd { .. }) = (&auth, reg.auth()) {
        headers.push(("Authorization", a.as_str()));
    }
    let url = format!("{}/v2/{repo}/manifests/{reference}", reg.url());
    http::request("HEAD", &url, &headers, b"").unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn token_auth_tag_pushed_after_the_wait_started() {
    let reg = token();
    let image = format!("{}/team/later:v1", reg.host_port());
    let pusher = push_later(
        reg,
        Duration::from_secs(2),
        "team/later",
        "v1",
        REV_NEW,
        &["linux/amd64", "linux/arm64"],
    );
    let started = Instant::now();
    // Anonymous pull through the token realm (the token server grants anonymous pull).
    let r = run(wait_for(&image).args([
        "--timeout",
        "30s",
        "--revision",
        &REV_NEW[..7],
        "--platform",
        "linux/amd64,linux/arm64",
        "--json",
    ]));
    let pushed = pusher.join().unwrap();
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(started.elapsed() >= Duration::from_secs(2));
    let doc = r.json();
    assert_eq!(doc["ready"], true);
    assert_eq!(doc["digest"], pushed.as_str());
    assert_eq!(doc["image"], format!("{}/team/later@{pushed}", reg.host_port()));
    assert_eq!(doc["revision"], REV_NEW);
    assert_eq!(doc["platforms"], serde_json::json!(["linux/amd64", "linux/arm64"]));
    let waited = doc["waited_seconds"].as_f64().unwrap();
    assert!((1.5..30.0).contains(&waited), "waited_seconds {waited}");
    assert!(doc["polls"].as_u64().unwrap() >= 3, "polled while the tag was missing");
}

#[test]
fn token_auth_with_credentials_writes_github_outputs() {
    let reg = token();
    let digest = reg.push_image("team/outputs", "v2", REV_NEW, &["linux/amd64"]);
    let dir = tempfile::tempdir().unwrap();
    let (out, summary) = (dir.path().join("out"), dir.path().join("summary"));
    let r = run(with_creds(&mut wait_for(&format!("{}/team/outputs:v2", reg.host_port())))
        .args(["--timeout", "10s", "--revision", REV_NEW])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary));
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let outputs = read(&out);
    let pinned = format!("{}/team/outputs@{digest}", reg.host_port());
    for line in [
        "ready=true".to_owned(),
        format!("digest={digest}"),
        format!("image={pinned}"),
        format!("revision={REV_NEW}"),
        "platforms=linux/amd64".to_owned(),
    ] {
        assert!(outputs.contains(&line), "{line:?} missing from GITHUB_OUTPUT:\n{outputs}");
    }
    assert!(outputs.contains("waited_seconds="), "{outputs}");
    assert!(read(&summary).contains(&pinned), "summary: {}", read(&summary));
    assert!(r.stdout.contains(&format!("::add-mask::{PASS}")), "the password is masked first");
    assert!(!outputs.contains(PASS) && !read(&summary).contains(PASS));
}

/// The seed's race: the old build is already under :latest, the new one is pushed 2.5 s later.
/// The command must keep waiting through the stale image and return the NEW digest, and the
/// pinned reference must resolve to it.
#[test]
fn stale_image_keeps_waiting_until_the_new_revision_arrives() {
    let reg = htpasswd();
    let old = reg.push_image("app/race", "latest", REV_OLD, &["linux/amd64", "linux/arm64"]);
    let pusher = push_later(
        reg,
        Duration::from_millis(2500),
        "app/race",
        "latest",
        REV_NEW,
        &["linux/amd64", "linux/arm64"],
    );
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(&event, format!(r#"{{"workflow_run":{{"head_sha":"{REV_NEW}"}}}}"#)).unwrap();
    let out = dir.path().join("out");
    let r = run(with_creds(&mut wait_for(&format!("{}/app/race", reg.host_port())))
        .args(["--timeout", "30s", "--revision", "auto", "--no-progress"])
        .env("GITHUB_EVENT_NAME", "workflow_run")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_SHA", REV_OLD) // the default branch tip in workflow_run events
        .env("GITHUB_OUTPUT", &out)
        .args(["--github", "always"]));
    let new = pusher.join().unwrap();
    assert_ne!(old, new);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let outputs = read(&out);
    let pinned = format!("{}/app/race@{new}", reg.host_port());
    assert!(outputs.contains(&format!("digest={new}")), "{outputs}");
    assert!(outputs.contains(&format!("image={pinned}")), "{outputs}");
    assert!(!outputs.contains(&old), "the stale digest must not be output: {outputs}");
    // The progress log named the stale image and why it was not accepted.
    assert!(r.stderr.contains(&old[..19]), "stderr: {}", r.stderr);
    assert!(r.stderr.contains(&format!("is revision {REV_OLD}")), "stderr: {}", r.stderr);
    // The pinned reference resolves to the new image.
    let digest_ref = pinned.rsplit_once('@').unwrap().1;
    let h = head(reg, "app/race", digest_ref);
    assert_eq!(h.status, 200);
    assert_eq!(h.header("Docker-Content-Digest"), Some(new.as_str()));
}

#[test]
fn times_out_saying_what_was_last_seen() {
    let reg = htpasswd();
    let old = reg.push_image("app/never", "latest", REV_OLD, &["linux/amd64", "linux/arm64"]);
    let started = Instant::now();
    let r = run(with_creds(&mut wait_for(&format!("{}/app/never:latest", reg.host_port())))
        .args(["--timeout", "1500ms", "--revision", REV_NEW]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("timed out"), "{all}");
    assert!(all.contains(&old[..19]), "names the last digest: {all}");
    assert!(all.contains(&REV_OLD[..12]), "names the last revision: {all}");
    assert!(all.contains("linux/amd64,linux/arm64"), "names the platforms: {all}");
}

#[test]
fn image_without_revision_label_never_matches() {
    let reg = htpasswd();
    // An empty revision and no label: nothing says which commit this is.
    reg.push_image_with(
        "app/unlabelled",
        "v1",
        "",
        &["linux/amd64"],
        &PushOptions { no_label: true, ..Default::default() },
    );
    let r = run(with_creds(&mut wait_for(&format!("{}/app/unlabelled:v1", reg.host_port())))
        .args(["--timeout", "1s", "--revision", REV_NEW, "--json"]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let doc = r.json();
    assert_eq!(doc["ready"], false);
    assert_eq!(doc["digest"], Value::Null, "no digest output on timeout");
    assert!(r.stderr.contains("image carries no revision label"), "stderr: {}", r.stderr);
    assert_eq!(doc["last_seen"]["images"][0]["revision"], Value::Null);
}

#[test]
fn revision_from_annotation_when_the_label_is_missing() {
    let reg = htpasswd();
    let digest = reg.push_image_with(
        "app/annotated",
        "v1",
        REV_NEW,
        &["linux/amd64", "linux/arm64"],
        &PushOptions { no_label: true, attestation: true, ..Default::default() },
    );
    let r = run(with_creds(&mut wait_for(&format!("{}/app/annotated:v1", reg.host_port())))
        .args(["--timeout", "5s", "--revision", REV_NEW, "--json"]));
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let doc = r.json();
    assert_eq!(doc["digest"], digest.as_str());
    assert_eq!(
        doc["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"]),
        "the unknown/unknown attestation entry is not a platform"
    );
    assert_eq!(doc["last_seen"]["images"][0]["revision_source"], "manifest_annotation");
}

#[test]
fn missing_platform_blocks_and_present_platforms_pass() {
    let reg = anonymous();
    reg.push_image("app/arches", "v1", REV_NEW, &["linux/amd64", "linux/arm64"]);
    let image = format!("{}/app/arches:v1", reg.host_port());
    let r =
        run(wait_for(&image).args(["--timeout", "1s", "--platform", "linux/amd64,linux/arm/v7"]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("missing linux/arm/v7"), "stdout: {}", r.stdout);
    let r = run(wait_for(&image).args(["--timeout", "5s", "--platform", "linux/arm64/v8"]));
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    // A single-platform image satisfies only its own platform.
    reg.push_image("app/arches", "amd64", REV_NEW, &["linux/amd64"]);
    let single = format!("{}/app/arches:amd64", reg.host_port());
    let r = run(wait_for(&single).args(["--timeout", "1s", "--platform", "linux/arm64"]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
}

#[test]
fn digest_condition_and_pinned_references() {
    let reg = anonymous();
    let digest = reg.push_image("app/pinned", "v1", REV_OLD, &["linux/amd64"]);
    let image = format!("{}/app/pinned:v1", reg.host_port());
    let r = run(wait_for(&image).args(["--timeout", "5s", "--digest", &digest, "--json"]));
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.json()["digest"], digest.as_str());
    let other = format!("sha256:{}", "0".repeat(64));
    let r = run(wait_for(&image).args(["--timeout", "600ms", "--digest", &other]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains(&format!("not {other}")), "stdout: {}", r.stdout);
    // IMAGE@digest: waits for the digest itself.
    let by_digest = format!("{}/app/pinned@{digest}", reg.host_port());
    let r = run(wait_for(&by_digest).args(["--timeout", "5s", "--json"]));
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.json()["image"], by_digest);
}

#[test]
fn a_tag_that_never_arrives_times_out() {
    let reg = anonymous();
    let r =
        run(wait_for(&format!("{}/app/ghost:v9", reg.host_port())).args(["--timeout", "800ms"]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("never appeared"), "stdout: {}", r.stdout);
}

#[test]
fn wrong_credentials_exit_3_and_never_show_the_secret() {
    let wrong = "wr0ng-Pa55word-XYZ";
    for reg in [token(), htpasswd()] {
        reg.push_image("app/locked", "v1", REV_NEW, &["linux/amd64"]);
        let dir = tempfile::tempdir().unwrap();
        let (out, summary) = (dir.path().join("out"), dir.path().join("summary"));
        for json in [false, true] {
            let mut cmd = wait_for(&format!("{}/app/locked:v1", reg.host_port()));
            cmd.args(["--timeout", "10s", "--username", USER, "--password", wrong])
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_OUTPUT", &out)
                .env("GITHUB_STEP_SUMMARY", &summary);
            if json {
                cmd.arg("--json");
            }
            let started = Instant::now();
            let r = run(&mut cmd);
            assert_eq!(r.code, 3, "{:?} stdout: {}\nstderr: {}", reg.auth(), r.stdout, r.stderr);
            assert!(started.elapsed() < Duration::from_secs(8), "auth failure is not retried");
            let all = format!("{}{}", r.stdout, r.stderr);
            assert!(all.contains("refused"), "{all}");
            if json {
                let doc: Value = r
                    .stdout
                    .lines()
                    .filter(|l| l.starts_with('{'))
                    .map(|l| serde_json::from_str(l).unwrap())
                    .next()
                    .unwrap_or_else(|| panic!("no JSON document: {}", r.stdout));
                assert_eq!(doc["exit_code"], 3);
            }
            let masked = all.replace(&format!("::add-mask::{wrong}"), "");
            for (what, text) in
                [("stdout/stderr", masked), ("outputs", read(&out)), ("summary", read(&summary))]
            {
                assert!(!text.contains(wrong), "secret in {what}: {text}");
                assert!(!text.contains(PASS), "registry password in {what}: {text}");
            }
        }
    }
}

#[test]
fn no_credentials_for_a_basic_registry_is_exit_3_with_a_hint() {
    let reg = htpasswd();
    let r = run(wait_for(&format!("{}/app/locked:v1", reg.host_port())).args(["--timeout", "5s"]));
    assert_eq!(r.code, 3, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("requires a username and password"), "stderr: {}", r.stderr);
    assert!(r.stderr.contains("SURESTEP_REGISTRY_PASSWORD"), "stderr: {}", r.stderr);
}

/// Through a logging proxy: one HEAD per poll while the digest is unchanged, the manifest and
/// config fetched once per digest; 503s and 429s on the way are retried within the deadline.
#[test]
fn one_head_per_poll_and_transient_errors_retried() {
    let reg = anonymous();
    reg.push_image("app/counted", "v1", REV_OLD, &["linux/amd64"]);
    let proxy = FaultProxy::start(
        reg.port(),
        &Faults {
            kinds: vec!["503", "429"],
            fail_first: 2,
            retry_after: 0.1,
            ..Default::default()
        },
    );
    let image = format!("127.0.0.1:{}/app/counted:v1", proxy.port());
    let r = run(wait_for(&image).args(["--timeout", "2s", "--revision", REV_NEW, "--json"]));
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let doc = r.json();
    let polls = doc["polls"].as_u64().unwrap() as usize;
    assert!(polls >= 5, "polls {polls}");
    // The proxy logs a request once it has finished with it, which may be just after the
    // client got its answer: wait (briefly) for the log to catch up with what surestep sent.
    let sent = doc["requests"].as_u64().unwrap() as usize;
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut requests = proxy.requests();
    while requests.len() < sent && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        requests = proxy.requests();
    }
    let ok = |m: &str, needle: &str| {
        requests
            .iter()
            .filter(|q| q.method == m && q.path.contains(needle) && q.fault.is_none())
            .count()
    };
    assert_eq!(ok("HEAD", "/manifests/v1"), polls, "{requests:#?}");
    assert_eq!(ok("GET", "/manifests/"), 1, "manifest fetched once: {requests:#?}");
    assert_eq!(ok("GET", "/blobs/"), 1, "config fetched once: {requests:#?}");
    let faulted = requests.iter().filter(|q| q.fault.is_some()).count();
    assert_eq!(faulted, 2, "{requests:#?}");
    assert_eq!(sent, requests.len(), "surestep counts the requests it sends");
}

#[test]
fn an_unreachable_registry_is_exit_3() {
    let port = support::free_port();
    let r = run(wait_for(&format!("127.0.0.1:{port}/app/x:v1")).args(["--timeout", "1s"]));
    assert_eq!(r.code, 3, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&format!("127.0.0.1:{port}")), "names the registry: {}", r.stderr);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["wait-for-image", "https://ghcr.io/o/n:v1"],
        vec!["wait-for-image", "ghcr.io/o/n:-bad"],
        vec!["wait-for-image", "ghcr.io/o/n", "--revision", "xyz"],
        vec!["wait-for-image", "ghcr.io/o/n", "--revision", "auto"],
        vec!["wait-for-image", "ghcr.io/o/n", "--digest", "sha256:abc"],
        vec!["wait-for-image", "ghcr.io/o/n", "--platform", "linux"],
        vec!["wait-for-image", "ghcr.io/o/n", "--timeout", "soon"],
        vec!["wait-for-image", "ghcr.io/o/n", "--username", "u"],
    ] {
        let r = run(surestep().args(&args));
        assert_eq!(r.code, 2, "{args:?}: stdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(!r.stderr.trim().is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn a_revision_longer_than_a_commit_sha_is_a_usage_error() {
    // 40 hex digits is a SHA-1 commit, 64 a SHA-256 one; 41..63 or 65 name no commit.
    for len in [41, 63, 65] {
        let rev = "a".repeat(len);
        let r = run(surestep().args(["wait-for-image", "ghcr.io/o/n", "--revision", &rev]));
        assert_eq!(r.code, 2, "{len}: stdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(r.stderr.contains("not a commit SHA"), "{}", r.stderr);
    }
}

/// An index whose entries are indexes: the platforms and revisions of the images inside count,
/// as a client resolving a platform walks through them (promote copies such an index too).
#[test]
fn an_index_of_indexes_is_inspected_through_to_its_images() {
    let reg = anonymous();
    let rev = "4444444ddddddddddddddddddddddddddddddddd";
    let inner = reg.push_image("nested/app", "inner", rev, &["linux/amd64", "linux/arm64"]);
    let (inner_type, inner_bytes) = reg.get_manifest("nested/app", &inner);
    let outer = reg.put_index_of(
        "nested/app",
        "outer",
        &[serde_json::json!({"mediaType": inner_type, "digest": inner, "size": inner_bytes.len()})],
    );
    let image = format!("{}/nested/app:outer", reg.host_port());
    let r = run(wait_for(&image).args(["--platform", "linux/arm64", "--revision", rev, "--json"]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["digest"], outer.as_str(), "{}", r.all());
    // A platform the inner index does not have is still missing, a revision still checked.
    let r = run(wait_for(&image).args(["--platform", "linux/s390x", "--timeout", "0", "--json"]));
    assert_eq!(r.code, 1, "{}", r.all());
    let r = run(wait_for(&image).args(["--revision", &"5".repeat(40), "--timeout", "0", "--json"]));
    assert_eq!(r.code, 1, "{}", r.all());
}
