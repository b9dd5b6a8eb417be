//! Smoke tests for the real-server harness in tests/support: each peer starts, answers one
//! real request, and leaves no process behind when dropped.

mod support;

use std::time::{Duration, Instant};

use support::http::{self, MANIFEST_ACCEPT};
use support::*;

/// Drop `server`, then assert its whole process group is gone and its port is closed.
fn assert_gone_after_drop<T>(server: T, pid: u32, ports: &[u16]) {
    let t0 = Instant::now();
    drop(server);
    let deadline = Instant::now() + Duration::from_secs(5);
    while (pid_alive(pid) || !process_group_members(pid).is_empty()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!pid_alive(pid), "server pid {pid} still alive after drop");
    assert!(
        process_group_members(pid).is_empty(),
        "process group {pid} has members: {:?}",
        process_group_members(pid)
    );
    for &p in ports {
        assert!(!port_open(p), "port {p} still accepts connections after drop");
    }
    eprintln!("stopped in {:?}", t0.elapsed());
}

#[test]
fn moto_lists_buckets_and_stops() {
    let moto = Moto::start();
    eprintln!("moto ready in {:?} at {}", moto.started_in(), moto.endpoint());
    let r = http::get(&format!("{}/", moto.endpoint())).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("ListAllMyBucketsResult"), "{}", r.text());
    moto.create_bucket("smoke");
    let put = moto.s3("PUT", "/smoke/k", &[("If-None-Match", "*")], Some(b"one"));
    assert_eq!(put.status, 200, "{}", put.body);
    let again = moto.s3("PUT", "/smoke/k", &[("If-None-Match", "*")], Some(b"two"));
    assert_eq!(again.status, 412, "{}", again.body);
    let (pid, port) = (moto.process().pid(), moto.port());
    assert_gone_after_drop(moto, pid, &[port]);
}

#[test]
fn moto_with_auth_checks_signatures() {
    let moto = Moto::start_with_auth();
    eprintln!("moto (auth) ready in {:?}", moto.started_in());
    let (ak, sk) = moto.credentials();
    assert_ne!(ak, "testing");
    let ok = moto.s3("GET", "/", &[], None);
    assert_eq!(ok.status, 200, "{}", ok.body);
    let bad = s3_curl(&moto.endpoint(), (ak, "wrong-secret"), "GET", "/", &[], None);
    assert_eq!(bad.status, 403, "{}", bad.body);
    assert!(bad.body.contains("SignatureDoesNotMatch"), "{}", bad.body);
    let _ = sk;
    let (pid, port) = (moto.process().pid(), moto.port());
    assert_gone_after_drop(moto, pid, &[port]);
}

#[test]
fn s3s_fs_checks_sigv4_and_stops() {
    let s3 = S3sFs::start();
    eprintln!("s3s-fs ready in {:?}", s3.started_in());
    let unsigned = http::get(&format!("{}/", s3.endpoint())).unwrap();
    assert_eq!(unsigned.status, 403, "{}", unsigned.text());
    s3.create_bucket("smoke");
    let put = s3.s3("PUT", "/smoke/k", &[], Some(b"hello"));
    assert_eq!(put.status, 200, "{}", put.body);
    assert!(s3.data_dir().join("smoke/k").exists());
    let bad = s3_curl(&s3.endpoint(), (S3sFs::ACCESS_KEY, "wrong"), "GET", "/smoke/k", &[], None);
    assert_eq!(bad.status, 403, "{}", bad.body);
    let (pid, port) = (s3.process().pid(), s3.port());
    assert_gone_after_drop(s3, pid, &[port]);
}

fn head_manifest(reg: &Registry, repo: &str, tag: &str, auth: Option<&str>) -> http::Response {
    let mut h = vec![("Accept", MANIFEST_ACCEPT)];
    if let Some(a) = auth {
        h.push(("Authorization", a));
    }
    http::request("HEAD", &format!("{}/v2/{repo}/manifests/{tag}", reg.url()), &h, b"").unwrap()
}

#[test]
fn registry_anonymous_push_and_head() {
    let reg = Registry::start(RegistryAuth::Anonymous);
    eprintln!("registry ready in {:?}", reg.started_in());
    let r = http::get(&format!("{}/v2/", reg.url())).unwrap();
    assert_eq!(r.status, 200);
    let single = reg.push_image("o/n", "v1-amd64", "rev1", &["linux/amd64"]);
    let multi = reg.push_image("o/n", "v1", "rev1", &["linux/amd64", "linux/arm64"]);
    let multi2 = reg.push_image("o/n", "v2", "rev2", &["linux/amd64", "linux/arm64"]);
    assert_ne!(multi, multi2, "different revision must give different content");
    let att = reg.push_image_with(
        "o/n",
        "att",
        "rev1",
        &["linux/amd64"],
        &PushOptions { attestation: true, no_label: true, ..Default::default() },
    );
    for (tag, digest, ct) in [
        ("v1-amd64", &single, "application/vnd.oci.image.manifest.v1+json"),
        ("v1", &multi, "application/vnd.oci.image.index.v1+json"),
        ("att", &att, "application/vnd.oci.image.index.v1+json"),
    ] {
        let h = head_manifest(&reg, "o/n", tag, None);
        assert_eq!(h.status, 200, "HEAD {tag}");
        assert_eq!(h.header("Docker-Content-Digest"), Some(digest.as_str()), "HEAD {tag}");
        assert_eq!(h.header("Content-Type"), Some(ct), "HEAD {tag}");
    }
    let (pid, port) = (reg.process().pid(), reg.port());
    assert_gone_after_drop(reg, pid, &[port]);
}

