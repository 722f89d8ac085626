//! `com.atproto.repo.*`.

pub mod get_record;
