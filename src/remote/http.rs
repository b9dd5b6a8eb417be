//! The one HTTP client: user agent, timeouts, one retry policy, and URL redaction.
//!
//! Every protocol client (PyPI index, OCI registry) sends through [`HttpClient::send`], which
//! retries transport errors, 5xx and 429 with exponential backoff and full jitter, honours
//! `Retry-After`, and never puts credentials into an error message.

use rand::Rng;
use reqwest::{RequestBuilder, Response, StatusCode};
use std::time::{Duration, Instant};

/// The user agent every request carries.
pub const USER_AGENT: &str = concat!("surestep/", env!("CARGO_PKG_VERSION"));

/// The longest `Retry-After` obeyed by a command without a deadline (publish, verify-wheels
/// --against): a server asking for longer is retried after this long.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// How often and how patiently to retry.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Never wait past this moment, whatever the server asks.
    pub deadline: Option<Instant>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `attempt` (1-based): exponential with full jitter, or
    /// the server's `Retry-After` when it gave one: obeyed in full when the command has a
    /// deadline (the caller gives up when it would pass it), else up to [`RETRY_AFTER_CAP`].
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return match self.deadline {
                Some(_) => after,
                None => after.min(RETRY_AFTER_CAP),
            };
        }
        let exp = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        let millis = cap.as_millis() as u64;
        // Full jitter, but never less than half, so retries still back off.
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis.max(1)))
    }

    /// Whether a response status is worth retrying.
    pub fn retryable_status(status: StatusCode) -> bool {
        status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
    }
}

/// Errors from the HTTP layer. URLs in them never carry credentials or query strings.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
    #[error("cannot build the HTTP client: {0}")]
    Tls(String),
    #[error("{method} {url}: {message}")]
    Transport { method: String, url: String, message: String },
    #[error("{method} {url}: server answered {status} after {attempts} attempt{}", if *.attempts == 1 { "" } else { "s" })]
    GaveUp { method: String, url: String, status: StatusCode, attempts: u32 },
    #[error("{url}: response body is larger than the {limit}-byte limit")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: reading the response body failed: {message}")]
    Body { url: String, message: String },
}

