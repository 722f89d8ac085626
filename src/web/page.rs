//! What every page shares: the layout's data (title, the logged-in user, the CSRF token,
//! asset URLs, meta tags), the HTML response (never cached across users), redirects after a
//! form, and the error page.

use super::assets;
use super::visitor::Visitor;
use crate::AppState;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// A `<meta property|name content>` tag (Open Graph, Twitter cards, description).
pub struct Meta {
    /// `property` (og:) or `name` (twitter:, description).
    pub key: String,
    /// Whether the key is a `property` attribute (Open Graph) rather than `name`.
    pub property: bool,
    /// Content.
    pub content: String,
}

impl Meta {
    /// An Open Graph `property` tag.
    pub fn og(key: &str, content: impl Into<String>) -> Self {
        Meta {
            key: key.into(),
            property: true,
            content: content.into(),
        }
    }

    /// A `name` tag.
    pub fn name(key: &str, content: impl Into<String>) -> Self {
        Meta {
            key: key.into(),
            property: false,
            content: content.into(),
        }
    }
}

/// The layout's data.
pub struct Layout {
    /// `<title>`.
    pub title: String,
    /// The logged-in user's handle.
    pub handle: Option<String>,
    /// The logged-in user's profile path.
    pub me: String,
    /// The CSRF token forms carry.
    pub csrf: String,
    /// Stylesheet URL.
    pub css: String,
    /// Script URL.
    pub js: String,
    /// Icon URL.
    pub icon: String,
    /// Meta tags.
    pub meta: Vec<Meta>,
    /// Which nav item is current ("home", "notifications", "profile", "compose", "").
    pub nav: &'static str,
    /// Unread notifications.
    pub unread: u64,
    /// The current path (forms return here).
    pub here: String,
    /// The icon sprite's URL.
    pub icons: String,
    /// A user is logged in.
    pub signed_in: bool,
    /// What the layout's search box starts with (the page's query).
    pub search: String,
}

impl Layout {
    /// The layout for a visitor.
    pub fn new(state: &AppState, v: &Visitor, title: impl Into<String>, here: &str) -> Self {
        let handle = v.user.as_ref().map(|u| u.handle.clone());
        let unread = v
            .did()
            .and_then(|d| crate::service::notifications::unread(state, d).ok())
            .unwrap_or(0);
        Layout {
            title: title.into(),
            me: v
                .user
                .as_ref()
                .map(|u| super::card::profile_url(&u.did, &u.handle))
                .unwrap_or_default(),
            handle,
            csrf: v.csrf(state),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            icon: assets::url("icon.svg"),
            meta: Vec::new(),
            nav: "",
            unread,
            here: here.to_string(),
            icons: assets::url("icons.svg"),
            signed_in: v.user.is_some(),
            search: String::new(),
        }
    }
}

/// A rendered page with the visitor's cookies; `private, no-cache` and `Vary: Cookie`, so no
/// shared cache keeps one user's page for another.
pub fn html(v: &Visitor, status: StatusCode, page: &impl Template) -> Response {
    let body = match page.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("rendering a page: {e}");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "page could not be rendered",
            )
                .into_response();
        }
    };
    let mut resp = (status, Html(body)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    for c in v.set_cookies() {
        if let Ok(val) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, val);
        }
    }
    resp
}

/// A local path to return to after a form: only paths on this site (not `//host`).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// `303 See Other` to a local path, with cookies to set.
pub fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut resp = Redirect::to(&local_path(Some(to))).into_response();
    for c in cookies {
        if let Ok(val) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, val);
        }
    }
    resp
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

/// The error page.
pub fn error(
    state: &AppState,
    v: &Visitor,
    status: StatusCode,
    message: impl Into<String>,
) -> Response {
    let page = ErrorPage {
        layout: Layout::new(
            state,
            v,
            format!("{} · Aerie", status.canonical_reason().unwrap_or("Error")),
            "/",
        ),
        status: status.as_u16(),
        message: message.into(),
    };
    html(v, status, &page)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/profile/a")), "/profile/a");
        assert_eq!(local_path(Some("//evil.test/x")), "/");
        assert_eq!(local_path(Some("https://evil.test")), "/");
        assert_eq!(local_path(Some("/\\evil.test")), "/");
        assert_eq!(local_path(None), "/");
    }
}
