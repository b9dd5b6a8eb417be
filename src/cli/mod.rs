//! The command-line interface: the single definition that yields help, completions and man pages.
//!
//! Each subcommand's flags live in a child module named after it; this file holds the global
//! flags and the list of subcommands.

mod check_tag;
mod lint;
pub mod lock;
mod promote;
mod publish;
mod verify_wheels;
mod wait_for_image;

pub use check_tag::CheckTagArgs;
pub use lint::{FailOn, LintArgs, LintFormat};
pub use lock::LockArgs;
pub use promote::PromoteArgs;
pub use publish::{NamedRepository, PublishArgs, TrustedPublishing};
pub use verify_wheels::{VerifyWheelsArgs, parse_size};
pub use wait_for_image::{WaitForImageArgs, parse_duration};

use crate::output::{ColorChoice, GithubChoice, OutputSettings};
use clap::{Args, Parser, Subcommand};

/// Exit codes, shared by every subcommand (also in the README and the man page).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  the step succeeded / the answer is yes
  1  the check ran and failed (tag required but absent, wheel corrupt, timeout, conflict)
  2  usage error (bad flags, bad input you typed)
  3  the environment failed (a tool missing, network, auth, a server error)";

/// Idempotent, verifiable release steps for CI.
#[derive(Debug, Parser)]
#[command(name = "surestep", version, about, long_about = None, after_help = EXIT_CODES)]
#[command(propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Print exactly one JSON document on stdout (stable field names)
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing but errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log what happens to stderr (-vv for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colours (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Never draw progress bars; log milestones as lines instead
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Write GitHub Actions outputs, summary and annotations (auto: when GITHUB_ACTIONS=true)
    #[arg(long, global = true, value_enum, default_value_t = GithubChoice::Auto, value_name = "WHEN")]
    pub github: GithubChoice,
}

impl GlobalArgs {
    pub fn output_settings(&self) -> OutputSettings {
        OutputSettings {
            json: self.json,
            quiet: self.quiet,
            verbose: self.verbose,
            color: self.color,
            no_progress: self.no_progress,
            github: self.github,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Does this commit carry a release tag? Outputs has_tag, tag_name and the version parts
    CheckTag(CheckTagArgs),
    /// Prove dist/ is complete and intact: every wheel's zip, CRCs and RECORD hashes, metadata,
    /// the expected Python × platform matrix, and PyPI's upload rules
    #[command(disable_version_flag = true)]
    VerifyWheels(VerifyWheelsArgs),
    /// Upload wheels and sdists to PyPI or any index, skipping what is already there byte-identical
    Publish(PublishArgs),
    /// Wait until a registry serves the expected image, then print its pinned digest reference
    WaitForImage(WaitForImageArgs),
    /// Copy an image by digest to other registries: every manifest and blob, the tag last
    Promote(PromoteArgs),
    /// Terraform S3 lock files: status (list, stale), unlock (safely, conditional on the ETag), probe the store
    Lock(LockArgs),
    /// Find release races in GitHub workflows: unguarded publishes, moving tags, workflow_run
    /// checkouts, shared cache keys, masked failures (15 rules; --explain RULE)
    Lint(LintArgs),
}

/// Value parser for flags where an empty value would switch a check off without a word (a CI
/// variable that expanded to nothing): every value, and every item of a comma list, must say
/// something. clap names the flag in the error.
pub fn non_empty(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("the value is empty (a variable that expanded to nothing?); omit the flag or give a value".into())
    } else {
        Ok(text.to_owned())
    }
}

/// Value parser for paths: an empty path is a usage error naming the argument, never "the
/// current directory" or "nothing".
pub fn non_empty_path(text: &str) -> Result<std::path::PathBuf, String> {
    non_empty(text).map(std::path::PathBuf::from)
}

/// The `--color` a raw command line asks for (before a `--`; the last one wins), for clap's
/// own messages, which are written before the flags are parsed.
pub fn color_in(args: &[std::ffi::OsString]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut words = args.iter().skip(1).filter_map(|a| a.to_str()).take_while(|a| *a != "--");
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--color") {
            Some("") => words.next(),
            Some(v) => v.strip_prefix('='),
            None => None,
        };
        match value {
            Some("always") => choice = ColorChoice::Always,
            Some("never") => choice = ColorChoice::Never,
            Some("auto") => choice = ColorChoice::Auto,
            _ => {}
        }
    }
    choice
}

/// Whether the raw command line asks for `--json` (before a `--`).
pub fn wants_json(args: &[std::ffi::OsString]) -> bool {
    args.iter().skip(1).take_while(|a| *a != "--").any(|a| a == "--json")
}

/// The subcommand a raw command line names (`lock status`, `publish`…), or `surestep`.
pub fn command_name_in(args: &[std::ffi::OsString]) -> String {
    use clap::CommandFactory;
    let root = Cli::command();
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .filter_map(|a| a.to_str())
        .filter(|a| !a.starts_with('-'))
        .map(str::to_owned)
        .collect();
    let Some((i, sub)) =
        words.iter().enumerate().find_map(|(i, w)| root.find_subcommand(w).map(|c| (i, c.clone())))
    else {
        return "surestep".into();
    };
    let mut name = sub.get_name().to_owned();
    if let Some(inner) = words[i + 1..].iter().find_map(|w| sub.find_subcommand(w)) {
        name = format!("{name} {}", inner.get_name());
    }
    name
}

impl Command {
    /// The subcommand's name as typed, for messages and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Command::CheckTag(_) => "check-tag",
            Command::Lock(args) => args.command.name(),
            Command::WaitForImage(_) => "wait-for-image",
            Command::Promote(_) => "promote",
            Command::Publish(_) => "publish",
            Command::VerifyWheels(_) => "verify-wheels",
            Command::Lint(_) => "lint",
        }
    }
}
