//! Learning which conditional requests a store honours, on a scratch object and never on a lock:
//! a "test" delete on a lock key would itself be the destructive act on a store that ignores
//! the condition. `lock probe` reports these checks; `lock unlock`, `acquire`, `release` and
//! `run` run the ones they rely on before relying on them, through this one code path.

use super::{Conditional, LockStore, S3LockError};
use serde::Serialize;

/// A condition a lock command relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// PutObject `If-None-Match: *` on an existing key is refused: taking a lock is exclusive.
    PutIfNoneMatch,
    /// DeleteObject `If-Match: <other ETag>` is refused: removing a lock never removes a newer one.
    DeleteIfMatch,
    /// PutObject `If-Match: <other ETag>` is refused: renewing a lease never overwrites a lock
    /// someone else took.
    PutIfMatch,
}

impl Condition {
    /// The name in JSON and GitHub outputs.
    pub fn name(self) -> &'static str {
        match self {
            Condition::PutIfNoneMatch => "put_if_none_match",
            Condition::DeleteIfMatch => "delete_if_match",
            Condition::PutIfMatch => "put_if_match",
        }
    }

    /// The request that shows it.
    pub fn request(self) -> &'static str {
        match self {
            Condition::PutIfNoneMatch => "PutObject If-None-Match: * on an existing key",
            Condition::DeleteIfMatch => "DeleteObject If-Match: <wrong ETag>",
            Condition::PutIfMatch => "PutObject If-Match: <wrong ETag>",
        }
    }

    /// What is unsafe without it.
    pub fn relied_on_for(self) -> &'static str {
        match self {
            Condition::PutIfNoneMatch => {
                "taking a lock (Terraform, `lock acquire`, `lock run`): without it two holders both get the lock"
            }
            Condition::DeleteIfMatch => {
                "removing a lock (`lock unlock`, `lock release`, take-over): without it a newer lock can be removed"
            }
            Condition::PutIfMatch => {
                "renewing a lease (`lock run --lease`): without it a renewal can overwrite another holder's lock"
            }
        }
    }
}

/// How the store answered one check.
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

/// One check and what the store answered.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeCheck {
    pub name: &'static str,
    pub condition: Condition,
    pub request: &'static str,
    pub verdict: Verdict,
    pub detail: String,
}

impl ProbeCheck {
    fn new(condition: Condition, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            name: condition.name(),
            condition,
            request: condition.request(),
            verdict,
            detail: detail.into(),
        }
    }
}

/// A fresh scratch key in the same "directory" as `near` (a prefix ending in `/`, or a key),
/// so the check runs where the lock lives (same bucket policy, same prefix rules).
pub fn scratch_key(near: &str) -> Result<String, getrandom::Error> {
    let dir = match near.rfind('/') {
        Some(i) => &near[..=i],
        None => "",
    };
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce)?;
    let hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{dir}.surestep-probe-{hex}"))
}

const FIRST: &[u8] = br#"{"ID":"surestep-probe-1","Operation":"probe","Info":"","Who":"surestep","Version":"","Created":"","Path":""}"#;
const SECOND: &[u8] = br#"{"ID":"surestep-probe-2","Operation":"probe","Info":"","Who":"surestep","Version":"","Created":"","Path":""}"#;

/// An ETag no object has.
pub const NEVER_MATCHING_ETAG: &str = "\"00000000000000000000000000000000\"";

/// Runs the checks for `conditions` on the scratch object `key` (answers in the order asked),
/// then removes it. Returns the checks and whether the scratch object is gone.
pub async fn check_conditions(
    store: &LockStore,
    bucket: &str,
    key: &str,
    conditions: &[Condition],
) -> Result<(Vec<ProbeCheck>, bool), S3LockError> {
    let result = run_checks(store, bucket, key, conditions).await;
    // Whatever happened, do not leave the scratch object behind.
    let cleaned_up = cleanup(store, bucket, key).await;
    let mut checks = result?;
    checks.sort_by_key(|c| conditions.iter().position(|w| *w == c.condition));
    Ok((checks, cleaned_up))
}

