//! Faults and hostile servers, through `scripts/peers/fault_proxy.py` in front of the real
//! servers: resets mid-request and mid-response, 502/503 bursts, 429 with Retry-After (obeyed,
//! checked from the proxy's timestamps), an S3 DELETE whose answer is lost after the server
//! acted on it, endless and 1 GiB bodies (cut off by limits, not memory), and redirects to
//! another origin (never carrying credentials).

mod support;

use support::cli::Run;

use assert_cmd::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::{FaultProxy, Faults, Moto, ProxiedRequest, Registry, RegistryAuth};

const USER: &str = "faulty";
const PASS: &str = "FAULTSECRET-pass-Qw8Zr";
const REV: &str = "4444444ddddddddddddddddddddddddddddddddd";

fn run(cmd: &mut Command) -> Run {
    let r = support::cli::run(cmd.timeout(Duration::from_secs(90)));
    assert!(!r.stdout.contains(PASS) && !r.stderr.contains(PASS), "password shown: {}", r.all());
    r
}

/// The binary with no ambient variables from the outer environment.
fn surestep() -> Command {
    let mut cmd = support::cli::surestep();
    cmd.arg("--color=never");
    cmd
}

/// The proxy's log once it holds at least `n` requests (it logs a request when done with it).
fn log_of(proxy: &FaultProxy, n: usize) -> Vec<ProxiedRequest> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let log = proxy.requests();
        if log.len() >= n || Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------------------------
// wait-for-image

static ANON: OnceLock<(Registry, String)> = OnceLock::new();
static BASIC: OnceLock<Registry> = OnceLock::new();
static TOKEN: OnceLock<Registry> = OnceLock::new();

/// An anonymous registry holding app/faulty:v1 at REV; the digest pushed.
fn anon() -> &'static (Registry, String) {
    ANON.get_or_init(|| {
        let r = Registry::start(RegistryAuth::Anonymous);
        let digest = r.push_image("app/faulty", "v1", REV, &["linux/amd64", "linux/arm64"]);
        (r, digest)
    })
}
fn basic() -> &'static Registry {
    BASIC.get_or_init(|| {
        let r = Registry::start(RegistryAuth::htpasswd(USER, PASS));
        r.push_image("app/faulty", "v1", REV, &["linux/amd64"]);
        r
    })
}
fn token() -> &'static Registry {
    TOKEN.get_or_init(|| {
        let r = Registry::start(RegistryAuth::token(USER, PASS));
        r.push_image("app/faulty", "v1", REV, &["linux/amd64"]);
        r
    })
}

fn wait_for(image: &str) -> Command {
    let mut cmd = surestep();
    cmd.args(["wait-for-image", image, "--interval", "100ms"]);
    cmd
}

