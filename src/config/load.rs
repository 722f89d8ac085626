//! Reading the layers of configuration and merging them.

use super::Config;
use std::path::{Path, PathBuf};
use toml::Value;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// File path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("parsing {path}: {message}")]
    Parse {
        /// File path.
        path: PathBuf,
        /// Parser message.
        message: String,
    },
    /// A value has the wrong type or is out of range.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The default config file, used when present and no `--config` is given.
pub const DEFAULT_PATH: &str = "config/aerie.toml";

/// Loads the configuration; returns it with the list of unknown keys found.
pub fn load(path: Option<&Path>) -> Result<(Config, Vec<String>), ConfigError> {
    let mut root = match path {
        Some(p) => read_file(p)?,
        None if Path::new(DEFAULT_PATH).exists() => read_file(Path::new(DEFAULT_PATH))?,
        None => Value::Table(Default::default()),
    };
    apply_env(&mut root, std::env::vars());
    let known =
        Value::try_from(Config::default()).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let mut unknown = Vec::new();
    unknown_keys(&root, &known, "", &mut unknown);
    let config: Config = root
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_string()))?;
    config.validate()?;
    Ok((config, unknown))
}

fn read_file(path: &Path) -> Result<Value, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    text.parse::<toml::Table>()
        .map(Value::Table)
        .map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.to_string(),
        })
}

/// Overlays `AERIE_A__B=v` as `a.b = v`. Values parse as TOML when they can (numbers, booleans,
/// arrays), else they are strings.
fn apply_env(root: &mut Value, vars: impl Iterator<Item = (String, String)>) {
    for (name, raw) in vars {
        let Some(rest) = name.strip_prefix("AERIE_") else {
            continue;
        };
        if rest == "CONFIG" {
            continue;
        }
        let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
        let value = format!("v = {raw}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(Value::String(raw));
        set_path(root, &path, value);
    }
}

fn set_path(root: &mut Value, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for p in parents {
        let Value::Table(t) = cur else { return };
        cur = t
            .entry(p.clone())
            .or_insert_with(|| Value::Table(Default::default()));
    }
    if let Value::Table(t) = cur {
        t.insert(last.clone(), value);
    }
}

fn unknown_keys(given: &Value, known: &Value, prefix: &str, out: &mut Vec<String>) {
    let Value::Table(g) = given else { return };
    let Value::Table(k) = known else { return };
    for (key, v) in g {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match k.get(key) {
            Some(kv) => unknown_keys(v, kv, &full, out),
            // Optional keys are absent from the serialized defaults; accept the documented ones.
            None if OPTIONAL_KEYS.contains(&full.as_str()) => {}
            None => out.push(full),
        }
    }
}

/// Keys whose default is "unset" (so they do not appear in the serialized defaults).
const OPTIONAL_KEYS: &[&str] = &[
    "jetstream.zstd_dictionary",
    "jetstream.initial_cursor",
    "identity.handle_resolver",
    "auth.secret_key",
    "public_url",
    "service_did",
    "tls.email",
    "storage.postgres_url",
    "storage.postgres_ca_file",
    "tls.directory_url",
    "tls.directory_ca",
    "tls.cert",
    "tls.key",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn env_overrides_nest_and_parse() {
        let mut root: Value = "listen = \"0.0.0.0:1\"\n[jetstream]\ncompress = false"
            .parse::<toml::Table>()
            .map(Value::Table)
            .expect("toml");
        apply_env(
            &mut root,
            env(&[
                ("AERIE_LISTEN", "127.0.0.1:9"),
                ("AERIE_JETSTREAM__URL", "ws://127.0.0.1:1/subscribe"),
                ("AERIE_JETSTREAM__INITIAL_CURSOR", "0"),
                ("AERIE_DATA_DIR", "/tmp/x"),
                ("OTHER", "1"),
            ]),
        );
        let c: Config = root.clone().try_into().expect("config");
        assert_eq!(c.listen.port(), 9);
        assert_eq!(c.jetstream.url, "ws://127.0.0.1:1/subscribe");
        assert_eq!(c.jetstream.initial_cursor, Some(0));
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        let known = Value::try_from(Config::default()).expect("defaults");
        let mut unknown = vec![];
        unknown_keys(&root, &known, "", &mut unknown);
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn the_postgres_backend_needs_its_url() {
        let mut cfg = Config::default();
        cfg.storage.backend = "postgres".into();
        let err = cfg.validate().expect_err("no url");
        assert!(
            err.to_string().contains("AERIE_STORAGE__POSTGRES_URL"),
            "{err}"
        );
        cfg.storage.postgres_url = Some("postgres://aerie@127.0.0.1/aerie".into());
        cfg.storage.postgres_cache_mb = 2;
        match cfg.backend().expect("valid") {
            aerie_storage::Backend::Postgres(o) => {
                assert_eq!((o.schema.as_str(), o.connections), ("aerie", 4));
                assert_eq!(o.cache_bytes, 2 << 20);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_keys_are_reported() {
        let root: Value = "listn = \"x\"\n[jetstream]\nurl = \"ws://a\"\ncolections = []\nzstd_dictionary = \"d\""
            .parse::<toml::Table>()
            .map(Value::Table)
            .expect("toml");
        let known = Value::try_from(Config::default()).expect("defaults");
        let mut unknown = vec![];
        unknown_keys(&root, &known, "", &mut unknown);
        unknown.sort();
        assert_eq!(unknown, ["jetstream.colections", "listn"]);
    }

    #[test]
    fn the_example_file_parses_without_unknown_keys() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/aerie.toml");
        let root = read_file(&path).expect("example config");
        let known = Value::try_from(Config::default()).expect("defaults");
        let mut unknown = vec![];
        unknown_keys(&root, &known, "", &mut unknown);
        assert!(unknown.is_empty(), "{unknown:?}");
        let c: Config = root.try_into().expect("valid");
        c.validate().expect("valid");
    }

    #[test]
    fn the_example_file_documents_every_key() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/aerie.toml");
        let text = std::fs::read_to_string(&path).expect("example config");
        let known = Value::try_from(Config::default()).expect("defaults");
        let mut keys: Vec<String> = OPTIONAL_KEYS.iter().map(|k| k.to_string()).collect();
        fn walk(v: &Value, prefix: &str, out: &mut Vec<String>) {
            if let Value::Table(t) = v {
                for (k, v) in t {
                    let full = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    match v {
                        Value::Table(_) => walk(v, &full, out),
                        _ => out.push(full),
                    }
                }
            }
        }
        walk(&known, "", &mut keys);
        for key in keys {
            let (section, name) = key
                .rsplit_once('.')
                .map_or(("", key.as_str()), |(s, n)| (s, n));
            // The key's own section: from its header to the next one.
            let body = if section.is_empty() {
                text.split("\n[").next().unwrap_or_default().to_string()
            } else {
                let header = format!("\n[{section}]\n");
                let start = text
                    .find(&header)
                    .unwrap_or_else(|| panic!("no [{section}] in aerie.toml"));
                let rest = &text[start + header.len()..];
                rest.split("\n[").next().unwrap_or_default().to_string()
            };
            let set = body.lines().any(|l| {
                let l = l.trim_start_matches("# ");
                l.starts_with(&format!("{name} =")) || l.starts_with(&format!("{name}="))
            });
            assert!(set, "{key} is not documented in config/aerie.toml");
        }
    }
}
