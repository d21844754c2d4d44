//! Whole requests through the Worker's app, natively over the in-memory
//! store: any method, path, query, headers and body get an answer that is
//! not a 5xx (storage is healthy, secrets are set) and carries the
//! hardening headers every response must have.
//!
//! Input: one byte for the method, then `path?query` up to the first
//! newline, `name: value` header lines up to an empty line, then the body.
#![no_main]
use doi_core::Timestamp;
use doi_worker::ctx::{Ctx, Net, Outgoing};
use doi_worker::http::{Method, Request};
use doi_worker::store::MemoryStore;
use doi_worker::testing::{block_on, local_secrets};
use libfuzzer_sys::fuzz_target;

const METHODS: [Method; 5] = [Method::Get, Method::Post, Method::Delete, Method::Options, Method::Other];

/// Deliveries always succeed.
#[derive(Clone)]
struct Delivered;

impl Net for Delivered {
    async fn post(&self, _: &Outgoing) -> Result<u16, String> {
        Ok(200)
    }
}

fn request(data: &[u8]) -> Option<Request> {
    let (&m, rest) = data.split_first()?;
    let text = String::from_utf8_lossy(rest);
    let (target, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let target = if target.starts_with('/') { target.to_string() } else { format!("/{target}") };
    let mut req = Request::new(METHODS[usize::from(m) % METHODS.len()], &target);
    for line in head.lines() {
        if let Some((name, value)) = line.split_once(':') {
            req = req.with_header(name.trim(), value.trim());
        }
    }
    Some(req.with_body(body.as_bytes()))
}

fuzz_target!(|data: &[u8]| {
    let Some(req) = request(data) else { return };
    let config = doi_worker::config().expect("the built-in doi.toml is valid");
    let mut seed = [0u8; 32];
    seed[..data.len().min(32)].copy_from_slice(&data[..data.len().min(32)]);
    let mut ctx = Ctx::new(config, local_secrets(), MemoryStore::new(), Delivered, Timestamp(1_800_000_000_000), seed);
    ctx.base_url = req.origin.clone();
    let response = if req.body.len() > doi_worker::app::body_limit(&req.path) {
        doi_worker::app::too_large(&ctx, &req)
    } else {
        block_on(doi_worker::app::handle(&ctx, &req))
    };
    let what = format!("{:?} {} -> {}", req.method, req.path, response.status);
    assert!(response.status < 500, "{what}: {}", response.text());
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(response.header("referrer-policy"), Some("no-referrer"), "{what}");
    let csp = response.header("content-security-policy").unwrap_or("");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
});
