//! The web pages, server side: every page's status and key content; a hostile corpus (script
//! and HTML in text and names, `javascript:` links in facets and embeds, facets with broken
//! byte ranges, odd handles, huge alt texts) rendering inert; assets fingerprinted and
//! immutable; CSRF refused; and, against a real PDS (`@atproto/dev-env`), a user who logs in
//! with an app password, follows, likes, reposts, posts with facets and an image, replies,
//! quotes, deletes and logs out through the forms — with the PDS holding the records.

mod common;

use common::events::{commit_at, identity_at};
use common::pds::Network;
use common::Aerie;
use jetsim::ids::did;
use jetsim::{Sim, SimOptions};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

const T0: i64 = 1_780_000_000_000_000;

/// A browser without JavaScript: keeps cookies, does not follow redirects.
struct Browser {
    base: String,
    client: reqwest::Client,
    cookies: HashMap<String, String>,
}

/// A response: status, `Location`, `Set-Cookie` lines, body.
struct Page {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

impl Browser {
    fn new(base: String) -> Self {
        Browser {
            base,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(String::from);
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok().map(String::from))
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let body = resp.text().await.expect("body");
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    async fn post_json(&mut self, path: &str, form: &[(&str, &str)]) -> Value {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let resp = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }
}

/// The CSRF token a page's forms carry.
fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..].split('"').next().expect("token").to_string()
}

/// The tags of a page (`<name ...>`, as written).
fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<')
        .skip(1)
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
        .map(|t| t.split('>').next().unwrap_or_default())
}

/// A page that shows hostile content must not run or link any of it: only Aerie's own script,
/// no event-handler attributes, no `javascript:` URLs, no markup from records.
fn assert_inert(html: &str) {
    let scripts: Vec<&str> = tags(html).filter(|t| t.starts_with("script")).collect();
    assert_eq!(scripts.len(), 1, "only Aerie's own script: {scripts:?}");
    assert!(scripts[0].starts_with("script src=\"/static/app."));
    for t in tags(html) {
        let lower = t.to_ascii_lowercase();
        // Attribute names, with quoted values taken out.
        let bare: String = lower.split('"').step_by(2).collect::<Vec<_>>().join("\"\"");
        assert!(
            !bare
                .split_whitespace()
                .any(|a| a.starts_with("on") && a.contains('=')),
            "event handler in <{t}>"
        );
        for attr in ["href=\"", "src=\"", "action=\""] {
            for (i, _) in lower.match_indices(attr) {
                let value = lower[i + attr.len()..].trim_start();
                assert!(
                    !value.starts_with("javascript:"),
                    "javascript: URL in <{t}>"
                );
            }
        }
        for bad in ["iframe", "img src=x"] {
            assert!(!lower.starts_with(bad), "record markup <{t}>");
        }
    }
    assert!(
        !html.contains("<b>t</b>") && !html.contains("<b><b>"),
        "record markup"
    );
    assert_csp_clean(html);
}

