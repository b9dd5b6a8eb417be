//! `SHA256SUMS` files (`sha256sum` format, as `verify-wheels --write-checksums` writes them).
//!
//! Pure. Each line is `<64 hex>  <file>` (or `<hex> *<file>` in binary mode); files are keyed by
//! their base name, since the manifest may have been written in another directory.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: expected `<sha256 hex>  <file name>`, found {text:?}")]
pub struct ManifestError {
    pub line: usize,
    pub text: String,
}

/// File base name → lowercase sha256.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, ManifestError> {
    let mut out = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || ManifestError { line: i + 1, text: line.chars().take(120).collect() };
        // sha256sum marks a name with `\` or a newline in it by a leading `\` and escapes it.
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (hex, rest) = line.split_once(' ').ok_or_else(bad)?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let name = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*')).unwrap_or(rest);
        let unescaped;
        let name = if escaped {
            unescaped = name.replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\");
            unescaped.as_str()
        } else {
            name
        };
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if base.is_empty() {
            return Err(bad());
        }
        out.insert(base.to_owned(), hex.to_ascii_lowercase());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_and_binary_mode_lines() {
        let a = "a".repeat(64);
        let b = "B".repeat(64);
        let text = format!("{a}  dist/x-1.0-py3-none-any.whl\n\n{b} *x-1.0.tar.gz\n");
        let m = parse(&text).unwrap();
        assert_eq!(m["x-1.0-py3-none-any.whl"], a);
        assert_eq!(m["x-1.0.tar.gz"], "b".repeat(64));
    }

    #[test]
    fn reads_escaped_names() {
        let a = "c".repeat(64);
        let m = parse(&format!("\\{a}  dir\\\\sub/odd\\nname.whl\n")).unwrap();
        assert_eq!(m["odd\nname.whl"], a);
    }

    #[test]
    fn names_the_bad_line() {
        let err = parse("deadbeef  x.whl\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    proptest::proptest! {
        #[test]
        fn hostile_manifests_never_panic(text in "(\\\\|[0-9a-f]{8}| |\\*|/|\n|[a-z.]|\u{e9}){0,120}") {
            let _ = parse(&text);
        }
    }
}
