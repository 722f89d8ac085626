//! The lexicons' view objects as typed structs (`app.bsky.actor.defs`, `app.bsky.feed.defs`,
//! embed views, notifications): what hydration builds, what XRPC serializes and what the pages
//! render. Records travel as the stored JSON (`RawValue`), never parsed and re-serialized; the
//! parts of a post the pages show travel beside it, parsed once (`content`, not serialized).

mod actor;
mod embed;
mod feedgen;
mod labeler;
mod list;
mod notification;
pub(crate) mod post;
mod starter_pack;
mod thread_v2;

pub use actor::{
    ActivitySubscription, Label, ProfileAssociated, ProfileAssociatedChat, ProfileView,
    ProfileViewBasic, ProfileViewDetailed, ViewerState,
};
pub use embed::{
    AspectRatio, BlockedAuthor, EmbedRecord, EmbedView, ExternalView, ImageView, MediaView,
    RecordView, VideoView, ViewBlocked, ViewDetached, ViewNotFound, ViewRecord,
};
pub use feedgen::{GeneratorView, GeneratorViewerState};
pub use labeler::{LabelerDetail, LabelerView, LabelerViewerState};
pub use list::{ListItemView, ListView, ListViewBasic, ListViewerState};
pub use notification::Notification;
pub use post::{
    BlockedPost, FeedViewPost, NotFoundPost, PostView, PostViewerState, Reason, ReasonRepost,
    ReplyItem, ReplyRef, ThreadNode, ThreadViewPost,
};
pub use starter_pack::StarterPackView;
pub use thread_v2::{ThreadItem, ThreadItemPost, ThreadItemValue, ThreadgateView};

/// A record as stored (compact JSON), serialized verbatim.
pub type RawRecord = Box<serde_json::value::RawValue>;

/// Declares a unit type that serializes as a lexicon `$type` string.
macro_rules! lex_type {
    ($(#[$m:meta])* $name:ident = $s:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($s)
            }
        }
    };
}
pub(crate) use lex_type;
