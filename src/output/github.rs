//! GitHub Actions conventions: step outputs, the step summary, workflow commands.
//!
//! Follows @actions/core: outputs appended to `$GITHUB_OUTPUT` as `k=v`, or
//! `k<<ghadelimiter_<random>` blocks for multi-line values (refusing a value that contains the
//! delimiter); Markdown appended to `$GITHUB_STEP_SUMMARY`; `::error::` and friends with the
//! toolkit's escaping (`%`, CR, LF in data; also `:` and `,` in properties).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Annotation severity, as the workflow command name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    pub fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// GitHub shows at most this many annotations of one level per step; the rest go to the log.
pub const ANNOTATION_CAP: usize = 10;

/// Escapes a workflow command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`%`, CR, LF, `:`, `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Formats `::level k=v,...::message`. Message and values may hold foreign text: control and
/// invisible characters are escaped first (see [`crate::output::sanitize::annotation`]).
pub fn annotation(level: Level, properties: &[(&str, &str)], message: &str) -> String {
    use crate::output::sanitize;
    let props: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&sanitize::console(v))))
        .collect();
    let message = escape_data(&sanitize::annotation(message));
    if props.is_empty() {
        format!("::{}::{message}", level.command())
    } else {
        format!("::{} {}::{message}", level.command(), props.join(","))
    }
}

/// Formats `::add-mask::value`. Every whitespace-separated word is masked by the runner,
/// so a value with line breaks gets one command per line.
pub fn add_mask(value: &str) -> Vec<String> {
    value
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("::add-mask::{}", escape_data(l)))
        .collect()
}

/// Errors writing the environment files.
#[derive(Debug, thiserror::Error)]
pub enum GithubFileError {
    #[error("output name {0:?} is not a valid step output name")]
    BadName(String),
    #[error("the value of output {0:?} contains the random delimiter; refusing to write it")]
    DelimiterInValue(String),
    #[error("cannot append to {path}{}", .variable.map(|v| format!(" ({v})")).unwrap_or_default())]
    Io {
        path: String,
        /// The environment variable that named the file.
        variable: Option<&'static str>,
        #[source]
        source: std::io::Error,
    },
}

impl GithubFileError {
    /// Names the environment variable the failing file came from.
    pub fn for_variable(self, name: &'static str) -> Self {
        match self {
            GithubFileError::Io { path, source, .. } => {
                GithubFileError::Io { path, variable: Some(name), source }
            }
            other => other,
        }
    }

    /// One line for people: what could not be written, and where.
    pub fn headline(&self) -> String {
        match self {
            GithubFileError::Io { path, variable, .. } => format!(
                "cannot write the GitHub Actions {} to {path}",
                match *variable {
                    Some("GITHUB_STEP_SUMMARY") => "step summary (GITHUB_STEP_SUMMARY)",
                    _ => "step outputs (GITHUB_OUTPUT)",
                }
            ),
            other => format!("cannot write the GitHub Actions step outputs: {other}"),
        }
    }
}

/// Renders step outputs in the environment-file format, with `delimiter` for multi-line values.
pub fn format_outputs(
    outputs: &[(String, String)],
    delimiter: &str,
) -> Result<String, GithubFileError> {
    let mut out = String::new();
    for (name, value) in outputs {
        if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(GithubFileError::BadName(name.clone()));
        }
        if value.contains('\n') || value.contains('\r') {
            if value.contains(delimiter) {
                return Err(GithubFileError::DelimiterInValue(name.clone()));
            }
            out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        } else {
            out.push_str(&format!("{name}={value}\n"));
        }
    }
    Ok(out)
}

/// A fresh `ghadelimiter_<32 hex>` delimiter from the OS random source.
pub fn random_delimiter() -> String {
    let mut bytes = [0u8; 16];
    // If the OS has no randomness left, fall back to the clock and pid: still unpredictable
    // enough for a delimiter, and the value check above refuses any collision anyway.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = (nanos ^ u128::from(std::process::id())).to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("ghadelimiter_{hex}")
}

/// Appends `text` to the file at `path` (GITHUB_OUTPUT or GITHUB_STEP_SUMMARY).
pub fn append(path: &Path, text: &str) -> Result<(), GithubFileError> {
    let io =
        |source| GithubFileError::Io { path: path.display().to_string(), variable: None, source };
    let mut file = OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escaping_matches_the_toolkit() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    }

    #[test]
    fn property_escaping_also_covers_colon_and_comma() {
        assert_eq!(escape_property("dist/a:b,c%"), "dist/a%3Ab%2Cc%25");
    }

    #[test]
    fn annotation_with_file_property() {
        let line = annotation(Level::Error, &[("file", "dist/x,y.whl")], "bad\nhash");
        assert_eq!(line, "::error file=dist/x%2Cy.whl::bad%0Ahash");
        assert_eq!(annotation(Level::Notice, &[], "hi"), "::notice::hi");
    }

    #[test]
    fn single_and_multi_line_outputs() {
        let outputs = vec![
            ("has_tag".to_string(), "true".to_string()),
            ("files".to_string(), "a.whl\nb.whl".to_string()),
        ];
        let text = format_outputs(&outputs, "ghadelimiter_x").unwrap();
        assert_eq!(text, "has_tag=true\nfiles<<ghadelimiter_x\na.whl\nb.whl\nghadelimiter_x\n");
    }

    #[test]
    fn refuses_a_value_containing_the_delimiter() {
        let outputs = vec![("x".to_string(), "a\nghadelimiter_x\nb".to_string())];
        assert!(matches!(
            format_outputs(&outputs, "ghadelimiter_x"),
            Err(GithubFileError::DelimiterInValue(_))
        ));
    }

    #[test]
    fn refuses_a_bad_output_name() {
        let outputs = vec![("a=b".to_string(), "1".to_string())];
        assert!(matches!(format_outputs(&outputs, "d"), Err(GithubFileError::BadName(_))));
    }

    #[test]
    fn delimiters_are_random() {
        let a = random_delimiter();
        assert!(a.starts_with("ghadelimiter_") && a.len() == 13 + 32);
        assert_ne!(a, random_delimiter());
    }

    #[test]
    fn masks_each_line() {
        assert_eq!(add_mask("abc\ndef"), vec!["::add-mask::abc", "::add-mask::def"]);
    }
}
