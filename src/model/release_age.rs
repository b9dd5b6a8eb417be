//! PyPI's 14-day rule (warehouse PR #19727, July 2026): "Uploading new files to releases older
//! than 14 days is not allowed."
//!
//! Pure: the index's files of the version being published (PEP 700 `upload-time`) and the clock
//! in, a verdict out. A release's age is its oldest file's. Only PyPI and TestPyPI have the
//! rule; other indexes never reach this check.

use super::upload_plan::IndexFile;
use serde::Serialize;
use std::time::{Duration, SystemTime};

/// How long PyPI accepts new files for a release.
pub const NEW_FILES_WINDOW: Duration = Duration::from_secs(14 * 24 * 3600);

/// What the rule says about adding files to a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum AgeVerdict {
    /// The release is not on the index yet: a new release.
    NewRelease,
    /// The release is younger than 14 days: files may still be added.
    Open { first_upload: String, closes: String },
    /// Older than 14 days: PyPI refuses new files.
    Closed { first_upload: String, closed: String },
    /// The index lists the release without `upload-time`: the rule cannot be checked here.
    Unknown,
}

/// The verdict for adding files to the release whose files on the index are `existing`.
pub fn judge(existing: &[&IndexFile], now: SystemTime) -> AgeVerdict {
    if existing.is_empty() {
        return AgeVerdict::NewRelease;
    }
    let oldest = existing
        .iter()
        .filter_map(|f| f.upload_time.as_deref())
        .filter_map(|t| humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok())
        .min();
    let Some(first) = oldest else { return AgeVerdict::Unknown };
    let closes = first + NEW_FILES_WINDOW;
    let first_upload = day_and_time(first);
    if now > closes {
        AgeVerdict::Closed { first_upload, closed: day_and_time(closes) }
    } else {
        AgeVerdict::Open { first_upload, closes: day_and_time(closes) }
    }
}

/// `2026-07-01 12:00 UTC`.
fn day_and_time(t: SystemTime) -> String {
    let text = humantime::format_rfc3339_seconds(t).to_string();
    format!("{} {} UTC", &text[..10], &text[11..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SystemTime {
        humantime::parse_rfc3339(text).unwrap()
    }

    fn file(upload_time: Option<&str>) -> IndexFile {
        IndexFile {
            filename: "demo-1.0.tar.gz".into(),
            url: "https://files.example/demo-1.0.tar.gz".into(),
            hashes: Default::default(),
            yanked: None,
            upload_time: upload_time.map(str::to_owned),
        }
    }

    #[test]
    fn the_oldest_file_decides_and_the_boundary_is_fourteen_days() {
        let a = file(Some("2026-07-01T12:00:00.123456Z"));
        let b = file(Some("2026-07-03T08:00:00Z"));
        let now = at("2026-07-15T12:00:00Z");
        assert_eq!(
            judge(&[&b, &a], now),
            AgeVerdict::Open {
                first_upload: "2026-07-01 12:00 UTC".into(),
                closes: "2026-07-15 12:00 UTC".into()
            }
        );
        let later = at("2026-07-15T12:00:01Z");
        assert_eq!(
            judge(&[&b, &a], later),
            AgeVerdict::Closed {
                first_upload: "2026-07-01 12:00 UTC".into(),
                closed: "2026-07-15 12:00 UTC".into()
            }
        );
        assert!(matches!(judge(&[&b], later), AgeVerdict::Open { .. }));
    }

    #[test]
    fn no_files_is_a_new_release_and_no_times_is_unknown() {
        let now = at("2026-07-15T12:00:00Z");
        assert_eq!(judge(&[], now), AgeVerdict::NewRelease);
        assert_eq!(judge(&[&file(None)], now), AgeVerdict::Unknown);
        assert_eq!(judge(&[&file(Some("yesterday"))], now), AgeVerdict::Unknown);
    }
}
