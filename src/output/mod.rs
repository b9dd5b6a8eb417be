//! How results reach people and machines: the only place that prints.
//!
//! A [`Reporter`] is chosen once at start-up from the global flags and the environment: human
//! text or one JSON document on stdout, plus GitHub Actions step outputs, step summary,
//! annotations and masks when running in Actions. Commands hand it an outcome implementing
//! [`Render`]; the rendering of each outcome lives beside it in this module's children.

pub mod github;
pub mod progress;
pub mod style;

mod check_tag;
mod lint;
pub use lint::lint_sarif;
pub mod lock;
mod publish;
mod verify_wheels;
mod wait_for_image;

use crate::exit::{CliError, ExitStatus};
use crate::secret::Secret;
use github::Level;
pub use progress::{Progress, ProgressGroup, ProgressMode};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
pub use style::Styles;

/// A message for people that GitHub can also show as an annotation.
#[derive(Debug, Clone, Serialize)]
pub struct Annotation {
    pub level: AnnotationLevel,
    pub message: String,
    /// The file it is about, when there is one (becomes `file=` in Actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Line, column and end column in the file (`line=`, `col=`, `endColumn=` in Actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<(u32, u32, u32)>,
    /// A title for the annotation (`title=` in Actions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Error,
    Warning,
    Notice,
}

