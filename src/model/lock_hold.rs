//! Holding a Terraform-compatible lock: who holds it, the lease written into the body's `Info`,
//! lock IDs, and the backoff between polls while waiting.
//!
//! Pure: the environment and the clock are passed in. `Info` carries one JSON object (Terraform
//! leaves `Info` empty and shows it verbatim, so it stays readable to people):
//!
//! ```json
//! {"surestep":1,"lease_expires":"2026-01-02T03:19:05Z","lease_seconds":900,
//!  "run_url":"https://github.com/o/r/actions/runs/42","run_attempt":"1","job":"deploy",
//!  "actor":"octocat","command":"lock run: ./deploy.sh"}
//! ```
//!
//! A lock whose `Info` has no `lease_expires` (Terraform's own, or `lock acquire` without
//! `--lease`) never expires.

use super::tflock::{LockInfo, format_rfc3339, parse_rfc3339};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};

/// The `Info` of a lock written by surestep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderInfo {
    /// Format version of this object.
    pub surestep: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_attempt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl HolderInfo {
    /// Reads a lock's `Info`; `None` when it is not surestep's object (Terraform's `""`).
    pub fn parse(info: &str) -> Option<Self> {
        let parsed: HolderInfo = serde_json::from_str(info.trim()).ok()?;
        (parsed.surestep >= 1).then_some(parsed)
    }

    /// When the lease runs out; `None` for a lock without a lease.
    pub fn lease_expiry(&self) -> Option<SystemTime> {
        self.lease_expires.as_deref().and_then(|t| parse_rfc3339(t).ok())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The expiry of a lock's lease, from its `Info` (`None`: no lease, never expires).
pub fn lease_expiry(lock: &LockInfo) -> Option<SystemTime> {
    HolderInfo::parse(&lock.info).and_then(|h| h.lease_expiry())
}

/// Who is taking the lock, from the environment (`GITHUB_*`, `USER`, the host name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    /// Terraform's `Who`.
    pub who: String,
    pub run_url: Option<String>,
    pub run_attempt: Option<String>,
    pub job: Option<String>,
    pub actor: Option<String>,
    /// What holds the lock (`lock acquire`, `lock run: <program>`); never the arguments, which
    /// may carry secrets.
    pub command: String,
}

impl Holder {
    /// `env` looks a variable up (the process environment in the binary); `host` is the host
    /// name.
    pub fn from_env(env: impl Fn(&str) -> Option<String>, host: &str, command: &str) -> Self {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        let in_actions = get("GITHUB_ACTIONS").is_some_and(|v| v == "true");
        let run_url =
            match (get("GITHUB_SERVER_URL"), get("GITHUB_REPOSITORY"), get("GITHUB_RUN_ID")) {
                (Some(server), Some(repo), Some(id)) if in_actions => {
                    Some(format!("{}/{repo}/actions/runs/{id}", server.trim_end_matches('/')))
                }
                _ => None,
            };
        let (run_attempt, job, actor) = if run_url.is_some() {
            (get("GITHUB_RUN_ATTEMPT"), get("GITHUB_JOB"), get("GITHUB_ACTOR"))
        } else {
            (None, None, None)
        };
        let user = get("USER").or_else(|| get("LOGNAME")).or_else(|| get("USERNAME"));
        let user = user.unwrap_or_default();
        let who = match &run_url {
            Some(url) => {
                let mut who = url.clone();
                let mut parts = Vec::new();
                if let Some(a) = &run_attempt {
                    parts.push(format!("attempt {a}"));
                }
                if let Some(j) = &job {
                    parts.push(format!("job {j}"));
                }
                if let Some(a) = &actor {
                    parts.push(format!("actor {a}"));
                }
                if !parts.is_empty() {
                    who.push_str(&format!(" ({})", parts.join(", ")));
                }
                who
            }
            None => format!("{user}@{host}"),
        };
        Self { who, run_url, run_attempt, job, actor, command: command.to_owned() }
    }

    /// The lock body to write now: a fresh `Created`, and the lease's expiry from `now`.
    pub fn lock_body(&self, request: &LockRequest, now: SystemTime) -> LockInfo {
        let info = HolderInfo {
            surestep: 1,
            lease_expires: request.lease.map(|l| format_rfc3339(now + l)),
            lease_seconds: request.lease.map(|l| l.as_secs()),
            run_url: self.run_url.clone(),
            run_attempt: self.run_attempt.clone(),
            job: self.job.clone(),
            actor: self.actor.clone(),
            command: Some(self.command.clone()),
        };
        LockInfo {
            id: request.id.clone(),
            operation: request.operation.clone(),
            info: info.to_json(),
            who: self.who.clone(),
            version: format!("surestep {}", env!("CARGO_PKG_VERSION")),
            created: format_rfc3339(now),
            path: request.path.clone(),
        }
    }
}

/// A renewal of `body`: the same lock (ID, Created, Who…) with the lease running `lease` from
/// `now`. A body without surestep's `Info` gets one.
pub fn renewed(body: &LockInfo, lease: Duration, now: SystemTime) -> LockInfo {
    let mut info = HolderInfo::parse(&body.info)
        .unwrap_or(HolderInfo { surestep: 1, ..HolderInfo::default() });
    info.lease_expires = Some(format_rfc3339(now + lease));
    info.lease_seconds = Some(lease.as_secs());
    LockInfo { info: info.to_json(), ..body.clone() }
}

/// The fixed parts of the body a holder writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRequest {
    pub id: String,
    pub operation: String,
    /// Terraform's `Path`: `<bucket>/<state key>`.
    pub path: String,
    pub lease: Option<Duration>,
}

