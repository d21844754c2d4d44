//! One person through the console over the in-memory store: lookup,
//! proof, suppress (with its confirmation step), erase, and the CSV upload;
//! what `/v1/check` answers afterwards is what the console did.

use crate::http::{Method, Request};
use crate::tests::{record, World};

/// The CSRF token in a console page's forms.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// The session cookie a sign-in answer sets, as a browser sends it back.
pub(super) fn session_cookie(r: &crate::http::Response) -> String {
    r.header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

pub(super) struct Viewer<'a> {
    w: &'a World,
    pub(super) cookie: String,
    csrf: String,
}

impl<'a> Viewer<'a> {
    pub(super) fn sign_in(w: &'a World) -> Viewer<'a> {
        let token = crate::testing::local_var("DOI_API_TOKEN").unwrap();
        let r = w
            .send(Request::new(Method::Post, "/admin/sign-in").with_body(format!("token={token}")));
        let cookie = session_cookie(&r);
        let home =
            w.send(Request::new(Method::Get, "/admin?lang=en").with_header("cookie", &cookie));
        let csrf = csrf_of(&home.text());
        Viewer { w, cookie, csrf }
    }

    pub(super) fn post(&self, path: &str, fields: &[(&str, &str)]) -> crate::http::Response {
        let mut body = format!("csrf={}", self.csrf);
        for (k, v) in fields {
            body.push_str(&format!("&{k}={}", crate::formdata::percent_encode(v)));
        }
        self.w.send(
            Request::new(Method::Post, &format!("{path}?lang=en"))
                .with_header("cookie", &self.cookie)
                .with_header("origin", "http://127.0.0.1:8787")
                .with_header("content-type", "application/x-www-form-urlencoded")
                .with_body(body),
        )
    }
}

#[test]
fn one_person_is_looked_up_proven_suppressed_and_erased() {
    let w = World::new();
    assert_eq!(
        w.subscribe(&record(
            "whitepaper",
            "Hanako@Example.jp",
            "console-record-0001"
        ))
        .status,
        200
    );
    let v = Viewer::sign_in(&w);
    // Typed as an IME would: full-width.
    let page = v.post(
        "/admin/person",
        &[("email", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ")],
    );
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("hanako@example.jp") && html.contains("Log check: every event links"));
    assert!(html.contains("subscribed") && html.contains("JST"));
    let proof = v
        .post("/admin/proof", &[("email", "hanako@example.jp")])
        .text();
    assert!(proof.contains("The consent text as shown"), "{proof}");
    assert!(
        proof.contains("on the site") || proof.contains("widget"),
        "how"
    );
    let ask = v.post("/admin/suppress", &[("email", "hanako@example.jp")]);
    assert!(ask.text().contains("Are you sure?"));
    assert!(
        w.check("hanako@example.jp", None).0,
        "asking changed nothing"
    );
    let done = v.post(
        "/admin/suppress",
        &[
            ("email", "hanako@example.jp"),
            ("confirm", "yes"),
            ("reason", "complaint"),
        ],
    );
    assert!(done.text().contains("Suppressed."), "{}", done.text());
    assert_eq!(w.check("hanako@example.jp", None).1, "unsubscribed");
    assert!(v
        .post("/admin/erase", &[("email", "hanako@example.jp")])
        .text()
        .contains("Are you sure?"));
    let erased = v.post(
        "/admin/erase",
        &[("email", "hanako@example.jp"), ("confirm", "yes")],
    );
    assert!(erased.text().contains("Erased."), "{}", erased.text());
    assert_eq!(w.check("hanako@example.jp", None).1, "erased");
    assert!(
        w.logs.borrow().iter().all(|l| !l.contains("hanako")),
        "no address in a log line"
    );
}

#[test]
fn a_csv_upload_suppresses_its_addresses_and_reports_the_lines_it_could_not_read() {
    let w = World::new();
    for (i, e) in ["a@example.com", "b@example.com"].iter().enumerate() {
        assert_eq!(
            w.subscribe(&record("whitepaper", e, &format!("console-record-{i:04}")))
                .status,
            200
        );
    }
    let v = Viewer::sign_in(&w);
    let csv = "email,name\r\na@example.com,A\r\nnot an address,X\r\nb@example.com,B\r\n";
    let body = format!(
        "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--B\r\nContent-Disposition: form-data; name=\"reason\"\r\n\r\nbounce\r\n\
--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--B--\r\n",
        v.csrf
    );
    let r = w.send(
        Request::new(Method::Post, "/admin/suppress-list?lang=en")
            .with_header("cookie", &v.cookie)
            .with_header("content-type", "multipart/form-data; boundary=B")
            .with_body(body),
    );
    let html = r.text();
    assert_eq!(r.status, 200, "{html}");
    assert!(html.contains("2 addresses suppressed."), "{html}");
    assert!(html.contains("<td>3</td><td>not an address</td>"), "{html}");
    assert_eq!(w.check("a@example.com", None).1, "unsubscribed");
    assert_eq!(w.check("b@example.com", None).1, "unsubscribed");
}

#[test]
fn a_shift_jis_upload_suppresses_its_ascii_addresses_and_says_to_save_as_utf8() {
    let w = World::new();
    let v = Viewer::sign_in(&w);
    // 名前,メールアドレス / 佐藤,sjis@example.jp as a Japanese Excel saves "CSV".
    let csv: &[u8] = b"\x96\xbc\x91\x4f,\x83\x81\x81\x5b\x83\x8b\x83\x41\x83\x68\x83\x8c\x83\x58\r\n\x8d\xb2\x93\xa1,sjis@example.jp\r\n";
    let mut body = format!(
        "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\n\r\n",
        v.csrf
    )
    .into_bytes();
    body.extend_from_slice(csv);
    body.extend_from_slice(b"\r\n--B--\r\n");
    let r = w.send(
        Request::new(Method::Post, "/admin/suppress-list?lang=ja")
            .with_header("cookie", &v.cookie)
            .with_header("content-type", "multipart/form-data; boundary=B")
            .with_body(body),
    );
    let html = r.text();
    assert_eq!(r.status, 200, "{html}");
    assert!(html.contains("1件を配信停止にしました。"), "{html}");
    assert!(html.contains("「CSV UTF-8」で保存"), "{html}");
    assert_eq!(w.check("sjis@example.jp", None).1, "unsubscribed");
}

#[test]
fn an_upload_over_the_batch_limit_is_refused_whole() {
    let w = World::new();
    let v = Viewer::sign_in(&w);
    let csv: String = (0..=doi_core::limits::CHANGE_BATCH)
        .map(|i| format!("p{i}@example.com\n"))
        .collect();
    let body = format!(
        "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"l.csv\"\r\n\r\n{csv}\r\n--B--\r\n",
        v.csrf
    );
    let r = w.send(
        Request::new(Method::Post, "/admin/suppress-list?lang=en")
            .with_header("cookie", &v.cookie)
            .with_header("content-type", "multipart/form-data; boundary=B")
            .with_body(body),
    );
    assert_eq!(r.status, 422);
    let said = format!("at most {} at a time", doi_core::limits::CHANGE_BATCH);
    assert!(r.text().contains(&said), "{}", r.text());
    assert!(w.store.keys().is_empty(), "nothing written");
}

#[test]
fn the_export_downloads_as_a_file_from_the_console() {
    let w = World::new();
    assert_eq!(
        w.subscribe(&record(
            "whitepaper",
            "c@example.com",
            "console-record-cccc"
        ))
        .status,
        200
    );
    let v = Viewer::sign_in(&w);
    let page =
        w.send(Request::new(Method::Get, "/admin/export?lang=en").with_header("cookie", &v.cookie));
    assert!(
        page.text().contains("/admin/export/download?lang=en"),
        "{}",
        page.text()
    );
    let file = w.send(
        Request::new(
            Method::Get,
            &format!(
                "/admin/export/download?limit={}",
                doi_core::limits::EXPORT_PAGE_MAX
            ),
        )
        .with_header("cookie", &v.cookie),
    );
    assert_eq!(file.status, 200);
    assert!(file
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert!(file.text().contains("c@example.com"));
}

#[test]
fn erasing_from_the_console_inside_the_retention_period_takes_a_legal_reason() {
    let w = World::new();
    w.subscribe(&record(
        "whitepaper",
        "kept@example.jp",
        "console-record-0009",
    ));
    let body = serde_json::json!({"list": "newsletter", "recipients": ["kept@example.jp"]});
    assert_eq!(w.api(Method::Post, "/v1/prepare", Some(body)).status, 200);
    let v = Viewer::sign_in(&w);
    let ask = v
        .post("/admin/erase", &[("email", "kept@example.jp")])
        .text();
    assert!(
        ask.contains("name=\"legal\"") && ask.contains("gdpr_erasure"),
        "{ask}"
    );
    let refused = v.post(
        "/admin/erase",
        &[
            ("email", "kept@example.jp"),
            ("confirm", "yes"),
            ("legal", ""),
        ],
    );
    assert!(
        refused.text().contains("Choose the legal reason"),
        "{}",
        refused.text()
    );
    assert_eq!(
        w.check("kept@example.jp", None).1,
        "consented",
        "nothing changed"
    );
    let erased = v.post(
        "/admin/erase",
        &[
            ("email", "kept@example.jp"),
            ("confirm", "yes"),
            ("legal", "gdpr_erasure"),
        ],
    );
    assert!(erased.text().contains("Erased."), "{}", erased.text());
    assert_eq!(w.check("kept@example.jp", None).1, "erased");
    assert!(w
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("override: gdpr_erasure")));
}
