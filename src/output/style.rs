//! Colours and small text helpers for human output. `NO_COLOR` and `--color` decide once.

use super::{Annotation, AnnotationLevel};
use crate::exit::CliError;
use anstyle::{AnsiColor, Style};

/// The palette, either coloured or plain.
#[derive(Debug, Clone)]
pub struct Styles {
    color: bool,
}

impl Styles {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    /// Whether this palette paints (its stream gets colour codes).
    pub fn color(&self) -> bool {
        self.color
    }

    /// Left-aligns `text` in `width` columns, counting only what is visible (colour codes
    /// take no room on screen).
    pub fn pad(&self, text: &str, width: usize) -> String {
        let visible = super::sanitize::visible_width(text);
        format!("{text}{}", " ".repeat(width.saturating_sub(visible)))
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    pub fn good(&self, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), text)
    }
    pub fn bad(&self, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), text)
    }
    pub fn warn(&self, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Yellow.into())), text)
    }
    pub fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
    pub fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    /// `error: …` / `warning: …` / `note: …` for stderr.
    pub fn annotation(&self, a: &Annotation) -> String {
        let label = match a.level {
            AnnotationLevel::Error => self.bad("error:"),
            AnnotationLevel::Warning => self.warn("warning:"),
            AnnotationLevel::Notice => self.bold("note:"),
        };
        match &a.file {
            Some(file) => format!("{label} {}: {}", super::sanitize::console(file), a.message),
            None => format!("{label} {}", a.message),
        }
    }

    /// The headline, the cause chain, then the hint.
    pub fn error_report(&self, err: &CliError) -> String {
        let mut out = format!("{} {}", self.bad("error:"), err.headline());
        for cause in err.causes() {
            out.push_str(&format!("\n  {} {cause}", self.dim("caused by:")));
        }
        if let Some(hint) = &err.hint {
            out.push_str(&format!("\n  {} {hint}", self.bold("hint:")));
        }
        out
    }
}

/// `1 lock`, `2 locks`, `0 conflicts`: a count and its noun, in agreement.
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Escapes text for a Markdown table cell or paragraph (see [`super::sanitize::md_text`]).
pub fn md_escape(text: &str) -> String {
    super::sanitize::md_text(text)
}
