//! `surestep lock unlock`: remove a Terraform lock without Terraform's read/delete race.
//!
//! The story, in three steps that are public so a test can interleave a rival writer:
//! [`read_step`] reads the lock (body + ETag), [`check_step`] refuses a wrong ID or a lock
//! younger than `--older-than`, [`store_step`] learns on a scratch object beside the lock (never
//! on the lock itself) whether the store honours `If-Match` on DELETE, and [`delete_step`]
//! deletes with `If-Match: <ETag read>`, so a lock replaced in between is never deleted. After
//! any 2xx delete the key is read back before `removed` is reported.

use super::{LockReport, connect, parse_duration_flag, parse_url, s3_error};
use crate::cli::lock::LockUnlockArgs;
use crate::exit::{CliError, ExitStatus};
use crate::model::tflock::LockLocation;
use crate::output::Reporter;
use crate::remote::s3_lock::{Condition, Conditional, LockObject, LockStore, S3LockError, Verdict};
use serde::Serialize;
use std::io::IsTerminal;
use std::time::{Duration, SystemTime};

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlockResult {
    /// The lock that was read is gone.
    Removed,
    /// There was no lock to remove.
    NotLocked,
    /// `--dry-run`: it would have been removed.
    DryRun,
    /// `--lock-id` differs from the lock's ID.
    IdMismatch,
    /// The lock is younger than `--older-than`.
    TooYoung,
    /// `--lock-id` given but the body has no readable ID.
    Unreadable,
    /// The lock changed between the read and the delete (412): nothing deleted.
    Changed,
    /// The lock disappeared between the read and the delete: someone else removed it.
    Gone,
    /// The store rejects (501) or ignores conditional deletes and `--allow-unconditional-delete`
    /// is absent: nothing deleted.
    Unsupported,
    /// The user answered no at the prompt.
    Declined,
}

/// Whether the store honoured `If-Match` on DELETE during this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionalDelete {
    Honoured,
    /// The store deleted the scratch object despite a non-matching ETag: deletes are
    /// unconditional there.
    Ignored,
    /// The store answered 501 NotImplemented.
    Unsupported,
}

/// What `lock unlock` did.
#[derive(Debug, Clone, Serialize)]
pub struct UnlockOutcome {
    pub target: String,
    pub result: UnlockResult,
    pub removed: bool,
    /// A lock is still held after this run, as far as this run knows.
    pub locked: bool,
    /// The lock that was read (and removed, when `removed`).
    pub lock_id: Option<String>,
    pub who: Option<String>,
    pub created: Option<String>,
    pub age_seconds: Option<u64>,
    pub dry_run: bool,
    pub lock: Option<LockReport>,
    /// The lock found after the delete was refused because it changed.
    pub current: Option<LockReport>,
    pub conditional_delete: Option<ConditionalDelete>,
    pub message: String,
    pub warnings: Vec<String>,
}

impl UnlockOutcome {
    pub fn status(&self) -> ExitStatus {
        match self.result {
            UnlockResult::Removed | UnlockResult::NotLocked | UnlockResult::DryRun => {
                ExitStatus::Success
            }
            // Someone else removed it: the state is unlocked, which is what was asked for.
            UnlockResult::Gone => ExitStatus::Success,
            _ => ExitStatus::Failed,
        }
    }
}

/// What the user asked for, checked before anything is deleted.
#[derive(Debug, Clone, Default)]
pub struct UnlockPlan {
    pub lock_id: Option<String>,
    pub older_than: Option<Duration>,
    pub allow_unconditional_delete: bool,
}

/// A lock as read, ready to be checked and deleted.
#[derive(Debug, Clone)]
pub struct ReadLock {
    pub object: LockObject,
    pub report: LockReport,
}

