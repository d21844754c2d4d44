//! The sender's console (`/admin`): the decisions behind it, pure and
//! tested here, so the Worker's console handlers only move bytes.
//!
//! [`session`] signs and checks the token sign-in's session cookie and the
//! CSRF token of every form; [`access`] reads a Cloudflare Access JWT and
//! checks its claims (the RS256 signature itself is checked by the Worker,
//! which already links an RSA implementation); [`csv`] reads the list of
//! addresses to suppress that a sender uploads.
//!
//! The overview: [`summary`] folds a subscriber's state into the few
//! hundred bytes their snapshot key's metadata carries, [`rollup`] counts
//! summaries into the overview's numbers, and [`pass`] says when the cron
//! recounts.

pub mod access;
pub mod csv;
pub mod pass;
pub mod rollup;
pub mod session;
pub mod summary;
