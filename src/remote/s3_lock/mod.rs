//! The S3 side of Terraform lock files: one client from aws-config's default chain, and the few
//! operations the lock commands need, each mapping S3's answers to a typed [`S3LockError`].
//! What each part owns: `read` (a lock with its ETag, listings), `write` (conditional puts and
//! deletes), `probe` (learning, on a scratch object, which conditions the store honours).
//!
//! Credentials, region and endpoint come from the environment the way every AWS tool reads them
//! (env, profile, SSO, web identity), overridden by `--region` / `--endpoint-url`. The client
//! never prints; the secret parts of the resolved credentials are handed back so the caller can
//! mask them before any request is made.

use crate::secret::Secret;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{BehaviorVersion, ProvideCredentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use base64::Engine;
use md5::Digest;
use std::time::{Duration, SystemTime};

/// Adds the SSE-C headers to any S3 request builder (GetObject, HeadObject, PutObject each have
/// their own builder type, so a function cannot take them all): every read and write of an
/// encrypted lock must carry the key, which Terraform itself forgets on the lock read.
macro_rules! with_sse_c {
    ($req:expr, $sse:expr) => {
        match $sse {
            Some(sse) => $req
                .sse_customer_algorithm("AES256")
                .sse_customer_key(sse.key_b64.expose())
                .sse_customer_key_md5(&sse.md5_b64),
            None => $req,
        }
    };
}

mod probe;
mod read;
mod write;

pub use probe::{Condition, ProbeCheck, Verdict, check_conditions, scratch_key};

/// How to reach the store, from the command line.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    /// `--endpoint-url`; otherwise `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` / the profile.
    pub endpoint_url: Option<String>,
    /// `--path-style`: `http://host/bucket/key` addressing (most S3-compatible stores).
    pub path_style: bool,
    /// `--region`; otherwise the chain's region, else `us-east-1`.
    pub region: Option<String>,
    /// SSE-C key (base64 of 32 bytes), sent on every lock read and write.
    pub sse_customer_key: Option<Secret>,
}

/// An SSE-C key ready to send: the base64 key and the base64 MD5 of its bytes.
#[derive(Debug, Clone)]
struct SseCustomerKey {
    key_b64: Secret,
    md5_b64: String,
}

impl SseCustomerKey {
    fn parse(key: &Secret) -> Result<Self, S3LockError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key.expose().trim())
            .map_err(|_| S3LockError::BadSseKey("it is not valid base64".into()))?;
        if bytes.len() != 32 {
            return Err(S3LockError::BadSseKey(format!(
                "it decodes to {} bytes; SSE-C needs a 256-bit (32-byte) AES key",
                bytes.len()
            )));
        }
        let md5 = md5::Md5::digest(&bytes);
        Ok(Self {
            key_b64: Secret::new(key.expose().trim()),
            md5_b64: base64::engine::general_purpose::STANDARD.encode(md5),
        })
    }
}

/// What went wrong talking to S3, classified so the command can say what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum S3LockError {
    #[error("no AWS credentials found: {0}")]
    NoCredentials(String),
    #[error("the SSE-C key is unusable: {0}")]
    BadSseKey(String),
    #[error("access denied on {target} ({code}: {message})")]
    AccessDenied { target: String, code: String, message: String },
    #[error("bucket {bucket:?} does not exist")]
    NoSuchBucket { bucket: String },
    #[error("bucket {bucket:?} is not in region {used}{}", .actual.as_deref().map(|r| format!("; it is in {r}")).unwrap_or_default())]
    WrongRegion { bucket: String, used: String, actual: Option<String> },
    #[error("the store does not implement {what} (HTTP 501 NotImplemented)")]
    NotImplemented { what: String },
    #[error("a precondition did not hold on {target} (HTTP 412 PreconditionFailed)")]
    PreconditionFailed { target: String },
    #[error("a concurrent write to {target} conflicted (HTTP 409 ConditionalRequestConflict)")]
    Conflict { target: String },
    #[error("{target} does not exist")]
    NoSuchKey { target: String },
    #[error("cannot reach the S3 endpoint {endpoint}: {message}")]
    Unreachable { endpoint: String, message: String },
    #[error(
        "{target}: the body is larger than the {limit}-byte limit for a lock; this is not a Terraform lock"
    )]
    TooLarge { target: String, limit: usize },
    #[error(
        "{endpoint} answered {op} {target} with HTTP {status} but not as S3 does (no S3 error code, no x-amz-request-id header{}): whether a lock exists is unknown",
        .answered.as_deref().map(|a| format!("; it said: {a}")).unwrap_or_default()
    )]
    NotS3 {
        op: &'static str,
        target: String,
        endpoint: String,
        status: u16,
        answered: Option<String>,
    },
    #[error("{op} on {target} failed: HTTP {status} {code}: {message}")]
    Other { op: &'static str, target: String, status: u16, code: String, message: String },
}

