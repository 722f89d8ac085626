//! Jetstream v1 events (JSON) → normalized store operations. Every field is checked (record
//! changes by the gate's `change`); an event that fails a check is rejected with a reason and
//! never half-applied.

use crate::gate::change::{invalid, Change, Filter, Skip};
use crate::util::syntax;
use aerie_storage::Op;
use serde::Deserialize;
use serde_json::value::RawValue;

/// An accepted event: its stream position and the operation it becomes (none for kinds Aerie
/// does not store).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The position: `time_us` (Jetstream) or `seq` (firehose).
    pub time_us: i64,
    /// What to apply.
    pub op: Option<Op>,
    /// The connection it came on, when a subscription is spread over several (its endpoint).
    pub connection: Option<std::sync::Arc<str>>,
}

impl Event {
    /// An event of the single connection.
    pub fn new(time_us: i64, op: Option<Op>) -> Self {
        Event {
            time_us,
            op,
            connection: None,
        }
    }
}

#[derive(Deserialize)]
struct Raw<'a> {
    did: String,
    time_us: i64,
    kind: String,
    #[serde(borrow, default)]
    commit: Option<RawCommit<'a>>,
    #[serde(default)]
    identity: Option<RawIdentity>,
    #[serde(default)]
    account: Option<RawAccount>,
}

#[derive(Deserialize)]
struct RawCommit<'a> {
    rev: String,
    operation: String,
    collection: String,
    rkey: String,
    #[serde(borrow, default)]
    record: Option<&'a RawValue>,
    #[serde(default)]
    cid: Option<String>,
}

#[derive(Deserialize)]
struct RawIdentity {
    #[serde(default)]
    handle: Option<String>,
    seq: i64,
}

#[derive(Deserialize)]
struct RawAccount {
    active: bool,
    #[serde(default)]
    status: Option<String>,
    seq: i64,
}

/// Longest skip reason, in characters: reasons are logged, and some quote the input.
const MAX_REASON_CHARS: usize = 200;

/// A skip reason cut to `MAX_REASON_CHARS`.
pub fn clip(reason: &str) -> String {
    reason.chars().take(MAX_REASON_CHARS).collect()
}

/// Parses one event.
pub fn parse(bytes: &[u8], filter: &Filter) -> Result<Event, Skip> {
    let raw: Raw<'_> =
        serde_json::from_slice(bytes).map_err(|e| Skip::Malformed(clip(&e.to_string())))?;
    if !syntax::is_did(&raw.did) {
        return Err(invalid("did", &raw.did));
    }
    if raw.time_us <= 0 {
        return Err(invalid("time_us", &raw.time_us.to_string()));
    }
    let op = match raw.kind.as_str() {
        "commit" => Some(commit(
            &raw.did,
            raw.time_us,
            raw.commit
                .ok_or_else(|| Skip::Malformed("commit event without commit".into()))?,
            filter,
        )?),
        "identity" => {
            let i = raw
                .identity
                .ok_or_else(|| Skip::Malformed("identity event without identity".into()))?;
            let handle = i.handle.filter(|h| syntax::is_handle(h));
            Some(Op::Identity {
                did: raw.did,
                handle,
                seq: i.seq,
            })
        }
        "account" => {
            let a = raw
                .account
                .ok_or_else(|| Skip::Malformed("account event without account".into()))?;
            Some(Op::Account {
                did: raw.did,
                active: a.active,
                status: a.status,
                seq: a.seq,
            })
        }
        other => return Err(invalid("kind", other)),
    };
    Ok(Event::new(raw.time_us, op))
}

