//! Word tokens as the WCXB metric counts them: runs of Unicode word characters (`\w+`),
//! lowercased. Alignment, features and evaluation all share this one definition so that a
//! "word" means the same thing everywhere.

/// True for the characters that `\w` matches.
#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Iterates over the `\w+` runs of `text`, borrowed, in their original case.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// Counts the `\w+` runs of `text` without allocating.
pub fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return words(text).count();
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
    }
}
