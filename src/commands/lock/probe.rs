//! `surestep lock probe`: does this store honour what Terraform's S3 locking relies on?
//!
//! The story: write one scratch object under the prefix with `If-None-Match: *`, write it again
//! the same way (must be refused with 412), delete it with `If-Match: <wrong ETag>` (must be
//! refused with 412), then remove it. Each answer is reported as honoured / ignored / unsupported.

use super::{connect, parse_url, s3_error};
use crate::cli::lock::LockProbeArgs;
use crate::exit::{CliError, ExitStatus};
use crate::output::Reporter;
use crate::remote::s3_lock::{Conditional, LockStore};
use serde::Serialize;

/// One behaviour of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Refused with 412 as AWS does.
    Honoured,
    /// The write or delete happened anyway.
    Ignored,
    /// 501 NotImplemented.
    Unsupported,
    /// An answer that is neither (see the detail).
    Inconclusive,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeCheck {
    pub name: &'static str,
    pub request: &'static str,
    pub verdict: Verdict,
    pub detail: String,
}

/// What `lock probe` found.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeOutcome {
    pub target: String,
    pub endpoint: String,
    pub scratch_key: String,
    /// Both conditions are honoured: Terraform's locking is safe on this store.
    pub safe: bool,
    pub checks: Vec<ProbeCheck>,
    pub cleaned_up: bool,
    pub warnings: Vec<String>,
}

impl ProbeOutcome {
    pub fn status(&self) -> ExitStatus {
        if self.safe { ExitStatus::Success } else { ExitStatus::Failed }
    }
}

pub const PUT_CHECK: &str = "put_if_none_match";
pub const DELETE_CHECK: &str = "delete_if_match";

pub async fn probe(args: &LockProbeArgs, reporter: &Reporter) -> Result<ProbeOutcome, CliError> {
    let url = parse_url(&args.url)?;
    let mut prefix = url.key.clone();
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| CliError::environment(anyhow::anyhow!("{e}")))?;
    let hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let key = format!("{prefix}.surestep-probe-{hex}");
    let store = connect(&args.s3, reporter).await?;
    let spinner = reporter.spinner(&format!("probing s3://{}/{key}", url.bucket));
    let result = run_checks(&store, &url.bucket, &key).await;
    // Whatever happened, do not leave the scratch object behind.
    let cleaned_up = cleanup(&store, &url.bucket, &key).await;
    spinner.finish();
    let checks = result?;
    let safe = checks.iter().all(|c| c.verdict == Verdict::Honoured);
    let mut warnings = Vec::new();
    if !cleaned_up {
        warnings.push(format!("could not remove the scratch object s3://{}/{key}", url.bucket));
    }
    if !safe {
        // Name only the dangers the probe found: a store that honours If-None-Match does not
        // let two applies take the lock, whatever it does with deletes.
        let failed =
            |name: &str| checks.iter().any(|c| c.name == name && c.verdict != Verdict::Honoured);
        let mut dangers = Vec::new();
        if failed(PUT_CHECK) {
            dangers.push("two applies can both take the lock");
        }
        if failed(DELETE_CHECK) {
            dangers.push("an unlock can remove a newer lock");
        }
        warnings.push(format!(
            "Terraform's S3 lock file is not safe on this store: {}",
            dangers.join(", and ")
        ));
    }
    Ok(ProbeOutcome {
        target: url.to_string(),
        endpoint: store.endpoint().to_owned(),
        scratch_key: key,
        safe,
        checks,
        cleaned_up,
        warnings,
    })
}

