//! How results reach people and machines: the only place that prints.
//!
//! A [`Reporter`] is chosen once at start-up from the global flags and the environment: human
//! text or one JSON document on stdout, plus GitHub Actions step outputs, step summary,
//! annotations and masks when running in Actions. Commands hand it an outcome implementing
//! [`Render`]; the rendering of each outcome lives beside it in this module's children.

pub mod github;
pub mod progress;
pub mod sanitize;
pub mod style;

mod against;
mod check_tag;
mod lint;
pub use lint::lint_sarif;
pub mod lock;
mod lock_hold;
mod promote;
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

impl ColorChoice {
    /// The one colour decision, per stream: `always`, `never`, or (auto) when `NO_COLOR` is
    /// unset or empty and the stream is a terminal. Text, errors and `-v` logs all use it.
    pub fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream_is_terminal
            }
        }
    }
}

/// The GitHub Actions side of the reporter.
#[derive(Debug, Clone)]
struct GithubTarget {
    output_file: Option<PathBuf>,
    summary_file: Option<PathBuf>,
}

/// Which standard stream a block of text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

/// Writes one block of text and a newline; a closed pipe or any other write failure is not
/// an error worth a panic: the run ends with its own status (as ripgrep does).
fn write_block(stream: Stream, text: &str) {
    fn go(mut w: impl Write, text: &str) {
        let _ = w.write_all(text.as_bytes());
        let _ = w.write_all(b"\n");
        let _ = w.flush();
    }
    match stream {
        Stream::Out => go(std::io::stdout().lock(), text),
        Stream::Err => go(std::io::stderr().lock(), text),
    }
}

/// Where `-v` logs go: stderr, each event through the terminal guard (log fields can carry
/// server text), write failures ignored.
pub struct LogWriter {
    keep_sgr: bool,
}

impl LogWriter {
    pub fn new(keep_sgr: bool) -> Self {
        Self { keep_sgr }
    }
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let body = text.strip_suffix('\n').unwrap_or(&text);
        write_block(Stream::Err, &sanitize::terminal_block(body, self.keep_sgr));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `--json` and a usage error the argument parser caught: the error document on stdout.
pub fn usage_error_json(command: &str, err: &clap::Error) {
    let rendered = err.render().to_string();
    let message = if err.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        // clap printed the help: the error is what was missing.
        format!("{command}: a subcommand or argument is missing (see `{command} --help`)")
    } else {
        rendered
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim_start_matches("error: ").trim().to_owned())
            .unwrap_or_else(|| err.kind().to_string())
    };
    // clap's own advice ("tip: …", else its "--help" line) goes where our hints go.
    let tip = rendered
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("tip: "))
        .or_else(|| rendered.lines().map(str::trim).find(|l| l.contains("--help")))
        .map(|l| l.trim_start_matches("tip: ").to_owned());
    let doc = serde_json::json!({
        "command": command,
        "exit_code": ExitStatus::Usage.code(),
        "error": { "message": message, "causes": [], "hint": tip },
    });
    write_block(Stream::Out, &sanitize::json_document(&doc.to_string()));
}

/// A line for stderr outside the reporter (progress lines): guarded like all other text.
pub(crate) fn eprint_line(text: &str) {
    write_block(Stream::Err, &sanitize::terminal_block(text, false));
}

