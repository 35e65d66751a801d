//! Features: every block becomes one row of named numbers.
//!
//! Three groups, in this order in the row: [`BlockFeatures`] (what the block itself looks
//! like), [`ContextFeatures`] (its neighbours, containers and the page) and one binary column
//! per class/id token of the model's vocabulary (`tok:s:NAME` for the block's own element and
//! inline children, `tok:a:NAME` for its ancestors). Names, not positions, tie a column to its
//! meaning: the structs below are the single place where a feature is defined.

use crate::lexicon::{self, ClassHint, Cue, CLASS_HINTS};
use crate::segment::{flags, Page};
use ndarray::Array2;
use std::collections::HashMap;

/// Ancestors further up than this are not read for tokens (bounded cost on deep pages).
const MAX_ANCESTRY: usize = 24;

macro_rules! named_features {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: f64,)*
        }
        impl $name {
            /// The feature names, in row order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
            /// Writes the values into `out` in [`Self::NAMES`] order.
            pub fn write(&self, out: &mut [f64]) {
                let values = [$(self.$field),*];
                out[..values.len()].copy_from_slice(&values);
            }
        }
    };
}

named_features! {
    /// What a block looks like on its own.
    BlockFeatures {
        /// ln(1 + words).
        log_words,
        /// ln(1 + characters).
        log_chars,
        /// Mean characters per word.
        mean_word_len,
        /// Sentence-ending punctuation per word.
        sentence_punct,
        /// Ends with `.`, `!`, `?`, `:` or a closing quote.
        ends_with_punct,
        /// Commas per word.
        comma_rate,
        /// Share of characters that are digits.
        digit_share,
        /// Share of letters that are upper case.
        upper_share,
        /// Share of words that start with a capital.
        capitalised_share,
        /// Share of words that are function words.
        stopword_share,
        /// Share of words that address the reader (you, vous, Sie...).
        second_person,
        /// Currency amounts such as `$5` or `5 €`.
        currency,
        /// Share of words inside links.
        link_density,
        /// ln(1 + links).
        log_links,
        /// Share of words inside buttons, labels and form controls.
        control_share,
        /// ln(1 + inputs, buttons, selects).
        log_controls,
        /// Share of words inside hidden inline elements.
        hidden_inline_share,
        /// Container depth / 30.
        depth,
        /// Tag of the block's element.
        tag_p,
        /// `div`.
        tag_div,
        /// `li`.
        tag_li,
        /// `td`/`th`.
        tag_cell,
        /// `h1`.
        tag_h1,
        /// `h2`..`h6`.
        tag_heading,
        /// `blockquote`.
        tag_quote,
        /// `pre`.
        tag_pre,
        /// `figcaption`/`caption`.
        tag_caption,
        /// `dd`/`dt`.
        tag_definition,
        /// `section`/`article`/`main`.
        tag_section,
        /// `form`/`fieldset`/`legend`.
        tag_form,
        /// Any other block element.
        tag_other,
        /// Run index > 0 within its element (text after a nested block).
        trailing_run,
        /// Block index / number of blocks.
        position,
        /// Character offset / page characters.
        char_position,
        /// Inside `<article>`.
        in_article,
        /// Inside `<main>`.
        in_main,
        /// Inside `<nav>`.
        in_nav,
        /// Inside `<header>`.
        in_header,
        /// Inside `<footer>`.
        in_footer,
        /// Inside `<aside>`.
        in_aside,
        /// Inside `<form>`.
        in_form,
        /// Inside `itemprop="articleBody"`.
        in_article_body,
        /// Inside a list item.
        in_list,
        /// Inside a table.
        in_table,
        /// Inside a dialog.
        in_dialog,
        /// Inside a figure.
        in_figure,
        /// Inside a blockquote.
        in_quote,
        /// Hidden (attribute or inline style).
        hidden,
        /// Parsed from `<noscript>`.
        noscript,
        /// Own class/id tokens hint at `nav`.
        s_nav,
        /// Own class/id tokens hint at `header_footer`.
        s_header_footer,
        /// Own class/id tokens hint at `sidebar`.
        s_sidebar,
        /// Own class/id tokens hint at `comment`.
        s_comment,
        /// Own class/id tokens hint at `social`.
        s_social,
        /// Own class/id tokens hint at `related`.
        s_related,
        /// Own class/id tokens hint at `ad`.
        s_ad,
        /// Own class/id tokens hint at `cookie`.
        s_cookie,
        /// Own class/id tokens hint at `newsletter`.
        s_newsletter,
        /// Own class/id tokens hint at `donate`.
        s_donate,
        /// Own class/id tokens hint at `paywall`.
        s_paywall,
        /// Own class/id tokens hint at `content`.
        s_content,
        /// Own class/id tokens hint at `meta`.
        s_meta,
        /// Own class/id tokens hint at `modal`.
        s_modal,
        /// Ancestors' class/id tokens hint at `nav`.
        a_nav,
        /// Ancestors' class/id tokens hint at `header_footer`.
        a_header_footer,
        /// Ancestors' class/id tokens hint at `sidebar`.
        a_sidebar,
        /// Ancestors' class/id tokens hint at `comment`.
        a_comment,
        /// Ancestors' class/id tokens hint at `social`.
        a_social,
        /// Ancestors' class/id tokens hint at `related`.
        a_related,
        /// Ancestors' class/id tokens hint at `ad`.
        a_ad,
        /// Ancestors' class/id tokens hint at `cookie`.
        a_cookie,
        /// Ancestors' class/id tokens hint at `newsletter`.
        a_newsletter,
        /// Ancestors' class/id tokens hint at `donate`.
        a_donate,
        /// Ancestors' class/id tokens hint at `paywall`.
        a_paywall,
        /// Ancestors' class/id tokens hint at `content`.
        a_content,
        /// Ancestors' class/id tokens hint at `meta`.
        a_meta,
        /// Ancestors' class/id tokens hint at `modal`.
        a_modal,
        /// ln(1 + donation lexicon hits).
        lex_donation,
        /// ln(1 + paywall lexicon hits).
        lex_paywall,
        /// ln(1 + membership lexicon hits).
        lex_membership,
        /// ln(1 + newsletter lexicon hits).
        lex_newsletter,
        /// ln(1 + cookie lexicon hits).
        lex_cookie,
        /// ln(1 + adblock lexicon hits).
        lex_adblock,
        /// ln(1 + ad lexicon hits).
        lex_ad,
        /// ln(1 + social lexicon hits).
        lex_social,
        /// ln(1 + nav lexicon hits).
        lex_nav,
        /// ln(1 + legal lexicon hits).
        lex_legal,
        /// ln(1 + related lexicon hits).
        lex_related,
        /// ln(1 + comments lexicon hits).
        lex_comments,
        /// Appeal-cue hits (donation..ad) per word.
        appeal_density,
    }
}

