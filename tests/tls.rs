//! HTTPS for real: ACME against Pebble (Debian's `pebble`, with `pebble-challtestsrv` as its
//! DNS so the test domains resolve to 127.0.0.1) by TLS-ALPN-01 on the HTTPS listener and by
//! HTTP-01 on the plain one; the certificate cached and reused after a restart; plain HTTP
//! redirecting to HTTPS; and `tls.mode = "files"` picking up a new certificate on SIGHUP.

mod common;

use common::certs::ca_and_leaf;
use common::child::Guarded;
use common::{free_port, Aerie};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tool(name: &str) -> Command {
    let path = format!("/usr/bin/{name}");
    assert!(
        Path::new(&path).exists(),
        "{name} is needed: apt-get install pebble (scripts/test does)"
    );
    common::child::command(path)
}

/// Waits until something listens on `port`.
fn wait_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A client that trusts `ca_pem` and sends `domain` to 127.0.0.1:`port`.
fn client(ca_pem: &str, domain: &str, port: u16) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("ca"))
        .resolve(domain, ([127, 0, 0, 1], port).into())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        // A new connection each time: the served certificate is what is checked.
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// GETs `url` until it answers 200 (the certificate may still be on its way).
async fn until_ok(c: &reqwest::Client, url: &str, aerie: &Aerie) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match c.get(url).send().await {
            Ok(r) if r.status() == 200 => return,
            other => {
                assert!(
                    Instant::now() < deadline,
                    "{url} never answered over TLS: {other:?}\n{}",
                    aerie.log_text()
                );
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acme_certificates_from_pebble_and_own_files_reloaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Pebble's own HTTPS certificate, from a CA Aerie is told to trust for the directory.
    let (pebble_ca, pebble_cert, pebble_key) =
        ca_and_leaf("pebble test ca", &["localhost", "127.0.0.1"]);
    std::fs::write(d.join("pebble-ca.pem"), &pebble_ca).expect("write");
    std::fs::write(d.join("pebble-cert.pem"), &pebble_cert).expect("write");
    std::fs::write(d.join("pebble-key.pem"), &pebble_key).expect("write");
    let (dns, dir_port, mgmt, chall_mgmt) = (free_port(), free_port(), free_port(), free_port());
    // Aerie A answers TLS-ALPN-01 on its HTTPS port; Aerie B answers HTTP-01 on its plain one.
    let (a_https, a_plain, b_https, b_plain) = (free_port(), free_port(), free_port(), free_port());
    let _dns = Guarded::spawn(
        tool("pebble-challtestsrv")
            .args([
                "-defaultIPv4",
                "127.0.0.1",
                "-defaultIPv6",
                "",
                "-dns01",
                &format!("127.0.0.1:{dns}"),
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
                "-management",
                &format!("127.0.0.1:{chall_mgmt}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("challtestsrv");
    let config = serde_json::json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{dir_port}"),
        "managementListenAddress": format!("127.0.0.1:{mgmt}"),
        "certificate": d.join("pebble-cert.pem"), "privateKey": d.join("pebble-key.pem"),
        "httpPort": b_plain, "tlsPort": a_https, "ocspResponderURL": "", "externalAccountBindingRequired": false}});
    std::fs::write(d.join("pebble.json"), config.to_string()).expect("write");
    let _pebble = Guarded::spawn(
        tool("pebble")
            .args([
                "-config",
                &d.join("pebble.json").display().to_string(),
                "-dnsserver",
                &format!("127.0.0.1:{dns}"),
            ])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("pebble");
    wait_port(dir_port, "pebble");
    wait_port(dns, "pebble-challtestsrv");

    let directory = format!("https://127.0.0.1:{dir_port}/dir");
    let ca_path = d.join("pebble-ca.pem").display().to_string();
    let acme_env = |https: u16, domain: &'static str, challenge: &'static str| {
        vec![
            ("AERIE_TLS__MODE".to_string(), "acme".to_string()),
            ("AERIE_TLS__LISTEN".into(), format!("127.0.0.1:{https}")),
            ("AERIE_TLS__DOMAINS".into(), format!(r#"["{domain}"]"#)),
            ("AERIE_TLS__EMAIL".into(), "admin@aerie.test".into()),
            ("AERIE_TLS__DIRECTORY_URL".into(), directory.clone()),
            ("AERIE_TLS__DIRECTORY_CA".into(), ca_path.clone()),
            ("AERIE_TLS__CHALLENGE".into(), challenge.into()),
            ("AERIE_INGEST__ENABLED".into(), "false".into()),
        ]
    };
    let pairs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    let a_env = pairs(&acme_env(a_https, "aerie.test", "tls-alpn-01"));
    let a_refs: Vec<(&str, &str)> = a_env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut a = Aerie::start_at(a_plain, &d.join("a"), "ws://127.0.0.1:9/unused", &a_refs);
    let b_env = pairs(&acme_env(b_https, "aerie-http.test", "http-01"));
    let b_refs: Vec<(&str, &str)> = b_env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let b = Aerie::start_at(b_plain, &d.join("b"), "ws://127.0.0.1:9/unused", &b_refs);

    // Pebble's root (a new one each run), from its management API.
    let roots = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pebble_ca.as_bytes()).expect("ca"))
        .build()
        .expect("client");
    let root = roots
        .get(format!("https://127.0.0.1:{mgmt}/roots/0"))
        .send()
        .await
        .expect("pebble root")
        .text()
        .await
        .expect("pem");

    // Both get certificates and serve the app over HTTPS.
    let ca = client(&root, "aerie.test", a_https);
    until_ok(&ca, &format!("https://aerie.test:{a_https}/health"), &a).await;
    let page = ca
        .get(format!("https://aerie.test:{a_https}/login"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    common::assert_https_only(page.headers());
    let cb = client(&root, "aerie-http.test", b_https);
    until_ok(
        &cb,
        &format!("https://aerie-http.test:{b_https}/health"),
        &b,
    )
    .await;
    assert!(a.log_text().contains("TLS-ALPN-01"), "{}", a.log_text());
    assert!(b.log_text().contains("HTTP-01"), "{}", b.log_text());

    // Plain HTTP: /health answers (the healthcheck), everything else goes to HTTPS.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // Its own domain keeps its path; a Host that is not one of Aerie's domains is sent to
    // Aerie's own, not where it asked.
    let own = format!("aerie.test:{a_plain}");
    for (host, path) in [
        (own.as_str(), "/profile/x?tab=media"),
        ("AERIE.test", "/"),
        ("evil.test", "/login?x=1"),
        ("evil.test:80", "/"),
        ("aerie.test.evil.test", "/profile/x?tab=media"),
    ] {
        let r = plain
            .get(format!("http://127.0.0.1:{a_plain}{path}"))
            .header("host", host)
            .send()
            .await
            .expect("plain");
        assert_eq!(r.status(), 308);
        assert_eq!(
            r.headers()["location"],
            format!("https://aerie.test:{a_https}{path}").as_str(),
            "{host}"
        );
    }
    assert_eq!(
        plain
            .get(format!("http://127.0.0.1:{a_plain}/health"))
            .send()
            .await
            .expect("health")
            .status(),
        200
    );

    // The certificate is cached: a restart serves it without a new order.
    assert!(std::fs::read_dir(d.join("a/acme")).expect("cache").count() >= 2);
    assert!(a.terminate());
    a.restart();
    until_ok(&ca, &format!("https://aerie.test:{a_https}/health"), &a).await;
    assert!(
        a.log_text().contains("DeployedCachedCert"),
        "{}",
        a.log_text()
    );

    // Own files: served, and replaced on SIGHUP.
    let (ca1, cert1, key1) = ca_and_leaf("files ca one", &["files.test"]);
    let (ca2, cert2, key2) = ca_and_leaf("files ca two", &["files.test"]);
    let (cert_path, key_path) = (d.join("cert.pem"), d.join("key.pem"));
    std::fs::write(&cert_path, &cert1).expect("write");
    std::fs::write(&key_path, &key1).expect("write");
    let f_https = free_port();
    // Neither tls.domains nor public_url: "files" does not need them.
    let f_env = [
        ("AERIE_TLS__MODE", "files".to_string()),
        ("AERIE_TLS__LISTEN", format!("127.0.0.1:{f_https}")),
        ("AERIE_TLS__CERT", cert_path.display().to_string()),
        ("AERIE_TLS__KEY", key_path.display().to_string()),
        ("AERIE_INGEST__ENABLED", "false".to_string()),
    ];
    let f_refs: Vec<(&str, &str)> = f_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let f = Aerie::start(&d.join("f"), "ws://127.0.0.1:9/unused", &f_refs);
    let one = client(&ca1, "files.test", f_https);
    let two = client(&ca2, "files.test", f_https);
    until_ok(&one, &format!("https://files.test:{f_https}/health"), &f).await;
    // Neither public_url nor domains: still HSTS and Secure cookies, since served over TLS;
    // plain HTTP has no configured host to send anyone to.
    let page = one
        .get(format!("https://files.test:{f_https}/login"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    common::assert_https_only(page.headers());
    let r = plain
        .get(format!("{}/login", f.base()))
        .header("host", "files.test")
        .send()
        .await
        .expect("plain");
    assert_eq!(r.status(), 400);
    assert!(two
        .get(format!("https://files.test:{f_https}/health"))
        .send()
        .await
        .is_err());
    std::fs::write(&cert_path, &cert2).expect("write");
    std::fs::write(&key_path, &key2).expect("write");
    f.signal("HUP");
    until_ok(&two, &format!("https://files.test:{f_https}/health"), &f).await;
    // A new client (no TLS session to resume): the old certificate is gone.
    let one = client(&ca1, "files.test", f_https);
    assert!(one
        .get(format!("https://files.test:{f_https}/health"))
        .send()
        .await
        .is_err());
}
