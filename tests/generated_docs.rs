//! completions/ and man/ are generated from the clap definitions and checked in; this test
//! fails when they are stale. Regenerate with:
//!     SURESTEP_REGENERATE=1 cargo test --test generated_docs

use std::path::Path;

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("SURESTEP_REGENERATE").is_some();
    let files = surestep::docs::generated_files();
    let mut stale = Vec::new();
    for (rel, contents) in &files {
        let path = root.join(rel);
        if regenerate {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, contents).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(contents.as_slice()) {
            stale.push(rel.clone());
        }
    }
    // Pages for subcommands that no longer exist are stale too.
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir)).into_iter().flatten().flatten() {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !files.iter().any(|(r, _)| *r == rel) {
                if regenerate {
                    std::fs::remove_file(entry.path()).unwrap();
                } else {
                    stale.push(format!("{rel} (no longer generated)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale: {stale:?}\nregenerate them with: \
         SURESTEP_REGENERATE=1 cargo test --test generated_docs"
    );
}

#[test]
fn man_page_documents_exit_codes() {
    let files = surestep::docs::generated_files();
    let (_, page) = files.iter().find(|(r, _)| r == "man/surestep.1").unwrap();
    let text = String::from_utf8_lossy(page);
    assert!(text.contains(".TH surestep 1"), "{text}");
    assert!(text.contains("the environment failed"), "exit codes missing from the man page");
}

// --- the error catalogue ------------------------------------------------------------------------

const START: &str = "<!-- catalogue:start -->\n";
const END: &str = "<!-- catalogue:end -->";

/// README.md's "Error catalogue" section is `surestep::catalogue::render_markdown()`.
#[test]
fn readme_error_catalogue_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (a, b) = (readme.find(START).expect("catalogue start marker"), readme.find(END).unwrap());
    let wanted = surestep::catalogue::render_markdown();
    if readme[a + START.len()..b] != wanted {
        if std::env::var_os("SURESTEP_REGENERATE").is_some() {
            let new = format!("{}{START}{wanted}{}", &readme[..a], &readme[b..]);
            std::fs::write(&path, new).unwrap();
        } else {
            panic!(
                "README.md's error catalogue is stale; regenerate it with: \
                 SURESTEP_REGENERATE=1 cargo test --test generated_docs"
            );
        }
    }
}

/// Every hint the code can print is in the catalogue, and every `Hint::Code` in the catalogue
/// is still printed by the code, so the README cannot drift from the program.
#[test]
fn catalogue_and_code_hints_match_both_ways() {
    use surestep::catalogue::{CATALOGUE, Hint};
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut in_code: Vec<(String, String)> = Vec::new(); // (normalized hint, where)
    let mut all_literals: Vec<String> = Vec::new();
    for file in rust_files(&src) {
        if file.ends_with("catalogue.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let text = text.split("\n#[cfg(test)]").next().unwrap_or(&text);
        all_literals.extend(string_literals(text).into_iter().map(|l| normalize(&l)));
        for hint in hint_literals(text) {
            in_code.push((normalize(&hint), format!("{}: {hint:?}", file.display())));
        }
    }
    let listed: Vec<String> = CATALOGUE
        .iter()
        .filter_map(|e| match e.hint {
            Hint::Code(h) => Some(normalize(h)),
            Hint::Doc(_) => None,
        })
        .collect();
    let missing: Vec<&String> =
        in_code.iter().filter(|(h, _)| !listed.contains(h)).map(|(_, w)| w).collect();
    assert!(missing.is_empty(), "hints in the code missing from src/catalogue.rs:\n{missing:#?}");
    // Where the statement that attaches a hint names its exit status, the catalogue agrees.
    let mut wrong_exit = Vec::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        let text = text.split("\n#[cfg(test)]").next().unwrap_or(&text).to_owned();
        for (hint, exit) in hints_with_exit(&text) {
            let entry = CATALOGUE.iter().find(|e| {
                e.hint == Hint::Code(e.hint.text()) && normalize(e.hint.text()) == normalize(&hint)
            });
            if let Some(entry) = entry.filter(|e| e.exit.code() != exit) {
                wrong_exit.push(format!(
                    "{}: {hint:?} exits {exit}, catalogue says {}",
                    file.display(),
                    entry.exit.code()
                ));
            }
        }
    }
    assert!(
        wrong_exit.is_empty(),
        "exit codes in src/catalogue.rs disagree with the code:\n{wrong_exit:#?}"
    );
    let stale: Vec<&String> = listed.iter().filter(|h| !all_literals.contains(h)).collect();
    assert!(stale.is_empty(), "catalogue hints no code path gives any more:\n{stale:#?}");
    assert!(in_code.len() >= 10, "the hint scanner found too few hints: {in_code:#?}");
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// `{anything}` → `{}`, so a format string and the catalogue's copy compare equal.
fn normalize(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push('{');
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The string literals that are hints: in `.with_hint(…)` arguments, `fn hint` bodies,
/// `hint:` field initialisers, `let hint = …;` and `…_HINT` constants.
fn hint_literals(text: &str) -> Vec<String> {
    // Patterns are looked for in the code only, never inside string literals.
    let code = blank_strings(text);
    let mut out = Vec::new();
    for (pattern, open) in [
        (".with_hint(", Some('(')),
        ("fn hint(", Some('{')),
        ("hint:", None),
        ("let hint =", None),
        ("_HINT: &str =", None),
    ] {
        let mut from = 0;
        while let Some(i) = code[from..].find(pattern) {
            let start = from + i + pattern.len();
            let end = start
                + match open {
                    Some('(') => balanced(&code[start - 1..], '(', ')').len() - 1,
                    Some(_) => {
                        let body = code[start..].find('{').unwrap_or(0);
                        body + balanced(&code[start + body..], '{', '}').len()
                    }
                    None => until_end_of_expression(&code[start..]).len(),
                };
            let hints = string_literals(&text[start..end]);
            out.extend(hints.into_iter().filter(|l| l.len() >= 12 && l.contains(' ')));
            from = start;
        }
    }
    out
}

/// `text` with the inside of every string and char literal replaced by spaces (same length).
fn blank_strings(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' && i + 2 < bytes.len() && bytes[i + 2] == b'\'' {
            out[i + 1] = b' ';
            i += 3;
            continue;
        }
        if bytes[i] == b'\''
            && i + 3 < bytes.len()
            && bytes[i + 1] == b'\\'
            && bytes[i + 3] == b'\''
        {
            out[i + 1] = b' ';
            out[i + 2] = b' ';
            i += 4;
            continue;
        }
        if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    out[i] = b' ';
                    i += 1;
                }
                out[i] = b' ';
                i += 1;
            }
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `.with_hint(…)` literals whose statement starts with `CliError::usage|environment|failed`,
/// with that exit code.
fn hints_with_exit(text: &str) -> Vec<(String, u8)> {
    let code = blank_strings(text);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(".with_hint(") {
        let at = from + i;
        let start = at + ".with_hint(".len();
        let statement_start = code[..at].rfind([';', '{']).map_or(0, |j| j + 1);
        let statement = &code[statement_start..at];
        let exit = [("CliError::usage", 2), ("CliError::environment", 3), ("CliError::failed", 1)]
            .iter()
            .filter_map(|(name, exit)| statement.rfind(name).map(|pos| (pos, *exit)))
            .max()
            .map(|(_, exit)| exit);
        if let Some(exit) = exit {
            let end = start + balanced(&code[start - 1..], '(', ')').len() - 1;
            for hint in string_literals(&text[start..end]) {
                if hint.len() >= 12 && hint.contains(' ') {
                    out.push((hint, exit));
                }
            }
        }
        from = start;
    }
    out
}

/// The text from an opening bracket to its match.
fn balanced(text: &str, open: char, close: char) -> &str {
    let mut depth = 0;
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        if in_str {
            if c == '"' && prev != '\\' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return &text[..=i];
            }
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    text
}

/// An expression up to the `,`, `;` or closing bracket that ends it at depth 0.
fn until_end_of_expression(text: &str) -> &str {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        if in_str {
            if c == '"' && prev != '\\' {
                in_str = false;
            }
        } else {
            match c {
                '"' => in_str = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => return &text[..i],
                ')' | ']' | '}' => depth -= 1,
                ',' | ';' if depth == 0 => return &text[..i],
                _ => {}
            }
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    text
}

/// The values of the (non-raw) string literals in `text`, escapes and `\` line
/// continuations resolved.
fn string_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        // Skip char literals such as '"'.
        if c == '\'' && chars.peek() == Some(&'"') {
            chars.next();
            chars.next();
            prev = '\'';
            continue;
        }
        if c != '"' || prev.is_alphanumeric() && prev != 'r' && prev != 'b' {
            prev = c;
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('\n') => {
                        while chars.peek().is_some_and(|c| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    Some(other) => value.push(other),
                    None => {}
                },
                _ => value.push(c),
            }
        }
        out.push(value);
        prev = '"';
    }
    out
}

/// Every verify-wheels problem code (`ProblemCode` in src/model/problem.rs) is in the catalogue.
#[test]
fn catalogue_lists_every_problem_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model/problem.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let body = text.split("pub enum ProblemCode {").nth(1).unwrap().split('}').next().unwrap();
    let listed: String = surestep::catalogue::CATALOGUE.iter().map(|e| e.failure).collect();
    let mut codes = 0;
    for line in body.lines().map(str::trim) {
        let Some(variant) = line.strip_suffix(',').filter(|v| !v.starts_with("//")) else {
            continue;
        };
        let mut code = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                code.push('_');
            }
            code.push(c.to_ascii_lowercase());
        }
        codes += 1;
        assert!(
            listed.contains(&format!("`{code}`")),
            "problem code {code} is not in src/catalogue.rs"
        );
    }
    assert!(codes >= 40, "found only {codes} problem codes");
}
