//! The public inspection API (reused by `publish`) on the real fixture wheels.

use std::path::{Path, PathBuf};
use surestep::inspect::{ArtifactKind, InspectOptions, inspect_file};

fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/wheels");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: {} is absent (the shared fixtures are not mounted)", dir.display());
        None
    }
}

#[test]
fn every_fixture_passes_untouched_with_the_published_sha256() {
    let Some(dir) = fixtures() else { return };
    let sums = std::fs::read_to_string(dir.join("../SHA256SUMS")).unwrap();
    let mut seen = 0;
    for sub in ["markupsafe-3.0.3", "pure"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let report = inspect_file(&path, &InspectOptions::default());
            assert!(report.problems.is_empty(), "{}: {:#?}", path.display(), report.problems);
            assert!(
                sums.contains(&report.sha256),
                "{} sha256 {} not in SHA256SUMS",
                path.display(),
                report.sha256
            );
            let meta = report.metadata.as_ref().expect("metadata parsed");
            assert_eq!(Some(meta.get("Version").unwrap()), report.version.as_deref());
            assert!(report.members > 3 && report.inflated > 0);
            seen += 1;
        }
    }
    assert_eq!(seen, 12);
}

#[test]
fn reports_kind_name_version_tags() {
    let Some(dir) = fixtures() else { return };
    let r =
        inspect_file(&dir.join("pure/packaging-25.0-py3-none-any.whl"), &InspectOptions::default());
    assert_eq!(r.kind, ArtifactKind::Wheel);
    assert_eq!((r.name.as_deref(), r.version.as_deref()), (Some("packaging"), Some("25.0")));
    assert_eq!(r.tags, ["py3-none-any"]);
    assert_eq!(r.metadata.unwrap().get("Name"), Some("packaging"));
    let s = inspect_file(
        &dir.join("markupsafe-3.0.3/markupsafe-3.0.3.tar.gz"),
        &InspectOptions::default(),
    );
    assert_eq!(s.kind, ArtifactKind::Sdist);
    assert_eq!(s.metadata.unwrap().get("Name"), Some("MarkupSafe"));
    let missing =
        inspect_file(Path::new("/nonexistent/x-1.0-py3-none-any.whl"), &InspectOptions::default());
    assert_eq!(missing.problems[0].code.as_str(), "not_found");
}
