//! Reading locks: one lock with its ETag (bounded body), many locks concurrently, the `.tflock`
//! keys under a prefix, and the ETag of a key.

use super::{LockListing, LockObject, LockStore, MAX_LOCK_BYTES, READ_CONCURRENCY, S3LockError};
use crate::model::tflock::is_lock_key;
use futures_util::StreamExt;
use std::time::SystemTime;

impl LockStore {
    /// Reads a lock: body, ETag and Last-Modified; `None` when there is no lock.
    pub async fn read_lock(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<LockObject>, S3LockError> {
        let req = self.client.get_object().bucket(bucket).key(key);
        let req = with_sse_c!(req, &self.sse);
        let out = match req.send().await {
            Ok(out) => out,
            Err(err) => {
                if let Some(aws_sdk_s3::operation::get_object::GetObjectError::NoSuchKey(_)) =
                    err.as_service_error()
                {
                    return Ok(None);
                }
                return match self.classify("GetObject", bucket, key, err) {
                    S3LockError::NoSuchKey { .. } => Ok(None),
                    other => Err(other),
                };
            }
        };
        let etag = out.e_tag().unwrap_or_default().to_owned();
        let last_modified = out.last_modified().and_then(|d| SystemTime::try_from(*d).ok());
        // A lock is a few hundred bytes: an endless or huge body is cut off by the limit.
        let too_large = || S3LockError::TooLarge {
            target: format!("s3://{bucket}/{key}"),
            limit: MAX_LOCK_BYTES,
        };
        if out.content_length().is_some_and(|n| n > MAX_LOCK_BYTES as i64) {
            return Err(too_large());
        }
        let mut stream = out.body;
        let mut body = Vec::new();
        while let Some(chunk) = stream.try_next().await.map_err(|e| S3LockError::Unreachable {
            endpoint: self.endpoint.clone(),
            message: format!("reading the body of s3://{bucket}/{key}: {e}"),
        })? {
            if body.len() + chunk.len() > MAX_LOCK_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Some(LockObject { key: key.to_owned(), body, etag, last_modified }))
    }

    /// Reads many locks, [`READ_CONCURRENCY`] at a time, in the order given; `on_each` is
    /// called as each read completes (for progress).
    pub async fn read_locks(
        &self,
        bucket: &str,
        keys: &[String],
        on_each: &(dyn Fn() + Sync),
    ) -> Vec<Result<Option<LockObject>, S3LockError>> {
        futures_util::stream::iter(keys)
            .map(|key| async move {
                let read = self.read_lock(bucket, key).await;
                on_each();
                read
            })
            .buffered(READ_CONCURRENCY)
            .collect()
            .await
    }

    /// Lists every `.tflock` key under `prefix` (ListObjectsV2, all pages).
    pub async fn list_lock_keys(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> Result<LockListing, S3LockError> {
        let mut pages =
            self.client.list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
        let mut listing = LockListing::default();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.classify("ListObjectsV2", bucket, prefix, e))?;
            listing.pages += 1;
            for object in page.contents() {
                listing.objects_scanned += 1;
                if let Some(key) = object.key().filter(|k| is_lock_key(k)) {
                    listing.lock_keys.push(key.to_owned());
                }
            }
        }
        Ok(listing)
    }

    /// The current ETag of a key, `None` when it does not exist.
    pub async fn head_etag(&self, bucket: &str, key: &str) -> Result<Option<String>, S3LockError> {
        let req = self.client.head_object().bucket(bucket).key(key);
        let req = with_sse_c!(req, &self.sse);
        match req.send().await {
            Ok(out) => Ok(Some(out.e_tag().unwrap_or_default().to_owned())),
            Err(err) => match self.classify("HeadObject", bucket, key, err) {
                S3LockError::NoSuchKey { .. } => Ok(None),
                other => Err(other),
            },
        }
    }
}
