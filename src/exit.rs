//! Exit statuses shared by every subcommand, and the error type that carries one.
//!
//! `0` the step succeeded (or the answer is yes), `1` the check ran and failed, `2` usage error,
//! `3` the environment failed (a tool missing, network, auth, a server error). A panic is never
//! how an error is reported: every failure path ends in a [`CliError`] with one of these.

use std::fmt;

/// The process exit status of a surestep run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitStatus {
    /// The step succeeded / the answer is yes.
    Success = 0,
    /// The check ran and failed (tag required but absent, wheel corrupt, timeout, ...).
    Failed = 1,
    /// Bad flags or bad input typed by the user.
    Usage = 2,
    /// The environment failed: a missing tool, the network, auth, a server error.
    Environment = 3,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// An error that knows which exit status it maps to and may carry a hint for the user.
///
/// The message of the outermost context says what failed and on what; the cause chain
/// follows; the hint says what to change.
pub struct CliError {
    pub status: ExitStatus,
    pub error: anyhow::Error,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(status: ExitStatus, error: impl Into<anyhow::Error>) -> Self {
        Self { status, error: error.into(), hint: None }
    }
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self::new(ExitStatus::Usage, error)
    }
    pub fn environment(error: impl Into<anyhow::Error>) -> Self {
        Self::new(ExitStatus::Environment, error)
    }
    pub fn failed(error: impl Into<anyhow::Error>) -> Self {
        Self::new(ExitStatus::Failed, error)
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Adds a context line (what failed, on what) above the current message.
    pub fn context(mut self, context: impl fmt::Display + Send + Sync + 'static) -> Self {
        self.error = self.error.context(context);
        self
    }
    /// The headline: the outermost message.
    pub fn headline(&self) -> String {
        self.error.to_string()
    }
    /// The causes below the headline, outermost first.
    pub fn causes(&self) -> Vec<String> {
        self.error.chain().skip(1).map(|c| c.to_string()).collect()
    }
}

impl fmt::Debug for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({:?})", self.error, self.status)
    }
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    /// An unclassified error is an environment failure: something outside the user's input broke.
    fn from(error: E) -> Self {
        CliError::environment(error)
    }
}

/// Classify a `Result`'s error with an exit status and a context line.
pub trait ResultExt<T> {
    fn or_usage(self, context: impl fmt::Display + Send + Sync + 'static) -> Result<T, CliError>;
    fn or_environment(
        self,
        context: impl fmt::Display + Send + Sync + 'static,
    ) -> Result<T, CliError>;
    fn or_failed(self, context: impl fmt::Display + Send + Sync + 'static) -> Result<T, CliError>;
}

impl<T, E: Into<anyhow::Error>> ResultExt<T> for Result<T, E> {
    fn or_usage(self, context: impl fmt::Display + Send + Sync + 'static) -> Result<T, CliError> {
        self.map_err(|e| CliError::usage(e.into().context(context)))
    }
    fn or_environment(
        self,
        context: impl fmt::Display + Send + Sync + 'static,
    ) -> Result<T, CliError> {
        self.map_err(|e| CliError::environment(e.into().context(context)))
    }
    fn or_failed(self, context: impl fmt::Display + Send + Sync + 'static) -> Result<T, CliError> {
        self.map_err(|e| CliError::failed(e.into().context(context)))
    }
}
