//! Blobs: HEAD (is it there), GET (verified, or streamed through [`VerifiedBody`]), and the
//! upload side of a copy: a cross-repository mount first, else an upload session whose single
//! `PUT ?digest=` streams the body. Nothing is held in memory beyond one chunk.

use super::{
    RegistryClient, RegistryError, check_digest, header, read_error_body, read_verified, unexpected,
};
use crate::model::oci::Digest;
use crate::remote::http::{HttpError, error_chain, is_loopback_host, redact_url};
use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::{Method, Response, StatusCode};
use sha2::{Digest as _, Sha256};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// How an upload starts.
#[derive(Debug)]
pub enum Upload {
    /// The registry mounted the blob from the other repository: nothing to send.
    Mounted,
    /// An upload session at this URL.
    Session(String),
}

impl RegistryClient {
    fn blob_url(&self, digest: &Digest) -> String {
        format!("{}/v2/{}/blobs/{digest}", self.base, self.repository)
    }

    /// `HEAD /v2/<name>/blobs/<digest>`: whether the registry has it in this repository.
    pub async fn has_blob(&self, digest: &Digest) -> Result<bool, RegistryError> {
        let url = self.blob_url(digest);
        let resp = self.send(Method::HEAD, &url, None).await?;
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            // A storage redirect means the registry has it.
            s if s.is_redirection() => Ok(true),
            s => Err(unexpected(&format!("HEAD {url}"), s, None)),
        }
    }

    /// `POST /v2/<name>/blobs/uploads/`, with `?mount=<digest>&from=<repo>` when the blob is
    /// in another repository of the same registry. 201 = mounted; 202 = a session to upload to.
    pub async fn start_upload(
        &self,
        mount: Option<(&Digest, &str)>,
    ) -> Result<Upload, RegistryError> {
        let mut url = format!("{}/v2/{}/blobs/uploads/", self.base, self.repository);
        if let Some((digest, from)) = mount {
            url.push_str(&format!("?mount={digest}&from={from}"));
        }
        let resp =
            self.send_with(Method::POST, &url, None, &|rb| rb.header(CONTENT_LENGTH, "0")).await?;
        let status = resp.status();
        if status == StatusCode::CREATED && mount.is_some() {
            return Ok(Upload::Mounted);
        }
        if status != StatusCode::ACCEPTED {
            let body = read_error_body(resp).await;
            return Err(unexpected(&format!("POST {url}"), status, Some(&body)));
        }
        let location = header(&resp, LOCATION.as_str()).ok_or_else(|| {
            RegistryError::Protocol(format!(
                "POST {}: the upload session has no Location",
                redact_url(&url)
            ))
        })?;
        let target = resp.url().join(location).map_err(|_| {
            RegistryError::Protocol(format!("POST {}: unusable upload Location", redact_url(&url)))
        })?;
        if target.host_str() != resp.url().host_str() || target.port() != resp.url().port() {
            let plain_ok = target.host_str().is_some_and(is_loopback_host) || self.insecure;
            if target.scheme() != "https" && !plain_ok {
                return Err(RegistryError::Protocol(format!(
                    "POST {}: refusing an upload Location on plain HTTP ({})",
                    redact_url(&url),
                    redact_url(target.as_str())
                )));
            }
        }
        Ok(Upload::Session(target.to_string()))
    }

    /// Completes an upload session with one `PUT <location>&digest=<digest>` streaming `body`
    /// (`size` bytes). Sent once, never retried here (a stream cannot be replayed): the
    /// caller starts a new session to try again. The registry checks the digest too.
    pub async fn finish_upload(
        &self,
        location: &str,
        digest: &Digest,
        size: u64,
        body: reqwest::Body,
    ) -> Result<(), RegistryError> {
        let mut url = reqwest::Url::parse(location).map_err(|_| {
            RegistryError::Protocol(format!(
                "the upload Location {} is not a URL",
                redact_url(location)
            ))
        })?;
        url.query_pairs_mut().append_pair("digest", digest.as_str());
        self.refresh_if_expired().await?;
        let rb = self
            .http
            .client()
            .put(url.clone())
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, size.to_string())
            .body(body);
        let resp = self.authorize(rb).send().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let resp = resp.map_err(|e| {
            RegistryError::Transient(HttpError::Transport {
                method: "PUT".into(),
                url: redact_url(url.as_str()),
                message: error_chain(&e),
            })
        })?;
        let status = resp.status();
        if !status.is_success() {
            let body = read_error_body(resp).await;
            let err = unexpected(&format!("PUT {}", url.as_str()), status, Some(&body));
            return Err(if status.is_server_error() {
                RegistryError::Incomplete(err.to_string())
            } else {
                err
            });
        }
        self.sent.fetch_add(size, Ordering::Relaxed);
        Ok(())
    }

    /// `GET /v2/<name>/blobs/<digest>`, verified against the digest. A redirect to storage on
    /// another host is followed without the registry's credentials.
    pub async fn get_blob(&self, digest: &Digest, cap: usize) -> Result<Vec<u8>, RegistryError> {
        let url = self.blob_url(digest);
        let resp = self.open_blob(digest).await?;
        let (bytes, actual) = read_verified(resp, cap, &url).await?;
        check_digest(&url, &actual, digest.as_str(), "the blob digest")?;
        Ok(bytes)
    }

    /// `GET /v2/<name>/blobs/<digest>` up to the response head (redirects followed), for a
    /// caller that streams the body and verifies it (see [`VerifiedBody`]).
    pub async fn open_blob(&self, digest: &Digest) -> Result<Response, RegistryError> {
        let url = self.blob_url(digest);
        let mut resp = self.send(Method::GET, &url, None).await?;
        let mut hops = 0;
        while resp.status().is_redirection() {
            hops += 1;
            let location =
                header(&resp, LOCATION.as_str()).map(str::to_owned).ok_or_else(|| {
                    RegistryError::Protocol(format!(
                        "GET {}: redirect without a Location",
                        redact_url(&url)
                    ))
                })?;
            let target = resp.url().join(&location).map_err(|_| {
                RegistryError::Protocol(format!("GET {}: unusable redirect", redact_url(&url)))
            })?;
            let plain_ok = target.host_str().is_some_and(is_loopback_host) || self.insecure;
            if hops > 5 || (target.scheme() != "https" && !plain_ok) {
                return Err(RegistryError::Protocol(format!(
                    "GET {}: refusing redirect to {}",
                    redact_url(&url),
                    redact_url(target.as_str())
                )));
            }
            let target = target.to_string();
            let (r, attempts) = self
                .http
                .send_with(|c| c.get(target.as_str()), || async { None })
                .await
                .map_err(RegistryError::Transient)?;
            self.requests.fetch_add(attempts.count, Ordering::Relaxed);
            resp = r;
        }
        if resp.status() == StatusCode::NOT_FOUND {
            return Err(RegistryError::Incomplete(format!(
                "{} does not have the blob {digest}",
                redact_url(&url)
            )));
        }
        if !resp.status().is_success() {
            let status = resp.status();
            let body = read_error_body(resp).await;
            return Err(unexpected(&url, status, Some(&body)));
        }
        Ok(resp)
    }
}

