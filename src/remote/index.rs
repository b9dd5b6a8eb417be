//! The PyPI index protocol: read a project's simple page, and the legacy upload API.
//!
//! Reads ask for PEP 691 JSON first and accept PEP 503 HTML, judged by `Content-Type`; a 404,
//! or a redirect to another host (pypiserver's fallback to pypi.org for unknown projects), means
//! "not present", never "exists". Uploads are multipart POSTs whose file part is streamed from
//! disk, so a 1 GB wheel never sits in memory. Everything goes through the one [`HttpClient`];
//! every request is counted for the `--json` report.

use crate::model::simple_api::{self, PageKind, SimpleApiError};
use crate::model::upload_plan::{Digests, ProjectListing};
use crate::model::wheel_name::normalize_name;
use crate::remote::http::{HttpClient, HttpError, redact_url};
use crate::secret::{Secret, redact};
use futures_util::TryStreamExt;
use reqwest::{StatusCode, Url};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The `Accept` header for project pages (PEP 691's recommendation).
pub const SIMPLE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// The largest project page read (PyPI's biggest simple pages are a few MiB).
const MAX_PAGE_BYTES: usize = 64 << 20;

/// The most of an upload's error answer that is read.
const MAX_ERROR_BYTES: usize = 64 << 10;

/// A user name and password for Basic auth.
#[derive(Debug, Clone)]
pub struct BasicAuth {
    pub username: String,
    pub password: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("GET {url}: the index answered {status}{}", auth_note(*.status))]
    Status { url: String, status: StatusCode },
    #[error("GET {url}: unexpected Content-Type {content_type:?} (expected PEP 691 JSON or HTML)")]
    ContentType { url: String, content_type: String },
    #[error("GET {url}: {source}")]
    Page { url: String, source: SimpleApiError },
    #[error("GET {url}: reading the page failed: {message}")]
    Body { url: String, message: String },
    /// The project page is missing and so is the index itself: a mistyped URL, not a project
    /// that was never released.
    #[error(
        "{project_url} answered 404 and the index root {root} answered {status}: \
         this is not a simple index, so \"not on the index\" cannot be told from a wrong URL"
    )]
    NotAnIndex { project_url: String, root: String, status: StatusCode },
    #[error(
        "{root} is not PyPI's simple index (https://pypi.org/simple/, or `pypi` / `testpypi`), \
         so its 404 does not say the project is absent"
    )]
    NotPypiSimple { root: String },
    /// The root lists the project whose page is missing: project pages live elsewhere.
    #[error(
        "{project_url} answered 404, yet the index root {root} lists {project}: project pages \
         are not under this URL (devpi's simple index is …/<user>/<index>/+simple/)"
    )]
    ListedButMissing { project: String, project_url: String, root: String },
}

fn auth_note(status: StatusCode) -> &'static str {
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        " (the index needs credentials to read)"
    } else {
        ""
    }
}

impl IndexError {
    /// Whether the server refused our credentials.
    pub fn is_auth(&self) -> bool {
        matches!(self, IndexError::Status { status, .. }
            if *status == StatusCode::UNAUTHORIZED || *status == StatusCode::FORBIDDEN)
    }
}

/// pypi.org and test.pypi.org (whose rules include the 14-day window, and whose simple index
/// is only at `/simple/`).
pub fn is_pypi_simple(url: &Url) -> bool {
    url.scheme() == "https" && matches!(url.host_str(), Some("pypi.org" | "test.pypi.org"))
}

/// A 2xx simple page's kind (by `Content-Type`), final URL and text (at most 64 MiB).
async fn read_page(
    response: reqwest::Response,
    shown: &str,
) -> Result<(PageKind, Url, String), IndexError> {
    let page_url = response.url().clone();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let kind = simple_api::page_kind(&content_type)
        .ok_or_else(|| IndexError::ContentType { url: shown.to_owned(), content_type })?;
    let body = crate::remote::http::read_limited(response, MAX_PAGE_BYTES).await?;
    Ok((kind, page_url, String::from_utf8_lossy(&body).into_owned()))
}

/// One file to upload: where it is and what the form says about it.
#[derive(Debug, Clone)]
pub struct UploadFile {
    pub path: PathBuf,
    pub filename: String,
    pub size: u64,
    pub digests: Digests,
    /// `filetype`, `pyversion` and the metadata fields, in order (multi-use fields repeated).
    pub fields: Vec<(String, String)>,
}

/// The server's answer to an upload.
#[derive(Debug, Clone)]
pub enum UploadAnswer {
    /// 2xx.
    Accepted { status: StatusCode },
    /// Any other status: the caller re-reads the index before deciding what it means.
    Rejected { status: StatusCode, message: String },
    /// A retry was about to be sent when the index already listed the file.
    PresentBeforeRetry,
}