fn commit(did: &str, time_us: i64, c: RawCommit<'_>, filter: &Filter) -> Result<Op, Skip> {
    let body = match (c.record, c.cid.as_deref()) {
        (Some(r), Some(cid)) => Some((
            r.get(),
            syntax::cid_bytes(cid).ok_or_else(|| invalid("cid", cid))?,
        )),
        (Some(_), None) => return Err(Skip::Malformed("create without cid".into())),
        _ => None,
    };
    let change = Change {
        did,
        collection: &c.collection,
        rkey: &c.rkey,
        rev: &c.rev,
        action: &c.operation,
    };
    change.into_op(body, time_us, filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> Filter {
        Filter::from_config(&crate::config::JetstreamConfig::default())
    }

    const LIKE: &str = r#"{"did":"did:plc:wq4aajammjtxdomz3e23667t","time_us":1783175888085434,"kind":"commit","commit":{"rev":"3mptbypluud2a","operation":"create","collection":"app.bsky.feed.like","rkey":"3mptbyplj5d2a","record":{"$type":"app.bsky.feed.like","createdAt":"2026-07-04T14:38:08.999Z","subject":{"cid":"bafyreiftot7eltsc3f6g4qktykmbv6jcmdmhcx5osscan6jpdxkpqcmcza","uri":"at://did:plc:r2zybk6op3ymzpz6jhqpkoy5/app.bsky.feed.post/3mpsjbtci2c2o"}},"cid":"bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i"}}"#;

    #[test]
    fn parses_a_real_like() {
        let e = parse(LIKE.as_bytes(), &filter()).expect("valid");
        assert_eq!(e.time_us, 1783175888085434);
        let Some(Op::Put { id, record, .. }) = e.op else {
            panic!("a put")
        };
        assert_eq!(id.rkey, "3mptbyplj5d2a");
        assert!(record.starts_with(b"{\"$type\""));
    }

    #[test]
    fn rejects_bad_fields() {
        let cases = [
            ("not json", "malformed"),
            (
                &LIKE.replace("did:plc:wq4aajammjtxdomz3e23667t", "did:plc:nope"),
                "invalid did",
            ),
            (&LIKE.replace("3mptbypluud2a", "notatid"), "invalid rev"),
            (
                &LIKE.replace(
                    "bafyreiguce4jh7kcbmof3pmcvasifqtw24b6isakj5ve5ga2b4z4alpc4i",
                    "bafyXX",
                ),
                "invalid cid",
            ),
            (
                &LIKE.replace("\"rkey\":\"3mptbyplj5d2a\"", "\"rkey\":\"../x\""),
                "invalid rkey",
            ),
            (
                &LIKE.replace("app.bsky.feed.like\",\"rkey", "com.example.other\",\"rkey"),
                "unwanted collection",
            ),
            (&LIKE.replace("1783175888085434", "\"soon\""), "malformed"),
            (
                &LIKE.replace("\"create\"", "\"explode\""),
                "invalid operation",
            ),
        ];
        for (input, want) in cases {
            let err = parse(input.as_bytes(), &filter()).expect_err(want);
            assert!(err.to_string().starts_with(want), "{err} for {want}");
        }
        let small = Filter::new(&["app.bsky.feed.like".into()], 10);
        assert!(matches!(
            parse(LIKE.as_bytes(), &small),
            Err(Skip::Oversized(_))
        ));
    }

    /// serde_json quotes a mistyped string whole; the reason is logged, so it is cut short (the
    /// `jetstream_frame` fuzz target checks this).
    #[test]
    fn a_skip_reason_stays_short() {
        let frame = format!(
            r#"{{"did":"did:web:x.test","time_us":"{}","kind":"commit"}}"#,
            "A".repeat(3000)
        );
        let why = parse(frame.as_bytes(), &filter()).expect_err("malformed");
        let why = why.to_string();
        assert!(why.starts_with("malformed") && why.len() < 300, "{why}");
    }

    #[test]
    fn prefix_filters_and_identity_events() {
        let f = Filter::new(&["app.bsky.feed.*".into()], 1 << 16);
        assert!(parse(LIKE.as_bytes(), &f).is_ok());
        let ident = r#"{"did":"did:plc:wq4aajammjtxdomz3e23667t","time_us":5,"kind":"identity","identity":{"did":"did:plc:wq4aajammjtxdomz3e23667t","handle":"Bad Handle","seq":9,"time":"x"}}"#;
        let e = parse(ident.as_bytes(), &f).expect("identity");
        assert_eq!(
            e.op,
            Some(Op::Identity {
                did: "did:plc:wq4aajammjtxdomz3e23667t".into(),
                handle: None,
                seq: 9
            })
        );
    }

    /// The real capture next to the project: every event must parse.
    #[test]
    fn the_real_capture_parses() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/jetstream-capture/expected_v1.jsonl");
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!(
                "notice: {} is absent; skipping the capture parser test",
                path.display()
            );
            return;
        };
        let mut kinds = std::collections::BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let kind = match parse(line.as_bytes(), &filter()) {
                Ok(Event {
                    op: Some(Op::Put { .. }),
                    ..
                }) => "put",
                Ok(Event {
                    op: Some(Op::Delete { .. }),
                    ..
                }) => "delete",
                Ok(Event {
                    op: Some(Op::Identity { .. }),
                    ..
                }) => "identity",
                Ok(Event {
                    op: Some(Op::Account { .. }),
                    ..
                }) => "account",
                Ok(Event { op: None, .. }) => "none",
                Ok(Event { op: Some(op), .. }) => panic!("line {}: parsed as {op:?}", n + 1),
                Err(Skip::Collection(_)) => "unwanted",
                Err(e) => panic!("line {}: {e}", n + 1),
            };
            *kinds.entry(kind).or_insert(0) += 1;
        }
        let commits: i32 = ["put", "delete", "unwanted"]
            .iter()
            .filter_map(|k| kinds.get(k))
            .sum();
        assert_eq!(commits, 150, "{kinds:?}");
        assert!(kinds.get("put").copied().unwrap_or(0) > 100, "{kinds:?}");
        assert_eq!(kinds.get("identity"), Some(&1));
        assert_eq!(kinds.get("account"), Some(&1));
    }
}
