//! Writing locks: PutObject `If-None-Match: *` (take), `If-Match: <ETag>` (renew), and
//! DeleteObject with and without `If-Match`. A conditional answer (412, 404, 501) comes back as
//! a [`Conditional`], never as an error.

use super::{Conditional, LockStore, S3LockError};

impl LockStore {
    /// DeleteObject with `If-Match: <etag>`.
    pub async fn delete_if_match(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> Result<Conditional, S3LockError> {
        let res = self.client.delete_object().bucket(bucket).key(key).if_match(etag).send().await;
        match res {
            Ok(_) => Ok(Conditional::Done { etag: None }),
            Err(err) => self.conditional_error("DeleteObject", bucket, key, err),
        }
    }

    /// [`delete_if_match`](Self::delete_if_match) sent exactly once: the SDK's retry is off,
    /// because after a lost answer the delete may already have happened and only a re-read
    /// can tell (the caller does that, see [`S3LockError::outcome_unknown`]).
    pub async fn delete_if_match_once(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> Result<Conditional, S3LockError> {
        let res = self
            .client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .if_match(etag)
            .customize()
            .config_override(sent_once())
            .send()
            .await;
        match res {
            Ok(_) => Ok(Conditional::Done { etag: None }),
            Err(err) => self.conditional_error("DeleteObject", bucket, key, err),
        }
    }

    /// DeleteObject with no condition (only with `--allow-unconditional-delete`, and cleanup).
    pub async fn delete(&self, bucket: &str, key: &str) -> Result<(), S3LockError> {
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.classify("DeleteObject", bucket, key, e))
    }

    /// PutObject with `If-None-Match: *`, as Terraform takes a lock.
    pub async fn put_if_absent(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<Conditional, S3LockError> {
        let req = self
            .client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .if_none_match("*")
            .body(body.into());
        let req = with_sse_c!(req, &self.sse);
        match req.send().await {
            Ok(out) => Ok(Conditional::Done { etag: out.e_tag().map(str::to_owned) }),
            Err(err) => self.conditional_error("PutObject", bucket, key, err),
        }
    }

    /// PutObject with `If-Match: <etag>`: rewrite a lock only if it is still the one we wrote
    /// (a lease renewal). Sent once: after a lost answer only a re-read can tell whether the
    /// rewrite happened (a retry would get 412 against our own new ETag).
    pub async fn put_if_match_once(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
        body: Vec<u8>,
    ) -> Result<Conditional, S3LockError> {
        let req = self
            .client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .if_match(etag)
            .body(body.into());
        let req = with_sse_c!(req, &self.sse);
        match req.customize().config_override(sent_once()).send().await {
            Ok(out) => Ok(Conditional::Done { etag: out.e_tag().map(str::to_owned) }),
            Err(err) => self.conditional_error("PutObject", bucket, key, err),
        }
    }
}

/// The per-request override that sends a conditional write exactly once (no SDK retry).
fn sent_once() -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::new()
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
}