/// Bytes sent so far, reported as the body streams.
pub type OnProgress = Arc<dyn Fn(u64) + Send + Sync>;

/// A client for one index: its simple root, optional read credentials, request counters.
pub struct IndexClient {
    http: HttpClient,
    simple_root: Url,
    read_auth: Option<BasicAuth>,
    reads: AtomicU32,
    uploads: AtomicU32,
    /// This root is known to serve project pages (one answered, or the root confirmed a 404):
    /// from then on a 404 means "not there (yet)" without another look.
    url_confirmed: AtomicBool,
    /// Whether a root that cannot confirm a 404 is an error (a gate comparing with the
    /// previous release) or the old reading, "not on the index" (a plain upload, whose
    /// verification read catches a wrong URL after the fact).
    strict_absence: bool,
}

impl IndexClient {
    /// `simple_root` is the simple index (`…/simple/`); a missing trailing slash is added.
    pub fn new(http: HttpClient, mut simple_root: Url, read_auth: Option<BasicAuth>) -> Self {
        if !simple_root.path().ends_with('/') {
            let path = format!("{}/", simple_root.path());
            simple_root.set_path(&path);
        }
        Self {
            http,
            simple_root,
            read_auth,
            reads: AtomicU32::new(0),
            uploads: AtomicU32::new(0),
            url_confirmed: AtomicBool::new(false),
            strict_absence: true,
        }
    }

    /// A 404 the root cannot confirm (root not 2xx, not a simple page) reads as "not on the
    /// index"; a root that lists the project, or a PyPI URL that is not `/simple/`, is still
    /// an error. For uploads without a comparison: some private indexes do not serve a root.
    pub fn lenient_absence(mut self) -> Self {
        self.strict_absence = false;
        self
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Index page requests sent so far (every attempt counts).
    pub fn reads(&self) -> u32 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Upload requests sent so far (every attempt counts).
    pub fn uploads(&self) -> u32 {
        self.uploads.load(Ordering::Relaxed)
    }

    /// The project page URL: `{root}{normalized}/`.
    pub fn project_url(&self, project: &str) -> Url {
        let name = normalize_name(project);
        self.simple_root.join(&format!("{name}/")).unwrap_or_else(|_| self.simple_root.clone())
    }

    /// GET a simple page (the root or a project's), never from a cache, with the read
    /// credentials; every attempt counted.
    async fn get_page(&self, url: &Url) -> Result<reqwest::Response, IndexError> {
        let (response, attempts) = self
            .http
            .send_with(
                |client| {
                    let mut request = client
                        .get(url.clone())
                        .header(reqwest::header::ACCEPT, SIMPLE_ACCEPT)
                        // Never a stale cached page: we decide uploads from it.
                        .header(reqwest::header::CACHE_CONTROL, "max-age=0");
                    if let Some(auth) = &self.read_auth {
                        request = request.basic_auth(&auth.username, Some(auth.password.expose()));
                    }
                    request
                },
                || async { None },
            )
            .await?;
        self.reads.fetch_add(attempts.count, Ordering::Relaxed);
        Ok(response)
    }

    /// Reads one project's page. A redirect we do not follow (another host) is an absent
    /// project; so is a 404 or 410, once the simple root confirms it (see
    /// [`confirm_absent`](Self::confirm_absent)): a mistyped index URL is an error, never
    /// "absent".
    pub async fn project(&self, project: &str) -> Result<ProjectListing, IndexError> {
        match self.read_project(project, true).await {
            // The root may list a project another process uploaded after our read: its page
            // is read once more before the URL is called wrong.
            Err(IndexError::ListedButMissing { .. }) => self.read_project(project, false).await,
            other => other,
        }
    }

    async fn read_project(&self, project: &str, first: bool) -> Result<ProjectListing, IndexError> {
        let url = self.project_url(project);
        let response = self.get_page(&url).await?;
        let status = response.status();
        let shown = redact_url(url.as_str());
        if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
            if !self.url_confirmed.load(Ordering::Relaxed) {
                if first {
                    self.confirm_absent(project, &shown).await?;
                } else {
                    return Err(IndexError::ListedButMissing {
                        project: project.to_owned(),
                        project_url: shown,
                        root: redact_url(self.simple_root.as_str()),
                    });
                }
                self.url_confirmed.store(true, Ordering::Relaxed);
            }
            return Ok(ProjectListing::absent());
        }
        if status.is_redirection() {
            return Ok(ProjectListing::absent());
        }
        if !status.is_success() {
            return Err(IndexError::Status { url: shown, status });
        }
        let (kind, page_url, text) = read_page(response, &shown).await?;
        let files = match kind {
            PageKind::Json => simple_api::parse_json(&text, &page_url)
                .map_err(|source| IndexError::Page { url: shown, source })?,
            PageKind::Html => simple_api::parse_html(&text, &page_url),
        };
        self.url_confirmed.store(true, Ordering::Relaxed);
        Ok(ProjectListing { exists: true, files })
    }

