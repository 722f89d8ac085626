//! Notification preferences (`app.bsky.notification.getPreferences` / `putPreferencesV2`):
//! private, kept only in Aerie. What is stored is what the user set; every field the user never
//! set answers with the reference's default (everything listed and pushed, from everyone).
//! `list: false` and `include: "follows"` filter what `listNotifications` shows.

use super::{Error, Result};
use crate::gate::own::{self, kind};
use crate::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The key of the one preferences value.
const KEY: &str = "v2";

/// `#filterablePreference`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Filterable {
    /// `all` or `follows`.
    pub include: String,
    /// Shown in the list.
    pub list: bool,
    /// Pushed.
    pub push: bool,
}

/// `#preference`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plain {
    /// Shown in the list.
    pub list: bool,
    /// Pushed.
    pub push: bool,
}

/// `#chatPreference`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Chat {
    /// `all` or `accepted`.
    pub include: String,
    /// Pushed.
    pub push: bool,
}

/// `app.bsky.notification.defs#preferences`.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub chat: Chat,
    pub follow: Filterable,
    pub like: Filterable,
    pub like_via_repost: Filterable,
    pub mention: Filterable,
    pub quote: Filterable,
    pub reply: Filterable,
    pub repost: Filterable,
    pub repost_via_repost: Filterable,
    pub starterpack_joined: Plain,
    pub subscribed_post: Plain,
    pub unverified: Plain,
    pub verified: Plain,
}

/// The filterable kinds, by their field names.
const FILTERABLE: [&str; 8] = [
    "follow",
    "like",
    "likeViaRepost",
    "mention",
    "quote",
    "reply",
    "repost",
    "repostViaRepost",
];
/// The plain kinds.
const PLAIN: [&str; 4] = [
    "starterpackJoined",
    "subscribedPost",
    "unverified",
    "verified",
];

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(true)
}

fn include(v: &Value, allowed: [&str; 2]) -> String {
    v.get("include")
        .and_then(Value::as_str)
        .filter(|i| allowed.contains(i))
        .unwrap_or("all")
        .to_string()
}

fn filterable(v: &Value) -> Filterable {
    Filterable {
        include: include(v, ["all", "follows"]),
        list: flag(v, "list"),
        push: flag(v, "push"),
    }
}

fn plain(v: &Value) -> Plain {
    Plain {
        list: flag(v, "list"),
        push: flag(v, "push"),
    }
}

impl Preferences {
    /// The preferences a stored object gives (defaults where it says nothing).
    fn from_stored(o: &Map<String, Value>) -> Self {
        let f = |k: &str| filterable(o.get(k).unwrap_or(&Value::Null));
        let p = |k: &str| plain(o.get(k).unwrap_or(&Value::Null));
        let chat = o.get("chat").unwrap_or(&Value::Null);
        Preferences {
            chat: Chat {
                include: include(chat, ["all", "accepted"]),
                push: flag(chat, "push"),
            },
            follow: f("follow"),
            like: f("like"),
            like_via_repost: f("likeViaRepost"),
            mention: f("mention"),
            quote: f("quote"),
            reply: f("reply"),
            repost: f("repost"),
            repost_via_repost: f("repostViaRepost"),
            starterpack_joined: p("starterpackJoined"),
            subscribed_post: p("subscribedPost"),
            unverified: p("unverified"),
            verified: p("verified"),
        }
    }

    /// Whether notifications of `reason` are listed, and only from followed accounts.
    pub fn listing(&self, reason: &str) -> (bool, bool) {
        if let Some(f) = self.for_reason(reason) {
            return (f.list, f.include == "follows");
        }
        match reason {
            "subscribed-post" => (self.subscribed_post.list, false),
            "starterpack-joined" => (self.starterpack_joined.list, false),
            _ => (true, false),
        }
    }

    /// The preference for a notification reason (`like`, `reply`, ...), if it has one.
    fn for_reason(&self, reason: &str) -> Option<&Filterable> {
        Some(match reason {
            "follow" => &self.follow,
            "like" => &self.like,
            "like-via-repost" => &self.like_via_repost,
            "mention" => &self.mention,
            "quote" => &self.quote,
            "reply" => &self.reply,
            "repost" => &self.repost,
            "repost-via-repost" => &self.repost_via_repost,
            _ => return None,
        })
    }
}

fn stored(state: &AppState, viewer: &str) -> Result<Map<String, Value>> {
    let raw = state.store.private(viewer, kind::NOTIFICATION_PREFS, KEY)?;
    Ok(raw
        .and_then(|r| serde_json::from_slice::<Value>(&r).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default())
}

/// The viewer's preferences.
pub fn get(state: &AppState, viewer: &str) -> Result<Preferences> {
    Ok(Preferences::from_stored(&stored(state, viewer)?))
}

/// Sets the kinds `input` names (each replaced whole, checked as the lexicon shapes it) and
/// returns the preferences that result.
pub fn put(state: &AppState, viewer: &str, input: &Value) -> Result<Preferences> {
    let input = input
        .as_object()
        .ok_or_else(|| Error::invalid("Input must be an object"))?;
    let mut o = stored(state, viewer)?;
    for (key, value) in input {
        let known =
            key == "chat" || FILTERABLE.contains(&key.as_str()) || PLAIN.contains(&key.as_str());
        if !known {
            continue;
        }
        let v = value
            .as_object()
            .ok_or_else(|| Error::invalid(format!("Input/{key} must be an object")))?;
        let needs: &[&str] = match key.as_str() {
            "chat" => &["include", "push"],
            k if FILTERABLE.contains(&k) => &["include", "list", "push"],
            _ => &["list", "push"],
        };
        if let Some(missing) = needs.iter().find(|n| !v.contains_key(**n)) {
            return Err(Error::invalid(format!(
                "Input/{key} must have the property \"{missing}\""
            )));
        }
        o.insert(key.clone(), value.clone());
    }
    let bytes = serde_json::to_vec(&o).map_err(|e| Error::invalid(e.to_string()))?;
    own::private(
        &*state.store,
        viewer,
        vec![(kind::NOTIFICATION_PREFS, KEY.to_string(), Some(bytes))],
    )?;
    Ok(Preferences::from_stored(&o))
}