named_features! {
    /// A block's surroundings: neighbours, containers, page.
    ContextFeatures {
        /// ln(1 + words) of the previous block.
        prev_log_words,
        /// Link density of the previous block.
        prev_link_density,
        /// Stopword share of the previous block.
        prev_stopword_share,
        /// Appeal density of the previous block.
        prev_appeal_density,
        /// ln(1 + words) of the next block.
        next_log_words,
        /// Link density of the next block.
        next_link_density,
        /// Stopword share of the next block.
        next_stopword_share,
        /// Appeal density of the next block.
        next_appeal_density,
        /// How much longer the block is than its neighbours (log words difference).
        length_contrast,
        /// Share of the page's words in the parent container.
        parent_text_share,
        /// Link density of the parent container.
        parent_link_density,
        /// ln(1 + blocks) in the parent container.
        parent_log_blocks,
        /// Share of the page's words in the grandparent container.
        grand_text_share,
        /// Link density of the grandparent container.
        grand_link_density,
        /// ln(1 + blocks) in the grandparent container.
        grand_log_blocks,
        /// ln of the number of blocks sharing this block's tag path.
        tagpath_log_count,
        /// Inside the deepest element holding >= 60 % of the page's unlinked words.
        in_main_region,
        /// ln(1 + words) of the page.
        page_log_words,
        /// ln(1 + blocks) of the page.
        page_log_blocks,
        /// Share of the page's words that are in links.
        page_link_density,
    }
}

