//! Property tests that feed hostile input to every parser: never a panic, and the round trips
//! that must hold do hold. CI runs the default number of cases (a few seconds); for a longer
//! local run: `PROPTEST_CASES=200000 cargo test --release --test fuzz`.
//! (cargo fuzz needs a nightly toolchain, which this project's machines do not have.)

use proptest::prelude::*;
use surestep::github_env::workflow_run_head_sha;
use surestep::model::version::{TagRules, normalize_pep440, pep440};
use surestep::model::version_file::{VersionFileKind, declared_version};
use surestep::output::github::{escape_data, escape_property, format_outputs};

/// Reverses the toolkit's escaping (what the runner does when it reads a command).
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

proptest! {
    #[test]
    fn tag_parsing_never_panics(tag in ".{0,40}", prefix in "[a-z/-]{0,6}", pre in any::<bool>()) {
        let rules = TagRules { prefix, allow_prerelease: pre };
        if let Ok(t) = rules.parse(&tag) {
            // Every accepted tag has a PEP 440 form, and that form is a fixed point.
            let p = pep440(&t.version).expect("accepted tags have a PEP 440 form");
            prop_assert_eq!(normalize_pep440(&p), p);
        }
    }

    #[test]
    fn semver_shaped_tags_round_trip(
        major in 0u64..1000, minor in 0u64..1000, patch in 0u64..1000,
        label in prop::sample::select(vec!["", "-rc.1", "-alpha.2", "-beta", "-dev.7", "-rc.3.dev.1"]),
    ) {
        let tag = format!("v{major}.{minor}.{patch}{label}");
        let t = TagRules { prefix: "v".into(), allow_prerelease: true }.parse(&tag).unwrap();
        prop_assert_eq!(t.version.major, major);
        let p = pep440(&t.version).unwrap();
        let release = format!("{major}.{minor}.{patch}");
        prop_assert!(p.starts_with(&release));
        prop_assert_eq!(normalize_pep440(&p), p);
    }

    #[test]
    fn normalize_never_panics(text in "\\PC{0,30}") {
        let _ = normalize_pep440(&text);
    }

    #[test]
    fn event_json_never_panics(text in "\\PC{0,200}") {
        let _ = workflow_run_head_sha(&text);
    }

    #[test]
    fn event_json_with_any_head_sha(sha in "[0-9a-f]{40}", extra in "[a-z_]{0,10}") {
        let json = serde_json::json!({"workflow_run": {"head_sha": sha, extra: 1}}).to_string();
        prop_assert_eq!(workflow_run_head_sha(&json).unwrap(), sha);
    }

    #[test]
    fn version_files_never_panic(text in "\\PC{0,200}") {
        for kind in [VersionFileKind::Cargo, VersionFileKind::Pyproject, VersionFileKind::PackageJson] {
            let _ = declared_version(kind, &text);
        }
    }

    #[test]
    fn annotation_escaping_round_trips(text in "\\PC{0,60}|[%\r\n:,]{0,10}") {
        prop_assert_eq!(unescape(&escape_data(&text)), text.clone());
        prop_assert_eq!(unescape(&escape_property(&text)), text.clone());
        let escaped = escape_property(&text);
        prop_assert!(!escaped.contains(['\r', '\n', ':', ',']));
    }

    #[test]
    fn github_outputs_parse_back(values in prop::collection::vec("\\PC{0,20}(\n\\PC{0,20}){0,3}", 1..5)) {
        let outputs: Vec<(String, String)> =
            values.iter().enumerate().map(|(i, v)| (format!("k{i}"), v.clone())).collect();
        let delimiter = "ghadelimiter_fixed";
        let text = format_outputs(&outputs, delimiter).unwrap();
        // Parse like the runner: whichever of `=` and `<<` comes first decides (k=v, or k<<D ... D).
        let mut parsed = Vec::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let heredoc = match (line.find('='), line.find("<<")) {
                (Some(e), Some(h)) => h < e,
                (None, Some(_)) => true,
                _ => false,
            };
            if heredoc && let Some((k, d)) = line.split_once("<<") {
                let mut body = Vec::new();
                for l in lines.by_ref() {
                    if l == d { break; }
                    body.push(l);
                }
                parsed.push((k.to_owned(), body.join("\n")));
            } else {
                let (k, v) = line.split_once('=').unwrap();
                parsed.push((k.to_owned(), v.to_owned()));
            }
        }
        let expected: Vec<(String, String)> = outputs.into_iter().map(|(k, v)| (k, v.replace('\r', ""))).collect();
        let parsed: Vec<(String, String)> = parsed.into_iter().map(|(k, v)| (k, v.replace('\r', ""))).collect();
        prop_assert_eq!(parsed, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// What servers send back: Retry-After headers, 429 bodies, error bodies, URLs in messages.

use surestep::remote::http::{body_retry_hint, parse_retry_after, redact_url, redact_urls_in};
use surestep::remote::registry::registry_error_code;

proptest! {
    #[test]
    fn retry_after_never_panics(
        text in "\\PC{0,40}",
        date in "(Mon|Sun|x), [0-9]{1,3} (Jan|Feb|Mar|Dec|Foo) [0-9]{1,6} [0-9]{1,20}:[0-9]{1,3}:[0-9]{1,3} GMT",
    ) {
        let _ = parse_retry_after(&text);
        let _ = parse_retry_after(&date);
        let _ = body_retry_hint(&text);
        let _ = body_retry_hint(&format!("toomanyrequests: retry-after: {text}"));
    }

    #[test]
    fn retry_after_seconds_are_honoured_and_capped(secs in 0u64..100_000, ms in 0u64..10_000_000) {
        let capped = std::time::Duration::from_secs(secs.min(3600));
        prop_assert_eq!(parse_retry_after(&secs.to_string()), Some(capped));
        prop_assert_eq!(parse_retry_after(&format!("{ms}ms")), Some(std::time::Duration::from_millis(ms)));
        let hint = body_retry_hint(&format!("toomanyrequests: retry-after: {ms}ms")).unwrap();
        prop_assert!(hint <= std::time::Duration::from_secs(3600));
    }

    #[test]
    fn registry_error_bodies_never_panic(text in "\\PC{0,200}", code in "[A-Z_]{1,20}") {
        let _ = registry_error_code(&text);
        let body = format!(r#"{{"errors":[{{"code":"{code}","message":{text:?}}}]}}"#);
        let _ = registry_error_code(&body);
    }

    /// Credentials and query tokens never survive redaction, wherever the URL sits in a message.
    #[test]
    fn redaction_removes_userinfo_and_queries(
        host in "[a-z]{1,10}(\\.[a-z]{2,5})?(:[0-9]{1,5})?",
        path in "(/[a-zA-Z0-9._~-]{0,8}){0,4}",
        user in "[a-zA-Z0-9]{1,8}",
        around in "[ a-z:()'\"<>]{0,10}",
    ) {
        let secret = "SECRETtoken9f8e7d";
        for url in [
            format!("https://{user}:{secret}@{host}{path}"),
            format!("http://{host}{path}?token={secret}&x=1"),
            format!("https://{secret}@{host}{path}"),
        ] {
            prop_assert!(!redact_url(&url).contains(secret), "{}", redact_url(&url));
            let message = format!("{around}GET {url}{around}: failed");
            let shown = redact_urls_in(&message);
            prop_assert!(!shown.contains(secret), "{}", shown);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RECORD (the wheel's CSV manifest): hostile text never panics; written rows read back.

use surestep::model::record::{HashAlgorithm, RecordHash, encode_hash, parse_hash, parse_record};

proptest! {
    #[test]
    fn record_text_never_panics(text in "(\\PC|[,\"\r\n=])*", hash in ".{0,80}") {
        let _ = parse_record(&text);
        let _ = parse_hash(&hash);
    }

    #[test]
    fn written_records_read_back(
        rows in prop::collection::vec(
            ("[a-z0-9_./ ,\"-]{1,30}", prop::collection::vec(any::<u8>(), 32), 0u64..1 << 40),
            0..20,
        )
    ) {
        let mut text = String::new();
        for (path, digest, size) in &rows {
            let quoted = format!("\"{}\"", path.replace('"', "\"\""));
            text.push_str(&format!("{quoted},{},{size}\n", encode_hash(HashAlgorithm::Sha256, digest)));
        }
        text.push_str("pkg-1.0.dist-info/RECORD,,\n");
        let entries = parse_record(&text).unwrap();
        prop_assert_eq!(entries.len(), rows.len() + 1);
        for (entry, (path, digest, size)) in entries.iter().zip(&rows) {
            prop_assert_eq!(&entry.path, path);
            prop_assert_eq!(
                &entry.hash,
                &RecordHash::Digest { algorithm: HashAlgorithm::Sha256, digest: digest.clone() }
            );
            prop_assert_eq!(entry.size.clone(), Some(Ok(*size)));
        }
        prop_assert_eq!(&entries[rows.len()].hash, &RecordHash::None);
    }
}

// ---------------------------------------------------------------------------------------------
// Simple API JSON (PEP 691) with hostile structure and values; --python / --platform specs;
// SHA256SUMS manifests.

use surestep::model::checksums::parse_manifest;
use surestep::model::matrix::{PlatformSpec, PythonSpec};
use surestep::model::simple_api::{page_kind, parse_json};

/// A JSON value of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z-]{1,12}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn simple_json_of_any_shape_never_panics(
        meta in any_json(),
        files in prop::collection::vec(any_json(), 0..4),
        version in "[0-9]{1,2}(\\.[0-9]{1,3})?|\\PC{0,6}",
        content_type in "\\PC{0,40}",
    ) {
        let page = reqwest::Url::parse("http://127.0.0.1:1/simple/p/").unwrap();
        let doc = serde_json::json!({ "meta": meta, "files": files });
        let _ = parse_json(&doc.to_string(), &page);
        let doc = serde_json::json!({ "meta": { "api-version": version }, "files": files });
        let _ = parse_json(&doc.to_string(), &page);
        let _ = page_kind(&content_type);
    }

    #[test]
    fn well_formed_simple_json_lists_every_file(
        files in prop::collection::vec(("[a-z]{1,8}-[0-9]\\.[0-9]\\.tar\\.gz", "[0-9a-f]{64}", "(\\.\\./)?([a-z]{1,5}/){0,2}"), 0..6),
    ) {
        let page = reqwest::Url::parse("http://127.0.0.1:1/simple/p/").unwrap();
        let listed: Vec<_> = files
            .iter()
            .map(|(name, sha, dir)| serde_json::json!({ "filename": name, "url": format!("{dir}{name}"), "hashes": { "sha256": sha } }))
            .collect();
        let doc = serde_json::json!({ "meta": { "api-version": "1.1" }, "files": listed });
        let parsed = parse_json(&doc.to_string(), &page).unwrap();
        prop_assert_eq!(parsed.len(), files.len());
        for (got, (name, sha, _)) in parsed.iter().zip(&files) {
            prop_assert_eq!(&got.filename, name);
            prop_assert_eq!(got.sha256(), Some(sha.as_str()));
            prop_assert!(got.url.starts_with("http://127.0.0.1:1/"), "{}", got.url);
        }
    }

    #[test]
    fn matrix_specs_and_manifests_never_panic(text in "\\PC{0,30}", manifest in "(\\PC|[ *\r\n])*") {
        let _ = PythonSpec::parse(&text);
        let _ = PlatformSpec::parse(&text);
        let _ = parse_manifest(&manifest);
    }
}
