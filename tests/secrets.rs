//! The secrets sweep: every subcommand that takes credentials runs with a recognisable fake
//! secret in every credential input (flags and environment), through its success path and its
//! failure paths, in text, `--json`, `-v`, `-vv` and GitHub Actions modes, against the real
//! servers. Whatever happens, the secret (and its Base64 `user:secret` form) never appears in
//! stdout, stderr, `$GITHUB_OUTPUT` or `$GITHUB_STEP_SUMMARY`; in GitHub mode the
//! `::add-mask::<secret>` command comes before every other line of its stream.

mod support;

use assert_cmd::Command;
use base64::Engine;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;
use support::{Moto, Registry, RegistryAuth};

/// The secret the servers accept (registry password).
const SECRET: &str = "SWEEPSECRET-good-7Qx4Lr9Tz2";
/// A wrong secret, for the refused paths.
const WRONG: &str = "SWEEPSECRET-wrong-Vb3Nm8Kp1";
/// An AWS session token (moto without auth accepts any).
const SESSION: &str = "SWEEPSECRET-session-Hy6Wq0Ej5";
/// An SSE-C key that is valid Base64 of 32 bytes; its text is the secret to look for.
const SSE_KEY: &str = "U1dFRVBTRUNSRVQtc3NlLWtleS0zMi1ieXRlcyEhISE=";
/// A GITHUB_TOKEN in the environment (used for ghcr.io only; never shown either way).
const GH_TOKEN: &str = "SWEEPSECRET-ghtoken-Lp2Xc7Vn";
const USER: &str = "sweeper";
/// An index API token (pypiserver is told to accept it for `__token__`).
const PYPI_TOKEN: &str = "pypi-SWEEPSECRET-token-Rk4Tn8Wd";
const PYPI_WRONG: &str = "pypi-SWEEPSECRET-wrong-Gs5Hy2Qa";
/// Trusted publishing: the runner's request token, the ID token and the minted upload token.
const REQUEST: &str = "SWEEPSECRET-request-Zt3Kw9Pm";
const MINTED: &str = "pypi-SWEEPSECRET-minted-Nf6Jc1Xb";
/// The ID token scripts/peers/oidc_peer.py hands out.
const JWT: &str =
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOm8vbjpyZWY6cmVmcy90YWdzL3YxIn0.c2lnbmF0dXJl";
const REV: &str = "3333333ccccccccccccccccccccccccccccccccc";

/// Every secret a run may have been given, in the forms it could leak in.
fn forbidden() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut all = vec![];
    for s in
        [SECRET, WRONG, SESSION, SSE_KEY, GH_TOKEN, PYPI_TOKEN, PYPI_WRONG, MINTED, REQUEST, JWT]
    {
        all.push(s.to_owned());
        all.push(b64(&format!("{USER}:{s}")));
    }
    all
}

/// Output modes: extra arguments and whether GitHub Actions is on.
const MODES: &[(&str, &[&str], bool)] = &[
    ("text", &[], false),
    ("json", &["--json"], false),
    ("-v", &["-v"], false),
    ("-vv", &["-vv"], false),
    ("github", &[], true),
    ("github --json", &["--json"], true),
    ("github -vv", &["-vv"], true),
];

struct Sweep {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: String,
    summary: String,
}

