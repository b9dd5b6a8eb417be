//! `--against`: does this release ship every platform the previous one did?
//!
//! Shared by `verify-wheels --against INDEX` and `publish --against-previous`. The index is read
//! once (the project page, PEP 691 JSON or HTML, through the [`IndexClient`] `publish` uses);
//! the pure comparison lives in [`crate::model::previous_release`] and PyPI's 14-day rule in
//! [`crate::model::release_age`]. This module turns their answers into a report with problems
//! (a dropped cell, a release PyPI will not add files to) and warnings (a changed cell).

use crate::commands::publish::target::parse_url;
use crate::exit::CliError;
use crate::model::previous_release::{self, CellStatus, CellVerdict, Comparison, Local};
use crate::model::problem::{Problem, ProblemCode};
use crate::model::release_age::{self, AgeVerdict};
use crate::model::upload_plan::ProjectListing;
use crate::remote::http::redact_url;
use crate::remote::index::is_pypi_simple;
use reqwest::Url;
use serde::Serialize;
use std::time::SystemTime;

pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";
pub const TESTPYPI_SIMPLE: &str = "https://test.pypi.org/simple/";

/// The index `--against` names.
#[derive(Debug, Clone)]
pub struct AgainstIndex {
    pub simple: Url,
    /// PyPI or TestPyPI: public (no credentials sent) and bound by the 14-day rule.
    pub is_pypi: bool,
}

/// `pypi`, `testpypi`, or a simple index URL. Plain http is refused off loopback when
/// credentials would travel with it.
pub fn resolve(text: &str, with_credentials: bool) -> Result<AgainstIndex, CliError> {
    let simple = match text.trim().to_ascii_lowercase().as_str() {
        "pypi" => PYPI_SIMPLE,
        "testpypi" => TESTPYPI_SIMPLE,
        _ => {
            let simple = parse_url(text.trim(), "--against", !with_credentials)?;
            return Ok(AgainstIndex { is_pypi: is_pypi_simple(&simple), simple });
        }
    };
    let simple = Url::parse(simple).expect("a valid constant URL");
    Ok(AgainstIndex { simple, is_pypi: true })
}

/// A cell of the previous release missing from this one.
#[derive(Debug, Clone, Serialize)]
pub struct DroppedCell {
    pub cell: String,
    pub previous_version: String,
    /// The previous release's wheel(s) for this cell.
    pub previous_files: Vec<String>,
}

/// The comparison as `--json` shows it (`against` in verify-wheels, one per project in publish).
#[derive(Debug, Clone, Serialize)]
pub struct AgainstReport {
    /// The simple index read (credentials and queries redacted).
    pub index: String,
    pub project: String,
    pub version: String,
    /// The release compared with; `null` when there is none (first release, not on the index).
    pub previous_version: Option<String>,
    /// Every cell of both releases with its status: kept, changed, dropped, excused, added.
    pub cells: Vec<CellVerdict>,
    pub dropped: Vec<DroppedCell>,
    /// Cells new in this release.
    pub added: Vec<String>,
    /// Cells covered by a wheel that needs a newer system (or another kind of wheel).
    pub changed: Vec<String>,
    /// Cells dropped on purpose (`--allow-drop`, `Requires-Python`), with the reason.
    pub excused: Vec<String>,
    /// This version's files the index already lists (a re-run): they count as covered.
    pub already_on_index: Vec<String>,
    /// Yanked files on the index, not counted.
    pub yanked_ignored: usize,
    /// PyPI's 14-day rule, when the index is PyPI or TestPyPI and this version is on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_age: Option<AgeVerdict>,
    /// Index requests this check cost (every attempt).
    pub requests: u32,
    /// One line for people.
    pub summary: String,
}