/// Nothing the pages' Content-Security-Policy would block: no inline styles or scripts.
fn assert_csp_clean(html: &str) {
    for t in tags(html) {
        let bare: String = t.to_ascii_lowercase().split('"').step_by(2).collect();
        assert!(
            !t.starts_with("style") && !bare.contains(" style="),
            "inline style in <{t}>"
        );
        assert!(
            !t.starts_with("script") || t.contains(" src="),
            "inline script <{t}>"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_and_hostile_content_stays_inert() {
    let author = did(700_001);
    let other = did(700_002);
    let t = |n: i64| T0 + n * 1000;
    let post = |text: &str, extra: Value| {
        let mut r = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-07-04T14:38:08.999Z"});
        if let (Some(o), Some(e)) = (r.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        r
    };
    let facet = |start: usize, end: usize, feature: Value| json!({"index": {"byteStart": start, "byteEnd": end}, "features": [feature]});
    let p1_text = "<script>alert(1)</script> é click https://ok.test";
    let events = vec![
        identity_at(t(1), 1, &author, "xn--80ak6aa92e.odd-handle.test"),
        commit_at(
            t(2),
            2,
            &author,
            "app.bsky.actor.profile",
            "self",
            json!({
            "$type": "app.bsky.actor.profile", "displayName": "<img src=x onerror=alert(1)>",
            "description": "<script>alert(2)</script> see https://bio.test and javascript:alert(3)"}),
        ),
        commit_at(
            t(3),
            3,
            &author,
            "app.bsky.feed.post",
            "3kaaaaaaaaa22",
            post(
                p1_text,
                json!({
                "facets": [
                    facet(26, 27, json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://ok.test"})), // splits "é"
                    facet(29, 34, json!({"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(4)"})),
                    facet(35, 9999, json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://ok.test"})),
                    facet(0, 8, json!({"$type": "app.bsky.richtext.facet#mention", "did": "\"><iframe>"})),
                    facet(35, 50, json!({"$type": "app.bsky.richtext.facet#link", "uri": "https://ok.test"})),
                ],
                "embed": {"$type": "app.bsky.embed.images", "images": [
                    {"alt": "<b>".repeat(5_000), "image": {"$type": "blob", "ref": {"$link": jetsim::ids::cid(77)}, "mimeType": "image/jpeg", "size": 10}}
                ]}}),
            ),
        ),
        commit_at(
            t(4),
            4,
            &author,
            "app.bsky.feed.post",
            "3kaaaaaaaab22",
            post(
                "link card",
                json!({
            "embed": {"$type": "app.bsky.embed.external", "external": {"uri": "javascript:alert(5)", "title": "<b>t</b>", "description": "<iframe>"}}}),
            ),
        ),
        commit_at(
            t(5),
            5,
            &other,
            "app.bsky.feed.post",
            "3kaaaaaaaac22",
            post(
                "</textarea><script>x</script> a reply",
                json!({
            "reply": {"root": {"uri": format!("at://{author}/app.bsky.feed.post/3kaaaaaaaaa22"), "cid": jetsim::ids::cid(3)},
                      "parent": {"uri": format!("at://{author}/app.bsky.feed.post/3kaaaaaaaaa22"), "cid": jetsim::ids::cid(3)}}}),
            ),
        ),
        commit_at(
            t(6),
            6,
            &other,
            "app.bsky.feed.post",
            "3kaaaaaaaad22",
            post(
                "quoting",
                json!({
            "embed": {"$type": "app.bsky.embed.record", "record": {"uri": format!("at://{author}/app.bsky.feed.post/3kaaaaaaaaa22"), "cid": jetsim::ids::cid(3)}}}),
            ),
        ),
        commit_at(
            t(7),
            7,
            &other,
            "app.bsky.feed.post",
            "3kaaaaaaaae22",
            post(
                "hidden by its author's label",
                json!({
            "labels": {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "!hide"}]}}),
            ),
        ),
        commit_at(
            t(8),
            8,
            &other,
            "app.bsky.feed.post",
            "3kaaaaaaaaf22",
            post(
                "behind a warning",
                json!({
            "labels": {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "graphic-media"}]}}),
            ),
        ),
    ];
    let last = events.last().map(|e| e.time_us).unwrap_or_default();
    let sim = Sim::start(SimOptions::default()).await.expect("sim");
    sim.push(events);
    let dir = tempfile::tempdir().expect("tempdir");
    let aerie = Aerie::start(
        &dir.path().join("data"),
        &sim.url(),
        &[("AERIE_JETSTREAM__INITIAL_CURSOR", "0")],
    );
    aerie.wait_for_cursor(last, Duration::from_secs(60)).await;
    let mut b = Browser::new(aerie.base());

    // Landing page with the login form and a nonce cookie for it.
    let home = b.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("action=\"/login\""));
    assert!(home
        .set_cookies
        .iter()
        .any(|c| c.starts_with("aerie_nonce=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")));
    assert_inert(&home.body);

    // The hostile profile, by its odd handle and by DID.
    let profile = b.get("/profile/xn--80ak6aa92e.odd-handle.test").await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    assert!(profile
        .body
        .contains("<h1>&#60;img src=x onerror=alert(1)&#62;</h1>"));
    assert!(
        profile.body.contains(r#"<a href="https://bio.test/""#),
        "bio links are links"
    );
    assert!(profile.body.contains("og:title"));
    assert!(profile.body.contains("link card"));
    assert_inert(&profile.body);
    let by_did = b.get(&format!("/profile/{author}")).await;
    assert_eq!(by_did.status, 200);
    for tab in ["replies", "media"] {
        let p = b.get(&format!("/profile/{author}?tab={tab}")).await;
        assert_eq!(p.status, 200);
        assert_inert(&p.body);
    }
    let media = b.get(&format!("/profile/{author}?tab=media")).await;
    assert!(
        media.body.contains("class=\"images"),
        "the image post is under Media"
    );
    assert!(!media.body.contains("link card"));

    // The thread: the hostile post, its reply below, inert; the huge alt text cut.
    let thread = b
        .get(&format!("/profile/{author}/post/3kaaaaaaaaa22"))
        .await;
    assert_eq!(thread.status, 200);
    assert_inert(&thread.body);
    assert!(thread
        .body
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(thread
        .body
        .contains("&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt; a reply"));
    assert!(thread.body.contains(r#"<a href="https://ok.test/" rel="nofollow noopener ugc" target="_blank">https://ok.test</a>"#));
    assert!(
        thread.body.len() < 60_000,
        "alt text is bounded: {} bytes",
        thread.body.len()
    );
    assert!(thread.body.contains("Log in</a> to reply"));
    // A quote of it, a label that hides, a label that warns.
    let other_profile = b.get(&format!("/profile/{other}")).await;
    assert!(other_profile.body.contains("class=\"quote\""));
    assert!(!other_profile.body.contains("hidden by its author"));
    assert!(other_profile
        .body
        .contains("<details class=\"warning\"><summary>Graphic media"));
    assert_inert(&other_profile.body);

    // Not found, bad paths.
    assert_eq!(b.get("/profile/nobody.invalid").await.status, 404);
    assert_eq!(
        b.get(&format!("/profile/{author}/post/nothere22222"))
            .await
            .status,
        404
    );
    assert_eq!(
        b.get(&format!("/profile/{author}/post/..%2F.."))
            .await
            .status,
        404
    );

    // Assets: fingerprinted names only, immutable.
    let css = home
        .body
        .split("href=\"/static/app.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("css link");
    let resp = reqwest::get(format!("{}/static/app.{css}", aerie.base()))
        .await
        .expect("css");
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap_or_default()
        .contains("immutable"));
    assert_eq!(
        reqwest::get(format!("{}/static/app.css", aerie.base()))
            .await
            .expect("css")
            .status(),
        404
    );

    // Forms: a wrong CSRF token is refused; acting without a session asks to log in.
    let login = b.get("/login").await;
    let bad = b
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("identifier", "a.test"),
                ("password", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status, 403);
    assert!(bad.body.contains("The form expired"));
    let token = csrf(&login.body);
    let unauth = b
        .post(
            "/action/like",
            &[
                ("csrf", &token),
                ("uri", "at://did:plc:x/app.bsky.feed.post/1"),
            ],
        )
        .await;
    assert_eq!(
        (unauth.status, unauth.location.as_deref()),
        (303, Some("/login"))
    );
    assert_eq!(b.get("/notifications").await.status, 303);
    let status = b.get("/status").await;
    assert_eq!(status.status, 200);
    assert_csp_clean(&status.body);
}

/// The records of `collection` in `handle`'s repository on the PDS.
fn pds_records(net: &mut Network, handle: &str, collection: &str) -> Vec<Value> {
    net.cmd(json!({"cmd": "records", "as": handle, "collection": collection}))["records"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_acts_through_the_forms_and_the_pds_holds_it() {
    let mut net = Network::start_with(&["--posts=2", "--no-follows"], &["alice.test", "bob.test"]);
    let bob = net.did("bob.test");
    let password = net.app_password("alice.test");
    let dir = tempfile::tempdir().expect("tempdir");
    let admins = format!(r#"["{}"]"#, net.did("alice.test"));
    let a = net.aerie(&dir.path().join("data"), &[("AERIE_ADMINS", &admins)]);
    let mut b = Browser::new(a.base());
    let anonymous = b.get("/admin").await;
    assert_eq!(
        (anonymous.status, anonymous.location.as_deref()),
        (303, Some("/login?next=/admin"))
    );

    // A wrong password: the PDS's answer on the form, no session cookie.
    let token = csrf(&b.get("/login").await.body);
    let wrong = b
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("identifier", "alice.test"),
                ("password", "nope"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(!wrong
        .set_cookies
        .iter()
        .any(|c| c.starts_with("aerie_session")));

    // Logging in: a sealed, HttpOnly, SameSite=Lax cookie; the home page is the timeline.
    let ok = b
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("identifier", "alice.test"),
                ("password", &password),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (303, Some("/")),
        "{}",
        ok.body
    );
    let cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("aerie_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Max-Age=")
    );
    assert!(
        !cookie.contains(&password) && !cookie.contains("aerie.r."),
        "the cookie is sealed"
    );
    let home = b.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Log out") && home.body.contains("class=\"composer\""));
    let token = csrf(&home.body);
    let admin = b.get("/admin").await;
    assert_eq!(admin.status, 200);
    // Alice, by handle once her profile is fetched, by DID until then.
    let alice = net.did("alice.test");
    assert!(
        admin.body.contains("<h2>Users</h2>")
            && (admin.body.contains("<td>alice.test</td><td>login</td>")
                || admin
                    .body
                    .contains(&format!("<td>{alice}</td><td>login</td>"))),
        "{}",
        admin.body
    );
    // A live backup from the running store, restorable with `aerie import`.
    let export = b
        .client
        .get(format!("{}/admin/export", a.base()))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .expect("export");
    assert_eq!(export.status(), 200);
    let file = dir.path().join("live.export");
    std::fs::write(&file, export.bytes().await.expect("body")).expect("write");
    let env = vec![(
        "AERIE_DATA_DIR".to_string(),
        dir.path().join("restored").display().to_string(),
    )];
    let (ok, _, stderr) =
        common::pds::aerie(&["import", &file.display().to_string()], &env, dir.path());
    assert!(ok, "{stderr}");

    // Follow Bob from his profile; his posts are fetched and fill the timeline.
    let profile = b.get("/profile/bob.test").await;
    assert!(
        profile.body.contains("action=\"/action/follow\""),
        "{}",
        profile.body
    );
    let followed = b
        .post(
            "/action/follow",
            &[
                ("csrf", &token),
                ("subject", &bob),
                ("next", "/profile/bob.test"),
            ],
        )
        .await;
    assert_eq!(
        (followed.status, followed.location.as_deref()),
        (303, Some("/profile/bob.test"))
    );
    assert_eq!(
        pds_records(&mut net, "alice.test", "app.bsky.graph.follow").len(),
        1
    );
    assert!(b
        .get("/profile/bob.test")
        .await
        .body
        .contains("action=\"/action/unfollow\""));
    let bob_posts = pds_records(&mut net, "bob.test", "app.bsky.feed.post");
    let target = &bob_posts[0];
    let (uri, cid) = (
        target["uri"].as_str().expect("uri"),
        target["cid"].as_str().expect("cid"),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let page = b.get("/").await;
        if page.body.contains(&format!("data-uri=\"{uri}\"")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Bob's posts never reached the timeline:\n{}",
            page.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Like in place (the script's JSON), repost as a plain form.
    let liked = b
        .post_json(
            "/action/like",
            &[("csrf", &token), ("uri", uri), ("cid", cid), ("next", "/")],
        )
        .await;
    assert_eq!(liked["next"], "unlike", "{liked}");
    assert_eq!(liked["count"], 1);
    let like_uri = liked["record"].as_str().expect("like record").to_string();
    let reposted = b
        .post(
            "/action/repost",
            &[("csrf", &token), ("uri", uri), ("cid", cid), ("next", "/")],
        )
        .await;
    assert_eq!(reposted.status, 303);
    assert_eq!(
        pds_records(&mut net, "alice.test", "app.bsky.feed.like").len(),
        1
    );
    assert_eq!(
        pds_records(&mut net, "alice.test", "app.bsky.feed.repost").len(),
        1
    );
    let home = b.get("/").await;
    assert!(
        home.body.contains("action=\"/action/unlike\"")
            && home.body.contains("action=\"/action/unrepost\"")
    );
    let unliked = b
        .post_json(
            "/action/unlike",
            &[("csrf", &token), ("uri", uri), ("record", &like_uri)],
        )
        .await;
    assert_eq!(
        (unliked["next"].as_str(), unliked["count"].as_u64()),
        (Some("like"), Some(0))
    );
    assert!(pds_records(&mut net, "alice.test", "app.bsky.feed.like").is_empty());

    // A post with a mention, a link, a tag and an image with alt text.
    let text = "héllo @bob.test, see https://example.com/a?b=1 #aerie ✨";
    let form = reqwest::multipart::Form::new()
        .text("csrf", token.clone())
        .text("text", text)
        .text("alt", "a single pixel")
        .text("next", "/")
        .part(
            "image",
            reqwest::multipart::Part::bytes(PNG.to_vec())
                .file_name("p.png")
                .mime_str("image/png")
                .expect("mime"),
        );
    let posted = b.post_multipart("/compose", form).await;
    assert_eq!(
        (posted.status, posted.location.as_deref()),
        (303, Some("/")),
        "{}",
        posted.body
    );
    let mine = pds_records(&mut net, "alice.test", "app.bsky.feed.post");
    let rec = mine
        .iter()
        .find(|r| r["value"]["text"] == text)
        .expect("the post on the PDS")["value"]
        .clone();
    let facets = rec["facets"].as_array().expect("facets");
    let spans: Vec<(&str, &str)> = facets
        .iter()
        .map(|f| {
            let (s, e) = (
                f["index"]["byteStart"].as_u64().unwrap_or(0) as usize,
                f["index"]["byteEnd"].as_u64().unwrap_or(0) as usize,
            );
            (
                &text[s..e],
                f["features"][0]["$type"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        vec![
            ("@bob.test", "app.bsky.richtext.facet#mention"),
            ("https://example.com/a?b=1", "app.bsky.richtext.facet#link"),
            ("#aerie", "app.bsky.richtext.facet#tag"),
        ]
    );
    assert_eq!(facets[0]["features"][0]["did"], bob.as_str());
    assert_eq!(rec["embed"]["images"][0]["alt"], "a single pixel");
    // Over the limit: refused with the count, nothing written.
    let long = "✨".repeat(301);
    let over = b
        .post_multipart(
            "/compose",
            reqwest::multipart::Form::new()
                .text("csrf", token.clone())
                .text("text", long.clone()),
        )
        .await;
    assert_eq!(over.status, 400);
    assert!(over.body.contains("this one has 301"));
    assert_eq!(
        pds_records(&mut net, "alice.test", "app.bsky.feed.post").len(),
        mine.len()
    );

    // A reply and a quote of Bob's post; the thread shows the reply.
    let reply = b
        .post_multipart(
            "/compose",
            reqwest::multipart::Form::new()
                .text("csrf", token.clone())
                .text("text", "a reply")
                .text("reply", uri.to_string())
                .text("next", "/"),
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let quote = b
        .post_multipart(
            "/compose",
            reqwest::multipart::Form::new()
                .text("csrf", token.clone())
                .text("text", "a quote")
                .text("quote", uri.to_string()),
        )
        .await;
    assert_eq!(quote.status, 303, "{}", quote.body);
    let mine = pds_records(&mut net, "alice.test", "app.bsky.feed.post");
    let by_text =
        |t: &str| mine.iter().find(|r| r["value"]["text"] == t).expect("post")["value"].clone();
    assert_eq!(by_text("a reply")["reply"]["parent"]["uri"], uri);
    assert_eq!(by_text("a reply")["reply"]["root"]["uri"], uri);
    assert_eq!(by_text("a quote")["embed"]["record"]["uri"], uri);
    let rkey = uri.rsplit('/').next().expect("rkey");
    let thread = b.get(&format!("/profile/bob.test/post/{rkey}")).await;
    assert_eq!(thread.status, 200);
    assert!(thread.body.contains("a reply") && thread.body.contains("name=\"reply\""));
    assert_inert(&thread.body);

    // Deleting one's own post.
    let quote_uri = mine
        .iter()
        .find(|r| r["value"]["text"] == "a quote")
        .and_then(|r| r["uri"].as_str())
        .expect("uri")
        .to_string();
    let deleted = b
        .post(
            "/action/delete",
            &[("csrf", &token), ("record", &quote_uri), ("next", "/")],
        )
        .await;
    assert_eq!(deleted.status, 303);
    assert!(!pds_records(&mut net, "alice.test", "app.bsky.feed.post")
        .iter()
        .any(|r| r["uri"] == quote_uri.as_str()));

    // Forged forms: a wrong token, another site's Origin.
    let forged = b
        .post(
            "/action/like",
            &[("csrf", "forged"), ("uri", uri), ("cid", cid)],
        )
        .await;
    assert_eq!(forged.status, 403);
    let cross = b
        .client
        .post(format!("{}/action/like", a.base()))
        .header("cookie", b.cookie_header())
        .header("origin", "https://evil.test")
        .form(&[("csrf", token.as_str()), ("uri", uri), ("cid", cid)])
        .send()
        .await
        .expect("request");
    assert_eq!(cross.status(), 403);
    assert!(pds_records(&mut net, "alice.test", "app.bsky.feed.like").is_empty());

    // Notifications page (Bob likes Alice's post), then logging out ends the session.
    let alice_post = mine
        .iter()
        .find(|r| r["value"]["text"] == text)
        .expect("post");
    net.cmd(json!({"cmd": "like", "as": "bob.test", "uri": alice_post["uri"], "cid": alice_post["cid"]}));
    // The nav shows the unread count (without marking anything seen) until the page is opened.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !b.get("/").await.body.contains("aria-label=\"1 unread\"") {
        assert!(
            std::time::Instant::now() < deadline,
            "no unread notification"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = b.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("liked your post") && page.body.contains("note unread"),
        "{}",
        page.body
    );
    let seen = b.get("/notifications").await;
    assert!(!seen.body.contains("note unread"), "seen after the visit");
    let old_cookie = b.cookies.get("aerie_session").cloned().expect("cookie");
    let out = b.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(out.status, 303);
    assert!(out
        .set_cookies
        .iter()
        .any(|c| c.starts_with("aerie_session=;") && c.contains("Max-Age=0")));
    assert!(b.get("/").await.body.contains("action=\"/login\""));
    b.cookies.insert("aerie_session".into(), old_cookie);
    assert!(
        b.get("/").await.body.contains("action=\"/login\""),
        "the old cookie no longer works"
    );
}