impl S3LockError {
    /// A failure after which a write may or may not have happened: no answer (reset, timeout)
    /// or a 5xx.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            S3LockError::Unreachable { .. } => true,
            S3LockError::Other { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// A hint for the user, where one helps.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            S3LockError::NoCredentials(_) => "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or use aws-actions/configure-aws-credentials before this step".into(),
            S3LockError::BadSseKey(_) => "pass the same base64 key Terraform's sse_customer_key / AWS_SSE_CUSTOMER_KEY uses".into(),
            S3LockError::AccessDenied { code, .. } if code != "AccessDenied" => {
                "the credentials were rejected: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile".into()
            }
            S3LockError::AccessDenied { .. } => "the lock commands need s3:ListBucket on the bucket and s3:GetObject (and s3:DeleteObject to unlock, s3:PutObject to probe) on the .tflock keys".into(),
            S3LockError::NoSuchBucket { .. } => "check the bucket name, and --endpoint-url / --region if the state lives in another store".into(),
            S3LockError::WrongRegion { actual: Some(r), .. } => format!("pass --region {r}"),
            S3LockError::WrongRegion { .. } => "pass the bucket's region with --region".into(),
            S3LockError::Unreachable { .. } => "check --endpoint-url / AWS_ENDPOINT_URL_S3 and the network".into(),
            S3LockError::NotS3 { .. } => "check --endpoint-url / AWS_ENDPOINT_URL_S3: it should be the S3 API endpoint (a wrong port or a proxy answers like this)".into(),
            _ => return None,
        })
    }
}

/// A lock object as read: body, ETag and Last-Modified.
#[derive(Debug, Clone)]
pub struct LockObject {
    pub key: String,
    pub body: Vec<u8>,
    /// The ETag exactly as the store sent it (quotes included), for `If-Match`.
    pub etag: String,
    pub last_modified: Option<SystemTime>,
}

/// The `.tflock` keys found under a prefix, and how many objects the listing went through.
#[derive(Debug, Clone, Default)]
pub struct LockListing {
    pub lock_keys: Vec<String>,
    pub objects_scanned: u64,
    pub pages: u32,
}

/// The store's answer to a conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conditional {
    /// The request was carried out (2xx).
    Done { etag: Option<String> },
    /// 412: the condition did not hold, nothing changed.
    PreconditionFailed,
    /// 404 NoSuchKey (If-Match on a key that is gone).
    Missing,
    /// 501: the store does not know the header.
    NotImplemented,
}

/// The largest lock body read (Terraform's are a few hundred bytes).
pub const MAX_LOCK_BYTES: usize = 1 << 20;

/// GETs in flight at once while reading many locks.
pub const READ_CONCURRENCY: usize = 16;

/// A connected lock store: the S3 client plus what every request needs.
#[derive(Debug, Clone)]
pub struct LockStore {
    client: Client,
    sse: Option<SseCustomerKey>,
    endpoint: String,
    region: String,
}

impl LockStore {
    /// Builds the client from the default chain and the flags, and resolves credentials once.
    ///
    /// Returns the store and the secrets it holds (secret key, session token, SSE-C key), which
    /// the caller masks before anything else happens.
    pub async fn connect(settings: &S3Settings) -> Result<(Self, Vec<Secret>), S3LockError> {
        let sse = settings.sse_customer_key.as_ref().map(SseCustomerKey::parse).transpose()?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let sdk = loader.load().await;
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());

        let mut secrets = Vec::new();
        if let Some(key) = &sse {
            secrets.push(key.key_b64.clone());
        }
        let provider = sdk.credentials_provider().ok_or_else(|| {
            S3LockError::NoCredentials("no credentials provider is configured".into())
        })?;
        let creds = provider
            .provide_credentials()
            .await
            .map_err(|e| S3LockError::NoCredentials(error_chain(&e)))?;
        secrets.push(Secret::new(creds.secret_access_key()));
        if let Some(token) = creds.session_token() {
            secrets.push(Secret::new(token));
        }