/// The one output layer. Cheap to clone; commands use it for progress and masks.
#[derive(Debug, Clone)]
pub struct Reporter {
    json: bool,
    quiet: bool,
    progress: ProgressMode,
    github: Option<GithubTarget>,
    /// For stdout.
    styles: Styles,
    /// For stderr (its own terminal test).
    err_styles: Styles,
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
        let color = settings.color.enabled(std::io::stdout().is_terminal());
        let err_color = settings.color.enabled(std::io::stderr().is_terminal());
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
            err_styles: Styles::new(err_color),
        }
    }

    /// Human text for stdout, through the terminal guard.
    fn out(&self, text: &str) {
        write_block(Stream::Out, &sanitize::terminal_block(text, self.styles.color()));
    }

    /// Human text for stderr, through the terminal guard.
    fn err(&self, text: &str) {
        write_block(Stream::Err, &sanitize::terminal_block(text, self.err_styles.color()));
    }

    /// The styles for text bound to stderr (prompts, errors, remarks).
    pub fn err_styles(&self) -> &Styles {
        &self.err_styles
    }

    pub fn styles(&self) -> &Styles {
        &self.styles
    }

    /// `--json`: stdout holds only the JSON document.
    pub fn json_mode(&self) -> bool {
        self.json
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
            self.workflow_command(&format!(
                "::group::{}",
                github::escape_data(&sanitize::annotation(title))
            ));
        }
        Group { reporter: self }
    }

    /// Workflow commands go to stdout, unless stdout is reserved for the JSON document.
    fn workflow_command(&self, line: &str) {
        write_block(if self.json { Stream::Err } else { Stream::Out }, line);
    }

    /// In Actions without `$GITHUB_OUTPUT` the step outputs have nowhere to go: say so once.
    fn warn_outputs_lost<R: Render>(&self, gh: &GithubTarget, outcome: &R) {
        if gh.output_file.is_none() && !outcome.outputs().is_empty() {
            let message = "GITHUB_OUTPUT is not set (or empty): the step outputs could not be written; steps reading them will see empty values";
            self.workflow_command(&github::annotation(Level::Warning, &[], message));
        }
    }

    /// Shows a finished outcome in every active mode and returns its exit status.
    pub fn finish<R: Render>(&self, command: &str, outcome: &R) -> ExitStatus {
        let status = outcome.status();
        let annotations = outcome.annotations();
        let mut files_failed = None;
        if let Some(gh) = &self.github {
            self.github_annotations(&annotations);
            self.warn_outputs_lost(gh, outcome);
            // The result is still shown below; losing outputs is then reported as exit 3.
            files_failed = self.github_files(gh, outcome).err();
        } else {
            // `--quiet` keeps errors: a failed check must still say why.
            for a in annotations.iter().filter(|a| !self.quiet || a.level == AnnotationLevel::Error)
            {
                self.err(&self.err_styles.annotation(a));
            }
        }
        let files_failed = files_failed.map(|e| {
            let headline = e.headline();
            CliError::environment(e).context(headline)
        });
        if self.json {
            let mut doc = serde_json::to_value(outcome).unwrap_or(serde_json::Value::Null);
            if let serde_json::Value::Object(map) = &mut doc {
                map.insert("command".into(), command.into());
                if let Some(err) = &files_failed {
                    map.insert("exit_code".into(), err.status.code().into());
                    map.insert("error".into(), error_json(err));
                } else {
                    // An outcome that knows the process's real exit code (`lock run`: the
                    // command's) says it itself.
                    map.entry("exit_code").or_insert(status.code().into());
                }
            }
            write_block(Stream::Out, &sanitize::json_document(&doc.to_string()));
        } else if !self.quiet {
            let text = outcome.text(&self.styles);
            if !text.is_empty() {
                self.out(text.trim_end());
            }
        }
        if let Some(err) = files_failed {
            return self.report_error(command, &err, false);
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
        self.report_error(command, err, true)
    }

    /// An error in every mode; `json_doc` false when the JSON document was already written.
    fn report_error(&self, command: &str, err: &CliError, json_doc: bool) -> ExitStatus {
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
        if self.json && json_doc {
            let doc = serde_json::json!({
                "command": command,
                "exit_code": err.status.code(),
                "error": error_json(err),
            });
            write_block(Stream::Out, &sanitize::json_document(&doc.to_string()));
        }
        if self.github.is_none() {
            self.err(&self.err_styles.error_report(err));
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
                self.err(&self.err_styles.annotation(a));
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
            github::append(path, &text).map_err(|e| e.for_variable("GITHUB_OUTPUT"))?;
        }
        if let Some(path) = &gh.summary_file {
            let mut md = outcome.summary();
            if !md.ends_with("\n\n") {
                md.push_str("\n\n");
            }
            github::append(path, &md).map_err(|e| e.for_variable("GITHUB_STEP_SUMMARY"))?;
        }
        Ok(())
    }
}

/// The `error` object of a JSON document.
fn error_json(err: &CliError) -> serde_json::Value {
    serde_json::json!({
        "message": err.headline(),
        "causes": err.causes(),
        "hint": err.hint,
    })
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
