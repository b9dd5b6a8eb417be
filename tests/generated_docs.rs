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
