//! Flags of `surestep lock status | unlock | probe` (Terraform S3 lock files).

use crate::secret::Secret;
use clap::{Args, Subcommand};

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Terraform (>= 1.10, `use_lockfile = true`) and OpenTofu keep the state lock next to the state as \
`<key>.tflock`; non-default workspaces as `env:/<workspace>/<key>.tflock`.

Credentials and region come from the AWS default chain (environment, profile, SSO, web \
identity from aws-actions/configure-aws-credentials). For S3-compatible stores pass \
--endpoint-url (or set AWS_ENDPOINT_URL_S3) and usually --path-style.")]
pub struct LockArgs {
    #[command(subcommand)]
    pub command: LockCommand,
}

#[derive(Debug, Subcommand, Clone)]
pub enum LockCommand {
    /// Is this state locked? With --recursive, every lock under a prefix. Outputs locked, lock_id, who, created, age_seconds
    Status(LockStatusArgs),
    /// Remove a lock safely: ID check, then a delete conditional on the ETag that was read
    Unlock(LockUnlockArgs),
    /// Does this store honour the conditional writes and deletes Terraform's locking relies on?
    Probe(LockProbeArgs),
}

impl LockCommand {
    pub fn name(&self) -> &'static str {
        match self {
            LockCommand::Status(_) => "lock status",
            LockCommand::Unlock(_) => "lock unlock",
            LockCommand::Probe(_) => "lock probe",
        }
    }
}

/// Where the store is and how to talk to it.
#[derive(Debug, Args, Clone)]
pub struct S3Flags {
    /// S3-compatible endpoint (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
    #[arg(long, value_name = "URL", value_parser = super::non_empty)]
    pub endpoint_url: Option<String>,
    /// Path-style addressing (http://host/bucket/key), needed by most S3-compatible stores
    #[arg(long)]
    pub path_style: bool,
    /// The bucket's region (default: from the AWS environment or profile, else us-east-1)
    #[arg(long, value_name = "REGION", value_parser = super::non_empty)]
    pub region: Option<String>,
    /// SSE-C key (base64, 256-bit) the state bucket's objects are encrypted with
    #[arg(long, value_name = "BASE64", env = "AWS_SSE_CUSTOMER_KEY", hide_env_values = true)]
    pub sse_customer_key: Option<Secret>,
}

/// Which lock, for commands on one state.
#[derive(Debug, Args, Clone)]
pub struct LockTarget {
    /// s3://BUCKET/KEY: a state key or its .tflock key (`status --recursive`: s3://BUCKET/PREFIX/)
    #[arg(value_name = "S3_URL")]
    pub url: String,
    /// The Terraform workspace (non-default workspaces live under env:/<workspace>/<key>)
    #[arg(long, value_name = "NAME", value_parser = super::non_empty)]
    pub workspace: Option<String>,
    /// The backend's workspace_key_prefix
    #[arg(long, default_value = "env:", value_name = "PREFIX")]
    pub workspace_key_prefix: String,
}

#[derive(Debug, Args, Clone)]
pub struct LockStatusArgs {
    #[command(flatten)]
    pub target: LockTarget,
    /// List every .tflock under the prefix (workspaces included)
    #[arg(long, short = 'r', conflicts_with = "workspace")]
    pub recursive: bool,
    /// Mark locks older than this as stale (e.g. 30m, 2h, 1d)
    #[arg(long, value_name = "DURATION")]
    pub stale_after: Option<String>,
    /// Exit 1 when a lock is held (a pre-deploy check)
    #[arg(long)]
    pub fail_if_locked: bool,
    #[command(flatten)]
    pub s3: S3Flags,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
The lock is read (body and ETag), checked, then deleted with `If-Match: <ETag>`: a lock replaced \
since the read is never deleted (exit 1, \"lock changed, nothing deleted\").

Without --lock-id the lock shown is the one removed: on a terminal you are asked to confirm; \
elsewhere (CI) --yes is required.

Outputs: locked, lock_id, who, created, age_seconds, removed.")]
pub struct LockUnlockArgs {
    #[command(flatten)]
    pub target: LockTarget,
    /// Remove the lock only if it has this ID (as printed by Terraform or `lock status`)
    #[arg(long, value_name = "ID", value_parser = super::non_empty)]
    pub lock_id: Option<String>,
    /// Refuse to remove a lock younger than this (e.g. 30m)
    #[arg(long, value_name = "DURATION")]
    pub older_than: Option<String>,
    /// Remove without asking (without --lock-id: whatever lock is read, still guarded by If-Match)
    #[arg(long, short = 'y', visible_alias = "force")]
    pub yes: bool,
    /// Show what would be removed, remove nothing
    #[arg(long)]
    pub dry_run: bool,
    /// If the store rejects conditional deletes (501), delete without the If-Match guard
    #[arg(long)]
    pub allow_unconditional_delete: bool,
    #[command(flatten)]
    pub s3: S3Flags,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Writes one scratch object under the prefix, checks that PutObject `If-None-Match: *` on an \
existing key fails with 412 and that DeleteObject `If-Match: <wrong ETag>` fails with 412, then \
removes it. Exit 1 when the store ignores either (Terraform's locking is unsafe there).")]
pub struct LockProbeArgs {
    /// s3://BUCKET/PREFIX/ where the scratch object may be written
    #[arg(value_name = "S3_URL")]
    pub url: String,
    #[command(flatten)]
    pub s3: S3Flags,
}
