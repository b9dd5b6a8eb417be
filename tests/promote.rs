//! `surestep promote` driven as a binary against real docker-registry instances on 127.0.0.1:
//! a token-auth source and an htpasswd destination (behind the fault proxy, which counts and
//! corrupts), credentials from a Docker config.json, digests checked with skopeo.

mod support;

use assert_cmd::Command;
use std::path::Path;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::cli::{github_output, read_github_outputs, run, scrub_env, surestep};
use support::{
    FaultProxy, Faults, PushOptions, Registry, RegistryAuth, require_on_path, sha256_hex,
};

const SRC_USER: &str = "builder";
const SRC_PASS: &str = "src-Pass-7Hq";
const DST_USER: &str = "deployer";
const DST_PASS: &str = "dst-Pass-K2x";
const REV: &str = "3333333ccccccccccccccccccccccccccccccccc";
const PLATFORMS: &[&str] = &["linux/amd64", "linux/arm64"];

static SRC: OnceLock<Registry> = OnceLock::new();
static DST: OnceLock<Registry> = OnceLock::new();

fn src() -> &'static Registry {
    SRC.get_or_init(|| Registry::start(RegistryAuth::token(SRC_USER, SRC_PASS)))
}
fn dst() -> &'static Registry {
    DST.get_or_init(|| Registry::start(RegistryAuth::htpasswd(DST_USER, DST_PASS)))
}

fn b64(s: &str) -> String {
    support::http::base64(s.as_bytes())
}

/// A Docker config.json with a login for the source registry and each destination host.
fn docker_config(dir: &Path, dst_hosts: &[String]) {
    let mut auths = serde_json::Map::new();
    auths.insert(
        src().host_port(),
        serde_json::json!({"auth": b64(&format!("{SRC_USER}:{SRC_PASS}"))}),
    );
    for h in dst_hosts {
        auths.insert(
            format!("http://{h}"),
            serde_json::json!({"username": DST_USER, "password": DST_PASS}),
        );
    }
    std::fs::write(dir.join("config.json"), serde_json::json!({ "auths": auths }).to_string())
        .unwrap();
}

