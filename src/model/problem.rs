//! A problem found in a distribution file or in the set of files: a stable snake_case code for
//! scripts and tests, a sentence for people, the archive member it is about, if any, and how
//! grave it is.
//!
//! The rule for the severity: anything PyPI accepts and pip installs must pass, so a check
//! stricter than PyPI's upload checks and pip's install checks is a [`Severity::Warning`] unless
//! it guards against a corrupt or tampered file (hashes, sizes, zip structure, unsafe paths).

use serde::Serialize;

/// What kind of problem; serialized as a stable snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    // The file itself.
    NotFound,
    Unreadable,
    /// Named like a distribution but not a regular file: a dangling symlink, a symlink loop,
    /// a directory.
    NotAFile,
    Filename,
    // Zip structure.
    NotAZip,
    Truncated,
    CentralDirectory,
    ArchiveComment,
    TrailingData,
    Zip64ExtensibleData,
    DataDescriptor,
    CompressionMethod,
    Encrypted,
    DuplicateName,
    UnsafePath,
    EntryOutOfBounds,
    OverlappingEntries,
    HiddenData,
    LocalHeaderMismatch,
    ZipBomb,
    // Member content.
    CorruptMember,
    CrcMismatch,
    SizeMismatch,
    // RECORD.
    RecordMissing,
    RecordInvalid,
    RecordHashMismatch,
    RecordSizeMismatch,
    RecordMissingHash,
    RecordWeakHash,
    UnlistedFile,
    MissingFile,
    // Metadata.
    DistInfo,
    MetadataMissing,
    MetadataInvalid,
    NameMismatch,
    VersionMismatch,
    WheelFileMissing,
    WheelFileInvalid,
    TagMismatch,
    LicenseFileMissing,
    // Source distributions.
    SdistLayout,
    PkgInfoMissing,
    // The set of files.
    NoArtifacts,
    MixedNames,
    MixedVersions,
    ExpectedVersion,
    MissingCell,
    DuplicateCell,
    SdistCount,
    // PyPI preflight.
    PypiPlatformTag,
    PypiFilename,
    PypiLocalVersion,
    PypiFileSize,
    PypiSdistCount,
    // --against: the previous release on the index.
    DroppedSincePrevious,
    PypiReleaseClosed,
    IndexUnreadable,
}

/// Whether a problem fails the check or is only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Fails the run (exit 1): PyPI or pip would refuse the file, the file is corrupt or may
    /// have been tampered with, or a check the flags asked for failed.
    Error,
    /// Reported, never fails the run: stricter than PyPI and pip, with nothing corrupt.
    Warning,
}

impl ProblemCode {
    /// How grave a problem of this code is by default (see the module doc for the rule).
    pub fn severity(self) -> Severity {
        use ProblemCode::*;
        match self {
            // pip ignores the WHEEL `Tag:` lines (it reads the filename) and PyPI does not
            // compare them: a disagreement is a sloppy generator, not a broken wheel.
            TagMismatch
            // PyPI and pip accept RECORD rows without a hash or with md5/sha1; the file is
            // only less protected, not corrupt.
            | RecordMissingHash
            | RecordWeakHash => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The code as it appears in JSON.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Problems that mean the file could not be read at all (an environment failure).
    pub fn is_environment(self) -> bool {
        matches!(self, ProblemCode::Unreadable | ProblemCode::IndexUnreadable)
    }
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: ProblemCode,
    /// `error` fails the run; `warning` is reported only.
    pub severity: Severity,
    pub message: String,
    /// The archive member it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Problem {
    pub fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        Self { code, severity: code.severity(), message: message.into(), member: None }
    }

    /// The same problem, only reported (for a code that is an error in other cases).
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Whether this problem fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn in_member(
        code: ProblemCode,
        member: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            member: Some(member.into()),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.member {
            Some(m) => write!(f, "{m}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case() {
        assert_eq!(ProblemCode::RecordHashMismatch.as_str(), "record_hash_mismatch");
        assert_eq!(ProblemCode::Zip64ExtensibleData.as_str(), "zip64_extensible_data");
        let p = Problem::in_member(ProblemCode::CrcMismatch, "a.py", "bad");
        assert_eq!(p.to_string(), "a.py: bad");
    }
}