/// Names of the hand-written (non-vocabulary) features, in row order.
pub fn base_names() -> impl Iterator<Item = &'static str> {
    BlockFeatures::NAMES
        .iter()
        .chain(ContextFeatures::NAMES.iter())
        .copied()
}

/// Number of hand-written features.
pub fn base_len() -> usize {
    BlockFeatures::NAMES.len() + ContextFeatures::NAMES.len()
}

/// The class/id tokens of a block: its own element's and inline children's (`own`) and its
/// ancestors' (`ancestors`), deduplicated and sorted.
pub fn block_tokens(page: &Page, block: usize) -> (Vec<&str>, Vec<&str>) {
    let b = &page.blocks[block];
    let mut own: Vec<&str> = page.containers[b.container]
        .tokens
        .iter()
        .chain(b.inline_tokens.iter())
        .map(String::as_str)
        .collect();
    let mut ancestors: Vec<&str> = page
        .ancestry(b.container)
        .skip(1)
        .take(MAX_ANCESTRY)
        .flat_map(|c| c.tokens.iter().map(String::as_str))
        .collect();
    own.sort_unstable();
    own.dedup();
    ancestors.sort_unstable();
    ancestors.dedup();
    (own, ancestors)
}

/// The columns of a model: hand-written features plus a learned token vocabulary.
#[derive(Debug, Clone)]
pub struct FeatureSpace {
    vocab: Vec<String>,
    own_index: HashMap<String, usize>,
    ancestor_index: HashMap<String, usize>,
}

impl FeatureSpace {
    /// A space with the given vocabulary of `s:`/`a:` prefixed tokens.
    pub fn new(vocab: Vec<String>) -> Self {
        let mut own_index = HashMap::new();
        let mut ancestor_index = HashMap::new();
        for (i, t) in vocab.iter().enumerate() {
            let col = base_len() + i;
            if let Some(rest) = t.strip_prefix("s:") {
                own_index.insert(rest.to_string(), col);
            } else if let Some(rest) = t.strip_prefix("a:") {
                ancestor_index.insert(rest.to_string(), col);
            }
        }
        FeatureSpace {
            vocab,
            own_index,
            ancestor_index,
        }
    }

    /// The token vocabulary (`s:NAME` / `a:NAME`).
    pub fn vocab(&self) -> &[String] {
        &self.vocab
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        base_len() + self.vocab.len()
    }

    /// True when there are no columns (never, in practice).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All column names, in row order.
    pub fn names(&self) -> Vec<String> {
        base_names()
            .map(str::to_string)
            .chain(self.vocab.iter().map(|t| format!("tok:{t}")))
            .collect()
    }

    /// The feature matrix of a page: one row per block.
    pub fn extract(&self, page: &Page) -> Array2<f64> {
        let mut x = Array2::zeros((page.blocks.len(), self.len()));
        let block_feats: Vec<BlockFeatures> = (0..page.blocks.len())
            .map(|i| block_features(page, i))
            .collect();
        let ctx = PageContext::new(page);
        let nb = BlockFeatures::NAMES.len();
        for (i, mut row) in x.rows_mut().into_iter().enumerate() {
            let Some(row) = row.as_slice_mut() else {
                continue;
            };
            block_feats[i].write(&mut row[..nb]);
            context_features(page, &ctx, &block_feats, i).write(&mut row[nb..]);
            let (own, ancestors) = block_tokens(page, i);
            for t in own {
                if let Some(&c) = self.own_index.get(t) {
                    row[c] = 1.0;
                }
            }
            for t in ancestors {
                if let Some(&c) = self.ancestor_index.get(t) {
                    row[c] = 1.0;
                }
            }
        }
        x
    }
}

fn ln1(x: f64) -> f64 {
    (1.0 + x).ln()
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

fn count_currency(text: &str) -> f64 {
    let chars: Vec<char> = text.chars().collect();
    let mut n = 0;
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '$' | '€' | '£' | '₽' | '¥' | '₹' | '₴') {
            let lo = i.saturating_sub(2);
            let hi = (i + 3).min(chars.len());
            if chars[lo..hi].iter().any(|d| d.is_ascii_digit()) {
                n += 1;
            }
        }
    }
    f64::from(n)
}

