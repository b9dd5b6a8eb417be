//! The OCI distribution client: manifest HEAD/GET, config blobs, and registry auth.
//!
//! Every request goes through [`HttpClient`] (one retry policy: transport errors, 5xx and 429
//! with `Retry-After`, bounded by the caller's deadline). On top of it this module:
//! - sends the four manifest media types in `Accept`, so the registry never converts;
//! - verifies every body it reads against the digest it claims (sha256 of the bytes);
//! - answers `401` challenges: `Bearer` → a token from the realm (anonymous, or Basic
//!   `user:password`), accepting `token` or `access_token`, cached until it expires; `Basic` →
//!   Basic credentials. A 401/403 after a fresh token is an auth failure, never "not yet";
//! - speaks plain HTTP only to loopback registries, or when the caller says it is insecure.
//!
//! Nothing here prints; credentials and tokens never enter an error message.

use crate::model::oci::{Digest, MANIFEST_ACCEPT};
use crate::model::www_authenticate::{self, BearerChallenge, Challenge};
use crate::remote::http::{HttpClient, HttpError, error_chain, is_loopback_host, redact_url};
use crate::secret::Secret;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, Response, StatusCode};
use sha2::{Digest as _, Sha256};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Manifests larger than this are refused (registries commonly cap them at 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;
/// Image config blobs larger than this are refused.
pub const MAX_CONFIG_BYTES: usize = 16 << 20;

/// A username and password (or token) for the registry or its token realm.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// Errors from the registry client, classified by what the caller should do about them.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Credentials missing, wrong, or not enough for the repository: fatal.
    #[error("{message}")]
    Auth { message: String, hint: String },
    /// Worth another try within the deadline: transport errors, 5xx and 429 that outlasted
    /// the retries, a body cut short.
    #[error(transparent)]
    Transient(HttpError),
    /// The registry answered something no retry will change: a bad digest, invalid JSON, an
    /// unexpected status.
    #[error("{0}")]
    Protocol(String),
    /// A registry or realm that would need plain HTTP without `--insecure`.
    #[error("{0}")]
    Insecure(String),
    /// The registry does not (yet) have a manifest another one points at: try again later.
    #[error("{0}")]
    Incomplete(String),
}

impl RegistryError {
    pub fn is_transient(&self) -> bool {
        matches!(self, RegistryError::Transient(_) | RegistryError::Incomplete(_))
    }
}

/// A manifest HEAD's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// The reference resolves; the digest is absent when the registry sent no usable
    /// `Docker-Content-Digest` header.
    Found { digest: Option<Digest>, media_type: Option<String> },
    /// 404: the tag (or the repository) is not there yet.
    Missing,
}

/// A verified manifest body.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub digest: Digest,
    pub media_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The state of authorisation with the registry.
#[derive(Debug, Clone)]
enum Auth {
    Anonymous,
    Basic,
    Bearer { token: Secret, expires_at: Instant, challenge: BearerChallenge },
}

/// A client for one repository on one registry.
#[derive(Debug)]
pub struct RegistryClient {
    http: HttpClient,
    base: String,
    repository: String,
    insecure: bool,
    credentials: Option<Credentials>,
    auth: Mutex<Auth>,
    requests: AtomicU32,
}

impl RegistryClient {
    /// `host` is `name[:port]` or `[v6]:port`; `host_name` the bare host for the loopback check.
    pub fn new(
        http: HttpClient,
        host: &str,
        host_name: &str,
        repository: &str,
        credentials: Option<Credentials>,
        insecure: bool,
    ) -> Self {
        let scheme = if insecure || is_loopback_host(host_name) { "http" } else { "https" };
        Self {
            http,
            base: format!("{scheme}://{host}"),
            repository: repository.to_owned(),
            insecure,
            credentials,
            auth: Mutex::new(Auth::Anonymous),
            requests: AtomicU32::new(0),
        }
    }

    /// The registry's base URL (`https://ghcr.io`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// HTTP requests sent so far (retries and token requests included).
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    fn manifest_url(&self, reference: &str) -> String {
        format!("{}/v2/{}/manifests/{reference}", self.base, self.repository)
    }