/// Compares `local` (the release about to be published) with the index's listing of `project`.
pub fn evaluate(
    index: &AgainstIndex,
    project: &str,
    listing: &ProjectListing,
    local: &Local<'_>,
    requests: u32,
    now: SystemTime,
) -> Result<AgainstReport, CliError> {
    let shown = redact_url(index.simple.as_str());
    let comparison: Comparison = previous_release::compare(&listing.files, local)
        .map_err(|e| CliError::usage(anyhow::anyhow!("--against: {e}")))?;
    let list = |status: CellStatus| -> Vec<&CellVerdict> { comparison.with(status).collect() };
    let dropped: Vec<DroppedCell> = list(CellStatus::Dropped)
        .into_iter()
        .map(|c| DroppedCell {
            cell: c.cell.clone(),
            previous_version: comparison.previous_version.clone().unwrap_or_default(),
            previous_files: c.previous.clone(),
        })
        .collect();
    let with_note = |c: &&CellVerdict| match &c.note {
        Some(note) => format!("{}: {note}", c.cell),
        None => c.cell.clone(),
    };
    let changed: Vec<String> = list(CellStatus::Changed).iter().map(with_note).collect();
    let excused: Vec<String> = list(CellStatus::Excused).iter().map(with_note).collect();
    let added: Vec<String> = list(CellStatus::Added).iter().map(|c| c.cell.clone()).collect();
    let adds_files =
        local.filenames.iter().any(|f| !comparison.already_on_index.iter().any(|o| o == f));
    let release_age = (index.is_pypi && !comparison.already_on_index.is_empty() && adds_files)
        .then(|| {
            let ours = files_of_version(listing, local.version);
            release_age::judge(&ours.iter().collect::<Vec<_>>(), now)
        });
    let summary = match &comparison.previous_version {
        None if !listing.exists => format!("no previous release: {project} is not on {shown}"),
        None => format!(
            "no previous release: {shown} has no release of {project} below {}",
            local.version
        ),
        Some(previous) => format!(
            "against {project} {previous} on {shown}: {} kept, {} changed, {} dropped, {} excused, {} added",
            list(CellStatus::Kept).len(),
            changed.len(),
            dropped.len(),
            excused.len(),
            added.len()
        ),
    };
    Ok(AgainstReport {
        index: shown,
        project: project.to_owned(),
        version: local.version.to_owned(),
        previous_version: comparison.previous_version.clone(),
        dropped,
        added,
        changed,
        excused,
        already_on_index: comparison.already_on_index.clone(),
        yanked_ignored: comparison.yanked_ignored.len(),
        cells: comparison.cells,
        release_age,
        requests,
        summary,
    })
}

/// The index's files of one version (yanked or not: a yanked file still makes the release exist).
pub fn files_of_version(
    listing: &ProjectListing,
    version: &str,
) -> Vec<crate::model::upload_plan::IndexFile> {
    use crate::model::wheel_name::{DistFilename, canonical_version};
    let ours = canonical_version(version);
    listing
        .files
        .iter()
        .filter(|f| {
            let v = match DistFilename::parse(&f.filename) {
                Ok(DistFilename::Wheel(w)) => w.version,
                Ok(DistFilename::Sdist(s)) => s.version,
                Err(_) => return false,
            };
            canonical_version(&v) == ours
        })
        .cloned()
        .collect()
}

impl AgainstReport {
    /// Dropped cells (exit 1) and a release PyPI will refuse files for.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = self
            .dropped
            .iter()
            .map(|d| {
                Problem::new(
                    ProblemCode::DroppedSincePrevious,
                    format!(
                        "{} was in {} {} ({}) and is missing now",
                        d.cell,
                        self.project,
                        d.previous_version,
                        d.previous_files.join(", ")
                    ),
                )
            })
            .collect();
        if let Some(AgeVerdict::Closed { first_upload, closed }) = &self.release_age {
            out.push(Problem::new(
                ProblemCode::PypiReleaseClosed,
                closed_message(&self.project, &self.version, first_upload, closed),
            ));
        }
        out
    }

    /// Changes that are not losses, and a release age PyPI did not state.
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .changed
            .iter()
            .map(|c| {
                format!(
                    "{} changed since {}: {c}",
                    self.project,
                    self.previous_version.as_deref().unwrap_or("?")
                )
            })
            .collect();
        if self.release_age == Some(AgeVerdict::Unknown) {
            out.push(format!(
                "{} {} is already on {} without upload times: PyPI's 14-day rule could not be checked",
                self.project, self.version, self.index
            ));
        }
        out
    }
}