fn hints(tokens: &[&str]) -> [f64; CLASS_HINTS] {
    let mut h = [0.0; CLASS_HINTS];
    for t in tokens {
        if let Some(hint) = lexicon::class_hint(t) {
            h[hint as usize] = 1.0;
        }
    }
    h
}

/// The hand-written features of one block.
pub fn block_features(page: &Page, i: usize) -> BlockFeatures {
    let b = &page.blocks[i];
    let c = &page.containers[b.container];
    let words = f64::from(b.words);
    let lower = b.text.to_lowercase();
    let mut word_chars = 0usize;
    let mut stop = 0usize;
    let mut second = 0usize;
    let mut capitalised = 0usize;
    for w in crate::tokens::words(&b.text) {
        word_chars += w.chars().count();
        if w.chars().next().is_some_and(char::is_uppercase) {
            capitalised += 1;
        }
    }
    for w in crate::tokens::words(&lower) {
        if lexicon::is_stopword(w) {
            stop += 1;
        }
        if lexicon::is_second_person(w) {
            second += 1;
        }
    }
    let (mut digits, mut letters, mut upper, mut sentence, mut commas) = (0, 0, 0, 0, 0);
    for ch in b.text.chars() {
        if ch.is_ascii_digit() {
            digits += 1;
        } else if ch.is_alphabetic() {
            letters += 1;
            if ch.is_uppercase() {
                upper += 1;
            }
        } else if matches!(ch, '.' | '!' | '?' | '。' | '！' | '？') {
            sentence += 1;
        } else if matches!(ch, ',' | '，' | '、') {
            commas += 1;
        }
    }
    let last = b.text.chars().next_back().unwrap_or(' ');
    let cues = lexicon::cue_counts(&lower);
    let cue = |c: Cue| ln1(f64::from(cues[c as usize]));
    let appeal_hits: u32 = [
        Cue::Donation,
        Cue::Paywall,
        Cue::Membership,
        Cue::Newsletter,
        Cue::Cookie,
        Cue::Adblock,
        Cue::Ad,
    ]
    .iter()
    .map(|c| cues[*c as usize])
    .sum();
    let (own, ancestors) = block_tokens(page, i);
    let s = hints(&own);
    let a = hints(&ancestors);
    let flag = |f: u32| if c.flags & f != 0 { 1.0 } else { 0.0 };
    let tag = &*c.tag;
    let is = |names: &[&str]| if names.contains(&tag) { 1.0 } else { 0.0 };
    let known_tag = [
        "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
        "figcaption", "caption", "dd", "dt", "section", "article", "main", "form", "fieldset",
        "legend",
    ]
    .contains(&tag);
    let total_chars = page
        .blocks
        .last()
        .map(|l| f64::from(l.offset) + f64::from(l.chars))
        .unwrap_or(0.0);
    BlockFeatures {
        log_words: ln1(words),
        log_chars: ln1(f64::from(b.chars)),
        mean_word_len: ratio(word_chars as f64, words).min(20.0),
        sentence_punct: ratio(f64::from(sentence), words).min(2.0),
        ends_with_punct: if matches!(last, '.' | '!' | '?' | ':' | '"' | '”' | '»' | '。') {
            1.0
        } else {
            0.0
        },
        comma_rate: ratio(f64::from(commas), words).min(2.0),
        digit_share: ratio(f64::from(digits), f64::from(b.chars)),
        upper_share: ratio(f64::from(upper), f64::from(letters)),
        capitalised_share: ratio(capitalised as f64, words),
        stopword_share: ratio(stop as f64, words),
        second_person: ratio(second as f64, words),
        currency: ln1(count_currency(&b.text)),
        link_density: b.link_density(),
        log_links: ln1(f64::from(b.links)),
        control_share: ratio(f64::from(b.control_words), words),
        log_controls: ln1(f64::from(b.controls)),
        hidden_inline_share: ratio(f64::from(b.hidden_words), words),
        depth: (f64::from(c.depth) / 30.0).min(3.0),
        tag_p: is(&["p"]),
        tag_div: is(&["div"]),
        tag_li: is(&["li"]),
        tag_cell: is(&["td", "th"]),
        tag_h1: is(&["h1"]),
        tag_heading: is(&["h2", "h3", "h4", "h5", "h6"]),
        tag_quote: is(&["blockquote"]),
        tag_pre: is(&["pre"]),
        tag_caption: is(&["figcaption", "caption"]),
        tag_definition: is(&["dd", "dt"]),
        tag_section: is(&["section", "article", "main"]),
        tag_form: is(&["form", "fieldset", "legend"]),
        tag_other: if known_tag { 0.0 } else { 1.0 },
        trailing_run: if b.run > 0 { 1.0 } else { 0.0 },
        position: ratio(i as f64, page.blocks.len() as f64),
        char_position: ratio(f64::from(b.offset), total_chars),
        in_article: flag(flags::ARTICLE),
        in_main: flag(flags::MAIN),
        in_nav: flag(flags::NAV),
        in_header: flag(flags::HEADER),
        in_footer: flag(flags::FOOTER),
        in_aside: flag(flags::ASIDE),
        in_form: flag(flags::FORM),
        in_article_body: flag(flags::ARTICLE_BODY),
        in_list: flag(flags::LIST),
        in_table: flag(flags::TABLE),
        in_dialog: flag(flags::DIALOG),
        in_figure: flag(flags::FIGURE),
        in_quote: flag(flags::QUOTE),
        hidden: flag(flags::HIDDEN),
        noscript: flag(flags::NOSCRIPT),
        s_nav: s[ClassHint::Nav as usize],
        s_header_footer: s[ClassHint::HeaderFooter as usize],
        s_sidebar: s[ClassHint::Sidebar as usize],
        s_comment: s[ClassHint::Comment as usize],
        s_social: s[ClassHint::Social as usize],
        s_related: s[ClassHint::Related as usize],
        s_ad: s[ClassHint::Ad as usize],
        s_cookie: s[ClassHint::Cookie as usize],
        s_newsletter: s[ClassHint::Newsletter as usize],
        s_donate: s[ClassHint::Donate as usize],
        s_paywall: s[ClassHint::Paywall as usize],
        s_content: s[ClassHint::Content as usize],
        s_meta: s[ClassHint::Meta as usize],
        s_modal: s[ClassHint::Modal as usize],
        a_nav: a[ClassHint::Nav as usize],
        a_header_footer: a[ClassHint::HeaderFooter as usize],
        a_sidebar: a[ClassHint::Sidebar as usize],
        a_comment: a[ClassHint::Comment as usize],
        a_social: a[ClassHint::Social as usize],
        a_related: a[ClassHint::Related as usize],
        a_ad: a[ClassHint::Ad as usize],
        a_cookie: a[ClassHint::Cookie as usize],
        a_newsletter: a[ClassHint::Newsletter as usize],
        a_donate: a[ClassHint::Donate as usize],
        a_paywall: a[ClassHint::Paywall as usize],
        a_content: a[ClassHint::Content as usize],
        a_meta: a[ClassHint::Meta as usize],
        a_modal: a[ClassHint::Modal as usize],
        lex_donation: cue(Cue::Donation),
        lex_paywall: cue(Cue::Paywall),
        lex_membership: cue(Cue::Membership),
        lex_newsletter: cue(Cue::Newsletter),
        lex_cookie: cue(Cue::Cookie),
        lex_adblock: cue(Cue::Adblock),
        lex_ad: cue(Cue::Ad),
        lex_social: cue(Cue::Social),
        lex_nav: cue(Cue::Nav),
        lex_legal: cue(Cue::Legal),
        lex_related: cue(Cue::Related),
        lex_comments: cue(Cue::Comments),
        appeal_density: ratio(f64::from(appeal_hits), words.max(1.0)).min(1.0),
    }
}