/// Reads a whole response body, refusing one larger than `limit` bytes (an endless or huge
/// body is cut off by the limit, never by memory).
pub async fn read_limited(resp: Response, limit: usize) -> Result<Vec<u8>, HttpError> {
    use futures_util::StreamExt;
    let url = redact_url(resp.url().as_str());
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(HttpError::TooLarge { url, limit });
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| HttpError::Body { url: url.clone(), message: error_chain(&e) })?;
        if body.len() + chunk.len() > limit {
            return Err(HttpError::TooLarge { url, limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A wrapper around one `reqwest::Client` shared by the whole run.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    policy: RetryPolicy,
}

/// What happened on each attempt, for callers that report request counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attempts {
    pub count: u32,
}

impl HttpClient {
    pub fn new(policy: RetryPolicy) -> Result<Self, HttpError> {
        let tls = crate::remote::tls::client_config()
            .map_err(|e| HttpError::Tls(format!("configuring TLS: {e}")))?;
        let inner = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            // Redirects are followed only within the same host (see `same_host_redirects`).
            .redirect(same_host_redirects())
            .build()
            .map_err(HttpError::Build)?;
        Ok(Self { inner, policy })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.inner
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Sends the request built by `build`, rebuilding it for each retry (streamed bodies are
    /// not cloneable). Retries transport errors, 5xx and 429; other statuses are returned.
    /// `before_retry` runs before every retry; returning `Some` stops and returns that value
    /// instead (e.g. "the index already has the file").
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response, HttpError> {
        self.send_with(build, || async { None::<Response> }).await.map(|(r, _)| r)
    }

    /// [`send`](Self::send) with a hook before each retry; returns the response and how many
    /// attempts were made.
    pub async fn send_with<F, Fut>(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        before_retry: F,
    ) -> Result<(Response, Attempts), HttpError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Option<Response>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let request = build(&self.inner).build().map_err(|e| transport("?", "?", &e))?;
            let (method, url) = (request.method().to_string(), redact_url(request.url().as_str()));
            tracing::debug!("{method} {url} (attempt {attempt})");
            let result = self.inner.execute(request).await;
            let (failure, retry_after) = match result {
                Ok(resp) if !RetryPolicy::retryable_status(resp.status()) => {
                    tracing::debug!("{method} {url} -> {}", resp.status());
                    return Ok((resp, Attempts { count: attempt }));
                }
                Ok(resp) => {
                    let status = resp.status();
                    let after = match retry_after(&resp) {
                        Some(after) => Some(after),
                        // GHCR sends no header but `toomanyrequests: retry-after: 333.9ms`.
                        None if status == StatusCode::TOO_MANY_REQUESTS => {
                            let body = read_limited(resp, 4096).await.unwrap_or_default();
                            body_retry_hint(&String::from_utf8_lossy(&body))
                        }
                        None => None,
                    };
                    (Ok(status), after)
                }
                Err(e) => (Err(e), None),
            };
            let give_up = |failure: Result<StatusCode, reqwest::Error>| match failure {
                Ok(status) => HttpError::GaveUp {
                    method: method.clone(),
                    url: url.clone(),
                    status,
                    attempts: attempt,
                },
                Err(e) => transport(&method, &url, &e),
            };
            if attempt > self.policy.retries || failure.as_ref().err().is_some_and(is_tls_verdict) {
                return Err(give_up(failure));
            }
            let delay = self.policy.delay(attempt, retry_after);
            if let Some(deadline) = self.policy.deadline
                && Instant::now() + delay > deadline
            {
                return Err(give_up(failure));
            }
            match &failure {
                Ok(status) => tracing::debug!("{method} {url} -> {status}; retrying in {delay:?}"),
                Err(e) => tracing::debug!(
                    "{method} {url} failed ({}); retrying in {delay:?}",
                    error_chain(e)
                ),
            }
            tokio::time::sleep(delay).await;
            if let Some(resp) = before_retry().await {
                return Ok((resp, Attempts { count: attempt }));
            }
        }
    }
}

/// Whether TLS itself refused the server (a certificate no root vouches for, a name it does
/// not cover, an expired one): the same answer on every try, so never retried.
fn is_tls_verdict(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        // An io::Error's source() skips the error it wraps (and connectors wrap io::Errors in
        // io::Errors): look inside each layer.
        let mut layer: &(dyn std::error::Error + 'static) = s;
        loop {
            if let Some(tls) = layer.downcast_ref::<rustls::Error>() {
                return matches!(
                    tls,
                    rustls::Error::InvalidCertificate(_)
                        | rustls::Error::NoCertificatesPresented
                        | rustls::Error::UnsupportedNameType
                        | rustls::Error::PeerIncompatible(_)
                );
            }
            match layer.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
                Some(inner) => layer = inner,
                None => break,
            }
        }
        source = s.source();
    }
    false
}

fn transport(method: &str, url: &str, e: &reqwest::Error) -> HttpError {
    HttpError::Transport { method: method.to_owned(), url: url.to_owned(), message: error_chain(e) }
}

/// The error and its causes on one line, with any URL in it redacted.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    // reqwest puts the full URL in its messages; drop userinfo and queries from it.
    parts.iter().map(|p| redact_urls_in(p)).collect::<Vec<_>>().join(": ")
}

/// `Retry-After` as seconds or an HTTP date; also GHCR's `retry-after: 333ms`.
pub fn retry_after(resp: &Response) -> Option<Duration> {
    let value = resp.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    parse_retry_after(value)
}

pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Some(ms) = value.strip_suffix("ms") {
        return ms.trim().parse::<u64>().ok().map(Duration::from_millis);
    }
    if let Ok(secs) = value.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(3600.0)));
    }
    let when = httpdate_to_unix(value)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(when.saturating_sub(now)))
}

/// The wait a 429 body asks for, as GHCR words it: `toomanyrequests: retry-after: 333.939671ms`.
pub fn body_retry_hint(body: &str) -> Option<Duration> {
    let lower = body.to_ascii_lowercase();
    let rest = &lower[lower.find("retry-after:")? + "retry-after:".len()..];
    let token: String =
        rest.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
    let (number, unit) =
        token.split_at(token.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(token.len()));
    let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs.min(3600.0)))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds. Out-of-range
/// fields (a server's garbage) give `None`, never an overflow.
fn httpdate_to_unix(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let day: u64 = parts[1].parse().ok().filter(|d| (1..=31).contains(d))?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == parts[2])? as u64
        + 1;
    let year: u64 = parts[3].parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let hms: Vec<u64> = parts[4].split(':').filter_map(|x| x.parse().ok()).collect();
    if hms.len() != 3 || hms[0] > 23 || hms[1] > 59 || hms[2] > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm); year >= 1970 keeps every step positive.
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}