/// Through 429s with `Retry-After: 1`: the right digest, and no request before the pause the
/// server asked for has elapsed (from the proxy's own timestamps).
#[test]
fn wait_for_image_obeys_retry_after() {
    let (reg, digest) = anon();
    let after = 1.0;
    let proxy = FaultProxy::start(
        reg.port(),
        &Faults { kinds: vec!["429"], fail_first: 3, retry_after: after, ..Default::default() },
    );
    let image = format!("127.0.0.1:{}/app/faulty:v1", proxy.port());
    let r = run(wait_for(&image).args(["--revision", REV, "--timeout", "30s", "--json"]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.json()["digest"], digest.as_str(), "{}", r.all());
    let sent = r.json()["requests"].as_u64().unwrap() as usize;
    let log = log_of(&proxy, sent);
    let throttled: Vec<_> = log.iter().filter(|q| q.fault.as_deref() == Some("429")).collect();
    assert_eq!(throttled.len(), 3, "{log:#?}");
    for q in throttled {
        let next = log
            .iter()
            .filter(|n| n.t_start >= q.t_end)
            .map(|n| n.t_start)
            .fold(f64::INFINITY, f64::min);
        let gap = next - q.t_end;
        assert!(
            gap >= after * 0.95,
            "a request {gap:.3}s after a 429 asking for {after}s: {log:#?}"
        );
    }
    assert!(r.took >= Duration::from_secs_f64(3.0 * after), "took {:?}", r.took);
}

/// A mix of resets (before and after the server answered), 502/503 bursts and bare 429s on
/// 40% of requests: polling goes on and the digest found is the one pushed.
#[test]
fn wait_for_image_through_resets_and_5xx_finds_the_right_digest() {
    let (reg, digest) = anon();
    let proxy = FaultProxy::start(
        reg.port(),
        &Faults {
            kinds: vec!["reset_request", "reset_response", "502", "503", "429_bare"],
            rate: 0.4,
            fail_first: 2,
            seed: 7,
            ..Default::default()
        },
    );
    let image = format!("127.0.0.1:{}/app/faulty:v1", proxy.port());
    let r = run(wait_for(&image).args([
        "--revision",
        REV,
        "--platform",
        "linux/amd64,linux/arm64",
        "--timeout",
        "60s",
        "--json",
    ]));
    assert_eq!(r.code, 0, "{}", r.all());
    let doc = r.json();
    assert_eq!(doc["digest"], digest.as_str(), "{}", r.all());
    let log = log_of(&proxy, doc["requests"].as_u64().unwrap() as usize);
    let faulted = log.iter().filter(|q| q.fault.is_some()).count();
    assert!(faulted >= 2, "{log:#?}");
    eprintln!(
        "wait-for-image through 40% faults: {} requests, {faulted} faulted, {:?}",
        log.len(),
        r.took
    );
}

/// Endless (chunked) and 1 GiB (Content-Length) manifest bodies: cut off by the manifest
/// limit with an error naming it, in seconds, not by running out of memory.
#[test]
fn endless_and_huge_manifests_are_cut_off_by_the_limit() {
    let (reg, _) = anon();
    for kind in ["endless", "huge"] {
        let proxy = FaultProxy::start(
            reg.port(),
            &Faults {
                kinds: vec![kind],
                matching: Some("^GET [^ ]*/manifests/".into()),
                rate: 1.0,
                ..Default::default()
            },
        );
        let image = format!("127.0.0.1:{}/app/faulty:v1", proxy.port());
        let r = run(wait_for(&image).args(["--revision", REV, "--timeout", "5s"]));
        assert_eq!(r.code, 3, "{kind}: {}", r.all());
        assert!(r.stderr.contains("larger than"), "{kind}: {}", r.all());
        assert!(r.stderr.contains("/manifests/"), "{kind} names the URL: {}", r.all());
        assert!(r.took < Duration::from_secs(10), "{kind}: took {:?}", r.took);
    }
}

/// A token server answering with an endless body: the token read is bounded too.
#[test]
fn an_endless_token_response_is_cut_off() {
    let reg = token();
    let realm = reg.token_realm().unwrap();
    let token_port: u16 =
        realm.rsplit(':').next().unwrap().trim_end_matches("/token").parse().unwrap();
    let hostile_token = FaultProxy::start(
        token_port,
        &Faults { kinds: vec!["endless"], rate: 1.0, ..Default::default() },
    );
    // The registry's challenge now points at the hostile token server.
    let front = FaultProxy::start(
        reg.port(),
        &Faults {
            replace_in_head: vec![(
                format!("127.0.0.1:{token_port}"),
                format!("127.0.0.1:{}", hostile_token.port()),
            )],
            ..Default::default()
        },
    );
    let image = format!("127.0.0.1:{}/app/faulty:v1", front.port());
    let mut cmd = wait_for(&image);
    cmd.args(["--timeout", "5s", "--username", USER]).env("SURESTEP_REGISTRY_PASSWORD", PASS);
    let r = run(&mut cmd);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("larger than"), "{}", r.all());
    assert!(r.took < Duration::from_secs(10), "took {:?}", r.took);
    assert!(
        log_of(&hostile_token, 1).iter().any(|q| q.path.starts_with("/token")),
        "the token request went through the hostile proxy: {}",
        r.all()
    );
}

