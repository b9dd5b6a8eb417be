//! `run:` scripts: their text with the source position of every byte, split into simple commands.
//!
//! A block scalar (`|` or `>`) is read back from the source lines so that a command on the
//! fifth line of a script is reported at its own line and column in the workflow file. The shell
//! reading is deliberately small: logical lines (backslash continuations joined, heredoc bodies
//! skipped), then simple commands split at `&&`, `||`, `;`, `|`, `&`, `$(`, backticks and
//! parentheses, each with its words. Loops (`do … done`) are tracked so a `sleep` in a retry loop
//! is not mistaken for a fixed wait.

use super::yaml::{Node, Pos, Style};

/// A script's text and where each byte came from.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub text: String,
    map: Vec<Pos>,
}

impl Script {
    /// The source position of byte `offset` of the text.
    pub fn pos(&self, offset: usize) -> Pos {
        self.map.get(offset).or(self.map.last()).copied().unwrap_or_default()
    }

    /// Reads the text of a scalar node back with positions (`lines` are the file's lines).
    pub fn from_node(node: &Node, lines: &[&str]) -> Script {
        let value = node.text();
        let mut s = Script::default();
        match node.style() {
            Some(Style::Literal) | Some(Style::Folded) => {
                let folded = node.style() == Some(Style::Folded);
                // saphyr places a block scalar's start at its first content character: that
                // column is the content indentation, that line the first line of text.
                let first = node.pos.line.saturating_sub(1) as usize;
                let ind = node.pos.col.saturating_sub(1) as usize;
                let last = (node.end.line as usize).min(lines.len());
                let mut pending_blank = 0usize;
                let mut previous_text = false;
                for (i, line) in lines.iter().enumerate().take(last).skip(first) {
                    let lead = line.len() - line.trim_start_matches(' ').len();
                    if line.trim().is_empty() {
                        pending_blank += 1;
                        continue;
                    }
                    if lead < ind {
                        break;
                    }
                    if previous_text {
                        let here = s.map.last().copied().unwrap_or_default();
                        if folded && pending_blank == 0 && lead == ind {
                            s.push_char(' ', here);
                        } else {
                            let breaks =
                                if folded { pending_blank.max(1) } else { pending_blank + 1 };
                            for _ in 0..breaks {
                                s.push_char('\n', here);
                            }
                        }
                    }
                    pending_blank = 0;
                    s.push_str_at(&line[ind..], Pos::new(i as u32 + 1, ind as u32 + 1));
                    previous_text = true;
                }
                if s.text.trim().is_empty() && !value.trim().is_empty() {
                    // Unusual layout (explicit indentation indicator, tabs): keep the value.
                    return Script::at_start(value, node.pos);
                }
            }
            Some(Style::Plain) if node.pos.line != node.end.line => {
                let start = node.pos.line as usize - 1;
                let end = (node.end.line as usize).min(lines.len());
                for (i, line) in lines.iter().enumerate().take(end).skip(start) {
                    let (from, content) = if i == start {
                        let from = char_to_byte(line, node.pos.col as usize - 1);
                        (node.pos.col, &line[from..])
                    } else {
                        let lead = line.len() - line.trim_start().len();
                        (lead as u32 + 1, line.trim_start())
                    };
                    let content = content.trim_end();
                    if content.is_empty() || content.starts_with('#') {
                        continue;
                    }
                    if !s.text.is_empty() {
                        s.push_char(' ', s.map.last().copied().unwrap_or_default());
                    }
                    s.push_str_at(content, Pos::new(i as u32 + 1, from));
                }
                if s.text.trim() != value.trim() {
                    return Script::at_start(value, node.pos);
                }
            }
            Some(Style::Quoted) if node.pos.line == node.end.line => {
                s.push_str_at(value, Pos::new(node.pos.line, node.pos.col + 1));
            }
            Some(Style::Plain) => s.push_str_at(value, node.pos),
            _ => return Script::at_start(value, node.pos),
        }
        s
    }

    fn at_start(value: &str, pos: Pos) -> Script {
        Script { text: value.to_owned(), map: vec![pos; value.len()] }
    }

    fn push_char(&mut self, c: char, pos: Pos) {
        self.text.push(c);
        self.map.extend(std::iter::repeat_n(pos, c.len_utf8()));
    }

    fn push_str_at(&mut self, text: &str, start: Pos) {
        for (col, c) in (start.col..).zip(text.chars()) {
            self.push_char(c, Pos::new(start.line, col));
        }
    }

    /// The simple commands of the script, in order.
    pub fn commands(&self) -> Vec<Command> {
        split_commands(&self.text)
    }
}

fn char_to_byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map(|(i, _)| i).unwrap_or(s.len())
}

/// The operator that joins a command to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joint {
    And,
    Or,
    Pipe,
    Seq,
}

