//! Trusted publishing: trade the CI's OIDC identity for a short-lived upload token.
//!
//! `GET {base}/_/oidc/audience` → `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` (bearer
//! `$ACTIONS_ID_TOKEN_REQUEST_TOKEN`) → `POST {base}/_/oidc/mint-token {"token": jwt}`. Every
//! token is a [`Secret`] handed to `mask` before anything else sees it. A minted token lives
//! 15 minutes; [`TrustedToken::current`] mints again once 10 of them have passed.

use crate::remote::http::{HttpClient, HttpError, redact_url};
use crate::remote::index::BasicAuth;
use crate::secret::{Secret, redact};
use reqwest::Url;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Re-mint when the token is this old (PyPI tokens expire after 900 s; twine uses 600 s too).
pub const REMINT_AFTER: Duration = Duration::from_secs(600);

/// Where the CI's ID token comes from (GitHub Actions' two variables).
#[derive(Debug, Clone)]
pub struct IdTokenRequest {
    pub url: Url,
    pub token: Secret,
}

impl IdTokenRequest {
    /// From `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, when both are set.
    pub fn from_env() -> Result<Option<Self>, TrustedPublishingError> {
        let url = std::env::var("ACTIONS_ID_TOKEN_REQUEST_URL").ok().filter(|v| !v.is_empty());
        let token = std::env::var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").ok().filter(|v| !v.is_empty());
        match (url, token) {
            (Some(url), Some(token)) => {
                let url = Url::parse(&url).map_err(|_| TrustedPublishingError::BadRequestUrl)?;
                Ok(Some(Self { url, token: Secret::new(token) }))
            }
            (Some(_), None) => Err(TrustedPublishingError::MissingRequestToken),
            _ => Ok(None),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrustedPublishingError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")]
    BadRequestUrl,
    #[error("ACTIONS_ID_TOKEN_REQUEST_URL is set but ACTIONS_ID_TOKEN_REQUEST_TOKEN is not")]
    MissingRequestToken,
    #[error("{step}: {url} answered {status}{}", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused { step: &'static str, url: String, status: reqwest::StatusCode, detail: Option<String> },
    #[error("{step}: {url} answered something unexpected ({message})")]
    BadAnswer { step: &'static str, url: String, message: String },
}

/// The largest answer read from the audience, ID-token and mint endpoints.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Exchanges an OIDC identity for upload tokens at one index.
pub struct Minter {
    http: HttpClient,
    /// The index origin serving `/_/oidc/…` (the upload URL's origin unless overridden).
    base: Url,
    id_token: IdTokenRequest,
    mask: Arc<dyn Fn(&Secret) + Send + Sync>,
}

impl Minter {
    pub fn new(
        http: HttpClient,
        base: Url,
        id_token: IdTokenRequest,
        mask: Arc<dyn Fn(&Secret) + Send + Sync>,
    ) -> Self {
        mask(&id_token.token);
        Self { http, base, id_token, mask }
    }

    /// Runs the three steps and returns a masked upload token.
    pub async fn mint(&self) -> Result<Secret, TrustedPublishingError> {
        let audience = self.audience().await?;
        let jwt = self.id_token(&audience).await?;
        (self.mask)(&jwt);
        let url = self.endpoint("_/oidc/mint-token");
        let body = serde_json::json!({ "token": jwt.expose() });
        let response = self.http.send(|c| c.post(url.clone()).json(&body)).await?;
        let json = self.json("minting the upload token", &url, response, &[&jwt]).await?;
        let token = json
            .get("token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(Secret::new)
            .ok_or_else(|| TrustedPublishingError::BadAnswer {
                step: "minting the upload token",
                url: redact_url(url.as_str()),
                message: "no `token` in the answer".into(),
            })?;
        (self.mask)(&token);
        Ok(token)
    }

    async fn audience(&self) -> Result<String, TrustedPublishingError> {
        let url = self.endpoint("_/oidc/audience");
        let response = self.http.send(|c| c.get(url.clone())).await?;
        let json = self.json("asking the index for its OIDC audience", &url, response, &[]).await?;
        json.get("audience").and_then(|a| a.as_str()).map(str::to_owned).ok_or_else(|| {
            TrustedPublishingError::BadAnswer {
                step: "asking the index for its OIDC audience",
                url: redact_url(url.as_str()),
                message: "no `audience` in the answer".into(),
            }
        })
    }

    async fn id_token(&self, audience: &str) -> Result<Secret, TrustedPublishingError> {
        let mut url = self.id_token.url.clone();
        url.query_pairs_mut().append_pair("audience", audience);
        let bearer = format!("bearer {}", self.id_token.token.expose());
        let response = self
            .http
            .send(|c| c.get(url.clone()).header(reqwest::header::AUTHORIZATION, bearer.clone()))
            .await?;
        let step =
            "requesting the OIDC ID token from the CI (is `permissions: id-token: write` set?)";
        let json = self.json(step, &url, response, &[&self.id_token.token]).await?;
        json.get("value")
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| TrustedPublishingError::BadAnswer {
                step,
                url: redact_url(url.as_str()),
                message: "no `value` in the answer".into(),
            })
    }

    async fn json(
        &self,
        step: &'static str,
        url: &Url,
        response: reqwest::Response,
        secrets: &[&Secret],
    ) -> Result<serde_json::Value, TrustedPublishingError> {
        let status = response.status();
        let shown = redact_url(url.as_str());
        // The answers are a few hundred bytes: a huge or endless body is cut off here.
        let bytes = match crate::remote::http::read_limited(response, MAX_ANSWER_BYTES).await {
            Ok(bytes) => bytes,
            Err(e @ HttpError::TooLarge { .. }) => return Err(e.into()),
            Err(_) if !status.is_success() => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let text = String::from_utf8_lossy(&bytes);
        if !status.is_success() {
            return Err(TrustedPublishingError::Refused {
                step,
                url: shown,
                status,
                detail: error_detail(&text).map(|d| redact(&d, secrets)),
            });
        }
        serde_json::from_str(&text).map_err(|e| TrustedPublishingError::BadAnswer {
            step,
            url: shown,
            message: format!("not JSON: {e}"),
        })
    }

    fn endpoint(&self, path: &str) -> Url {
        self.base.join(&format!("/{path}")).unwrap_or_else(|_| self.base.clone())
    }
}

/// Warehouse's error body: `{"message": …, "errors": [{"code", "description"}]}`.
fn error_detail(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let errors = json.get("errors").and_then(|e| e.as_array());
    let described: Vec<String> = errors
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
                    let description = e.get("description").and_then(|c| c.as_str()).unwrap_or("");
                    format!("{code} {description}").trim().to_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    if !described.is_empty() {
        return Some(described.join("; "));
    }
    json.get("message").and_then(|m| m.as_str()).map(str::to_owned)
}

/// A minted token that renews itself before it expires.
pub struct TrustedToken {
    minter: Minter,
    current: tokio::sync::Mutex<(Secret, Instant)>,
}

impl TrustedToken {
    /// Mints the first token.
    pub async fn start(minter: Minter) -> Result<Self, TrustedPublishingError> {
        let token = minter.mint().await?;
        Ok(Self { minter, current: tokio::sync::Mutex::new((token, Instant::now())) })
    }

    /// Upload credentials with a token that has at least 5 minutes left.
    pub async fn current(&self) -> Result<BasicAuth, TrustedPublishingError> {
        let mut guard = self.current.lock().await;
        if guard.1.elapsed() >= REMINT_AFTER {
            *guard = (self.minter.mint().await?, Instant::now());
        }
        Ok(BasicAuth { username: "__token__".into(), password: guard.0.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_warehouse_error_bodies() {
        let body = r#"{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"valid token, but no corresponding publisher"}]}"#;
        assert_eq!(
            error_detail(body).as_deref(),
            Some("invalid-publisher valid token, but no corresponding publisher")
        );
        assert_eq!(error_detail(r#"{"message":"nope"}"#).as_deref(), Some("nope"));
        assert_eq!(error_detail("<html>"), None);
    }
}