/// A redirect to another origin (localhost vs 127.0.0.1, another port) never carries the
/// Basic credentials or the Bearer token.
#[test]
fn redirects_to_another_origin_never_carry_credentials() {
    for reg in [basic(), token()] {
        // The other origin: a logging proxy in front of the same registry, named `localhost`.
        let elsewhere = FaultProxy::start(reg.port(), &Faults::default());
        let front = FaultProxy::start(
            reg.port(),
            &Faults {
                kinds: vec!["redirect"],
                matching: Some("^(HEAD|GET) [^ ]*/manifests/".into()),
                rate: 1.0,
                redirect_to: Some(format!("http://localhost:{}", elsewhere.port())),
                ..Default::default()
            },
        );
        let image = format!("127.0.0.1:{}/app/faulty:v1", front.port());
        let mut cmd = wait_for(&image);
        cmd.args(["--timeout", "2s", "--username", USER]).env("SURESTEP_REGISTRY_PASSWORD", PASS);
        let r = run(&mut cmd);
        assert_ne!(r.code, 0, "{:?}: {}", reg.auth(), r.all());
        let front_log = log_of(&front, 1);
        assert!(front_log.iter().any(|q| q.fault.as_deref() == Some("redirect")), "{front_log:#?}");
        std::thread::sleep(Duration::from_millis(200));
        let leaked: Vec<_> = elsewhere.requests().into_iter().filter(|q| q.auth).collect();
        assert!(
            leaked.is_empty(),
            "{:?}: credentials sent to another origin: {leaked:#?}",
            reg.auth()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// lock (the AWS SDK's own retry: standard mode, 3 attempts)

static MOTO: OnceLock<Moto> = OnceLock::new();

fn moto() -> &'static Moto {
    MOTO.get_or_init(|| {
        let m = Moto::start();
        m.create_bucket("faults");
        m
    })
}

const LOCK_ID: &str = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";

/// Puts a Terraform lock for `state_key` straight into moto with the AWS SDK.
fn put_lock(state_key: &str) {
    let body = format!(
        r#"{{"ID":"{LOCK_ID}","Operation":"OperationTypeApply","Info":"","Who":"ci@runner","Version":"1.9.0","Created":"2020-01-01T00:00:00Z","Path":"faults/{state_key}"}}"#
    );
    let s3 = s3_client();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(
        s3.put_object()
            .bucket("faults")
            .key(format!("{state_key}.tflock"))
            .body(body.into_bytes().into())
            .send(),
    )
    .expect("seed the lock");
}

fn s3_client() -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto().endpoint())
        .force_path_style(true)
        .credentials_provider(Credentials::new("AKIDFAULTS", "faults", None, None, "test"))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn lock_exists(state_key: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(
        s3_client().head_object().bucket("faults").key(format!("{state_key}.tflock")).send(),
    )
    .is_ok()
}

fn lock_cmd(proxy: &FaultProxy, args: &[&str]) -> Command {
    let mut cmd = surestep();
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDFAULTS")
        .env("AWS_SECRET_ACCESS_KEY", "faults")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/surestep-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/surestep-test/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("lock")
        .args(args)
        .args(["--endpoint-url", &proxy.url(), "--path-style", "--json"]);
    cmd
}

#[test]
fn lock_status_retries_s3_5xx_and_resets() {
    let state = "status/terraform.tfstate";
    put_lock(state);
    let url = format!("s3://faults/{state}");
    for kind in ["503", "502", "reset_request", "reset_response"] {
        let proxy = FaultProxy::start(
            moto().port(),
            &Faults { kinds: vec![kind], fail_first: 2, ..Default::default() },
        );
        let r = run(&mut lock_cmd(&proxy, &["status", &url]));
        assert_eq!(r.code, 0, "{kind}: {}", r.all());
        assert_eq!(r.json()["lock_id"], LOCK_ID, "{kind}: {}", r.all());
        let log = log_of(&proxy, 3);
        assert_eq!(log.iter().filter(|q| q.fault.is_some()).count(), 2, "{kind}: {log:#?}");
    }
    // Failing every time: exit 3 naming the endpoint, after the SDK's attempts.
    let proxy = FaultProxy::start(
        moto().port(),
        &Faults { kinds: vec!["503"], rate: 1.0, ..Default::default() },
    );
    let r = run(&mut lock_cmd(&proxy, &["status", &url]));
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("503") || r.stdout.contains("503"), "{}", r.all());
    let attempts = log_of(&proxy, 3).len();
    eprintln!("lock status through 100% 503: {attempts} attempts, {:?}", r.took);
    assert!(attempts >= 2, "the SDK retried: {attempts}");
}