/// A lock ID as Terraform makes one: 16 random bytes in UUID form (version 4 bits set).
pub fn lock_id(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// May a waiter replace this lock? Only when its lease ran out (`--take-over-expired`), or, for
/// a lock without a lease, when it is older than `--take-over-older-than`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakeOver {
    /// The lease expired this long ago.
    Expired(Duration),
    /// No lease, and the lock is this old.
    Old(Duration),
}

/// Decides whether `lock` may be taken over at `now`. `age` is the lock's age (from `Created`,
/// else the object's Last-Modified).
pub fn may_take_over(
    lock: Option<&LockInfo>,
    age: Option<Duration>,
    now: SystemTime,
    take_over_expired: bool,
    take_over_older_than: Option<Duration>,
) -> Option<TakeOver> {
    match lock.and_then(lease_expiry) {
        Some(expiry) => {
            let past = now.duration_since(expiry).ok()?;
            take_over_expired.then_some(TakeOver::Expired(past))
        }
        None => {
            let (min, age) = (take_over_older_than?, age?);
            (age >= min).then_some(TakeOver::Old(age))
        }
    }
}

/// The pause before poll `attempt` (0-based) while waiting: exponential from 250 ms, capped at
/// 5 s, with "equal jitter" (half fixed, half random from `unit` in [0, 1)) so waiters spread out.
pub fn backoff(attempt: u32, unit: f64) -> Duration {
    let base = 0.25 * 1.6f64.powi(attempt.min(20) as i32);
    let capped = base.min(5.0);
    Duration::from_secs_f64(capped / 2.0 + capped / 2.0 * unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn holder_in_github_actions_names_the_run() {
        let h = Holder::from_env(
            env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", "o/r"),
                ("GITHUB_RUN_ID", "42"),
                ("GITHUB_RUN_ATTEMPT", "2"),
                ("GITHUB_JOB", "deploy"),
                ("GITHUB_ACTOR", "octocat"),
                ("USER", "runner"),
            ]),
            "fv-az1",
            "lock run: ./deploy.sh",
        );
        assert_eq!(
            h.who,
            "https://github.com/o/r/actions/runs/42 (attempt 2, job deploy, actor octocat)"
        );
        let elsewhere = Holder::from_env(env(&[("USER", "ana")]), "laptop", "lock acquire");
        assert_eq!(elsewhere.who, "ana@laptop");
        assert_eq!(elsewhere.run_url, None);
    }

    #[test]
    fn body_is_terraform_shaped_with_the_lease_in_info() {
        let h = Holder::from_env(env(&[("USER", "ana")]), "laptop", "lock acquire");
        let req = LockRequest {
            id: lock_id([7; 16]),
            operation: "surestep".into(),
            path: "b/dev/terraform.tfstate".into(),
            lease: Some(Duration::from_secs(900)),
        };
        let now = parse_rfc3339("2026-01-02T03:04:05Z").unwrap();
        let body = h.lock_body(&req, now);
        let json = body.to_json();
        assert!(
            json.starts_with(
                r#"{"ID":"07070707-0707-4707-8707-070707070707","Operation":"surestep","Info":"{"#
            ),
            "{json}"
        );
        assert!(json.contains(r#","Who":"ana@laptop","#), "{json}");
        assert!(
            json.ends_with(r#""Created":"2026-01-02T03:04:05Z","Path":"b/dev/terraform.tfstate"}"#),
            "{json}"
        );
        let parsed = LockInfo::parse(json.as_bytes()).unwrap();
        assert_eq!(lease_expiry(&parsed), Some(now + Duration::from_secs(900)));
        let info = HolderInfo::parse(&parsed.info).unwrap();
        assert_eq!(info.lease_seconds, Some(900));
        assert_eq!(info.lease_expires.as_deref(), Some("2026-01-02T03:19:05Z"));
        // No lease: no expiry.
        let forever = h.lock_body(&LockRequest { lease: None, ..req }, now);
        assert_eq!(lease_expiry(&forever), None);
        assert_eq!(HolderInfo::parse(""), None);
        let later = now + Duration::from_secs(300);
        let renewed = renewed(&body, Duration::from_secs(900), later);
        assert_eq!(
            (renewed.id.as_str(), renewed.created.as_str()),
            (body.id.as_str(), body.created.as_str())
        );
        assert_eq!(lease_expiry(&renewed), Some(later + Duration::from_secs(900)));
        assert_eq!(HolderInfo::parse("deploying v2"), None);
    }

    #[test]
    fn take_over_only_after_expiry_or_the_explicit_age() {
        let now = parse_rfc3339("2026-01-02T03:04:05Z").unwrap();
        let h = Holder::from_env(env(&[]), "h", "c");
        let leased = |secs| {
            h.lock_body(
                &LockRequest {
                    id: "x".into(),
                    operation: "o".into(),
                    path: "p".into(),
                    lease: Some(Duration::from_secs(secs)),
                },
                now - Duration::from_secs(60),
            )
        };
        let m = Duration::from_secs(60);
        // Expired 30 s ago.
        let expired = leased(30);
        assert_eq!(
            may_take_over(Some(&expired), Some(m), now, true, None),
            Some(TakeOver::Expired(Duration::from_secs(30)))
        );
        assert_eq!(may_take_over(Some(&expired), Some(m), now, false, None), None);
        // Still leased: never, whatever the age flag says.
        let live = leased(120);
        assert_eq!(
            may_take_over(Some(&live), Some(m), now, true, Some(Duration::from_secs(1))),
            None
        );
        // Terraform's lock (no lease): only with --take-over-older-than.
        let tf = LockInfo { info: String::new(), ..live.clone() };
        assert_eq!(may_take_over(Some(&tf), Some(m), now, true, None), None);
        assert_eq!(
            may_take_over(Some(&tf), Some(m), now, false, Some(Duration::from_secs(30))),
            Some(TakeOver::Old(m))
        );
        assert_eq!(
            may_take_over(Some(&tf), Some(m), now, false, Some(Duration::from_secs(90))),
            None
        );
        // Unreadable body: its age alone, and only with the explicit flag.
        assert_eq!(may_take_over(None, None, now, true, Some(Duration::from_secs(1))), None);
    }

    #[test]
    fn backoff_grows_jitters_and_caps() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(125));
        assert_eq!(backoff(0, 1.0), Duration::from_millis(250));
        assert!(backoff(3, 0.5) > backoff(2, 0.5));
        assert!(backoff(50, 1.0) <= Duration::from_secs(5));
        assert!(backoff(50, 0.0) >= Duration::from_millis(2500));
    }

    proptest::proptest! {
        #[test]
        fn lock_ids_are_uuid_shaped(bytes in proptest::array::uniform16(proptest::num::u8::ANY)) {
            let id = lock_id(bytes);
            proptest::prop_assert_eq!(id.len(), 36);
            proptest::prop_assert_eq!(&id[14..15], "4");
            proptest::prop_assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }

        #[test]
        fn info_never_panics(text in ".{0,80}") {
            let _ = HolderInfo::parse(&text);
        }
    }
}
