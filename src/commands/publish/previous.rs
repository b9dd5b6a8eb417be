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
        } else if index.is_pypi && uploads {
            let ours: Vec<_> = against::files_of_version(listing, version);
            match release_age::judge(&ours.iter().collect::<Vec<_>>(), now) {
                AgeVerdict::Closed { first_upload, closed } => gate
                    .refusals
                    .push(against::closed_message(project, version, &first_upload, &closed)),
                AgeVerdict::Unknown => gate.warnings.push(format!(
                    "{project} {version} is already on the index without upload times: PyPI's 14-day rule could not be checked"
                )),
                AgeVerdict::NewRelease | AgeVerdict::Open { .. } => {}
            }
        }
    }
    Ok(gate)
}

fn requires_python(local: &LocalDist) -> Option<&str> {
    local
        .fields
        .iter()
        .find(|(k, v)| k == "requires_python" && !v.trim().is_empty())
        .map(|(_, v)| v.as_str())
}