/// A server's answer body as one short plain line for a message: HTML reduced to its text
/// (no tags, comments, CSS or scripts; common entities decoded), white space collapsed,
/// control and bidi characters escaped, cut at `cap` characters.
pub fn readable_excerpt(body: &str, cap: usize) -> String {
    let mut text = String::with_capacity(body.len().min(64 * 1024));
    let lower = body.to_ascii_lowercase();
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest.starts_with('<') {
            let lrest = &lower[i..];
            let skip_to = if lrest.starts_with("<!--") {
                lrest.find("-->").map(|e| e + 3)
            } else if lrest.starts_with("<style") {
                lrest.find("</style>").map(|e| e + 8)
            } else if lrest.starts_with("<script") {
                lrest.find("</script>").map(|e| e + 9)
            } else {
                lrest.find('>').map(|e| e + 1)
            };
            i += skip_to.unwrap_or(rest.len());
            text.push(' ');
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        text.push(c);
        i += c.len_utf8();
        if text.len() > cap * 8 + 1024 {
            break;
        }
    }
    let decoded = crate::model::simple_api::decode_entities(&text);
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    let safe = crate::output::sanitize::console(&collapsed).into_owned();
    if safe.chars().count() > cap {
        format!("{}…", safe.chars().take(cap).collect::<String>())
    } else {
        safe
    }
}

/// A URL fit for messages: no userinfo, no query string (tokens hide in both).
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            if u.query().is_some() {
                u.set_query(Some("REDACTED"));
            }
            u.to_string()
        }
        // Not a URL: show what was given, minus anything that looks like credentials.
        Err(_) => crate::secret::redact_userinfo(url),
    }
}

/// Redacts every `http(s)://…` URL inside a free-form message.
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let candidate = &rest[i..];
        if candidate.starts_with("http://") || candidate.starts_with("https://") {
            let end = candidate
                .find(|c: char| c.is_whitespace() || c == ')' || c == '"' || c == '\'' || c == '>')
                .unwrap_or(candidate.len());
            out.push_str(&rest[..i]);
            out.push_str(&redact_url(&candidate[..end]));
            rest = &candidate[end..];
        } else {
            out.push_str(&rest[..i + 4]);
            rest = &rest[i + 4..];
        }
    }
    out.push_str(rest);
    out
}

/// Follows redirects only to the same scheme, host and port, so credentials never leave.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt.previous().first().is_some_and(|first| {
            first.scheme() == attempt.url().scheme()
                && first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if attempt.previous().len() > 5 || !same { attempt.stop() } else { attempt.follow() }
    })
}

/// Whether a host is a loopback name or address (plain HTTP is allowed only there by default).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials_and_queries() {
        assert_eq!(
            redact_url("https://user:pw@example.com/token?scope=x&password=y"),
            "https://example.com/token?REDACTED"
        );
        let msg = redact_urls_in("error sending request for url (http://u:p@127.0.0.1:1/x?t=1)");
        assert_eq!(msg, "error sending request for url (http://127.0.0.1:1/x?REDACTED)");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("333ms"), Some(Duration::from_millis(333)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(httpdate_to_unix("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn ghcr_body_hint() {
        assert_eq!(
            body_retry_hint("toomanyrequests: retry-after: 333.939671ms, allowed: 44000/minute"),
            Some(Duration::from_nanos(333_939_671))
        );
        assert_eq!(body_retry_hint("Retry-After: 2s"), Some(Duration::from_secs(2)));
        assert_eq!(body_retry_hint("retry-after: 1"), Some(Duration::from_secs(1)));
        assert_eq!(body_retry_hint("toomanyrequests"), None);
        assert_eq!(body_retry_hint("retry-after: soon"), None);
    }

    #[test]
    fn backoff_grows_and_respects_caps() {
        let p = RetryPolicy {
            retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            deadline: None,
        };
        let d1 = p.delay(1, None);
        assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
        let d4 = p.delay(4, None);
        assert!(d4 >= Duration::from_millis(400) && d4 <= Duration::from_millis(800));
        assert!(p.delay(20, None) <= Duration::from_secs(1));
        // Retry-After is the server's word, not backoff: max_delay does not shorten it.
        assert_eq!(p.delay(1, Some(Duration::from_secs(30))), Duration::from_secs(30));
        assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), RETRY_AFTER_CAP);
        let with_deadline =
            RetryPolicy { deadline: Some(Instant::now() + Duration::from_secs(600)), ..p };
        assert_eq!(
            with_deadline.delay(1, Some(Duration::from_secs(300))),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("[::1]"));
        assert!(!is_loopback_host("example.com"));
        assert!(!is_loopback_host("10.0.0.1"));
    }
}
