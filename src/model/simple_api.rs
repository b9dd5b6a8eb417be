//! Parsing a project page of the simple repository API: PEP 691 JSON and PEP 503 HTML.
//!
//! Pure: text in, [`IndexFile`]s out, with every URL resolved against the page's own URL
//! (devpi answers with relative URLs). The HTML side is a small anchor scanner: a project page is
//! a list of `<a href="…#sha256=…">filename</a>`, and nothing else on it matters.

use super::upload_plan::IndexFile;
use reqwest::Url;
use std::collections::BTreeMap;

/// The media type of PEP 691 JSON, version 1.
pub const JSON_V1: &str = "application/vnd.pypi.simple.v1+json";

/// What a page's `Content-Type` says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Json,
    Html,
}

/// Classifies a `Content-Type`. HTML is recognised loosely: devpi labels some HTML `text_html`.
pub fn page_kind(content_type: &str) -> Option<PageKind> {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == JSON_V1 || essence == "application/vnd.pypi.simple.latest+json" {
        Some(PageKind::Json)
    } else if essence.contains("html") {
        Some(PageKind::Html)
    } else {
        None
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SimpleApiError {
    #[error("the JSON page is not valid PEP 691: {0}")]
    BadJson(String),
    #[error("the index speaks simple API version {0}; this surestep understands major version 1")]
    UnsupportedVersion(String),
}

#[derive(serde::Deserialize)]
struct JsonPage {
    meta: JsonMeta,
    #[serde(default)]
    files: Vec<JsonFile>,
}

#[derive(serde::Deserialize)]
struct JsonMeta {
    #[serde(rename = "api-version")]
    api_version: String,
}

#[derive(serde::Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
    /// PEP 592: `false`, `true`, or the reason (a non-empty string).
    #[serde(default)]
    yanked: serde_json::Value,
    /// PEP 700.
    #[serde(default, rename = "upload-time")]
    upload_time: Option<String>,
}

/// PEP 592 in JSON: `true` or any string is yanked (an empty reason still counts).
fn json_yanked(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Bool(true) => Some(String::new()),
        serde_json::Value::String(reason) => Some(reason.clone()),
        _ => None,
    }
}

/// Parses a PEP 691 project page.
pub fn parse_json(text: &str, page_url: &Url) -> Result<Vec<IndexFile>, SimpleApiError> {
    let page: JsonPage =
        serde_json::from_str(text).map_err(|e| SimpleApiError::BadJson(e.to_string()))?;
    let major = page.meta.api_version.split('.').next().unwrap_or("");
    if major != "1" {
        return Err(SimpleApiError::UnsupportedVersion(page.meta.api_version));
    }
    Ok(page
        .files
        .into_iter()
        .map(|f| IndexFile {
            yanked: json_yanked(&f.yanked),
            upload_time: f.upload_time,
            url: resolve(page_url, &f.url),
            filename: f.filename,
            hashes: f
                .hashes
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase()))
                .collect(),
        })
        .collect())
}

/// The project names a simple index's root page lists (PEP 691 `projects[].name`, or the
/// anchor texts of a PEP 503 page), as written.
pub fn root_projects(
    kind: PageKind,
    text: &str,
    page_url: &Url,
) -> Result<Vec<String>, SimpleApiError> {
    match kind {
        PageKind::Json => {
            #[derive(serde::Deserialize)]
            struct Root {
                #[serde(default)]
                projects: Vec<Project>,
            }
            #[derive(serde::Deserialize)]
            struct Project {
                name: String,
            }
            let root: Root =
                serde_json::from_str(text).map_err(|e| SimpleApiError::BadJson(e.to_string()))?;
            Ok(root.projects.into_iter().map(|p| p.name).collect())
        }
        PageKind::Html => Ok(parse_html(text, page_url).into_iter().map(|f| f.filename).collect()),
    }
}