async fn run_checks(
    store: &LockStore,
    bucket: &str,
    key: &str,
    conditions: &[Condition],
) -> Result<Vec<ProbeCheck>, S3LockError> {
    use Condition::*;
    let mut checks = Vec::new();
    let created = store.put_if_absent(bucket, key, FIRST.to_vec()).await?;
    if conditions.contains(&PutIfNoneMatch) {
        checks.push(match created {
            Conditional::NotImplemented => ProbeCheck::new(
                PutIfNoneMatch,
                Verdict::Unsupported,
                "the store answered 501 NotImplemented to If-None-Match: *",
            ),
            Conditional::Done { .. } => {
                match store.put_if_absent(bucket, key, SECOND.to_vec()).await? {
                    Conditional::PreconditionFailed => ProbeCheck::new(
                        PutIfNoneMatch,
                        Verdict::Honoured,
                        "refused with 412, the object was kept",
                    ),
                    Conditional::Done { .. } => ProbeCheck::new(
                        PutIfNoneMatch,
                        Verdict::Ignored,
                        "answered 200 and overwrote the object: two applies can both take the lock",
                    ),
                    Conditional::NotImplemented => ProbeCheck::new(
                        PutIfNoneMatch,
                        Verdict::Unsupported,
                        "answered 501 NotImplemented",
                    ),
                    Conditional::Missing => ProbeCheck::new(
                        PutIfNoneMatch,
                        Verdict::Inconclusive,
                        "answered 404 NoSuchKey for an object it had just stored",
                    ),
                }
            }
            other => ProbeCheck::new(
                PutIfNoneMatch,
                Verdict::Inconclusive,
                format!("creating the scratch object was refused ({other:?})"),
            ),
        });
    }
    // The other checks need the object to exist (a plain put when the store refused the first).
    if store.head_etag(bucket, key).await?.is_none() {
        store.put_if_absent(bucket, key, FIRST.to_vec()).await?;
    }
    if conditions.contains(&PutIfMatch) {
        let answer =
            store.put_if_match_once(bucket, key, NEVER_MATCHING_ETAG, SECOND.to_vec()).await?;
        checks.push(match answer {
            Conditional::PreconditionFailed => {
                ProbeCheck::new(PutIfMatch, Verdict::Honoured, "refused with 412, the object was kept")
            }
            Conditional::Done { .. } => ProbeCheck::new(
                PutIfMatch,
                Verdict::Ignored,
                "answered 200 and overwrote the object: a lease renewal can overwrite another holder's lock",
            ),
            Conditional::NotImplemented => {
                ProbeCheck::new(PutIfMatch, Verdict::Unsupported, "answered 501 NotImplemented")
            }
            Conditional::Missing => ProbeCheck::new(
                PutIfMatch,
                Verdict::Inconclusive,
                "answered 404 NoSuchKey for an object it had just stored",
            ),
        });
    }
    if conditions.contains(&DeleteIfMatch) {
        let answer = store.delete_if_match(bucket, key, NEVER_MATCHING_ETAG).await?;
        checks.push(match answer {
            Conditional::PreconditionFailed => ProbeCheck::new(
                DeleteIfMatch,
                Verdict::Honoured,
                "refused with 412, the object was kept",
            ),
            Conditional::Done { .. } => {
                if store.head_etag(bucket, key).await?.is_some() {
                    ProbeCheck::new(
                        DeleteIfMatch,
                        Verdict::Inconclusive,
                        "answered 204 but kept the object",
                    )
                } else {
                    ProbeCheck::new(
                        DeleteIfMatch,
                        Verdict::Ignored,
                        "answered 204 and deleted the object: an unlock can remove a newer lock",
                    )
                }
            }
            Conditional::NotImplemented => ProbeCheck::new(
                DeleteIfMatch,
                Verdict::Unsupported,
                "answered 501 NotImplemented: `lock unlock` needs --allow-unconditional-delete here",
            ),
            Conditional::Missing => ProbeCheck::new(
                DeleteIfMatch,
                Verdict::Inconclusive,
                "answered 404 NoSuchKey for an object it had just stored",
            ),
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_keys_sit_beside_the_lock() {
        let k = scratch_key("dev/app/terraform.tfstate.tflock").unwrap();
        assert!(k.starts_with("dev/app/.surestep-probe-") && k.len() == 24 + 16, "{k}");
        assert!(scratch_key("k.tflock").unwrap().starts_with(".surestep-probe-"));
        assert!(scratch_key("locks/").unwrap().starts_with("locks/.surestep-probe-"));
        assert_ne!(scratch_key("a/").unwrap(), scratch_key("a/").unwrap());
    }
}
