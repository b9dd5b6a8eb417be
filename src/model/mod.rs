//! Pure data and parsing, no I/O: versions, file formats, references.

pub mod checksums;
pub mod matrix;
pub mod metadata;
pub mod problem;
pub mod pypi_rules;
pub mod record;
pub mod sha256sums;
pub mod simple_api;
pub mod upload_form;
pub mod upload_plan;
pub mod version;
pub mod version_file;
pub mod wheel_name;
