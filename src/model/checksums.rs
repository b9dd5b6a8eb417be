//! The checksum manifest `verify-wheels --write-checksums` writes and `publish --manifest`
//! reads: GNU `sha256sum` text format, `<64 hex>  <path>` per line; a path containing `\` or a
//! line break is escaped (`\\`, `\n`, `\r`) and its line starts with `\`, as `sha256sum` does.

use std::path::PathBuf;

/// One line of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Lowercase hex sha256.
    pub sha256: String,
    /// The path as written (relative to where `sha256sum -c` runs).
    pub path: PathBuf,
}

/// Formats entries as `sha256sum` would print them.
pub fn format_manifest(entries: &[ManifestEntry]) -> String {
    let mut text = String::new();
    for e in entries {
        let name = e.path.to_string_lossy();
        if name.contains(['\\', '\n', '\r']) {
            let escaped = name.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
            text.push_str(&format!("\\{}  {escaped}\n", e.sha256));
        } else {
            text.push_str(&format!("{}  {name}\n", e.sha256));
        }
    }
    text
}

/// Parses a manifest (text mode `  ` or binary mode ` *` separators; blank lines skipped).
pub fn parse_manifest(text: &str) -> Result<Vec<ManifestEntry>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let bad = |why: &str| format!("line {}: {why}", i + 1);
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (hash, rest) =
            line.split_at_checked(64).ok_or_else(|| bad("expected a 64-digit sha256"))?;
        if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("expected a 64-digit sha256"));
        }
        let name = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| bad("expected two spaces and a path after the sha256"))?;
        let name = if escaped {
            unescape(name).ok_or_else(|| bad("bad escape in the path"))?
        } else {
            name.to_owned()
        };
        out.push(ManifestEntry { sha256: hash.to_ascii_lowercase(), path: PathBuf::from(name) });
    }
    Ok(out)
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "722695808f4b6457b320fdc131280796bdceb04ab50fe1795cd540799ebe1698";

    #[test]
    fn round_trips_plain_and_escaped_paths() {
        let entries = vec![
            ManifestEntry { sha256: SHA.into(), path: "dist/a-1.0.tar.gz".into() },
            ManifestEntry { sha256: SHA.into(), path: "odd\\name\nx.whl".into() },
        ];
        let text = format_manifest(&entries);
        assert_eq!(text.lines().next().unwrap(), format!("{SHA}  dist/a-1.0.tar.gz"));
        assert!(text.lines().nth(1).unwrap().starts_with('\\'));
        assert_eq!(parse_manifest(&text).unwrap(), entries);
    }

    #[test]
    fn reads_binary_mode_and_refuses_garbage() {
        let parsed =
            parse_manifest(&format!("{}  *x\n\n{SHA} *y.whl\n", SHA.to_uppercase())).unwrap();
        assert_eq!(parsed[0].path, PathBuf::from("*x"));
        assert_eq!(parsed[0].sha256, SHA);
        assert_eq!(parsed[1].path, PathBuf::from("y.whl"));
        assert!(parse_manifest("abc  x\n").is_err());
        assert!(parse_manifest(&format!("{SHA}x\n")).is_err());
        assert!(parse_manifest(&format!("\\{SHA}  a\\qb\n")).is_err());
        assert!(parse_manifest("é").is_err());
    }
}
