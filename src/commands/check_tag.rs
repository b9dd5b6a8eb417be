//! `surestep check-tag`: which release tag, if any, does this commit carry?
//!
//! The story: find the commit (flag, workflow_run event, or HEAD), list the tags git says point
//! at it, keep those that parse as release versions under the prefix, pick the highest, compare
//! it with every other release tag, then run the checks people cutting tags asked for.

use crate::cli::CheckTagArgs;
use crate::exit::{CliError, ExitStatus, ResultExt};
use crate::github_env::RunContext;
use crate::model::version::{ReleaseTag, TagRules, normalize_pep440, pep440};
use crate::model::version_file::{VersionFileKind, declared_version};
use crate::output::Reporter;
use crate::remote::git::{Git, GitError};
use serde::Serialize;

/// Where the commit under inspection came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CommitSource {
    /// `--rev`.
    Flag,
    /// `workflow_run.head_sha` in `$GITHUB_EVENT_PATH`.
    WorkflowRun,
    /// HEAD of the checkout.
    Head,
}

/// A tag on the commit that is not a release tag under the current rules.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoredTag {
    pub tag: String,
    pub reason: String,
}

/// One of the checks requested by flags.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    /// `passed`, `failed` or `skipped`.
    pub result: CheckResult,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Passed,
    Failed,
    Skipped,
}

/// The chosen release tag and its version parts.
#[derive(Debug, Clone, Serialize)]
pub struct FoundTag {
    pub tag_name: String,
    pub version: String,
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub prerelease: String,
    pub python_version: String,
    pub is_latest: bool,
}

/// What `check-tag` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckTagOutcome {
    pub has_tag: bool,
    #[serde(flatten)]
    pub tag: Option<FoundTag>,
    pub commit: String,
    pub commit_source: CommitSource,
    /// Every release tag on the commit, highest first.
    pub tags: Vec<String>,
    pub ignored: Vec<IgnoredTag>,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
    /// The triggering run's conclusion, in a workflow_run event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_conclusion: Option<String>,
}

impl CheckTagOutcome {
    pub fn status(&self) -> ExitStatus {
        if self.checks.iter().any(|c| c.result == CheckResult::Failed) {
            ExitStatus::Failed
        } else {
            ExitStatus::Success
        }
    }
}

const FETCH_HINT: &str = "fetch the tags: use actions/checkout with `fetch-depth: 0` (or \
`fetch-tags: true`), or pass --fetch to run `git fetch --tags` first";

pub fn run(args: &CheckTagArgs, reporter: &Reporter) -> Result<ExitStatus, CliError> {
    let outcome = check_tag(args)?;
    Ok(reporter.finish("check-tag", &outcome))
}

/// Runs the whole check and returns its outcome; errors are environment or usage failures.
pub fn check_tag(args: &CheckTagArgs) -> Result<CheckTagOutcome, CliError> {
    let context = RunContext::from_env().or_environment("reading the GitHub Actions context")?;
    context.gate(args.require_success).map_err(CliError::failed)?;
    let git = Git::open(&args.repo).map_err(git_error)?;
    if args.fetch {
        git.fetch_tags().map_err(git_error).map_err(|e| e.context("fetching tags (--fetch)"))?;
    }

    let (rev, source) = match (&args.rev, &context.workflow_run_head_sha) {
        (Some(rev), _) => (rev.clone(), CommitSource::Flag),
        (None, Some(head)) => (head.clone(), CommitSource::WorkflowRun),
        (None, None) => ("HEAD".to_owned(), CommitSource::Head),
    };
    let commit = git.resolve_commit(&rev).map_err(|e| match (e, source) {
        (GitError::UnknownRevision { rev }, CommitSource::Flag) => {
            CliError::usage(anyhow::anyhow!("--rev {rev:?} is not a commit in this repository"))
        }
        (GitError::UnknownRevision { rev }, CommitSource::WorkflowRun) => CliError::environment(
            anyhow::anyhow!("workflow_run.head_sha {rev} is not in this checkout"),
        )
        .with_hint("check out that commit: actions/checkout with `ref: ${{ github.event.workflow_run.head_sha }}` and `fetch-depth: 0`"),
        (e, _) => git_error(e),
    })?;

    let mut on_commit = git.tags_pointing_at(&commit).map_err(git_error)?;
    // On a tag push the runner names the tag; count it when it points at this commit even if
    // the checkout did not fetch the tag ref itself.
    if let Some(pushed) = context.pushed_tag()
        && !on_commit.iter().any(|t| t == pushed)
    {
        let points_here = match git.resolve_commit(&format!("refs/tags/{pushed}")) {
            Ok(target) => target == commit,
            Err(_) => context.sha.as_deref() == Some(commit.as_str()),
        };
        if points_here {
            on_commit.push(pushed.to_owned());
        }
    }
    let all_tags = git.all_tags().map_err(git_error)?;

    let rules = TagRules { prefix: args.prefix.clone(), allow_prerelease: args.allow_prerelease };
    let mut release: Vec<ReleaseTag> = Vec::new();
    let mut ignored = Vec::new();
    for tag in &on_commit {
        match rules.parse(tag) {
            Ok(t) => release.push(t),
            Err(reason) => {
                ignored.push(IgnoredTag { tag: tag.clone(), reason: reason.to_string() })
            }
        }
    }
    release.sort_by(|a, b| b.cmp(a));
    let others: Vec<ReleaseTag> = all_tags
        .iter()
        .filter(|t| !on_commit.contains(t))
        .filter_map(|t| rules.parse(t).ok())
        .collect();

    let mut warnings = Vec::new();
    if all_tags.is_empty() && context.pushed_tag().is_none() {
        let shallow = git.is_shallow().unwrap_or(false);
        warnings.push(if shallow {
            format!("this is a shallow clone with no tags fetched; {FETCH_HINT}")
        } else {
            format!("the repository has no tags at all; if they exist upstream, {FETCH_HINT}")
        });
    }

    let found = release.first().map(|chosen| {
        let is_latest = others.iter().all(|o| o.version <= chosen.version);
        FoundTag {
            tag_name: chosen.name.clone(),
            version: chosen.version.to_string(),
            major: chosen.version.major,
            minor: chosen.version.minor,
            patch: chosen.version.patch,
            prerelease: chosen.version.pre.to_string(),
            python_version: pep440(&chosen.version).unwrap_or_default(),
            is_latest,
        }
    });
    if release.len() > 1 {
        let names: Vec<&str> = release.iter().map(|t| t.name.as_str()).collect();
        warnings.push(format!(
            "{} release tags point at this commit ({}); the highest, {}, wins",
            release.len(),
            names.join(", "),
            names[0]
        ));
    }

    let mut checks = Vec::new();
    if args.require {
        checks.push(match &found {
            Some(t) => Check {
                name: "require",
                result: CheckResult::Passed,
                detail: format!("tagged {}", t.tag_name),
            },
            None => Check {
                name: "require",
                result: CheckResult::Failed,
                detail: format!(
                    "commit {} carries no release tag matching {}MAJOR.MINOR.PATCH{}",
                    short(&commit),
                    args.prefix,
                    if args.allow_prerelease { "[-PRERELEASE]" } else { "" }
                ),
            },
        });
    }
    if let Some(path) = &args.version_file {
        checks.push(version_file_check(path, found.as_ref())?);
    }
    if args.require_newest {
        checks.push(newest_check(release.first(), &others));
    }

    Ok(CheckTagOutcome {
        has_tag: found.is_some(),
        tag: found,
        commit,
        commit_source: source,
        tags: release.iter().map(|t| t.name.clone()).collect(),
        ignored,
        checks,
        warnings,
        trigger_conclusion: context.trigger_conclusion(),
    })
}

