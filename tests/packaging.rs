//! The packaging, as far as this machine allows (no Docker engine, no systemd as PID 1):
//! `install.sh` run into a throwaway root with the built binary — config written from flags,
//! unit and block-storage drop-in installed — then run again as an upgrade that keeps the
//! config; the unit verified by `systemd-analyze verify` (with its drop-in) and scored by
//! `systemd-analyze security`; shellcheck on the script; hadolint on the Dockerfile; the
//! compose file and workflows parsed.

mod common;

use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{name} is needed for the packaging checks (scripts/test installs it)"
    );
    Command::new(name)
}

/// The shell scripts under `root` (a `.sh` name or a `sh`/`bash` shebang), leaving out
/// build output, dependencies and Git's own files.
fn shell_scripts(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if ["target", "node_modules", ".git"].contains(&name.to_str().unwrap_or_default()) {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let mut head = [0u8; 64];
            let n = std::fs::File::open(&path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            let first = String::from_utf8_lossy(&head[..n]);
            let first = first.lines().next().unwrap_or_default();
            let shebang = first.starts_with("#!")
                && first
                    .split(['/', ' '])
                    .any(|w| ["sh", "bash", "dash"].contains(&w));
            if shebang || path.extension().is_some_and(|e| e == "sh") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn install_script_unit_and_images() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_aerie");
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    let install = |extra: &[&str]| {
        let mut c = Command::new(src.join("install.sh"));
        c.args([
            "--root",
            &root.display().to_string(),
            "--binary",
            bin,
            "--yes",
        ])
        .args(extra);
        run(&mut c)
    };

    // A first install: binary, config from the flags, unit, data on a volume.
    install(&[
        "--domain",
        "aerie.example.test",
        "--email",
        "admin@example.test",
        "--users",
        "alice.test, bob.test",
        "--admins",
        "did:plc:admin",
        "--data-dir",
        "/mnt/volume_1/aerie",
        "--postgres-url",
        "postgres://aerie:pw@127.0.0.1:5432/aerie",
    ]);
    let installed = root.join("usr/local/bin/aerie");
    assert!(installed.exists());
    let config = root.join("etc/aerie/aerie.toml");
    let resolved =
        run(Command::new(&installed).args(["--config", &config.display().to_string(), "config"]));
    for expected in [
        "data_dir = \"/mnt/volume_1/aerie\"",
        "listen = \"0.0.0.0:80\"",
        "public_url = \"https://aerie.example.test\"",
        "\"alice.test\"",
        "\"bob.test\"",
        "\"did:plc:admin\"",
        "mode = \"acme\"",
        "domains = [\"aerie.example.test\"]",
        "email = \"admin@example.test\"",
        "backend = \"postgres\"",
        "postgres_url = \"postgres://aerie:pw@127.0.0.1:5432/aerie\"",
    ] {
        assert!(
            resolved.contains(expected),
            "{expected} missing from:\n{resolved}"
        );
    }
    let unit = root.join("etc/systemd/system/aerie.service");
    let dropin = root.join("etc/systemd/system/aerie.service.d/data-dir.conf");
    assert!(std::fs::read_to_string(&dropin)
        .expect("drop-in")
        .contains("ReadWritePaths=/mnt/volume_1/aerie"));

    // Again, as an upgrade: the config stays as it was.
    let before = std::fs::read_to_string(&config).expect("config");
    let out = install(&["--users", "someone.else"]);
    assert!(out.contains("kept"), "{out}");
    assert_eq!(std::fs::read_to_string(&config).expect("config"), before);

    // The unit (pointing at the built binary, with its drop-in) passes systemd's checks.
    let check = dir.path().join("check");
    std::fs::create_dir_all(check.join("aerie.service.d")).expect("dir");
    let text = std::fs::read_to_string(&unit)
        .expect("unit")
        .replace("/usr/local/bin/aerie", bin);
    assert!(
        !text.contains("DynamicUser"),
        "never DynamicUser together with User"
    );
    std::fs::write(check.join("aerie.service"), &text).expect("unit");
    std::fs::copy(&dropin, check.join("aerie.service.d/data-dir.conf")).expect("drop-in");
    run(tool("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(check.join("aerie.service")));
    let security = run(tool("systemd-analyze")
        .args(["security", "--offline=yes"])
        .arg(check.join("aerie.service")));
    assert!(
        security.contains("Overall exposure level for aerie.service: 1.")
            || security.contains("Overall exposure level for aerie.service: 0."),
        "{security}"
    );

    // Linters and parsers: every shell script in the tree.
    let scripts = shell_scripts(src);
    for expected in ["install.sh", "scripts/test", ".ci/run"] {
        assert!(
            scripts.contains(&src.join(expected)),
            "{expected} not found"
        );
    }
    run(tool("shellcheck").args(&scripts));
    // One failing test binary does not hide the others' results.
    let test_script = std::fs::read_to_string(src.join("scripts/test")).expect("scripts/test");
    let cargo_test: Vec<&str> = test_script
        .lines()
        .filter(|l| l.trim_start().starts_with("cargo test"))
        .collect();
    assert!(!cargo_test.is_empty());
    assert!(
        cargo_test.iter().all(|l| l.contains("--no-fail-fast")),
        "{cargo_test:?}"
    );
    run(tool("hadolint").arg(src.join("Dockerfile")));
    let yaml = run(tool("python3").args([
        "-c",
        "import sys, yaml, json; print(json.dumps([yaml.safe_load(open(p)) for p in sys.argv[1:]]))",
    ])
    .arg(src.join("compose.yaml"))
    .arg(src.join(".github/workflows/ci.yml"))
    .arg(src.join(".github/workflows/deploy.yml")));
    let docs: serde_json::Value = serde_json::from_str(&yaml).expect("json");
    let services = &docs[0]["services"];
    assert_eq!(services["aerie"]["volumes"][0], "aerie-data:/data");
    // PostgreSQL is an optional profile: Aerie alone by default, waiting for it when enabled.
    assert_eq!(services["postgres"]["profiles"][0], "postgres");
    assert!(services["postgres"].get("ports").is_none(), "not published");
    assert_eq!(
        services["aerie"]["depends_on"]["postgres"]["required"],
        false
    );
    let url = services["aerie"]["environment"]["AERIE_STORAGE__POSTGRES_URL"]
        .as_str()
        .unwrap_or_default();
    assert!(url.contains("@postgres:5432/aerie"), "{url}");
    assert!(docs[1]["jobs"].as_object().is_some_and(|j| !j.is_empty()));
    assert!(docs[2]["jobs"].as_object().is_some_and(|j| !j.is_empty()));
}
