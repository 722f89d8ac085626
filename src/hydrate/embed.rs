//! Embed views: images, external links, video, quoted records and record-with-media, with CDN
//! URLs built from blob CIDs. A malformed embed is left out rather than rendered invalid.

use super::view::{
    EmbedRecord, EmbedView, ExternalView, ImageView, MediaView, RecordView, VideoView, ViewBlocked,
    ViewDetached, ViewNotFound, ViewRecord,
};
use super::{aspect_ratio, blob_cid, text, uri_ok, Limit, Views, ANY};
use crate::util::syntax;
use aerie_storage::facts::nsid;
use aerie_storage::{datetime, RecordId};
use serde_json::Value;

/// How deep quoted records nest their own embeds (the reference shows one level).
const MAX_EMBED_DEPTH: u8 = 1;

impl Views<'_> {
    /// The view of the `embed` of post `owner`, or `None` when it is unknown or malformed.
    pub(super) fn embed(
        &self,
        owner: &RecordId,
        embed: &Value,
        depth: u8,
    ) -> aerie_storage::Result<Option<EmbedView>> {
        let did = owner.did.as_str();
        let t = embed.get("$type").and_then(Value::as_str).unwrap_or("");
        Ok(match t {
            "app.bsky.embed.images" | "app.bsky.embed.external" | "app.bsky.embed.video" => {
                self.media(did, embed).map(EmbedView::Media)
            }
            "app.bsky.embed.record" => self
                .embedded_record(owner, embed.pointer("/record/uri"), depth)?
                .map(|r| EmbedView::Record(RecordView::new(r))),
            "app.bsky.embed.recordWithMedia" => {
                let Some(rec) =
                    self.embedded_record(owner, embed.pointer("/record/record/uri"), depth)?
                else {
                    return Ok(None);
                };
                embed
                    .get("media")
                    .and_then(|m| self.media(did, m))
                    .map(|media| EmbedView::record_with_media(RecordView::new(rec), media))
            }
            _ => None,
        })
    }

    fn media(&self, did: &str, embed: &Value) -> Option<MediaView> {
        match embed.get("$type").and_then(Value::as_str)? {
            "app.bsky.embed.images" => {
                let images = embed
                    .get("images")?
                    .as_array()?
                    .iter()
                    .take(4)
                    .filter_map(|img| {
                        let cid = blob_cid(img.get("image")?)?;
                        Some(ImageView {
                            thumb: self.cdn("feed_thumbnail", did, &cid),
                            fullsize: self.cdn("feed_fullsize", did, &cid),
                            alt: text(img, "alt", ANY).unwrap_or_default(),
                            aspect_ratio: aspect_ratio(img),
                        })
                    })
                    .collect();
                Some(MediaView::images(images))
            }
            "app.bsky.embed.external" => {
                let ext = embed.get("external")?;
                let uri = ext.get("uri")?.as_str().filter(|u| uri_ok(u))?;
                Some(MediaView::external(ExternalView {
                    uri: uri.to_string(),
                    title: text(ext, "title", ANY).unwrap_or_default(),
                    description: text(ext, "description", ANY).unwrap_or_default(),
                    thumb: ext
                        .get("thumb")
                        .and_then(blob_cid)
                        .map(|cid| self.cdn("feed_thumbnail", did, &cid)),
                }))
            }
            "app.bsky.embed.video" => {
                let cid = blob_cid(embed.get("video")?)?;
                Some(MediaView::Video(VideoView {
                    ty: Default::default(),
                    playlist: format!("https://video.bsky.app/watch/{did}/{cid}/playlist.m3u8"),
                    thumbnail: format!("https://video.bsky.app/watch/{did}/{cid}/thumbnail.jpg"),
                    cid,
                    alt: text(
                        embed,
                        "alt",
                        Limit {
                            bytes: 10_000,
                            graphemes: 1000,
                        },
                    ),
                    aspect_ratio: aspect_ratio(embed),
                }))
            }
            _ => None,
        }
    }

    /// `#viewRecord` of a post quoted by `quoter`, `#viewBlocked` when a block separates them,
    /// `#viewNotFound` when it is missing or hidden; `None` when the reference is not an
    /// AT-URI at all.
    fn embedded_record(
        &self,
        quoting: &RecordId,
        uri: Option<&Value>,
        depth: u8,
    ) -> aerie_storage::Result<Option<EmbedRecord>> {
        let quoter = quoting.did.as_str();
        let Some(id) = uri.and_then(Value::as_str).and_then(syntax::record_uri) else {
            return Ok(None);
        };
        if id.collection != nsid::POST {
            return Ok(Some(EmbedRecord::NotFound(ViewNotFound::new(id.uri()))));
        }
        if self.blocked_between(quoter, &id.did)? {
            return Ok(Some(EmbedRecord::Blocked(ViewBlocked::new(
                id.uri(),
                id.did.clone(),
            ))));
        }
        let Some(live) = self.live_post(&id)? else {
            return Ok(Some(EmbedRecord::NotFound(ViewNotFound::new(id.uri()))));
        };
        let labels = self.post_labels(&id, &live)?;
        if self.taken_down(&labels) {
            return Ok(Some(EmbedRecord::NotFound(ViewNotFound::new(id.uri()))));
        }
        // The quoted post's author detached this quote, or disabled quoting before it (its
        // postgate).
        let gate = self.postgate(&id)?;
        let quoted_at = match gate.embedding_disabled && quoter != id.did {
            true => self.record(quoting)?.map_or(0, |q| q.sort_at_us),
            false => 0,
        };
        if gate.detaches(&quoting.uri(), quoter != id.did, quoted_at) {
            return Ok(Some(EmbedRecord::Detached(ViewDetached::new(id.uri()))));
        }
        let embeds = match (&live.content.embed, depth < MAX_EMBED_DEPTH) {
            (Some(e), true) => self.embed(&id, e, depth + 1)?.map(|e| vec![e]),
            _ => None,
        };
        let counts = self.post_counts(&id)?;
        Ok(Some(EmbedRecord::Record(Box::new(ViewRecord {
            ty: Default::default(),
            uri: id.uri(),
            cid: syntax::cid_string(&live.rec.cid),
            author: self.profile_basic(&id.did)?,
            value: live.raw,
            labels,
            reply_count: counts.replies,
            repost_count: counts.reposts,
            like_count: counts.likes,
            quote_count: counts.quotes,
            indexed_at: datetime::format_us(live.rec.indexed_at_us),
            embeds,
            content: live.content,
        }))))
    }
}