    /// `HEAD /v2/<name>/manifests/<reference>`.
    pub async fn head_manifest(&self, reference: &str) -> Result<Head, RegistryError> {
        let url = self.manifest_url(reference);
        let resp = self.send(Method::HEAD, &url, Some(MANIFEST_ACCEPT)).await?;
        match resp.status() {
            s if s.is_success() => {
                let digest = header(&resp, "docker-content-digest")
                    .and_then(|d| Digest::parse(d.trim()).ok());
                Ok(Head::Found { digest, media_type: content_type(&resp) })
            }
            StatusCode::NOT_FOUND => Ok(Head::Missing),
            // A registry without HEAD support: the caller falls back to GET.
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED => {
                Ok(Head::Found { digest: None, media_type: None })
            }
            s => Err(unexpected(&url, s, None)),
        }
    }

    /// `GET /v2/<name>/manifests/<reference>`, verified: the sha256 of the bytes must equal
    /// `expected` (when given), the reference (when it is a digest) and `Docker-Content-Digest`
    /// (when sent). `None` when the registry says 404 MANIFEST_UNKNOWN / NAME_UNKNOWN.
    pub async fn get_manifest(
        &self,
        reference: &str,
        expected: Option<&Digest>,
    ) -> Result<Option<Fetched>, RegistryError> {
        let url = self.manifest_url(reference);
        let resp = self.send(Method::GET, &url, Some(MANIFEST_ACCEPT)).await?;
        let status = resp.status();
        if status == StatusCode::NOT_FOUND {
            let body = read_error_body(resp).await;
            return match registry_error_code(&body).as_deref() {
                Some("MANIFEST_UNKNOWN" | "NAME_UNKNOWN") | None => Ok(None),
                Some(_) => Err(unexpected(&url, status, Some(&body))),
            };
        }
        if !status.is_success() {
            let body = read_error_body(resp).await;
            return Err(unexpected(&url, status, Some(&body)));
        }
        let claimed = header(&resp, "docker-content-digest").map(str::to_owned);
        let media_type = content_type(&resp);
        let (bytes, digest) = read_verified(resp, MAX_MANIFEST_BYTES, &url).await?;
        let mut claims: Vec<(String, &str)> = Vec::new();
        if let Some(e) = expected {
            claims.push((e.to_string(), "the digest it was asked for"));
        }
        if let Ok(d) = Digest::parse(reference) {
            claims.push((d.to_string(), "the digest in its URL"));
        }
        if let Some(c) = claimed {
            claims.push((c.trim().to_owned(), "its Docker-Content-Digest header"));
        }
        for (claim, what) in claims {
            check_digest(&url, &digest, &claim, what)?;
        }
        Ok(Some(Fetched { digest, media_type, bytes }))
    }

    /// `GET /v2/<name>/blobs/<digest>`, verified against the digest. A redirect to storage on
    /// another host is followed without the registry's credentials.
    pub async fn get_blob(&self, digest: &Digest, cap: usize) -> Result<Vec<u8>, RegistryError> {
        let url = format!("{}/v2/{}/blobs/{digest}", self.base, self.repository);
        let mut resp = self.send(Method::GET, &url, None).await?;
        let mut hops = 0;
        while resp.status().is_redirection() {
            hops += 1;
            let location =
                header(&resp, LOCATION.as_str()).map(str::to_owned).ok_or_else(|| {
                    RegistryError::Protocol(format!(
                        "GET {}: redirect without a Location",
                        redact_url(&url)
                    ))
                })?;
            let target = resp.url().join(&location).map_err(|_| {
                RegistryError::Protocol(format!("GET {}: unusable redirect", redact_url(&url)))
            })?;
            let plain_ok = target.host_str().is_some_and(is_loopback_host) || self.insecure;
            if hops > 5 || (target.scheme() != "https" && !plain_ok) {
                return Err(RegistryError::Protocol(format!(
                    "GET {}: refusing redirect to {}",
                    redact_url(&url),
                    redact_url(target.as_str())
                )));
            }
            let target = target.to_string();
            let (r, attempts) = self
                .http
                .send_with(|c| c.get(target.as_str()), || async { None })
                .await
                .map_err(RegistryError::Transient)?;
            self.requests.fetch_add(attempts.count, Ordering::Relaxed);
            resp = r;
        }
        if !resp.status().is_success() {
            let status = resp.status();
            let body = read_error_body(resp).await;
            return Err(unexpected(&url, status, Some(&body)));
        }
        let (bytes, actual) = read_verified(resp, cap, &url).await?;
        check_digest(&url, &actual, digest.as_str(), "the blob digest")?;
        Ok(bytes)
    }

