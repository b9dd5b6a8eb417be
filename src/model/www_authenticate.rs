//! `WWW-Authenticate` challenges (RFC 7235 §4.1) as registries send them.
//!
//! `Bearer realm="…",service="…",scope="repository:o/n:pull"[,error="…"]` (token auth, GHCR,
//! Docker Hub) and `Basic realm="…"` (htpasswd). Values may be quoted with `\` escapes; a
//! multi-scope challenge puts several scopes in one value separated by spaces, and each becomes
//! its own `scope=` parameter on the token request. One header may carry several challenges.

/// One challenge from a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Bearer(BearerChallenge),
    Basic {
        realm: Option<String>,
    },
    /// A scheme surestep does not speak (kept for the error message).
    Other {
        scheme: String,
    },
}

/// A `Bearer` challenge: where to get a token and for what.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BearerChallenge {
    pub realm: String,
    pub service: Option<String>,
    /// Each scope separately (`repository:o/n:pull`).
    pub scopes: Vec<String>,
    /// `invalid_token`, `insufficient_scope`, …
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("the WWW-Authenticate header is empty")]
    Empty,
    #[error("malformed WWW-Authenticate header: {0}")]
    Malformed(String),
    #[error("the Bearer challenge has no realm")]
    NoRealm,
}

/// Parses one header value into its challenges, in order.
pub fn parse(header: &str) -> Result<Vec<Challenge>, ChallengeError> {
    let mut lexer = Lexer { s: header.as_bytes(), i: 0 };
    let mut raw: Vec<(String, Vec<(String, String)>)> = Vec::new();
    lexer.skip_separators();
    while !lexer.done() {
        let scheme = lexer.token().ok_or_else(|| malformed(&lexer, "expected an auth scheme"))?;
        let mut params = Vec::new();
        lexer.skip_ws();
        // Parameters until the next scheme (a token not followed by '=') or the end.
        loop {
            lexer.skip_separators();
            if lexer.done() {
                break;
            }
            let save = lexer.i;
            let Some(name) = lexer.token() else {
                return Err(malformed(&lexer, "expected a parameter name"));
            };
            lexer.skip_ws();
            if !lexer.eat(b'=') {
                // token68 (`Basic dXNlcg==`) directly after the scheme, or the next scheme.
                lexer.i = save;
                break;
            }
            lexer.skip_ws();
            let value = if lexer.peek() == Some(b'"') {
                lexer.quoted().ok_or_else(|| malformed(&lexer, "unterminated quoted value"))?
            } else {
                lexer.token().unwrap_or_default()
            };
            params.push((name.to_ascii_lowercase(), value));
        }
        raw.push((scheme, params));
    }
    if raw.is_empty() {
        return Err(ChallengeError::Empty);
    }
    raw.into_iter().map(|(scheme, params)| build(scheme, params)).collect()
}

/// The first challenge of a header that surestep can answer (Bearer preferred over Basic).
pub fn preferred(header: &str) -> Result<Challenge, ChallengeError> {
    let all = parse(header)?;
    let pick = all
        .iter()
        .find(|c| matches!(c, Challenge::Bearer(_)))
        .or_else(|| all.iter().find(|c| matches!(c, Challenge::Basic { .. })))
        .or(all.first());
    pick.cloned().ok_or(ChallengeError::Empty)
}

fn build(scheme: String, params: Vec<(String, String)>) -> Result<Challenge, ChallengeError> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if scheme.eq_ignore_ascii_case("bearer") {
        let realm = get("realm").filter(|r| !r.is_empty()).ok_or(ChallengeError::NoRealm)?;
        let scopes = params
            .iter()
            .filter(|(n, _)| n == "scope")
            .flat_map(|(_, v)| v.split_whitespace().map(str::to_owned))
            .collect();
        Ok(Challenge::Bearer(BearerChallenge {
            realm,
            service: get("service"),
            scopes,
            error: get("error"),
        }))
    } else if scheme.eq_ignore_ascii_case("basic") {
        Ok(Challenge::Basic { realm: get("realm") })
    } else {
        Ok(Challenge::Other { scheme })
    }
}

