//! The legacy upload API's form fields, from a distribution's core metadata.
//!
//! Pure. Warehouse silently ignores a misnamed field, so the names follow its form exactly:
//! lowercase, `-` → `_`, multi-use fields pluralized where Warehouse pluralizes them
//! (`classifiers`, `project_urls`), the rest repeated under their singular name
//! (`requires_dist`, `platform`, `license_file`). The reference encoders are twine's
//! `repository.py` and uv's `FormMetadata`.

/// What kind of distribution is uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    BdistWheel,
    Sdist,
}

impl FileType {
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::BdistWheel => "bdist_wheel",
            FileType::Sdist => "sdist",
        }
    }
}

/// Core-metadata field (as written in METADATA / PKG-INFO) → form field name, and whether the
/// field may repeat.
const FIELDS: &[(&str, &str, bool)] = &[
    ("Metadata-Version", "metadata_version", false),
    ("Name", "name", false),
    ("Version", "version", false),
    ("Summary", "summary", false),
    ("Description-Content-Type", "description_content_type", false),
    ("Keywords", "keywords", false),
    ("Home-page", "home_page", false),
    ("Download-URL", "download_url", false),
    ("Author", "author", false),
    ("Author-email", "author_email", false),
    ("Maintainer", "maintainer", false),
    ("Maintainer-email", "maintainer_email", false),
    ("License", "license", false),
    ("License-Expression", "license_expression", false),
    ("License-File", "license_file", true),
    ("Classifier", "classifiers", true),
    ("Requires-Dist", "requires_dist", true),
    ("Provides-Dist", "provides_dist", true),
    ("Obsoletes-Dist", "obsoletes_dist", true),
    ("Requires-External", "requires_external", true),
    ("Requires-Python", "requires_python", false),
    ("Project-URL", "project_urls", true),
    ("Provides-Extra", "provides_extra", true),
    ("Platform", "platform", true),
    ("Supported-Platform", "supported_platform", true),
    ("Dynamic", "dynamic", true),
    // Metadata 1.1 fields, still accepted by the form.
    ("Requires", "requires", true),
    ("Provides", "provides", true),
    ("Obsoletes", "obsoletes", true),
];

/// The form field name for a core-metadata field, if the legacy API takes it.
pub fn form_name(field: &str) -> Option<(&'static str, bool)> {
    FIELDS
        .iter()
        .find(|(meta, _, _)| meta.eq_ignore_ascii_case(field))
        .map(|(_, form, multi)| (*form, *multi))
}

/// Builds the metadata part of the form: every known field in file order (multi-use fields
/// repeated), the long description from the `Description` header or the message body, and an
/// always-present `requires_python` (GitLab requires it, as uv notes).
pub fn metadata_fields<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut description: Option<String> = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("Description") {
            description.get_or_insert_with(|| value.to_owned());
            continue;
        }
        let Some((form, multi)) = form_name(name) else {
            continue;
        };
        if !multi && out.iter().any(|(k, _)| k == form) {
            continue; // a single-use field given twice: the first wins, as in email parsing
        }
        out.push((form.to_owned(), value.to_owned()));
    }
    if let Some(body) = body.filter(|b| !b.trim().is_empty()) {
        description = Some(body.to_owned());
    }
    if let Some(d) = description {
        out.push(("description".to_owned(), d));
    }
    if !out.iter().any(|(k, _)| k == "requires_python") {
        out.push(("requires_python".to_owned(), String::new()));
    }
    out
}

/// The `pyversion` field: the wheel's python tag (`cp312`, `py2.py3`), or `source` for an sdist.
pub fn pyversion(filetype: FileType, python_tag: Option<&str>) -> String {
    match filetype {
        FileType::Sdist => "source".to_owned(),
        FileType::BdistWheel => python_tag.unwrap_or("").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fields_as_the_legacy_api_expects() {
        let headers = [
            ("Metadata-Version", "2.4"),
            ("Name", "MarkupSafe"),
            ("Version", "3.0.3"),
            ("Classifier", "A"),
            ("Classifier", "B"),
            ("Project-URL", "Source, https://example.invalid"),
            ("Requires-Dist", "x; extra == 'y'"),
            ("License-File", "LICENSE.txt"),
            ("X-Unknown", "dropped"),
            ("Description", "old-style"),
        ];
        let fields = metadata_fields(headers, Some("# Readme\n"));
        let get = |k: &str| {
            fields.iter().filter(|(n, _)| n == k).map(|(_, v)| v.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(get("metadata_version"), ["2.4"]);
        assert_eq!(get("name"), ["MarkupSafe"]);
        assert_eq!(get("classifiers"), ["A", "B"]);
        assert_eq!(get("project_urls"), ["Source, https://example.invalid"]);
        assert_eq!(get("requires_dist"), ["x; extra == 'y'"]);
        assert_eq!(get("license_file"), ["LICENSE.txt"]);
        assert_eq!(get("description"), ["# Readme\n"]);
        assert_eq!(get("requires_python"), [""]);
        assert!(get("x_unknown").is_empty());
    }

    #[test]
    fn pyversion_per_filetype() {
        assert_eq!(pyversion(FileType::Sdist, Some("py3")), "source");
        assert_eq!(pyversion(FileType::BdistWheel, Some("py2.py3")), "py2.py3");
    }
}
