//! Claim checks of Access tokens; signatures are tested in the Worker.

use super::*;
use proptest::prelude::*;

const AUD: &str = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const ISS: &str = "https://doi-test.cloudflareaccess.com";

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

fn token(header: &str, claims: &str) -> String {
    format!(
        "{}.{}.{}",
        b64(header),
        b64(claims),
        URL_SAFE_NO_PAD.encode(b"sig")
    )
}

fn claims(exp: u64) -> Claims {
    Claims {
        aud: vec![AUD.into()],
        iss: ISS.into(),
        exp,
        nbf: Some(exp - 3600),
        iat: Some(exp - 3600),
        sub: "u1".into(),
        email: Some("owner@example.com".into()),
    }
}

#[test]
fn a_token_access_sends_is_parsed_with_its_key_id_and_claims() {
    let t = token(
        r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#,
        &format!(
            r#"{{"aud":["{AUD}"],"iss":"{ISS}","exp":2000,"iat":1000,"nbf":1000,"sub":"u1","email":"a@b.example","type":"app"}}"#
        ),
    );
    let jwt = parse(&t).unwrap();
    assert_eq!(jwt.kid, "k1");
    assert_eq!(jwt.signature, b"sig");
    assert_eq!(jwt.claims.aud, vec![AUD.to_string()]);
    assert!(t.starts_with(&jwt.signed));
}

#[test]
fn only_rs256_is_accepted_never_none_or_hmac() {
    for alg in ["none", "HS256", "RS384", "ES256"] {
        let t = token(
            &format!(r#"{{"alg":"{alg}","kid":"k1"}}"#),
            r#"{"aud":"a","iss":"i","exp":1}"#,
        );
        assert_eq!(parse(&t).unwrap_err(), AccessError::Algorithm, "{alg}");
    }
    let no_kid = token(r#"{"alg":"RS256"}"#, r#"{"aud":"a","iss":"i","exp":1}"#);
    assert_eq!(parse(&no_kid).unwrap_err(), AccessError::UnknownKey);
}

#[test]
fn malformed_tokens_are_refused() {
    for t in [
        "",
        "a.b",
        "a.b.c.d",
        "!!.!!.!!",
        &token(r#"{"alg":"RS256","kid":"k"}"#, r#"{"exp":1}"#),
    ] {
        assert_eq!(parse(t).unwrap_err(), AccessError::Malformed, "{t}");
    }
}

#[test]
fn the_audience_the_issuer_and_the_time_are_checked() {
    let now = Timestamp(1_000_000 * 1000);
    let c = claims(1_000_000 + 600);
    assert_eq!(check(&c, AUD, ISS, now), Ok(()));
    assert_eq!(check(&c, "other", ISS, now), Err(AccessError::Audience));
    assert_eq!(check(&c, "", ISS, now), Err(AccessError::Audience));
    assert_eq!(
        check(&c, AUD, "https://evil.cloudflareaccess.com", now),
        Err(AccessError::Issuer)
    );
    let old = claims(1_000_000 - LEEWAY_SECS);
    assert_eq!(check(&old, AUD, ISS, now), Err(AccessError::Expired));
    let mut early = claims(1_000_000 + 7200);
    early.nbf = Some(1_000_000 + 3600);
    assert_eq!(check(&early, AUD, ISS, now), Err(AccessError::NotYetValid));
}

#[test]
fn the_issuer_and_certs_url_follow_from_the_team_name_or_domain() {
    for team in [
        "doi-test",
        "doi-test.cloudflareaccess.com",
        "https://doi-test.cloudflareaccess.com/",
    ] {
        assert_eq!(issuer(team), ISS);
    }
    assert_eq!(certs_url("doi-test"), format!("{ISS}/cdn-cgi/access/certs"));
}

#[test]
fn a_key_set_yields_its_rsa_signing_keys() {
    let json =
        br#"{"keys":[{"kid":"k1","kty":"RSA","alg":"RS256","use":"sig","e":"AQAB","n":"AQID"},
        {"kid":"k2","kty":"EC","crv":"P-256","x":"AA","y":"AA"},
        {"kid":"k3","kty":"RSA","use":"enc","e":"AQAB","n":"AQID"}],"public_cert":{}}"#;
    let keys = key_set(json).unwrap();
    assert_eq!(
        keys,
        vec![RsaKey {
            kid: "k1".into(),
            n: vec![1, 2, 3],
            e: vec![1, 0, 1]
        }]
    );
    assert_eq!(key_set(b"[]").unwrap_err(), AccessError::Malformed);
}

proptest! {
    #[test]
    fn a_token_is_refused_from_the_moment_it_expires(exp in 10_000u64..1_000_000_000, late in 0u64..100_000) {
        let now = Timestamp((exp + LEEWAY_SECS + late) * 1000);
        prop_assert_eq!(check(&claims(exp), AUD, ISS, now), Err(AccessError::Expired));
    }

    #[test]
    fn any_other_audience_is_refused(aud in "[a-f0-9]{1,64}") {
        prop_assume!(aud != AUD);
        let now = Timestamp(1_000 * 1000);
        prop_assert_eq!(check(&claims(5_000), &aud, ISS, now), Err(AccessError::Audience));
    }
}