impl Annotation {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            level: AnnotationLevel::Error,
            message: message.into(),
            file: None,
            line: None,
            title: None,
        }
    }
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            level: AnnotationLevel::Warning,
            message: message.into(),
            file: None,
            line: None,
            title: None,
        }
    }
    pub fn notice(message: impl Into<String>) -> Self {
        Self {
            level: AnnotationLevel::Notice,
            message: message.into(),
            file: None,
            line: None,
            title: None,
        }
    }
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
    /// Places the annotation at a line and column range of its file.
    pub fn at(mut self, line: u32, col: u32, end_col: u32) -> Self {
        self.line = Some((line, col, end_col));
        self
    }
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// What every command outcome provides so the reporter can show it in every mode.
pub trait Render: Serialize {
    /// The exit status this outcome stands for.
    fn status(&self) -> ExitStatus;
    /// Human text for stdout (may be several lines, no trailing newline needed).
    fn text(&self, styles: &Styles) -> String;
    /// Step outputs for `$GITHUB_OUTPUT`.
    fn outputs(&self) -> Vec<(String, String)>;
    /// Markdown for `$GITHUB_STEP_SUMMARY`.
    fn summary(&self) -> String;
    /// Problems and remarks: stderr lines for people, annotations in Actions.
    fn annotations(&self) -> Vec<Annotation>;
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--github`: whether to speak GitHub Actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GithubChoice {
    /// When `GITHUB_ACTIONS=true`.
    Auto,
    Always,
    Never,
}

/// The global flags that shape output.
#[derive(Debug, Clone)]
pub struct OutputSettings {
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub color: ColorChoice,
    pub no_progress: bool,
    pub github: GithubChoice,
}

/// The GitHub Actions side of the reporter.
#[derive(Debug, Clone)]
struct GithubTarget {
    output_file: Option<PathBuf>,
    summary_file: Option<PathBuf>,
}

/// The one output layer. Cheap to clone; commands use it for progress and masks.
#[derive(Debug, Clone)]
pub struct Reporter {
    json: bool,
    quiet: bool,
    progress: ProgressMode,
    github: Option<GithubTarget>,
    styles: Styles,
}

impl Reporter {
    /// Decides, once, how this run reports: from the flags and the environment.
    pub fn new(settings: &OutputSettings) -> Self {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let in_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
        let github = match settings.github {
            GithubChoice::Always => true,
            GithubChoice::Never => false,
            GithubChoice::Auto => in_actions,
        }
        .then(|| GithubTarget {
            output_file: env("GITHUB_OUTPUT").map(PathBuf::from),
            summary_file: env("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        });
        let color = match settings.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => env("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
        };
        let progress = if settings.quiet {
            ProgressMode::Hidden
        } else if settings.no_progress || settings.json || settings.verbose > 0 {
            // Bars would interleave with debug logs or sit beside a JSON consumer: lines only.
            ProgressMode::Lines
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Lines
        };
        Self {
            json: settings.json,
            quiet: settings.quiet,
            progress,
            github,
            styles: Styles::new(color),
        }
    }

    pub fn styles(&self) -> &Styles {
        &self.styles
    }

    pub fn in_github(&self) -> bool {
        self.github.is_some()
    }

    /// Tells the runner to mask a secret. Called before the secret is used anywhere.
    pub fn mask(&self, secret: &Secret) {
        if self.github.is_some() && !secret.is_empty() {
            for line in github::add_mask(secret.expose()) {
                self.workflow_command(&line);
            }
        }
    }

    /// A bar of `len` steps (files, bytes...).
    pub fn progress(&self, len: u64, label: &str) -> Progress {
        Progress::bar(self.progress, len, label)
    }

    /// A set of bars shown together (one per file in flight).
    pub fn progress_group(&self) -> ProgressGroup {
        ProgressGroup::new(self.progress)
    }

    /// A spinner for waiting with no known end.
    pub fn spinner(&self, label: &str) -> Progress {
        Progress::spinner(self.progress, label)
    }

    /// Opens a collapsible log group in Actions; the guard closes it.
    pub fn group(&self, title: &str) -> Group<'_> {
        if self.github.is_some() {
            self.workflow_command(&format!("::group::{}", github::escape_data(title)));
        }
        Group { reporter: self }
    }

    /// Workflow commands go to stdout, unless stdout is reserved for the JSON document.
    fn workflow_command(&self, line: &str) {
        if self.json {
            eprintln!("{line}");
        } else {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }

    /// Shows a finished outcome in every active mode and returns its exit status.
    pub fn finish<R: Render>(&self, command: &str, outcome: &R) -> ExitStatus {
        let status = outcome.status();
        let annotations = outcome.annotations();
        if let Some(gh) = &self.github {
            self.github_annotations(&annotations);
            if let Err(err) = self.github_files(gh, outcome) {
                // The result stands; losing outputs is still an environment failure to report.
                let err = CliError::environment(err).context("writing GitHub Actions outputs");
                return self.fail(command, &err);
            }
        } else {
            // `--quiet` keeps errors: a failed check must still say why.
            for a in annotations.iter().filter(|a| !self.quiet || a.level == AnnotationLevel::Error)
            {
                eprintln!("{}", self.styles.annotation(a));
            }
        }
        if self.json {
            let mut doc = serde_json::to_value(outcome).unwrap_or(serde_json::Value::Null);
            if let serde_json::Value::Object(map) = &mut doc {
                map.insert("command".into(), command.into());
                map.insert("exit_code".into(), status.code().into());
            }
            println!("{doc}");
        } else if !self.quiet {
            let text = outcome.text(&self.styles);
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
        status
    }

    /// Like [`Reporter::finish`], but stdout carries `document` (a SARIF log, say) in place of
    /// the text or JSON rendering; GitHub outputs, summary and annotations are written as usual.
    pub fn finish_document<R: Render>(
        &self,
        command: &str,
        outcome: &R,
        document: &str,
    ) -> ExitStatus {
        let status = outcome.status();
        if let Some(gh) = &self.github {
            self.github_annotations(&outcome.annotations());
            if let Err(err) = self.github_files(gh, outcome) {
                let err = CliError::environment(err).context("writing GitHub Actions outputs");
                return self.fail(command, &err);
            }
        } else {
            for a in outcome.annotations().iter().filter(|a| a.level == AnnotationLevel::Error) {
                eprintln!("{}", self.styles.annotation(a));
            }
        }
        println!("{}", document.trim_end());
        status
    }

    /// Shows an error in every active mode and returns its exit status.
    pub fn fail(&self, command: &str, err: &CliError) -> ExitStatus {
        if self.github.is_some() {
            let mut message = err.headline();
            for cause in err.causes() {
                message.push_str(&format!("\ncaused by: {cause}"));
            }
            if let Some(hint) = &err.hint {
                message.push_str(&format!("\nhint: {hint}"));
            }
            self.workflow_command(&github::annotation(Level::Error, &[], &message));
            if let Some(path) = self.github.as_ref().and_then(|g| g.summary_file.as_ref()) {
                let md = format!(
                    "### surestep {command}: failed\n\n{}\n\n",
                    style::md_escape(&err.headline())
                );
                let _ = github::append(path, &md);
            }
        }
        if self.json {
            let doc = serde_json::json!({
                "command": command,
                "exit_code": err.status.code(),
                "error": {
                    "message": err.headline(),
                    "causes": err.causes(),
                    "hint": err.hint,
                },
            });
            println!("{doc}");
        }
        if self.github.is_none() {
            eprintln!("{}", self.styles.error_report(err));
        }
        err.status
    }

    fn github_annotations(&self, annotations: &[Annotation]) {
        let mut counts = [0usize; 3];
        for a in annotations {
            let (level, idx) = match a.level {
                AnnotationLevel::Error => (Level::Error, 0),
                AnnotationLevel::Warning => (Level::Warning, 1),
                AnnotationLevel::Notice => (Level::Notice, 2),
            };
            counts[idx] += 1;
            if counts[idx] <= github::ANNOTATION_CAP {
                let mut props: Vec<(&str, String)> =
                    a.file.as_deref().map(|f| vec![("file", f.to_owned())]).unwrap_or_default();
                if let Some((line, col, end)) = a.line {
                    props.push(("line", line.to_string()));
                    props.push(("col", col.to_string()));
                    props.push(("endColumn", end.to_string()));
                }
                if let Some(t) = &a.title {
                    props.push(("title", t.clone()));
                }
                let props: Vec<(&str, &str)> =
                    props.iter().map(|(k, v)| (*k, v.as_str())).collect();
                self.workflow_command(&github::annotation(level, &props, &a.message));
            } else {
                // Over GitHub's per-step cap: keep it in the log as a plain line.
                eprintln!("{}", self.styles.annotation(a));
            }
        }
    }

    fn github_files<R: Render>(
        &self,
        gh: &GithubTarget,
        outcome: &R,
    ) -> Result<(), github::GithubFileError> {
        if let Some(path) = &gh.output_file {
            let text = github::format_outputs(&outcome.outputs(), &github::random_delimiter())?;
            github::append(path, &text)?;
        }
        if let Some(path) = &gh.summary_file {
            let mut md = outcome.summary();
            if !md.ends_with("\n\n") {
                md.push_str("\n\n");
            }
            github::append(path, &md)?;
        }
        Ok(())
    }
}

/// Closes a `::group::` when dropped.
pub struct Group<'a> {
    reporter: &'a Reporter,
}

impl Drop for Group<'_> {
    fn drop(&mut self) {
        if self.reporter.github.is_some() {
            self.reporter.workflow_command("::endgroup::");
        }
    }
}