fn promote(config: &Path, args: &[&str]) -> Command {
    let mut cmd = surestep();
    cmd.arg("promote").args(args).env("DOCKER_CONFIG", config).env("HOME", config);
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// `skopeo inspect --raw` of a reference: the manifest bytes exactly as stored.
fn skopeo_raw(image: &str, creds: &str) -> Vec<u8> {
    require_on_path("skopeo", "skopeo");
    let out = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false", "--creds", creds])
        .arg(format!("docker://{image}"))
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo inspect {image}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn index_with_attestation_to_another_registry_and_by_mount_then_rerun_sends_no_blob() {
    let digest = src().push_image_with(
        "team/app",
        "v1",
        REV,
        PLATFORMS,
        &PushOptions { attestation: true, ..Default::default() },
    );
    let proxy = FaultProxy::start(dst().port(), &Faults::default());
    let via = format!("127.0.0.1:{}", proxy.port());
    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), std::slice::from_ref(&via));
    let out = conf.path().join("out");
    let source = format!("{}/team/app:v1", src().host_port());
    let far = format!("{via}/prod/app:v1");
    let near = format!("{}/mirror/app:v1", src().host_port());
    let r = run(promote(conf.path(), &[&source, &far, &near, "--json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out));
    assert_eq!(r.code, 0, "{r}");
    let doc = r.json();
    assert_eq!(doc["digest"], digest.as_str());
    assert_eq!(doc["kind"], "index");
    assert_eq!(doc["manifests"], 3, "two platforms and the attestation");
    let d = &doc["destinations"];
    assert_eq!(d[0]["image"], format!("{via}/prod/app@{digest}"));
    assert_eq!(d[0]["action"], "created");
    assert_eq!(d[0]["blobs_sent"], 6, "2 configs + 2 layers + the attestation's config and layer");
    assert_eq!(d[1]["blobs_mounted"], 6, "same registry: every blob mounted, none sent: {d}");
    assert_eq!(d[1]["blobs_sent"], 0);
    let outputs = read_github_outputs(&out);
    assert_eq!(github_output(&outputs, "image"), format!("{via}/prod/app@{digest}"));
    assert_eq!(github_output(&outputs, "digest"), digest);
    for (image, creds) in [
        (format!("{}/prod/app:v1", dst().host_port()), format!("{DST_USER}:{DST_PASS}")),
        (format!("{}/mirror/app:v1", src().host_port()), format!("{SRC_USER}:{SRC_PASS}")),
    ] {
        let raw = skopeo_raw(&image, &creds);
        assert_eq!(format!("sha256:{}", sha256_hex(&raw)), digest, "{image}");
    }
    // Every child manifest is there by digest, byte-identical.
    let index: serde_json::Value = serde_json::from_slice(&skopeo_raw(
        &far.replace(&via, &dst().host_port()),
        &format!("{DST_USER}:{DST_PASS}"),
    ))
    .unwrap();
    for m in index["manifests"].as_array().unwrap() {
        let child = m["digest"].as_str().unwrap();
        let raw = skopeo_raw(
            &format!("{}/prod/app@{child}", dst().host_port()),
            &format!("{DST_USER}:{DST_PASS}"),
        );
        assert_eq!(format!("sha256:{}", sha256_hex(&raw)), child);
    }

    // Again: only HEAD requests reach the destination.
    let before = proxy.requests().len();
    let r = run(&mut promote(conf.path(), &[&source, &far, "--json"]));
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.json()["destinations"][0]["action"], "unchanged");
    // The proxy logs a request once the upstream closes: give it a moment.
    let t0 = Instant::now();
    while proxy.requests().len() == before && t0.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let again: Vec<_> = proxy.requests().into_iter().skip(before).collect();
    assert!(!again.is_empty());
    assert!(
        again.iter().all(|q| q.method == "HEAD"),
        "a re-run after success sends only HEADs: {:?}",
        again.iter().map(|q| format!("{} {}", q.method, q.path)).collect::<Vec<_>>()
    );
}

#[test]
fn corrupt_blob_from_the_source_is_detected_and_never_completed() {
    let digest = src().push_image("team/corrupt", "v1", REV, &["linux/amd64"]);
    // The source is read through a proxy that flips one bit of every blob body.
    let proxy = FaultProxy::start(
        src().port(),
        &Faults {
            kinds: vec!["corrupt"],
            rate: 1.0,
            matching: Some("^GET /v2/[^ ]*/blobs/".into()),
            ..Default::default()
        },
    );
    let via_src = format!("127.0.0.1:{}", proxy.port());
    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), &[dst().host_port()]);
    // The proxy's host needs the source login too.
    let text = std::fs::read_to_string(conf.path().join("config.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["auths"][&via_src] = serde_json::json!({"auth": b64(&format!("{SRC_USER}:{SRC_PASS}"))});
    std::fs::write(conf.path().join("config.json"), v.to_string()).unwrap();
    let target = format!("{}/prod/corrupt:v1", dst().host_port());
    let r = run(&mut promote(
        conf.path(),
        &[&format!("{via_src}/team/corrupt:v1"), &target, "--concurrency", "1"],
    ));
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("corrupt"), "{r}");
    // No blob of the image completed at the destination, and no tag.
    let layers = support::http::request(
        "HEAD",
        &format!("{}/v2/prod/corrupt/manifests/v1", dst().url()),
        &[("Authorization", &support::http::basic_auth(DST_USER, DST_PASS))],
        b"",
    )
    .unwrap();
    assert_eq!(layers.status, 404, "the tag must not exist");
    let config_digest = {
        let raw = skopeo_raw(
            &format!("{}/team/corrupt@{digest}", src().host_port()),
            &format!("{SRC_USER}:{SRC_PASS}"),
        );
        let m: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        let mut all = vec![m["config"]["digest"].as_str().unwrap().to_owned()];
        all.extend(
            m["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["digest"].as_str().unwrap().to_owned()),
        );
        all
    };
    for blob in config_digest {
        let head = support::http::request(
            "HEAD",
            &format!("{}/v2/prod/corrupt/blobs/{blob}", dst().url()),
            &[("Authorization", &support::http::basic_auth(DST_USER, DST_PASS))],
            b"",
        )
        .unwrap();
        assert_eq!(head.status, 404, "{blob} must not be at the destination");
    }
}

#[test]
fn no_overwrite_refuses_a_tag_at_another_digest_and_default_names_the_old_one() {
    let old = dst().push_image(
        "prod/guarded",
        "v1",
        "4444444ddddddddddddddddddddddddddddddddd",
        &["linux/amd64"],
    );
    let new = src().push_image("team/guarded", "v1", REV, &["linux/amd64"]);
    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), &[dst().host_port()]);
    let source = format!("{}/team/guarded:v1", src().host_port());
    let target = format!("{}/prod/guarded:v1", dst().host_port());
    let r = run(&mut promote(conf.path(), &[&source, &target, "--no-overwrite"]));
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains(&old), "names the digest the tag is at: {r}");
    let raw = skopeo_raw(&target, &format!("{DST_USER}:{DST_PASS}"));
    assert_eq!(format!("sha256:{}", sha256_hex(&raw)), old, "untouched");
    let r = run(&mut promote(conf.path(), &[&source, &target, "--json"]));
    assert_eq!(r.code, 0, "{r}");
    let doc = r.json();
    assert_eq!(doc["destinations"][0]["action"], "updated");
    assert_eq!(doc["destinations"][0]["previous_digest"], old.as_str());
    let raw = skopeo_raw(&target, &format!("{DST_USER}:{DST_PASS}"));
    assert_eq!(format!("sha256:{}", sha256_hex(&raw)), new);
}

