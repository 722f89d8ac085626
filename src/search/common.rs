//! The commonest words of the network's main alphabetic languages (English, Portuguese,
//! Spanish, German, French), folded as the index folds them. Two of them in a row are also
//! indexed as one pair term (common grams): a phrase of common words — `"of the"`,
//! `"to be or not"` — is asked through rare pairs instead of checking the positions of every
//! post that holds both words. A pair of which one word is not common needs none: the rarer
//! word bounds the work.

/// Sorted (a test checks), folded.
const COMMON: &[&str] = &[
    "a", "about", "al", "all", "als", "also", "an", "and", "any", "ao", "are", "as", "at", "au",
    "auch", "auf", "aus", "avec", "be", "been", "bei", "but", "by", "can", "ce", "com", "como",
    "con", "cuando", "da", "dans", "das", "de", "del", "dem", "den", "der", "des", "die", "do",
    "dos", "du", "e", "ein", "eine", "el", "ele", "elle", "em", "en", "entre", "er", "es", "est",
    "esta", "este", "et", "eu", "foi", "for", "from", "fur", "get", "good", "had", "has", "hat",
    "have", "hay", "he", "her", "him", "his", "how", "i", "ich", "if", "il", "im", "in", "is",
    "isso", "ist", "it", "its", "ja", "je", "just", "la", "las", "le", "les", "like", "lo", "los",
    "mais", "mas", "me", "mit", "more", "much", "muito", "muy", "my", "na", "nach", "nao", "ne",
    "new", "nicht", "no", "noch", "not", "nous", "now", "o", "oder", "of", "on", "one", "only",
    "or", "os", "ou", "our", "out", "par", "para", "pas", "pero", "plus", "por", "porque", "pour",
    "quando", "que", "qui", "se", "ser", "seu", "she", "si", "sich", "sie", "sin", "so", "sobre",
    "some", "sont", "su", "sua", "sur", "sus", "tambien", "tem", "than", "that", "the", "their",
    "them", "then", "there", "they", "this", "time", "to", "too", "tu", "um", "uma", "un", "una",
    "und", "une", "up", "us", "very", "von", "vous", "was", "we", "wenn", "were", "what", "when",
    "which", "who", "wie", "will", "wir", "with", "would", "y", "ya", "you", "your", "zu",
];

/// Whether a folded word is one of the commonest.
pub fn is_common(word: &str) -> bool {
    COMMON.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_list_is_sorted_folded_and_found() {
        assert!(super::COMMON.windows(2).all(|w| w[0] < w[1]));
        for w in super::COMMON {
            assert_eq!(crate::search::analyze::fold(w).as_deref(), Some(*w));
        }
        assert!(super::is_common("the") && super::is_common("nao"));
        assert!(!super::is_common("tulip"));
    }
}