/// The conditional DELETE reaches moto, which removes the lock, but the answer is lost (the
/// connection is reset mid-response); or the DELETE is answered 503 without reaching moto.
/// surestep re-reads, and says truthfully that the lock is removed (and that the answer was
/// lost), instead of "someone else removed it" or an error.
#[test]
fn unlock_whose_delete_answer_is_lost_reports_the_truth() {
    for kind in ["reset_response", "503"] {
        let state = format!("unknown-{kind}/terraform.tfstate");
        put_lock(&state);
        let proxy = FaultProxy::start(
            moto().port(),
            &Faults {
                kinds: vec![kind],
                // The real delete of the lock (If-Match: the ETag read), not the store check's
                // deletes of its scratch object beside it.
                matching: Some(r#"(?s)\ADELETE [^ ]*\.tflock[ ?].*\nif-match: *""#.into()),
                fail_first: 1,
                ..Default::default()
            },
        );
        let url = format!("s3://faults/{state}");
        let r = run(&mut lock_cmd(&proxy, &["unlock", &url, "--lock-id", LOCK_ID]));
        let log = log_of(&proxy, if kind == "503" { 11 } else { 9 });
        assert!(
            log.iter().any(|q| q.method == "DELETE" && q.fault.as_deref() == Some(kind)),
            "{kind}: the delete's answer was lost: {log:#?}"
        );
        assert!(!lock_exists(&state), "{kind}: the lock is gone");
        assert_eq!(r.code, 0, "{kind}: {}\n{log:#?}", r.all());
        let doc = r.json();
        assert_eq!(doc["removed"], true, "{kind}: {}", r.all());
        assert_eq!(doc["result"], "removed", "{kind}: {}", r.all());
        let warnings = doc["warnings"].to_string();
        assert!(warnings.contains("no clear answer"), "{kind}: {}", r.all());
        let deletes = log.iter().filter(|q| q.method == "DELETE").count();
        // The store check's two on its scratch object (the wrong-ETag check, the cleanup), the
        // lost one, and (503 only: nothing was deleted) the one sent again.
        assert_eq!(deletes, if kind == "503" { 4 } else { 3 }, "{kind}: {log:#?}");
        let on_lock = log.iter().filter(|q| q.method == "DELETE" && q.path.contains(".tflock"));
        assert_eq!(on_lock.count(), if kind == "503" { 2 } else { 1 }, "{kind}: {log:#?}");
    }
}

/// A store answering the lock GET with an endless or a 1 GiB body: cut off by the 1 MiB lock
/// limit, exit 3 naming the object.
#[test]
fn endless_and_huge_lock_bodies_are_cut_off() {
    let state = "hostile/terraform.tfstate";
    put_lock(state);
    let url = format!("s3://faults/{state}");
    for kind in ["endless", "huge"] {
        let proxy = FaultProxy::start(
            moto().port(),
            &Faults {
                kinds: vec![kind],
                matching: Some(r"^GET [^ ]*\.tflock".into()),
                rate: 1.0,
                ..Default::default()
            },
        );
        let r = run(&mut lock_cmd(&proxy, &["status", &url]));
        assert_eq!(r.code, 3, "{kind}: {}", r.all());
        assert!(r.all().contains("larger than the 1048576-byte limit"), "{kind}: {}", r.all());
        assert!(r.all().contains("hostile/terraform.tfstate.tflock"), "{kind}: {}", r.all());
        assert!(r.took < Duration::from_secs(15), "{kind}: took {:?}", r.took);
    }
}

// ---------------------------------------------------------------------------------------------
// publish: the MarkupSafe 3.0.3 release (10 wheels + sdist) through a faulty proxy in front of
// pypiserver, for the uploads and the index reads alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::PyPiServer;

fn markupsafe() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wheels/markupsafe-3.0.3");
    // Missing: a failure under CI=true, a counted skip elsewhere (tests/support/skip.rs).
    support::skip::fixture(&dir)
}

