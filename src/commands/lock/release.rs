//! `surestep lock release`: give back a lock taken by `lock acquire`.
//!
//! The story: check that the store honours `If-Match` on DELETE (on a scratch object), read the
//! lock, refuse unless it carries our ID, then delete it with `If-Match: <ETag read>` and read
//! the key back. Built from `lock unlock`'s steps, with the ID mandatory: a lock that is not
//! ours is never deleted.

use super::store_check::require;
use super::unlock::{ConditionalDelete, UnlockPlan, check_step, delete_step, read_step};
use super::{LockReport, connect, parse_url};
use crate::cli::lock::LockReleaseArgs;
use crate::exit::{CliError, ExitStatus};
use crate::model::tflock::LockLocation;
use crate::output::Reporter;
use crate::remote::s3_lock::{Condition, LockStore};
use serde::Serialize;
use std::time::SystemTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseResult {
    /// Our lock was deleted (read back: gone).
    Released,
    /// There was no lock: nothing to release.
    NotLocked,
    /// The lock carries another ID (or an unreadable body): nothing deleted.
    NotOurs,
    /// The lock changed between the read and the delete: nothing deleted.
    Changed,
}

/// What `lock release` (and the end of `lock run`) did.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseOutcome {
    pub target: String,
    pub result: ReleaseResult,
    pub released: bool,
    pub lock_id: String,
    /// The lock found when it was not ours.
    pub holder: Option<LockReport>,
    pub message: String,
    pub warnings: Vec<String>,
}

impl ReleaseOutcome {
    pub fn status(&self) -> ExitStatus {
        match self.result {
            ReleaseResult::Released | ReleaseResult::NotLocked => ExitStatus::Success,
            ReleaseResult::NotOurs | ReleaseResult::Changed => ExitStatus::Failed,
        }
    }
}

pub async fn release(
    args: &LockReleaseArgs,
    reporter: &Reporter,
) -> Result<ReleaseOutcome, CliError> {
    let url = parse_url(&args.target.url)?;
    if url.is_prefix() {
        return Err(CliError::usage(anyhow::anyhow!("{url} names a prefix, not a state key"))
            .with_hint(
                "name the state key the lock guards, e.g. s3://BUCKET/deploys/prod.tfstate",
            ));
    }
    let ws_prefix = args.target.workspace_key_prefix.as_str();
    let location = LockLocation::for_key(&url.key, args.target.workspace.as_deref(), ws_prefix);
    let store = connect(&args.s3, reporter).await?;
    let checks = require(
        &store,
        &url.bucket,
        &location.lock_key,
        &[Condition::DeleteIfMatch],
        args.allow_unsafe_store,
        "--allow-unsafe-store",
        reporter,
    )
    .await?;
    let conditional = match checks.verdict(Condition::DeleteIfMatch) {
        Some(crate::remote::s3_lock::Verdict::Honoured) => ConditionalDelete::Honoured,
        _ => ConditionalDelete::Ignored,
    };
    let mut outcome =
        release_steps(&store, &url.bucket, &location, ws_prefix, &args.lock_id, conditional)
            .await?;
    let mut warnings = checks.warnings;
    warnings.append(&mut outcome.warnings);
    outcome.warnings = warnings;
    Ok(outcome)
}

/// Read, check the ID, delete conditionally, read back. `conditional` is what the store check
/// found (a store that ignores the condition is only reached with `--allow-unsafe-store`).
pub async fn release_steps(
    store: &LockStore,
    bucket: &str,
    location: &LockLocation,
    workspace_prefix: &str,
    lock_id: &str,
    conditional: ConditionalDelete,
) -> Result<ReleaseOutcome, CliError> {
    let target = format!("s3://{bucket}/{}", location.lock_key);
    let mut outcome = ReleaseOutcome {
        target: target.clone(),
        result: ReleaseResult::NotLocked,
        released: false,
        lock_id: lock_id.to_owned(),
        holder: None,
        message: String::new(),
        warnings: Vec::new(),
    };
    let plan = UnlockPlan {
        lock_id: Some(lock_id.to_owned()),
        older_than: None,
        allow_unconditional_delete: conditional != ConditionalDelete::Honoured,
    };
    let Some(lock) =
        read_step(store, bucket, location, workspace_prefix, SystemTime::now()).await?
    else {
        outcome.message = format!("{target}: not locked, nothing to release");
        outcome.warnings.push(format!(
            "{target}: lock {lock_id} was already gone (released before, or taken over after its lease expired)"
        ));
        return Ok(outcome);
    };
    if let Err((_, message)) = check_step(&plan, &lock) {
        outcome.result = ReleaseResult::NotOurs;
        outcome.message = message;
        outcome.holder = Some(lock.report);
        return Ok(outcome);
    }
    let deleted = delete_step(store, bucket, &lock, &plan, conditional).await?;
    use super::unlock::UnlockResult;
    match deleted.result {
        UnlockResult::Removed => {
            outcome.result = ReleaseResult::Released;
            outcome.released = true;
            outcome.message = format!("{target}: released lock {lock_id}");
            if deleted.retaken {
                outcome.warnings.push(format!(
                    "{target}: read back after the release, another holder has already taken the lock"
                ));
            }
            if conditional != ConditionalDelete::Honoured {
                outcome.warnings.push(
                    "the store ignores If-Match on DELETE: this release was unguarded (--allow-unsafe-store)".into(),
                );
            }
        }
        UnlockResult::Gone => {
            outcome.message =
                format!("{target}: the lock disappeared before the delete; nothing to release");
        }
        _ => {
            outcome.result = ReleaseResult::Changed;
            outcome.message = format!(
                "{target}: the lock changed since it was read (ETag {} no longer matches); nothing deleted",
                lock.object.etag
            );
            let now = read_step(store, bucket, location, workspace_prefix, SystemTime::now()).await;
            outcome.holder = now.ok().flatten().map(|l| l.report);
        }
    }
    Ok(outcome)
}
