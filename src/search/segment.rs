//! Japanese word segmentation: a port of TinySegmenter, Taku Kudo's compact segmenter (BSD
//! license), as the `tinysegmenter` crate 0.1.1 (MIT) has it. This module carries its model
//! (`segment_model`, generated from that crate's tables) and so builds offline, with no
//! dependency and no dictionary. It is deterministic and gives the crate's answer on every
//! input, but works on code points as `u32` (the crate's sentinels past `char::MAX` stay plain
//! numbers here, never `char`s), looks weights up by binary search in sorted static tables, and
//! returns byte ranges rather than owned strings.

use std::ops::Range;

use super::segment_model as model;

/// The words of `text`, as byte ranges in order. Together they cover the whole of `text`, with
/// no gaps and no overlaps; an empty text has no words. Never panics.
pub fn segment(text: &str) -> Vec<Range<usize>> {
    if text.is_empty() {
        return Vec::new();
    }
    let n = text.chars().count();
    // The code points, padded with three sentinels each side, and their char types (the
    // padding is type 'O', as `ctype` gives for anything past `char::MAX`).
    let mut cps = Vec::with_capacity(n + 6);
    cps.extend([model::B3, model::B2, model::B1]);
    cps.extend(text.chars().map(u32::from));
    cps.extend([model::E1, model::E2, model::E3]);
    let types: Vec<u8> = cps.iter().map(|&cp| ctype(cp)).collect();

    let mut words = Vec::new();
    let mut start = 0;
    // The tags of the last three decisions: 'U' (unknown) before the first, then 'B' (a
    // boundary was scored non-negative) or 'O' (negative).
    let mut p = [b'U'; 3];
    // Window k is the six positions around the gap before char k (k = 0 is the first char,
    // which always starts a word, so it is skipped): w[3] is char k, w[0..3] the three before.
    for ((w, c), (at, _)) in cps
        .windows(6)
        .zip(types.windows(6))
        .zip(text.char_indices())
        .skip(1)
    {
        let score = boundary_score(w, c, p);
        p = [p[1], p[2], if score < 0 { b'O' } else { b'B' }];
        if score > 0 {
            words.push(start..at);
            start = at;
        }
    }
    words.push(start..text.len());
    words
}

/// The score of a word boundary before `w[3]`: positive means split. `w` and `c` are six code
/// points and their types, `p` the previous three tags. Term for term as the crate has it.
fn boundary_score(w: &[u32], c: &[u8], p: [u8; 3]) -> i32 {
    use model::*;
    let (w0, w1, w2, w3, w4, w5) = (w[0], w[1], w[2], w[3], w[4], w[5]);
    let (c0, c1, c2, c3, c4, c5) = (c[0], c[1], c[2], c[3], c[4], c[5]);
    let (p0, p1, p2) = (p[0], p[1], p[2]);
    BIAS + score(UP1, p0)
        + score(UP2, p1)
        + score(UP3, p2)
        + score(BP1, (p0, p1))
        + score(BP2, (p1, p2))
        + score(UW1, w0)
        + score(UW2, w1)
        + score(UW3, w2)
        + score(UW4, w3)
        + score(UW5, w4)
        + score(UW6, w5)
        + score(BW1, (w1, w2))
        + score(BW2, (w2, w3))
        + score(BW3, (w3, w4))
        + score(TW1, (w0, w1, w2))
        + score(TW2, (w1, w2, w3))
        + score(TW3, (w2, w3, w4))
        + score(TW4, (w3, w4, w5))
        + score(UC1, c0)
        + score(UC2, c1)
        + score(UC3, c2)
        + score(UC4, c3)
        + score(UC5, c4)
        + score(UC6, c5)
        + score(BC1, (c1, c2))
        + score(BC2, (c2, c3))
        + score(BC3, (c3, c4))
        + score(TC1, (c0, c1, c2))
        + score(TC2, (c1, c2, c3))
        + score(TC3, (c2, c3, c4))
        + score(TC4, (c3, c4, c5))
        + score(UQ1, (p0, c0))
        + score(UQ2, (p1, c1))
        + score(UQ3, (p2, c2))
        + score(BQ1, (p1, c1, c2))
        + score(BQ2, (p1, c2, c3))
        + score(BQ3, (p2, c1, c2))
        + score(BQ4, (p2, c2, c3))
        + score(TQ1, (p1, c0, c1, c2))
        + score(TQ2, (p1, c1, c2, c3))
        + score(TQ3, (p2, c0, c1, c2))
        + score(TQ4, (p2, c1, c2, c3))
}

/// The weight of `key` in a table sorted by key; 0 when absent.
fn score<K: Ord>(table: &[(K, i32)], key: K) -> i32 {
    table
        .binary_search_by(|(k, _)| k.cmp(&key))
        .ok()
        .and_then(|i| table.get(i))
        .map_or(0, |&(_, v)| v)
}

