//! Flags of `surestep wait-for-image`.

use crate::secret::Secret;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
Conditions combine with AND; with none, the command waits until the tag exists.

Polling sends one HEAD per poll while the digest is unchanged; the manifest, platform manifests \
and config blobs are fetched only when the digest changes. 404 means \"not yet\"; 429 and 5xx \
are retried within the deadline; 401/403 after a fresh token is an auth failure (exit 3).

--revision reads org.opencontainers.image.revision from each image's manifest annotation, \
else its config label (else the index annotation); for an index every required platform's \
image must carry it. `--revision auto` is workflow_run.head_sha in a workflow_run event, \
else GITHUB_SHA.

Credentials: --username/--password (or SURESTEP_REGISTRY_USERNAME/SURESTEP_REGISTRY_PASSWORD); \
else --aws-ecr; GOOGLE_OAUTH_ACCESS_TOKEN for Artifact Registry/GCR; $DOCKER_CONFIG/config.json \
(auths, credHelpers, credsStore); $REGISTRY_AUTH_FILE or $XDG_RUNTIME_DIR/containers/auth.json; \
an ECR token for *.dkr.ecr.*.amazonaws.com; for ghcr.io GITHUB_TOKEN with GITHUB_ACTOR. Plain \
HTTP is used only for localhost, 127.0.0.1 and [::1], or with --insecure.

--require-success: in a workflow_run event, exit 1 before any request unless the triggering \
run concluded success (output trigger_conclusion).

Outputs: ready, digest, image (host/name@sha256:…, the reference to deploy), revision, \
platforms, waited_seconds, trigger_conclusion (workflow_run events).")]
pub struct WaitForImageArgs {
    /// The image: HOST/NAME[:TAG] or HOST/NAME@sha256:… (Docker Hub short names work)
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Wait until the reference resolves to exactly this digest
    #[arg(long, value_name = "sha256:…", value_parser = super::non_empty)]
    pub digest: Option<String>,
    /// Wait until the image's org.opencontainers.image.revision is this commit (≥ 7 hex digits,
    /// or `auto` for the run's commit)
    #[arg(long, value_name = "SHA|auto")]
    pub revision: Option<String>,
    /// Wait until every listed platform is in the index (os/arch[/variant], comma-separated)
    #[arg(long, value_name = "OS/ARCH,…", value_delimiter = ',', value_parser = super::non_empty)]
    pub platform: Vec<String>,
    /// Give up after this long (e.g. 10m, 90s, 1h; 0 checks once; at most 7 days)
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Pause between polls, jittered by ±10% (50ms to 7 days)
    #[arg(long, default_value = "5s", value_parser = parse_interval, value_name = "DURATION")]
    pub interval: Duration,
    /// Registry username (for the token realm or Basic auth)
    #[arg(long, env = "SURESTEP_REGISTRY_USERNAME", value_name = "USER", value_parser = super::non_empty)]
    pub username: Option<String>,
    /// Registry password or token (prefer the environment variable)
    #[arg(long, env = "SURESTEP_REGISTRY_PASSWORD", hide_env_values = true, value_name = "SECRET")]
    pub password: Option<Secret>,
    /// Speak plain HTTP to a registry that is not on loopback
    #[arg(long)]
    pub insecure: bool,
    /// The registry is Amazon ECR: log in with an ECR token (default AWS credential chain)
    #[arg(long)]
    pub aws_ecr: bool,
    /// In a workflow_run event, exit 1 before any request unless the triggering run succeeded
    #[arg(long)]
    pub require_success: bool,
}

/// The longest duration any flag takes: a week.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 86_400);

/// `90s`, `10m`, `1h`, `1m30s`, `250ms`, or bare seconds; at most [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        // Bare seconds: the same one-week ceiling as every other spelling, so no deadline
        // computed from it can overflow.
        return match s.parse::<u64>() {
            Ok(secs) if secs <= MAX_DURATION.as_secs() => Ok(Duration::from_secs(secs)),
            _ => Err(format!("{text:?} is longer than a week")),
        };
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (num, after) = rest.split_at(digits);
        let value: f64 = num.parse().map_err(|_| bad_duration(text))?;
        let unit_len = after.find(|c: char| c.is_ascii_digit()).unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let factor = match unit {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad_duration(text)),
        };
        let secs = value * factor;
        if !secs.is_finite() || secs > MAX_DURATION.as_secs_f64() {
            return Err(format!("{text:?} is longer than a week"));
        }
        total += Duration::from_secs_f64(secs);
        rest = next;
    }
    if total > MAX_DURATION {
        return Err(format!("{text:?} is longer than a week"));
    }
    Ok(total)
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d < Duration::from_millis(50) {
        return Err("the interval must be at least 50ms".into());
    }
    Ok(d)
}

fn bad_duration(text: &str) -> String {
    format!("{text:?} is not a duration: write e.g. 10m, 90s, 1m30s, 500ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        for bad in
            ["", "m", "10x", "-1s", "1h 2m", "999h", "18446744073709551615", "604801", "100h100h"]
        {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_interval("10ms").is_err());
    }
}
