//! One module per subcommand, each the story of that step, returning an exit status.

pub mod against;
pub mod check_tag;
pub mod lint;
pub mod lock;
pub mod promote;
pub mod publish;
pub mod verify_wheels;
pub mod wait_for_image;