/// TinySegmenter's char type: 'M' (kanji numerals), 'H' (kanji), 'I' (hiragana), 'K'
/// (katakana), 'A' (Latin letters), 'N' (digits), 'O' (anything else, the sentinels too).
/// The ranges are the crate's, quirks included: its 'N' takes in ':' (0x3A).
fn ctype(cp: u32) -> u8 {
    match cp {
        0x4E00 | 0x4E8C | 0x4E09 | 0x56DB | 0x4E94 | 0x516D | 0x4E03 | 0x516B | 0x4E5D | 0x5341
        | 0x767E | 0x5343 | 0x4E07 | 0x5104 | 0x5146 => b'M',
        0x4E00..=0x9FA0 | 0x3005 | 0x3006 | 0x30F5 | 0x30F6 => b'H',
        0x3041..=0x3093 => b'I',
        0x30A1..=0x30F4 | 0x30FC | 0xFF71..=0xFF9D | 0xFF9E | 0xFF70 => b'K',
        0x61..=0x7A | 0x41..=0x5A | 0xFF41..=0xFF5A | 0xFF21..=0xFF3A => b'A',
        0x30..=0x3A | 0xFF10..=0xFF19 => b'N',
        _ => b'O',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        segment(text).into_iter().map(|r| &text[r]).collect()
    }

    /// The ranges are in order, touch end to start, cover `text`, and fall on char boundaries.
    fn assert_tiles(text: &str) {
        let ranges = segment(text);
        let mut at = 0;
        for r in &ranges {
            assert_eq!(r.start, at, "gap or overlap in {text:?}: {ranges:?}");
            assert!(r.end > r.start, "empty word in {text:?}: {ranges:?}");
            assert!(
                text.get(r.clone()).is_some(),
                "not on char boundaries: {text:?}"
            );
            at = r.end;
        }
        assert_eq!(at, text.len(), "{text:?} not covered: {ranges:?}");
        assert_eq!(ranges.is_empty(), text.is_empty());
    }

    #[test]
    fn the_classic_example() {
        assert_eq!(
            words("私の名前は中野です"),
            ["私", "の", "名前", "は", "中野", "です"]
        );
    }

    /// Expected values are what `tinysegmenter::tokenize` 0.1.1 returns for the same text.
    #[test]
    fn same_as_the_crate() {
        let cases: &[(&str, &[&str])] = &[
            ("東京都に行きます", &["東京都", "に", "行き", "ます"]),
            ("京都に行きます", &["京都", "に", "行き", "ます"]),
            (
                "ハリーポッターを読んだ",
                &["ハリーポッター", "を", "読ん", "だ"],
            ),
            (
                "今日はいい天気ですね",
                &["今日", "は", "いい", "天気", "です", "ね"],
            ),
            // Digits come out one by one (so does every other TinySegmenter).
            (
                "12:30に会いましょう",
                &["1", "2", ":", "3", "0", "に", "会い", "ましょ", "う"],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(words(text), *want, "{text}");
        }
    }

    #[test]
    fn never_panics_and_tiles() {
        let samples = [
            "",
            "a",
            "あ",
            "字",
            "😀",
            "👨‍👩‍👧‍👦🇯🇵",
            "e\u{301}",
            "\u{301}",
            "\u{3099}か\u{3099}",
            "Hello, world!",
            "12:30に会いましょう",
            "日本語とEnglishのmixed文章です。😀👍",
            "ｶﾀｶﾅﾞとｶﾞ",
            "\0\u{7f}\u{feff}\u{10ffff}",
            "    ",
            "。。。、、、",
        ];
        for s in samples {
            assert_tiles(s);
        }
        assert!(segment("").is_empty());
        assert_eq!(words("😀"), ["😀"]);
        assert_eq!(words("a"), ["a"]);
    }

    #[test]
    fn tables_are_sorted() {
        fn sorted<K: Ord>(t: &[(K, i32)]) -> bool {
            t.windows(2).all(|w| w[0].0 < w[1].0)
        }
        use model::*;
        assert!([UW1, UW2, UW3, UW4, UW5, UW6].iter().all(|t| sorted(t)));
        assert!([BW1, BW2, BW3].iter().all(|t| sorted(t)));
        assert!([TW1, TW2, TW3, TW4].iter().all(|t| sorted(t)));
        assert!([UC1, UC2, UC3, UC4, UC5, UC6, UP1, UP2, UP3]
            .iter()
            .all(|t| sorted(t)));
        assert!([BC1, BC2, BC3, BP1, BP2, UQ1, UQ2, UQ3]
            .iter()
            .all(|t| sorted(t)));
        assert!([TC1, TC2, TC3, TC4, BQ1, BQ2, BQ3, BQ4]
            .iter()
            .all(|t| sorted(t)));
        assert!([TQ1, TQ2, TQ3, TQ4].iter().all(|t| sorted(t)));
    }
}