/// Parses a PEP 503 project page: every `<a>` with an `href` is a file; the anchor text is its
/// filename (the last path segment of the URL when the text is empty); a `#algo=hex` fragment is
/// its hash; a `data-yanked` attribute (PEP 592) marks it yanked.
pub fn parse_html(text: &str, page_url: &Url) -> Vec<IndexFile> {
    let mut files = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("<a") {
        let start = pos + found;
        let after_name = start + 2;
        // `<a` must be followed by whitespace or `>` (not `<abbr`).
        if !lower[after_name..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>') {
            pos = after_name;
            continue;
        }
        let Some(tag_end) = find_tag_end(text, after_name) else { break };
        let attributes = parse_attributes(&text[after_name..tag_end]);
        let content_start = tag_end + 1;
        let content_end =
            lower[content_start..].find("</a").map_or(text.len(), |i| content_start + i);
        pos = content_end.max(content_start);
        let Some(href) = attributes.get("href") else { continue };
        let url = match page_url.join(href) {
            Ok(u) => u,
            Err(_) => continue,
        };
        let mut hashes = BTreeMap::new();
        if let Some(fragment) = url.fragment()
            && let Some((algo, hex)) = fragment.split_once('=')
            && !hex.is_empty()
        {
            hashes.insert(algo.to_ascii_lowercase(), hex.to_ascii_lowercase());
        }
        let text_name = decode_entities(strip_tags(&text[content_start..content_end]).trim());
        let filename = if text_name.is_empty() {
            url.path_segments()
                .and_then(|mut s| s.next_back())
                .map(percent_decode)
                .unwrap_or_default()
        } else {
            text_name
        };
        if filename.is_empty() {
            continue;
        }
        let mut clean = url.clone();
        clean.set_fragment(None);
        // PEP 592: the attribute's presence marks a yanked file; its value is the reason.
        let yanked = attributes.get("data-yanked").cloned();
        files.push(IndexFile {
            filename,
            url: clean.to_string(),
            hashes,
            yanked,
            upload_time: None,
        });
    }
    files
}

/// The index of the `>` closing a tag that starts before `from`, skipping quoted values.
fn find_tag_end(text: &str, from: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text[from..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// `name="value"`, `name='value'`, `name=value` and bare `name`, names lowercased, values with
/// entities decoded.
fn parse_attributes(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let name_start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' && chars[i] != '/' {
            i += 1;
        }
        let name: String = chars[name_start..i].iter().collect::<String>().to_ascii_lowercase();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let q = chars[i];
                i += 1;
                let v_start = i;
                while i < chars.len() && chars[i] != q {
                    i += 1;
                }
                value = chars[v_start..i].iter().collect();
                i += 1;
            } else {
                let v_start = i;
                while i < chars.len() && !chars[i].is_whitespace() {
                    i += 1;
                }
                value = chars[v_start..i].iter().collect();
            }
        }
        if !name.is_empty() {
            out.entry(name).or_insert_with(|| decode_entities(&value));
        }
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Decodes the character references that occur in index pages and error pages: named basics
/// (`&nbsp;` as a plain space) and every numeric one (`&#039;`, `&#x27;`).
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let decoded = tail.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &tail[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16).ok())
                    .unwrap_or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn resolve(base: &Url, href: &str) -> String {
    base.join(href).map(|u| u.to_string()).unwrap_or_else(|_| href.to_owned())
}

#[cfg(test)]
mod tests {

    #[test]
    fn root_pages_list_project_names() {
        let url = Url::parse("http://127.0.0.1:1/simple/").unwrap();
        let json =
            r#"{"meta":{"api-version":"1.0"},"projects":[{"name":"Demo_Pkg"},{"name":"x"}]}"#;
        assert_eq!(root_projects(PageKind::Json, json, &url).unwrap(), ["Demo_Pkg", "x"]);
        let html = "<!DOCTYPE html><html><body><a href=\"/simple/demo-pkg/\">demo-pkg</a>\n<a href=\"x/\">x</a></body></html>";
        assert_eq!(root_projects(PageKind::Html, html, &url).unwrap(), ["demo-pkg", "x"]);
        assert!(root_projects(PageKind::Json, "not json", &url).is_err());
    }

    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn classifies_content_types() {
        assert_eq!(page_kind("application/vnd.pypi.simple.v1+json"), Some(PageKind::Json));
        assert_eq!(page_kind("text/html; charset=UTF-8"), Some(PageKind::Html));
        assert_eq!(page_kind("application/vnd.pypi.simple.v1+html"), Some(PageKind::Html));
        assert_eq!(page_kind("text_html"), Some(PageKind::Html)); // devpi
        assert_eq!(page_kind("application/json"), None);
    }