        let mut conf = aws_sdk_s3::config::Builder::from(&sdk)
            .region(Region::new(region.clone()))
            .force_path_style(settings.path_style)
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_attempt_timeout(Duration::from_secs(60))
                    .build(),
            );
        let endpoint = match &settings.endpoint_url {
            Some(url) => {
                conf = conf.endpoint_url(url.clone());
                crate::secret::redact_userinfo(url)
            }
            None => configured_endpoint()
                .map(|u| crate::secret::redact_userinfo(&u))
                .unwrap_or_else(|| format!("AWS S3 ({region})")),
        };
        let client = Client::from_conf(conf.build());
        Ok((Self { client, sse, endpoint, region }, secrets))
    }

    /// Where requests go, for messages (never carries credentials).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn conditional_error<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
        &self,
        op: &'static str,
        bucket: &str,
        key: &str,
        err: SdkError<E, HttpResponse>,
    ) -> Result<Conditional, S3LockError> {
        match self.classify(op, bucket, key, err) {
            S3LockError::PreconditionFailed { .. } => Ok(Conditional::PreconditionFailed),
            S3LockError::NoSuchKey { .. } => Ok(Conditional::Missing),
            S3LockError::NotImplemented { .. } => Ok(Conditional::NotImplemented),
            other => Err(other),
        }
    }

    fn classify<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
        &self,
        op: &'static str,
        bucket: &str,
        key: &str,
        err: SdkError<E, HttpResponse>,
    ) -> S3LockError {
        classify(op, bucket, key, (&self.endpoint, &self.region), err)
    }
}

/// Maps an SDK error to what it means for the user. `at` is (endpoint, region), for messages.
fn classify<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
    op: &'static str,
    bucket: &str,
    key: &str,
    (endpoint, region): (&str, &str),
    err: SdkError<E, HttpResponse>,
) -> S3LockError {
    let target = format!("s3://{bucket}/{key}");
    let (status, region_header, s3_like, answered) = match err.raw_response() {
        Some(r) => {
            let headers = r.headers();
            // Every S3 answer carries a request ID (AWS: x-amz-request-id and x-amz-id-2;
            // moto: x-amzn-requestid) or is XML; a web page or another service's 404 is neither.
            let s3_like = ["x-amz-request-id", "x-amz-id-2", "x-amzn-requestid"]
                .iter()
                .any(|h| headers.get(*h).is_some())
                || headers.get("content-type").is_some_and(|t| t.contains("xml"));
            let answered = r
                .body()
                .bytes()
                .map(|b| crate::remote::http::readable_excerpt(&String::from_utf8_lossy(b), 200))
                .filter(|t| !t.is_empty())
                .or_else(|| headers.get("content-type").map(|t| format!("Content-Type {t}")));
            (
                Some(r.status().as_u16()),
                headers.get("x-amz-bucket-region").map(str::to_owned),
                s3_like,
                answered,
            )
        }
        None => (None, None, true, None),
    };
    let Some(status) = status else {
        // No HTTP response at all: connection, DNS, TLS, timeout.
        return S3LockError::Unreachable {
            endpoint: endpoint.to_owned(),
            message: error_chain(&err),
        };
    };
    let code = err.code().unwrap_or_default().to_owned();
    let message = err.message().unwrap_or_default().to_owned();
    match (status, code.as_str()) {
        (_, "NoSuchBucket") => S3LockError::NoSuchBucket { bucket: bucket.to_owned() },
        (_, "NoSuchKey") => S3LockError::NoSuchKey { target },
        // A bare 404 (HEAD has no body; the SDK calls it NotFound) is "no such key" only when
        // it comes from S3; otherwise nobody said whether the lock exists.
        (404, "NotFound" | "") if s3_like => S3LockError::NoSuchKey { target },
        (404, "NotFound" | "") => {
            S3LockError::NotS3 { op, target, endpoint: endpoint.to_owned(), status, answered }
        }
        (_, "PreconditionFailed") | (412, _) => S3LockError::PreconditionFailed { target },
        (_, "ConditionalRequestConflict") => S3LockError::Conflict { target },
        (_, "NotImplemented") | (501, _) => {
            S3LockError::NotImplemented { what: format!("{op} with a condition header") }
        }
        (
            _,
            "AccessDenied"
            | "SignatureDoesNotMatch"
            | "InvalidAccessKeyId"
            | "InvalidToken"
            | "ExpiredToken"
            | "TokenRefreshRequired",
        ) => S3LockError::AccessDenied { target, code, message },
        (301, _) | (_, "PermanentRedirect") | (_, "AuthorizationHeaderMalformed") => {
            S3LockError::WrongRegion {
                bucket: bucket.to_owned(),
                used: region.to_owned(),
                actual: region_header,
            }
        }
        (401 | 403, _) => S3LockError::AccessDenied {
            target,
            code: if code.is_empty() { "AccessDenied".into() } else { code },
            message: if message.is_empty() { format!("HTTP {status}") } else { message },
        },
        _ => S3LockError::Other {
            op,
            target,
            status,
            code: if code.is_empty() { "-".into() } else { code },
            message: if message.is_empty() { error_chain(&err) } else { message },
        },
    }
}

