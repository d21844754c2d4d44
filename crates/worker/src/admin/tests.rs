//! The console's native tests: the guard on every route, the token
//! sign-in and its cookie, CSRF and origin checks, Cloudflare Access
//! tokens (signed in the test with the committed RSA test key; forged,
//! expired, wrong-audience and wrong-issuer ones refused), and one person's
//! lookup, proof, suppress and erase over the in-memory store.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};

use crate::app;
use crate::http::{Method, Request, Response};
use crate::secrets::Secrets;
use crate::store::MemoryStore;
use crate::testing::{block_on, ctx, local_var, Recorder};

mod cost;
mod flows;
mod overview;

/// Every console route and method a browser could ask for.
pub(super) const ROUTES: &[(Method, &str)] = &[
    (Method::Get, "/admin"),
    (Method::Get, "/admin/"),
    (Method::Post, "/admin/sign-out"),
    (Method::Post, "/admin/person"),
    (Method::Post, "/admin/proof"),
    (Method::Post, "/admin/suppress"),
    (Method::Post, "/admin/erase"),
    (Method::Get, "/admin/suppress-list"),
    (Method::Post, "/admin/suppress-list"),
    (Method::Get, "/admin/export"),
    (Method::Get, "/admin/export/download"),
    (Method::Get, "/admin/overview"),
    (Method::Post, "/admin/overview/recount"),
    (Method::Get, "/admin/activity"),
    (Method::Get, "/admin/subscriber/AAAAAAAAAAAAAAAAAAAAAA"),
    (Method::Get, "/admin/nothing-here"),
    (Method::Delete, "/admin/person"),
];

pub(super) fn call(c: &crate::ctx::Ctx<MemoryStore, Recorder>, req: &Request) -> Response {
    block_on(app::handle(c, req))
}

pub(super) fn framed_by_nobody_and_never_stored(r: &Response) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert!(r
        .header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'none'"));
}

