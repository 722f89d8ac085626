//! The search index's one schema: posts, actors, feed generators and starter packs are
//! documents of one index, told apart by `kind`. Nothing is stored: the identifier is a fast
//! column (text is never kept twice: the store has it); text fields hold our own terms (see
//! `analyze`).

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STRING,
};

/// The document kinds.
pub mod kind {
    pub const POST: &str = "post";
    pub const ACTOR: &str = "actor";
    pub const FEED: &str = "feed";
    pub const PACK: &str = "pack";
}

/// Values of the `has` field.
pub mod has {
    pub const REPLY: &str = "reply";
    pub const MEDIA: &str = "media";
    pub const VIDEO: &str = "video";
    pub const LINK: &str = "link";
    pub const QUOTE: &str = "quote";
}

/// The fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// What the document is (`kind::*`).
    pub kind: Field,
    /// Its AT-URI (actors: the DID): a term (what a replay deletes by) and a fast column (what
    /// a hit is read back as).
    pub id: Field,
    /// The author's (creator's, actor's own) DID.
    pub author: Field,
    /// Post text and alt texts; descriptions.
    pub text: Field,
    /// Display names and feed, list and pack names.
    pub name: Field,
    /// Hashtags, folded, without `#`.
    pub tag: Field,
    /// DIDs mentioned.
    pub mention: Field,
    /// Links, normalized (see `doc::normalize_url`).
    pub url: Field,
    /// Links' hosts and their parent domains.
    pub domain: Field,
    /// The quoted post's URI.
    pub quote: Field,
    /// Languages, lowercased, whole and primary subtag.
    pub lang: Field,
    /// The DID a reply answers (the parent's author).
    pub reply_to: Field,
    /// The parent and root of a reply.
    pub parent: Field,
    pub root: Field,
    /// `has::*` flags.
    pub has: Field,
    /// `min(createdAt, indexedAt)` (µs): range filters and the `latest` order.
    pub sort_at: Field,
    /// The order among documents of the same `sort_at` (a hash of the URI).
    pub tie: Field,
    /// Actors: the handle, whole and lowercased.
    pub handle: Field,
    /// Actors: prefixes of the handle, its parts and the names (typeahead).
    pub prefix: Field,
    /// Actors: "1" when the account does not serve content (deactivated, taken down).
    pub hidden: Field,
}

/// The schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let sort = NumericOptions::default().set_indexed().set_fast();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        id: b.add_text_field("id", STRING | FAST),
        author: b.add_text_field("author", STRING),
        text: b.add_text_field("text", text.clone()),
        name: b.add_text_field("name", text),
        tag: b.add_text_field("tag", STRING),
        mention: b.add_text_field("mention", STRING),
        url: b.add_text_field("url", STRING),
        domain: b.add_text_field("domain", STRING),
        quote: b.add_text_field("quote", STRING),
        lang: b.add_text_field("lang", STRING),
        reply_to: b.add_text_field("reply_to", STRING),
        parent: b.add_text_field("parent", STRING),
        root: b.add_text_field("root", STRING),
        has: b.add_text_field("has", STRING),
        sort_at: b.add_i64_field("sort_at", sort.clone()),
        tie: b.add_u64_field("tie", sort),
        handle: b.add_text_field("handle", STRING),
        prefix: b.add_text_field("prefix", STRING),
        hidden: b.add_text_field("hidden", STRING),
    };
    (b.build(), fields)
}

/// The `tie` of a document: a stable hash of its identifier (FNV-1a, so it never changes
/// between builds).
pub fn tie(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