/// What a [`VerifiedBody`] found, readable after the upload ended.
#[derive(Debug, Clone, Default)]
pub struct Verdict(Arc<Mutex<Option<StreamFailure>>>);

/// Why a [`VerifiedBody`] cut the stream.
#[derive(Debug, Clone)]
pub struct StreamFailure {
    pub message: String,
    /// The content was wrong (digest or size), not merely interrupted.
    pub corrupt: bool,
}

impl Verdict {
    /// Why the stream was cut, if it was.
    pub fn failure(&self) -> Option<StreamFailure> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn set(&self, message: String, corrupt: bool) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(StreamFailure { message, corrupt });
    }
}

/// A blob body streamed from the source registry to the destination, hashed on the way.
///
/// The last chunk is held back until the whole blob has been hashed: if the sha256 or the
/// size is not what the manifest says, the stream fails before the final bytes leave, so the
/// destination never receives a complete (corrupt) blob, whatever it checks itself.
pub struct VerifiedBody;

impl VerifiedBody {
    /// Wraps the source response; `progress` is told the size of each chunk read.
    pub fn wrap(
        resp: Response,
        expected: Digest,
        size: u64,
        source: String,
        progress: Arc<dyn Fn(u64) + Send + Sync>,
    ) -> (reqwest::Body, Verdict) {
        let verdict = Verdict::default();
        let state = State {
            resp,
            hasher: Sha256::new(),
            held: None,
            read: 0,
            done: false,
            expected,
            size,
            source,
            progress,
            verdict: verdict.clone(),
        };
        let stream = futures_util::stream::try_unfold(state, |mut st| async move {
            loop {
                if st.done {
                    return Ok(None);
                }
                match st.resp.chunk().await {
                    Ok(Some(chunk)) => {
                        st.read += chunk.len() as u64;
                        if st.read > st.size {
                            let why = format!(
                                "{} sent more than the {} bytes its manifest gives {}",
                                st.source, st.size, st.expected
                            );
                            st.verdict.set(why.clone(), true);
                            return Err(std::io::Error::other(why));
                        }
                        st.hasher.update(&chunk);
                        (st.progress)(chunk.len() as u64);
                        if let Some(previous) = st.held.replace(chunk) {
                            return Ok(Some((previous, st)));
                        }
                    }
                    Ok(None) => {
                        st.done = true;
                        let actual = crate::model::oci::Digest::from_hasher(st.hasher.clone());
                        if actual != st.expected || st.read != st.size {
                            let why = format!(
                                "the blob {} from {} is corrupt: {} bytes with digest {actual} \
                                 (the manifest says {} bytes)",
                                st.expected, st.source, st.read, st.size
                            );
                            st.verdict.set(why.clone(), true);
                            return Err(std::io::Error::other(why));
                        }
                        return Ok(st.held.take().map(|last| (last, st)));
                    }
                    Err(e) => {
                        let why = format!(
                            "reading {} from {}: {}",
                            st.expected,
                            st.source,
                            error_chain(&e)
                        );
                        st.verdict.set(why.clone(), false);
                        return Err(std::io::Error::other(why));
                    }
                }
            }
        });
        (reqwest::Body::wrap_stream(stream), verdict)
    }
}

struct State {
    resp: Response,
    hasher: Sha256,
    held: Option<Bytes>,
    read: u64,
    done: bool,
    expected: Digest,
    size: u64,
    source: String,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
    verdict: Verdict,
}