    /// Sends one request with the current authorisation, answering one 401 challenge (or a 403
    /// with a cached token) by authenticating afresh and sending again.
    async fn send(
        &self,
        method: Method,
        url: &str,
        accept: Option<&str>,
    ) -> Result<Response, RegistryError> {
        let mut fresh = false;
        loop {
            self.refresh_if_expired().await?;
            let authorization = self.authorization();
            let (resp, attempts) = self
                .http
                .send_with(
                    |c| {
                        let mut rb = c.request(method.clone(), url);
                        if let Some(a) = accept {
                            rb = rb.header(ACCEPT, a);
                        }
                        match &authorization {
                            Some(Authorization::Basic(c)) => {
                                rb.basic_auth(&c.username, Some(c.password.expose()))
                            }
                            Some(Authorization::Bearer(t)) => rb.bearer_auth(t.expose()),
                            None => rb,
                        }
                    },
                    || async { None },
                )
                .await
                .map_err(RegistryError::Transient)?;
            self.requests.fetch_add(attempts.count, Ordering::Relaxed);
            let status = resp.status();
            if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
                return Ok(resp);
            }
            let challenge = header(&resp, WWW_AUTHENTICATE.as_str()).map(str::to_owned);
            if fresh {
                return Err(self.refused(url, status, challenge.as_deref()));
            }
            fresh = true;
            match (status, challenge) {
                (StatusCode::UNAUTHORIZED, Some(h)) => self.answer(url, &h).await?,
                (_, _) => {
                    // A 403 (or a bare 401) with a cached token: try one fresh token.
                    let challenge = match &*self.lock() {
                        Auth::Bearer { challenge, .. } => Some(challenge.clone()),
                        _ => None,
                    };
                    match challenge {
                        Some(c) => self.fetch_token(&c).await?,
                        None => return Err(self.refused(url, status, None)),
                    }
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Auth> {
        self.auth.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn authorization(&self) -> Option<Authorization> {
        match &*self.lock() {
            Auth::Anonymous => None,
            Auth::Basic => self.credentials.clone().map(Authorization::Basic),
            Auth::Bearer { token, .. } => Some(Authorization::Bearer(token.clone())),
        }
    }

    async fn refresh_if_expired(&self) -> Result<(), RegistryError> {
        let expired = match &*self.lock() {
            Auth::Bearer { expires_at, challenge, .. } if Instant::now() >= *expires_at => {
                Some(challenge.clone())
            }
            _ => None,
        };
        match expired {
            Some(c) => self.fetch_token(&c).await,
            None => Ok(()),
        }
    }

    /// Answers a `WWW-Authenticate` challenge.
    async fn answer(&self, url: &str, header: &str) -> Result<(), RegistryError> {
        let challenge = www_authenticate::preferred(header)
            .map_err(|e| RegistryError::Protocol(format!("{}: {e}", redact_url(url))))?;
        match challenge {
            Challenge::Bearer(mut c) => {
                let pull = format!("repository:{}:pull", self.repository);
                if !c
                    .scopes
                    .iter()
                    .any(|s| s.starts_with(&format!("repository:{}:", self.repository)))
                {
                    c.scopes.push(pull);
                }
                self.fetch_token(&c).await
            }
            Challenge::Basic { realm } => {
                if self.credentials.is_none() {
                    return Err(RegistryError::Auth {
                        message: format!(
                            "{} requires a username and password (Basic realm {:?})",
                            self.base,
                            realm.unwrap_or_default()
                        ),
                        hint: CREDENTIALS_HINT.into(),
                    });
                }
                self.check_plain_http_credentials(&self.base)?;
                *self.lock() = Auth::Basic;
                Ok(())
            }
            Challenge::Other { scheme } => Err(RegistryError::Auth {
                message: format!(
                    "{} asks for {scheme} authentication, which surestep does not speak",
                    self.base
                ),
                hint: "use a registry that offers Bearer (token) or Basic authentication".into(),
            }),
        }
    }

    /// Gets a token from the challenge's realm, anonymously or with the credentials.
    async fn fetch_token(&self, challenge: &BearerChallenge) -> Result<(), RegistryError> {
        let realm = reqwest::Url::parse(&challenge.realm).map_err(|_| {
            RegistryError::Protocol(format!(
                "{} named a token realm that is not a URL: {:?}",
                self.base,
                redact_url(&challenge.realm)
            ))
        })?;
        let plain_ok = realm.host_str().is_some_and(is_loopback_host) || self.insecure;
        if realm.scheme() != "https" && !(realm.scheme() == "http" && plain_ok) {
            return Err(RegistryError::Insecure(format!(
                "the token realm {} is not HTTPS",
                redact_url(realm.as_str())
            )));
        }
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(service) = &challenge.service {
            query.push(("service", service));
        }
        for scope in &challenge.scopes {
            query.push(("scope", scope));
        }
        let creds = self.credentials.clone();
        let (resp, attempts) = self
            .http
            .send_with(
                |c| {
                    let rb = c.get(realm.clone()).query(&query);
                    match &creds {
                        Some(c) => rb.basic_auth(&c.username, Some(c.password.expose())),
                        None => rb,
                    }
                },
                || async { None },
            )
            .await
            .map_err(RegistryError::Transient)?;
        self.requests.fetch_add(attempts.count, Ordering::Relaxed);
        let shown = redact_url(realm.as_str());
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(match &self.credentials {
                Some(c) => RegistryError::Auth {
                    message: format!(
                        "the token server {shown} refused the credentials of {:?} ({status})",
                        c.username
                    ),
                    hint:
                        "check the username and password (or token) and that it may pull this image"
                            .into(),
                },
                None => RegistryError::Auth {
                    message: format!(
                        "the token server {shown} refused anonymous access ({status})"
                    ),
                    hint: CREDENTIALS_HINT.into(),
                },
            });
        }
        if !status.is_success() {
            return Err(RegistryError::Protocol(format!(
                "GET {shown}: the token server answered {status}"
            )));
        }
        let (body, _) = read_verified(resp, 1 << 20, &challenge.realm).await?;
        let reply: TokenReply = serde_json::from_slice(&body).map_err(|e| {
            RegistryError::Protocol(format!("GET {shown}: the token reply is not JSON ({e})"))
        })?;
        let token =
            reply.token.or(reply.access_token).filter(|t| !t.is_empty()).ok_or_else(|| {
                RegistryError::Protocol(format!("GET {shown}: the reply carries no token"))
            })?;
        // The spec's default and floor is 60 s; renew a little early.
        // A server's number is clamped: a day at most, so no clock arithmetic can overflow.
        let lifetime = Duration::from_secs(reply.expires_in.unwrap_or(60).clamp(60, 86_400));
        let expires_at = Instant::now() + lifetime.mul_f64(0.9);
        *self.lock() =
            Auth::Bearer { token: Secret::new(token), expires_at, challenge: challenge.clone() };
        Ok(())
    }

    fn check_plain_http_credentials(&self, url: &str) -> Result<(), RegistryError> {
        if url.starts_with("http://") && !self.insecure {
            let host_ok = reqwest::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(is_loopback_host))
                .unwrap_or(false);
            if !host_ok {
                return Err(RegistryError::Insecure(format!(
                    "refusing to send credentials over plain HTTP to {}",
                    redact_url(url)
                )));
            }
        }
        Ok(())
    }

    fn refused(&self, url: &str, status: StatusCode, challenge: Option<&str>) -> RegistryError {
        let detail = challenge
            .and_then(|h| www_authenticate::preferred(h).ok())
            .and_then(|c| match c {
                Challenge::Bearer(b) => b.error,
                _ => None,
            })
            .map(|e| format!(", {e}"))
            .unwrap_or_default();
        let who = match &self.credentials {
            Some(c) => format!("as {:?}", c.username),
            None => "anonymously".to_owned(),
        };
        let message = format!(
            "{} refused access to {} {who} ({status}{detail})",
            redact_url(url),
            self.repository
        );
        let hint = if self.credentials.is_some() {
            "check the credentials and that they may pull this repository".to_owned()
        } else {
            CREDENTIALS_HINT.to_owned()
        };
        RegistryError::Auth { message, hint }
    }
}

const CREDENTIALS_HINT: &str = "pass --username and --password (or SURESTEP_REGISTRY_USERNAME / \
SURESTEP_REGISTRY_PASSWORD; on ghcr.io GITHUB_TOKEN with `permissions: packages: read`)";

enum Authorization {
    Basic(Credentials),
    Bearer(Secret),
}

#[derive(serde::Deserialize)]
struct TokenReply {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

fn header<'a>(resp: &'a Response, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

fn content_type(resp: &Response) -> Option<String> {
    header(resp, CONTENT_TYPE.as_str()).map(|c| c.split(';').next().unwrap_or(c).trim().to_owned())
}

/// Reads a body up to `cap` bytes, hashing it as it streams.
async fn read_verified(
    mut resp: Response,
    cap: usize,
    url: &str,
) -> Result<(Vec<u8>, Digest), RegistryError> {
    let mut hasher = Sha256::new();
    let mut bytes = Vec::new();
    loop {
        let chunk = resp.chunk().await.map_err(|e| {
            RegistryError::Transient(HttpError::Transport {
                method: "GET".into(),
                url: redact_url(url),
                message: error_chain(&e),
            })
        })?;
        let Some(chunk) = chunk else { break };
        if bytes.len() + chunk.len() > cap {
            return Err(RegistryError::Protocol(format!(
                "GET {}: the body is larger than {} MiB",
                redact_url(url),
                cap >> 20
            )));
        }
        hasher.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, Digest::from_hasher(hasher)))
}

fn check_digest(url: &str, actual: &Digest, claim: &str, what: &str) -> Result<(), RegistryError> {
    if claim.starts_with("sha256:") && claim != actual.as_str() {
        return Err(RegistryError::Protocol(format!(
            "GET {}: the content's digest is {actual}, but {what} says {claim}",
            redact_url(url)
        )));
    }
    if !claim.starts_with("sha256:") {
        return Err(RegistryError::Protocol(format!(
            "GET {}: {what} uses an unsupported digest algorithm ({claim})",
            redact_url(url)
        )));
    }
    Ok(())
}

/// An error body, at most 64 KiB, for messages.
async fn read_error_body(mut resp: Response) -> String {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        out.extend_from_slice(&chunk);
        if out.len() > 64 << 10 {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first `errors[].code` of a distribution error body.
pub fn registry_error_code(body: &str) -> Option<String> {
    registry_errors(body).into_iter().next().map(|(code, _)| code)
}

fn registry_errors(body: &str) -> Vec<(String, String)> {
    #[derive(serde::Deserialize)]
    struct Body {
        errors: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    serde_json::from_str::<Body>(body)
        .map(|b| b.errors.into_iter().map(|e| (e.code, e.message)).collect())
        .unwrap_or_default()
}

fn unexpected(url: &str, status: StatusCode, body: Option<&str>) -> RegistryError {
    let detail = body
        .map(|b| {
            let errors = registry_errors(b);
            if errors.is_empty() {
                // Not the distribution error JSON: a proxy's or load balancer's page, reduced
                // to its words (no markup, CSS or scripts), capped.
                crate::remote::http::readable_excerpt(b, 200)
            } else {
                errors
                    .iter()
                    .map(|(c, m)| if m.is_empty() { c.clone() } else { format!("{c}: {m}") })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        })
        .filter(|d| !d.is_empty())
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    RegistryError::Protocol(format!("{} answered {status}{detail}", redact_url(url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_error_page_is_reduced_to_its_words() {
        let page = "<!DOCTYPE html>\n<html><head><style>h1 {color: red}</style></head>\
                    <body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>";
        let e = unexpected(
            "http://127.0.0.1:5000/v2/x/manifests/1",
            StatusCode::BAD_GATEWAY,
            Some(page),
        );
        assert_eq!(
            e.to_string(),
            "http://127.0.0.1:5000/v2/x/manifests/1 answered 502 Bad Gateway: 502 Bad Gateway nginx"
        );
    }

    #[test]
    fn error_codes() {
        let body = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#;
        assert_eq!(registry_error_code(body).as_deref(), Some("MANIFEST_UNKNOWN"));
        assert_eq!(registry_error_code("404 page not found"), None);
        let e = unexpected("http://h/v2/o/n/manifests/x", StatusCode::BAD_REQUEST, Some(body));
        assert_eq!(
            e.to_string(),
            "http://h/v2/o/n/manifests/x answered 400 Bad Request: MANIFEST_UNKNOWN: manifest unknown"
        );
    }

    #[test]
    fn digest_checks() {
        let d = Digest::sha256_of(b"x");
        assert!(check_digest("http://h/x", &d, d.as_str(), "it").is_ok());
        let other = Digest::sha256_of(b"y");
        let err = check_digest("http://h/x", &d, other.as_str(), "its header").unwrap_err();
        assert!(err.to_string().contains("but its header says"));
        assert!(check_digest("http://h/x", &d, "sha512:00", "it").is_err());
    }
}