    /// After the first 404 of a run: whether it means "not on the index". On pypi.org and
    /// test.pypi.org the simple index is only at `/simple/`. Elsewhere the root page is read:
    /// it must answer 2xx with a simple page (401/403 is a credentials error,
    /// anything else "not a simple index"), and must not list the project (devpi serves a root
    /// listing at `…/<index>/` too, but project pages only under `…/+simple/`).
    async fn confirm_absent(&self, project: &str, project_url: &str) -> Result<(), IndexError> {
        let root = &self.simple_root;
        let shown_root = redact_url(root.as_str());
        if is_pypi_simple(root) {
            return if root.path() == "/simple/" {
                Ok(())
            } else {
                Err(IndexError::NotPypiSimple { root: shown_root })
            };
        }
        let listed = match self.read_root(project_url).await {
            Ok(names) => names,
            Err(e) if !self.strict_absence => {
                tracing::debug!("the index root does not confirm the 404: {e}");
                Default::default()
            }
            Err(e) => return Err(e),
        };
        if listed.contains(&normalize_name(project)) {
            return Err(IndexError::ListedButMissing {
                project: project.to_owned(),
                project_url: project_url.to_owned(),
                root: shown_root,
            });
        }
        Ok(())
    }

    /// GET the simple root (after `project_url` answered 404): the normalised names it lists.
    async fn read_root(
        &self,
        project_url: &str,
    ) -> Result<std::collections::BTreeSet<String>, IndexError> {
        let response = self.get_page(&self.simple_root).await?;
        let status = response.status();
        let shown_root = redact_url(self.simple_root.as_str());
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(IndexError::Status { url: shown_root, status });
        }
        if !status.is_success() {
            let project_url = project_url.to_owned();
            return Err(IndexError::NotAnIndex { project_url, root: shown_root, status });
        }
        let (kind, page_url, text) = read_page(response, &shown_root).await?;
        let names = simple_api::root_projects(kind, &text, &page_url)
            .map_err(|source| IndexError::Page { url: shown_root, source })?;
        Ok(names.iter().map(|n| normalize_name(n)).collect())
    }

    /// Downloads a listed file only to hash it: `(bytes, sha256)`, or `None` when it is longer
    /// than `max_len` (then it cannot be a truncated copy of a file of that size).
    pub async fn file_sha256(
        &self,
        url: &str,
        max_len: u64,
    ) -> Result<Option<(u64, String)>, IndexError> {
        use futures_util::StreamExt;
        use sha2::{Digest, Sha256};
        let url = Url::parse(url).map_err(|e| IndexError::Body {
            url: redact_url(url),
            message: format!("not a URL: {e}"),
        })?;
        let same_origin = url.origin() == self.simple_root.origin();
        let (response, attempts) = self
            .http
            .send_with(
                |client| {
                    let mut request = client.get(url.clone());
                    if let Some(auth) = self.read_auth.as_ref().filter(|_| same_origin) {
                        request = request.basic_auth(&auth.username, Some(auth.password.expose()));
                    }
                    request
                },
                || async { None },
            )
            .await?;
        self.reads.fetch_add(attempts.count, Ordering::Relaxed);
        let shown = redact_url(url.as_str());
        if !response.status().is_success() {
            return Err(IndexError::Status { url: shown, status: response.status() });
        }
        if response.content_length().is_some_and(|n| n > max_len) {
            return Ok(None);
        }
        let mut hasher = Sha256::new();
        let mut len = 0u64;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk
                .map_err(|e| IndexError::Body { url: shown.clone(), message: e.to_string() })?;
            len += chunk.len() as u64;
            if len > max_len {
                return Ok(None);
            }
            hasher.update(&chunk);
        }
        Ok(Some((len, crate::inspect::hex(&hasher.finalize()))))
    }

    /// Uploads one file with the legacy API, streaming it from disk. Retries follow the shared
    /// policy; before each retry `present` is asked whether the index already lists the file
    /// with our digest, and if so no retry is sent.
    pub async fn upload<F, Fut>(
        &self,
        upload_url: &Url,
        auth: Option<&BasicAuth>,
        file: &UploadFile,
        on_progress: OnProgress,
        present: F,
    ) -> Result<UploadAnswer, IndexError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = bool>,
    {
        let found_before_retry = std::sync::atomic::AtomicBool::new(false);
        let build = |client: &reqwest::Client| {
            self.uploads.fetch_add(1, Ordering::Relaxed);
            on_progress(0);
            let form = upload_form(file, on_progress.clone());
            let mut request = client.post(upload_url.clone()).multipart(form);
            if let Some(auth) = auth {
                request = request.basic_auth(&auth.username, Some(auth.password.expose()));
            }
            request
        };
        let before_retry = || {
            let check = present();
            let flag = &found_before_retry;
            async move {
                if check.await {
                    flag.store(true, Ordering::Relaxed);
                    Some(reqwest::Response::from(http::Response::new(Vec::<u8>::new())))
                } else {
                    None
                }
            }
        };
        let (response, _) = self.http.send_with(build, before_retry).await?;
        if found_before_retry.load(Ordering::Relaxed) {
            return Ok(UploadAnswer::PresentBeforeRetry);
        }
        let status = response.status();
        if status.is_success() {
            return Ok(UploadAnswer::Accepted { status });
        }
        let body = crate::remote::http::read_limited(response, MAX_ERROR_BYTES)
            .await
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let secrets: Vec<&Secret> = auth.map(|a| vec![&a.password]).unwrap_or_default();
        let message = redact(&server_message(&body), &secrets);
        Ok(UploadAnswer::Rejected { status, message })
    }
}

