//! Words. The WCXB metric's tokens are runs of Unicode word characters (`\w+`),
//! lowercased; alignment and evaluation use them ([`words`], [`lower_words`]). The features
//! count words the same way except in Chinese and Japanese ([`count_words`]), where a run
//! between two punctuation marks is a phrase or a whole clause.

/// True for the characters that `\w` matches.
#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True for the characters that are a word each, as Unicode's word boundaries (UAX #29)
/// treat Han ideographs and hiragana. Katakana runs, Hangul (written with spaces) and Thai
/// stay runs.
#[inline]
pub fn is_lone_word_char(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{309F}' // hiragana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{3134F}' // CJK extensions B to G
    )
}

/// True for a word character that a word character right after it continues: text nodes
/// split inside a word must not count it twice, but two ideographs are two words.
#[inline]
pub fn continues_word(c: char) -> bool {
    is_word_char(c) && !is_lone_word_char(c)
}

/// Iterates over the `\w+` runs of `text`, borrowed, in their original case.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// Counts the words of `text` as the features see them, without allocating: its `\w+` runs,
/// with every [`is_lone_word_char`] a word of its own. A Chinese paragraph of 80
/// characters is 80 words rather than the 8 runs between its commas, which is nearer
/// the length of the same paragraph in English.
pub fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        let (mut n, mut in_word) = (0, false);
        for c in text.chars() {
            let lone = is_lone_word_char(c);
            let w = is_word_char(c);
            n += usize::from(lone || (w && !in_word));
            in_word = w && !lone;
        }
        return n;
    }
    // The same count byte by byte: for ASCII, `\w` is alphanumeric or `_`.
    let mut n = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        let w = b.is_ascii_alphanumeric() || b == b'_';
        n += usize::from(w && !in_word);
        in_word = w;
    }
    n
}

/// Appends the lowercased `\w+` tokens of `text` to `out`.
pub fn lower_words_into(text: &str, out: &mut Vec<String>) {
    for w in words(text) {
        if w.is_ascii() {
            out.push(w.to_ascii_lowercase());
        } else {
            out.push(w.to_lowercase());
        }
    }
}

/// The lowercased `\w+` tokens of `text`.
pub fn lower_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    lower_words_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_non_word_characters_and_lowercases() {
        assert_eq!(
            lower_words("Hello, World! it's 2024_x Ünïcode—Привет"),
            vec!["hello", "world", "it", "s", "2024_x", "ünïcode", "привет"]
        );
        assert_eq!(count_words("  ...  "), 0);
        assert_eq!(count_words("a_b c-d 42"), 4);
        assert_eq!(
            count_words("Ünïcode—Привет"),
            words("Ünïcode—Привет").count()
        );
    }

    #[test]
    fn ideographs_and_hiragana_are_words_each_and_katakana_runs_one() {
        // 我们支持 | 独立新闻 | abc: 8 ideographs and one Latin run; the metric sees 3 runs.
        assert_eq!(count_words("我们支持，独立新闻。abc"), 9);
        assert_eq!(words("我们支持，独立新闻。abc").count(), 3);
        // ニュース is one word; これは is three.
        assert_eq!(count_words("ニュース これは"), 4);
        assert_eq!(count_words("한국어 뉴스"), 2);
        assert!(continues_word('a') && continues_word('ニ') && !continues_word('中'));
    }
}
