//! S3 peers: moto (full AWS conditional semantics) and s3s-fs (real SigV4, weaker semantics).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{ServerProcess, free_port, http, http_ready, peers_dir, require_installed, tempdir};

pub const REGION: &str = "us-east-1";

/// moto_server on a free port. Data is in memory and private to this instance.
pub struct Moto {
    proc: ServerProcess,
    access_key: String,
    secret_key: String,
    auth: bool,
    started_in: Duration,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Any credentials are accepted (moto's default: signatures are not checked).
    pub fn start() -> Moto {
        Self::start_inner(false)
    }

    /// Signatures are checked (test-peers.md §1.2): an IAM user with an allow-all policy and
    /// an access key are created through moto's first unauthenticated calls, then auth is
    /// switched on (`/moto-api/reset-auth 0`). Only [`Moto::credentials`] work; a wrong secret
    /// gives 403 SignatureDoesNotMatch, an unknown key 403 InvalidAccessKeyId.
    pub fn start_with_auth() -> Moto {
        Self::start_inner(true)
    }

    fn start_inner(auth: bool) -> Moto {
        let bin = peers_dir().join("venv-moto/bin/moto_server");
        require_installed(&bin, "moto (venv-moto)");
        let dir = tempdir("moto");
        let port = free_port();
        let mut cmd = Command::new(&bin);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        let t0 = Instant::now();
        let mut proc = ServerProcess::spawn("moto", &cmd, port, &dir.path().join("moto.log"));
        proc.wait_ready(Duration::from_secs(60), http_ready("/", Some(200)));
        let mut m = Moto {
            proc,
            access_key: "testing".into(),
            secret_key: "testing".into(),
            auth,
            started_in: Duration::ZERO,
            _dir: dir,
        };
        if auth {
            m.enable_auth();
        }
        m.started_in = t0.elapsed();
        m
    }

    fn iam(&self, form: &str) -> String {
        // Unsigned calls need a SigV4-shaped Authorization header so moto routes them to IAM;
        // while auth is off the signature itself is not checked.
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDSURESTEPSETUP/20240101/us-east-1/iam/aws4_request, \
                    SignedHeaders=host, Signature=00";
        let r = http::request(
            "POST",
            &format!("{}/", self.endpoint()),
            &[("Authorization", auth), ("Content-Type", "application/x-www-form-urlencoded")],
            format!("{form}&Version=2010-05-08").as_bytes(),
        )
        .expect("moto IAM request");
        assert_eq!(r.status, 200, "moto IAM {form}: {}", r.text());
        r.text()
    }

    fn enable_auth(&mut self) {
        self.iam("Action=CreateUser&UserName=surestep-test");
        let policy = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
        self.iam(&format!(
            "Action=PutUserPolicy&UserName=surestep-test&PolicyName=allow-all&PolicyDocument={policy}"
        ));
        let xml = self.iam("Action=CreateAccessKey&UserName=surestep-test");
        let tag = |t: &str| -> String {
            let a = xml.find(&format!("<{t}>")).map(|i| i + t.len() + 2);
            let b = xml.find(&format!("</{t}>"));
            match (a, b) {
                (Some(a), Some(b)) => xml[a..b].to_string(),
                _ => panic!("moto CreateAccessKey: no {t} in {xml}"),
            }
        };
        self.access_key = tag("AccessKeyId");
        self.secret_key = tag("SecretAccessKey");
        let r =
            http::request("POST", &format!("{}/moto-api/reset-auth", self.endpoint()), &[], b"0")
                .expect("moto reset-auth");
        assert_eq!(r.status, 200, "moto reset-auth: {}", r.text());
    }

    /// `http://127.0.0.1:PORT` (path-style addressing).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.proc.port())
    }
    pub fn region(&self) -> &'static str {
        REGION
    }
    /// (access key, secret key). Without auth any pair works; this returns `testing/testing`.
    pub fn credentials(&self) -> (&str, &str) {
        (&self.access_key, &self.secret_key)
    }
    pub fn auth_enabled(&self) -> bool {
        self.auth
    }
    pub fn port(&self) -> u16 {
        self.proc.port()
    }
    pub fn process(&self) -> &ServerProcess {
        &self.proc
    }
    /// Wall time from spawn to ready (including the auth setup).
    pub fn started_in(&self) -> Duration {
        self.started_in
    }
    /// Signed request through `curl --aws-sigv4` with this instance's credentials.
    pub fn s3(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> S3Response {
        s3_curl(&self.endpoint(), self.credentials(), method, path, headers, body)
    }
    /// CreateBucket; panics unless 200.
    pub fn create_bucket(&self, bucket: &str) {
        let r = self.s3("PUT", &format!("/{bucket}"), &[], None);
        assert_eq!(r.status, 200, "moto CreateBucket {bucket}: {}", r.body);
    }
}

