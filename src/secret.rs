//! A credential that cannot be printed by accident.
//!
//! `Secret` wraps tokens and passwords from the moment they are parsed. Its `Debug` and
//! `Display` print `***`; the value is reachable only through [`Secret::expose`], which the
//! protocol clients call when they build a request. The output layer receives secrets only to
//! emit `::add-mask::` for them.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The raw value, for building a request. Never format it into a message.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Removes every occurrence of each secret from `text`, replacing it with `***`.
///
/// A last line of defence for text that came from elsewhere (a server's error body that echoes
/// a token back, a URL with userinfo).
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if secret.0.len() >= 3 {
            out = out.replace(&secret.0, "***");
        }
    }
    out
}

/// Whether a URL or a host reference carries userinfo (`scheme://user:pass@host`, or
/// `user:pass@host/…` without a scheme).
pub fn has_userinfo(text: &str) -> bool {
    userinfo_span(text).is_some()
}

/// The byte range of `user[:pass]@` in `text`, if any.
fn userinfo_span(text: &str) -> Option<(usize, usize)> {
    let (start, authority) = match text.find("://") {
        Some(i) => (i + 3, &text[i + 3..]),
        None => {
            // Without a scheme, only `user:pass@host/…`: `name@sha256:…` is a digest.
            let slash = text.find('/')?;
            let at = text[..slash].rfind('@')?;
            return text[..at].contains(':').then_some((0, at + 1));
        }
    };
    let end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    let at = authority[..end].rfind('@')?;
    Some((start, start + at + 1))
}

/// `text` fit for a message: userinfo removed and a query string replaced, whether or not the
/// rest parses as a URL (the value given stays recognisable).
pub fn redact_userinfo(text: &str) -> String {
    let mut out = match userinfo_span(text) {
        Some((a, b)) => format!("{}{}", &text[..a], &text[b..]),
        None => text.to_owned(),
    };
    if text.contains("://")
        && let Some(q) = out.find('?')
    {
        out.truncate(q);
        out.push_str("?REDACTED");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_found_and_removed_with_or_without_a_scheme() {
        assert_eq!(redact_userinfo("https://u:hunter2@host:9/x?t=1"), "https://host:9/x?REDACTED");
        assert_eq!(redact_userinfo("ht tp://u:hunter2@h/x"), "ht tp://h/x");
        assert_eq!(redact_userinfo("u:hunter2@ghcr.io/o/n:1"), "ghcr.io/o/n:1");
        assert_eq!(redact_userinfo("ubuntu@sha256:abc"), "ubuntu@sha256:abc");
        assert_eq!(redact_userinfo("host:5000/n@sha256:abc"), "host:5000/n@sha256:abc");
        assert!(has_userinfo("https://u@h/") && !has_userinfo("https://h/a@b"));
    }

    #[test]
    fn never_formats_its_value() {
        let s = Secret::new("pypi-AgEIcHlwaS5vcmc");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "pypi-AgEIcHlwaS5vcmc");
    }

    #[test]
    fn redact_replaces_every_occurrence() {
        let s = Secret::new("hunter2");
        assert_eq!(redact("a hunter2 b hunter2", &[&s]), "a *** b ***");
    }
}
