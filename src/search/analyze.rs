//! Text into index terms, routed by script: words of alphabetic scripts folded (compatibility
//! decomposition, marks dropped, lowercased) and never stemmed; Han, kana and Hangul runs as
//! bigrams (recall: no word is too long, none is missed by a dictionary), each bigram that
//! starts a word also marked `^` — word starts from a Japanese segmenter for Japanese text,
//! every character for Chinese, the run's start for Hangul. A query of CJK text must begin
//! where a word begins (precision): `京都` finds 京都 and 京都府 but not 東京都, `ハリー`
//! finds ハリー・ポッター, `에어팟` finds `에어팟을`. Two of the commonest words in a row are
//! also indexed as one pair term (`"of the"`, at the first word's position; see `common`), and
//! a phrase asks for those pairs instead. The same functions build the terms of queries, so
//! what is indexed and what is asked agree by construction.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Longest word kept (bytes); longer runs of letters are noise (hashes, base64).
const MAX_WORD: usize = 80;

/// One term at its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The term's text.
    pub text: String,
    /// Its position (phrases need consecutive positions).
    pub position: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// Han and kana.
    Cjk,
    Hangul,
    /// Everything else (alphabets, digits, punctuation, spaces).
    Other,
}

fn script(c: char) -> Script {
    match c as u32 {
        0x3040..=0x309F // hiragana
        | 0x30A0..=0x30FA | 0x30FC..=0x30FF // katakana (not the middle dot ・)
        | 0x31F0..=0x31FF
        | 0xFF66..=0xFF9F // half-width katakana
        | 0x3005..=0x3007 // 々 〆 〇
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3134F => Script::Cjk,
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xD7B0..=0xD7FF => {
            Script::Hangul
        }
        _ => Script::Other,
    }
}

/// Whether `c` is hiragana or katakana (text with kana is Japanese).
fn is_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x309F | 0x30A0..=0x30FA | 0x30FC..=0x30FF | 0xFF66..=0xFF9F)
}

/// Whether text with these languages (BCP-47 tags) and this content is Japanese.
pub fn is_japanese(text: &str, langs: &[String]) -> bool {
    langs
        .iter()
        .any(|l| l.eq_ignore_ascii_case("ja") || l.to_ascii_lowercase().starts_with("ja-"))
        || text.chars().any(is_kana)
}

/// A word folded: compatibility-decomposed (full-width to ASCII, ligatures apart), marks
/// dropped (é → e), lowercased. `None` when nothing is left or it is too long.
pub fn fold(word: &str) -> Option<String> {
    if word.is_ascii() {
        return (!word.is_empty() && word.len() <= MAX_WORD).then(|| word.to_ascii_lowercase());
    }
    let folded: String = word
        .nfkd()
        .filter(|c| !is_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    (!folded.is_empty() && folded.len() <= MAX_WORD).then_some(folded)
}

/// Combining marks (general category M*), by the blocks that hold them.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E
        | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x3099..=0x309A)
}

/// The index terms of `text`, positions from `start`; returns the position after the last.
pub fn index_terms(text: &str, japanese: bool, start: usize, out: &mut Vec<Term>) -> usize {
    let mut pos = start;
    // The last alphabetic word, if common, and its position, for pairs.
    let mut last: Option<(String, usize)> = None;
    for (run, kind) in runs(text) {
        match kind {
            Script::Other => {
                for w in run.unicode_words() {
                    if let Some(text) = fold(w) {
                        let common = super::common::is_common(&text);
                        if let Some((first, at)) = last.take().filter(|_| common) {
                            out.push(Term {
                                text: pair(&first, &text),
                                position: at,
                            });
                        }
                        if common {
                            last = Some((text.clone(), pos));
                        }
                        out.push(Term {
                            text,
                            position: pos,
                        });
                        pos += 1;
                    }
                }
            }
            Script::Cjk | Script::Hangul => {
                last = None;
                let chars: Vec<char> = run.chars().collect();
                let starts = match kind {
                    Script::Cjk if japanese => word_starts(run, chars.len()),
                    Script::Cjk => vec![true; chars.len()],
                    _ => (0..chars.len()).map(|i| i == 0).collect(),
                };
                pos = start_bigrams(&chars, &starts, pos, out);
            }
        }
    }
    pos
}

