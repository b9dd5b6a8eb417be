//! Flags of `surestep publish`.

use crate::secret::Secret;
use clap::{ArgAction, Args, ValueEnum};
use std::path::PathBuf;

/// `--repository`: a named index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NamedRepository {
    /// https://upload.pypi.org/legacy/ (simple index https://pypi.org/simple/)
    Pypi,
    /// https://test.pypi.org/legacy/ (simple index https://test.pypi.org/simple/)
    Testpypi,
}

/// `--trusted-publishing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrustedPublishing {
    /// In GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL set) when no credentials were given.
    Auto,
    /// Always; fail when the CI offers no OIDC identity.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Every file ends up on the index with our sha256, or the step fails. First the plan: each file \
is read once (sha256, blake2b-256 and md5), checked like verify-wheels does (--no-verify skips \
that), compared with --manifest, and looked up on the index (one simple-API read per project). \
Same name and same sha256: skipped. Same name, different bytes: a conflict, nothing is \
uploaded. Otherwise it is uploaded, --concurrency at a time. Any non-2xx answer is judged by \
the index: our exact file there means success (another run raced us). A rejection saying the \
file exists (409, or 400/403/422 \"already exists\") polls the index until it lists our sha256 \
or --verify-timeout ends, since indexes list uploads late. --against-previous compares with \
the previous release first (see verify-wheels --against); on PyPI and TestPyPI, files for a \
release older than 14 days are refused before any upload.

Credentials, first found wins: --username/--password, SURESTEP_PYPI_TOKEN, \
TWINE_USERNAME/TWINE_PASSWORD (a `pypi-…` password implies the user `__token__`), then trusted \
publishing (GitHub Actions OIDC, needs `permissions: id-token: write`).

Outputs: uploaded, skipped (counts), uploaded_files (one file name per line).

Exit status: 0 every file is on the index with our sha256; 1 a file conflicts, failed checks or \
was rejected; 3 network, auth or server failure that retries could not cure.")]
pub struct PublishArgs {
    /// Distributions (.whl, .tar.gz, .zip) or directories holding them
    #[arg(value_name = "FILES|DIR", default_value = "dist", value_parser = super::non_empty_path)]
    pub paths: Vec<PathBuf>,
    /// The legacy upload endpoint [default: https://upload.pypi.org/legacy/]
    #[arg(long, visible_alias = "publish-url", value_name = "URL", conflicts_with = "repository")]
    pub repository_url: Option<String>,
    /// A named index instead of --repository-url
    #[arg(long, value_enum, value_name = "NAME")]
    pub repository: Option<NamedRepository>,
    /// The simple index to check (derived for pypi.org and test.pypi.org)
    #[arg(long, value_name = "URL")]
    pub check_url: Option<String>,
    /// User name for the index (`__token__` for API tokens)
    #[arg(long, short = 'u', value_name = "NAME", value_parser = super::non_empty)]
    pub username: Option<String>,
    /// Password or API token (prefer SURESTEP_PYPI_TOKEN: command lines are visible to others)
    #[arg(long, short = 'p', value_name = "SECRET")]
    pub password: Option<Secret>,
    /// Trusted publishing: exchange the CI's OIDC identity for a short-lived token
    #[arg(long, value_enum, default_value_t = TrustedPublishing::Auto, value_name = "WHEN")]
    pub trusted_publishing: TrustedPublishing,
    /// Where `/_/oidc/audience` and `/_/oidc/mint-token` live (default: the upload URL's origin)
    #[arg(long, value_name = "URL")]
    pub trusted_publishing_url: Option<String>,
    /// Files uploaded at the same time (1 to 64)
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Retries of a request after transport errors, 5xx and 429, the index re-checked first
    /// (0 to 20)
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
    /// Print the plan (skip / conflict / upload) and stop
    #[arg(long)]
    pub dry_run: bool,
    /// Skip the verify-wheels integrity and PyPI preflight checks
    #[arg(long)]
    pub no_verify: bool,
    /// A SHA256SUMS file (verify-wheels --write-checksums): refuse files whose digest changed
    #[arg(long, value_name = "SHA256SUMS")]
    pub manifest: Option<PathBuf>,
    /// Poll the index after uploading until every file is listed with our sha256
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub verify_upload: bool,
    /// How long --verify-upload waits for the index to list the files (e.g. 60, 90s, 10m; at
    /// most 7 days)
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = super::wait_for_image::parse_duration)]
    pub verify_timeout: std::time::Duration,
    /// Before any upload, compare with the previous release on the index (as verify-wheels
    /// --against): refuse when a platform it shipped is missing
    #[arg(long)]
    pub against_previous: bool,
    /// Cells --against-previous may find missing on purpose: cp38, 3.8, win32, sdist…
    #[arg(long, value_delimiter = ',', value_name = "LIST", requires = "against_previous", value_parser = super::non_empty)]
    pub allow_drop: Vec<String>,
    /// Allow plain-http URLs to hosts other than loopback (credentials would travel in clear)
    #[arg(long)]
    pub allow_insecure_http: bool,
}
