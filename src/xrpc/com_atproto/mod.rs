//! `com.atproto.*` methods Aerie answers itself.

pub mod identity;
pub mod repo;
pub mod server;
