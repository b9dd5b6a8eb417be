//! Shell completions and man pages, generated from the clap definitions.
//!
//! Checked in under `completions/` and `man/`; `tests/generated_docs.rs` fails when they are
//! stale and regenerates them with `SURESTEP_REGENERATE=1 cargo test --test generated_docs`.

use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;

/// Every generated file as (relative path, contents).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
        let mut cmd = Cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "surestep", &mut buf);
        let name = match shell {
            Shell::Bash => "surestep.bash",
            Shell::Zsh => "_surestep",
            Shell::Fish => "surestep.fish",
            Shell::PowerShell => "_surestep.ps1",
            _ => "surestep.elv",
        };
        files.push((format!("completions/{name}"), buf));
    }
    let cmd = Cli::command();
    files.push(("man/surestep.1".into(), render_man(cmd.clone())));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub = sub.clone();
        files.extend(subcommand_pages(sub, "surestep"));
    }
    files
}

/// A page for `prefix-name` and, recursively, for its own subcommands.
fn subcommand_pages(cmd: clap::Command, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let full = format!("{prefix}-{}", cmd.get_name());
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        out.extend(subcommand_pages(sub.clone(), &full));
    }
    let page = cmd.clone().name(full.clone()).bin_name(full.replace('-', " "));
    out.insert(0, (format!("man/{full}.1"), render_man(page)));
    out
}

fn render_man(cmd: clap::Command) -> Vec<u8> {
    let mut buf = Vec::new();
    let man = clap_mangen::Man::new(cmd).date("");
    // Writing into a Vec cannot fail.
    let _ = man.render(&mut buf);
    buf
}
