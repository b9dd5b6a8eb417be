//! `*.dist-info/RECORD`: CSV rows of `path,hash,size` where hash is
//! `<algorithm>=<urlsafe base64 of the digest, no padding>`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A hash algorithm RECORD may name. md5 and sha1 are refused by the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }
}

/// The hash column of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordHash {
    /// No hash (allowed only for RECORD itself and signature files).
    None,
    Digest {
        algorithm: HashAlgorithm,
        digest: Vec<u8>,
    },
    /// md5, sha1 or an unknown algorithm.
    Unsupported(String),
    /// Not `<algorithm>=<base64>`.
    Malformed(String),
}

/// One RECORD row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// 1-based line number in RECORD, for messages.
    pub line: u64,
    pub path: String,
    pub hash: RecordHash,
    /// `None` when the size column is empty; `Err` text when it is not a number.
    pub size: Option<Result<u64, String>>,
}

/// Why RECORD could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RECORD line {line}: {message}")]
pub struct RecordError {
    pub line: u64,
    pub message: String,
}

/// Parses RECORD text. Rows with a wrong column count are errors; empty lines are skipped.
pub fn parse_record(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    // 1-based line of a record starting at `byte` (csv's own line counter lags on CRLF, and
    // may report the position of the `\n` of a CRLF it skipped: count that one too). Rows come
    // in order, so count incrementally from the previous row.
    let (mut counted_to, mut lines) = (0usize, 1u64);
    let mut line_at = |byte: u64| {
        let end = usize::try_from(byte).unwrap_or(usize::MAX).saturating_add(1).min(text.len());
        if end > counted_to {
            lines +=
                text.as_bytes()[counted_to..end].iter().filter(|&&b| b == b'\n').count() as u64;
            counted_to = end;
        }
        lines
    };
    for row in reader.records() {
        let row = row.map_err(|e| RecordError {
            line: e.position().map_or(0, |p| line_at(p.byte())),
            message: e.to_string(),
        })?;
        let line = row.position().map_or(0, |p| line_at(p.byte()));
        if row.len() == 1 && row.get(0).is_some_and(str::is_empty) {
            continue;
        }
        if row.len() != 3 {
            return Err(RecordError {
                line,
                message: format!("expected 3 columns (path,hash,size), found {}", row.len()),
            });
        }
        let path = row.get(0).unwrap_or_default().to_owned();
        let hash = parse_hash(row.get(1).unwrap_or_default());
        let size = row
            .get(2)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u64>().map_err(|_| s.to_owned()));
        out.push(RecordEntry { line, path, hash, size });
    }
    Ok(out)
}

/// Parses `sha256=<urlsafe-b64>`.
pub fn parse_hash(text: &str) -> RecordHash {
    if text.is_empty() {
        return RecordHash::None;
    }
    let Some((algorithm, encoded)) = text.split_once('=') else {
        return RecordHash::Malformed(text.to_owned());
    };
    let algorithm = match algorithm.to_ascii_lowercase().as_str() {
        "sha256" => HashAlgorithm::Sha256,
        "sha384" => HashAlgorithm::Sha384,
        "sha512" => HashAlgorithm::Sha512,
        other => return RecordHash::Unsupported(other.to_owned()),
    };
    // Some writers keep the `=` padding; accept it, the digest is what matters.
    match URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')) {
        Ok(digest) => RecordHash::Digest { algorithm, digest },
        Err(_) => RecordHash::Malformed(text.to_owned()),
    }
}

/// Encodes a digest the way RECORD spells it: `sha256=<urlsafe base64, no padding>`.
pub fn encode_hash(algorithm: HashAlgorithm, digest: &[u8]) -> String {
    format!("{}={}", algorithm.name(), URL_SAFE_NO_PAD.encode(digest))
}

/// Whether a path is RECORD itself or one of its signature files, which need no hash.
pub fn is_record_or_signature(path: &str) -> bool {
    path.ends_with(".dist-info/RECORD")
        || path.ends_with(".dist-info/RECORD.jws")
        || path.ends_with(".dist-info/RECORD.p7s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_with_quoted_paths() {
        let text = "a/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n\"odd,name.py\",sha256=AAAA,10\nx.dist-info/RECORD,,\n";
        let rows = parse_record(text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].size, Some(Ok(0)));
        let RecordHash::Digest { algorithm, digest } = &rows[0].hash else { panic!() };
        assert_eq!(*algorithm, HashAlgorithm::Sha256);
        assert_eq!(digest.len(), 32);
        assert_eq!(
            encode_hash(*algorithm, digest),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert_eq!(rows[1].path, "odd,name.py");
        assert_eq!(rows[2].hash, RecordHash::None);
        assert_eq!(rows[2].size, None);
        assert_eq!(rows[1].line, 2);
    }

    #[test]
    fn classifies_bad_hashes_and_rows() {
        assert_eq!(parse_hash("md5=abc"), RecordHash::Unsupported("md5".into()));
        assert!(matches!(parse_hash("sha256"), RecordHash::Malformed(_)));
        assert!(matches!(parse_hash("sha256=!!"), RecordHash::Malformed(_)));
        let err = parse_record("a,b\n").unwrap_err();
        assert_eq!(err.line, 1);
        let rows = parse_record("a,sha256=AAAA,x\n").unwrap();
        assert_eq!(rows[0].size, Some(Err("x".into())));
        assert!(is_record_or_signature("p-1.dist-info/RECORD.jws"));
    }
}
