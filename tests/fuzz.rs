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
