//! The publish plan: local distributions × what the index lists → skip, conflict or upload.
//!
//! Pure: no I/O. A file is `skip` when the index lists the same filename with our digest,
//! `conflict` when it lists the same filename with a different digest (never uploaded), and
//! `upload` otherwise. Digests are compared with the strongest algorithm both sides know.

use serde::Serialize;
use std::collections::BTreeMap;

/// The digests of one local file, from one streaming pass (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digests {
    pub sha256: String,
    pub blake2_256: String,
    pub md5: String,
}

impl Digests {
    /// Our digest for an algorithm named as the simple API names it, if we computed it.
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        match algorithm.to_ascii_lowercase().as_str() {
            "sha256" => Some(&self.sha256),
            "blake2b_256" | "blake2_256" => Some(&self.blake2_256),
            "md5" => Some(&self.md5),
            _ => None,
        }
    }
}

/// Hash algorithms the simple API may list, strongest first among those we compute.
const COMPARABLE: [&str; 3] = ["sha256", "blake2b_256", "md5"];

/// One file as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexFile {
    pub filename: String,
    /// Absolute URL of the file (resolved against the page).
    pub url: String,
    /// Algorithm → lowercase hex, as listed (may be empty).
    pub hashes: BTreeMap<String, String>,
    /// PEP 592: yanked (JSON `yanked`, HTML `data-yanked`); the reason, possibly empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yanked: Option<String>,
    /// PEP 700 `upload-time` (JSON only), as listed: `2025-09-27T18:37:40.123456Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<String>,
}

impl IndexFile {
    /// The listed sha256, if any.
    pub fn sha256(&self) -> Option<&str> {
        self.hashes.get("sha256").map(String::as_str)
    }
}

/// What the index answered for one project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectListing {
    /// False when the project page did not exist (404, or a redirect to another host).
    pub exists: bool,
    pub files: Vec<IndexFile>,
}

impl ProjectListing {
    pub fn absent() -> Self {
        Self::default()
    }
    pub fn file(&self, filename: &str) -> Option<&IndexFile> {
        self.files.iter().find(|f| f.filename == filename)
    }
}

/// How a listed file compares with our local bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// Not listed.
    Absent,
    /// Listed with our digest.
    Same,
    /// Listed with a different digest.
    Different { algorithm: String, remote: String, local: String },
    /// Listed, but with no digest we can compare.
    Unverifiable,
}

/// Compares the index's entry for `filename` (if any) with our digests.
pub fn presence(listing: &ProjectListing, filename: &str, ours: &Digests) -> Presence {
    let Some(remote) = listing.file(filename) else {
        return Presence::Absent;
    };
    for algorithm in COMPARABLE {
        let listed = remote.hashes.get(algorithm);
        if let (Some(listed), Some(local)) = (listed, ours.get(algorithm)) {
            return if listed.eq_ignore_ascii_case(local) {
                Presence::Same
            } else {
                Presence::Different {
                    algorithm: algorithm.to_owned(),
                    remote: listed.to_ascii_lowercase(),
                    local: local.to_owned(),
                }
            };
        }
    }
    Presence::Unverifiable
}

/// The decision for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Planned {
    /// Same name, same digest: already published.
    Skip,
    /// Not on the index: send it.
    Upload,
    /// Same name, different bytes: a hard error, never uploaded.
    Conflict { algorithm: String, local: String, remote: String },
    /// Listed without a digest we can compare: refuse rather than guess.
    Unverifiable,
}

/// One local file to plan for.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    pub filename: &'a str,
    /// Normalized project name.
    pub project: &'a str,
    pub digests: &'a Digests,
}

/// Plans every file against the listings (keyed by normalized project name). A project with no
/// listing counts as absent.
pub fn plan(files: &[PlanInput<'_>], listings: &BTreeMap<String, ProjectListing>) -> Vec<Planned> {
    let absent = ProjectListing::absent();
    files
        .iter()
        .map(|f| {
            let listing = listings.get(f.project).unwrap_or(&absent);
            match presence(listing, f.filename, f.digests) {
                Presence::Absent => Planned::Upload,
                Presence::Same => Planned::Skip,
                Presence::Different { algorithm, remote, local } => {
                    Planned::Conflict { algorithm, local, remote }
                }
                Presence::Unverifiable => Planned::Unverifiable,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests(sha: &str) -> Digests {
        Digests { sha256: sha.into(), blake2_256: "b2".into(), md5: "m5".into() }
    }

    fn listed(filename: &str, hashes: &[(&str, &str)]) -> IndexFile {
        IndexFile {
            yanked: None,
            upload_time: None,
            filename: filename.into(),
            url: format!("http://x/{filename}"),
            hashes: hashes.iter().map(|(a, h)| (a.to_string(), h.to_string())).collect(),
        }
    }

    #[test]
    fn plans_skip_upload_conflict_and_unverifiable() {
        let ours = digests("aa");
        let listing = ProjectListing {
            exists: true,
            files: vec![
                listed("same.whl", &[("sha256", "AA")]),
                listed("other.whl", &[("sha256", "bb")]),
                listed("nohash.whl", &[]),
                listed("md5only.whl", &[("md5", "m5")]),
            ],
        };
        let listings = BTreeMap::from([("p".to_string(), listing)]);
        let inputs: Vec<PlanInput> =
            ["same.whl", "other.whl", "nohash.whl", "md5only.whl", "new.whl"]
                .iter()
                .map(|f| PlanInput { filename: f, project: "p", digests: &ours })
                .collect();
        let planned = plan(&inputs, &listings);
        assert_eq!(planned[0], Planned::Skip);
        assert_eq!(
            planned[1],
            Planned::Conflict {
                algorithm: "sha256".into(),
                local: "aa".into(),
                remote: "bb".into()
            }
        );
        assert_eq!(planned[2], Planned::Unverifiable);
        assert_eq!(planned[3], Planned::Skip);
        assert_eq!(planned[4], Planned::Upload);
    }

    #[test]
    fn a_missing_project_means_upload() {
        let ours = digests("aa");
        let inputs = [PlanInput { filename: "x.whl", project: "unknown", digests: &ours }];
        assert_eq!(plan(&inputs, &BTreeMap::new()), vec![Planned::Upload]);
    }
}