#[test]
fn killed_mid_copy_then_rerun_completes_sending_only_what_is_missing() {
    let digest = src().push_image_with(
        "team/big",
        "v1",
        REV,
        PLATFORMS,
        &PushOptions { layer_mb: 4.0, ..Default::default() },
    );
    // A slow destination link: the copy takes seconds, so it can be cut.
    let proxy = FaultProxy::start(dst().port(), &Faults { latency_ms: 400, ..Default::default() });
    let via = format!("127.0.0.1:{}", proxy.port());
    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), &[via.clone(), dst().host_port()]);
    let source = format!("{}/team/big:v1", src().host_port());
    let bin = assert_cmd::cargo::cargo_bin("surestep");
    let mut cmd = std::process::Command::new(bin);
    scrub_env(&mut cmd);
    cmd.args(["promote", &source, &format!("{via}/prod/big:v1"), "--concurrency", "1"])
        .env("DOCKER_CONFIG", conf.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    // Kill once the first blob upload has completed.
    let t0 = Instant::now();
    loop {
        let done = proxy
            .requests()
            .iter()
            .any(|q| q.method == "PUT" && q.path.contains("/blobs/uploads/"));
        if done || t0.elapsed() > Duration::from_secs(60) {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("promote ended before it could be killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let head = support::http::request(
        "HEAD",
        &format!("{}/v2/prod/big/manifests/v1", dst().url()),
        &[("Authorization", &support::http::basic_auth(DST_USER, DST_PASS))],
        b"",
    )
    .unwrap();
    assert_eq!(head.status, 404, "the tag is written last");
    let r = run(&mut promote(
        conf.path(),
        &[&source, &format!("{}/prod/big:v1", dst().host_port()), "--json"],
    ));
    assert_eq!(r.code, 0, "{r}");
    let d = &r.json()["destinations"][0];
    assert!(
        d["blobs_skipped"].as_u64().unwrap() >= 1,
        "the blob sent before the kill is not sent again: {d}"
    );
    assert_eq!(d["blobs_skipped"].as_u64().unwrap() + d["blobs_sent"].as_u64().unwrap(), 4);
    let raw = skopeo_raw(
        &format!("{}/prod/big:v1", dst().host_port()),
        &format!("{DST_USER}:{DST_PASS}"),
    );
    assert_eq!(format!("sha256:{}", sha256_hex(&raw)), digest);
}

#[test]
fn require_success_refuses_a_failed_triggering_run_before_any_request() {
    let proxy = FaultProxy::start(src().port(), &Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"action":"completed","workflow_run":{"id":99,"run_number":12,"name":"Build image",
            "head_sha":"3333333ccccccccccccccccccccccccccccccccc","conclusion":"failure",
            "html_url":"https://github.com/o/r/actions/runs/99"}}"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let source = format!("127.0.0.1:{}/team/app:v1", proxy.port());
    for args in [
        vec!["promote", &source, "127.0.0.1:1/x/y:v1", "--require-success"],
        vec!["wait-for-image", &source, "--require-success"],
    ] {
        let r = run(surestep()
            .args(&args)
            .env("GITHUB_EVENT_NAME", "workflow_run")
            .env("GITHUB_EVENT_PATH", &event)
            .env("DOCKER_CONFIG", dir.path()));
        assert_eq!(r.code, 1, "{r}");
        assert!(
            r.stderr.contains("\"Build image\" run #12") && r.stderr.contains("concluded failure"),
            "{r}"
        );
    }
    assert!(proxy.requests().is_empty(), "no request was sent: {:?}", proxy.requests().len());
    // Without the flag, wait-for-image reports the conclusion as an output.
    src().push_image("team/gate", "v1", REV, &["linux/amd64"]);
    let r = run(surestep()
        .args(["wait-for-image", &format!("{}/team/gate:v1", src().host_port()), "--timeout", "5s"])
        .env("GITHUB_EVENT_NAME", "workflow_run")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out)
        .env("DOCKER_CONFIG", dir.path()));
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(github_output(&read_github_outputs(&out), "trigger_conclusion"), "failure");
}

#[test]
fn large_layers_stream_through_bounded_memory() {
    const LAYER_MB: f64 = 40.0;
    let digest = src().push_image_with(
        "team/large",
        "v1",
        REV,
        PLATFORMS,
        &PushOptions { layer_mb: LAYER_MB, ..Default::default() },
    );
    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), &[dst().host_port()]);
    // Peak RSS of the promote process, measured by its parent (python's getrusage).
    let bin = assert_cmd::cargo::cargo_bin("surestep");
    let mut cmd = std::process::Command::new(support::python());
    scrub_env(&mut cmd);
    cmd.args([
        "-c",
        "import resource, subprocess, sys\n\
         r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n\
         sys.stderr.buffer.write(r.stderr)\n\
         print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
    ])
    .arg(bin)
    .args([
        "promote",
        &format!("{}/team/large:v1", src().host_port()),
        &format!("{}/prod/large:v1", dst().host_port()),
    ])
    .env("DOCKER_CONFIG", conf.path());
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let code: i32 = parts.next().unwrap().parse().unwrap();
    let peak_kb: u64 = parts.next().unwrap().parse().unwrap();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out.stderr));
    let layer_kb = (LAYER_MB * 1000.0) as u64;
    assert!(
        peak_kb < layer_kb,
        "peak RSS {peak_kb} KiB while copying two {LAYER_MB} MB layers: a layer was held in memory"
    );
    let raw = skopeo_raw(
        &format!("{}/prod/large:v1", dst().host_port()),
        &format!("{DST_USER}:{DST_PASS}"),
    );
    assert_eq!(format!("sha256:{}", sha256_hex(&raw)), digest);
    eprintln!("peak RSS {peak_kb} KiB");
}

