//! `com.atproto.identity.*`.

pub mod resolve_handle;
