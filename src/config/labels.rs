//! Configuration of labels (`[labels]`): the labelers Aerie always subscribes to, and how many
//! more its users' apps may add by naming them (`atproto-accept-labelers`).

use serde::{Deserialize, Serialize};

/// Bluesky's moderation labeler.
pub const BLUESKY_MODERATION: &str = "did:plc:ar7c4by46qjdydhdevvrndac";

/// `[labels]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelsConfig {
    /// Labelers always subscribed to (their `subscribeLabels` streams), and the labels shown
    /// when a request names none.
    pub labelers: Vec<String>,
    /// Labelers subscribed to at most, counting those local users' apps name.
    pub max_labelers: usize,
}

impl Default for LabelsConfig {
    fn default() -> Self {
        LabelsConfig {
            labelers: vec![BLUESKY_MODERATION.to_string()],
            max_labelers: 50,
        }
    }
}
