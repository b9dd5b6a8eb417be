//! Terraform's S3 lock file (`use_lockfile = true`): the `LockInfo` body, its timestamps, and
//! where the lock sits relative to the state (`<key>.tflock`, `env:/<workspace>/<key>.tflock`).
//!
//! Pure: parsing and naming only. Also the `s3://bucket/key` references and the human durations
//! (`30m`, `2h`) the lock commands take.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The suffix Terraform and OpenTofu append to the state key.
pub const LOCK_SUFFIX: &str = ".tflock";

/// Terraform's default `workspace_key_prefix`.
pub const DEFAULT_WORKSPACE_PREFIX: &str = "env:";

/// Terraform's `statemgr.LockInfo` exactly as `json.Marshal` writes it (field names and order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation", default)]
    pub operation: String,
    #[serde(rename = "Info", default)]
    pub info: String,
    #[serde(rename = "Who", default)]
    pub who: String,
    #[serde(rename = "Version", default)]
    pub version: String,
    #[serde(rename = "Created", default)]
    pub created: String,
    #[serde(rename = "Path", default)]
    pub path: String,
}

/// Why a lock body could not be read as a `LockInfo`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockBodyError {
    #[error("the lock body is not Terraform lock JSON: {0}")]
    NotJson(String),
    #[error("the lock body has an empty \"ID\"")]
    EmptyId,
}

impl LockInfo {
    /// Parses a lock object's body.
    pub fn parse(body: &[u8]) -> Result<Self, LockBodyError> {
        let info: LockInfo =
            serde_json::from_slice(body).map_err(|e| LockBodyError::NotJson(e.to_string()))?;
        if info.id.is_empty() {
            return Err(LockBodyError::EmptyId);
        }
        Ok(info)
    }

    /// The body as Terraform writes it (compact JSON, Terraform's field order).
    pub fn to_json(&self) -> String {
        // Serializing plain strings cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// `Created` as a time, when it is valid RFC 3339.
    pub fn created_time(&self) -> Option<SystemTime> {
        parse_rfc3339(&self.created).ok()
    }
}

/// Parses RFC 3339 as Go's encoding/json writes `time.Time`: `Z` or `+00:00`, 0–9 fractional
/// digits. Other offsets are accepted and converted to UTC.
pub fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    let bad = || format!("{text:?} is not an RFC 3339 timestamp");
    if let Some(base) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return humantime::parse_rfc3339(&format!("{base}Z")).map_err(|_| bad());
    }
    // A numeric offset: ±HH:MM after the seconds.
    let cut = text.len().checked_sub(6).ok_or_else(bad)?;
    let (Some(base), Some(offset)) = (text.get(..cut), text.get(cut..)) else {
        return Err(bad());
    };
    let ob = offset.as_bytes();
    if !(ob[0] == b'+' || ob[0] == b'-') || ob[3] != b':' {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Option<u64> { offset.get(range)?.parse().ok() };
    let hours = number(1..3).ok_or_else(bad)?;
    let minutes = number(4..6).ok_or_else(bad)?;
    let shift = Duration::from_secs(hours * 3600 + minutes * 60);
    let local = humantime::parse_rfc3339(&format!("{base}Z")).map_err(|_| bad())?;
    let utc = if ob[0] == b'+' { local.checked_sub(shift) } else { local.checked_add(shift) };
    utc.ok_or_else(bad)
}

/// Formats a time as Go's encoding/json does for a UTC `time.Time`: fractional seconds with
/// trailing zeros trimmed, `Z` suffix.
pub fn format_rfc3339(time: SystemTime) -> String {
    let full = humantime::format_rfc3339_nanos(time).to_string();
    // `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`
    match full.strip_suffix('Z').and_then(|s| s.split_once('.')) {
        Some((secs, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() { format!("{secs}Z") } else { format!("{secs}.{frac}Z") }
        }
        None => full,
    }
}

/// Formats a time to the second, for people.
pub fn format_rfc3339_seconds(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// How long ago `created` was at `now`; zero when the clock says it is in the future.
pub fn age(created: SystemTime, now: SystemTime) -> Duration {
    now.duration_since(created).unwrap_or_default()
}

/// A short human rendering of an age: `45s`, `12m`, `3h 5m`, `2d 4h`.
pub fn format_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => match (s / 60) % 60 {
            0 => format!("{}h", s / 3600),
            m => format!("{}h {m}m", s / 3600),
        },
        _ => match (s / 3600) % 24 {
            0 => format!("{}d", s / 86400),
            h => format!("{}d {h}h", s / 86400),
        },
    }
}