/// filename → sha256 of every file pypiserver stored (read from its directory, not via HTTP).
fn stored(server: &PyPiServer) -> BTreeMap<String, String> {
    support::sha256_dir(&server.packages_dir())
}

/// The index's own listing: filename → sha256, failing on a file listed twice.
fn listed(server: &PyPiServer) -> BTreeMap<String, String> {
    let url = format!("{}markupsafe/", server.simple_url());
    let page = support::http::request("GET", &url, &[("Accept", "text/html")], b"").unwrap();
    let mut out = BTreeMap::new();
    for piece in page.text().split("href=\"").skip(1) {
        let href = &piece[..piece.find('"').unwrap()];
        let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
        let file = path.rsplit('/').next().unwrap().to_owned();
        let sha = fragment.strip_prefix("sha256=").unwrap_or("").to_owned();
        assert!(out.insert(file.clone(), sha).is_none(), "{file} listed twice");
    }
    out
}

fn publish_through(proxy: &FaultProxy, dist: &Path) -> Command {
    let mut cmd = surestep();
    cmd.args(["publish", "--json", "--no-progress"])
        .args(["--repository-url", &format!("{}/", proxy.url())])
        .args(["--check-url", &format!("{}/simple/", proxy.url())])
        .args(["-u", support::pypi::USER])
        .env("TWINE_PASSWORD", support::pypi::PASS)
        .arg(dist);
    cmd
}

/// 30% of requests (uploads and index reads) reset before or after the server acted, or
/// answered 502/503/429: every file ends on the index exactly once with the right sha256,
/// exit 0, within the default retry budget.
#[test]
fn publish_through_30_percent_faults_lands_every_file_once() {
    let Some(dir) = markupsafe() else { return };
    let want = support::sha256_dir(&dir);
    for seed in [30, 31, 32] {
        let server = PyPiServer::start();
        let proxy = FaultProxy::start(
            server.port(),
            &Faults {
                kinds: vec!["reset_request", "reset_response", "502", "503", "429"],
                rate: 0.3,
                retry_after: 0.2,
                seed,
                ..Default::default()
            },
        );
        let r = run(&mut publish_through(&proxy, &dir));
        assert_eq!(r.code, 0, "seed {seed}: {}", r.all());
        assert_eq!(stored(&server), want, "seed {seed}: every file stored, right bytes");
        assert_eq!(listed(&server), want, "seed {seed}: listed once each with our sha256");
        let doc = r.json();
        assert_eq!(doc["verified_upload"], true, "{}", r.all());
        assert_eq!(doc["uploaded"].as_u64().unwrap() + doc["skipped"].as_u64().unwrap(), 11);
        let log = log_of(&proxy, 11);
        let faulted = log.iter().filter(|q| q.fault.is_some()).count();
        assert!(faulted >= 2, "seed {seed}: faults were injected: {log:#?}");
        eprintln!(
            "publish through 30% faults (seed {seed}): exit 0 in {:.2}s; {} requests through the \
             proxy, {faulted} faulted; {} upload POSTs and {} index reads for 11 files",
            r.took.as_secs_f64(),
            log.len(),
            doc["upload_requests"],
            doc["index_requests"],
        );
        // Idempotent: a re-run through the same faults uploads nothing.
        let again = run(&mut publish_through(&proxy, &dir));
        assert_eq!(again.code, 0, "seed {seed}: {}", again.all());
        assert_eq!(again.json()["uploaded"], 0, "{}", again.all());
        assert_eq!(stored(&server), want);
    }
}

