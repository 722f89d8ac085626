//! The search page's operator cheat-sheet: each operator of the query language
//! (`search::query`) with a one-line example (a link that runs it) and what it finds.

/// An operator of the query language, with an example.
pub struct Operator {
    /// How it is written.
    pub op: &'static str,
    /// A query using it.
    pub example: &'static str,
    /// What it finds.
    pub means: &'static str,
}

/// The cheat-sheet.
pub const OPERATORS: &[Operator] = &[
    Operator {
        op: "from:",
        example: "from:alice.bsky.social",
        means: "posts by an account (from:me for yours)",
    },
    Operator {
        op: "to:",
        example: "to:alice.bsky.social",
        means: "replies to an account (or posts mentioning it)",
    },
    Operator {
        op: "mentions:",
        example: "mentions:alice.bsky.social",
        means: "posts that mention an account",
    },
    Operator {
        op: "@handle",
        example: "@alice.bsky.social",
        means: "the same as mentions:",
    },
    Operator {
        op: "#tag",
        example: "#photography",
        means: "posts with the hashtag",
    },
    Operator {
        op: "domain:",
        example: "domain:example.com",
        means: "posts linking to a site",
    },
    Operator {
        op: "a URL",
        example: "https://example.com/page",
        means: "posts linking to that page",
    },
    Operator {
        op: "lang:",
        example: "lang:ja",
        means: "posts in a language",
    },
    Operator {
        op: "since:",
        example: "since:2024-01-31",
        means: "posts on or after a day (UTC)",
    },
    Operator {
        op: "until:",
        example: "until:2024-02-01",
        means: "posts before a day (UTC)",
    },
    Operator {
        op: "\"phrase\"",
        example: "\"good morning\"",
        means: "the words together, in order",
    },
    Operator {
        op: "-term",
        example: "coffee -decaf",
        means: "leaves out posts with a word (or operator)",
    },
    Operator {
        op: "OR",
        example: "cats OR dogs",
        means: "either one",
    },
    Operator {
        op: "( )",
        example: "(cats OR dogs) has:media",
        means: "groups parts",
    },
    Operator {
        op: "is:reply",
        example: "is:reply from:me",
        means: "only replies (-is:reply leaves them out)",
    },
    Operator {
        op: "has:media",
        example: "has:media sunset",
        means: "posts with images or video",
    },
    Operator {
        op: "has:video",
        example: "has:video",
        means: "posts with a video",
    },
    Operator {
        op: "filter:follows",
        example: "filter:follows rust",
        means: "only accounts you follow",
    },
];

#[cfg(test)]
mod tests {
    use super::OPERATORS;

    #[test]
    fn every_example_is_a_query_the_language_takes() {
        for o in OPERATORS {
            assert!(
                crate::search::query::parse(o.example).is_ok(),
                "{}: {}",
                o.op,
                o.example
            );
        }
    }
}
