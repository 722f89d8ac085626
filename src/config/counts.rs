//! Configuration of the count source (`[counts]`): where the network's counts come from for
//! what Aerie cannot have seen (history before it started, strangers' interactions in
//! filtered mode, accounts beyond the follows).

use serde::{Deserialize, Serialize};

/// Where counts Aerie did not see come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CountSource {
    /// Only what Aerie sees.
    #[default]
    Off,
    /// A Constellation link-count service (`constellation_url`): likes, reposts, replies,
    /// quotes and followers.
    Constellation,
    /// Another AppView (`appview_url`): `getPosts`, `getProfiles`, `getFeedGenerators`,
    /// `labeler.getServices`.
    Appview,
}

/// `[counts]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CountsConfig {
    /// `off`, `constellation` or `appview`.
    pub source: CountSource,
    /// The Constellation service (`source = "constellation"`).
    pub constellation_url: String,
    /// The AppView asked (`source = "appview"`).
    pub appview_url: String,
    /// How long a count from the source is used (Aerie's live changes are added meanwhile),
    /// in seconds.
    pub ttl_secs: u64,
}

impl Default for CountsConfig {
    fn default() -> Self {
        CountsConfig {
            source: CountSource::Off,
            constellation_url: "https://constellation.microcosm.blue".into(),
            appview_url: "https://public.api.bsky.app".into(),
            ttl_secs: 600,
        }
    }
}

impl CountsConfig {
    /// The base URL of the configured source (`None` when off).
    pub fn url(&self) -> Option<&str> {
        match self.source {
            CountSource::Off => None,
            CountSource::Constellation => Some(&self.constellation_url),
            CountSource::Appview => Some(&self.appview_url),
        }
        .map(|u| u.trim_end_matches('/'))
    }
}
