//! `publish --against-previous` and PyPI's 14-day rule, both judged from the plan's one read of
//! each project page, before any upload: a release that lost a platform, or files PyPI would
//! refuse because the release is older than 14 days, stop the publish with nothing sent.

use super::LocalDist;
use crate::cli::PublishArgs;
use crate::commands::against::{self, AgainstIndex, AgainstReport};
use crate::exit::CliError;
use crate::model::previous_release::Local;
use crate::model::release_age::{self, AgeVerdict};
use crate::model::upload_plan::{Planned, ProjectListing};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// What the gate found.
#[derive(Debug, Default)]
pub(super) struct Gate {
    pub(super) reports: Vec<AgainstReport>,
    /// Why nothing may be uploaded (empty: go ahead).
    pub(super) refusals: Vec<String>,
    pub(super) warnings: Vec<String>,
}

/// Judges every (project, version) in the plan. `index.is_pypi`: the target is PyPI or
/// TestPyPI (the 14-day rule applies).
pub(super) fn judge(
    args: &PublishArgs,
    index: &AgainstIndex,
    locals: &[LocalDist],
    planned: &[Planned],
    listings: &BTreeMap<String, ProjectListing>,
    reads: u32,
    now: SystemTime,
) -> Result<Gate, CliError> {
    let allow_drop = against::parse_allow_drop(&args.allow_drop)?;
    let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, local) in locals.iter().enumerate() {
        groups.entry((&local.project, &local.version)).or_default().push(i);
    }
    let empty = ProjectListing::absent();
    let mut gate = Gate::default();
    for ((project, version), members) in groups {
        let listing = listings.get(project).unwrap_or(&empty);
        let uploads = members.iter().any(|&i| planned[i] == Planned::Upload);
        if args.against_previous {
            let local = Local {
                version,
                filenames: members.iter().map(|&i| locals[i].filename.as_str()).collect(),
                requires_python: members.iter().find_map(|&i| requires_python(&locals[i])),
                allow_drop: &allow_drop,
            };
            let report = against::evaluate(index, project, listing, &local, reads, now)?;
            gate.refusals.extend(report.problems().into_iter().map(|p| p.message));
            gate.warnings.extend(report.warnings());
            gate.reports.push(report);
        } else {
            let (refusal, warning) =
                age_rule(index.is_pypi && uploads, listing, project, version, now);
            gate.refusals.extend(refusal);
            gate.warnings.extend(warning);
        }
    }
    Ok(gate)
}

/// PyPI's 14-day rule for one release, when it `applies` (the target is PyPI or TestPyPI and
/// the plan uploads files for this release): a refusal naming the date, or a warning when the
/// index gave no upload times.
fn age_rule(
    applies: bool,
    listing: &ProjectListing,
    project: &str,
    version: &str,
    now: SystemTime,
) -> (Option<String>, Option<String>) {
    if !applies {
        return (None, None);
    }
    let ours = against::files_of_version(listing, version);
    match release_age::judge(&ours.iter().collect::<Vec<_>>(), now) {
        AgeVerdict::Closed { first_upload, closed } => {
            (Some(against::closed_message(project, version, &first_upload, &closed)), None)
        }
        AgeVerdict::Unknown => (
            None,
            Some(format!(
                "{project} {version} is already on the index without upload times: PyPI's 14-day rule could not be checked"
            )),
        ),
        AgeVerdict::NewRelease | AgeVerdict::Open { .. } => (None, None),
    }
}

fn requires_python(local: &LocalDist) -> Option<&str> {
    local
        .fields
        .iter()
        .find(|(k, v)| k == "requires_python" && !v.trim().is_empty())
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::age_rule;
    use crate::model::upload_plan::{IndexFile, ProjectListing};
    use std::time::SystemTime;

    fn listing() -> ProjectListing {
        let file = |name: &str, time: &str| IndexFile {
            filename: name.into(),
            url: format!("https://files.example/{name}"),
            hashes: Default::default(),
            yanked: None,
            upload_time: Some(time.into()),
        };
        ProjectListing {
            exists: true,
            files: vec![
                file("demo-1.0.0-py3-none-any.whl", "2026-06-01T10:00:00Z"),
                file("demo-1.1.0.tar.gz", "2026-07-10T10:00:00Z"),
            ],
        }
    }

    fn now() -> SystemTime {
        humantime::parse_rfc3339("2026-07-20T00:00:00Z").unwrap()
    }

    #[test]
    fn files_for_a_release_older_than_14_days_are_refused_naming_the_date() {
        let (refusal, warning) = age_rule(true, &listing(), "demo", "1.0.0", now());
        let refusal = refusal.unwrap();
        assert!(
            refusal.contains("2026-06-01 10:00 UTC") && refusal.contains("2026-06-15 10:00 UTC"),
            "{refusal}"
        );
        assert_eq!(warning, None);
        // A young release and a new one are fine.
        assert_eq!(age_rule(true, &listing(), "demo", "1.1.0", now()), (None, None));
        assert_eq!(age_rule(true, &listing(), "demo", "2.0.0", now()), (None, None));
    }

    #[test]
    fn the_rule_does_not_apply_to_other_indexes_or_when_nothing_is_uploaded() {
        assert_eq!(age_rule(false, &listing(), "demo", "1.0.0", now()), (None, None));
    }

    #[test]
    fn a_release_listed_without_upload_times_is_a_warning() {
        let mut l = listing();
        l.files[0].upload_time = None;
        let (refusal, warning) = age_rule(true, &l, "demo", "1.0.0", now());
        assert_eq!(refusal, None);
        assert!(warning.unwrap().contains("could not be checked"));
    }
}
