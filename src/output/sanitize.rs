//! Untrusted text is data: one function per sink turns text from elsewhere (lock bodies, file
//! names, METADATA fields, tag names, server messages) into something that can neither drive a
//! terminal nor command a GitHub Actions runner.
//!
//! - [`console`]: one foreign value inside a line of human text. Control characters (C0, DEL,
//!   C1: ESC and so ANSI/OSC sequences, CR, LF, BEL…), bidi overrides and invisible format
//!   characters become visible escapes (`\u{1b}`, `\r`, `\u{202e}`), so the value stays on its
//!   line and shows what it really contains.
//! - [`terminal_block`]: the last guard on everything written to stdout or stderr (text mode):
//!   keeps newlines, tabs and, when colour is on, plain SGR colour sequences; escapes every
//!   other control character; and defuses any line a runner would read as a workflow command
//!   (`::name::` or the legacy `##[name]`, after leading white space) surestep did not mean.
//! - [`annotation`]: an annotation's message or property, before the toolkit's `%`-escaping.
//! - [`md_text`] / [`md_code`]: Markdown for the step summary (text, or a code span).
//! - [`json_document`]: JSON stays exact; invisible and bidi characters are written as `\u`
//!   escapes, which decode to the same value.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that are not control characters but can reorder or hide text on screen: the
/// bidi embeddings, overrides and isolates, zero-width characters, the BOM, line/paragraph
/// separators.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{206a}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// True for any character [`console`] rewrites.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        other => {
            let _ = write!(out, "\\u{{{:x}}}", other as u32);
        }
    }
}

/// One foreign value for a line of human text: every control, bidi or invisible character is
/// shown as an escape instead (newlines included: the value cannot start a line of its own).
pub fn console(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            escape_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a runner would parse this line as a workflow command (it trims leading white space
/// and accepts `::command` and the legacy `##[command]`).
pub fn starts_workflow_command(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("::") || t.starts_with("##[")
}

/// The last guard on a block of text for stdout or stderr. See the module docs.
pub fn terminal_block(text: &str, keep_sgr: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let clean = clean_line(line, keep_sgr);
        if starts_workflow_command(&strip_sgr(&clean)) {
            // `%3A` is how the runner itself escapes a colon: readable, and no longer a command.
            let lead = clean.len() - clean.trim_start().len();
            let (ws, rest) = clean.split_at(lead);
            out.push_str(ws);
            match rest.chars().next() {
                Some(':') => out.push_str(&format!("%3A{}", &rest[1..])),
                Some('#') => out.push_str(&format!("%23{}", &rest[1..])),
                // Colour codes in front: escape the first colon or hash after them.
                _ => out.push_str(&defuse_after_sgr(rest)),
            }
        } else {
            out.push_str(&clean);
        }
    }
    out
}

fn defuse_after_sgr(line: &str) -> String {
    match line.find([':', '#']) {
        Some(i) => {
            let enc = if line[i..].starts_with(':') { "%3A" } else { "%23" };
            format!("{}{enc}{}", &line[..i], &line[i + 1..])
        }
        None => line.to_owned(),
    }
}

/// Length of a plain SGR sequence (`ESC [ digits/semicolons m`) at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\u{1b}[")?;
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    rest[end..].starts_with('m').then_some(2 + end + 1)
}