#[test]
fn conditions_on_the_source_gate_the_copy_and_wait_waits_for_them() {
    let old_rev = "6666666fffffffffffffffffffffffffffffffff";
    src().push_image("team/cond", "v1", old_rev, PLATFORMS);
    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), &[dst().host_port()]);
    let source = format!("{}/team/cond:v1", src().host_port());
    let target = format!("{}/prod/cond:v1", dst().host_port());
    // The tag serves another commit: exit 1, nothing copied.
    let r = run(&mut promote(conf.path(), &[&source, &target, "--revision", REV]));
    assert_eq!(r.code, 1, "{r}");
    assert!(r.stderr.contains("not promoting") && r.stderr.contains(&REV[..7]), "{r}");
    let head = support::http::request(
        "HEAD",
        &format!("{}/v2/prod/cond/manifests/v1", dst().url()),
        &[("Authorization", &support::http::basic_auth(DST_USER, DST_PASS))],
        b"",
    )
    .unwrap();
    assert_eq!(head.status, 404);
    // A platform the index lacks: exit 1 as well.
    let r = run(&mut promote(conf.path(), &[&source, &target, "--platform", "linux/s390x"]));
    assert_eq!(r.code, 1, "{r}");
    // --wait: the right build is pushed while promote waits; that one is copied.
    let pusher = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(2));
        src().push_image("team/cond", "v1", REV, PLATFORMS)
    });
    let r = run(promote(conf.path(), &[&source, &target, "--revision", REV, "--wait", "30s"])
        .args(["--interval", "200ms", "--platform", "linux/amd64,linux/arm64", "--json"]));
    let pushed = pusher.join().unwrap();
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.json()["digest"], pushed.as_str());
    let raw = skopeo_raw(&target, &format!("{DST_USER}:{DST_PASS}"));
    assert_eq!(format!("sha256:{}", sha256_hex(&raw)), pushed);
}

