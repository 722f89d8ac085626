//! What hydration and the pages read of a post record, parsed once from the stored JSON: text,
//! facets, reply references, self-labels, `createdAt` and the embed. Records are untrusted: a
//! field of the wrong shape is left out (each field on its own), never an error.

use aerie_storage::RecordId;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A facet whose byte range lies inside the text on character boundaries, with a usable
/// target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facet {
    /// First byte.
    pub start: usize,
    /// Byte after the last.
    pub end: usize,
    /// What it links to.
    pub target: FacetTarget,
}

/// What a facet links to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FacetTarget {
    /// An `http(s)` link.
    Link(String),
    /// A mention of a DID.
    Mention(String),
    /// A hashtag.
    Tag(String),
}

/// A post's reply references.
#[derive(Clone, Debug)]
pub struct ReplyIds {
    /// The thread's root.
    pub root: RecordId,
    /// The root's CID as the reply gives it.
    pub root_cid: Option<String>,
    /// The post replied to.
    pub parent: RecordId,
}

/// The parts of a post record hydration and pages use.
#[derive(Clone, Debug, Default)]
pub struct PostContent {
    /// The text.
    pub text: String,
    /// Its usable facets, in order, none overlapping.
    pub facets: Vec<Facet>,
    /// `createdAt` as written (validated as a datetime).
    pub created_at: Option<String>,
    /// Reply references, when both are AT-URIs.
    pub reply: Option<ReplyIds>,
    /// Self-label values.
    pub self_labels: Vec<String>,
    /// The embed, for hydration.
    pub embed: Option<Value>,
}

/// The top level of a post record, each field kept raw so that one malformed field does not
/// lose the others.
#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(borrow, default)]
    text: Option<&'a RawValue>,
    #[serde(borrow, default)]
    facets: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "createdAt")]
    created_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    reply: Option<&'a RawValue>,
    #[serde(borrow, default)]
    labels: Option<&'a RawValue>,
    #[serde(borrow, default)]
    embed: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct StrongRef<'a> {
    #[serde(borrow)]
    uri: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    cid: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ReplyIn<'a> {
    #[serde(borrow)]
    root: StrongRef<'a>,
    #[serde(borrow)]
    parent: StrongRef<'a>,
}

#[derive(Deserialize)]
struct SelfLabels {
    values: Vec<SelfLabel>,
}

#[derive(Deserialize)]
struct SelfLabel {
    val: String,
}

/// A record's self-label values (`labels: {values: [{val}]}`), as written.
pub fn self_labels(record: &Value) -> Vec<String> {
    serde_json::from_value::<SelfLabels>(record.get("labels").cloned().unwrap_or_default())
        .map(|l| l.values.into_iter().map(|v| v.val).collect())
        .unwrap_or_default()
}

fn field<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    serde_json::from_str(raw?.get()).ok()
}

impl PostContent {
    /// Parses a stored post record (compact JSON); anything unreadable is left empty.
    pub fn parse(record: &str) -> Self {
        let Ok(f) = serde_json::from_str::<Fields>(record) else {
            return PostContent::default();
        };
        let text: String = field(f.text).unwrap_or_default();
        let facets = field::<Value>(f.facets)
            .map(|v| facets(&text, &v))
            .unwrap_or_default();
        let reply = field::<ReplyIn>(f.reply).and_then(|r| {
            Some(ReplyIds {
                root: crate::util::syntax::record_uri(&r.root.uri)?,
                root_cid: r.root.cid.map(|c| c.into_owned()),
                parent: crate::util::syntax::record_uri(&r.parent.uri)?,
            })
        });
        PostContent {
            created_at: field::<String>(f.created_at)
                .filter(|c| aerie_storage::datetime::parse_us(c).is_some()),
            reply,
            self_labels: field::<SelfLabels>(f.labels)
                .map(|l| l.values.into_iter().map(|v| v.val).collect())
                .unwrap_or_default(),
            embed: field(f.embed),
            facets,
            text,
        }
    }
}

/// The usable facets of `text` from a record's `facets` array: sorted, overlapping ones
/// dropped, each with the first usable feature.
pub fn facets(text: &str, facets: &Value) -> Vec<Facet> {
    let mut spans: Vec<Facet> = facets
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let start = usize::try_from(f.pointer("/index/byteStart")?.as_u64()?).ok()?;
            let end = usize::try_from(f.pointer("/index/byteEnd")?.as_u64()?).ok()?;
            let ok = start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end);
            ok.then(|| target(f.get("features")?).map(|target| Facet { start, end, target }))?
        })
        .collect();
    spans.sort_by_key(|s| s.start);
    let mut at = 0;
    spans.retain(|s| {
        let keep = s.start >= at;
        if keep {
            at = s.end;
        }
        keep
    });
    spans
}

/// The first usable feature of a facet.
fn target(features: &Value) -> Option<FacetTarget> {
    features
        .as_array()?
        .iter()
        .find_map(|f| match f.get("$type")?.as_str()? {
            "app.bsky.richtext.facet#link" => {
                crate::util::http_url(f.get("uri")?.as_str()?).map(FacetTarget::Link)
            }
            "app.bsky.richtext.facet#mention" => {
                let did = f.get("did")?.as_str()?;
                crate::util::syntax::is_did(did).then(|| FacetTarget::Mention(did.to_string()))
            }
            "app.bsky.richtext.facet#tag" => {
                let tag = f.get("tag")?.as_str()?;
                (!tag.is_empty() && tag.len() <= 640).then(|| FacetTarget::Tag(tag.to_string()))
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_fields_are_left_out_one_by_one() {
        let c = PostContent::parse(
            r#"{"text":"hi there","facets":"nope","createdAt":"2024-02-31T00:00:00Z","reply":{"root":{"uri":"at://did:plc:a/app.bsky.feed.post/1"}},"labels":{"values":[{"val":"porn"}]}}"#,
        );
        assert_eq!(c.text, "hi there");
        assert!(c.facets.is_empty() && c.reply.is_none());
        assert_eq!(c.self_labels, vec!["porn".to_string()]);
        assert_eq!(PostContent::parse("[1,2]").text, "");
    }

    #[test]
    fn facets_keep_inside_on_boundaries_without_overlap() {
        let text = "héllo @a.test #tag";
        let v: Value = serde_json::json!([
            {"index": {"byteStart": 7, "byteEnd": 14}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:web:a.test"}]},
            {"index": {"byteStart": 8, "byteEnd": 10}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}]},
            {"index": {"byteStart": 2, "byteEnd": 3}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}]},
            {"index": {"byteStart": 15, "byteEnd": 19}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "javascript:x"}, {"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}]},
            {"index": {"byteStart": 15, "byteEnd": 99}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "t"}]}
        ]);
        let f = facets(text, &v);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].target, FacetTarget::Mention("did:web:a.test".into()));
        assert_eq!(f[1].target, FacetTarget::Tag("tag".into()));
    }
}