fn clean_line(line: &str, keep_sgr: bool) -> Cow<'_, str> {
    if !line.chars().any(|c| c != '\t' && is_unsafe_char(c)) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        if keep_sgr && let Some(n) = sgr_len(rest) {
            out.push_str(&rest[..n]);
            i += n;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c != '\t' && is_unsafe_char(c) {
            escape_char(&mut out, c);
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    Cow::Owned(out)
}

/// Text without its SGR colour sequences: the visible characters.
pub fn strip_sgr(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if let Some(n) = sgr_len(&text[i..]) {
            i += n;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    Cow::Owned(out)
}

/// How many columns `text` takes on screen, colour codes not counted.
pub fn visible_width(text: &str) -> usize {
    strip_sgr(text).chars().count()
}

/// An annotation's message or property value: controls and invisible characters escaped,
/// line breaks kept (the toolkit's `%0A` escaping makes them part of the message).
pub fn annotation(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && is_unsafe_char(c) {
            escape_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a Markdown paragraph or table cell: every character with a Markdown or HTML
/// meaning is backslash-escaped (no link, image, emphasis or tag can be formed), line breaks
/// become spaces, controls are escaped.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in console(&text.replace(['\n', '\r'], " ")).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // What could form a link, an image, HTML, code or a new cell; `_` stays (GFM does
            // not emphasise inside words, and platform tags are full of it).
            '\\' | '`' | '*' | '[' | ']' | '!' | '|' | '&' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `text` verbatim (backticks inside cannot close it, `|` cannot
/// split a table cell, line breaks become spaces).
pub fn md_code(text: &str) -> String {
    let clean = console(&text.replace(['\n', '\r'], " ")).replace('|', "\\|");
    let longest = clean.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// A compact serialised JSON document with every control (serde_json leaves DEL and the C1
/// range raw), invisible or bidi character written as a `\u` escape: the same JSON value,
/// harmless on a terminal. (Compact JSON has such characters only inside strings.)
pub fn json_document(doc: &str) -> Cow<'_, str> {
    if !doc.chars().any(is_unsafe_char) {
        return Cow::Borrowed(doc);
    }
    let mut out = String::with_capacity(doc.len() + 8);
    for c in doc.chars() {
        if is_unsafe_char(c) {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "a\u{1b}]8;;http://x\u{7}b\u{1b}[2J\rc\n::warning::forged\u{202e}d\u{9b}e";

    #[test]
    fn console_escapes_everything_that_drives_a_terminal() {
        let s = console(HOSTILE);
        assert!(!s.chars().any(is_unsafe_char), "{s}");
        assert!(!s.contains('\n'));
        assert!(s.contains("\\u{1b}]8;;http://x\\u{7}"), "{s}");
        assert!(s.contains("\\r") && s.contains("\\u{202e}") && s.contains("\\u{9b}"), "{s}");
        assert_eq!(console("plain Ünïcode ✓"), "plain Ünïcode ✓");
    }

    #[test]
    fn the_terminal_guard_defuses_workflow_commands_and_keeps_colour() {
        let text =
            "ok\n::add-mask::x\n  ::stop-commands::tok\n##[error]no\n\u{1b}[31m::error::y\u{1b}[0m";
        let out = terminal_block(text, true);
        for line in out.lines() {
            assert!(!starts_workflow_command(&strip_sgr(line)), "{line:?}");
        }
        assert!(out.contains("%3A:add-mask::x") && out.contains("  %3A:stop-commands"), "{out}");
        assert!(out.contains("\u{1b}[31m"), "colour kept: {out:?}");
        let plain = terminal_block("\u{1b}[31mred\u{1b}]0;title\u{7}\rz\u{202e}", false);
        assert!(!plain.chars().any(|c| c != '\n' && is_unsafe_char(c)), "{plain:?}");
        assert_eq!(terminal_block("a:: b\n\tc", false), "a:: b\n\tc");
    }

    #[test]
    fn markdown_cannot_form_links_images_or_tags() {
        let md = md_text("![x](http://t/p.png) <img src=x> **b** | c\nd");
        assert!(!md.contains("![") && md.contains("\\[x\\]") && !md.contains("<img"), "{md}");
        assert!(!md.contains('\n'));
        assert_eq!(md_code("a`b|c"), "``a`b\\|c``");
        assert_eq!(md_code("plain"), "`plain`");
    }

    #[test]
    fn json_stays_the_same_value() {
        let value = serde_json::json!({"who": "a\u{202e}b\u{2028}c\u{1b}d\u{9b}e\u{7f}"});
        let text = value.to_string();
        let safe = json_document(&text);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn widths_ignore_colour() {
        assert_eq!(visible_width("\u{1b}[2mID\u{1b}[0m"), 2);
    }
}
