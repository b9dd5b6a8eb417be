//! Manifests: HEAD (does the tag exist, at which digest), GET (verified against every digest
//! claimed for it), PUT (the exact bytes, so the digest is kept).

use super::{
    Fetched, Head, RegistryClient, RegistryError, check_digest, content_type, header,
    read_error_body, read_verified, registry_error_code, unexpected,
};
use crate::model::oci::{Digest, MANIFEST_ACCEPT};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use std::sync::atomic::Ordering;

/// Manifests larger than this are refused (registries commonly cap them at 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;

impl RegistryClient {
    fn manifest_url(&self, reference: &str) -> String {
        format!("{}/v2/{}/manifests/{reference}", self.base, self.repository)
    }

    /// `HEAD /v2/<name>/manifests/<reference>`.
    pub async fn head_manifest(&self, reference: &str) -> Result<Head, RegistryError> {
        let url = self.manifest_url(reference);
        let resp = self.send(Method::HEAD, &url, Some(MANIFEST_ACCEPT)).await?;
        match resp.status() {
            s if s.is_success() => {
                let digest = header(&resp, "docker-content-digest")
                    .and_then(|d| Digest::parse(d.trim()).ok());
                Ok(Head::Found { digest, media_type: content_type(&resp) })
            }
            StatusCode::NOT_FOUND => Ok(Head::Missing),
            // A registry without HEAD support: the caller falls back to GET.
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED => {
                Ok(Head::Found { digest: None, media_type: None })
            }
            s => Err(unexpected(&url, s, None)),
        }
    }

    /// `GET /v2/<name>/manifests/<reference>`, verified: the sha256 of the bytes must equal
    /// `expected` (when given), the reference (when it is a digest) and `Docker-Content-Digest`
    /// (when sent). `None` when the registry says 404 MANIFEST_UNKNOWN / NAME_UNKNOWN.
    pub async fn get_manifest(
        &self,
        reference: &str,
        expected: Option<&Digest>,
    ) -> Result<Option<Fetched>, RegistryError> {
        let url = self.manifest_url(reference);
        let resp = self.send(Method::GET, &url, Some(MANIFEST_ACCEPT)).await?;
        let status = resp.status();
        if status == StatusCode::NOT_FOUND {
            let body = read_error_body(resp).await;
            return match registry_error_code(&body).as_deref() {
                Some("MANIFEST_UNKNOWN" | "NAME_UNKNOWN") | None => Ok(None),
                Some(_) => Err(unexpected(&url, status, Some(&body))),
            };
        }
        if !status.is_success() {
            let body = read_error_body(resp).await;
            return Err(unexpected(&url, status, Some(&body)));
        }
        let claimed = header(&resp, "docker-content-digest").map(str::to_owned);
        let media_type = content_type(&resp);
        let (bytes, digest) = read_verified(resp, MAX_MANIFEST_BYTES, &url).await?;
        let mut claims: Vec<(String, &str)> = Vec::new();
        if let Some(e) = expected {
            claims.push((e.to_string(), "the digest it was asked for"));
        }
        if let Ok(d) = Digest::parse(reference) {
            claims.push((d.to_string(), "the digest in its URL"));
        }
        if let Some(c) = claimed {
            claims.push((c.trim().to_owned(), "its Docker-Content-Digest header"));
        }
        for (claim, what) in claims {
            check_digest(&url, &digest, &claim, what)?;
        }
        Ok(Some(Fetched { digest, media_type, bytes }))
    }

    /// `PUT /v2/<name>/manifests/<reference>` with exactly `bytes`; the registry's digest
    /// (`Docker-Content-Digest`) must be the sha256 of those bytes.
    pub async fn put_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(), RegistryError> {
        let url = self.manifest_url(reference);
        let body = bytes::Bytes::copy_from_slice(bytes);
        let media_type = media_type.to_owned();
        let resp = self
            .send_with(Method::PUT, &url, None, &|rb| {
                rb.header(CONTENT_TYPE, media_type.as_str()).body(body.clone())
            })
            .await?;
        let status = resp.status();
        if status != StatusCode::CREATED && !status.is_success() {
            let body = read_error_body(resp).await;
            return Err(unexpected(&format!("PUT {url}"), status, Some(&body)));
        }
        self.sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let ours = Digest::sha256_of(bytes);
        if let Some(theirs) = header(&resp, "docker-content-digest")
            && theirs.trim() != ours.as_str()
        {
            return Err(RegistryError::Protocol(format!(
                "PUT {}: the registry stored the manifest as {}, not {ours}",
                crate::remote::http::redact_url(&url),
                theirs.trim()
            )));
        }
        Ok(())
    }
}