/// A sign-in with the local API token: the session cookie's value.
pub(super) fn signed_in(c: &crate::ctx::Ctx<MemoryStore, Recorder>) -> String {
    let token = local_var("DOI_API_TOKEN").unwrap();
    let r = call(
        c,
        &Request::new(Method::Post, "/admin/sign-in?lang=en")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(format!("token={token}")),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let cookie = r.header("set-cookie").unwrap();
    cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

#[test]
fn every_console_route_refuses_without_sign_in() {
    let c = ctx(
        &MemoryStore::new(),
        &Recorder::default(),
        1_800_000_000_000,
        1,
    );
    for (m, p) in ROUTES {
        let r = call(
            &c,
            &Request::new(*m, p).with_body("csrf=x&email=a%40example.com&confirm=yes"),
        );
        assert_eq!(r.status, 401, "{m:?} {p}");
        framed_by_nobody_and_never_stored(&r);
        assert!(r.text().contains("name=\"token\""), "{p}: the sign-in form");
    }
    let forged = "doi_console=v1.9999999999999.bm9uY2U.AAAA";
    let r = call(
        &c,
        &Request::new(Method::Get, "/admin").with_header("cookie", forged),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn a_sign_in_with_the_api_token_gives_a_strict_cookie_that_expires() {
    let store = MemoryStore::new();
    let net = Recorder::default();
    let c = ctx(&store, &net, 1_800_000_000_000, 1);
    let wrong = call(
        &c,
        &Request::new(Method::Post, "/admin/sign-in")
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body("token=guess"),
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("set-cookie").is_none());
    let token = local_var("DOI_API_TOKEN").unwrap();
    let ok = call(
        &c,
        &Request::new(Method::Post, "/admin/sign-in?lang=ja").with_body(format!("token={token}")),
    );
    assert_eq!(
        (ok.status, ok.header("location")),
        (303, Some("/admin?lang=ja"))
    );
    let cookie = ok.header("set-cookie").unwrap();
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let value = signed_in(&c);
    let home =
        Request::new(Method::Get, "/admin").with_header("cookie", &format!("doi_console={value}"));
    let r = call(&c, &home);
    assert_eq!(r.status, 200);
    framed_by_nobody_and_never_stored(&r);
    let later = ctx(&store, &net, 1_800_000_000_000 + 8 * 3_600_000, 2);
    assert_eq!(call(&later, &home).status, 401, "the session has expired");
    assert!(store.keys().is_empty(), "a sign-in writes nothing to KV");
}

#[test]
fn a_form_without_the_csrf_token_or_from_another_origin_is_refused() {
    let c = ctx(
        &MemoryStore::new(),
        &Recorder::default(),
        1_800_000_000_000,
        1,
    );
    let cookie = format!("doi_console={}", signed_in(&c));
    let post = |body: &str, origin: Option<&str>| {
        let mut r = Request::new(Method::Post, "/admin/person?lang=en")
            .with_header("cookie", &cookie)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(body.to_string());
        if let Some(o) = origin {
            r = r.with_header("origin", o);
        }
        call(&c, &r)
    };
    assert_eq!(post("email=a%40example.com", None).status, 403);
    assert_eq!(post("email=a%40example.com&csrf=wrong", None).status, 403);
    let home = call(
        &c,
        &Request::new(Method::Get, "/admin").with_header("cookie", &cookie),
    )
    .text();
    let csrf = flows::csrf_of(&home);
    let body = format!("email=a%40example.com&csrf={csrf}");
    assert_eq!(post(&body, Some("https://evil.example")).status, 403);
    let cross = |site: &str| {
        call(
            &c,
            &Request::new(Method::Post, "/admin/person?lang=en")
                .with_header("cookie", &cookie)
                .with_header("sec-fetch-site", site)
                .with_header("origin", "null")
                .with_body(body.clone()),
        )
        .status
    };
    assert_eq!(cross("cross-site"), 403);
    assert_eq!(cross("same-site"), 403);
    assert_eq!(
        cross("same-origin"),
        422,
        "a browser's own form (Origin: null under no-referrer)"
    );
    let r = post(&body, Some("http://127.0.0.1:8787"));
    assert_eq!(r.status, 422, "a valid form; nobody has this address");
    assert!(r.text().contains("There is no record"), "{}", r.text());
}

const AUD: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TEAM: &str = "doi-test";
const CERTS: &str = "https://doi-test.cloudflareaccess.com/cdn-cgi/access/certs";

fn key() -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(include_str!("../tests/data/sns-test-key.pem")).unwrap()
}

fn jwks(kid: &str) -> String {
    let public = key().to_public_key();
    let b = |v: Vec<u8>| URL_SAFE_NO_PAD.encode(v);
    format!(
        r#"{{"keys":[{{"kid":"{kid}","kty":"RSA","alg":"RS256","use":"sig","e":"{}","n":"{}"}}],"public_cert":{{}},"public_certs":[]}}"#,
        b(public.e().to_bytes_be()),
        b(public.n().to_bytes_be())
    )
}

fn jwt(kid: &str, claims: &str) -> String {
    let head = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{kid}","typ":"JWT"}}"#));
    let body = URL_SAFE_NO_PAD.encode(claims);
    let signed = format!("{head}.{body}");
    let sig = key()
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signed.as_bytes()),
        )
        .unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn claims(aud: &str, iss: &str, exp: u64) -> String {
    format!(
        r#"{{"aud":["{aud}"],"iss":"{iss}","exp":{exp},"iat":{},"sub":"u-1","email":"owner@example.com","type":"app"}}"#,
        exp - 600
    )
}

fn behind_access(
    store: &MemoryStore,
    net: &Recorder,
    now: u64,
) -> crate::ctx::Ctx<MemoryStore, Recorder> {
    super::access::clear_keys();
    let mut c = ctx(store, net, now, 3);
    c.secrets = Secrets::from_lookup(|n| match n {
        "DOI_ACCESS_TEAM" => Some(TEAM.into()),
        "DOI_ACCESS_AUD" => Some(AUD.into()),
        other => local_var(other),
    });
    c
}

#[test]
fn behind_access_only_a_valid_access_token_opens_the_console() {
    let now_s = 1_800_000_000;
    let (store, net) = (MemoryStore::new(), Recorder::default());
    net.serve(CERTS, 200, jwks("k1"));
    let c = behind_access(&store, &net, now_s * 1000);
    let iss = "https://doi-test.cloudflareaccess.com";
    let with = |token: &str| {
        call(
            &c,
            &Request::new(Method::Get, "/admin").with_header("cf-access-jwt-assertion", token),
        )
    };
    let good = jwt("k1", &claims(AUD, iss, now_s + 300));
    let r = with(&good);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("owner@example.com"));
    framed_by_nobody_and_never_stored(&r);
    // Forged: the claims changed after signing (a longer expiry).
    let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(claims(AUD, iss, now_s + 999_999));
    let forged = parts.join(".");
    let refused = [
        ("forged", forged),
        ("expired", jwt("k1", &claims(AUD, iss, now_s - 120))),
        (
            "wrong audience",
            jwt("k1", &claims("another-app", iss, now_s + 300)),
        ),
        (
            "wrong issuer",
            jwt(
                "k1",
                &claims(AUD, "https://evil.cloudflareaccess.com", now_s + 300),
            ),
        ),
        ("unknown key", jwt("k9", &claims(AUD, iss, now_s + 300))),
        (
            "none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#),
                parts[1]
            ),
        ),
        ("empty", String::new()),
    ];
    for (what, token) in &refused {
        let r = with(token);
        assert_eq!(r.status, 403, "{what}");
        framed_by_nobody_and_never_stored(&r);
    }
    assert_eq!(
        call(&c, &Request::new(Method::Get, "/admin")).status,
        403,
        "no header"
    );
    let token = local_var("DOI_API_TOKEN").unwrap();
    let r = call(
        &c,
        &Request::new(Method::Post, "/admin/sign-in").with_body(format!("token={token}")),
    );
    assert_eq!(r.status, 403, "behind Access the token sign-in is off");
    assert!(r.header("set-cookie").is_none());
}

#[test]
fn the_access_key_set_comes_only_from_the_team_unless_the_worker_runs_on_loopback() {
    let now_s = 1_800_000_000;
    let (store, net) = (MemoryStore::new(), Recorder::default());
    let local = "http://127.0.0.1:9999/certs";
    net.serve(local, 200, jwks("k1"));
    let mut c = behind_access(&store, &net, now_s * 1000);
    c.secrets = Secrets::from_lookup(|n| match n {
        "DOI_ACCESS_TEAM" => Some(TEAM.into()),
        "DOI_ACCESS_AUD" => Some(AUD.into()),
        "DOI_ACCESS_CERTS_URL" => Some(local.into()),
        other => local_var(other),
    });
    let token = jwt(
        "k1",
        &claims(AUD, "https://doi-test.cloudflareaccess.com", now_s + 300),
    );
    let req = Request::new(Method::Get, "/admin").with_header("cf-access-jwt-assertion", &token);
    assert_eq!(call(&c, &req).status, 200, "wrangler dev on 127.0.0.1");
    super::access::clear_keys();
    c.base_url = "https://doi.example.com".into();
    assert_eq!(call(&c, &req).status, 403, "deployed: only the team's URL");
    assert_eq!(net.fetched.borrow().last().map(String::as_str), Some(CERTS));
}
