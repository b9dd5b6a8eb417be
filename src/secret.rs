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

#[cfg(test)]
mod tests {
    use super::*;

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