/// Every request fails (never reaching the server): exit 3 with a clear error, nothing on the
/// index, nothing half-stored; then the same command without faults publishes everything.
#[test]
fn publish_through_100_percent_faults_exits_3_and_registers_nothing() {
    let Some(dir) = markupsafe() else { return };
    let server = PyPiServer::start();
    let proxy = FaultProxy::start(
        server.port(),
        &Faults {
            kinds: vec!["reset_request", "502", "503", "429_bare"],
            rate: 1.0,
            seed: 100,
            ..Default::default()
        },
    );
    let r = run(publish_through(&proxy, &dir).args(["--retries", "2"]));
    assert_eq!(r.code, 3, "{}", r.all());
    let all = r.all();
    assert!(
        all.contains("127.0.0.1") && (all.contains("attempts") || all.contains("reset")),
        "names the index and what happened: {all}"
    );
    assert!(stored(&server).is_empty(), "nothing stored: {:?}", stored(&server));
    assert!(listed(&server).is_empty());
    let requests = log_of(&proxy, 3).len();
    eprintln!(
        "publish through 100% faults: exit 3 in {:.2}s after {requests} requests",
        r.took.as_secs_f64()
    );
    // The index reads fine, every upload fails: still exit 3 and nothing stored.
    let uploads_fail = FaultProxy::start(
        server.port(),
        &Faults {
            kinds: vec!["reset_request", "502", "503", "429_bare"],
            matching: Some("^POST ".into()),
            rate: 1.0,
            seed: 101,
            ..Default::default()
        },
    );
    // A lost answer is polled for up to --verify-timeout before it is called a failure.
    let r =
        run(publish_through(&uploads_fail, &dir).args(["--retries", "2", "--verify-timeout", "3"]));
    assert_eq!(r.code, 3, "{}", r.all());
    let doc = r.json();
    assert_eq!(doc["uploaded"], 0, "{}", r.all());
    assert!(doc["failed"].as_u64().unwrap() >= 1, "{}", r.all());
    assert!(stored(&server).is_empty(), "nothing stored: {:?}", stored(&server));
    assert!(listed(&server).is_empty());
    let posts = log_of(&uploads_fail, 3).iter().filter(|q| q.method == "POST").count();
    eprintln!(
        "publish with every upload failing: exit 3 in {:.2}s, {posts} POSTs",
        r.took.as_secs_f64()
    );
    let clean = FaultProxy::start(server.port(), &Faults::default());
    let r = run(&mut publish_through(&clean, &dir));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(stored(&server), support::sha256_dir(&dir));
}

/// A hostile index: an endless (or 1 GiB) simple page is cut off by the 64 MiB page limit with
/// an error naming the URL, in seconds, exit 3. For a new project the first read is a 404 (no
/// body read; the root page, endless as well, cannot confirm it, which a plain publish reads as
/// "not there yet"), the upload goes ahead and the verification read is the one cut off (and not
/// retried until --verify-timeout); for a known project the first read is cut off and nothing
/// is uploaded.
#[test]
fn publish_cuts_off_an_endless_simple_page() {
    let server = PyPiServer::start();
    let tmp = support::tempdir("hostile-index");
    let (dist, dist2) = (tmp.path().join("dist"), tmp.path().join("dist2"));
    support::make_wheel(&dist, "hostilepkg", "1.0.0");
    support::make_wheel(&dist2, "hostilepkg", "2.0.0");
    for (kind, dist, uploads) in [("endless", &dist, 1), ("huge", &dist2, 0)] {
        let proxy = FaultProxy::start(
            server.port(),
            &Faults {
                kinds: vec![kind],
                matching: Some("^GET /simple/".into()),
                rate: 1.0,
                ..Default::default()
            },
        );
        let r = run(&mut publish_through(&proxy, dist));
        assert_eq!(r.code, 3, "{kind}: {}", r.all());
        assert!(r.all().contains("larger than the 67108864-byte limit"), "{kind}: {}", r.all());
        assert!(r.all().contains("/simple/hostilepkg/"), "{kind} names the page: {}", r.all());
        assert!(r.took < Duration::from_secs(20), "{kind}: took {:?}", r.took);
        // Only 1.0.0 is ever stored: 2.0.0 is never sent once its plan read is cut off.
        assert_eq!(stored(&server).len(), 1, "{kind}: {:?}", stored(&server));
        if uploads == 1 {
            let doc = r.json();
            assert_eq!(doc["upload_requests"], 1, "{kind}: {}", r.all());
            // The plan's 404, the root page (endless too: a plain publish then reads the 404
            // as "not there yet"), the verification read that is cut off.
            assert!(doc["index_requests"].as_u64().unwrap() <= 3, "{kind}: {}", r.all());
        }
    }
}

