//! Pure data and parsing, no I/O: versions, file formats, references.

pub mod checksums;
pub mod docker_config;
pub mod image_conditions;
pub mod image_ref;
pub mod lock_hold;
pub mod matrix;
pub mod metadata;
pub mod oci;
pub mod previous_release;
pub mod problem;
pub mod pypi_rules;
pub mod record;
pub mod release_age;
pub mod release_cells;
pub mod simple_api;
pub mod tflock;
pub mod upload_form;
pub mod upload_plan;
pub mod version;
pub mod version_file;
pub mod wheel_name;
pub mod www_authenticate;
