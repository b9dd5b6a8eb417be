//! Before relying on a condition, check that the store honours it, on this bucket, next to the
//! lock: the one code path behind `lock probe`'s verdict and the refusals of `lock unlock`,
//! `acquire`, `release` and `run`.

use super::s3_error;
use crate::exit::CliError;
use crate::output::Reporter;
use crate::remote::s3_lock::{
    Condition, LockStore, ProbeCheck, Verdict, check_conditions, scratch_key,
};

/// The checks whose condition is not honoured (ignored, unsupported or inconclusive).
pub fn unsafe_checks(checks: &[ProbeCheck]) -> Vec<&ProbeCheck> {
    checks.iter().filter(|c| c.verdict != Verdict::Honoured).collect()
}

/// `honoured`, `ignored`, … as the outputs spell it.
pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Honoured => "honoured",
        Verdict::Ignored => "ignored",
        Verdict::Unsupported => "unsupported",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// What the store check found, for the outcome.
#[derive(Debug, Clone, Default)]
pub struct StoreCheck {
    pub checks: Vec<ProbeCheck>,
    /// Not honoured, but the user allowed it: said as warnings.
    pub warnings: Vec<String>,
}

impl StoreCheck {
    /// The verdict for one condition, when it was checked.
    pub fn verdict(&self, condition: Condition) -> Option<Verdict> {
        self.checks.iter().find(|c| c.condition == condition).map(|c| c.verdict)
    }
}

/// One sentence per condition that is not honoured.
pub fn describe(bucket: &str, checks: &[&ProbeCheck]) -> String {
    checks
        .iter()
        .map(|c| {
            format!(
                "s3://{bucket}/ does not honour {} ({}: {}), relied on for {}",
                c.request,
                verdict_word(c.verdict),
                c.detail,
                c.condition.relied_on_for()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks `conditions` on a scratch object beside `lock_key`. Not honoured: exit 3 naming the
/// missing condition, unless `allowed` (then a warning each). `flag` is the flag that allows it.
pub async fn require(
    store: &LockStore,
    bucket: &str,
    lock_key: &str,
    conditions: &[Condition],
    allowed: bool,
    flag: &str,
    reporter: &Reporter,
) -> Result<StoreCheck, CliError> {
    let spinner =
        reporter.spinner(&format!("checking the store's conditional requests in s3://{bucket}/"));
    let checks = run(store, bucket, lock_key, conditions).await;
    spinner.finish();
    let checks = checks?;
    let bad = unsafe_checks(&checks);
    if bad.is_empty() {
        return Ok(StoreCheck { checks, warnings: Vec::new() });
    }
    let text = describe(bucket, &bad);
    if !allowed {
        return Err(CliError::environment(anyhow::anyhow!("refusing: {text}"))
            .with_hint(format!("this store cannot give mutual exclusion for that step; pass {flag} to accept the risk (`surestep lock probe s3://{bucket}/` shows what the store honours)")));
    }
    let warnings = vec![format!("{text}; going ahead because of {flag}")];
    Ok(StoreCheck { checks, warnings })
}

/// Runs the checks (nothing when `conditions` is empty).
pub async fn run(
    store: &LockStore,
    bucket: &str,
    lock_key: &str,
    conditions: &[Condition],
) -> Result<Vec<ProbeCheck>, CliError> {
    if conditions.is_empty() {
        return Ok(Vec::new());
    }
    let key = scratch_key(lock_key).map_err(|e| CliError::environment(anyhow::anyhow!("{e}")))?;
    let (checks, _cleaned) =
        check_conditions(store, bucket, &key, conditions).await.map_err(s3_error)?;
    Ok(checks)
}
