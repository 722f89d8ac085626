//! Web pages and probes served beside the XRPC API.

pub mod did;
pub mod status;
