//! A problem found in a distribution file or in the set of files: a stable snake_case code for
//! scripts and tests, a sentence for people, and the archive member it is about, if any.

use serde::Serialize;

/// What kind of problem; serialized as a stable snake_case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    // The file itself.
    NotFound,
    Unreadable,
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

impl ProblemCode {
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
    pub message: String,
    /// The archive member it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl Problem {
    pub fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), member: None }
    }

    pub fn in_member(
        code: ProblemCode,
        member: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self { code, message: message.into(), member: Some(member.into()) }
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