/// Runs `cmd` in one mode, then checks that nothing secret was shown and that, in GitHub
/// mode, each secret the run was given is masked before any other line of its stream.
fn sweep(mut cmd: Command, mode: &(&str, &[&str], bool), given: &[&str], label: &str) -> Sweep {
    let dir = support::tempdir("secrets");
    let (out, summary) = (dir.path().join("output"), dir.path().join("summary"));
    let (name, args, github) = *mode;
    cmd.args(args);
    if github {
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &out)
            .env("GITHUB_STEP_SUMMARY", &summary);
    }
    cmd.timeout(Duration::from_secs(60));
    let o = cmd.output().unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let run = Sweep {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        outputs: read(&out),
        summary: read(&summary),
    };
    let ctx = format!("{label} [{name}] exit {}", run.code);
    for (what, text) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("GITHUB_OUTPUT", &run.outputs),
        ("GITHUB_STEP_SUMMARY", &run.summary),
    ] {
        let shown: Vec<&str> = text.lines().filter(|l| !l.starts_with("::add-mask::")).collect();
        let shown = shown.join("\n");
        for secret in forbidden() {
            assert!(!shown.contains(&secret), "{ctx}: {secret} in {what}:\n{text}");
        }
        // Tokens the servers minted are secrets too: no Authorization value is ever logged.
        let lower = shown.to_ascii_lowercase();
        assert!(!lower.contains("bearer ey"), "{ctx}: a bearer token in {what}:\n{text}");
        assert!(!lower.contains("basic c"), "{ctx}: a basic credential in {what}:\n{text}");
        if !github {
            assert!(!text.contains("::add-mask::"), "{ctx}: masks outside Actions:\n{text}");
        }
    }
    if github {
        // Workflow commands go to stdout, or to stderr when stdout carries the JSON document.
        let stream = if args.contains(&"--json") { &run.stderr } else { &run.stdout };
        let lines: Vec<&str> = stream.lines().collect();
        let first_other = lines.iter().position(|l| !l.starts_with("::add-mask::"));
        for secret in given {
            let mask = lines.iter().position(|l| *l == format!("::add-mask::{secret}"));
            // A run that stops before using a secret (a usage error) need not mask it.
            if run.code == 2 {
                continue;
            }
            let mask = mask.unwrap_or_else(|| panic!("{ctx}: {secret} never masked:\n{stream}"));
            assert!(
                first_other.is_none_or(|o| mask < o),
                "{ctx}: {secret} masked after other output:\n{stream}"
            );
        }
    }
    run
}

// ---------------------------------------------------------------------------------------------
// wait-for-image: --password / SURESTEP_REGISTRY_PASSWORD

static TOKEN_REG: OnceLock<Registry> = OnceLock::new();
static BASIC_REG: OnceLock<Registry> = OnceLock::new();

fn token_reg() -> &'static Registry {
    TOKEN_REG.get_or_init(|| {
        let r = Registry::start(RegistryAuth::token(USER, SECRET));
        r.push_image("app/swept", "v1", REV, &["linux/amd64"]);
        r
    })
}
fn basic_reg() -> &'static Registry {
    BASIC_REG.get_or_init(|| {
        let r = Registry::start(RegistryAuth::htpasswd(USER, SECRET));
        r.push_image("app/swept", "v1", REV, &["linux/amd64"]);
        r
    })
}

fn wait_for(image: &str, extra: &[&str]) -> Command {
    let mut cmd = support::cli::surestep();
    cmd.env("GITHUB_TOKEN", GH_TOKEN);
    cmd.args(["--color=never", "wait-for-image", image, "--interval", "100ms"]).args(extra);
    cmd
}

/// How a credential is given: the flag, or the environment.
fn with_password(mut cmd: Command, secret: &str, by_flag: bool) -> Command {
    cmd.args(["--username", USER]);
    if by_flag {
        cmd.args(["--password", secret]);
    } else {
        cmd.env("SURESTEP_REGISTRY_USERNAME", USER).env("SURESTEP_REGISTRY_PASSWORD", secret);
    }
    cmd
}

#[test]
fn wait_for_image_never_shows_a_registry_password() {
    let dead = format!("127.0.0.1:{}/app/swept:v1", support::free_port());
    for reg in [token_reg(), basic_reg()] {
        let hp = reg.host_port();
        let present = format!("{hp}/app/swept:v1");
        let absent = format!("{hp}/app/never:v1");
        // (label, image, secret, extra args, expected exit)
        let cases: Vec<(&str, String, &str, Vec<&str>, i32)> = vec![
            ("found", present.clone(), SECRET, vec!["--revision", REV, "--timeout", "10s"], 0),
            ("timed out", absent, SECRET, vec!["--timeout", "400ms"], 1),
            ("wrong password", present.clone(), WRONG, vec!["--timeout", "10s"], 3),
            ("unreachable", dead.clone(), SECRET, vec!["--timeout", "300ms"], 3),
            ("usage error", present, SECRET, vec!["--revision", "not-a-sha"], 2),
        ];
        for (label, image, secret, extra, code) in &cases {
            for by_flag in [true, false] {
                // The flag differs from the environment only until parsed: two modes suffice.
                let modes = MODES.iter().filter(|m| !by_flag || m.0 == "-vv" || m.0 == "github");
                for mode in modes {
                    let cmd = with_password(wait_for(image, extra), secret, by_flag);
                    let label = format!("{:?} {label} (flag: {by_flag})", reg.auth());
                    let run = sweep(cmd, mode, &[secret], &label);
                    assert_eq!(
                        run.code, *code,
                        "{label} [{}]: {}{}",
                        mode.0, run.stdout, run.stderr
                    );
                }
            }
        }
    }
}

