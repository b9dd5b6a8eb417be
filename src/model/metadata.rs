//! Core metadata (`METADATA`, `PKG-INFO`) and `WHEEL` files: RFC 822-style headers parsed into an
//! ordered list of `(field, value)` pairs, multi-use fields kept in order, plus the message body
//! (the long description in metadata 2.1+).
//!
//! Parsing never fails: lines that are not headers are kept in [`Metadata::invalid_lines`] so
//! callers decide how strict to be.

use serde::Serialize;

/// Parsed headers of a core-metadata or WHEEL file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    fields: Vec<(String, String)>,
    body: String,
    invalid_lines: Vec<String>,
}

/// Parses the text of a METADATA, PKG-INFO or WHEEL file.
///
/// Header lines are `Field: value`; a line starting with a space or tab continues the previous
/// value (joined with `\n`, the line kept as written); the first empty line ends the headers and
/// the rest is the body. Field names keep their spelling; lookups ignore ASCII case.
pub fn parse_metadata(text: &str) -> Metadata {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut meta = Metadata::default();
    let mut lines = text.split_inclusive('\n');
    for raw in lines.by_ref() {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            match meta.fields.last_mut() {
                Some((_, value)) => {
                    value.push('\n');
                    value.push_str(line);
                }
                None => meta.invalid_lines.push(line.to_owned()),
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value))
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':') =>
            {
                meta.fields.push((name.to_owned(), value.trim().to_owned()));
            }
            _ => meta.invalid_lines.push(line.to_owned()),
        }
    }
    meta.body = lines.collect();
    meta
}

impl Metadata {
    /// The first value of a field (case-insensitive name), trimmed.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a multi-use field, in file order.
    pub fn get_all(&self, field: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// All `(field, value)` pairs in file order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The message body after the headers (may be empty).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Lines in the header section that are neither `Field: value` nor continuations.
    pub fn invalid_lines(&self) -> &[String] {
        &self.invalid_lines
    }

    /// The long description: the body when there is one, else the `Description` field with
    /// its continuation-line indentation (8 spaces or `       |`) removed.
    pub fn description(&self) -> Option<String> {
        if !self.body.trim().is_empty() {
            return Some(self.body.clone());
        }
        let raw = self.get("Description")?;
        let mut lines = raw.split('\n');
        let mut out: Vec<&str> = lines.next().into_iter().collect();
        for line in lines {
            let line = line
                .strip_prefix("       |")
                .or_else(|| line.strip_prefix("        "))
                .unwrap_or_else(|| line.trim_start_matches([' ', '\t']));
            out.push(line);
        }
        Some(out.join("\n"))
    }

    /// `Metadata-Version` as `(major, minor)`, when present and numeric.
    pub fn metadata_version(&self) -> Option<(u32, u32)> {
        let (major, minor) = self.get("Metadata-Version")?.split_once('.')?;
        Some((major.trim().parse().ok()?, minor.trim().parse().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Metadata-Version: 2.4\r\nName: MarkupSafe\nVersion: 3.0.3\nClassifier: A\nclassifier: B\nLicense: line one\n        line two\nRequires-Dist: x; extra == 'y'\n\n# Title\n\nBody text\n";

    #[test]
    fn keeps_order_and_multi_use_fields() {
        let m = parse_metadata(SAMPLE);
        assert_eq!(m.get("name"), Some("MarkupSafe"));
        assert_eq!(m.get("VERSION"), Some("3.0.3"));
        assert_eq!(m.get_all("Classifier"), ["A", "B"]);
        assert_eq!(m.fields()[0], ("Metadata-Version".to_owned(), "2.4".to_owned()));
        assert_eq!(m.get("License"), Some("line one\n        line two"));
        assert_eq!(m.get("Requires-Dist"), Some("x; extra == 'y'"));
        assert_eq!(m.body(), "# Title\n\nBody text\n");
        assert_eq!(m.description().as_deref(), Some("# Title\n\nBody text\n"));
        assert_eq!(m.metadata_version(), Some((2, 4)));
        assert!(m.invalid_lines().is_empty());
    }

    #[test]
    fn old_style_description_is_dedented() {
        let m = parse_metadata("Name: x\nDescription: first\n        second\n       |third\n");
        assert_eq!(m.description().as_deref(), Some("first\nsecond\nthird"));
        assert_eq!(m.body(), "");
    }

    #[test]
    fn tolerates_garbage() {
        let m = parse_metadata(" leading continuation\nno colon here\n: empty name\nName: ok\n");
        assert_eq!(m.get("Name"), Some("ok"));
        assert_eq!(m.invalid_lines().len(), 3);
        assert_eq!(parse_metadata("").fields().len(), 0);
        assert_eq!(parse_metadata("Wheel-Version: 1.0\nTag: a\nTag: b").get_all("tag"), ["a", "b"]);
    }
}
