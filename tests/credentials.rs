//! Registry credentials found where docker, crane and skopeo users keep them, driven through
//! `surestep wait-for-image` / `promote` against real docker-registry instances (htpasswd and
//! token auth) and moto's ECR GetAuthorizationToken.

mod support;

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::cli::{run, surestep};
use support::{Moto, PushOptions, Registry, RegistryAuth};

const USER: &str = "keeper";
const PASS: &str = "kc-Secret-9vQ";
const REV: &str = "5555555eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

static HTPASSWD: OnceLock<Registry> = OnceLock::new();
static TOKEN: OnceLock<Registry> = OnceLock::new();

fn htpasswd() -> &'static Registry {
    HTPASSWD.get_or_init(|| {
        let r = Registry::start(RegistryAuth::htpasswd(USER, PASS));
        r.push_image("team/app", "v1", REV, &["linux/amd64"]);
        r
    })
}
fn token() -> &'static Registry {
    TOKEN.get_or_init(|| Registry::start(RegistryAuth::token(USER, PASS)))
}

fn b64(s: &str) -> String {
    support::http::base64(s.as_bytes())
}

/// `wait-for-image` on the htpasswd registry's image, with HOME and PATH pointing into `home`
/// (so no real config or helper of the machine is read).
fn wait(home: &Path) -> Command {
    let mut cmd = surestep();
    let path =
        format!("{}:{}", home.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    cmd.args([
        "wait-for-image",
        &format!("{}/team/app:v1", htpasswd().host_port()),
        "--timeout",
        "10s",
    ])
    .env("HOME", home)
    .env("PATH", path)
    .env_remove("DOCKER_CONFIG")
    .env_remove("REGISTRY_AUTH_FILE")
    .env_remove("XDG_RUNTIME_DIR");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A `docker-credential-NAME` script in `home/bin` speaking the helper protocol: it records
/// the server it was asked about and answers with `body` (or sleeps, or fails).
fn helper(home: &Path, name: &str, script_body: &str) {
    let path = home.join("bin").join(format!("docker-credential-{name}"));
    write(
        &path,
        &format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread server\necho \"$server\" >> \"{}\"\n{script_body}\n",
            home.join(format!("{name}.asked")).display()
        ),
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn config(home: &Path, json: serde_json::Value) {
    write(&home.join(".docker/config.json"), &json.to_string());
}

#[test]
fn config_json_auths_in_its_three_forms() {
    let host = htpasswd().host_port();
    for entry in [
        serde_json::json!({"auth": b64(&format!("{USER}:{PASS}"))}),
        serde_json::json!({"username": USER, "password": PASS}),
    ] {
        for key in [host.clone(), format!("http://{host}"), format!("https://{host}/v1/")] {
            let home = tempfile::tempdir().unwrap();
            config(home.path(), serde_json::json!({"auths": {key.clone(): entry.clone()}}));
            let r = run(&mut wait(home.path()));
            assert_eq!(r.code, 0, "key {key}: {r}");
        }
    }
    // $DOCKER_CONFIG wins over ~/.docker.
    let home = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    write(
        &other.path().join("config.json"),
        &serde_json::json!({"auths": {host.clone(): {"auth": b64(&format!("{USER}:{PASS}"))}}})
            .to_string(),
    );
    let r = run(wait(home.path()).env("DOCKER_CONFIG", other.path()));
    assert_eq!(r.code, 0, "{r}");
}

#[test]
fn credential_helper_and_creds_store_speak_the_protocol() {
    let host = htpasswd().host_port();
    let answer = format!(
        "printf '{{\"ServerURL\":\"%s\",\"Username\":\"{USER}\",\"Secret\":\"{PASS}\"}}' \"$server\""
    );
    for (field, value) in [
        ("credHelpers", serde_json::json!({host.clone(): "sstest"})),
        ("credsStore", serde_json::json!("sstest")),
    ] {
        let home = tempfile::tempdir().unwrap();
        helper(home.path(), "sstest", &answer);
        config(home.path(), serde_json::json!({ field: value }));
        let dir = home.path().join("gh");
        std::fs::create_dir_all(&dir).unwrap();
        let r = run(wait(home.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", dir.join("out"))
            .env("GITHUB_STEP_SUMMARY", dir.join("summary")));
        assert_eq!(r.code, 0, "{field}: {r}");
        let asked = std::fs::read_to_string(home.path().join("sstest.asked")).unwrap();
        assert_eq!(asked.trim(), host, "the helper is asked about the registry host");
        assert!(
            r.stdout.contains(&format!("::add-mask::{PASS}")),
            "a helper's secret is masked: {r}"
        );
    }
    // "credentials not found" from the helper: anonymous, and the registry says what it needs.
    let home = tempfile::tempdir().unwrap();
    helper(home.path(), "empty", "echo 'credentials not found in native keychain'; exit 1");
    config(home.path(), serde_json::json!({"credsStore": "empty"}));
    let r = run(&mut wait(home.path()));
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("requires a username and password"), "{r}");
}

#[test]
fn missing_failing_and_hanging_helpers_are_exit_3_with_the_reason() {
    let host = htpasswd().host_port();
    let home = tempfile::tempdir().unwrap();
    config(home.path(), serde_json::json!({"credHelpers": {host.clone(): "nosuchhelper"}}));
    let r = run(&mut wait(home.path()));
    assert_eq!(r.code, 3, "{r}");
    assert!(
        r.stderr.contains("docker-credential-nosuchhelper") && r.stderr.contains("not installed"),
        "{r}"
    );

    let home = tempfile::tempdir().unwrap();
    helper(home.path(), "broken", "echo 'keychain locked' >&2; exit 7");
    config(home.path(), serde_json::json!({"credHelpers": {host.clone(): "broken"}}));
    let r = run(&mut wait(home.path()));
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("exit 7") && r.stderr.contains("keychain locked"), "{r}");

    let home = tempfile::tempdir().unwrap();
    helper(home.path(), "hangs", "sleep 60");
    config(home.path(), serde_json::json!({"credHelpers": {host: "hangs"}}));
    let started = Instant::now();
    let r = run(wait(home.path()).env("SURESTEP_CREDENTIAL_HELPER_TIMEOUT", "1s"));
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("did not answer"), "{r}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the timeout cut it: {:?}",
        started.elapsed()
    );
}

#[test]
fn auth_json_and_the_precedence_between_sources() {
    let host = htpasswd().host_port();
    let good =
        serde_json::json!({"auths": {host.clone(): {"auth": b64(&format!("{USER}:{PASS}"))}}});
    let bad =
        serde_json::json!({"auths": {host.clone(): {"auth": b64(&format!("{USER}:wrong-Pw-1"))}}});
    // auth.json alone, via REGISTRY_AUTH_FILE and via XDG_RUNTIME_DIR.
    let home = tempfile::tempdir().unwrap();
    write(&home.path().join("auth.json"), &good.to_string());
    let r = run(wait(home.path()).env("REGISTRY_AUTH_FILE", home.path().join("auth.json")));
    assert_eq!(r.code, 0, "{r}");
    write(&home.path().join("run/containers/auth.json"), &good.to_string());
    let r = run(wait(home.path()).env("XDG_RUNTIME_DIR", home.path().join("run")));
    assert_eq!(r.code, 0, "{r}");
    // config.json before auth.json.
    config(home.path(), bad.clone());
    let r = run(wait(home.path()).env("REGISTRY_AUTH_FILE", home.path().join("auth.json")));
    assert_eq!(r.code, 3, "config.json's (wrong) login is used first: {r}");
    // Flags before everything.
    let r =
        run(wait(home.path()).args(["--username", USER]).env("SURESTEP_REGISTRY_PASSWORD", PASS));
    assert_eq!(r.code, 0, "{r}");
    // A config.json without this host falls through to auth.json.
    config(home.path(), serde_json::json!({"auths": {"other.example:5000": {"auth": b64("a:b")}}}));
    let r = run(wait(home.path()).env("REGISTRY_AUTH_FILE", home.path().join("auth.json")));
    assert_eq!(r.code, 0, "{r}");
}

#[test]
fn wrong_password_from_a_file_is_exit_3_and_never_printed() {
    let host = htpasswd().host_port();
    let wrong = "Wr0ng-but-Secret-Zz";
    let home = tempfile::tempdir().unwrap();
    config(
        home.path(),
        serde_json::json!({"auths": {host: {"username": USER, "password": wrong}}}),
    );
    for json in [false, true] {
        let mut cmd = wait(home.path());
        if json {
            cmd.arg("--json");
        }
        let r = run(cmd.arg("-vv"));
        assert_eq!(r.code, 3, "{r}");
        assert!(r.stderr.contains("config.json"), "says where the login came from: {r}");
        assert!(!r.all().contains(wrong), "the secret leaked: {r}");
        assert!(
            !r.all().contains(&b64(&format!("{USER}:{wrong}"))),
            "the Basic header leaked: {r}"
        );
    }
}

#[test]
fn identity_token_is_an_oauth2_refresh_token_for_the_realm() {
    let reg = token();
    reg.push_image("team/src", "v1", REV, &["linux/amd64"]);
    let home = tempfile::tempdir().unwrap();
    let refresh = reg.refresh_token().unwrap();
    config(
        home.path(),
        serde_json::json!({"auths": {reg.host_port(): {"auth": b64("<token>:"), "identitytoken": refresh}}}),
    );
    // Pushing needs the user's token: an anonymous one only pulls.
    let r = run(surestep()
        .args([
            "promote",
            &format!("{}/team/src:v1", reg.host_port()),
            &format!("{}/team/dst:v1", reg.host_port()),
        ])
        .env("HOME", home.path())
        .env_remove("DOCKER_CONFIG"));
    assert_eq!(r.code, 0, "{r}");
    assert!(!r.all().contains(&refresh));
    // A wrong identity token is refused by the token server: exit 3.
    config(
        home.path(),
        serde_json::json!({"auths": {reg.host_port(): {"identitytoken": "refresh-not-it"}}}),
    );
    let r = run(surestep()
        .args([
            "promote",
            &format!("{}/team/src:v1", reg.host_port()),
            &format!("{}/team/dst2:v1", reg.host_port()),
        ])
        .env("HOME", home.path())
        .env_remove("DOCKER_CONFIG"));
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("identity token"), "{r}");
    assert!(!r.all().contains("refresh-not-it"));
}

