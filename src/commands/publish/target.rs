//! Where `publish` uploads and as whom: the upload URL, the simple index and the OIDC base
//! (plain http refused off loopback), and the credentials chosen (flags, SURESTEP_PYPI_TOKEN,
//! TWINE_*, trusted publishing), each masked as soon as it is read.

use crate::cli::{NamedRepository, PublishArgs, TrustedPublishing};
use crate::exit::CliError;
use crate::output::Reporter;
use crate::remote::http::{is_loopback_host, redact_url};
use crate::remote::index::BasicAuth;
use crate::remote::trusted_publishing::IdTokenRequest;
use crate::secret::Secret;
use reqwest::Url;

const PYPI_UPLOAD: &str = "https://upload.pypi.org/legacy/";
const TESTPYPI_UPLOAD: &str = "https://test.pypi.org/legacy/";

/// Where to upload and where to look.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub(super) upload: Url,
    pub(super) simple: Url,
    pub(super) oidc_base: Url,
}

/// The credentials chosen for this run, before any request.
pub(super) enum CredentialSource {
    Basic(BasicAuth, &'static str),
    Trusted(IdTokenRequest),
    None,
}

/// The upload URL, the simple index and the OIDC base, checked for plain http.
pub(super) fn target(args: &PublishArgs) -> Result<Target, CliError> {
    let upload_text = match (&args.repository_url, args.repository) {
        (Some(url), _) => url.clone(),
        (None, Some(NamedRepository::Testpypi)) => TESTPYPI_UPLOAD.into(),
        (None, _) => PYPI_UPLOAD.into(),
    };
    let upload = parse_url(&upload_text, "--repository-url", args.allow_insecure_http)?;
    let simple = match &args.check_url {
        Some(url) => parse_url(url, "--check-url", args.allow_insecure_http)?,
        None => derived_simple(&upload).ok_or_else(|| {
            CliError::usage(anyhow::anyhow!(
                "cannot tell where the simple index of {} is",
                redact_url(upload.as_str())
            ))
            .with_hint("pass --check-url with the index's simple API, e.g. http://host/simple/ (pypiserver) or http://host/user/index/+simple/ (devpi)")
        })?,
    };
    let oidc_base = match &args.trusted_publishing_url {
        Some(url) => parse_url(url, "--trusted-publishing-url", args.allow_insecure_http)?,
        None => upload.clone(),
    };
    Ok(Target { upload, simple, oidc_base })
}

pub(crate) fn parse_url(text: &str, flag: &str, allow_http: bool) -> Result<Url, CliError> {
    let url = Url::parse(text).map_err(|e| {
        CliError::usage(anyhow::anyhow!("{flag} {:?} is not a URL: {e}", redact_url(text)))
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let host = url.host_str().unwrap_or("");
            if !is_loopback_host(host) && !allow_http {
                return Err(CliError::usage(anyhow::anyhow!(
                    "{flag} {} uses plain http to a host that is not loopback: credentials would travel in clear",
                    redact_url(url.as_str())
                ))
                .with_hint("use https, or pass --allow-insecure-http if this network is trusted"));
            }
        }
        other => {
            return Err(CliError::usage(anyhow::anyhow!("{flag}: unsupported scheme {other:?}")));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(CliError::usage(anyhow::anyhow!("{flag} carries credentials in the URL"))
            .with_hint("pass them with --username/--password or SURESTEP_PYPI_TOKEN instead"));
    }
    Ok(url)
}

/// pypi.org and test.pypi.org: the simple index is known.
pub(crate) fn derived_simple(upload: &Url) -> Option<Url> {
    match upload.host_str()? {
        "upload.pypi.org" | "pypi.org" => Url::parse("https://pypi.org/simple/").ok(),
        "test.pypi.org" => Url::parse("https://test.pypi.org/simple/").ok(),
        _ => None,
    }
}

pub(super) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Picks the credentials, masks them, and never prints them.
pub(super) fn credentials(
    args: &PublishArgs,
    reporter: &Reporter,
) -> Result<CredentialSource, CliError> {
    let id_token = IdTokenRequest::from_env().map_err(|e| {
        CliError::environment(e).context("reading the GitHub Actions OIDC variables")
    })?;
    // Masked as soon as it is read, before any other output.
    if let Some(request) = &id_token {
        reporter.mask(&request.token);
    }
    if args.trusted_publishing == TrustedPublishing::Always {
        return match id_token {
            Some(request) => Ok(CredentialSource::Trusted(request)),
            None => Err(CliError::environment(anyhow::anyhow!(
                "--trusted-publishing always: ACTIONS_ID_TOKEN_REQUEST_URL is not set"
            ))
            .with_hint("run in GitHub Actions with `permissions: id-token: write`")),
        };
    }
    if let Some((auth, kind)) =
        basic_credentials(args.username.clone(), args.password.clone(), reporter)?
    {
        return Ok(CredentialSource::Basic(auth, kind));
    }
    match (args.trusted_publishing, id_token) {
        (TrustedPublishing::Auto, Some(request)) => Ok(CredentialSource::Trusted(request)),
        _ => Ok(CredentialSource::None),
    }
}

/// User name and password, first found wins: the flags, SURESTEP_PYPI_TOKEN, then
/// TWINE_USERNAME/TWINE_PASSWORD (a `pypi-…` password implies `__token__`). Masked as soon as
/// read. Also how `verify-wheels --against` reads an index that needs credentials.
pub(crate) fn basic_credentials(
    username: Option<String>,
    password: Option<Secret>,
    reporter: &Reporter,
) -> Result<Option<(BasicAuth, &'static str)>, CliError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let given = if let Some(password) = password {
        Some((username.clone(), password))
    } else if let Some(token) = env("SURESTEP_PYPI_TOKEN") {
        Some((Some("__token__".to_owned()), Secret::new(token)))
    } else {
        env("TWINE_PASSWORD")
            .map(|p| (username.clone().or_else(|| env("TWINE_USERNAME")), Secret::new(p)))
    };
    if let Some((username, password)) = given {
        reporter.mask(&password);
        let is_token = password.expose().starts_with("pypi-");
        let username = match username {
            Some(u) => u,
            None if is_token => "__token__".to_owned(),
            None => {
                return Err(CliError::usage(anyhow::anyhow!(
                    "a password was given without a user name"
                ))
                .with_hint("pass --username (or TWINE_USERNAME); API tokens starting with `pypi-` imply `__token__`"));
            }
        };
        let kind = if username == "__token__" { "token" } else { "basic" };
        return Ok(Some((BasicAuth { username, password }, kind)));
    }
    if username.is_some() {
        return Err(CliError::usage(anyhow::anyhow!("--username was given without a password"))
            .with_hint("pass --password, or set SURESTEP_PYPI_TOKEN or TWINE_PASSWORD"));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::ExitStatus;

    #[test]
    fn urls_are_checked_before_any_request() {
        assert!(parse_url("http://127.0.0.1:8080/", "--x", false).is_ok());
        assert!(parse_url("http://[::1]/", "--x", false).is_ok());
        let remote = parse_url("http://index.example/", "--x", false).unwrap_err();
        assert_eq!(remote.status, ExitStatus::Usage);
        assert!(parse_url("http://index.example/", "--x", true).is_ok());
        let creds = parse_url("https://u:hunter2@index.example/", "--x", false).unwrap_err();
        assert!(!creds.headline().contains("hunter2"), "{}", creds.headline());
        assert!(parse_url("ftp://index.example/", "--x", false).is_err());
    }

    #[test]
    fn pypi_and_testpypi_derive_their_simple_index() {
        let simple = |u: &str| derived_simple(&Url::parse(u).unwrap()).map(|u| u.to_string());
        assert_eq!(simple(PYPI_UPLOAD).as_deref(), Some("https://pypi.org/simple/"));
        assert_eq!(simple(TESTPYPI_UPLOAD).as_deref(), Some("https://test.pypi.org/simple/"));
        assert_eq!(simple("https://pypi.example.com/legacy/"), None);
    }
}
