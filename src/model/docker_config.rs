//! Docker's `config.json` and podman/skopeo's `auth.json`: which login a registry has.
//!
//! Both files share the shape `{"auths": {KEY: {"auth": base64("user:pass"), "username",
//! "password", "identitytoken"}}, "credHelpers": {HOST: NAME}, "credsStore": NAME}`. Keys are
//! written many ways: `ghcr.io`, `https://ghcr.io`, `https://index.docker.io/v1/` (Docker
//! Hub), or podman's `quay.io/org` (a namespace: the longest matching prefix wins). Within one
//! file the lookup order is `credHelpers[host]`, then the `auths` entry, then `credsStore`.
//! Pure: the caller reads the file and runs any helper.

use crate::secret::Secret;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The key Docker writes for Docker Hub, and the server name its helpers expect.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthFile {
    #[serde(default)]
    pub auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    pub cred_helpers: BTreeMap<String, String>,
    #[serde(default)]
    pub creds_store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuthEntry {
    #[serde(default)]
    pub auth: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub identitytoken: Option<String>,
}

/// What a file says about one registry.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A stored login (`key` is the entry it came from).
    Login {
        username: String,
        secret: Secret,
        identity_token: bool,
        key: String,
    },
    /// Ask `docker-credential-<helper> get` for `server`.
    Helper {
        helper: String,
        server: String,
    },
    NotFound,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthFileError {
    #[error("it is not valid JSON: {0}")]
    Json(String),
    #[error("the entry {key:?} has an `auth` that is not base64 of user:password")]
    BadAuth { key: String },
}

impl AuthFile {
    pub fn parse(text: &str) -> Result<Self, AuthFileError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_str(text).map_err(|e| AuthFileError::Json(e.to_string()))
    }

    /// The login for `registry` (as in image references: `docker.io`, `ghcr.io`,
    /// `localhost:5000`) and `repository`.
    pub fn lookup(&self, registry: &str, repository: &str) -> Result<Lookup, AuthFileError> {
        let host = normalise_host(registry);
        if let Some((_, helper)) =
            self.cred_helpers.iter().find(|(k, _)| normalise_key(k) == host && !k.is_empty())
            && !helper.trim().is_empty()
        {
            return Ok(Lookup::Helper { helper: helper.trim().to_owned(), server: server(&host) });
        }
        let full = format!("{host}/{repository}");
        let best = self
            .auths
            .iter()
            .filter(|(k, e)| {
                let key = normalise_key(k);
                let hit =
                    key == host || (full.starts_with(&key) && full[key.len()..].starts_with('/'));
                hit && e.has_login()
            })
            .max_by_key(|(k, _)| normalise_key(k).len());
        if let Some((key, entry)) = best {
            return entry.login(key);
        }
        match &self.creds_store {
            Some(store) if !store.trim().is_empty() => {
                Ok(Lookup::Helper { helper: store.trim().to_owned(), server: server(&host) })
            }
            _ => Ok(Lookup::NotFound),
        }
    }
}

impl AuthEntry {
    fn has_login(&self) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        set(&self.auth) || set(&self.identitytoken) || (set(&self.username) && set(&self.password))
    }

    fn login(&self, key: &str) -> Result<Lookup, AuthFileError> {
        let mut username = self.username.clone().unwrap_or_default();
        let mut password = self.password.clone().unwrap_or_default();
        if let Some(auth) = self.auth.as_deref().filter(|a| !a.is_empty()) {
            let bad = || AuthFileError::BadAuth { key: key.to_owned() };
            let raw =
                base64::engine::general_purpose::STANDARD.decode(auth.trim()).map_err(|_| bad())?;
            let text = String::from_utf8(raw).map_err(|_| bad())?;
            let (u, p) = text.split_once(':').ok_or_else(bad)?;
            username = u.to_owned();
            password = p.to_owned();
        }
        if let Some(token) = self.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Lookup::Login {
                username,
                secret: Secret::new(token),
                identity_token: true,
                key: key.to_owned(),
            });
        }
        Ok(Lookup::Login {
            username,
            secret: Secret::new(password),
            identity_token: false,
            key: key.to_owned(),
        })
    }
}

/// Docker Hub's many names fold to `docker.io`; other hosts are lowercased.
pub fn normalise_host(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    match h.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" | "docker.io" => {
            "docker.io".to_owned()
        }
        _ => h,
    }
}