#[test]
fn ecr_token_from_moto_is_the_basic_login() {
    let moto = Moto::start();
    // moto answers GetAuthorizationToken with AWS:<account>-auth-token.
    let ecr_pass = "123456789012-auth-token";
    let reg = Registry::start(RegistryAuth::htpasswd("AWS", ecr_pass));
    reg.push_image_with("team/ecr", "v1", REV, &["linux/amd64"], &PushOptions::default());
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("gh");
    std::fs::create_dir_all(&dir).unwrap();
    let image = format!("{}/team/ecr:v1", reg.host_port());
    let aws = |cmd: &mut Command| {
        cmd.env("HOME", home.path())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", moto.region())
            .env("AWS_ENDPOINT_URL", moto.endpoint())
            .env("AWS_EC2_METADATA_DISABLED", "true");
    };
    let mut cmd = surestep();
    cmd.args(["wait-for-image", &image, "--timeout", "10s", "--aws-ecr"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.join("out"));
    aws(&mut cmd);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{r}");
    assert!(
        r.stdout.contains(&format!("::add-mask::{ecr_pass}")),
        "the ECR password is masked: {r}"
    );
    // Without --aws-ecr a loopback host is not ECR: anonymous, refused.
    let mut cmd = surestep();
    cmd.args(["wait-for-image", &image, "--timeout", "10s"]);
    aws(&mut cmd);
    assert_eq!(run(&mut cmd).code, 3);
    // No AWS credentials at all: a clear exit 3 naming ECR.
    let mut cmd = surestep();
    cmd.args(["wait-for-image", &image, "--timeout", "10s", "--aws-ecr"])
        .env("HOME", home.path())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"));
    let r = run(&mut cmd);
    assert_eq!(r.code, 3, "{r}");
    assert!(r.stderr.contains("Amazon ECR"), "{r}");
}
