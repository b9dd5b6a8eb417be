//! `surestep lock probe`: does this store honour the conditional requests lock files rely on?
//!
//! The story: on one scratch object under the prefix, check that PutObject `If-None-Match: *` on
//! an existing key, PutObject `If-Match: <wrong ETag>` and DeleteObject `If-Match: <wrong ETag>`
//! are each refused with 412, then remove it. The checks and the verdict are the ones every
//! other lock command runs before relying on a condition ([`super::store_check`]).

use super::store_check::unsafe_checks;
use super::{connect, parse_url, s3_error};
use crate::cli::lock::LockProbeArgs;
use crate::exit::{CliError, ExitStatus};
use crate::output::Reporter;
use crate::remote::s3_lock::{Condition, check_conditions, scratch_key};
use serde::Serialize;

pub use crate::remote::s3_lock::{ProbeCheck, Verdict};

/// What `lock probe` found.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeOutcome {
    pub target: String,
    pub endpoint: String,
    pub scratch_key: String,
    /// Every condition is honoured: Terraform's locking and surestep's leases are safe here.
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

/// Every condition, in the order reported (Terraform's two first).
pub const ALL_CONDITIONS: [Condition; 3] =
    [Condition::PutIfNoneMatch, Condition::DeleteIfMatch, Condition::PutIfMatch];

pub async fn probe(args: &LockProbeArgs, reporter: &Reporter) -> Result<ProbeOutcome, CliError> {
    let url = parse_url(&args.url)?;
    let mut prefix = url.key.clone();
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let key = scratch_key(&prefix).map_err(|e| CliError::environment(anyhow::anyhow!("{e}")))?;
    let store = connect(&args.s3, reporter).await?;
    let spinner = reporter.spinner(&format!("probing s3://{}/{key}", url.bucket));
    let result = check_conditions(&store, &url.bucket, &key, &ALL_CONDITIONS).await;
    spinner.finish();
    let (checks, cleaned_up) = result.map_err(s3_error)?;
    let safe = unsafe_checks(&checks).is_empty();
    let mut warnings = Vec::new();
    if !cleaned_up {
        warnings.push(format!("could not remove the scratch object s3://{}/{key}", url.bucket));
    }
    for c in unsafe_checks(&checks) {
        warnings.push(format!(
            "{} is {} on this store; it is relied on for {}",
            c.request,
            super::store_check::verdict_word(c.verdict),
            c.condition.relied_on_for()
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
