//! Pure data and parsing, no I/O: versions, file formats, references.

pub mod tflock;
pub mod version;
pub mod version_file;