/// An index that redirects uploads and page reads to another origin (localhost vs 127.0.0.1):
/// the password never reaches it, and publish fails with exit 3 instead of following.
#[test]
fn publish_never_sends_credentials_to_another_origin() {
    let server = PyPiServer::start();
    let elsewhere = FaultProxy::start(server.port(), &Faults::default());
    let front = FaultProxy::start(
        server.port(),
        &Faults {
            kinds: vec!["redirect"],
            rate: 1.0,
            redirect_to: Some(format!("http://localhost:{}", elsewhere.port())),
            ..Default::default()
        },
    );
    let tmp = support::tempdir("redirected");
    let dist = tmp.path().join("dist");
    support::make_wheel(&dist, "redirpkg", "1.0.0");
    let r = run(&mut publish_through(&front, &dist));
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(log_of(&front, 1).iter().any(|q| q.fault.as_deref() == Some("redirect")));
    std::thread::sleep(Duration::from_millis(200));
    let leaked: Vec<_> = elsewhere.requests().into_iter().filter(|q| q.auth).collect();
    assert!(leaked.is_empty(), "credentials sent to another origin: {leaked:#?}");
    assert!(stored(&server).is_empty());
}

/// A mint endpoint answering with an endless body: cut off by the 1 MiB answer limit, exit 3.
#[test]
fn an_endless_trusted_publishing_answer_is_cut_off() {
    let server = PyPiServer::start();
    let dir = support::tempdir("oidc-hostile");
    let port = support::free_port();
    let mut cmd = std::process::Command::new(support::python());
    cmd.arg(support::scripts_dir().join("oidc_peer.py"))
        .args(["--port", &port.to_string(), "--minted-token", "pypi-never-used"])
        .args(["--request-token", "rt-FAULTS", "--audience", "pypi-local"]);
    let mut peer =
        support::ServerProcess::spawn("oidc-peer", &cmd, port, &dir.path().join("o.log"));
    peer.wait_ready(Duration::from_secs(20), support::port_open);
    let hostile = FaultProxy::start(
        port,
        &Faults {
            kinds: vec!["endless"],
            matching: Some("^POST /_/oidc/mint-token".into()),
            rate: 1.0,
            ..Default::default()
        },
    );
    let tmp = support::tempdir("oidc-dist");
    let dist = tmp.path().join("dist");
    support::make_wheel(&dist, "mintpkg", "1.0.0");
    let oidc = hostile.url();
    let mut cmd = surestep();
    cmd.args(["publish", "--json", "--no-progress"])
        .args(["--repository-url", &server.upload_url(), "--check-url", &server.simple_url()])
        .args(["--trusted-publishing-url", &oidc])
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{oidc}/id-token?api-version=2.0"))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "rt-FAULTS")
        .arg(&dist);
    let r = run(&mut cmd);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.all().contains("larger than the 1048576-byte limit"), "{}", r.all());
    assert!(r.took < Duration::from_secs(20), "took {:?}", r.took);
    assert!(stored(&server).is_empty());
}