/// An error and its sources, each by its Display, joined with ": " (repeats dropped).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The endpoint the SDK will use when none is given on the command line, for messages.
fn configured_endpoint() -> Option<String> {
    if std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_ok_and(|v| v == "true") {
        return None;
    }
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_key_must_be_32_bytes_of_base64() {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let parsed = SseCustomerKey::parse(&Secret::new(key)).unwrap();
        // MD5 of 32 bytes, base64: 24 characters.
        assert_eq!(parsed.md5_b64.len(), 24);
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let err = SseCustomerKey::parse(&Secret::new(short)).unwrap_err().to_string();
        assert!(err.contains("16 bytes"), "{err}");
        let err = SseCustomerKey::parse(&Secret::new("not base64!")).unwrap_err().to_string();
        assert!(!err.contains("not base64!"), "the key must not be echoed: {err}");
    }

    fn answer(status: u16, code: &str, region_header: Option<&str>) -> S3LockError {
        use aws_sdk_s3::error::ErrorMetadata;
        use aws_sdk_s3::operation::get_object::GetObjectError;
        use aws_sdk_s3::primitives::SdkBody;
        let mut meta = ErrorMetadata::builder();
        if !code.is_empty() {
            meta = meta.code(code).message(format!("{code} said the server"));
        }
        let mut raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        if let Some(r) = region_header {
            raw.headers_mut().insert("x-amz-bucket-region", r.to_owned());
        }
        let err = SdkError::service_error(GetObjectError::generic(meta.build()), raw);
        classify("GetObject", "state", "dev/k.tflock", ("http://s3.test", "us-east-1"), err)
    }

    #[test]
    fn s3_answers_are_classified() {
        match answer(301, "PermanentRedirect", Some("eu-west-1")) {
            S3LockError::WrongRegion { actual, used, .. } => {
                assert_eq!(actual.as_deref(), Some("eu-west-1"));
                assert_eq!(used, "us-east-1");
            }
            other => panic!("{other:?}"),
        }
        // HEAD answers 301 without a body.
        assert!(matches!(answer(301, "", None), S3LockError::WrongRegion { actual: None, .. }));
        assert!(matches!(
            answer(400, "AuthorizationHeaderMalformed", None),
            S3LockError::WrongRegion { .. }
        ));
        match answer(403, "AccessDenied", None) {
            S3LockError::AccessDenied { target, code, .. } => {
                assert_eq!(target, "s3://state/dev/k.tflock");
                assert_eq!(code, "AccessDenied");
            }
            other => panic!("{other:?}"),
        }
        let token = answer(400, "InvalidToken", None);
        assert!(matches!(token, S3LockError::AccessDenied { .. }), "{token:?}");
        let denied = answer(403, "SignatureDoesNotMatch", None);
        assert!(denied.hint().unwrap().contains("credentials were rejected"), "{denied:?}");
        assert!(
            matches!(answer(404, "NoSuchBucket", None), S3LockError::NoSuchBucket { bucket } if bucket == "state")
        );
        assert!(matches!(answer(404, "NoSuchKey", None), S3LockError::NoSuchKey { .. }));
        // A bare 404 without S3's headers is not "no lock".
        assert!(matches!(answer(404, "", None), S3LockError::NotS3 { status: 404, .. }));
        assert!(matches!(
            answer(412, "PreconditionFailed", None),
            S3LockError::PreconditionFailed { .. }
        ));
        assert!(matches!(
            answer(409, "ConditionalRequestConflict", None),
            S3LockError::Conflict { .. }
        ));
        assert!(matches!(answer(501, "NotImplemented", None), S3LockError::NotImplemented { .. }));
        match answer(500, "InternalError", None) {
            e @ S3LockError::Other { status: 500, .. } => {
                assert!(
                    e.to_string().contains(
                        "GetObject on s3://state/dev/k.tflock failed: HTTP 500 InternalError"
                    ),
                    "{e}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_region_names_the_right_one() {
        let e = S3LockError::WrongRegion {
            bucket: "b".into(),
            used: "us-east-1".into(),
            actual: Some("eu-west-1".into()),
        };
        assert_eq!(e.to_string(), "bucket \"b\" is not in region us-east-1; it is in eu-west-1");
        assert_eq!(e.hint().unwrap(), "pass --region eu-west-1");
    }
}