/// One word of a command (quotes removed) and its byte range in the script.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A simple command: its words after any `VAR=x`, `sudo`, `if`… prefix.
#[derive(Debug, Clone)]
pub struct Command {
    pub words: Vec<Word>,
    /// How this command is joined to the next one.
    pub next: Option<Joint>,
    /// Inside a `for`/`while`/`until` loop body.
    pub in_loop: bool,
    /// The index of the logical line it starts on.
    pub line: usize,
}

impl Command {
    pub fn start(&self) -> usize {
        self.words.first().map(|w| w.start).unwrap_or(0)
    }
    pub fn end(&self) -> usize {
        self.words.last().map(|w| w.end).unwrap_or(0)
    }
    pub fn word(&self, i: usize) -> &str {
        self.words.get(i).map(|w| w.text.as_str()).unwrap_or("")
    }
    /// The program name without a path (`/usr/bin/python3` → `python3`).
    pub fn program(&self) -> &str {
        let w = self.word(0);
        w.rsplit('/').next().unwrap_or(w)
    }
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.words.iter().skip(1).map(|w| w.text.as_str())
    }
    pub fn has_arg(&self, arg: &str) -> bool {
        self.args().any(|a| a == arg || a.starts_with(&format!("{arg}=")))
    }
    /// The words with options and their values dropped, after the program.
    pub fn positional(&self) -> Vec<&str> {
        self.args().filter(|a| !a.starts_with('-')).collect()
    }
}

const PREFIX_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "time", "sudo", "exec", "command",
    "nohup", "env", "xargs", "{", "}", "run", "builtin",
];

/// Splits shell text into simple commands.
pub fn split_commands(text: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut words: Vec<Word> = Vec::new();
    let mut loop_depth = 0usize;
    let mut line = 0usize;
    let mut heredoc: Option<String> = None;
    let mut pending_heredoc: Option<String> = None;
    let mut cmd_line = 0usize;

    let flush = |words: &mut Vec<Word>,
                 out: &mut Vec<Command>,
                 next: Option<Joint>,
                 loop_depth: &mut usize,
                 line: usize| {
        let mut ws = std::mem::take(words);
        // Drop assignment and keyword prefixes.
        let mut skip = 0;
        let mut is_for = false;
        for w in &ws {
            let t = w.text.as_str();
            if t == "do" {
                *loop_depth += 1;
            }
            if (t.contains('=') && !t.starts_with('=') && !t.starts_with('-') && skip == 0
                || PREFIX_WORDS.contains(&t))
                || (skip > 0 && t.contains('=') && !t.starts_with('-') && is_assignment(t))
            {
                skip += 1;
                if t == "while" || t == "until" {
                    is_for = true;
                }
                continue;
            }
            break;
        }
        if ws.first().is_some_and(|w| w.text == "for" || w.text == "select") {
            ws.clear();
        }
        let _ = is_for;
        ws.drain(..skip.min(ws.len()));
        if ws.first().is_some_and(|w| w.text == "done") {
            *loop_depth = loop_depth.saturating_sub(1);
            ws.remove(0);
        }
        if !ws.is_empty() {
            out.push(Command { words: ws, next, in_loop: *loop_depth > 0, line });
        } else if let Some(last) = out.last_mut()
            && last.next.is_none()
        {
            last.next = next;
        }
    };

    while i < bytes.len() {
        let c = bytes[i];
        if let Some(tag) = &heredoc {
            // Skip whole lines until the terminator.
            let end = text[i..].find('\n').map(|e| i + e).unwrap_or(bytes.len());
            if text[i..end].trim() == tag {
                heredoc = None;
            }
            i = end + 1;
            line += 1;
            continue;
        }
        match c {
            b'\n' => {
                flush(&mut words, &mut out, None, &mut loop_depth, cmd_line);
                line += 1;
                cmd_line = line;
                heredoc = pending_heredoc.take();
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                line += 1;
            }
            b'#' if words.is_empty() || i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => {
                let end = text[i..].find('\n').map(|e| i + e).unwrap_or(bytes.len());
                i = end;
            }
            b';' | b'&' | b'|' | b'(' | b')' | b'`' => {
                let two = bytes.get(i + 1).copied();
                let (joint, len) = match (c, two) {
                    (b'&', Some(b'&')) => (Some(Joint::And), 2),
                    (b'|', Some(b'|')) => (Some(Joint::Or), 2),
                    (b'|', _) => (Some(Joint::Pipe), 1),
                    (b';', Some(b';')) => (Some(Joint::Seq), 2),
                    (b'&', Some(b'>')) => {
                        // `&>file`: a redirection, not a separator.
                        i += 2;
                        continue;
                    }
                    _ => (Some(Joint::Seq), 1),
                };
                if c == b'&' && i > 0 && matches!(bytes[i - 1], b'>' | b'<') {
                    i += 1;
                    continue;
                }
                flush(&mut words, &mut out, joint, &mut loop_depth, cmd_line);
                cmd_line = line;
                i += len;
            }
            _ => {
                let (word, end, nested) = read_word(text, i);
                if word.starts_with("<<") && word.len() > 2 {
                    pending_heredoc = Some(heredoc_tag(&word[2..]));
                } else if word == "<<" || word == "<<-" {
                    let (tag, tag_end, _) = read_word(text, skip_spaces(text, end));
                    pending_heredoc = Some(heredoc_tag(&tag));
                    i = tag_end;
                    continue;
                }
                if nested {
                    // `$(`: the command substitution starts a command of its own.
                    if !word.is_empty() {
                        words.push(Word { text: word, start: i, end: end - 2 });
                    }
                    flush(&mut words, &mut out, Some(Joint::Seq), &mut loop_depth, cmd_line);
                    cmd_line = line;
                } else {
                    words.push(Word { text: word, start: i, end });
                }
                i = end;
            }
        }
    }
    flush(&mut words, &mut out, None, &mut loop_depth, cmd_line);
    out
}

