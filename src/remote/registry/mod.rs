//! The OCI distribution client: one repository on one registry, for reading (wait-for-image)
//! and for copying into (promote). Its parts: `auth` (challenges, tokens), `manifests`
//! (HEAD/GET/PUT), `blobs` (HEAD, GET, streamed upload, cross-repository mount).
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

mod auth;
mod blobs;
mod manifests;

pub use auth::Credentials;
pub use blobs::{StreamFailure, Upload, Verdict, VerifiedBody};
pub use manifests::MAX_MANIFEST_BYTES;

use crate::model::oci::Digest;
use crate::remote::http::{HttpClient, HttpError, error_chain, is_loopback_host, redact_url};
use auth::Auth;
use reqwest::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use sha2::{Digest as _, Sha256};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Image config blobs larger than this are refused.
pub const MAX_CONFIG_BYTES: usize = 16 << 20;

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
    /// Will push: ask tokens for `pull,push`.
    push: bool,
    /// Body bytes sent (blob uploads and manifests).
    sent: AtomicU64,
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
            push: false,
            sent: AtomicU64::new(0),
        }
    }

    /// This client will push: tokens are asked for `pull,push` on the repository.
    pub fn for_push(mut self) -> Self {
        self.push = true;
        self
    }

    /// The repository path (`owner/name`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// Whether `other` talks to the same registry (same scheme, host and port), so blobs can
    /// be mounted across repositories.
    pub fn same_registry(&self, other: &RegistryClient) -> bool {
        self.base == other.base
    }

    /// Body bytes sent so far.
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// How long to wait before try `attempt + 1` of something the HTTP client cannot retry
    /// by itself (a streamed upload): the run's one retry policy.
    pub fn retry_delay(&self, attempt: u32) -> std::time::Duration {
        self.http.policy().delay(attempt, None)
    }

    /// The registry's base URL (`https://ghcr.io`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// HTTP requests sent so far (retries and token requests included).
    pub fn requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sends one request with the current authorisation, answering one 401 challenge (or a 403
    /// with a cached token) by authenticating afresh and sending again.
    async fn send(
        &self,
        method: Method,
        url: &str,
        accept: Option<&str>,
    ) -> Result<Response, RegistryError> {
        self.send_with(method, url, accept, &|rb| rb).await
    }

    /// Sends one request with the current authorisation, answering one 401 challenge (or a 403
    /// with a cached token) by authenticating afresh and sending again. `extra` adds headers
    /// and a (cloneable) body; the request is rebuilt for every attempt.
    async fn send_with(
        &self,
        method: Method,
        url: &str,
        accept: Option<&str>,
        extra: &(dyn Fn(RequestBuilder) -> RequestBuilder + Sync),
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
                        extra(auth::apply(rb, &authorization))
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