    #[test]
    fn parses_devpi_json_with_relative_urls() {
        let page = url("http://127.0.0.1:3141/tester/dev/+simple/tinypkg/");
        let text = r#"{"meta":{"api-version":"1.0"},"name":"tinypkg","files":[{"filename":"tinypkg-0.1.0-py3-none-any.whl","url":"../../+f/1cf/e9d9d0bc50312/tinypkg-0.1.0-py3-none-any.whl","hashes":{"sha256":"1CFE"},"requires-python":""}]}"#;
        let files = parse_json(text, &page).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].filename, "tinypkg-0.1.0-py3-none-any.whl");
        assert_eq!(
            files[0].url,
            "http://127.0.0.1:3141/tester/dev/+f/1cf/e9d9d0bc50312/tinypkg-0.1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].sha256(), Some("1cfe"));
    }

    #[test]
    fn refuses_a_future_major_version() {
        let text = r#"{"meta":{"api-version":"2.0"},"files":[]}"#;
        assert_eq!(
            parse_json(text, &url("http://x/")),
            Err(SimpleApiError::UnsupportedVersion("2.0".into()))
        );
        assert!(matches!(parse_json("<html>", &url("http://x/")), Err(SimpleApiError::BadJson(_))));
    }

    #[test]
    fn parses_pypiserver_and_devpi_html() {
        let page = url("http://127.0.0.1:8081/simple/tinypkg/");
        let text = "<!DOCTYPE html><html><head><title>Links for tinypkg</title></head><body>\n\
            <h1>Links for tinypkg</h1>\n\
            <a href=\"/packages/tinypkg-0.1.0-py3-none-any.whl#sha256=1CFE9D\">tinypkg-0.1.0-py3-none-any.whl</a><br>\n\
            <A HREF='../../+f/abc/tinypkg-0.2.0.tar.gz#md5=ff' data-requires-python=\"&gt;=3.8\">\n tinypkg-0.2.0.tar.gz </A>\n\
            <a href=\"/packages/odd%2Bname-1.0.tar.gz\"></a>\n\
            <abbr>not a link</abbr><a name=\"no-href\">x</a></body></html>";
        let files = parse_html(text, &page);
        assert_eq!(files.len(), 3, "{files:?}");
        assert_eq!(files[0].filename, "tinypkg-0.1.0-py3-none-any.whl");
        assert_eq!(files[0].url, "http://127.0.0.1:8081/packages/tinypkg-0.1.0-py3-none-any.whl");
        assert_eq!(files[0].sha256(), Some("1cfe9d"));
        assert_eq!(files[1].filename, "tinypkg-0.2.0.tar.gz");
        assert_eq!(files[1].hashes.get("md5").map(String::as_str), Some("ff"));
        assert_eq!(files[1].sha256(), None);
        assert_eq!(files[2].filename, "odd+name-1.0.tar.gz");
    }

    #[test]
    fn decodes_entities_in_hrefs_and_text() {
        let page = url("http://x/simple/p/");
        let files = parse_html("<a href=\"f.whl?a=1&amp;b=2#sha256=aa\">p&#45;1.whl</a>", &page);
        assert_eq!(files[0].filename, "p-1.whl");
        assert_eq!(files[0].url, "http://x/simple/p/f.whl?a=1&b=2");
        assert_eq!(decode_entities("a &unknown; b &#x41;"), "a &unknown; b A");
    }

    /// PyPI's own page shapes (PEP 691 1.4 JSON and PEP 503/592 HTML) for a project with a
    /// yanked release and a yanked file, as pypi.org serves them.
    #[test]
    fn reads_yanked_files_and_upload_times_from_pypi_pages() {
        let page = url("https://pypi.org/simple/demo/");
        let json = r#"{"meta":{"_last-serial":31337,"api-version":"1.4"},"name":"demo","project-status":{"status":"active"},"versions":["1.0.0","1.1.0"],"files":[
          {"core-metadata":{"sha256":"aa"},"data-dist-info-metadata":{"sha256":"aa"},"filename":"demo-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl","hashes":{"sha256":"11"},"provenance":null,"requires-python":">=3.9","size":10,"upload-time":"2025-01-02T03:04:05.678901Z","url":"https://files.pythonhosted.org/packages/ab/cd/demo-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl","yanked":false},
          {"core-metadata":false,"filename":"demo-1.1.0.tar.gz","hashes":{"sha256":"22"},"requires-python":">=3.9","size":10,"upload-time":"2025-02-02T03:04:05Z","url":"https://files.pythonhosted.org/packages/ef/01/demo-1.1.0.tar.gz","yanked":"broken build"},
          {"filename":"demo-1.1.0-py3-none-any.whl","hashes":{"sha256":"33"},"url":"https://files.pythonhosted.org/packages/ef/02/demo-1.1.0-py3-none-any.whl","yanked":true}]}"#;
        let files = parse_json(json, &page).unwrap();
        assert_eq!(files[0].yanked, None);
        assert_eq!(files[0].upload_time.as_deref(), Some("2025-01-02T03:04:05.678901Z"));
        assert_eq!(files[1].yanked.as_deref(), Some("broken build"));
        assert_eq!(files[2].yanked.as_deref(), Some(""));
        let html = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.4\">\n    <title>Links for demo</title>\n  </head>\n  <body>\n    <h1>Links for demo</h1>\n\
            <a href=\"https://files.pythonhosted.org/packages/ab/cd/demo-1.0.0-py3-none-any.whl#sha256=11\" data-requires-python=\"&gt;=3.9\" data-dist-info-metadata=\"sha256=aa\" data-core-metadata=\"sha256=aa\">demo-1.0.0-py3-none-any.whl</a><br />\n\
            <a href=\"https://files.pythonhosted.org/packages/ef/01/demo-1.1.0.tar.gz#sha256=22\" data-requires-python=\"&gt;=3.9\" data-yanked=\"broken &amp; bad\" >demo-1.1.0.tar.gz</a><br />\n\
            <a href=\"https://files.pythonhosted.org/packages/ef/02/demo-1.1.0-py3-none-any.whl#sha256=33\" data-yanked=\"\">demo-1.1.0-py3-none-any.whl</a><br />\n  </body>\n</html>";
        let files = parse_html(html, &page);
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].yanked, None);
        assert_eq!(files[1].yanked.as_deref(), Some("broken & bad"));
        assert_eq!(files[2].yanked.as_deref(), Some(""));
        assert_eq!(files[2].upload_time, None);
    }

    proptest::proptest! {
        #[test]
        fn hostile_pages_never_panic(
            text in "(<a|<A|href=|\"|'|>|</a>|#sha256=|&amp;|&#x|[a-z0-9 ./=-]|\u{e9}){0,80}",
            json in ".{0,120}",
        ) {
            let page = url("http://127.0.0.1:1/simple/p/");
            let _ = parse_html(&text, &page);
            let _ = parse_json(&json, &page);
            let _ = decode_entities(&text);
        }

        #[test]
        fn every_well_formed_anchor_is_found(
            names in proptest::collection::vec("[a-z][a-z0-9_]{0,8}-[0-9]\\.[0-9]\\.tar\\.gz", 0..6),
            sha in "[0-9a-f]{64}",
        ) {
            let page = url("http://127.0.0.1:1/simple/p/");
            let html: String = names
                .iter()
                .map(|n| format!("<a href=\"../../f/{n}#sha256={sha}\" data-requires-python=\"&gt;=3\">{n}</a><br/>\n"))
                .collect();
            let files = parse_html(&html, &page);
            proptest::prop_assert_eq!(files.len(), names.len());
            for (f, n) in files.iter().zip(&names) {
                proptest::prop_assert_eq!(&f.filename, n);
                proptest::prop_assert_eq!(f.sha256(), Some(sha.as_str()));
            }
        }
    }
}
