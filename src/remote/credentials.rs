//! Where registry credentials are found when none are given on the command line, in the
//! order crane, regctl and skopeo users expect (first hit wins):
//!
//! 1. `--aws-ecr`: an Amazon ECR token (GetAuthorizationToken, default AWS credential chain);
//! 2. Google Artifact Registry / GCR hosts: `oauth2accesstoken` with `GOOGLE_OAUTH_ACCESS_TOKEN`
//!    or `CLOUDSDK_AUTH_ACCESS_TOKEN`;
//! 3. `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`): `credHelpers[host]`,
//!    the `auths` entry, `credsStore`;
//! 4. `$REGISTRY_AUTH_FILE`, else `${XDG_RUNTIME_DIR}/containers/auth.json` (podman, skopeo);
//! 5. an ECR host (`<account>.dkr.ecr.<region>.amazonaws.com`): an ECR token;
//! 6. `ghcr.io`: `GITHUB_TOKEN` as `GITHUB_ACTOR`.
//!
//! Credential helpers speak Docker's protocol (`docker-credential-<name> get`, the server on
//! stdin, `{"Username","Secret"}` on stdout) under a timeout; a helper that is missing, fails
//! or hangs is an error, never a silent anonymous attempt. ECR tokens are cached in the
//! process for their lifetime. Nothing here prints; secrets stay in [`Secret`]s.

use crate::model::docker_config::{AuthFile, AuthFileError, Lookup};
use crate::model::image_ref::ImageRef;
use crate::remote::http::error_chain;
use crate::remote::registry::Credentials;
use crate::secret::Secret;
use base64::Engine as _;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

/// How long a credential helper may take (`SURESTEP_CREDENTIAL_HELPER_TIMEOUT`, seconds).
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(20);

/// The lookup's inputs besides the image.
pub struct Keychain<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// `--aws-ecr`: this host is an ECR registry whatever its name.
    pub aws_ecr: bool,
    pub helper_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("cannot read {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("{path}: {source}")]
    Invalid {
        path: String,
        #[source]
        source: AuthFileError,
    },
    #[error(
        "the credential helper docker-credential-{helper} (for {server}, from {origin}) is not installed"
    )]
    HelperMissing { helper: String, server: String, origin: String },
    #[error("the credential helper docker-credential-{helper} failed for {server} ({detail})")]
    HelperFailed { helper: String, server: String, detail: String },
    #[error(
        "the credential helper docker-credential-{helper} did not answer for {server} within {seconds}s"
    )]
    HelperTimeout { helper: String, server: String, seconds: u64 },
    #[error("cannot get an Amazon ECR token for {host}: {message}")]
    Ecr { host: String, message: String },
}

impl CredentialError {
    pub fn hint(&self) -> String {
        match self {
            CredentialError::Unreadable { .. } | CredentialError::Invalid { .. } => {
                "fix or remove the file, or pass --username/--password".into()
            }
            CredentialError::HelperMissing { .. } => {
                "install the helper (it must be on PATH), or remove it from the config".into()
            }
            CredentialError::HelperFailed { .. } | CredentialError::HelperTimeout { .. } => {
                "run `docker-credential-<name> get` by hand to see why, or log in again".into()
            }
            CredentialError::Ecr { .. } => "configure AWS credentials (aws-actions/configure-aws-credentials, AWS_PROFILE, AWS_ACCESS_KEY_ID...) that may call ecr:GetAuthorizationToken".into(),
        }
    }
}

/// The registry's login, when any source has one.
pub async fn find(
    image: &ImageRef,
    keychain: &Keychain<'_>,
) -> Result<Option<Credentials>, CredentialError> {
    let env = keychain.env;
    let host = image.api_host().to_owned();
    let ecr = ecr_host(image.host_name());
    if keychain.aws_ecr {
        let (region, account) = ecr.clone().unzip();
        return ecr_credentials(&host, region, account).await.map(Some);
    }
    if is_google_host(image.host_name())
        && let Some((var, token)) = ["GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_AUTH_ACCESS_TOKEN"]
            .iter()
            .find_map(|v| env(v).map(|t| (*v, t)))
    {
        return Ok(Some(Credentials::basic("oauth2accesstoken", Secret::new(token), var)));
    }
    let docker_dir = env("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".docker")));
    if let Some(dir) = docker_dir
        && let Some(c) = from_file(&dir.join("config.json"), image, keychain).await?
    {
        return Ok(Some(c));
    }
    let auth_json = env("REGISTRY_AUTH_FILE")
        .map(PathBuf::from)
        .or_else(|| env("XDG_RUNTIME_DIR").map(|d| PathBuf::from(d).join("containers/auth.json")));
    if let Some(path) = auth_json
        && let Some(c) = from_file(&path, image, keychain).await?
    {
        return Ok(Some(c));
    }
    if let Some((region, account)) = ecr {
        return ecr_credentials(&host, Some(region), Some(account)).await.map(Some);
    }
    if image.registry == "ghcr.io"
        && let Some(token) = env("GITHUB_TOKEN")
    {
        let user = env("GITHUB_ACTOR").unwrap_or_else(|| "github-actions".to_owned());
        return Ok(Some(Credentials::basic(user, Secret::new(token), "GITHUB_TOKEN")));
    }
    Ok(None)
}

async fn from_file(
    path: &std::path::Path,
    image: &ImageRef,
    keychain: &Keychain<'_>,
) -> Result<Option<Credentials>, CredentialError> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CredentialError::Unreadable { path: shown, message: e.to_string() }),
    };
    let invalid = |source| CredentialError::Invalid { path: shown.clone(), source };
    let file = AuthFile::parse(&text).map_err(invalid)?;
    match file.lookup(&image.registry, &image.repository).map_err(invalid)? {
        Lookup::NotFound => Ok(None),
        Lookup::Login { username, secret, identity_token, key } => {
            if secret.is_empty() {
                return Ok(None);
            }
            Ok(Some(Credentials {
                username,
                password: secret,
                identity_token,
                origin: format!("{shown} ({key})"),
            }))
        }
        Lookup::Helper { helper, server } => {
            run_helper(&helper, &server, &shown, keychain.helper_timeout).await
        }
    }
}