/// The pair term of two common words in a row (a space never occurs in a word term).
fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Maximal runs of one script class.
fn runs(text: &str) -> impl Iterator<Item = (&str, Script)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let kind = script(first);
        let end = rest
            .char_indices()
            .find(|(_, c)| script(*c) != kind)
            .map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some((run, kind))
    })
}

/// Which characters of a Japanese run start a word, by the segmenter.
fn word_starts(run: &str, n: usize) -> Vec<bool> {
    let mut starts = vec![false; n];
    let mut at = 0;
    for word in super::segment::segment(run) {
        let len = run.get(word).map_or(0, |w| w.chars().count());
        if let Some(s) = starts.get_mut(at) {
            *s = len > 0;
        }
        at += len;
    }
    starts
}

/// A run's bigrams (a one-character run: the character), each also as `^bigram` where a word
/// starts, and `^c` for every character that starts a word (one-character queries). Returns
/// the position after the run.
fn start_bigrams(chars: &[char], starts: &[bool], pos: usize, out: &mut Vec<Term>) -> usize {
    let n = chars.len();
    for (i, c) in chars.iter().enumerate() {
        let start = starts.get(i).copied().unwrap_or(false);
        let position = pos + i;
        if start {
            out.push(Term {
                text: format!("^{c}"),
                position,
            });
        }
        let Some(next) = chars.get(i + 1) else {
            continue;
        };
        let bigram: String = [*c, *next].iter().collect();
        if start {
            out.push(Term {
                text: format!("^{bigram}"),
                position,
            });
        }
        out.push(Term {
            text: bigram,
            position,
        });
    }
    pos + n.max(1)
}

/// The terms a query text must match, each with its offset in the phrase (consecutive words
/// at consecutive offsets, CJK runs as in the index). Latin words fold as indexed; in a phrase
/// of them alone, two common words in a row are asked as their pair.
pub fn query_terms(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut alphabetic_only = true;
    for word in text.split_whitespace() {
        for (run, kind) in runs(word) {
            let chars: Vec<char> = run.chars().collect();
            match kind {
                Script::Other => {
                    for w in run.unicode_words().filter_map(fold) {
                        out.push((at, w));
                        at += 1;
                    }
                }
                Script::Cjk | Script::Hangul => {
                    alphabetic_only = false;
                    if let [c] = chars.as_slice() {
                        out.push((at, format!("^{c}")));
                    }
                    for i in 0..chars.len().saturating_sub(1) {
                        let bigram: String = chars[i..i + 2].iter().collect();
                        out.push((at + i, if i == 0 { format!("^{bigram}") } else { bigram }));
                    }
                    at += chars.len();
                }
            }
        }
    }
    if alphabetic_only && out.len() > 1 {
        return with_pairs(out);
    }
    out
}

/// Consecutive words, two common ones in a row taken as their pair (each word once).
fn with_pairs(words: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let common = |w: Option<&(usize, String)>| w.is_some_and(|(_, t)| super::common::is_common(t));
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while let Some((at, word)) = words.get(i) {
        if common(Some(&words[i])) && common(words.get(i + 1)) {
            out.push((*at, pair(word, &words[i + 1].1)));
            i += 2;
        } else {
            out.push((*at, word.clone()));
            i += 1;
        }
    }
    out
}

