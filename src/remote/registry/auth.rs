//! Registry authorisation: answering `401` challenges.
//!
//! `Bearer` → a token from the realm (anonymous, Basic `user:password`, or an OAuth2
//! `refresh_token` grant for an identity token from a Docker config), accepting `token` or
//! `access_token`, cached until it expires; `Basic` → Basic credentials. A client that will
//! push asks for `pull,push` on its repository at once, so one token serves the whole copy;
//! a cross-repository mount's challenge adds the source repository's `pull` scope.

use super::{RegistryClient, RegistryError, read_verified};
use crate::model::www_authenticate::{self, BearerChallenge, Challenge};
use crate::remote::http::{is_loopback_host, redact_url};
use crate::secret::Secret;
use reqwest::StatusCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A username and password (or token) for the registry or its token realm.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
    /// The password is an identity (OAuth2 refresh) token for the token realm, as
    /// `docker login` stores for registries with OAuth (`identitytoken` in config.json).
    pub identity_token: bool,
    /// Where they came from, for messages (`--username/--password`, a file, a helper).
    pub origin: String,
}

impl Credentials {
    pub fn basic(username: impl Into<String>, password: Secret, origin: impl Into<String>) -> Self {
        Self { username: username.into(), password, identity_token: false, origin: origin.into() }
    }

    /// `"tester" (from ~/.docker/config.json)`, for messages.
    pub fn describe(&self) -> String {
        if self.identity_token {
            format!("an identity token (from {})", self.origin)
        } else {
            format!("{:?} (from {})", self.username, self.origin)
        }
    }
}

/// The state of authorisation with the registry.
#[derive(Debug, Clone)]
pub(super) enum Auth {
    Anonymous,
    Basic,
    Bearer { token: Secret, expires_at: Instant, challenge: BearerChallenge },
}

pub(super) enum Authorization {
    Basic(Credentials),
    Bearer(Secret),
}

#[derive(serde::Deserialize)]
struct TokenReply {
    token: Option<String>,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

pub(super) const CREDENTIALS_HINT: &str = "pass --username and --password (or \
SURESTEP_REGISTRY_USERNAME / SURESTEP_REGISTRY_PASSWORD; for promote --src-*/--dest-*; on \
ghcr.io GITHUB_TOKEN with `permissions: packages: read`), or log in with docker login / a credential helper \
(see the README's credentials lookup order)";

impl RegistryClient {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Auth> {
        self.auth.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn authorization(&self) -> Option<Authorization> {
        match &*self.lock() {
            Auth::Anonymous => None,
            Auth::Basic => self.credentials.clone().map(Authorization::Basic),
            Auth::Bearer { token, .. } => Some(Authorization::Bearer(token.clone())),
        }
    }

    /// Adds the current authorisation to a request.
    pub(super) fn authorize(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        apply(rb, &self.authorization())
    }