/// `docker-credential-<helper> get` with `server` on stdin. `Ok(None)` when the helper says
/// it has no credentials for the server.
pub async fn run_helper(
    helper: &str,
    server: &str,
    origin: &str,
    timeout: Duration,
) -> Result<Option<Credentials>, CredentialError> {
    let program = format!("docker-credential-{helper}");
    let failed = |detail: String| CredentialError::HelperFailed {
        helper: helper.to_owned(),
        server: server.to_owned(),
        detail,
    };
    if helper.contains(['/', '\\']) || helper.chars().any(char::is_whitespace) {
        return Err(failed("the helper name is not a plain name".into()));
    }
    let mut child = match tokio::process::Command::new(&program)
        .arg("get")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CredentialError::HelperMissing {
                helper: helper.to_owned(),
                server: server.to_owned(),
                origin: origin.to_owned(),
            });
        }
        Err(e) => return Err(failed(format!("cannot start {program}: {e}"))),
    };
    let mut stdin = child.stdin.take();
    let run = async {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(server.as_bytes()).await;
            let _ = s.shutdown().await;
        }
        drop(stdin);
        child.wait_with_output().await
    };
    let out = match tokio::time::timeout(timeout, run).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(failed(e.to_string())),
        Err(_) => {
            return Err(CredentialError::HelperTimeout {
                helper: helper.to_owned(),
                server: server.to_owned(),
                seconds: timeout.as_secs(),
            });
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        if stdout.to_ascii_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = first_line(if stderr.trim().is_empty() { &stdout } else { &stderr });
        return Err(failed(format!("exit {}: {said}", out.status.code().unwrap_or(-1))));
    }
    #[derive(serde::Deserialize)]
    struct Reply {
        #[serde(rename = "Username", default)]
        username: String,
        #[serde(rename = "Secret", default)]
        secret: String,
    }
    let reply: Reply = serde_json::from_str(stdout.trim())
        .map_err(|_| failed("its answer is not the JSON {\"Username\",\"Secret\"}".into()))?;
    if reply.secret.is_empty() {
        return Ok(None);
    }
    let identity_token = reply.username == "<token>";
    Ok(Some(Credentials {
        username: reply.username,
        password: Secret::new(reply.secret),
        identity_token,
        origin: format!("{program} (from {origin})"),
    }))
}