#[test]
fn registry_htpasswd_challenges_basic() {
    let reg = Registry::start(RegistryAuth::htpasswd("tester", "secret"));
    let r = http::get(&format!("{}/v2/", reg.url())).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.header("Www-Authenticate"), Some(r#"Basic realm="test-registry""#));
    let ok = http::request(
        "GET",
        &format!("{}/v2/", reg.url()),
        &[("Authorization", &http::basic_auth("tester", "secret"))],
        b"",
    )
    .unwrap();
    assert_eq!(ok.status, 200);
    let digest = reg.push_image("o/n", "v1", "rev1", &["linux/amd64"]);
    let h = head_manifest(&reg, "o/n", "v1", Some(&http::basic_auth("tester", "secret")));
    assert_eq!(h.header("Docker-Content-Digest"), Some(digest.as_str()));
    let wrong = reg.push_image_output(
        "o/n",
        "v2",
        "rev2",
        &["linux/amd64"],
        &PushOptions { credentials: Some(("tester".into(), "nope".into())), ..Default::default() },
    );
    assert!(!wrong.status.success(), "push with a wrong password must fail");
    let (pid, port) = (reg.process().pid(), reg.port());
    assert_gone_after_drop(reg, pid, &[port]);
}

#[test]
fn registry_token_flow() {
    let reg = Registry::start(RegistryAuth::token("tester", "secret"));
    eprintln!("registry+token ready in {:?}", reg.started_in());
    let realm = reg.token_realm().unwrap();
    let r = http::get(&format!("{}/v2/", reg.url())).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("Www-Authenticate"),
        Some(format!(r#"Bearer realm="{realm}",service="registry.local""#).as_str())
    );
    let digest = reg.push_image("o/n", "v1", "rev1", &["linux/amd64", "linux/arm64"]);
    // Anonymous pull token works; anonymous push is refused.
    let tok = http::get(&format!("{realm}?service=registry.local&scope=repository:o/n:pull,push"))
        .unwrap();
    assert_eq!(tok.status, 200, "{}", tok.text());
    let v: serde_json::Value = serde_json::from_slice(&tok.body).unwrap();
    let bearer = format!("Bearer {}", v["token"].as_str().unwrap());
    let h = head_manifest(&reg, "o/n", "v1", Some(&bearer));
    assert_eq!(h.status, 200);
    assert_eq!(h.header("Docker-Content-Digest"), Some(digest.as_str()));
    let anon_push = http::request(
        "POST",
        &format!("{}/v2/o/n/blobs/uploads/", reg.url()),
        &[("Authorization", &bearer)],
        b"",
    )
    .unwrap();
    assert_eq!(anon_push.status, 401);
    let wrong = http::request(
        "GET",
        &format!("{realm}?service=registry.local"),
        &[("Authorization", &http::basic_auth("tester", "bad"))],
        b"",
    )
    .unwrap();
    assert_eq!(wrong.status, 401);
    let (pid, port) = (reg.process().pid(), reg.port());
    let (tpid, tport) = (reg.token_process().unwrap().pid(), reg.token_process().unwrap().port());
    assert_gone_after_drop(reg, pid, &[port, tport]);
    assert!(!pid_alive(tpid), "token server survived");
}

#[test]
fn pypiserver_health_and_twine_upload() {
    let pypi = PyPiServer::start();
    eprintln!("pypiserver ready in {:?}", pypi.started_in());
    let h = http::get(&format!("http://127.0.0.1:{}/health", pypi.port())).unwrap();
    assert_eq!(h.status, 200);
    let dir = tempfile::tempdir().unwrap();
    let whl = make_wheel(dir.path(), "tinypkg", "0.1.0");
    let (u, p) = pypi.credentials();
    twine_upload(&pypi.upload_url(), u, p, &[&whl]);
    let s = http::get(&format!("{}tinypkg/", pypi.simple_url())).unwrap();
    assert_eq!(s.status, 200);
    assert!(s.text().contains("tinypkg-0.1.0-py3-none-any.whl#sha256="), "{}", s.text());
    let again = twine_upload_output(&pypi.upload_url(), u, p, &[&whl]);
    assert!(!again.status.success(), "pypiserver re-upload should fail (400 for twine)");
    let (pid, port) = (pypi.process().pid(), pypi.port());
    assert_gone_after_drop(pypi, pid, &[port]);
}

#[test]
fn devpi_api_and_upload() {
    let devpi = Devpi::start();
    eprintln!("devpi ready in {:?}", devpi.started_in());
    let api = http::get(&format!("{}/+api", devpi.url())).unwrap();
    assert_eq!(api.status, 200, "{}", api.text());
    let dir = tempfile::tempdir().unwrap();
    let whl = make_wheel(dir.path(), "tinypkg", "0.1.0");
    let (u, p) = devpi.credentials();
    twine_upload(&devpi.upload_url(), u, p, &[&whl]);
    // Identical re-upload is idempotent on devpi.
    twine_upload(&devpi.upload_url(), u, p, &[&whl]);
    let s = http::request(
        "GET",
        &format!("{}tinypkg/", devpi.simple_url()),
        &[("Accept", "application/vnd.pypi.simple.v1+json")],
        b"",
    )
    .unwrap();
    assert_eq!(s.status, 200, "{}", s.text());
    let v: serde_json::Value = serde_json::from_slice(&s.body).unwrap();
    assert_eq!(v["files"][0]["filename"], "tinypkg-0.1.0-py3-none-any.whl", "{v}");
    let vol = devpi.create_index("vol", true);
    assert!(vol.upload_url.ends_with("/tester/vol/"));
    let (pid, port) = (devpi.process().pid(), devpi.port());
    assert_gone_after_drop(devpi, pid, &[port]);
}

#[test]
fn devpi_shared_instance_gives_private_indexes() {
    let devpi = Devpi::shared();
    let a = devpi.create_index("shared-a", false);
    let b = devpi.create_index("shared-b", true);
    assert_ne!(a.simple_url, b.simple_url);
    let dir = tempfile::tempdir().unwrap();
    let whl = make_wheel(dir.path(), "sharedpkg", "1.0.0");
    let alt = make_wheel_salted(&dir.path().join("alt"), "sharedpkg", "1.0.0", "other bytes");
    assert_ne!(std::fs::read(&whl).unwrap(), std::fs::read(&alt).unwrap());
    let (u, p) = devpi.credentials();
    twine_upload(&a.upload_url, u, p, &[&whl]);
    let conflict = twine_upload_output(&a.upload_url, u, p, &[&alt]);
    assert!(!conflict.status.success(), "different bytes on a non-volatile index must be refused");
    let s = http::get(&format!("{}sharedpkg/", a.simple_url)).unwrap();
    assert!(s.text().contains("sharedpkg-1.0.0-py3-none-any.whl#sha256="), "{}", s.text());
    let none = http::get(&format!("{}sharedpkg/", b.simple_url)).unwrap();
    assert_eq!(none.status, 404, "{}", none.text());
}

#[test]
fn fault_proxy_injects_faults_then_forwards_and_logs_every_request() {
    let pypi = PyPiServer::start();
    let proxy = FaultProxy::start(
        pypi.port(),
        &Faults { kinds: vec!["503"], fail_first: 1, retry_after: 1.0, ..Faults::default() },
    );
    let first = http::get(&format!("{}/health", proxy.url())).unwrap();
    assert_eq!(first.status, 503, "the first request gets the injected fault");
    let second = http::get(&format!("{}/health", proxy.url())).unwrap();
    assert_eq!(second.status, 200, "later requests reach pypiserver");
    let reset = FaultProxy::start(
        pypi.port(),
        &Faults { kinds: vec!["reset_request"], fail_first: 1, ..Faults::default() },
    );
    assert!(http::get(&format!("{}/health", reset.url())).is_err(), "a reset is a transport error");
    let throttled = FaultProxy::start(
        pypi.port(),
        &Faults { kinds: vec!["429"], fail_first: 1, retry_after: 2.0, ..Faults::default() },
    );
    let r = http::get(&format!("{}/health", throttled.url())).unwrap();
    assert_eq!((r.status, r.header("Retry-After")), (429, Some("2")));
    let log = proxy.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].fault.as_deref(), Some("503"));
    assert_eq!(
        (log[1].method.as_str(), log[1].path.as_str(), log[1].status),
        ("GET", "/health", Some(200))
    );
    let port = proxy.port();
    drop(proxy);
    assert!(!port_open(port), "the proxy stops on drop");
}

#[test]
fn a_missing_fixture_fails_under_ci_and_is_one_counted_skip_elsewhere() {
    let dir = support::tempdir("skips");
    let log = dir.path().join("skipped.log");
    let why = "../shared/fixtures/nowhere is absent";
    let ci = std::panic::catch_unwind(|| support::skip::skip_into(true, why, &log));
    let message = ci.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("CI=true") && message.contains(why), "{message}");
    assert!(!log.exists(), "a CI failure is not a skip");
    // Elsewhere: one line, recorded once however often the test asks.
    support::skip::skip_into(false, why, &log);
    support::skip::skip_into(false, why, &log);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("SKIPPED harness_smoke::a_missing_fixture_fails_under_ci"), "{text}");
}