/// s3s-fs 0.14.1 (built by `services.sh install --with-s3s`), data in a temp dir.
pub struct S3sFs {
    proc: ServerProcess,
    started_in: Duration,
    dir: tempfile::TempDir,
}

impl S3sFs {
    pub const ACCESS_KEY: &'static str = "s3sak";
    pub const SECRET_KEY: &'static str = "s3ssecret-for-tests";

    pub fn start() -> S3sFs {
        let bin = peers_dir().join("cargo-s3s/bin/s3s-fs");
        if !bin.exists() {
            panic!(
                "s3s-fs is not installed ({} is missing). Install it with:\n  \
                 bash scripts/services.sh install --with-s3s\n(runs `cargo install s3s-fs@0.14.1 \
                 --features binary --locked --root $SURESTEP_PEERS/cargo-s3s`, about 2.5 minutes)",
                bin.display()
            );
        }
        let dir = tempdir("s3s");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("create s3s data dir");
        let port = free_port();
        let mut cmd = Command::new(&bin);
        cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", Self::ACCESS_KEY, "--secret-key", Self::SECRET_KEY])
            .arg(&data);
        let t0 = Instant::now();
        let mut proc = ServerProcess::spawn("s3s-fs", &cmd, port, &dir.path().join("s3s-fs.log"));
        proc.wait_ready(Duration::from_secs(30), http_ready("/", None));
        S3sFs { proc, started_in: t0.elapsed(), dir }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.proc.port())
    }
    pub fn region(&self) -> &'static str {
        REGION
    }
    pub fn credentials(&self) -> (&str, &str) {
        (Self::ACCESS_KEY, Self::SECRET_KEY)
    }
    /// The root dir: one directory per bucket, one file per object.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }
    pub fn port(&self) -> u16 {
        self.proc.port()
    }
    pub fn process(&self) -> &ServerProcess {
        &self.proc
    }
    pub fn started_in(&self) -> Duration {
        self.started_in
    }
    pub fn s3(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> S3Response {
        s3_curl(&self.endpoint(), self.credentials(), method, path, headers, body)
    }
    pub fn create_bucket(&self, bucket: &str) {
        let r = self.s3("PUT", &format!("/{bucket}"), &[], None);
        assert_eq!(r.status, 200, "s3s-fs CreateBucket {bucket}: {}", r.body);
    }
}

#[derive(Debug, Clone)]
pub struct S3Response {
    pub status: u16,
    /// Response headers, raw (`Name: value` lines).
    pub headers: String,
    pub body: String,
}

impl S3Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// A SigV4-signed S3 request (path style, region us-east-1) via `curl --aws-sigv4`.
pub fn s3_curl(
    endpoint: &str,
    (ak, sk): (&str, &str),
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> S3Response {
    assert!(endpoint.starts_with("http://127.0.0.1:"), "loopback only: {endpoint}");
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-D", "/dev/stderr", "-o", "-", "-w", "\n%{http_code}"])
        .args(["--aws-sigv4", &format!("aws:amz:{REGION}:s3"), "--user", &format!("{ak}:{sk}")])
        .args(["-X", method])
        .args(["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]);
    for (k, v) in headers {
        cmd.args(["-H", &format!("{k}: {v}")]);
    }
    if body.is_some() {
        cmd.args(["--data-binary", "@-"]);
    }
    if method == "HEAD" {
        cmd.arg("-I");
    }
    cmd.arg(format!("{endpoint}{path}"));
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run curl");
    {
        let mut stdin = child.stdin.take().unwrap();
        if let Some(b) = body {
            stdin.write_all(b).expect("write curl stdin");
        }
    }
    let out = child.wait_with_output().expect("curl");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = stdout.rsplit_once('\n').unwrap_or(("", &stdout));
    let status = code.trim().parse().unwrap_or_else(|_| {
        panic!("curl {method} {path}: no status; stderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    let headers = String::from_utf8_lossy(&out.stderr).into_owned();
    let body = if method == "HEAD" { String::new() } else { body.to_string() };
    S3Response { status, headers, body }
}