/// The languages a query's script tells (`ja`, `zh`, `ko`, `th`, `ar`), for
/// `detectedQueryLanguages`; none for other scripts.
pub fn detected_languages(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if text.chars().any(is_kana) {
        out.push("ja");
    } else if text.chars().any(|c| script(c) == Script::Cjk) {
        out.push("zh");
    }
    if text.chars().any(|c| script(c) == Script::Hangul) {
        out.push("ko");
    }
    if text.chars().any(|c| matches!(c as u32, 0x0E00..=0x0E7F)) {
        out.push("th");
    }
    if text
        .chars()
        .any(|c| matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F))
    {
        out.push("ar");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str, japanese: bool) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        index_terms(text, japanese, 0, &mut out);
        out.into_iter().map(|t| (t.text, t.position)).collect()
    }

    /// Whether the query word's terms occur in `text` at consecutive positions.
    fn finds(text: &str, japanese: bool, query: &str) -> bool {
        let doc = terms(text, japanese);
        let q = query_terms(query);
        assert!(!q.is_empty(), "{query} has terms");
        doc.iter().any(|(t, p)| {
            t == &q[0].1
                && q.iter()
                    .all(|(o, qt)| doc.iter().any(|(t2, p2)| t2 == qt && *p2 == p + o))
        })
    }

    #[test]
    fn latin_words_fold_without_stemming() {
        let t: Vec<String> = terms("Café CRÈME brûlée running Ｆｕｌｌ", false)
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(t, ["cafe", "creme", "brulee", "running", "full"]);
        assert!(finds("Ich mag Äpfel", false, "apfel"));
        assert!(!finds("runner", false, "run"));
    }

    #[test]
    fn phrases_of_common_words_are_asked_as_pairs() {
        let t = |q: &str| -> Vec<(usize, String)> { query_terms(q) };
        let p = |v: &[(usize, &str)]| -> Vec<(usize, String)> {
            v.iter().map(|(o, s)| (*o, s.to_string())).collect()
        };
        assert_eq!(t("to be or not"), p(&[(0, "to be"), (2, "or not")]));
        assert_eq!(
            t("the best of the year"),
            p(&[(0, "the"), (1, "best"), (2, "of the"), (4, "year")])
        );
        assert_eq!(t("new tulips"), p(&[(0, "new"), (1, "tulips")]));
        assert!(finds("Love is all you need.", false, "is all you"));
        assert!(finds("what. The", false, "what the"));
        assert!(!finds("the what", false, "what the"));
        assert!(!finds("what 東京 the", false, "what the"));
        assert!(finds("the best of the year", false, "best of the year"));
        // Mixed with CJK, a phrase keeps single terms.
        assert_eq!(t("the 東京")[0], (0, "the".to_string()));
        // Only common pairs are indexed.
        let pairs: Vec<String> = terms("the tulips of the year", false)
            .into_iter()
            .map(|t| t.0)
            .filter(|t| t.contains(' '))
            .collect();
        assert_eq!(pairs, ["of the"]);
    }

    #[test]
    fn long_runs_are_not_dropped() {
        let long = "東京特許許可局長今日急遽休暇許可拒否東京特許許可局長";
        assert!(finds(long, true, "東京"));
        assert!(!terms(long, true).is_empty());
        let chinese = "我们今天去北京的天安门广场看升旗仪式然后去吃烤鸭";
        assert!(finds(chinese, false, "天安门"));
        assert!(finds(chinese, false, "烤鸭"));
    }

    #[test]
    fn japanese_words_bound_matches() {
        assert!(finds("京都に行きます", true, "京都"));
        assert!(!finds("東京都に行きます", true, "京都"));
        assert!(finds("東京都に行きます", true, "東京"));
        assert!(finds("ハリー・ポッターを読んだ", true, "ハリー"));
        assert!(finds("ハリー・ポッターを読んだ", true, "ポッター"));
        assert!(finds("京都府の話", true, "京都"));
        assert!(finds("東京都", true, "東"));
        assert!(!finds("東京都", true, "京"));
    }

    #[test]
    fn korean_finds_words_with_particles() {
        assert!(finds("새 에어팟을 샀어요", false, "에어팟"));
        assert!(finds("새 에어팟을 샀어요", false, "에어"));
        assert!(!finds("새 에어팟을 샀어요", false, "어팟"));
        assert!(finds("집에 가요", false, "집"));
    }

    #[test]
    fn mixed_scripts_keep_positions_apart() {
        let t = terms("iPhone15を買った", true);
        assert_eq!(t[0].0, "iphone15");
        assert!(t.windows(2).all(|w| w[0].1 <= w[1].1));
        assert_eq!(query_terms("Hello"), [(0, "hello".to_string())]);
        assert!(query_terms("!!!").is_empty());
        // A phrase across scripts keeps the index's positions.
        assert!(finds("iPhone15を買った", true, "iPhone15 を買"));
        assert_eq!(detected_languages("京都"), ["zh"]);
        assert_eq!(detected_languages("ハリー"), ["ja"]);
        assert!(detected_languages("hello").is_empty());
    }
}
