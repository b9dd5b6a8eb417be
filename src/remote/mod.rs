//! Protocol clients. Each returns values and errors; none prints.

pub mod credentials;
pub mod git;
pub mod http;
pub mod index;
pub mod registry;
pub mod s3_lock;
pub mod tls;
pub mod trusted_publishing;