/// A file key as a `host[/namespace]`: a key with a scheme is Docker's URL form (the path,
/// such as `/v1/`, is not a namespace); a key without one may be podman's namespace form.
pub fn normalise_key(key: &str) -> String {
    let k = key.trim();
    let (had_scheme, rest) = match k.split_once("://") {
        Some((_, rest)) => (true, rest),
        None => (false, k),
    };
    let rest = rest.trim_end_matches('/');
    let (host, path) = match rest.split_once('/') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host = normalise_host(host);
    match path {
        Some(p) if !had_scheme && !p.is_empty() => format!("{host}/{}", p.to_ascii_lowercase()),
        _ => host,
    }
}

/// The server name a credential helper is asked about.
fn server(host: &str) -> String {
    if host == "docker.io" { DOCKER_HUB_KEY.to_owned() } else { host.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(u: &str, p: &str, key: &str) -> Lookup {
        Lookup::Login {
            username: u.into(),
            secret: Secret::new(p),
            identity_token: false,
            key: key.into(),
        }
    }

    #[test]
    fn auths_in_every_spelling() {
        let f = AuthFile::parse(
            r#"{"auths":{
                "https://index.docker.io/v1/":{"auth":"aHViOmh1YnBhc3M="},
                "http://localhost:5000":{"username":"u","password":"p"},
                "ghcr.io":{"auth":"b2N0bzpnaHBfeA==","identitytoken":""},
                "quay.io":{"auth":"YTpi"},
                "quay.io/org":{"auth":"Yzpk"},
                "empty.io":{}
            },"credsStore":"desktop"}"#,
        )
        .unwrap();
        assert_eq!(
            f.lookup("docker.io", "library/alpine").unwrap(),
            login("hub", "hubpass", "https://index.docker.io/v1/")
        );
        assert_eq!(
            f.lookup("localhost:5000", "o/n").unwrap(),
            login("u", "p", "http://localhost:5000")
        );
        assert_eq!(f.lookup("ghcr.io", "o/n").unwrap(), login("octo", "ghp_x", "ghcr.io"));
        assert_eq!(f.lookup("quay.io", "org/app").unwrap(), login("c", "d", "quay.io/org"));
        assert_eq!(f.lookup("quay.io", "orgx/app").unwrap(), login("a", "b", "quay.io"));
        // An empty entry (what docker login leaves with a store) defers to the store.
        assert_eq!(
            f.lookup("empty.io", "o/n").unwrap(),
            Lookup::Helper { helper: "desktop".into(), server: "empty.io".into() }
        );
    }

    #[test]
    fn helpers_first_then_hub_server_name() {
        let f = AuthFile::parse(
            r#"{"auths":{"x.io":{"auth":"YTpi"}},"credHelpers":{"x.io":"ecr-login","docker.io":"pass"}}"#,
        )
        .unwrap();
        assert_eq!(
            f.lookup("x.io", "o").unwrap(),
            Lookup::Helper { helper: "ecr-login".into(), server: "x.io".into() }
        );
        assert_eq!(
            f.lookup("docker.io", "library/a").unwrap(),
            Lookup::Helper { helper: "pass".into(), server: DOCKER_HUB_KEY.into() }
        );
        assert_eq!(f.lookup("y.io", "o").unwrap(), Lookup::NotFound);
    }

    #[test]
    fn identity_token_and_bad_input() {
        let f = AuthFile::parse(r#"{"auths":{"r.io":{"auth":"dTo=","identitytoken":"rt-1"}}}"#)
            .unwrap();
        assert_eq!(
            f.lookup("r.io", "o").unwrap(),
            Lookup::Login {
                username: "u".into(),
                secret: Secret::new("rt-1"),
                identity_token: true,
                key: "r.io".into()
            }
        );
        let bad = AuthFile::parse(r#"{"auths":{"r.io":{"auth":"!!"}}}"#).unwrap();
        assert!(matches!(bad.lookup("r.io", "o"), Err(AuthFileError::BadAuth { .. })));
        assert!(AuthFile::parse("{not json").is_err());
        assert_eq!(AuthFile::parse("").unwrap().lookup("r.io", "o").unwrap(), Lookup::NotFound);
    }
}
