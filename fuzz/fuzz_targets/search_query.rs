//! Search queries and text (`search::query`, `search::analyze`): any input parses to a query or
//! a refusal — never a panic — within the bounds (parts, depth); the terms of any text and of
//! any query are non-empty, in non-decreasing positions, none longer than a word may be; and a
//! query word's terms are found in the terms of the same text indexed (what is asked and what
//! is indexed agree).
#![no_main]

use aerie::search::analyze::{index_terms, query_terms};
use aerie::search::query::{parse, Node, MAX_DEPTH, MAX_PARTS};
use libfuzzer_sys::fuzz_target;

fn depth_and_parts(n: &Node, depth: usize, parts: &mut usize) -> usize {
    *parts += 1;
    match n {
        Node::Not(inner) => depth_and_parts(inner, depth + 1, parts),
        Node::And(v) | Node::Or(v) => v
            .iter()
            .map(|c| depth_and_parts(c, depth + 1, parts))
            .max()
            .unwrap_or(depth),
        _ => depth,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(node) = parse(text) {
        let mut parts = 0;
        let depth = depth_and_parts(&node, 0, &mut parts);
        // Each group adds an And/Or and each operand a Not around it at most.
        assert!(depth <= 3 * (MAX_DEPTH + 2), "depth {depth}");
        assert!(parts <= 3 * MAX_PARTS + 2, "parts {parts}");
    }
    for japanese in [false, true] {
        let mut terms = Vec::new();
        index_terms(text, japanese, 0, &mut terms);
        assert!(terms.windows(2).all(|w| w[0].position <= w[1].position));
        assert!(terms.iter().all(|t| !t.text.is_empty() && t.text.len() <= 200));
        // Every word alone, asked for, is found at consecutive positions of its own terms.
        for word in text.split_whitespace().take(20) {
            let asked = query_terms(word);
            let mut own = Vec::new();
            index_terms(word, japanese, 0, &mut own);
            for (offset, t) in &asked {
                assert!(
                    own.iter().any(|o| &o.text == t && o.position == *offset),
                    "{word:?}: {t:?} at {offset} not in {own:?}"
                );
            }
        }
    }
});