/// An index of indexes (as some tools write), one of whose images carries a non-distributable
/// layer: every manifest at every depth arrives byte-identical and by digest, the deepest
/// first; the foreign layer is named in a note and not copied (registries do not hold it).
#[test]
fn nested_index_and_a_foreign_layer_are_copied_as_crane_would() {
    static ANON: OnceLock<Registry> = OnceLock::new();
    let anon = ANON.get_or_init(|| Registry::start(RegistryAuth::Anonymous));
    let inner = anon.push_image("nest/app", "inner", REV, PLATFORMS);
    let (inner_type, inner_bytes) = anon.get_manifest("nest/app", &inner);
    let inner_doc: serde_json::Value = serde_json::from_slice(&inner_bytes).unwrap();
    // One platform image again, with a foreign layer added (its URL is a closed loopback
    // port: nothing ever fetches it).
    let amd64 = inner_doc["manifests"][0]["digest"].as_str().unwrap().to_owned();
    let (image_type, image_bytes) = anon.get_manifest("nest/app", &amd64);
    let mut image: serde_json::Value = serde_json::from_slice(&image_bytes).unwrap();
    let foreign = format!("sha256:{}", sha256_hex(b"a layer no registry holds"));
    image["layers"].as_array_mut().unwrap().push(serde_json::json!({
        "mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "digest": foreign,
        "size": 25,
        "urls": ["http://127.0.0.1:9/layer.tar.gz"],
    }));
    let image_bytes = serde_json::to_vec(&image).unwrap();
    let with_foreign = anon.put_manifest(
        "nest/app",
        &format!("sha256:{}", sha256_hex(&image_bytes)),
        &image_type,
        &image_bytes,
    );
    let outer_digest = anon.put_index_of(
        "nest/app",
        "outer",
        &[
            serde_json::json!({"mediaType": inner_type, "digest": inner, "size": inner_bytes.len()}),
            serde_json::json!({"mediaType": image_type, "digest": with_foreign,
                "size": image_bytes.len(),
                "platform": {"architecture": "amd64", "os": "linux", "os.version": "foreign"}}),
        ],
    );

    let conf = tempfile::tempdir().unwrap();
    docker_config(conf.path(), &[dst().host_port()]);
    let target = format!("{}/nest/app:v1", dst().host_port());
    let r = run(&mut promote(
        conf.path(),
        &[&format!("{}/nest/app:outer", anon.host_port()), &target, "--json"],
    ));
    assert_eq!(r.code, 0, "{r}");
    let doc = r.json();
    assert_eq!(doc["digest"], outer_digest.as_str());
    assert_eq!(doc["manifests"], 4, "the inner index, its two images, the foreign one: {doc}");
    assert!(
        doc["notes"].to_string().contains("non-distributable")
            && doc["notes"].to_string().contains(&foreign[..19]),
        "{doc}"
    );
    let creds = format!("{DST_USER}:{DST_PASS}");
    for digest in [outer_digest.as_str(), &inner, &with_foreign, &amd64] {
        let raw = skopeo_raw(&format!("{}/nest/app@{digest}", dst().host_port()), &creds);
        assert_eq!(format!("sha256:{}", sha256_hex(&raw)), digest);
    }
    assert_eq!(
        format!("sha256:{}", sha256_hex(&skopeo_raw(&target, &creds))),
        outer_digest,
        "the tag resolves to the outer index"
    );
    // A re-run is a no-op.
    let r = run(&mut promote(
        conf.path(),
        &[&format!("{}/nest/app:outer", anon.host_port()), &target, "--json"],
    ));
    assert_eq!(
        (r.code, r.json()["destinations"][0]["action"].clone()),
        (0, "unchanged".into()),
        "{r}"
    );
}
