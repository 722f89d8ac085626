//! Embed views: images, external links, video, quoted records and record-with-media, with CDN
//! URLs built from blob CIDs. A malformed embed is left out rather than rendered invalid.

use super::actor::ProfileKind;
use super::{aspect_ratio, blob_cid, text, uri_ok, Limit, Views, ANY};
use crate::util::syntax;
use aerie_storage::datetime;
use aerie_storage::facts::nsid;
use serde_json::{json, Value};

/// How deep quoted records nest their own embeds (the reference shows one level).
const MAX_EMBED_DEPTH: u8 = 1;

impl Views<'_> {
    /// The view of a post's `embed`, or `None` when it is unknown or malformed.
    pub(super) fn embed(
        &self,
        did: &str,
        embed: &Value,
        depth: u8,
    ) -> aerie_storage::Result<Option<Value>> {
        let t = embed.get("$type").and_then(Value::as_str).unwrap_or("");
        Ok(match t {
            "app.bsky.embed.images" | "app.bsky.embed.external" | "app.bsky.embed.video" => {
                self.media(did, embed)
            }
            "app.bsky.embed.record" => {
                let Some(rec) = self.embedded_record(did, embed.pointer("/record/uri"), depth)?
                else {
                    return Ok(None);
                };
                Some(json!({"$type": "app.bsky.embed.record#view", "record": rec}))
            }
            "app.bsky.embed.recordWithMedia" => {
                let Some(rec) =
                    self.embedded_record(did, embed.pointer("/record/record/uri"), depth)?
                else {
                    return Ok(None);
                };
                let Some(media) = embed.get("media").and_then(|m| self.media(did, m)) else {
                    return Ok(None);
                };
                Some(json!({
                    "$type": "app.bsky.embed.recordWithMedia#view",
                    "record": {"$type": "app.bsky.embed.record#view", "record": rec},
                    "media": media,
                }))
            }
            _ => None,
        })
    }

    fn media(&self, did: &str, embed: &Value) -> Option<Value> {
        match embed.get("$type").and_then(Value::as_str)? {
            "app.bsky.embed.images" => {
                let images: Vec<Value> = embed
                    .get("images")?
                    .as_array()?
                    .iter()
                    .take(4)
                    .filter_map(|img| {
                        let cid = blob_cid(img.get("image")?)?;
                        let mut v = json!({
                            "thumb": self.cdn("feed_thumbnail", did, &cid),
                            "fullsize": self.cdn("feed_fullsize", did, &cid),
                            "alt": text(img, "alt", ANY).unwrap_or_default(),
                        });
                        if let Some(a) = aspect_ratio(img) {
                            v["aspectRatio"] = a;
                        }
                        Some(v)
                    })
                    .collect();
                Some(json!({"$type": "app.bsky.embed.images#view", "images": images}))
            }
            "app.bsky.embed.external" => {
                let ext = embed.get("external")?;
                let uri = ext.get("uri")?.as_str().filter(|u| uri_ok(u))?;
                let mut v = json!({
                    "uri": uri,
                    "title": text(ext, "title", ANY).unwrap_or_default(),
                    "description": text(ext, "description", ANY).unwrap_or_default(),
                });
                if let Some(cid) = ext.get("thumb").and_then(blob_cid) {
                    v["thumb"] = json!(self.cdn("feed_thumbnail", did, &cid));
                }
                Some(json!({"$type": "app.bsky.embed.external#view", "external": v}))
            }
            "app.bsky.embed.video" => {
                let cid = blob_cid(embed.get("video")?)?;
                let mut v = json!({
                    "$type": "app.bsky.embed.video#view",
                    "cid": cid,
                    "playlist": format!("https://video.bsky.app/watch/{did}/{cid}/playlist.m3u8"),
                    "thumbnail": format!("https://video.bsky.app/watch/{did}/{cid}/thumbnail.jpg"),
                });
                if let Some(alt) = text(
                    embed,
                    "alt",
                    Limit {
                        bytes: 10_000,
                        graphemes: 1000,
                    },
                ) {
                    v["alt"] = json!(alt);
                }
                if let Some(a) = aspect_ratio(embed) {
                    v["aspectRatio"] = a;
                }
                Some(v)
            }
            _ => None,
        }
    }

    /// `#viewRecord` of a post quoted by `quoter`, `#viewBlocked` when a block separates them,
    /// `#viewNotFound` when it is missing or hidden; `None`
    /// when the reference is not an AT-URI at all.
    fn embedded_record(
        &self,
        quoter: &str,
        uri: Option<&Value>,
        depth: u8,
    ) -> aerie_storage::Result<Option<Value>> {
        let Some(id) = uri.and_then(Value::as_str).and_then(syntax::record_uri) else {
            return Ok(None);
        };
        let not_found = json!({"$type": "app.bsky.embed.record#viewNotFound", "uri": id.uri(), "notFound": true});
        if id.collection != nsid::POST {
            return Ok(Some(not_found));
        }
        if self.blocked_between(quoter, &id.did)? {
            let blocked = json!({"$type": "app.bsky.embed.record#viewBlocked", "uri": id.uri(), "blocked": true, "author": {"did": id.did}});
            return Ok(Some(blocked));
        }
        let Some((rec, value)) = self.live(&id)? else {
            return Ok(Some(not_found));
        };
        let counts = self.state.store.post_counts(&id)?;
        let mut v = json!({
            "$type": "app.bsky.embed.record#viewRecord",
            "uri": id.uri(),
            "cid": syntax::cid_string(&rec.cid),
            "author": self.profile(&id.did, ProfileKind::Basic)?,
            "value": value,
            "labels": [],
            "replyCount": counts.replies,
            "repostCount": counts.reposts,
            "likeCount": counts.likes,
            "quoteCount": counts.quotes,
            "indexedAt": datetime::format_us(rec.indexed_at_us),
        });
        if depth < MAX_EMBED_DEPTH {
            if let Some(e) = value
                .get("embed")
                .map(|e| self.embed(&id.did, e, depth + 1))
                .transpose()?
                .flatten()
            {
                v["embeds"] = json!([e]);
            }
        }
        Ok(Some(v))
    }
}