// promote: SURESTEP_SRC_PASSWORD / SURESTEP_DEST_PASSWORD, and a login from config.json

#[test]
fn promote_never_shows_source_destination_or_config_file_passwords() {
    let (src, dst) = (token_reg(), basic_reg());
    let source = format!("{}/app/swept:v1", src.host_port());
    let conf = support::tempdir("secrets-docker");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    // (label, dest password, from the config file?, expected exit)
    for (label, pass, from_file, code) in
        [("env", SECRET, false, 0), ("env wrong", WRONG, false, 3), ("file wrong", WRONG, true, 3)]
    {
        for (i, mode) in MODES.iter().enumerate() {
            let mut cmd = support::cli::surestep();
            let target = format!("{}/app/promoted-{i}:v1", dst.host_port());
            cmd.args(["--color=never", "promote", &source, &target])
                .env("SURESTEP_SRC_USERNAME", USER)
                .env("SURESTEP_SRC_PASSWORD", SECRET);
            if from_file {
                let auths = serde_json::json!({"auths": {dst.host_port(): {"auth": b64(&format!("{USER}:{pass}"))}}});
                std::fs::write(conf.path().join("config.json"), auths.to_string()).unwrap();
                cmd.env("DOCKER_CONFIG", conf.path());
            } else {
                cmd.env("SURESTEP_DEST_USERNAME", USER).env("SURESTEP_DEST_PASSWORD", pass);
            }
            let run = sweep(cmd, mode, &[SECRET, pass], &format!("promote {label}"));
            assert_eq!(
                run.code, code,
                "promote {label} [{}]: {}{}",
                mode.0, run.stdout, run.stderr
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// lock: AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, --sse-customer-key / AWS_SSE_CUSTOMER_KEY

static MOTO: OnceLock<Moto> = OnceLock::new();
static MOTO_AUTH: OnceLock<Moto> = OnceLock::new();

/// Moto without signature checks: any credentials work, so the fake secret is the real one.
fn moto() -> &'static Moto {
    MOTO.get_or_init(|| {
        let m = Moto::start();
        m.create_bucket("swept");
        m
    })
}
fn moto_auth() -> &'static Moto {
    MOTO_AUTH.get_or_init(|| {
        let m = Moto::start_with_auth();
        m.create_bucket("swept");
        m
    })
}

fn lock(endpoint: &str, secret: &str, session: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = support::cli::surestep();
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDSWEEPEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent/surestep-test/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/surestep-test/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_S3", endpoint);
    if let Some(token) = session {
        cmd.env("AWS_SESSION_TOKEN", token);
    }
    cmd.args(["--color=never", "lock"]).args(args).arg("--path-style");
    cmd
}

/// Seeds an object with the AWS SDK (independent of surestep's code).
fn put_object(endpoint: &str, bucket: &str, key: &str, body: String) {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new("AKIDSEED", "seed", None, None, "test"))
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(conf);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(s3.put_object().bucket(bucket).key(key).body(body.into_bytes().into()).send())
        .expect("seed the lock object");
}

#[test]
fn lock_never_shows_aws_secrets_or_sse_keys() {
    let m = moto();
    let denied = moto_auth();
    let dead = format!("http://127.0.0.1:{}", support::free_port());
    let state = "s3://swept/envs/prod/terraform.tfstate";
    // A lock to find, and one to remove per unlock run (re-created before each).
    let put_lock = |id: &str| {
        let body = format!(
            r#"{{"ID":"{id}","Operation":"OperationTypeApply","Info":"","Who":"ci@runner","Version":"1.9.0","Created":"2020-01-01T00:00:00Z","Path":"swept/envs/prod/terraform.tfstate"}}"#
        );
        put_object(&m.endpoint(), "swept", "envs/prod/terraform.tfstate.tflock", body);
    };
    let id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    let sse = ["--sse-customer-key", SSE_KEY];
    type Case<'a> = (&'a str, String, &'a str, Option<&'a str>, Vec<&'a str>, i32, bool);
    let cases: Vec<Case> = vec![
        ("status held", m.endpoint(), SECRET, Some(SESSION), vec!["status", state], 0, false),
        (
            "unlock",
            m.endpoint(),
            SECRET,
            Some(SESSION),
            vec!["unlock", state, "--lock-id", id],
            0,
            true,
        ),
        (
            "unlock wrong id",
            m.endpoint(),
            SECRET,
            None,
            vec!["unlock", state, "--lock-id", "x"],
            1,
            true,
        ),
        ("denied", denied.endpoint(), WRONG, Some(SESSION), vec!["status", state], 3, false),
        ("unreachable", dead.clone(), SECRET, Some(SESSION), vec!["status", state], 3, false),
        ("missing bucket", m.endpoint(), SECRET, None, vec!["status", "s3://nobucket/k"], 3, false),
        ("usage error", m.endpoint(), SECRET, Some(SESSION), vec!["status", "gs://x/y"], 2, false),
    ];
    for (label, endpoint, secret, session, args, code, relock) in &cases {
        for with_sse in [false, true] {
            for mode in MODES {
                if *relock || *label == "status held" {
                    put_lock(id);
                }
                let mut args = args.clone();
                if with_sse && !label.starts_with("usage") {
                    args.extend(sse);
                }
                let cmd = lock(endpoint, secret, *session, &args);
                let mut given = vec![*secret];
                given.extend(session);
                if with_sse && !label.starts_with("usage") {
                    given.push(SSE_KEY);
                }
                let run = sweep(cmd, mode, &given, label);
                // (moto does not enforce SSE-C: the key is sent, masked, and must never show)
                assert_eq!(run.code, *code, "{label} [{}]: {}{}", mode.0, run.stdout, run.stderr);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// publish: --password, SURESTEP_PYPI_TOKEN, TWINE_PASSWORD, trusted publishing
// (ACTIONS_ID_TOKEN_REQUEST_TOKEN, the ID token, the minted token)

/// scripts/peers/oidc_peer.py: the runner's ID-token endpoint and the index's mint endpoint.
fn oidc_peer(fail_mint: Option<&str>) -> support::ServerProcess {
    let dir = support::tempdir("oidc");
    let port = support::free_port();
    let mut cmd = std::process::Command::new(support::python());
    cmd.arg(support::scripts_dir().join("oidc_peer.py"))
        .args(["--port", &port.to_string(), "--minted-token", MINTED])
        .args(["--request-token", REQUEST, "--audience", "pypi-local"]);
    if let Some(code) = fail_mint {
        cmd.args(["--fail-mint", code]);
    }
    let log = dir.path().join("oidc.log");
    let mut proc = support::ServerProcess::spawn("oidc-peer", &cmd, port, &log);
    proc.wait_ready(Duration::from_secs(20), support::port_open);
    std::mem::forget(dir); // the log must outlive the process; the OS temp dir is cleaned later
    proc
}

/// A fresh wheel each run, so every successful run uploads (and uses the credentials).
fn fresh_wheel() -> (tempfile::TempDir, std::path::PathBuf) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let tmp = support::tempdir("sweep-dist");
    let dist = tmp.path().join("dist");
    let version = format!("1.0.{}", N.fetch_add(1, Ordering::Relaxed));
    support::make_wheel(&dist, "sweeppkg", &version);
    (tmp, dist)
}

fn publish(server_url: &str, simple: &str, dist: &std::path::Path) -> Command {
    let mut cmd = support::cli::surestep();
    cmd.env("GITHUB_TOKEN", GH_TOKEN)
        .args(["--color=never", "publish", "--no-progress", "--retries", "1"])
        .args(["--repository-url", server_url, "--check-url", simple, "--verify-timeout", "10"])
        .arg(dist);
    cmd
}

#[test]
fn publish_never_shows_tokens_passwords_or_oidc_tokens() {
    let server = support::PyPiServer::start();
    server.allow_token(PYPI_TOKEN);
    let (upload, simple) = (server.upload_url(), server.simple_url());
    let dead = format!("http://127.0.0.1:{}/", support::free_port());
    let in_url = upload.replace("http://", &format!("http://__token__:{PYPI_TOKEN}@"));
    // (label, how the secret is given, secrets given, upload URL, expected exit)
    type Give = fn(&mut Command);
    let cases: Vec<(&str, Give, Vec<&str>, String, i32)> = vec![
        (
            "token env",
            |c| {
                c.env("SURESTEP_PYPI_TOKEN", PYPI_TOKEN);
            },
            vec![PYPI_TOKEN],
            upload.clone(),
            0,
        ),
        (
            "token flag",
            |c| {
                c.args(["-u", "__token__", "-p", PYPI_TOKEN]);
            },
            vec![PYPI_TOKEN],
            upload.clone(),
            0,
        ),
        (
            "twine env",
            |c| {
                c.env("TWINE_USERNAME", "__token__").env("TWINE_PASSWORD", PYPI_TOKEN);
            },
            vec![PYPI_TOKEN],
            upload.clone(),
            0,
        ),
        (
            "wrong token",
            |c| {
                c.env("SURESTEP_PYPI_TOKEN", PYPI_WRONG);
            },
            vec![PYPI_WRONG],
            upload.clone(),
            3,
        ),
        (
            "unreachable",
            |c| {
                c.args(["-p", PYPI_TOKEN]);
            },
            vec![PYPI_TOKEN],
            dead.clone(),
            3,
        ),
        ("token in the URL", |_| {}, vec![], in_url.clone(), 2),
        (
            "no user name",
            |c| {
                c.args(["-p", "SWEEPSECRET-wrong-Vb3Nm8Kp1"]);
            },
            vec![],
            upload.clone(),
            2,
        ),
    ];
    for (label, give, given, url, code) in &cases {
        for mode in MODES {
            let (_tmp, dist) = fresh_wheel();
            let mut cmd = publish(url, &simple, &dist);
            give(&mut cmd);
            let run = sweep(cmd, mode, given, &format!("publish {label}"));
            assert_eq!(
                run.code, *code,
                "publish {label} [{}]: {}{}",
                mode.0, run.stdout, run.stderr
            );
        }
    }

    // Trusted publishing: minted token accepted, and the mint refused.
    server.allow_token(MINTED);
    for (label, fail, code) in
        [("trusted publishing", None, 0), ("mint refused", Some("invalid-publisher"), 3)]
    {
        let peer = oidc_peer(fail);
        let oidc = format!("http://127.0.0.1:{}", peer.port());
        for mode in MODES {
            let (_tmp, dist) = fresh_wheel();
            let mut cmd = publish(&upload, &simple, &dist);
            cmd.args(["--trusted-publishing-url", &oidc])
                .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{oidc}/id-token?api-version=2.0"))
                .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST);
            let run = sweep(cmd, mode, &[REQUEST], label);
            assert_eq!(run.code, code, "{label} [{}]: {}{}", mode.0, run.stdout, run.stderr);
            if mode.2 {
                // Tokens derived on the way are masked as soon as they exist.
                let stream = if mode.1.contains(&"--json") { &run.stderr } else { &run.stdout };
                let mut derived = vec![JWT];
                if code == 0 {
                    derived.push(MINTED);
                }
                for secret in derived {
                    assert!(
                        stream.lines().any(|l| l == format!("::add-mask::{secret}")),
                        "{label} [{}]: {secret} never masked:\n{stream}",
                        mode.0
                    );
                }
            }
        }
    }
}