/// PyPI's refusal, said before any upload.
pub fn closed_message(project: &str, version: &str, first_upload: &str, closed: &str) -> String {
    format!(
        "{project} {version} was first uploaded on {first_upload}; PyPI stopped accepting new files for it on {closed} (\"Uploading new files to releases older than 14 days is not allowed\"): publish the missing files under a new version"
    )
}

/// What `verify-wheels --against` will read, settled before any file is: the index, the
/// credentials to read it with, and the drops allowed (usage errors stop here).
pub struct VerifyPlan {
    index: AgainstIndex,
    auth: Option<crate::remote::index::BasicAuth>,
    allow_drop: Vec<crate::model::previous_release::AllowDrop>,
}

pub fn plan_verify(
    args: &crate::cli::VerifyWheelsArgs,
    reporter: &crate::output::Reporter,
) -> Result<Option<VerifyPlan>, CliError> {
    let Some(index_text) = &args.against else { return Ok(None) };
    let allow_drop = parse_allow_drop(&args.allow_drop)?;
    // PyPI's pages are public: credentials (an upload token in TWINE_PASSWORD, say) are
    // neither read nor sent for them.
    if let Ok(index) = resolve(index_text, false)
        && index.is_pypi
    {
        return Ok(Some(VerifyPlan { index, auth: None, allow_drop }));
    }
    let credentials = crate::commands::publish::target::basic_credentials(
        args.username.clone(),
        args.password.clone(),
        reporter,
    )?;
    let index = resolve(index_text, credentials.is_some())?;
    let auth = credentials.map(|(auth, _)| auth);
    Ok(Some(VerifyPlan { index, auth, allow_drop }))
}

/// `--allow-drop cp38,win32,sdist`.
pub fn parse_allow_drop(
    values: &[String],
) -> Result<Vec<crate::model::previous_release::AllowDrop>, CliError> {
    values
        .iter()
        .filter(|a| !a.trim().is_empty())
        .map(|a| {
            crate::model::previous_release::AllowDrop::parse(a)
                .map_err(|e| CliError::usage(anyhow::anyhow!("--allow-drop: {e}")))
        })
        .collect()
}

