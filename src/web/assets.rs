//! Static assets (CSS, JavaScript, icons) embedded in the binary and served under
//! fingerprinted names (`/static/app.<hash>.css`) with `Cache-Control: immutable`: a new build
//! changes the name, so browsers never keep a stale copy. Compression is the router's.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// One embedded file.
struct Asset {
    /// Name in `static/`.
    name: &'static str,
    /// Content type.
    mime: &'static str,
    /// Bytes.
    bytes: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/app.js"),
    },
    Asset {
        name: "icons.svg",
        mime: "image/svg+xml",
        bytes: include_bytes!("../../static/icons.svg"),
    },
    Asset {
        name: "icon.svg",
        mime: "image/svg+xml",
        bytes: include_bytes!("../../static/icon.svg"),
    },
];

/// Each file's served name (`stem.<hash>.ext`, the hash a prefix of its SHA-256).
static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|a| {
            let digest = ring::digest::digest(&ring::digest::SHA256, a.bytes);
            let hash: String = digest.as_ref()[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            match a.name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{}.{hash}", a.name),
            }
        })
        .collect()
});

/// The URL path of an embedded file (`/static/app.<hash>.css`); unknown names get a path
/// that answers 404.
pub fn url(name: &str) -> String {
    let served = FILES
        .iter()
        .position(|a| a.name == name)
        .and_then(|i| NAMES.get(i))
        .map_or(name, String::as_str);
    format!("/static/{served}")
}

/// `GET /static/{file}`: only the current fingerprinted names answer.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = NAMES
        .iter()
        .position(|n| *n == file)
        .and_then(|i| FILES.get(i))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_fingerprinted_and_resolve() {
        let css = url("app.css");
        assert!(css.starts_with("/static/app.") && css.ends_with(".css"));
        assert_eq!(css.len(), "/static/app.".len() + 12 + ".css".len());
        assert!(NAMES.iter().any(|n| css.ends_with(n.as_str())));
    }
}