/// Parses `30m`, `2h`, `1h30m`, `90s`, `1d`: a positive duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{text:?} is not a duration like 30m, 2h or 1h30m ({e})"))?;
    if d.is_zero() {
        return Err(format!("{text:?} is zero; give a positive duration like 30m"));
    }
    Ok(d)
}

/// Seconds since the Unix epoch (for JSON).
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// `s3://bucket/key-or-prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    /// The key or prefix; may be empty (the whole bucket).
    pub key: String,
}

impl S3Url {
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{text:?} is not an S3 URL; write it as s3://BUCKET/KEY"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{text:?} names no bucket; write it as s3://BUCKET/KEY"));
        }
        if !valid_bucket_name(bucket) {
            return Err(format!(
                "{bucket:?} is not a valid S3 bucket name (3–63 characters: lowercase letters, digits, dots, hyphens)"
            ));
        }
        Ok(Self { bucket: bucket.to_owned(), key: key.to_owned() })
    }

    /// True when the URL names a prefix (empty or ending in `/`) rather than one key.
    pub fn is_prefix(&self) -> bool {
        self.key.is_empty() || self.key.ends_with('/')
    }
}

impl fmt::Display for S3Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

/// Where one lock lives: its object key, the state it guards and the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockLocation {
    /// The `.tflock` object key.
    pub lock_key: String,
    /// The state object key (the lock key without `.tflock`).
    pub state_key: String,
    /// The workspace; `default` unless the key sits under `<workspace_key_prefix>/<ws>/`.
    pub workspace: String,
}

impl LockLocation {
    /// From a key the user typed: a state key or its `.tflock` key, optionally in a workspace
    /// (`<prefix>/<workspace>/<key>.tflock`, as Terraform places non-default workspaces).
    pub fn for_key(key: &str, workspace: Option<&str>, workspace_prefix: &str) -> Self {
        let base = key.strip_suffix(LOCK_SUFFIX).unwrap_or(key);
        match workspace.filter(|w| *w != "default") {
            Some(ws) => {
                let state_key = format!("{}/{ws}/{base}", workspace_prefix.trim_end_matches('/'));
                Self::from_lock_key(&format!("{state_key}{LOCK_SUFFIX}"), workspace_prefix)
            }
            None => Self::from_lock_key(&format!("{base}{LOCK_SUFFIX}"), workspace_prefix),
        }
    }

    /// From a `.tflock` key found in a listing; the workspace is read off the key's shape.
    pub fn from_lock_key(lock_key: &str, workspace_prefix: &str) -> Self {
        let state_key = lock_key.strip_suffix(LOCK_SUFFIX).unwrap_or(lock_key).to_owned();
        let prefix = format!("{}/", workspace_prefix.trim_end_matches('/'));
        let workspace = state_key
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('/'))
            .filter(|(ws, key)| !ws.is_empty() && !key.is_empty())
            .map(|(ws, _)| ws.to_owned())
            .unwrap_or_else(|| "default".to_owned());
        Self { lock_key: lock_key.to_owned(), state_key, workspace }
    }

    /// The `Path` Terraform writes into a lock for this state: `<bucket>/<state key>`.
    pub fn terraform_path(&self, bucket: &str) -> String {
        format!("{bucket}/{}", self.state_key)
    }
}