/// The multipart form of the legacy upload API, with the file part streamed from disk.
fn upload_form(file: &UploadFile, on_progress: OnProgress) -> reqwest::multipart::Form {
    use reqwest::multipart::{Form, Part};
    let mut form = Form::new()
        .text(":action", "file_upload")
        .text("protocol_version", "1")
        .text("sha256_digest", file.digests.sha256.clone())
        .text("blake2_256_digest", file.digests.blake2_256.clone())
        .text("md5_digest", file.digests.md5.clone());
    for (name, value) in &file.fields {
        form = form.text(name.clone(), value.clone());
    }
    let part = Part::stream_with_length(file_body(&file.path, on_progress), file.size)
        .file_name(file.filename.clone());
    let part = match part.mime_str("application/octet-stream") {
        Ok(p) => p,
        Err(_) => Part::stream_with_length(reqwest::Body::from(Vec::<u8>::new()), 0),
    };
    form.part("content", part)
}

/// A streaming body over the file; an open failure becomes a stream error (a transport error).
fn file_body(path: &std::path::Path, on_progress: OnProgress) -> reqwest::Body {
    match std::fs::File::open(path) {
        Ok(file) => {
            let file = tokio::fs::File::from_std(file);
            let mut sent = 0u64;
            let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).inspect_ok(
                move |chunk| {
                    sent += chunk.len() as u64;
                    on_progress(sent);
                },
            );
            reqwest::Body::wrap_stream(stream)
        }
        Err(e) => reqwest::Body::wrap_stream(futures_util::stream::once(async move {
            Err::<bytes::Bytes, std::io::Error>(e)
        })),
    }
}

/// What the server said, as one short line: a JSON `message`, or the page reduced to its text
/// (see [`crate::remote::http::readable_excerpt`]).
pub fn server_message(body: &str) -> String {
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body)
        && let Some(message) = json.get("message").and_then(|m| m.as_str())
    {
        return crate::remote::http::readable_excerpt(message, 300);
    }
    crate::remote::http::readable_excerpt(body, 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_are_short_plain_lines() {
        assert_eq!(
            server_message(
                "<html><body><h1>Conflict</h1>\n<p>Package 'x' already exists!</p></body></html>"
            ),
            "Conflict Package 'x' already exists!"
        );
        assert_eq!(
            server_message(r#"{"message":"File already exists","code":"400"}"#),
            "File already exists"
        );
        assert!(server_message(&"a ".repeat(400)).ends_with('…'));
        let page = "<html><head><title>403 Forbidden</title><style>body { color: red; }</style>\
                    <script>alert(1)</script></head><body><!-- x --><h1>Invalid &amp; expired\
                    </h1>\u{1b}[2J</body></html>";
        assert_eq!(server_message(page), "403 Forbidden Invalid & expired \\u{1b}[2J");
    }

    #[test]
    fn project_urls_use_normalized_names() {
        let http = HttpClient::new(Default::default()).unwrap();
        let client = IndexClient::new(http, Url::parse("http://127.0.0.1:1/simple").unwrap(), None);
        assert_eq!(
            client.project_url("MarkupSafe").as_str(),
            "http://127.0.0.1:1/simple/markupsafe/"
        );
        assert_eq!(client.project_url("a_b.c").as_str(), "http://127.0.0.1:1/simple/a-b-c/");
    }
}
