//! How an `--against` comparison reads: the release's matrix with a "previous" mark per cell
//! (✓ kept, ~ changed, ✗ dropped, – excused, + added), then one line per change, drop and
//! excuse; the same table in the step summary. Shared by verify-wheels and publish.

use super::Styles;
use super::style::md_escape;
use crate::commands::against::AgainstReport;
use crate::model::matrix::row_key;
use crate::model::previous_release::{CellStatus, CellVerdict};

fn mark(status: CellStatus) -> &'static str {
    match status {
        CellStatus::Kept => "✓",
        CellStatus::Changed => "~",
        CellStatus::Dropped => "✗",
        CellStatus::Excused => "–",
        CellStatus::Added => "+",
    }
}

/// Rows (`cp310`…, `sdist` last) and columns (platform family and architecture) of the table.
fn grid(report: &AgainstReport) -> (Vec<String>, Vec<String>) {
    let mut rows: Vec<String> =
        report.cells.iter().filter(|c| c.platform != "sdist").map(CellVerdict::row).collect();
    rows.sort_by_key(|r| row_key(r));
    rows.dedup();
    if report.cells.iter().any(|c| c.platform == "sdist") {
        rows.push("sdist".into());
    }
    let mut columns: Vec<String> =
        report.cells.iter().filter(|c| c.platform != "sdist").map(|c| c.platform.clone()).collect();
    columns.sort();
    columns.dedup();
    (rows, columns)
}

fn find<'a>(report: &'a AgainstReport, row: &str, column: &str) -> Option<&'a CellVerdict> {
    report.cells.iter().find(|c| {
        if row == "sdist" { c.platform == "sdist" } else { c.row() == row && c.platform == column }
    })
}

/// The text block: headline, table, then the cells that need a word.
pub fn text(report: &AgainstReport, s: &Styles) -> String {
    let headline_mark = if !report.dropped.is_empty() { s.bad("✗") } else { s.good("✓") };
    let mut out = format!("{headline_mark} {}", report.summary);
    if report.previous_version.is_some() {
        let (rows, columns) = grid(report);
        let first = rows.iter().map(String::len).max().unwrap_or(0).max(8);
        let widths: Vec<usize> = columns.iter().map(|c| c.chars().count().max(3)).collect();
        out.push_str(&format!("\n  {:first$}", "previous"));
        for (c, w) in columns.iter().zip(&widths) {
            out.push_str(&format!("  {c:w$}"));
        }
        for row in &rows {
            out.push_str(&format!("\n  {row:first$}"));
            // The sdist has no platform: one mark, under the first column.
            let none = String::new();
            let cols: Vec<&String> = if row == "sdist" {
                columns.iter().take(1).chain(columns.is_empty().then_some(&none)).collect()
            } else {
                columns.iter().collect()
            };
            for (c, w) in cols.iter().zip(widths.iter().chain(std::iter::once(&1))) {
                let (text, painted) = match find(report, row, c) {
                    None => ("·".to_owned(), s.dim("·")),
                    Some(v) => {
                        let m = mark(v.status);
                        let painted = match v.status {
                            CellStatus::Dropped => s.bad(m),
                            CellStatus::Changed | CellStatus::Excused => s.warn(m),
                            CellStatus::Kept | CellStatus::Added => s.good(m),
                        };
                        (m.to_owned(), painted)
                    }
                };
                let pad = w.saturating_sub(text.chars().count());
                out.push_str(&format!("  {painted}{}", " ".repeat(pad)));
            }
        }
        out.push_str(&format!("\n  {}", s.dim("✓ kept  ~ changed  ✗ dropped  – excused  + added")));
    }
    // Dropped cells are problems: they are listed with the run's problems, naming the wheel.
    for c in &report.changed {
        out.push_str(&format!("\n  {} changed: {c}", s.warn("~")));
    }
    for e in &report.excused {
        out.push_str(&format!("\n  {} excused: {e}", s.warn("–")));
    }
    if !report.added.is_empty() {
        out.push_str(&format!("\n  {} added: {}", s.good("+"), report.added.join(", ")));
    }
    if !report.already_on_index.is_empty() {
        out.push_str(&format!(
            "\n  already on the index (count as covered): {}",
            report.already_on_index.join(", ")
        ));
    }
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// The step-summary section.
pub fn summary(report: &AgainstReport) -> String {
    let mut md = format!("#### Against the previous release\n\n{}\n\n", md_escape(&report.summary));
    if report.previous_version.is_some() {
        let (rows, columns) = grid(report);
        md.push_str("| previous |");
        for c in &columns {
            md.push_str(&format!(" {} |", md_escape(c)));
        }
        md.push_str(&format!("\n|---|{}\n", "---|".repeat(columns.len())));
        for row in &rows {
            md.push_str(&format!("| {} |", md_escape(row)));
            for c in &columns {
                let cell = find(report, row, c).map(|v| match v.status {
                    CellStatus::Kept => "✅ kept",
                    CellStatus::Changed => "⚠️ changed",
                    CellStatus::Dropped => "❌ dropped",
                    CellStatus::Excused => "➖ excused",
                    CellStatus::Added => "➕ added",
                });
                md.push_str(&format!(" {} |", cell.unwrap_or("·")));
                if row == "sdist" {
                    md.push_str(&" |".repeat(columns.len().saturating_sub(1)));
                    break;
                }
            }
            md.push('\n');
        }
        md.push('\n');
    }
    // Dropped cells are listed with the run's problems.
    for c in &report.changed {
        md.push_str(&format!("- ⚠️ changed {}\n", md_escape(c)));
    }
    for e in &report.excused {
        md.push_str(&format!("- ➖ excused {}\n", md_escape(e)));
    }
    md.push('\n');
    md
}
