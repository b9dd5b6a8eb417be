//! Pure data and parsing, no I/O: versions, file formats, references.

pub mod image_ref;
pub mod oci;
pub mod tflock;
pub mod version;
pub mod version_file;
pub mod www_authenticate;