/// Step 1: read the lock (body + ETag). `None` when the state is not locked.
pub async fn read_step(
    store: &LockStore,
    bucket: &str,
    location: &LockLocation,
    workspace_prefix: &str,
    now: SystemTime,
) -> Result<Option<ReadLock>, CliError> {
    let object = store.read_lock(bucket, &location.lock_key).await.map_err(s3_error)?;
    Ok(object.map(|object| ReadLock {
        report: LockReport::new(bucket, &object, workspace_prefix, None, now),
        object,
    }))
}

/// Step 2: may this lock be removed? `Err` carries the refusal.
pub fn check_step(plan: &UnlockPlan, lock: &ReadLock) -> Result<(), (UnlockResult, String)> {
    if let Some(wanted) = &plan.lock_id {
        match &lock.report.lock_id {
            None => {
                return Err((
                    UnlockResult::Unreadable,
                    format!(
                        "the lock body has no readable ID ({}), so it cannot be matched against --lock-id {wanted}; nothing deleted",
                        lock.report.body_error.as_deref().unwrap_or("unparseable")
                    ),
                ));
            }
            Some(id) if id != wanted => {
                return Err((
                    UnlockResult::IdMismatch,
                    format!(
                        "lock ID {wanted:?} does not match the current lock ID {id:?} (held by {}); nothing deleted",
                        holder(&lock.report)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(min) = plan.older_than {
        match lock.report.age_seconds {
            Some(age) if age >= min.as_secs() => {}
            Some(age) => {
                return Err((
                    UnlockResult::TooYoung,
                    format!(
                        "the lock is {} old, younger than --older-than {}; nothing deleted",
                        crate::model::tflock::format_age(Duration::from_secs(age)),
                        crate::model::tflock::format_age(min)
                    ),
                ));
            }
            None => {
                return Err((
                    UnlockResult::TooYoung,
                    "the lock's age is unknown (no readable Created, no Last-Modified), so --older-than cannot be satisfied; nothing deleted".into(),
                ));
            }
        }
    }
    Ok(())
}

/// The result of step 3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub result: UnlockResult,
    pub conditional: ConditionalDelete,
    /// The answer to a DELETE was lost and a re-read decided the result: what was lost.
    pub answer_lost: Option<String>,
    /// Read back after the delete: another lock already sits at the key (taken since).
    pub retaken: bool,
}

/// Step 2b: does the store honour `If-Match` on DELETE? Learned on a scratch object beside the
/// lock (the check `lock probe` runs), never on the lock key: on a store that ignores the
/// condition a "test" delete on the key would itself remove whatever lock is there.
pub async fn store_step(
    store: &LockStore,
    bucket: &str,
    lock_key: &str,
) -> Result<ConditionalDelete, CliError> {
    let checks =
        super::store_check::run(store, bucket, lock_key, &[Condition::DeleteIfMatch]).await?;
    Ok(match checks.first().map(|c| c.verdict) {
        Some(Verdict::Honoured) => ConditionalDelete::Honoured,
        Some(Verdict::Unsupported) => ConditionalDelete::Unsupported,
        _ => ConditionalDelete::Ignored,
    })
}

/// What is at the key after a delete the store answered with 2xx.
async fn read_back(
    store: &LockStore,
    bucket: &str,
    lock: &ReadLock,
) -> Result<(UnlockResult, bool), CliError> {
    let key = &lock.object.key;
    match store.head_etag(bucket, key).await.map_err(s3_error)? {
        None => Ok((UnlockResult::Removed, false)),
        Some(etag) if etag == lock.object.etag => Err(CliError::environment(anyhow::anyhow!(
            "s3://{bucket}/{key}: the store answered the delete with success, but the lock is still there, unchanged"
        ))
        .with_hint("run the unlock again once the store answers; `surestep lock status` shows the lock")),
        // Ours is gone and a new lock was taken right after: report both.
        Some(_) => Ok((UnlockResult::Removed, true)),
    }
}

/// Step 3: delete the lock only if its ETag is still the one read. `conditional` is what
/// [`store_step`] learned about the store.
pub async fn delete_step(
    store: &LockStore,
    bucket: &str,
    lock: &ReadLock,
    plan: &UnlockPlan,
    conditional: ConditionalDelete,
) -> Result<Deleted, CliError> {
    let key = &lock.object.key;
    let done =
        |result, answer_lost, retaken| Ok(Deleted { result, conditional, answer_lost, retaken });
    if conditional != ConditionalDelete::Honoured {
        if !plan.allow_unconditional_delete {
            return done(UnlockResult::Unsupported, None, false);
        }
        // No guard from the store: narrow the window by re-reading right before the delete.
        match store.head_etag(bucket, key).await.map_err(s3_error)? {
            None => return done(UnlockResult::Gone, None, false),
            Some(etag) if etag != lock.object.etag => {
                return done(UnlockResult::Changed, None, false);
            }
            Some(_) => {}
        }
        store.delete(bucket, key).await.map_err(s3_error)?;
        let (result, retaken) = read_back(store, bucket, lock).await?;
        return done(result, None, retaken);
    }
    // Sent once per try, never blindly retried: when an answer is lost (reset, timeout, 5xx)
    // the delete may have happened, so re-read and let the store's state decide.
    let mut answer_lost = None;
    for _ in 0..LOST_ANSWER_TRIES {
        let result = match store.delete_if_match_once(bucket, key, &lock.object.etag).await {
            Ok(Conditional::Done { .. }) => {
                let (result, retaken) = read_back(store, bucket, lock).await?;
                return done(result, answer_lost, retaken);
            }
            Ok(Conditional::PreconditionFailed) => UnlockResult::Changed,
            Ok(Conditional::Missing) if answer_lost.is_some() => UnlockResult::Removed,
            Ok(Conditional::Missing) => UnlockResult::Gone,
            Ok(Conditional::NotImplemented) => UnlockResult::Unsupported,
            Err(S3LockError::Conflict { .. }) => UnlockResult::Changed,
            Err(e) if e.outcome_unknown() => {
                answer_lost = Some(e.to_string());
                match store.head_etag(bucket, key).await.map_err(s3_error)? {
                    // Gone after our delete whose answer we did not see: it was removed.
                    None => UnlockResult::Removed,
                    // Still the lock we read: the delete did not happen; send it again.
                    Some(etag) if etag == lock.object.etag => continue,
                    Some(_) => UnlockResult::Changed,
                }
            }
            Err(e) => return Err(s3_error(e)),
        };
        return done(result, answer_lost, false);
    }
    let lost = answer_lost.unwrap_or_default();
    Err(CliError::environment(anyhow::anyhow!(
        "{key}: the delete failed {LOST_ANSWER_TRIES} times ({lost}) and the lock is still there, unchanged"
    ))
    .with_hint("run the unlock again once the store answers; `surestep lock status` shows the lock"))
}

/// Conditional deletes sent before giving up, when each answer is lost and the lock is still
/// there unchanged.
const LOST_ANSWER_TRIES: u32 = 3;

fn holder(report: &LockReport) -> String {
    let who = report.who.as_deref().filter(|w| !w.is_empty()).unwrap_or("an unknown holder");
    match report.operation.as_deref().filter(|o| !o.is_empty()) {
        Some(op) => format!("{who}, {op}"),
        None => who.to_owned(),
    }
}

pub async fn unlock(args: &LockUnlockArgs, reporter: &Reporter) -> Result<UnlockOutcome, CliError> {
    let url = parse_url(&args.target.url)?;
    if url.is_prefix() {
        return Err(CliError::usage(anyhow::anyhow!("{url} names a prefix, not a state key"))
            .with_hint("name one state key (or its .tflock key); `surestep lock status --recursive` lists them"));
    }
    let older_than =
        args.older_than.as_deref().map(|s| parse_duration_flag("--older-than", s)).transpose()?;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let must_confirm = args.lock_id.is_none() && !args.yes && !args.dry_run;
    if must_confirm && !interactive {
        return Err(CliError::usage(anyhow::anyhow!(
            "refusing to remove a lock without its ID or a confirmation: not on a terminal, so nobody can be asked"
        ))
        .with_hint(format!(
            "add --lock-id <ID> to remove only that lock (`surestep lock status {}` shows it), or --yes to remove whatever lock is there",
            args.target.url
        )));
    }
    let plan = UnlockPlan {
        lock_id: args.lock_id.clone(),
        older_than,
        allow_unconditional_delete: args.allow_unconditional_delete,
    };
    let ws_prefix = args.target.workspace_key_prefix.as_str();
    let request = UnlockRequest {
        bucket: url.bucket.clone(),
        location: LockLocation::for_key(&url.key, args.target.workspace.as_deref(), ws_prefix),
        workspace_prefix: ws_prefix.to_owned(),
        plan,
        dry_run: args.dry_run,
        confirm: must_confirm,
    };
    let store = connect(&args.s3, reporter).await?;
    let confirm = |lock: &LockReport| crate::output::lock::confirm_unlock(reporter, lock);
    unlock_steps(&store, &request, confirm, async {}).await
}

/// One unlock, ready to run against a store.
#[derive(Debug, Clone)]
pub struct UnlockRequest {
    pub bucket: String,
    pub location: LockLocation,
    pub workspace_prefix: String,
    pub plan: UnlockPlan,
    pub dry_run: bool,
    /// Ask (through `confirm`) before deleting.
    pub confirm: bool,
}

/// The whole unlock: read, check, confirm, then `between` (nothing in the binary; a rival
/// writer in the race test), then the store check on a scratch object and the conditional
/// delete, and the outcome that tells it.
pub async fn unlock_steps(
    store: &LockStore,
    req: &UnlockRequest,
    confirm: impl FnOnce(&LockReport) -> std::io::Result<bool>,
    between: impl std::future::Future<Output = ()>,
) -> Result<UnlockOutcome, CliError> {
    let (bucket, location, ws_prefix, plan) =
        (req.bucket.as_str(), &req.location, req.workspace_prefix.as_str(), &req.plan);
    let target = format!("s3://{bucket}/{}", location.lock_key);
    let mut outcome = UnlockOutcome {
        target: target.clone(),
        result: UnlockResult::NotLocked,
        removed: false,
        locked: false,
        lock_id: None,
        who: None,
        created: None,
        age_seconds: None,
        dry_run: req.dry_run,
        lock: None,
        current: None,
        conditional_delete: None,
        message: format!("{target}: not locked, nothing to remove"),
        warnings: Vec::new(),
    };
    let Some(lock) = read_step(store, bucket, location, ws_prefix, SystemTime::now()).await? else {
        // Nothing to remove; but with no state object either, the key is probably not the
        // one Terraform is stuck on.
        if store.head_etag(bucket, &location.state_key).await.map_err(super::s3_error)?.is_none() {
            outcome.warnings.push(format!(
                "s3://{bucket}/{} has no state object either: a mistyped key or --workspace? \
                 (the lock Terraform reports is at <its state key>.tflock)",
                location.state_key
            ));
        }
        return Ok(outcome);
    };
    outcome.locked = true;
    outcome.lock_id = lock.report.lock_id.clone();
    outcome.who = lock.report.who.clone();
    outcome.created = lock.report.created.clone();
    outcome.age_seconds = lock.report.age_seconds;
    outcome.warnings = lock.report.warnings();
    outcome.lock = Some(lock.report.clone());

    if let Err((result, message)) = check_step(plan, &lock) {
        outcome.result = result;
        outcome.message = message;
        return Ok(outcome);
    }
    if req.dry_run {
        outcome.result = UnlockResult::DryRun;
        outcome.message = format!("{target}: would remove this lock (--dry-run, nothing deleted)");
        return Ok(outcome);
    }
    if req.confirm {
        let yes = confirm(&lock.report).map_err(|e| {
            CliError::environment(
                anyhow::Error::new(e).context("reading the answer from the terminal"),
            )
        })?;
        if !yes {
            outcome.result = UnlockResult::Declined;
            outcome.message = format!("{target}: unlock cancelled, nothing deleted");
            return Ok(outcome);
        }
    }

    between.await;
    let conditional = store_step(store, bucket, &location.lock_key).await?;
    outcome.conditional_delete = Some(conditional);
    if conditional != ConditionalDelete::Honoured && !plan.allow_unconditional_delete {
        outcome.result = UnlockResult::Unsupported;
        outcome.message = match conditional {
            ConditionalDelete::Unsupported => format!(
                "{target}: the store rejects conditional deletes (501 NotImplemented), so the lock cannot be removed without risking a newer lock; nothing deleted. Add --allow-unconditional-delete to accept that risk"
            ),
            _ => format!(
                "{target}: the store ignores If-Match on DELETE (checked on a scratch object, not on the lock), so removing the lock could remove a newer one taken meanwhile; nothing deleted. Add --allow-unconditional-delete to accept that risk"
            ),
        };
        return Ok(outcome);
    }
    let deleted = delete_step(store, bucket, &lock, plan, conditional).await?;
    outcome.result = deleted.result;
    outcome.conditional_delete = Some(deleted.conditional);
    if let Some(lost) = &deleted.answer_lost {
        outcome.warnings.push(format!(
            "the delete got no clear answer ({lost}); the result comes from re-reading the lock afterwards"
        ));
    }
    match deleted.result {
        UnlockResult::Removed => {
            outcome.removed = true;
            outcome.locked = false;
            outcome.message = format!(
                "{target}: removed lock {} (held by {})",
                lock.report.lock_id.as_deref().unwrap_or("with an unreadable body"),
                holder(&lock.report)
            );
            match deleted.conditional {
                ConditionalDelete::Ignored => outcome.warnings.push(format!(
                    "the store ignores If-Match on DELETE, so this delete was unconditional (--allow-unconditional-delete): the lock was re-read just before it, but a lock taken in that moment would have been removed too. Run `surestep lock probe s3://{bucket}/` to check this store; Terraform's locking is unsafe on it"
                )),
                ConditionalDelete::Unsupported => outcome.warnings.push(
                    "the store does not support conditional deletes: removed without the If-Match guard (--allow-unconditional-delete)".into(),
                ),
                ConditionalDelete::Honoured => {}
            }
            if deleted.retaken {
                outcome.locked = true;
                let now = read_step(store, bucket, location, ws_prefix, SystemTime::now()).await;
                outcome.current = now.ok().flatten().map(|l| l.report);
                outcome.warnings.push(format!(
                    "{target}: read back after the delete, a new lock is already there (taken right after ours was removed)"
                ));
            }
        }
        UnlockResult::Changed => {
            outcome.message = format!(
                "{target}: lock changed since it was read (ETag {} no longer matches), nothing deleted",
                lock.object.etag
            );
            let now = read_step(store, bucket, location, ws_prefix, SystemTime::now()).await;
            outcome.current = now.ok().flatten().map(|l| l.report);
            outcome.locked = true;
        }
        UnlockResult::Gone => {
            outcome.locked = false;
            outcome.message = format!(
                "{target}: the lock disappeared before the delete (removed by someone else); nothing deleted"
            );
        }
        UnlockResult::Unsupported => {
            outcome.message = format!(
                "{target}: the store rejects conditional deletes (501 NotImplemented), so the lock cannot be removed without risking a newer lock; nothing deleted. Add --allow-unconditional-delete to accept that risk"
            );
        }
        _ => {}
    }
    Ok(outcome)
}