fn is_assignment(t: &str) -> bool {
    let name = t.split('=').next().unwrap_or("");
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn skip_spaces(text: &str, mut i: usize) -> usize {
    while text.as_bytes().get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
        i += 1;
    }
    i
}

fn heredoc_tag(raw: &str) -> String {
    raw.trim_start_matches('-').trim_matches(|c| c == '\'' || c == '"').to_owned()
}

/// Reads one word starting at `i`: returns its unquoted text, the byte after it, and whether it
/// stopped at a `$(` (command substitution).
fn read_word(text: &str, start: usize) -> (String, usize, bool) {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'(' | b')' | b'`' => break,
            b'&' => {
                if i > start && matches!(bytes[i - 1], b'>' | b'<') {
                    out.push('&');
                    i += 1;
                    continue;
                }
                break;
            }
            b'$' if bytes.get(i + 1) == Some(&b'(') && bytes.get(i + 2) != Some(&b'(') => {
                return (out, i + 2, true);
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') && bytes.get(i + 2) == Some(&b'{') => {
                // A `${{ … }}` expression: one word, spaces and all.
                let end = text[i..].find("}}").map(|e| i + e + 2).unwrap_or(bytes.len());
                out.push_str(&text[i..end]);
                i = end;
            }
            b'\'' => {
                let end = text[i + 1..].find('\'').map(|e| i + 1 + e).unwrap_or(bytes.len());
                out.push_str(&text[i + 1..end]);
                i = (end + 1).min(bytes.len());
            }
            b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = j.min(bytes.len());
                out.push_str(&text[i + 1..end]);
                i = (end + 1).min(bytes.len());
            }
            b'\\' if i + 1 < bytes.len() => {
                if bytes[i + 1] == b'\n' {
                    break;
                }
                let ch = text[i + 1..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += 1 + ch.len_utf8();
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    (out, i, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(text: &str) -> Vec<String> {
        split_commands(text)
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect::<Vec<_>>().join(" "))
            .collect()
    }

    #[test]
    fn splits_operators_substitutions_and_prefixes() {
        assert_eq!(
            programs("FOO=1 sudo twine upload dist/* || true\nV=$(git describe --tags)"),
            ["twine upload dist/*", "true", "git describe --tags"]
        );
        let cmds = split_commands("pytest -q || true");
        assert_eq!(cmds[0].next, Some(Joint::Or));
    }

    #[test]
    fn heredocs_continuations_and_loops() {
        let text = "cat <<EOF > x\ntwine upload\nEOF\ndocker build \\\n  --push .\nfor i in 1 2; do\n  sleep 5\ndone\nsleep 3";
        let cmds = split_commands(text);
        let names: Vec<_> = cmds.iter().map(|c| (c.word(0).to_owned(), c.in_loop)).collect();
        assert_eq!(
            names,
            [
                ("cat".into(), false),
                ("docker".into(), false),
                ("sleep".into(), true),
                ("sleep".into(), false)
            ]
        );
        assert!(cmds[1].has_arg("--push"));
    }

    #[test]
    fn block_scalar_positions() {
        let src = "run: |\n  echo a\n  twine upload x\n";
        let lines: Vec<&str> = src.lines().collect();
        let doc = super::super::yaml::parse(src).unwrap();
        let node = doc.root.unwrap();
        let run = node.get("run").unwrap();
        let s = Script::from_node(run, &lines);
        let at = s.text.find("twine").unwrap();
        assert_eq!(s.pos(at), Pos::new(3, 3));
    }
}
