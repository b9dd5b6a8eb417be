//! Protocol clients. Each returns values and errors; none prints.

pub mod git;
pub mod http;
pub mod index;
pub mod trusted_publishing;
