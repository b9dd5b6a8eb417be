//! Flags of `surestep lock status | unlock | probe | acquire | release | run` (Terraform S3 lock
//! files).

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
    /// Take the lock (Terraform's format, If-None-Match), optionally waiting and with a lease. Outputs lock_id, etag
    Acquire(LockAcquireArgs),
    /// Release a lock taken by `acquire`: only the lock with this ID, deleted If-Match on its ETag
    Release(LockReleaseArgs),
    /// Hold the lock around a command: acquire, run it (lease renewed), release, exit with its status
    Run(LockRunArgs),
}

impl LockCommand {
    pub fn name(&self) -> &'static str {
        match self {
            LockCommand::Status(_) => "lock status",
            LockCommand::Unlock(_) => "lock unlock",
            LockCommand::Probe(_) => "lock probe",
            LockCommand::Acquire(_) => "lock acquire",
            LockCommand::Release(_) => "lock release",
            LockCommand::Run(_) => "lock run",
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

/// How to take the lock: waiting, the lease, take-over, the operation named in the body.
#[derive(Debug, Args, Clone)]
pub struct HoldFlags {
    /// While the lock is held by someone else, poll until it is free for up to this long
    /// (e.g. 10m); 0 tries once
    #[arg(long, default_value = "0", value_name = "DURATION")]
    pub wait: String,
    /// Write a lease into the lock (its expiry, in Info): `lock run` renews it; once it runs out a
    /// waiter with --take-over-expired may replace the lock
    #[arg(long, value_name = "DURATION")]
    pub lease: Option<String>,
    /// Replace a lock whose lease has expired (a crashed holder), guarded by If-Match
    #[arg(long)]
    pub take_over_expired: bool,
    /// Replace a lock without a lease (e.g. Terraform's) older than this, guarded by If-Match
    #[arg(long, value_name = "DURATION")]
    pub take_over_older_than: Option<String>,
    /// The lock body's Operation
    #[arg(long, default_value = "surestep", value_name = "NAME", value_parser = super::non_empty)]
    pub operation: String,
    /// Go ahead on a store that does not honour the conditions the step relies on (no mutual
    /// exclusion guarantee)
    #[arg(long)]
    pub allow_unsafe_store: bool,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Writes `<key>.tflock` in Terraform's format with PutObject `If-None-Match: *`, so Terraform and \
OpenTofu runs on the same state wait for it, then reads it back: success is reported only for \
the lock that carries our ID. A lost answer to the write (reset, timeout, 5xx) is resolved by \
reading the lock. Before relying on If-None-Match the store is checked on a scratch object \
beside the lock (exit 3 if it ignores it, unless --allow-unsafe-store).

Outputs: acquired, lock_id, etag, lease_expires, waited_seconds, who.")]
pub struct LockAcquireArgs {
    #[command(flatten)]
    pub target: LockTarget,
    #[command(flatten)]
    pub hold: HoldFlags,
    #[command(flatten)]
    pub s3: S3Flags,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Reads the lock, refuses unless it carries --lock-id (exit 1, naming the holder), then deletes it \
with `If-Match: <ETag read>`: a lock that is not ours is never deleted.

Outputs: released, result, lock_id, who.")]
pub struct LockReleaseArgs {
    #[command(flatten)]
    pub target: LockTarget,
    /// The ID `lock acquire` printed (output lock_id)
    #[arg(long, value_name = "ID", value_parser = super::non_empty)]
    pub lock_id: String,
    /// Go ahead on a store that ignores If-Match on DELETE (a newer lock could be removed)
    #[arg(long)]
    pub allow_unsafe_store: bool,
    #[command(flatten)]
    pub s3: S3Flags,
}

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Acquires the lock (as `lock acquire`), runs COMMAND with SURESTEP_LOCK_ID set, forwards SIGINT, \
SIGTERM and SIGHUP to it, and releases the lock when it exits, whether it succeeded or not. \
The exit status is the command's (128+N when a signal N ended it).

With --lease the lease is renewed in the background (every third of the lease) by rewriting the \
lock with `If-Match: <ETag>`. If a renewal finds the lock taken from us (412), or the lease runs \
out without a renewal, the command is stopped (SIGTERM, then SIGKILL after --kill-after) and the \
exit status is 1: a command never runs on without the lock.

The command runs in its own process group; with --json its stdout goes to stderr so stdout \
holds only the JSON document.")]
pub struct LockRunArgs {
    #[command(flatten)]
    pub target: LockTarget,
    #[command(flatten)]
    pub hold: HoldFlags,
    /// After SIGTERM to a command that lost its lock, wait this long before SIGKILL
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    pub kill_after: String,
    #[command(flatten)]
    pub s3: S3Flags,
    /// The command to run while holding the lock
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}