async fn run_checks(
    store: &LockStore,
    bucket: &str,
    key: &str,
) -> Result<Vec<ProbeCheck>, CliError> {
    let mut checks = Vec::new();
    let first = br#"{"ID":"surestep-probe-1","Operation":"probe","Info":"","Who":"surestep","Version":"","Created":"","Path":""}"#;
    let second = br#"{"ID":"surestep-probe-2","Operation":"probe","Info":"","Who":"surestep","Version":"","Created":"","Path":""}"#;
    let created = store.put_if_absent(bucket, key, first.to_vec()).await.map_err(s3_error)?;
    let put = match created {
        Conditional::NotImplemented => ProbeCheck {
            name: PUT_CHECK,
            request: "PutObject If-None-Match: * on an existing key",
            verdict: Verdict::Unsupported,
            detail: "the store answered 501 NotImplemented to If-None-Match: *".into(),
        },
        Conditional::Done { .. } => {
            match store.put_if_absent(bucket, key, second.to_vec()).await.map_err(s3_error)? {
                Conditional::PreconditionFailed => ProbeCheck {
                    name: PUT_CHECK,
                    request: "PutObject If-None-Match: * on an existing key",
                    verdict: Verdict::Honoured,
                    detail: "refused with 412, the object was kept".into(),
                },
                Conditional::Done { .. } => ProbeCheck {
                    name: PUT_CHECK,
                    request: "PutObject If-None-Match: * on an existing key",
                    verdict: Verdict::Ignored,
                    detail:
                        "answered 200 and overwrote the object: two applies can both take the lock"
                            .into(),
                },
                Conditional::NotImplemented => ProbeCheck {
                    name: PUT_CHECK,
                    request: "PutObject If-None-Match: * on an existing key",
                    verdict: Verdict::Unsupported,
                    detail: "answered 501 NotImplemented".into(),
                },
                Conditional::Missing => ProbeCheck {
                    name: PUT_CHECK,
                    request: "PutObject If-None-Match: * on an existing key",
                    verdict: Verdict::Inconclusive,
                    detail: "answered 404 NoSuchKey for an object it had just stored".into(),
                },
            }
        }
        other => ProbeCheck {
            name: PUT_CHECK,
            request: "PutObject If-None-Match: * on an absent key",
            verdict: Verdict::Inconclusive,
            detail: format!("creating the scratch object was refused ({other:?})"),
        },
    };
    checks.push(put);

    let exists = store.head_etag(bucket, key).await.map_err(s3_error)?.is_some();
    if !exists {
        // Nothing to delete conditionally: put a plain scratch object there first.
        store.put_if_absent(bucket, key, first.to_vec()).await.map_err(s3_error)?;
    }
    let request = "DeleteObject If-Match: <wrong ETag>";
    let delete = match store
        .delete_if_match(bucket, key, super::unlock::NEVER_MATCHING_ETAG)
        .await
        .map_err(s3_error)?
    {
        Conditional::PreconditionFailed => ProbeCheck {
            name: DELETE_CHECK,
            request,
            verdict: Verdict::Honoured,
            detail: "refused with 412, the object was kept".into(),
        },
        Conditional::Done { .. } => {
            let still_there = store.head_etag(bucket, key).await.map_err(s3_error)?.is_some();
            if still_there {
                ProbeCheck {
                    name: DELETE_CHECK,
                    request,
                    verdict: Verdict::Inconclusive,
                    detail: "answered 204 but kept the object".into(),
                }
            } else {
                ProbeCheck {
                    name: DELETE_CHECK,
                    request,
                    verdict: Verdict::Ignored,
                    detail:
                        "answered 204 and deleted the object: an unlock can remove a newer lock"
                            .into(),
                }
            }
        }
        Conditional::NotImplemented => ProbeCheck {
            name: DELETE_CHECK,
            request,
            verdict: Verdict::Unsupported,
            detail:
                "answered 501 NotImplemented: `lock unlock` needs --allow-unconditional-delete here"
                    .into(),
        },
        Conditional::Missing => ProbeCheck {
            name: DELETE_CHECK,
            request,
            verdict: Verdict::Inconclusive,
            detail: "answered 404 NoSuchKey for an object it had just stored".into(),
        },
    };
    checks.push(delete);
    Ok(checks)
}

/// Removes the scratch object (conditionally when possible); true when it is gone.
async fn cleanup(store: &LockStore, bucket: &str, key: &str) -> bool {
    match store.head_etag(bucket, key).await {
        Ok(None) => return true,
        Ok(Some(etag)) => {
            if let Ok(Conditional::Done { .. } | Conditional::Missing) =
                store.delete_if_match(bucket, key, &etag).await
            {
                return matches!(store.head_etag(bucket, key).await, Ok(None));
            }
        }
        Err(_) => {}
    }
    let _ = store.delete(bucket, key).await;
    matches!(store.head_etag(bucket, key).await, Ok(None))
}