/// Page-level facts shared by all blocks' context features.
struct PageContext {
    words: f64,
    link_words: f64,
    tagpath_counts: Vec<u32>,
    main_region: Option<(usize, usize)>,
}

impl PageContext {
    fn new(page: &Page) -> Self {
        let words: f64 = page.blocks.iter().map(|b| f64::from(b.words)).sum();
        let link_words: f64 = page.blocks.iter().map(|b| f64::from(b.link_words)).sum();
        // Tag path of each block, hashed: repeated paths mark lists of cards and menus.
        let paths: Vec<u64> = page
            .blocks
            .iter()
            .map(|b| {
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for c in page.ancestry(b.container).take(MAX_ANCESTRY) {
                    for byte in c.tag.as_bytes().iter().chain(b">") {
                        h ^= u64::from(*byte);
                        h = h.wrapping_mul(0x0100_0000_01b3);
                    }
                }
                h
            })
            .collect();
        let mut counts: HashMap<u64, u32> = HashMap::new();
        for p in &paths {
            *counts.entry(*p).or_default() += 1;
        }
        let tagpath_counts = paths.iter().map(|p| counts[p]).collect();
        // Deepest container holding >= 60 % of the unlinked words: the main region.
        let unlinked_total = words - link_words;
        let mut main_region = None;
        if unlinked_total > 0.0 {
            let mut best_depth = None;
            for (i, c) in page.containers.iter().enumerate() {
                let unlinked = f64::from(c.words) - f64::from(c.link_words);
                if unlinked >= 0.6 * unlinked_total && best_depth.is_none_or(|d| c.depth > d) {
                    best_depth = Some(c.depth);
                    main_region = Some((i, c.subtree_end));
                }
            }
        }
        PageContext {
            words,
            link_words,
            tagpath_counts,
            main_region,
        }
    }
}