fn version_file_check(path: &std::path::Path, found: Option<&FoundTag>) -> Result<Check, CliError> {
    let shown = path.display().to_string();
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let kind = VersionFileKind::from_file_name(file_name).ok_or_else(|| {
        CliError::usage(anyhow::anyhow!(
            "--version-file {shown}: expected a Cargo.toml, pyproject.toml or package.json"
        ))
    })?;
    let text =
        std::fs::read_to_string(path).or_usage(format!("cannot read --version-file {shown}"))?;
    let declared = declared_version(kind, &text)
        .map_err(|e| CliError::failed(anyhow::anyhow!("{shown} {e}")))?;
    let Some(tag) = found else {
        return Ok(Check {
            name: "version-file",
            result: CheckResult::Skipped,
            detail: format!("{shown} declares {declared}; no release tag to compare with"),
        });
    };
    let matches = declared == tag.version
        || (!tag.python_version.is_empty() && normalize_pep440(&declared) == tag.python_version);
    Ok(if matches {
        Check {
            name: "version-file",
            result: CheckResult::Passed,
            detail: format!("{shown} declares {declared}, as {} does", tag.tag_name),
        }
    } else {
        Check {
            name: "version-file",
            result: CheckResult::Failed,
            detail: format!(
                "{shown} declares {declared} but the tag {} is version {}{}",
                tag.tag_name,
                tag.version,
                if tag.python_version != tag.version && !tag.python_version.is_empty() {
                    format!(" (PEP 440: {})", tag.python_version)
                } else {
                    String::new()
                }
            ),
        }
    })
}

fn newest_check(chosen: Option<&ReleaseTag>, others: &[ReleaseTag]) -> Check {
    let Some(chosen) = chosen else {
        return Check {
            name: "require-newest",
            result: CheckResult::Skipped,
            detail: "no release tag on this commit".into(),
        };
    };
    match others.iter().filter(|o| o.version >= chosen.version).max() {
        None => Check {
            name: "require-newest",
            result: CheckResult::Passed,
            detail: format!("{} is above every other release tag", chosen.name),
        },
        Some(higher) => Check {
            name: "require-newest",
            result: CheckResult::Failed,
            detail: format!(
                "{} is not the newest release: {} is {}",
                chosen.name,
                higher.name,
                if higher.version == chosen.version { "the same version" } else { "higher" }
            ),
        },
    }
}

fn git_error(e: GitError) -> CliError {
    match e {
        GitError::Missing(_) => {
            CliError::environment(e).with_hint("install git, or add it to PATH")
        }
        GitError::NotARepository { .. } => CliError::environment(e)
            .with_hint("run inside a checkout (actions/checkout), or point --repo at one"),
        GitError::UnknownRevision { .. } => CliError::usage(e),
        GitError::Failed { .. } => CliError::environment(e),
    }
}

pub(crate) fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