fn malformed(lexer: &Lexer<'_>, what: &str) -> ChallengeError {
    ChallengeError::Malformed(format!("{what} at byte {}", lexer.i))
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }
    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }
    /// An RFC 7230 token (plus `/` and `=`-free token68 characters used by some servers).
    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while let Some(b) = self.peek() {
            let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/:".contains(&b);
            if !tchar {
                break;
            }
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn quoted(&mut self) -> Option<String> {
        self.eat(b'"');
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.i += 1;
                    out.push(self.peek()?);
                    self.i += 1;
                }
                b => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(h: &str) -> BearerChallenge {
        match preferred(h).unwrap() {
            Challenge::Bearer(b) => b,
            other => panic!("not bearer: {other:?}"),
        }
    }

    #[test]
    fn distribution_token_challenge() {
        let b = bearer(
            r#"Bearer realm="http://127.0.0.1:5050/token",service="registry.local",scope="repository:o/n:pull""#,
        );
        assert_eq!(b.realm, "http://127.0.0.1:5050/token");
        assert_eq!(b.service.as_deref(), Some("registry.local"));
        assert_eq!(b.scopes, vec!["repository:o/n:pull"]);
        assert_eq!(b.error, None);
    }

    #[test]
    fn multi_scope_and_error() {
        let b = bearer(
            r#"Bearer realm="https://auth.example/token",service="reg",scope="repository:probe/other:pull,push repository:probe/app:pull",error="insufficient_scope""#,
        );
        assert_eq!(b.scopes, vec!["repository:probe/other:pull,push", "repository:probe/app:pull"]);
        assert_eq!(b.error.as_deref(), Some("insufficient_scope"));
    }

    #[test]
    fn ghcr_and_unquoted_and_spacing() {
        let b = bearer(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/n:pull""#,
        );
        assert_eq!(b.service.as_deref(), Some("ghcr.io"));
        let b = bearer("bearer  Realm=https://r.example/t , service=svc");
        assert_eq!(b.realm, "https://r.example/t");
        assert_eq!(b.service.as_deref(), Some("svc"));
        assert!(b.scopes.is_empty(), "GET /v2/ has no scope");
    }

    #[test]
    fn escaped_quotes() {
        let b = bearer(r#"Bearer realm="https://x/t?a=\"b\"",service="s\\v""#);
        assert_eq!(b.realm, r#"https://x/t?a="b""#);
        assert_eq!(b.service.as_deref(), Some(r"s\v"));
    }

    #[test]
    fn basic_and_several_challenges() {
        assert_eq!(
            preferred(r#"Basic realm="test-registry""#).unwrap(),
            Challenge::Basic { realm: Some("test-registry".into()) }
        );
        let all = parse(r#"Basic realm="r", Bearer realm="https://t/token",service="s""#).unwrap();
        assert_eq!(all.len(), 2);
        assert!(matches!(
            preferred(r#"Basic realm="r", Bearer realm="https://t""#).unwrap(),
            Challenge::Bearer(_)
        ));
        assert_eq!(
            preferred("Negotiate").unwrap(),
            Challenge::Other { scheme: "Negotiate".into() }
        );
    }

    #[test]
    fn errors() {
        assert_eq!(parse("   "), Err(ChallengeError::Empty));
        assert_eq!(parse(r#"Bearer service="s""#), Err(ChallengeError::NoRealm));
        assert!(matches!(
            parse(r#"Bearer realm="unterminated"#),
            Err(ChallengeError::Malformed(_))
        ));
        assert!(matches!(parse(r#"Bearer realm="x", ="y""#), Err(ChallengeError::Malformed(_))));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(header in ".{0,120}") {
            let _ = parse(&header);
            let _ = preferred(&header);
        }

        #[test]
        fn quoted_values_round_trip(
            realm in "[ -~]{1,40}",
            service in "[ -~]{0,20}",
            scopes in proptest::collection::vec("[a-z]{1,6}:[a-z/]{1,10}:[a-z,]{1,10}", 0..4),
        ) {
            let q = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
            let header = format!(
                "Bearer realm={},service={},scope={}",
                q(&realm), q(&service), q(&scopes.join(" "))
            );
            let Ok(Challenge::Bearer(b)) = preferred(&header) else {
                return Err(proptest::test_runner::TestCaseError::fail(header));
            };
            proptest::prop_assert_eq!(b.realm, realm);
            proptest::prop_assert_eq!(b.service, Some(service));
            proptest::prop_assert_eq!(b.scopes, scopes);
        }
    }
}