/// True for object keys that are Terraform lock files.
pub fn is_lock_key(key: &str) -> bool {
    key.len() > LOCK_SUFFIX.len() && key.ends_with(LOCK_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERRAFORM_BODY: &str = r#"{"ID":"c5bf827f-0a6c-d1a8-2d0b-5d1fa8b3e2a1","Operation":"OperationTypeApply","Info":"","Who":"runner@fv-az123","Version":"1.11.2","Created":"2025-01-02T03:04:05.123456789Z","Path":"my-bucket/path/to/key"}"#;

    #[test]
    fn parses_and_reserializes_terraform_body_byte_for_byte() {
        let info = LockInfo::parse(TERRAFORM_BODY.as_bytes()).unwrap();
        assert_eq!(info.id, "c5bf827f-0a6c-d1a8-2d0b-5d1fa8b3e2a1");
        assert_eq!(info.operation, "OperationTypeApply");
        assert_eq!(info.who, "runner@fv-az123");
        assert_eq!(info.path, "my-bucket/path/to/key");
        assert_eq!(info.to_json(), TERRAFORM_BODY);
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        assert!(matches!(LockInfo::parse(b"not json"), Err(LockBodyError::NotJson(_))));
        assert!(matches!(LockInfo::parse(b"{}"), Err(LockBodyError::NotJson(_))));
        assert!(matches!(LockInfo::parse(br#"{"ID":""}"#), Err(LockBodyError::EmptyId)));
        assert!(matches!(LockInfo::parse(&[0xff, 0xfe]), Err(LockBodyError::NotJson(_))));
        // Missing optional fields are tolerated (older writers).
        assert_eq!(LockInfo::parse(br#"{"ID":"x"}"#).unwrap().who, "");
    }

    #[test]
    fn created_parses_with_any_fraction_up_to_nanoseconds() {
        let base = parse_rfc3339("2025-01-02T03:04:05Z").unwrap();
        for (text, nanos) in [
            ("2025-01-02T03:04:05.1Z", 100_000_000),
            ("2025-01-02T03:04:05.12Z", 120_000_000),
            ("2025-01-02T03:04:05.123456Z", 123_456_000),
            ("2025-01-02T03:04:05.123456789Z", 123_456_789),
            ("2025-01-02T03:04:05.123456789+00:00", 123_456_789),
        ] {
            let t = parse_rfc3339(text).unwrap();
            assert_eq!(t.duration_since(base).unwrap(), Duration::from_nanos(nanos), "{text}");
        }
        let plus_two = parse_rfc3339("2025-01-02T05:04:05+02:00").unwrap();
        assert_eq!(plus_two, base);
        assert!(parse_rfc3339("yesterday").is_err());
        assert!(parse_rfc3339("2025-01-02 03:04:05").is_err());
        assert!(parse_rfc3339("").is_err());
        // A multi-byte character where the offset would be: an error, not a panic.
        assert!(parse_rfc3339("2025-01-02T03:04:05\u{3a671}:00").is_err());
    }

    #[test]
    fn formats_like_go_trimming_trailing_zeros() {
        let t = parse_rfc3339("2025-01-02T03:04:05.120Z").unwrap();
        assert_eq!(format_rfc3339(t), "2025-01-02T03:04:05.12Z");
        let t = parse_rfc3339("2025-01-02T03:04:05Z").unwrap();
        assert_eq!(format_rfc3339(t), "2025-01-02T03:04:05Z");
        let t = parse_rfc3339("2025-01-02T03:04:05.123456789Z").unwrap();
        assert_eq!(format_rfc3339(t), "2025-01-02T03:04:05.123456789Z");
    }

    #[test]
    fn age_is_never_negative_and_reads_well() {
        let t = parse_rfc3339("2025-01-02T03:04:05Z").unwrap();
        let later = t + Duration::from_secs(2 * 3600 + 5 * 60);
        assert_eq!(age(t, later), Duration::from_secs(7500));
        assert_eq!(age(later, t), Duration::ZERO);
        assert_eq!(format_age(Duration::from_secs(45)), "45s");
        assert_eq!(format_age(Duration::from_secs(720)), "12m");
        assert_eq!(format_age(Duration::from_secs(7500)), "2h 5m");
        assert_eq!(format_age(Duration::from_secs(7200)), "2h");
        assert_eq!(format_age(Duration::from_secs(86400 * 2 + 3600 * 4)), "2d 4h");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86400));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("30").is_err());
    }

    #[test]
    fn s3_urls() {
        let u = S3Url::parse("s3://my-bucket/dev/terraform.tfstate").unwrap();
        assert_eq!((u.bucket.as_str(), u.key.as_str()), ("my-bucket", "dev/terraform.tfstate"));
        assert!(!u.is_prefix());
        assert!(S3Url::parse("s3://my-bucket/dev/").unwrap().is_prefix());
        assert!(S3Url::parse("s3://my-bucket").unwrap().is_prefix());
        assert_eq!(S3Url::parse("s3://my-bucket/a").unwrap().to_string(), "s3://my-bucket/a");
        assert!(S3Url::parse("my-bucket/key").is_err());
        assert!(S3Url::parse("s3:///key").is_err());
        assert!(S3Url::parse("s3://My_Bucket/key").is_err());
        assert!(S3Url::parse("https://my-bucket/key").is_err());
    }

    #[test]
    fn lock_locations_default_and_workspaces() {
        let l = LockLocation::for_key("dev/terraform.tfstate", None, DEFAULT_WORKSPACE_PREFIX);
        assert_eq!(l.lock_key, "dev/terraform.tfstate.tflock");
        assert_eq!(l.state_key, "dev/terraform.tfstate");
        assert_eq!(l.workspace, "default");
        assert_eq!(l.terraform_path("b"), "b/dev/terraform.tfstate");

        let same = LockLocation::for_key("dev/terraform.tfstate.tflock", None, "env:");
        assert_eq!(same, l);

        let ws = LockLocation::for_key("path/to/key", Some("staging"), "env:");
        assert_eq!(ws.lock_key, "env:/staging/path/to/key.tflock");
        assert_eq!(ws.state_key, "env:/staging/path/to/key");
        assert_eq!(ws.workspace, "staging");

        let found = LockLocation::from_lock_key("env:/prod/app.tfstate.tflock", "env:");
        assert_eq!(found.workspace, "prod");
        assert_eq!(found.state_key, "env:/prod/app.tfstate");
        let custom = LockLocation::from_lock_key("workspaces/qa/k.tflock", "workspaces");
        assert_eq!(custom.workspace, "qa");
        // Not under the workspace prefix: the default workspace.
        assert_eq!(LockLocation::from_lock_key("env:/k.tflock", "env:").workspace, "default");
        assert_eq!(LockLocation::for_key("k", Some("default"), "env:").lock_key, "k.tflock");
    }

    #[test]
    fn lock_keys() {
        assert!(is_lock_key("a/b.tfstate.tflock"));
        assert!(!is_lock_key(".tflock"));
        assert!(!is_lock_key("a/b.tfstate"));
    }

    proptest::proptest! {
        #[test]
        fn hostile_input_never_panics(text in ".{0,60}", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let _ = LockInfo::parse(&bytes);
            let _ = LockInfo::parse(text.as_bytes());
            let _ = parse_rfc3339(&text);
            let _ = parse_duration(&text);
            if let Ok(u) = S3Url::parse(&text) {
                proptest::prop_assert_eq!(S3Url::parse(&u.to_string()).unwrap(), u);
            }
            let l = LockLocation::from_lock_key(&text, "env:");
            proptest::prop_assert!(!l.workspace.is_empty());
        }

        #[test]
        fn created_round_trips_at_nanosecond_precision(secs in 0u64..4_000_000_000, nanos in 0u32..1_000_000_000) {
            let t = UNIX_EPOCH + Duration::new(secs, nanos);
            let text = format_rfc3339(t);
            proptest::prop_assert_eq!(parse_rfc3339(&text).unwrap(), t);
            // Go's encoding: no trailing zeros in the fraction.
            proptest::prop_assert!(!text.contains(".Z") && !text.contains("0Z"), "{}", text);
        }

        #[test]
        fn lock_bodies_round_trip(id in "[0-9a-f-]{1,36}", who in ".{0,20}", op in ".{0,20}", path in ".{0,40}") {
            let info = LockInfo { id, operation: op, info: String::new(), who, version: "1.11.2".into(), created: "2025-01-02T03:04:05Z".into(), path };
            proptest::prop_assert_eq!(LockInfo::parse(info.to_json().as_bytes()).unwrap(), info);
        }

        #[test]
        fn workspace_keys_round_trip(ws in "[a-z0-9_-]{1,12}", key in "[a-z0-9_-]{1,10}(/[a-z0-9_.-]{1,10}){0,3}") {
            let l = LockLocation::for_key(&key, Some(&ws), "env:");
            let found = LockLocation::from_lock_key(&l.lock_key, "env:");
            let expected_ws = if ws == "default" { "default".to_owned() } else { ws.clone() };
            proptest::prop_assert_eq!(&found.workspace, &expected_ws);
            proptest::prop_assert_eq!(found, l);
        }
    }
}