/// One printable line of helper output, at most 200 characters (untrusted text).
fn first_line(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
    line.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` → (region, account).
pub fn ecr_host(host: &str) -> Option<(String, String)> {
    let h = host.to_ascii_lowercase();
    let rest = h.strip_suffix(".amazonaws.com").or_else(|| h.strip_suffix(".amazonaws.com.cn"))?;
    let (account, rest) = rest.split_once('.')?;
    let region = rest.strip_prefix("dkr.ecr.").or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let region_ok = !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (ok && region_ok).then(|| (region.to_owned(), account.to_owned()))
}

/// `*-docker.pkg.dev`, `gcr.io`, `*.gcr.io`.
pub fn is_google_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.ends_with("-docker.pkg.dev") || h == "gcr.io" || h.ends_with(".gcr.io")
}

type EcrCache = Mutex<HashMap<(Option<String>, Option<String>), (Credentials, SystemTime)>>;

fn ecr_cache() -> &'static EcrCache {
    static CACHE: OnceLock<EcrCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// An ECR token as Basic `AWS:<password>`, from the cache while it lives.
async fn ecr_credentials(
    host: &str,
    region: Option<String>,
    account: Option<String>,
) -> Result<Credentials, CredentialError> {
    let key = (region.clone(), account.clone());
    if let Some(c) = still_valid(
        ecr_cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key),
        SystemTime::now(),
    ) {
        return Ok(c);
    }
    let fail = |message: String| CredentialError::Ecr { host: host.to_owned(), message };
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(r) = &region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    let sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err(fail(
            "no AWS region: set AWS_REGION (or use the registry's own host name)".into(),
        ));
    }
    let client = aws_sdk_ecr::Client::new(&sdk);
    // The token works for every registry the principal may use: no registry id needed.
    let reply = client.get_authorization_token().send().await.map_err(|e| fail(error_chain(&e)))?;
    let data = reply
        .authorization_data()
        .first()
        .ok_or_else(|| fail("the answer holds no authorizationData".into()))?;
    let token =
        data.authorization_token().ok_or_else(|| fail("the answer holds no token".into()))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| fail("the token is not base64 of AWS:<password>".into()))?;
    let (user, password) =
        decoded.split_once(':').ok_or_else(|| fail("the token is not AWS:<password>".into()))?;
    let creds = Credentials::basic(user, Secret::new(password), "Amazon ECR GetAuthorizationToken");
    let until = reuse_until(data.expires_at().and_then(|t| SystemTime::try_from(*t).ok()));
    ecr_cache().lock().unwrap_or_else(|p| p.into_inner()).insert(key, (creds.clone(), until));
    Ok(creds)
}

/// Until when a token that expires at `expires_at` is reused: five minutes early. A token
/// without an expiry, or one already past, serves the call that fetched it only.
fn reuse_until(expires_at: Option<SystemTime>) -> SystemTime {
    expires_at
        .map(|t| t.checked_sub(Duration::from_secs(300)).unwrap_or(t))
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The cached credentials, if they may still be used at `now`.
fn still_valid(entry: Option<&(Credentials, SystemTime)>, now: SystemTime) -> Option<Credentials> {
    entry.filter(|(_, until)| now < *until).map(|(c, _)| c.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ecr_token_is_reused_until_five_minutes_before_it_expires() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let creds = Credentials::basic("AWS", Secret::new("tok"), "test");
        // ECR tokens live 12 hours: reused for 11 h 55 min.
        let until = reuse_until(Some(now + Duration::from_secs(12 * 3600)));
        assert_eq!(until, now + Duration::from_secs(12 * 3600 - 300));
        let entry = (creds, until);
        assert!(still_valid(Some(&entry), now).is_some());
        assert!(still_valid(Some(&entry), now + Duration::from_secs(11 * 3600)).is_some());
        assert!(still_valid(Some(&entry), until).is_none());
        assert!(still_valid(None, now).is_none());
        // Expired on arrival (moto answers an expiry in 2015), or no expiry: never reused.
        let past = reuse_until(Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_420_070_400)));
        assert!(still_valid(Some(&(entry.0.clone(), past)), now).is_none());
        assert!(still_valid(Some(&(entry.0.clone(), reuse_until(None))), now).is_none());
    }

    #[test]
    fn ecr_and_google_hosts() {
        assert_eq!(
            ecr_host("123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
            Some(("eu-west-1".into(), "123456789012".into()))
        );
        assert_eq!(
            ecr_host("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com"),
            Some(("us-east-1".into(), "123456789012".into()))
        );
        assert_eq!(ecr_host("12345.dkr.ecr.eu-west-1.amazonaws.com"), None);
        assert_eq!(ecr_host("ghcr.io"), None);
        assert_eq!(ecr_host("public.ecr.aws"), None);
        assert!(is_google_host("europe-west1-docker.pkg.dev"));
        assert!(is_google_host("eu.gcr.io") && is_google_host("gcr.io"));
        assert!(!is_google_host("ghcr.io") && !is_google_host("docker.pkg.dev.evil.io"));
    }

    #[test]
    fn google_access_token_for_artifact_registry_only() {
        let env = |k: &str| (k == "CLOUDSDK_AUTH_ACCESS_TOKEN").then(|| "ya29.x".to_owned());
        let keychain =
            Keychain { env: &env, aws_ecr: false, helper_timeout: Duration::from_secs(1) };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let gar = ImageRef::parse("europe-west1-docker.pkg.dev/p/r/app:v1").unwrap();
        let c = rt.block_on(find(&gar, &keychain)).unwrap().unwrap();
        assert_eq!(c.username, "oauth2accesstoken");
        assert_eq!(c.password.expose(), "ya29.x");
        assert_eq!(c.origin, "CLOUDSDK_AUTH_ACCESS_TOKEN");
        let ghcr = ImageRef::parse("ghcr.io/o/n").unwrap();
        assert!(rt.block_on(find(&ghcr, &keychain)).unwrap().is_none());
    }

    #[test]
    fn helper_output_is_one_clean_line() {
        assert_eq!(first_line("\n  boom \x1b[31mred\nsecond"), "boom [31mred");
    }
}
