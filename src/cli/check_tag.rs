//! Flags of `surestep check-tag`.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args, Clone)]
#[command(after_long_help = "\
The commit defaults to HEAD; in a workflow_run event it is workflow_run.head_sha from \
$GITHUB_EVENT_PATH (GITHUB_SHA there is the default branch's tip). On a tag push, the tag in \
GITHUB_REF counts when it points at the commit.

Outputs: has_tag, tag_name, version, major, minor, patch, prerelease, python_version, is_latest, \
commit, tags; trigger_conclusion in a workflow_run event.

--require-success: in a workflow_run event, exit 1 (before anything else) unless the \
triggering run concluded success.

No tag is not an error (exit 0, has_tag=false) unless --require is given.")]
pub struct CheckTagArgs {
    /// The commit to look at (default: HEAD, or workflow_run.head_sha in a workflow_run event)
    #[arg(long, value_name = "REV", value_parser = super::non_empty)]
    pub rev: Option<String>,
    /// Tag prefix before MAJOR.MINOR.PATCH (e.g. `mypkg-v`; empty for bare versions)
    #[arg(long, default_value = "v", value_name = "PREFIX", env = "SURESTEP_TAG_PREFIX")]
    pub prefix: String,
    /// Accept pre-release tags such as v1.2.3-rc.1
    #[arg(long)]
    pub allow_prerelease: bool,
    /// Fail (exit 1) when the commit carries no release tag
    #[arg(long)]
    pub require: bool,
    /// Fail unless this Cargo.toml, pyproject.toml or package.json declares the tag's version
    #[arg(long, value_name = "PATH")]
    pub version_file: Option<PathBuf>,
    /// Fail unless the tag is greater than every other release tag in the repository
    #[arg(long)]
    pub require_newest: bool,
    /// Run `git fetch --tags` first
    #[arg(long)]
    pub fetch: bool,
    /// In a workflow_run event, exit 1 unless the triggering run concluded success
    #[arg(long)]
    pub require_success: bool,
    /// The repository to inspect
    #[arg(long, short = 'C', default_value = ".", value_name = "DIR")]
    pub repo: PathBuf,
}
