//! The sender's console (`/admin`): the decisions behind it, pure and
//! tested here, so the Worker's console handlers only move bytes.
//!
//! [`session`] signs and checks the token sign-in's session cookie and the
//! CSRF token of every form; [`access`] reads a Cloudflare Access JWT and
//! checks its claims (the RS256 signature itself is checked by the Worker,
//! which already links an RSA implementation); [`csv`] reads the list of
//! addresses to suppress that a sender uploads.

pub mod access;
pub mod csv;
pub mod session;