    pub(super) async fn refresh_if_expired(&self) -> Result<(), RegistryError> {
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

    /// The scopes this client needs on its own repository.
    fn own_scope(&self) -> String {
        let actions = if self.push { "pull,push" } else { "pull" };
        format!("repository:{}:{actions}", self.repository)
    }

    /// Answers a `WWW-Authenticate` challenge.
    pub(super) async fn answer(&self, url: &str, header: &str) -> Result<(), RegistryError> {
        let challenge = www_authenticate::preferred(header)
            .map_err(|e| RegistryError::Protocol(format!("{}: {e}", redact_url(url))))?;
        match challenge {
            Challenge::Bearer(mut c) => {
                let own = format!("repository:{}:", self.repository);
                c.scopes.retain(|s| !s.starts_with(&own));
                c.scopes.push(self.own_scope());
                self.fetch_token(&c).await
            }
            Challenge::Basic { realm } => {
                let Some(creds) = &self.credentials else {
                    return Err(RegistryError::Auth {
                        message: format!(
                            "{} requires a username and password (Basic realm {:?})",
                            self.base,
                            realm.unwrap_or_default()
                        ),
                        hint: CREDENTIALS_HINT.into(),
                    });
                };
                if creds.identity_token {
                    return Err(RegistryError::Auth {
                        message: format!(
                            "{} asks for Basic authentication, but the credentials are {}, \
                             which only a token server accepts",
                            self.base,
                            creds.describe()
                        ),
                        hint: "log in with a username and password for this registry".into(),
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
    pub(super) async fn fetch_token(
        &self,
        challenge: &BearerChallenge,
    ) -> Result<(), RegistryError> {
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
        let identity = creds.as_ref().filter(|c| c.identity_token);
        let (resp, attempts) = match identity {
            // OAuth2 refresh-token grant (what docker does with an identity token).
            Some(c) => {
                let mut form: Vec<(&str, &str)> = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", c.password.expose()),
                    ("client_id", "surestep"),
                ];
                form.extend(query.iter().copied());
                let form = form_encode(&form);
                self.http
                    .send_with(
                        |cl| {
                            cl.post(realm.clone())
                                .header(
                                    reqwest::header::CONTENT_TYPE,
                                    "application/x-www-form-urlencoded",
                                )
                                .body(form.clone())
                        },
                        || async { None },
                    )
                    .await
            }
            None => {
                self.http
                    .send_with(
                        |cl| {
                            let rb = cl.get(realm.clone()).query(&query);
                            match &creds {
                                Some(c) => rb.basic_auth(&c.username, Some(c.password.expose())),
                                None => rb,
                            }
                        },
                        || async { None },
                    )
                    .await
            }
        }
        .map_err(RegistryError::Transient)?;
        self.requests.fetch_add(attempts.count, Ordering::Relaxed);
        let shown = redact_url(realm.as_str());
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED
            || status == StatusCode::FORBIDDEN
            || (identity.is_some() && status == StatusCode::BAD_REQUEST)
        {
            return Err(match &self.credentials {
                Some(c) => RegistryError::Auth {
                    message: format!(
                        "the token server {shown} refused the credentials {} ({status})",
                        c.describe()
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
                "{} {shown}: the token server answered {status}",
                if identity.is_some() { "POST" } else { "GET" }
            )));
        }
        let (body, _) = read_verified(resp, 1 << 20, &challenge.realm).await?;
        let reply: TokenReply = serde_json::from_slice(&body).map_err(|e| {
            RegistryError::Protocol(format!("{shown}: the token reply is not JSON ({e})"))
        })?;
        let token =
            reply.access_token.or(reply.token).filter(|t| !t.is_empty()).ok_or_else(|| {
                RegistryError::Protocol(format!("{shown}: the reply carries no token"))
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

    pub(super) fn refused(
        &self,
        url: &str,
        status: StatusCode,
        challenge: Option<&str>,
    ) -> RegistryError {
        let detail = challenge
            .and_then(|h| www_authenticate::preferred(h).ok())
            .and_then(|c| match c {
                Challenge::Bearer(b) => b.error,
                _ => None,
            })
            .map(|e| format!(", {e}"))
            .unwrap_or_default();
        let who = match &self.credentials {
            Some(c) => format!("with {}", c.describe()),
            None => "anonymously".to_owned(),
        };
        let verb = if self.push { "push to" } else { "pull" };
        let message = format!(
            "{} refused access to {} {who} ({status}{detail})",
            redact_url(url),
            self.repository
        );
        let hint = if self.credentials.is_some() {
            format!("check the credentials and that they may {verb} this repository")
        } else {
            CREDENTIALS_HINT.to_owned()
        };
        RegistryError::Auth { message, hint }
    }
}

/// Adds an authorisation to a request.
pub(super) fn apply(
    rb: reqwest::RequestBuilder,
    authorization: &Option<Authorization>,
) -> reqwest::RequestBuilder {
    match authorization {
        Some(Authorization::Basic(c)) => rb.basic_auth(&c.username, Some(c.password.expose())),
        Some(Authorization::Bearer(t)) => rb.bearer_auth(t.expose()),
        None => rb,
    }
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
