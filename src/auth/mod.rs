//! Authentication: service-auth JWTs from PDSes proxying to Aerie (verified against the
//! issuer's DID document), and the keys they are signed with.

pub mod keys;
pub mod secret;
pub mod service_jwt;
