//! `surestep check-tag`: which release tag, if any, does this commit carry?
//!
//! The story: find the commit (flag, workflow_run event, or HEAD), list the tags git says point
//! at it, keep those that parse as release versions under the prefix, pick the highest, compare
//! it with every other release tag, then run the checks people cutting tags asked for.

use crate::cli::CheckTagArgs;
use crate::exit::{CliError, ExitStatus, ResultExt};
use crate::github_env::RunContext;
use crate::model::version::{Pep440, ReleaseTag, TagRules, normalize_pep440, pep440};
use crate::model::version_file::{
    VersionFileError, VersionFileKind, declared_version, workspace_root_version,
};
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
    /// The answer could not be established (exit 3, never a pass).
    Unknown,
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
    /// `None` when it cannot be known (a shallow clone may lack the other release tags).
    pub is_latest: Option<bool>,
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
        } else if self.checks.iter().any(|c| c.result == CheckResult::Unknown) {
            ExitStatus::Environment
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
            // The ref is here but names a blob or a tree: not a release tag.
            Err(_) if git.tag_exists(pushed).unwrap_or(false) => false,
            Err(_) => context.sha.as_deref() == Some(commit.as_str()),
        };
        if points_here {
            on_commit.push(pushed.to_owned());
        }
    }
    // Only tags that name a commit are releases; a tag on a blob or a tree is not.
    let typed = git.tags_with_types().map_err(git_error)?;
    let all_tags: Vec<String> = typed.iter().map(|(name, _)| name.clone()).collect();
    let not_commits: Vec<(&str, &str)> = typed
        .iter()
        .filter(|(_, kind)| kind != "commit")
        .map(|(name, kind)| (name.as_str(), kind.as_str()))
        .collect();

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
        .filter(|t| !not_commits.iter().any(|(name, _)| name == t))
        .filter_map(|t| rules.parse(t).ok())
        .collect();

    let mut warnings = Vec::new();
    let shallow = git.is_shallow().unwrap_or(false);
    if all_tags.is_empty() && context.pushed_tag().is_none() {
        warnings.push(if shallow {
            format!("this is a shallow clone with no tags fetched; {FETCH_HINT}")
        } else {
            format!("the repository has no tags at all; if they exist upstream, {FETCH_HINT}")
        });
    }
    // A shallow checkout (actions/checkout's default) may hold only the pushed tag: whether
    // another release tag is higher cannot be known from here. `--fetch` fetched them all.
    let tags_complete = args.fetch || !shallow;
    let releases_elsewhere: Vec<&str> = not_commits
        .iter()
        .filter(|(name, _)| rules.parse(name).is_ok())
        .map(|(name, _)| *name)
        .collect();
    if !releases_elsewhere.is_empty() {
        warnings.push(format!(
            "{} not release tags: {} name a blob or a tree, not a commit",
            plural_tags(releases_elsewhere.len()),
            listed(&releases_elsewhere)
        ));
    }

    let found = release.first().map(|chosen| {
        // A higher tag seen settles it; seeing none proves nothing when tags may be missing.
        let higher_seen =
            others.iter().any(|o| o.version_cmp(chosen) == std::cmp::Ordering::Greater);
        let is_latest = if higher_seen { Some(false) } else { tags_complete.then_some(true) };
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
            listed(&names),
            names[0]
        ));
    }
    if found.as_ref().is_some_and(|t| t.is_latest.is_none()) {
        warnings.push(format!(
            "this is a shallow clone: other release tags may be missing, so whether the tag is the latest cannot be known (is_latest=unknown); {FETCH_HINT}"
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
        checks.push(newest_check(release.first(), &others, tags_complete));
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
    let (declared, shown) = match declared_version(kind, &text) {
        Ok(v) => (v, shown),
        Err(VersionFileError::Inherited { workspace }) => {
            let (root, version) = workspace_version(path, workspace.as_deref())?;
            (version, format!("{shown} (version.workspace = true: {})", root.display()))
        }
        Err(e) => return Err(CliError::failed(anyhow::anyhow!("{shown} {e}"))),
    };
    let Some(tag) = found else {
        return Ok(Check {
            name: "version-file",
            result: CheckResult::Skipped,
            detail: format!("{shown} declares {declared}; no release tag to compare with"),
        });
    };
    // Versions, not strings: `1.2.3.0` is `v1.2.3` in PEP 440, `1.2.3-rc.1` is `1.2.3rc1`.
    let same_pep440 = match (Pep440::parse(&declared), Pep440::parse(&tag.python_version)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let matches = declared == tag.version
        || same_pep440
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

/// The workspace root a member with `version.workspace = true` inherits from, and the version
/// it declares: `package.workspace` when the member names it, else the nearest ancestor
/// directory whose Cargo.toml has a `[workspace]` table (cargo's own rule).
fn workspace_version(
    member: &std::path::Path,
    named: Option<&str>,
) -> Result<(std::path::PathBuf, String), CliError> {
    let shown = member.display().to_string();
    let member_dir = member.parent().unwrap_or(std::path::Path::new(""));
    let member_dir =
        if member_dir.as_os_str().is_empty() { std::path::Path::new(".") } else { member_dir };
    let candidates: Vec<std::path::PathBuf> = match named {
        Some(dir) => vec![member_dir.join(dir).join("Cargo.toml")],
        None => {
            let absolute = std::path::absolute(member_dir).unwrap_or(member_dir.to_path_buf());
            absolute.ancestors().skip(1).map(|d| d.join("Cargo.toml")).collect()
        }
    };
    for candidate in candidates.iter().filter(|c| c.is_file()) {
        let text = std::fs::read_to_string(candidate)
            .or_usage(format!("cannot read the workspace root {}", candidate.display()))?;
        match workspace_root_version(&text) {
            Ok(Some(version)) => return Ok((candidate.clone(), version)),
            Ok(None) => continue,
            Err(e) => {
                return Err(CliError::failed(anyhow::anyhow!(
                    "{shown} inherits its version from the workspace root {}, which {e}",
                    candidate.display()
                )));
            }
        }
    }
    Err(CliError::failed(anyhow::anyhow!(
        "{shown} inherits its version (version.workspace = true) but no workspace root was found{}",
        match named {
            Some(dir) => format!(" at package.workspace = {dir:?}"),
            None => " in the directories above it".to_owned(),
        }
    ))
    .with_hint(
        "pass the workspace root's Cargo.toml to --version-file, or check out the whole workspace",
    ))
}

fn newest_check(chosen: Option<&ReleaseTag>, others: &[ReleaseTag], tags_complete: bool) -> Check {
    let Some(chosen) = chosen else {
        return Check {
            name: "require-newest",
            result: CheckResult::Skipped,
            detail: "no release tag on this commit".into(),
        };
    };
    let higher = others.iter().filter(|o| o.version_cmp(chosen) != std::cmp::Ordering::Less).max();
    if higher.is_none() && !tags_complete {
        return Check {
            name: "require-newest",
            result: CheckResult::Unknown,
            detail: format!(
                "cannot tell whether {} is the newest release: this shallow clone may lack other release tags; {FETCH_HINT}",
                chosen.name
            ),
        };
    }
    match higher {
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
                if higher.version_cmp(chosen) == std::cmp::Ordering::Equal {
                    "the same version"
                } else {
                    "higher"
                }
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

/// How many names a message lists before saying "and N more".
const LIST_LIMIT: usize = 5;

/// `a, b, c, d, e and 995 more`: a message stays one short line however many tags there are.
pub(crate) fn listed(names: &[&str]) -> String {
    let shown = names.iter().take(LIST_LIMIT).copied().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(LIST_LIMIT) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

fn plural_tags(n: usize) -> String {
    if n == 1 { "1 tag is".to_owned() } else { format!("{n} tags are") }
}

pub(crate) fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
