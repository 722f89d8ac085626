//! `app.bsky.feed.*`.

pub mod get_actor_likes;
pub mod get_author_feed;
pub mod get_likes;
pub mod get_post_thread;
pub mod get_posts;
pub mod get_quotes;
pub mod get_reposted_by;
pub mod get_timeline;
