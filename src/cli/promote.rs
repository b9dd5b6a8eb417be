//! Flags of `surestep promote`.

use super::wait_for_image::parse_duration;
use crate::secret::Secret;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Copies one image exactly, by digest: the index, every platform manifest (attestation entries \
too), configs and layers. Every destination tag ends up resolving to the source digest, checked \
by a final HEAD; that pinned reference is the output `image`.

Blobs the destination already has (HEAD) are not sent; within one registry a cross-repository \
mount is tried first. Blobs stream from source to destination, sha256-verified on the way (a \
corrupt blob is never completed at the destination), --concurrency at a time. The destination \
tag is written last, after every blob and manifest is there; a re-run after success sends only \
HEAD requests, a re-run after an interruption sends only what is missing.

A destination tag at another digest is overwritten (the old digest is reported), or with \
--no-overwrite refused before anything is copied (exit 1).

--revision/--platform/--digest are wait-for-image's conditions on SRC; --wait waits up to that \
long for them (default: check once).

Credentials: --src-username/--src-password and --dest-username/--dest-password (or their \
SURESTEP_SRC_*/SURESTEP_DEST_* variables); otherwise the keychain, as wait-for-image (Docker \
config.json, credential helpers, auth.json, ECR, Artifact Registry, GITHUB_TOKEN for ghcr.io).

Outputs: digest, image (the first destination pinned), images (one per line), source_image, \
bytes_sent, bytes_skipped, overwritten; trigger_conclusion in a workflow_run event.")]
pub struct PromoteArgs {
    /// The source image: HOST/NAME:TAG or HOST/NAME@sha256:…
    #[arg(value_name = "SRC", value_parser = super::non_empty)]
    pub source: String,
    /// Destinations: HOST/NAME:TAG (one or more)
    #[arg(value_name = "DST", required = true, num_args = 1.., value_parser = super::non_empty)]
    pub destinations: Vec<String>,
    /// Only promote if SRC resolves to exactly this digest
    #[arg(long, value_name = "sha256:…", value_parser = super::non_empty)]
    pub digest: Option<String>,
    /// Only promote if SRC's org.opencontainers.image.revision is this commit (or `auto`)
    #[arg(long, value_name = "SHA|auto", value_parser = super::non_empty)]
    pub revision: Option<String>,
    /// Only promote if every listed platform is in SRC (os/arch[/variant], comma-separated)
    #[arg(long, value_name = "OS/ARCH,…", value_delimiter = ',', value_parser = super::non_empty)]
    pub platform: Vec<String>,
    /// Wait up to this long for SRC to meet the conditions (as wait-for-image)
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub wait: Option<Duration>,
    /// Pause between polls while waiting
    #[arg(long, default_value = "5s", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: Duration,
    /// Refuse (exit 1) when a destination tag already points at another digest
    #[arg(long)]
    pub no_overwrite: bool,
    /// Blobs in flight at once
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N")]
    pub concurrency: u16,
    /// Source registry username
    #[arg(long, env = "SURESTEP_SRC_USERNAME", value_name = "USER", value_parser = super::non_empty)]
    pub src_username: Option<String>,
    /// Source registry password or token (prefer the environment variable)
    #[arg(long, env = "SURESTEP_SRC_PASSWORD", hide_env_values = true, value_name = "SECRET")]
    pub src_password: Option<Secret>,
    /// Destination registry username (every destination)
    #[arg(long, env = "SURESTEP_DEST_USERNAME", value_name = "USER", value_parser = super::non_empty)]
    pub dest_username: Option<String>,
    /// Destination registry password or token (prefer the environment variable)
    #[arg(long, env = "SURESTEP_DEST_PASSWORD", hide_env_values = true, value_name = "SECRET")]
    pub dest_password: Option<Secret>,
    /// The source registry is Amazon ECR (log in with an ECR token)
    #[arg(long)]
    pub src_aws_ecr: bool,
    /// The destination registries are Amazon ECR (log in with an ECR token)
    #[arg(long)]
    pub aws_ecr: bool,
    /// Speak plain HTTP to registries that are not on loopback
    #[arg(long)]
    pub insecure: bool,
    /// In a workflow_run event, exit 1 before any request unless the triggering run succeeded
    #[arg(long)]
    pub require_success: bool,
}
