//! Accounts and feed generators as the search page lists them: a row per account (from the
//! profile views people search answers, as JSON — the store's and the network's alike) with
//! its bio and follow button, and a row per feed generator with its creator and likes.

use super::card::{profile_url, Author};
use crate::hydrate::view::GeneratorView;
use serde_json::Value;

/// An account in a list.
pub struct Person {
    /// Who.
    pub author: Author,
    /// Bio, plain.
    pub bio: String,
    /// The viewer's follow record.
    pub following: Option<String>,
    /// They follow the viewer.
    pub follows_you: bool,
    /// A follow button makes sense (signed in, not oneself, no block either way).
    pub can_follow: bool,
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl Person {
    /// From a profile view as JSON; `None` without a DID and handle.
    pub fn from_json(v: &Value, viewer: Option<&str>) -> Option<Self> {
        let did = text(v, "did")?.to_string();
        let handle = text(v, "handle")?.to_string();
        let name = match text(v, "displayName").map(str::trim) {
            None | Some("") => handle.clone(),
            Some(n) => n.to_string(),
        };
        let rel = v.get("viewer");
        let flag = |k: &str| rel.and_then(|r| r.get(k)).is_some_and(|x| !x.is_null());
        let blocked =
            flag("blocking") || rel.and_then(|r| r.get("blockedBy")) == Some(&true.into());
        Some(Person {
            following: rel.and_then(|r| text(r, "following")).map(String::from),
            follows_you: flag("followedBy"),
            can_follow: viewer.is_some_and(|me| me != did) && !blocked,
            bio: text(v, "description").unwrap_or_default().to_string(),
            author: Author {
                url: profile_url(&did, &handle),
                avatar: text(v, "avatar").and_then(crate::util::http_url),
                did,
                handle,
                name,
            },
        })
    }
}

/// A feed generator in a list.
pub struct FeedRow {
    /// Its name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Who made it.
    pub creator: Author,
    /// Likes.
    pub likes: u64,
    /// Its avatar.
    pub avatar: Option<String>,
    /// The generator record's URI.
    pub uri: String,
}

impl FeedRow {
    /// From a generator view.
    pub fn from_view(g: &GeneratorView) -> Self {
        FeedRow {
            name: g.display_name.clone(),
            description: g.description.clone().unwrap_or_default(),
            creator: Author::from_view(&g.creator),
            likes: g.like_count,
            avatar: g.avatar.as_deref().and_then(crate::util::http_url),
            uri: g.uri.clone(),
        }
    }

    /// The first character of the name, for a placeholder avatar.
    pub fn initial(&self) -> String {
        self.name
            .chars()
            .next()
            .map_or_else(|| "#".into(), |c| c.to_uppercase().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn people_from_views() {
        let v = json!({"did": "did:plc:b", "handle": "bob.test", "displayName": " ",
            "avatar": "javascript:alert(1)", "viewer": {"following": "at://x", "blockedBy": false}});
        let p = Person::from_json(&v, Some("did:plc:a")).expect("person");
        assert_eq!(p.author.name, "bob.test");
        assert_eq!(p.author.url, "/profile/bob.test");
        assert_eq!(p.author.avatar, None);
        assert_eq!(p.following.as_deref(), Some("at://x"));
        assert!(p.can_follow && !p.follows_you);
        let me = Person::from_json(&v, Some("did:plc:b")).expect("person");
        assert!(!me.can_follow);
        let blocked =
            json!({"did": "did:plc:b", "handle": "b.test", "viewer": {"blockedBy": true}});
        assert!(
            !Person::from_json(&blocked, Some("did:plc:a"))
                .expect("p")
                .can_follow
        );
        assert!(Person::from_json(&json!({"did": "did:plc:b"}), None).is_none());
    }
}
