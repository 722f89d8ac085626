//! `com.atproto.repo.*`.

pub mod get_record;
pub mod write;