fn context_features(
    page: &Page,
    ctx: &PageContext,
    feats: &[BlockFeatures],
    i: usize,
) -> ContextFeatures {
    let b = &page.blocks[i];
    let none = BlockFeatures::default();
    let prev = if i > 0 { &feats[i - 1] } else { &none };
    let next = feats.get(i + 1).unwrap_or(&none);
    let parent = page.containers[b.container].parent;
    let grand = parent.and_then(|p| page.containers[p].parent);
    let share = |c: Option<usize>| {
        c.map(|c| ratio(f64::from(page.containers[c].words), ctx.words))
            .unwrap_or(0.0)
    };
    let links = |c: Option<usize>| {
        c.map(|c| {
            let c = &page.containers[c];
            ratio(f64::from(c.link_words), f64::from(c.words))
        })
        .unwrap_or(0.0)
    };
    let blocks = |c: Option<usize>| {
        c.map(|c| ln1(f64::from(page.containers[c].blocks)))
            .unwrap_or(0.0)
    };
    let me = &feats[i];
    ContextFeatures {
        prev_log_words: prev.log_words,
        prev_link_density: prev.link_density,
        prev_stopword_share: prev.stopword_share,
        prev_appeal_density: prev.appeal_density,
        next_log_words: next.log_words,
        next_link_density: next.link_density,
        next_stopword_share: next.stopword_share,
        next_appeal_density: next.appeal_density,
        length_contrast: me.log_words - 0.5 * (prev.log_words + next.log_words),
        parent_text_share: share(parent),
        parent_link_density: links(parent),
        parent_log_blocks: blocks(parent),
        grand_text_share: share(grand),
        grand_link_density: links(grand),
        grand_log_blocks: blocks(grand),
        tagpath_log_count: f64::from(ctx.tagpath_counts[i]).ln(),
        in_main_region: match ctx.main_region {
            Some((start, end)) if (start..end).contains(&b.container) => 1.0,
            _ => 0.0,
        },
        page_log_words: ln1(ctx.words),
        page_log_blocks: ln1(page.blocks.len() as f64),
        page_link_density: ratio(ctx.link_words, ctx.words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment_html;

    #[test]
    fn names_are_unique_and_match_row_width() {
        let space = FeatureSpace::new(vec!["s:nav".into(), "a:content".into()]);
        let names = space.names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        let (_, page) = segment_html("<body><div class='content'><p class='nav'>x y</p></div></body>");
        let x = space.extract(&page);
        assert_eq!(x.ncols(), names.len());
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        assert_eq!(x[[0, col("tok:s:nav")]], 1.0);
        assert_eq!(x[[0, col("tok:a:content")]], 1.0);
        assert_eq!(x[[0, col("s_nav")]], 1.0);
        assert_eq!(x[[0, col("log_words")]], 3f64.ln());
    }
}