/// `verify-wheels --against`: reads `project`'s page once and compares the verified files with
/// the previous release. An index that cannot be read is a problem that makes the run exit 3.
pub fn check_verified(
    plan: &VerifyPlan,
    project: &str,
    version: &str,
    reports: &[crate::inspect::FileReport],
) -> Result<Result<AgainstReport, Problem>, CliError> {
    use crate::exit::ResultExt;
    use crate::inspect::ArtifactKind;
    use crate::remote::http::{HttpClient, RetryPolicy};
    use crate::remote::index::IndexClient;
    let http =
        HttpClient::new(RetryPolicy::default()).or_environment("starting the HTTP client")?;
    let client = IndexClient::new(http, plan.index.simple.clone(), plan.auth.clone());
    let listing = match crate::runtime()?.block_on(client.project(project)) {
        Ok(listing) => listing,
        Err(e) => {
            let auth_note = if e.is_auth() {
                " (pass --username/--password or SURESTEP_PYPI_TOKEN to read it)"
            } else {
                ""
            };
            let text = crate::remote::http::error_chain(&e);
            return Ok(Err(Problem::new(
                ProblemCode::IndexUnreadable,
                format!(
                    "--against: the index could not be read, so nothing was compared: {text}{auth_note}"
                ),
            )));
        }
    };
    let filenames: Vec<&str> = reports
        .iter()
        .filter(|r| matches!(r.kind, ArtifactKind::Wheel | ArtifactKind::Sdist))
        .map(|r| r.filename.as_str())
        .collect();
    let requires_python = reports
        .iter()
        .filter(|r| r.kind == ArtifactKind::Wheel)
        .chain(reports.iter().filter(|r| r.kind == ArtifactKind::Sdist))
        .find_map(|r| r.metadata.as_ref()?.get("Requires-Python"));
    let local = Local { version, filenames, requires_python, allow_drop: &plan.allow_drop };
    evaluate(&plan.index, project, &listing, &local, client.reads(), SystemTime::now()).map(Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthands_and_urls() {
        let pypi = resolve("pypi", true).unwrap();
        assert_eq!((pypi.simple.as_str(), pypi.is_pypi), (PYPI_SIMPLE, true));
        let test = resolve("TestPyPI", false).unwrap();
        assert_eq!((test.simple.as_str(), test.is_pypi), (TESTPYPI_SIMPLE, true));
        let url = resolve("https://pypi.org/simple/", false).unwrap();
        assert!(url.is_pypi);
        let devpi = resolve("http://127.0.0.1:3141/tester/dev/+simple/", true).unwrap();
        assert!(!devpi.is_pypi, "the 14-day rule is PyPI's only");
        assert!(!resolve("https://pypi.example.com/simple/", false).unwrap().is_pypi);
        // Plain http off loopback: refused when credentials would travel with it.
        assert!(resolve("http://mirror.example/simple/", true).is_err());
        assert!(resolve("http://mirror.example/simple/", false).is_ok());
        assert!(resolve("not a url", false).is_err());
    }

    #[test]
    fn adding_files_to_an_old_pypi_release_is_a_problem_only_on_pypi() {
        use crate::model::upload_plan::IndexFile;
        let listed = |name: &str| IndexFile {
            filename: name.into(),
            url: format!("https://files.example/{name}"),
            hashes: Default::default(),
            yanked: None,
            upload_time: Some("2026-06-01T10:00:00Z".into()),
        };
        let listing = ProjectListing {
            exists: true,
            files: vec![
                listed("demo-1.0.0-cp312-cp312-win_amd64.whl"),
                listed("demo-1.1.0-cp312-cp312-win_amd64.whl"),
            ],
        };
        let local = Local {
            version: "1.1.0",
            filenames: vec![
                "demo-1.1.0-cp312-cp312-win_amd64.whl",
                "demo-1.1.0-cp313-cp313-win_amd64.whl",
            ],
            requires_python: None,
            allow_drop: &[],
        };
        let now = humantime::parse_rfc3339("2026-07-20T00:00:00Z").unwrap();
        let pypi = resolve("pypi", false).unwrap();
        let report = evaluate(&pypi, "demo", &listing, &local, 1, now).unwrap();
        let codes: Vec<ProblemCode> = report.problems().iter().map(|p| p.code).collect();
        assert_eq!(codes, [ProblemCode::PypiReleaseClosed]);
        assert!(report.problems()[0].message.contains("2026-06-01 10:00 UTC"));
        assert_eq!(report.already_on_index, ["demo-1.1.0-cp312-cp312-win_amd64.whl"]);
        let other = resolve("https://index.example/simple/", false).unwrap();
        let report = evaluate(&other, "demo", &listing, &local, 1, now).unwrap();
        assert!(report.problems().is_empty(), "{:?}", report.problems());
    }

    /// PyPI's page shapes (recorded form: PEP 691 1.4 JSON, PEP 503 HTML with PEP 592
    /// `data-yanked`): the whole of 1.1.0 and one 1.0.0 wheel are yanked, so 1.0.0 is the
    /// previous release and its yanked wheel's cell is not required.
    #[test]
    fn yanked_files_on_real_index_pages_do_not_count() {
        use crate::model::simple_api::{parse_html, parse_json};
        let page = Url::parse("https://pypi.org/simple/demo/").unwrap();
        let json = r#"{"meta":{"_last-serial":1,"api-version":"1.4"},"name":"demo","versions":["1.0.0","1.1.0"],"files":[
          {"filename":"demo-1.0.0-cp312-cp312-win_amd64.whl","hashes":{"sha256":"01"},"requires-python":">=3.9","size":1,"upload-time":"2026-01-01T00:00:00.000000Z","url":"https://files.pythonhosted.org/packages/01/demo-1.0.0-cp312-cp312-win_amd64.whl","yanked":false},
          {"filename":"demo-1.0.0-cp312-cp312-win32.whl","hashes":{"sha256":"02"},"requires-python":">=3.9","size":1,"upload-time":"2026-01-01T00:00:00.000000Z","url":"https://files.pythonhosted.org/packages/02/demo-1.0.0-cp312-cp312-win32.whl","yanked":"crashes on import"},
          {"filename":"demo-1.1.0-cp312-cp312-win_amd64.whl","hashes":{"sha256":"03"},"requires-python":">=3.9","size":1,"upload-time":"2026-02-01T00:00:00.000000Z","url":"https://files.pythonhosted.org/packages/03/demo-1.1.0-cp312-cp312-win_amd64.whl","yanked":true},
          {"filename":"demo-1.1.0-cp312-cp312-macosx_11_0_arm64.whl","hashes":{"sha256":"04"},"requires-python":">=3.9","size":1,"upload-time":"2026-02-01T00:00:00.000000Z","url":"https://files.pythonhosted.org/packages/04/demo-1.1.0-cp312-cp312-macosx_11_0_arm64.whl","yanked":true}]}"#;
        let html = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.4\">\n    <title>Links for demo</title>\n  </head>\n  <body>\n    <h1>Links for demo</h1>\n\
            <a href=\"https://files.pythonhosted.org/packages/01/demo-1.0.0-cp312-cp312-win_amd64.whl#sha256=01\" data-requires-python=\"&gt;=3.9\">demo-1.0.0-cp312-cp312-win_amd64.whl</a><br />\n\
            <a href=\"https://files.pythonhosted.org/packages/02/demo-1.0.0-cp312-cp312-win32.whl#sha256=02\" data-requires-python=\"&gt;=3.9\" data-yanked=\"crashes on import\">demo-1.0.0-cp312-cp312-win32.whl</a><br />\n\
            <a href=\"https://files.pythonhosted.org/packages/03/demo-1.1.0-cp312-cp312-win_amd64.whl#sha256=03\" data-requires-python=\"&gt;=3.9\" data-yanked=\"\">demo-1.1.0-cp312-cp312-win_amd64.whl</a><br />\n\
            <a href=\"https://files.pythonhosted.org/packages/04/demo-1.1.0-cp312-cp312-macosx_11_0_arm64.whl#sha256=04\" data-requires-python=\"&gt;=3.9\" data-yanked=\"\">demo-1.1.0-cp312-cp312-macosx_11_0_arm64.whl</a><br />\n  </body>\n</html>\n";
        let local = Local {
            version: "1.2.0",
            filenames: vec!["demo-1.2.0-cp312-cp312-win_amd64.whl"],
            requires_python: Some(">=3.9"),
            allow_drop: &[],
        };
        let pypi = resolve("pypi", false).unwrap();
        for files in [parse_json(json, &page).unwrap(), parse_html(html, &page)] {
            let listing = ProjectListing { exists: true, files };
            let report = evaluate(&pypi, "demo", &listing, &local, 1, SystemTime::now()).unwrap();
            assert_eq!(report.previous_version.as_deref(), Some("1.0.0"));
            assert_eq!(report.yanked_ignored, 3);
            assert!(report.problems().is_empty(), "{:?}", report.problems());
            assert_eq!(report.cells.len(), 1, "{:?}", report.cells);
        }
    }
}
