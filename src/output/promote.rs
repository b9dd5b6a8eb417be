//! How a `promote` outcome reads in text, GitHub outputs and the step summary.

use super::style::md_escape;
use super::{Annotation, Render, Styles};
use crate::commands::promote::{DestinationOutcome, PromoteOutcome};
use crate::exit::ExitStatus;

/// `12.3 MB`, `512 B`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

impl DestinationOutcome {
    fn line(&self) -> String {
        let what = match self.action {
            "unchanged" => "already there".to_owned(),
            action => {
                let mut s = format!(
                    "{action}: sent {} blobs ({}), {} manifests; skipped {} blobs",
                    self.blobs_sent,
                    bytes(self.bytes_sent),
                    self.manifests_sent,
                    self.blobs_skipped
                );
                if self.blobs_mounted > 0 {
                    s.push_str(&format!(", mounted {}", self.blobs_mounted));
                }
                s.push_str(&format!(" ({})", bytes(self.bytes_skipped)));
                if let Some(p) = &self.previous_digest {
                    s.push_str(&format!("; was {p}"));
                }
                s
            }
        };
        format!("{}  {what}", self.image)
    }
}

impl Render for PromoteOutcome {
    fn status(&self) -> ExitStatus {
        ExitStatus::Success
    }

    fn text(&self, s: &Styles) -> String {
        let mut out = format!(
            "{} promoted {} to {} {} in {}s ({} requests)",
            s.good("✓"),
            s.bold(&self.source_image),
            self.destinations.len(),
            if self.destinations.len() == 1 { "destination" } else { "destinations" },
            self.seconds,
            self.requests
        );
        for d in &self.destinations {
            out.push_str(&format!("\n  {}", d.line()));
        }
        out
    }

    fn outputs(&self) -> Vec<(String, String)> {
        let images: Vec<&str> = self.destinations.iter().map(|d| d.image.as_str()).collect();
        let overwritten: Vec<String> = self
            .destinations
            .iter()
            .filter_map(|d| d.previous_digest.as_ref().map(|p| format!("{}={p}", d.reference)))
            .collect();
        let mut out = vec![
            ("digest".into(), self.digest.to_string()),
            ("image".into(), images.first().map(|s| s.to_string()).unwrap_or_default()),
            ("images".into(), images.join("\n")),
            ("source_image".into(), self.source_image.clone()),
            (
                "bytes_sent".into(),
                self.destinations.iter().map(|d| d.bytes_sent).sum::<u64>().to_string(),
            ),
            (
                "bytes_skipped".into(),
                self.destinations.iter().map(|d| d.bytes_skipped).sum::<u64>().to_string(),
            ),
            ("overwritten".into(), overwritten.join("\n")),
        ];
        if let Some(c) = &self.trigger_conclusion {
            out.push(("trigger_conclusion".into(), c.clone()));
        }
        out
    }

    fn summary(&self) -> String {
        let mut md = format!(
            "### surestep promote\n\n✅ `{}` promoted ({}s, {} requests)\n\n\
             | destination | result | sent | skipped |\n|---|---|---|---|\n",
            md_escape(&self.source_image),
            self.seconds,
            self.requests
        );
        for d in &self.destinations {
            let result = match &d.previous_digest {
                Some(p) => format!("{} (was `{}`)", d.action, p.short()),
                None => d.action.to_owned(),
            };
            md.push_str(&format!(
                "| `{}` | {} | {} blobs, {} | {} blobs, {} |\n",
                md_escape(&d.image),
                result,
                d.blobs_sent,
                bytes(d.bytes_sent),
                d.blobs_skipped + d.blobs_mounted,
                bytes(d.bytes_skipped)
            ));
        }
        md
    }

    fn annotations(&self) -> Vec<Annotation> {
        self.notes.iter().map(Annotation::notice).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::bytes;

    #[test]
    fn sizes_read_well() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(52_428_800), "52.4 MB");
        assert_eq!(bytes(1_500), "1.5 KB");
    }
}
