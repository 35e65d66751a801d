//! Features: every block becomes one row of named numbers.
//!
//! Four groups, in this order in the row: [`BlockFeatures`] (what the block itself looks
//! like), [`ContextFeatures`] (its neighbours, containers and the page), products of a few
//! of those ([`PRODUCT_NAMES`]) and one binary column per class/id token of the model's
//! vocabulary (`tok:s:NAME` for the block's own element and inline children, `tok:a:NAME` for
//! its ancestors). Names, not positions, tie a column to its meaning: the structs and the
//! product table below are the single place where a feature is defined.

use crate::lexicon::{self, ClassHint, Cue, CLASS_HINTS};
use crate::segment::{flags, Page};
use ndarray::Array2;
use ndarray::ArrayView2;
use rustc_hash::FxHashMap;
use std::hash::Hasher;
use std::num::NonZeroU32;

/// Ancestors further up than this are not read for tokens (bounded cost on deep pages).
const MAX_ANCESTRY: usize = 24;

/// The most words an element may hold and still count as a block's small box (see
/// `box_ad`): an appeal box or an ad slot, not an article body.
const BOX_WORDS: u32 = 150;

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
        /// Share of the sentence ends that are question marks: appeals ask the reader
        /// ("Enjoying ad-free content?"), narrative rarely does.
        question_share,
        /// Share of the sentence ends that are exclamation marks.
        exclaim_share,
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
        /// Share of words that address the reader (you, vous, du...).
        second_person,
        /// Share of words that speak as "we"/"our": the voice of appeals.
        first_person_plural,
        /// The block names the site itself (from `og:site_name` or the title).
        mentions_site,
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
        /// The tokens of the block's small box (its own element and the ancestors holding
        /// at most [`BOX_WORDS`] words) hint at `ad`. An appeal is a small box with a
        /// telling name; a `paywall` or `premium` class on a whole article body is not.
        box_ad,
        /// The small box's tokens hint at `cookie`.
        box_cookie,
        /// The small box's tokens hint at `newsletter`.
        box_newsletter,
        /// The small box's tokens hint at `donate`.
        box_donate,
        /// The small box's tokens hint at `paywall`.
        box_paywall,
        /// The small box's tokens hint at `modal`.
        box_modal,
        /// ln(1 + donation lexicon hits).
        lex_donation,
        /// ln(1 + hits of the words all appeals for money share), such as "support us".
        lex_support,
        /// ln(1 + paywall lexicon hits).
        lex_paywall,
        /// ln(1 + subscription-offer lexicon hits).
        lex_subscription,
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
        /// Geometric mean of the "we" and the "you" shares: an outlet speaking to its reader.
        we_and_you,
        /// Geometric mean of the "we" share and the appeal density.
        we_and_appeal,
        /// Geometric mean of the "you" share and the appeal density.
        you_and_appeal,
        /// ln(1 + appeal-cue hits in the paths of the block's links): "/donate", "/abo/plus",
        /// "/newsletter", "/unterstuetzen".
        link_appeal,
        /// ln(1 + donation cues in the paths of the block's links): "/spenden", "/donate".
        /// The path names what a box asks for where its words do not ("Jetzt unterstützen"
        /// is a plea for a gift, a members' drive or a subscription alike).
        link_donation,
        /// ln(1 + cues all appeals for money share in the link paths): "/soutenir".
        link_support,
        /// ln(1 + paywall cues in the link paths): "/unlock", "/freischalten".
        link_paywall,
        /// ln(1 + subscription cues in the link paths): "/abonnement", "/premium".
        link_subscription,
        /// ln(1 + membership cues in the link paths): "/membres", "/socios".
        link_membership,
        /// ln(1 + newsletter cues in the link paths).
        link_newsletter,
        /// Highest content log-odds among the block's own class/id tokens (0 if none known).
        tok_own_max,
        /// Lowest content log-odds among the block's own tokens.
        tok_own_min,
        /// Mean content log-odds of the block's own tokens.
        tok_own_mean,
        /// The block's own element or inline children carry a token of known log-odds.
        tok_own_known,
        /// Highest content log-odds among the ancestors' tokens.
        tok_anc_max,
        /// Lowest content log-odds among the ancestors' tokens.
        tok_anc_min,
        /// Mean content log-odds of the ancestors' tokens.
        tok_anc_mean,
        /// Mean content log-odds of the parent's and grandparent's tokens: the nearest boxes.
        tok_near_mean,
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
        /// Highest appeal density among the two blocks before and two after.
        window_appeal,
        /// Highest share of "we"/"you" words among the two blocks before and two after.
        window_address,
        /// Appeal-cue hits per word in the parent container.
        parent_appeal_density,
        /// Appeal-cue hits per word in the grandparent container.
        grand_appeal_density,
        /// "We"/"you" words per word in the parent container.
        parent_address_density,
        /// ln(1 + form controls) in the parent container.
        parent_log_controls,
        /// ln(1 + form controls) in the grandparent container.
        grand_log_controls,
        /// ln(1 + words) of the page.
        page_log_words,
        /// ln(1 + blocks) of the page.
        page_log_blocks,
        /// Share of the page's words that are in links.
        page_link_density,
        /// Share of "we"/"you" words above the page's prose (blocks of [`PROSE_WORDS`] words
        /// or more): an appeal speaks to the reader between paragraphs that do not.
        address_contrast,
        /// Appeal-cue hits per word above the page's prose.
        appeal_contrast,
        /// Names the site, less the share of the page's prose words in blocks that do.
        site_contrast,
        /// ln of the number of blocks on the page with this block's text.
        text_log_copies,
        /// A block earlier on the page has the same text: menus drawn twice, teasers repeated.
        text_seen_before,
        /// ln(1 + donation lexicon hits) in the parent container: the box a block sits in.
        region_donation,
        /// ln(1 + hits of the words all appeals for money share) in the parent container.
        region_support,
        /// ln(1 + paywall lexicon hits) in the parent container: the box a block sits in.
        region_paywall,
        /// ln(1 + subscription-offer lexicon hits) in the parent container.
        region_subscription,
        /// ln(1 + membership lexicon hits) in the parent container: the box a block sits in.
        region_membership,
        /// ln(1 + newsletter lexicon hits) in the parent container: the box a block sits in.
        region_newsletter,
        /// ln(1 + cookie lexicon hits) in the parent container: the box a block sits in.
        region_cookie,
        /// ln(1 + adblock lexicon hits) in the parent container: the box a block sits in.
        region_adblock,
        /// ln(1 + ad lexicon hits) in the parent container: the box a block sits in.
        region_ad,
        /// ln(1 + social lexicon hits) in the parent container: the box a block sits in.
        region_social,
        /// ln(1 + nav lexicon hits) in the parent container: the box a block sits in.
        region_nav,
        /// ln(1 + legal lexicon hits) in the parent container: the box a block sits in.
        region_legal,
        /// ln(1 + related lexicon hits) in the parent container: the box a block sits in.
        region_related,
        /// ln(1 + comments lexicon hits) in the parent container: the box a block sits in.
        region_comments,
    }
}

/// Products of two features, named `a*b`, in row order after [`ContextFeatures`]: every
/// cue of the first list times every place of the second, cue by cue.
macro_rules! products {
    (fn $write:ident($block:ident, $context:ident) {
        [$($s:ident.$a:ident),* $(,)?] * [$($t:ident.$b:ident),* $(,)?]
    }) => {
        products!(@cue $write($block, $context) [] [] [$($s.$a),*] [$($t.$b),*]);
    };
    // One cue at a time: its product with every place, appended to the names and values.
    (@cue $write:ident($block:ident, $context:ident) [$($name:expr),*] [$($value:expr),*]
        [$s:ident.$a:ident $(, $rs:ident.$ra:ident)*] [$($t:ident.$b:ident),*]) => {
        products!(@cue $write($block, $context)
            [$($name,)* $(concat!(stringify!($a), "*", stringify!($b))),*]
            [$($value,)* $($s.$a * $t.$b),*]
            [$($rs.$ra),*] [$($t.$b),*]);
    };
    (@cue $write:ident($block:ident, $context:ident) [$($name:expr),*] [$($value:expr),*]
        [] [$($t:ident.$b:ident),*]) => {
        /// Names of the product columns, in row order.
        pub const PRODUCT_NAMES: &[&str] = &[$($name),*];

        fn $write($block: &BlockFeatures, $context: &ContextFeatures, out: &mut [f64]) {
            let values = [$($value),*];
            out[..values.len()].copy_from_slice(&values);
        }
    };
}

products! {
    // The voices of an appeal read with where the block sits. An outlet asking its reader
    // for money ("we", "you" and appeal words together) in a paragraph of an article body is
    // a plea between the story's paragraphs; the same voice in a shop's copy, a menu or a
    // long guide is not, and a linear model cannot weigh a cue by place from the two
    // features alone. Voiced cues rather than the bare appeal density: a report *about*
    // donations speaks of them in the third person and must keep its paragraphs. Chosen by
    // cross-validation on per-block dumps (see docs/quality.md).
    fn write_products(block, context) {
        [
            block.we_and_appeal,
            block.you_and_appeal,
            context.address_contrast,
            block.second_person,
            block.first_person_plural,
            context.window_appeal,
        ] * [
            block.in_article,
            block.tag_p,
            context.in_main_region,
            block.log_words,
            context.parent_text_share,
            block.link_density,
            block.char_position,
            context.prev_log_words,
        ]
    }
}

named_features! {
    /// Inputs added for the second (stacked) pass: what the first pass thought of the block's
    /// neighbours and containers. One paragraph of an appeal looks like article prose on its
    /// own; its container full of buttons and pleas gives it away.
    StackFeatures {
        /// First-pass log-odds of the block itself.
        stack_self_logit,
        /// First-pass probability of the previous block.
        stack_prev,
        /// First-pass probability of the next block.
        stack_next,
        /// Mean first-pass probability of the two blocks before and two after.
        stack_window_mean,
        /// Word-weighted mean first-pass probability of the other blocks in the same element.
        stack_container_mean,
        /// Word-weighted mean first-pass probability in the parent container.
        stack_parent_mean,
        /// Word-weighted mean first-pass probability in the grandparent container.
        stack_grand_mean,
        /// Share of the page's words that the first pass keeps.
        stack_page_kept,
        /// Word-weighted mean first-pass probability in the great-grandparent container.
        stack_great_mean,
        /// Mean first-pass probability of the five blocks before and five after.
        stack_wide_mean,
        /// Word-weighted mean first-pass probability of the other blocks with this block's
        /// tag path: the cards of a listing stand or fall together.
        stack_tagpath_mean,
        /// Highest first-pass probability on the page.
        stack_page_max,
        /// Word-weighted mean first-pass probability of the other blocks whose element has
        /// the same class/id tokens: one class, one role.
        stack_class_mean,
    }
}

/// The kind classifier's context columns for a page, from its first stage's probabilities
/// (`blocks × kinds`): the mean over the other blocks of the block's parent container, then
/// the mean of the previous and next blocks. An appeal box is one thing: its short lines
/// ("Dear readers,", "Continue") take their kind from the sentences around them.
pub fn kind_context(page: &Page, probs: ArrayView2<'_, f64>) -> Array2<f64> {
    let (n, k) = probs.dim();
    let nc = page.containers.len();
    let mut sums = vec![0.0; nc * k];
    let mut counts = vec![0.0; nc];
    for (i, b) in page.blocks.iter().enumerate() {
        let s = &mut sums[b.container * k..][..k];
        for (s, p) in s.iter_mut().zip(probs.row(i)) {
            *s += p;
        }
        counts[b.container] += 1.0;
    }
    // Children follow their parent in preorder: summing back to front reaches the root.
    for i in (0..nc).rev() {
        if let Some(p) = page.containers[i].parent {
            let (head, tail) = sums.split_at_mut(i * k);
            for (s, below) in head[p * k..][..k].iter_mut().zip(&tail[..k]) {
                *s += below;
            }
            counts[p] += counts[i];
        }
    }
    let mut x = Array2::zeros((n, 2 * k));
    for (i, (b, mut out)) in page.blocks.iter().zip(x.rows_mut()).enumerate() {
        let region = page.containers[b.container].parent.unwrap_or(b.container);
        let others = counts[region] - 1.0;
        let p = probs.row(i);
        if others > 0.0 {
            for ((o, s), p) in out.iter_mut().zip(&sums[region * k..][..k]).zip(p) {
                *o = (s - p) / others;
            }
        }
        let before = i.checked_sub(1);
        let after = (i + 1 < n).then_some(i + 1);
        let around = usize::from(before.is_some()) + usize::from(after.is_some());
        for j in before.into_iter().chain(after) {
            for (o, q) in out.iter_mut().skip(k).zip(probs.row(j)) {
                *o += q / around as f64;
            }
        }
    }
    x
}

/// The stacked pass's extra columns for a page, from first-pass probabilities.
pub fn stack_features(page: &Page, probs: &[f64]) -> Array2<f64> {
    let n = page.blocks.len();
    let nc = page.containers.len();
    // Word-weighted probability sums per container, own blocks and whole subtree.
    let (mut own_sum, mut own_words) = (vec![0.0; nc], vec![0.0; nc]);
    for (b, p) in page.blocks.iter().zip(probs) {
        let w = f64::from(b.words.max(1));
        own_sum[b.container] += w * p;
        own_words[b.container] += w;
    }
    let (mut sub_sum, mut sub_words) = (own_sum.clone(), own_words.clone());
    for i in (0..nc).rev() {
        if let Some(p) = page.containers[i].parent {
            sub_sum[p] += sub_sum[i];
            sub_words[p] += sub_words[i];
        }
    }
    let total_words: f64 = own_words.iter().sum();
    let kept: f64 = page
        .blocks
        .iter()
        .zip(probs)
        .filter(|(_, &p)| p >= 0.5)
        .map(|(b, _)| f64::from(b.words.max(1)))
        .sum();
    let mean_in = |c: Option<usize>| c.map(|c| ratio(sub_sum[c], sub_words[c])).unwrap_or(0.5);
    let mut path_sums = vec![(0.0, 0.0); page.tag_paths];
    for (b, p) in page.blocks.iter().zip(probs) {
        let w = f64::from(b.words.max(1));
        let e = &mut path_sums[page.containers[b.container].path];
        e.0 += w * p;
        e.1 += w;
    }
    let page_max = probs.iter().copied().fold(0.0, f64::max);
    let mut class_sums = vec![(0.0, 0.0); page.token_lists.len()];
    for (b, p) in page.blocks.iter().zip(probs) {
        let w = f64::from(b.words.max(1));
        let e = &mut class_sums[page.containers[b.container].tokens];
        e.0 += w * p;
        e.1 += w;
    }
    let mut x = Array2::zeros((n, StackFeatures::NAMES.len()));
    for (i, mut row) in x.rows_mut().into_iter().enumerate() {
        let b = &page.blocks[i];
        let w = f64::from(b.words.max(1));
        let p = probs[i];
        let window = (i.saturating_sub(2)..(i + 3).min(n)).filter(|&j| j != i);
        let (window_sum, window_len) =
            window.fold((0.0, 0usize), |(s, k), j| (s + probs[j], k + 1));
        let others = own_words[b.container] - w;
        let parent = page.containers[b.container].parent;
        let grand = parent.and_then(|q| page.containers[q].parent);
        let great = grand.and_then(|q| page.containers[q].parent);
        let wide = (i.saturating_sub(5)..(i + 6).min(n)).filter(|&j| j != i);
        let (wide_sum, wide_len) = wide.fold((0.0, 0usize), |(s, k), j| (s + probs[j], k + 1));
        let (path_sum, path_words) = path_sums[page.containers[b.container].path];
        let f = StackFeatures {
            stack_self_logit: (p.clamp(1e-6, 1.0 - 1e-6) / (1.0 - p.clamp(1e-6, 1.0 - 1e-6))).ln(),
            stack_prev: if i > 0 { probs[i - 1] } else { 0.0 },
            stack_next: probs.get(i + 1).copied().unwrap_or(0.0),
            stack_window_mean: if window_len == 0 {
                0.0
            } else {
                window_sum / window_len as f64
            },
            stack_container_mean: if others > 0.0 {
                (own_sum[b.container] - w * p) / others
            } else {
                p
            },
            stack_parent_mean: mean_in(parent),
            stack_grand_mean: mean_in(grand),
            stack_page_kept: ratio(kept, total_words),
            stack_great_mean: mean_in(great),
            stack_wide_mean: if wide_len == 0 {
                0.0
            } else {
                wide_sum / wide_len as f64
            },
            stack_tagpath_mean: if path_words - w > 0.0 {
                (path_sum - w * p) / (path_words - w)
            } else {
                p
            },
            stack_page_max: page_max,
            stack_class_mean: {
                let list = page.containers[b.container].tokens;
                let (sum, words) = class_sums[list];
                if page.token_lists[list].is_empty() || words - w <= 0.0 {
                    p
                } else {
                    (sum - w * p) / (words - w)
                }
            },
        };
        if let Some(row) = row.as_slice_mut() {
            f.write(row);
        }
    }
    x
}

/// Names of the hand-written (non-vocabulary) features, in row order.
pub fn base_names() -> impl Iterator<Item = &'static str> {
    BlockFeatures::NAMES
        .iter()
        .chain(ContextFeatures::NAMES.iter())
        .chain(PRODUCT_NAMES.iter())
        .copied()
}

/// Number of hand-written features.
pub fn base_len() -> usize {
    BlockFeatures::NAMES.len() + ContextFeatures::NAMES.len() + PRODUCT_NAMES.len()
}

/// The class/id tokens of a block: its own element's and inline children's (`own`) and its
/// ancestors' (`ancestors`), deduplicated and sorted.
pub fn block_tokens(page: &Page, block: usize) -> (Vec<&str>, Vec<&str>) {
    let b = &page.blocks[block];
    let mut own: Vec<&str> = page
        .tokens(b.container)
        .iter()
        .chain(b.inline_tokens.iter())
        .collect();
    let mut ancestors: Vec<&str> = ancestors_of(page, b.container)
        .flat_map(|c| page.tokens(c).iter())
        .collect();
    own.sort_unstable();
    own.dedup();
    ancestors.sort_unstable();
    ancestors.dedup();
    (own, ancestors)
}

/// Content log-odds of class/id tokens (`s:NAME` for a block's own, `a:NAME` for its
/// ancestors'), relative to the prior, learned from training pages. They carry what a
/// vocabulary of a few hundred columns cannot: thousands of tokens that each say a little.
/// A list sorted by token rather than a map: the model file holds tens of thousands, and a
/// list loads faster.
pub type TokenOdds = Vec<(String, f32)>;

/// The columns of a model: hand-written features plus a learned token vocabulary.
#[derive(Debug, Clone)]
pub struct FeatureSpace {
    vocab: Vec<String>,
    /// Everything a token means to the features, found with one lookup of its
    /// [`token_key`].
    tokens: FxHashMap<u64, TokenMeaning>,
}

/// What one class/id token means: its class hint, its vocabulary columns and its log-odds.
/// Kept small: a page looks up hundreds of tokens in a table of tens of thousands.
#[derive(Debug, Clone, Copy, Default)]
struct TokenMeaning {
    hint: u32,
    own_col: Option<NonZeroU32>,
    ancestor_col: Option<NonZeroU32>,
    own_odds: Option<f32>,
    ancestor_odds: Option<f32>,
}

/// A token's key in [`FeatureSpace`]: a 64-bit hash of its text, as in the hashing trick
/// but with so many values that two tokens of a page and a model share one about once in
/// 10^15 lookups. A lookup then reads one slot of a compact table instead of comparing
/// against each key's own allocation, and loading a model allocates nothing per token.
fn token_key(token: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(token.as_bytes());
    h.finish()
}

impl FeatureSpace {
    /// A space with the given vocabulary of `s:`/`a:` prefixed tokens and token log-odds.
    pub fn new(vocab: Vec<String>, odds: &[(String, f32)]) -> Self {
        let mut tokens: FxHashMap<u64, TokenMeaning> =
            FxHashMap::with_capacity_and_hasher(odds.len() + vocab.len() + 256, Default::default());
        for (word, hint) in lexicon::class_hint_words() {
            tokens.entry(token_key(word)).or_default().hint = 1 << hint as u32;
        }
        for (i, t) in vocab.iter().enumerate() {
            // Vocabulary columns follow the hand-written ones, so none is column 0.
            let col = u32::try_from(base_len() + i).ok().and_then(NonZeroU32::new);
            if let Some(rest) = t.strip_prefix("s:") {
                tokens.entry(token_key(rest)).or_default().own_col = col;
            } else if let Some(rest) = t.strip_prefix("a:") {
                tokens.entry(token_key(rest)).or_default().ancestor_col = col;
            }
        }
        for (t, v) in odds.iter().map(|(t, v)| (t, *v)) {
            if let Some(rest) = t.strip_prefix("s:") {
                tokens.entry(token_key(rest)).or_default().own_odds = Some(v);
            } else if let Some(rest) = t.strip_prefix("a:") {
                tokens.entry(token_key(rest)).or_default().ancestor_odds = Some(v);
            }
        }
        FeatureSpace { vocab, tokens }
    }

    fn meaning(&self, token: &str) -> Option<TokenMeaning> {
        self.tokens.get(&token_key(token)).copied()
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
        let sparse = self.extract_sparse(page);
        let mut x = Array2::zeros((page.blocks.len(), self.len()));
        let nb = base_len();
        for (i, mut row) in x.rows_mut().into_iter().enumerate() {
            let Some(row) = row.as_slice_mut() else {
                continue;
            };
            for (to, from) in row[..nb].iter_mut().zip(sparse.base.row(i)) {
                *to = *from;
            }
            for &c in sparse.token_columns(i) {
                row[c] = 1.0;
            }
        }
        x
    }

    /// The same features with the token columns kept sparse: most of a row's columns are
    /// tokens, and nearly all of them are zero.
    pub fn extract_sparse(&self, page: &Page) -> SparseFeatures {
        // The lexicon runs once over the whole page's lowercased text rather than once per
        // block: most blocks are a few words, and each search has a fixed cost.
        let mut lower = String::new();
        let mut spans = Vec::with_capacity(page.blocks.len());
        for b in &page.blocks {
            let start = lower.len();
            if b.text.is_ascii() {
                lower.push_str(&b.text);
                lower[start..].make_ascii_lowercase();
            } else {
                lower.push_str(&b.text.to_lowercase());
            }
            spans.push(start..lower.len());
            // No cue holds a newline, and block text has none: matches stay in their block.
            lower.push('\n');
        }
        // The blocks' link paths (already lowercase) go through the same search, after the
        // texts: one span per block, empty when it has no links.
        for b in &page.blocks {
            let start = lower.len();
            lower.push_str(&b.link_targets);
            spans.push(start..lower.len());
            lower.push('\n');
        }
        let mut cues = lexicon::cue_counts_in_spans(&lower, &spans);
        let link_cues = cues.split_off(page.blocks.len());
        let site = page.site_name.as_deref().map(memchr::memmem::Finder::new);
        let stats: Vec<TextStats> = page
            .blocks
            .iter()
            .zip(&spans)
            .zip(cues.into_iter().zip(link_cues))
            .map(|((b, span), (cues, links))| {
                let mut t = TextStats::new(b, &lower[span.clone()], cues, site.as_ref());
                t.link_cues = links;
                t
            })
            .collect();
        // Containers repeat the same class lists: look each distinct list up once.
        let distinct: Vec<ContainerTokens> = page
            .token_lists
            .iter()
            .map(|list| ContainerTokens::of(list.iter().filter_map(|t| self.meaning(t))))
            .collect();
        let lookups: Vec<&ContainerTokens> = page
            .containers
            .iter()
            .map(|c| &distinct[c.tokens])
            .collect();
        let meaning = |t: &str| self.meaning(t).unwrap_or_default();
        let block_feats: Vec<BlockFeatures> = page
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let container = lookups[b.container];
                let mut own = container.hints;
                let mut own_odds = container.own_odds;
                for m in b.inline_tokens.iter().map(meaning) {
                    own |= m.hint;
                    own_odds.extend(m.own_odds);
                }
                let mut ancestors = 0;
                let mut boxed = own;
                let mut anc_odds = OddsSummary::default();
                let mut near_odds = OddsSummary::default();
                for (depth, c) in ancestors_of(page, b.container).enumerate() {
                    ancestors |= lookups[c].hints;
                    if page.containers[c].words <= BOX_WORDS {
                        boxed |= lookups[c].hints;
                    }
                    anc_odds.merge(&lookups[c].ancestor_odds);
                    if depth < 2 {
                        near_odds.merge(&lookups[c].ancestor_odds);
                    }
                }
                let mut f = block_features(page, i, &stats[i], (own, ancestors, boxed));
                f.tok_own_max = own_odds.max();
                f.tok_own_min = own_odds.min();
                f.tok_own_mean = own_odds.mean();
                f.tok_own_known = if own_odds.n > 0 { 1.0 } else { 0.0 };
                f.tok_anc_max = anc_odds.max();
                f.tok_anc_min = anc_odds.min();
                f.tok_anc_mean = anc_odds.mean();
                f.tok_near_mean = near_odds.mean();
                f
            })
            .collect();
        let ctx = PageContext::new(page, &stats);
        let nb = BlockFeatures::NAMES.len();
        let nc = ContextFeatures::NAMES.len();
        let mut base = Array2::zeros((page.blocks.len(), base_len()));
        let mut columns = Vec::new();
        let mut starts = Vec::with_capacity(page.blocks.len() + 1);
        starts.push(0);
        for (i, mut row) in base.rows_mut().into_iter().enumerate() {
            if let Some(row) = row.as_slice_mut() {
                let context = context_features(page, &ctx, &block_feats, i);
                block_feats[i].write(&mut row[..nb]);
                context.write(&mut row[nb..]);
                write_products(&block_feats[i], &context, &mut row[nb + nc..]);
            }
            let b = &page.blocks[i];
            let start = columns.len();
            columns.extend_from_slice(&lookups[b.container].own_cols);
            columns.extend(
                b.inline_tokens
                    .iter()
                    .filter_map(|t| meaning(t).own_col.map(column)),
            );
            for a in ancestors_of(page, b.container) {
                columns.extend_from_slice(&lookups[a].ancestor_cols);
            }
            // A token seen twice is one binary feature.
            let row = &mut columns[start..];
            row.sort_unstable();
            let unique = dedup_sorted(row);
            columns.truncate(start + unique);
            starts.push(columns.len());
        }
        SparseFeatures {
            base,
            columns,
            starts,
        }
    }
}

/// A page's features with the binary token columns listed rather than stored.
#[derive(Debug, Clone)]
pub struct SparseFeatures {
    /// The hand-written features, one row per block ([`base_names`] order).
    pub base: Array2<f64>,
    /// All blocks' present token columns, block after block, each block's sorted.
    columns: Vec<usize>,
    /// Where each block's columns start in `columns` (one more entry than blocks).
    starts: Vec<usize>,
}

/// Moves the distinct values of a sorted slice to its front; returns how many there are.
fn dedup_sorted(v: &mut [usize]) -> usize {
    let mut n = 0;
    for i in 0..v.len() {
        if n == 0 || v[i] != v[n - 1] {
            v[n] = v[i];
            n += 1;
        }
    }
    n
}

impl SparseFeatures {
    /// The columns (in [`FeatureSpace::names`] numbering) whose token is present in a block.
    pub fn token_columns(&self, row: usize) -> &[usize] {
        match (self.starts.get(row), self.starts.get(row + 1)) {
            (Some(&a), Some(&b)) => &self.columns[a..b],
            _ => &[],
        }
    }

    /// One value of the full row: base columns first, then 0/1 token columns.
    pub fn value(&self, row: usize, column: usize) -> f64 {
        if column < self.base.ncols() {
            self.base.get((row, column)).copied().unwrap_or(0.0)
        } else if self.token_columns(row).binary_search(&column).is_ok() {
            1.0
        } else {
            0.0
        }
    }
}

/// Maximum, minimum, sum and count of token log-odds.
#[derive(Debug, Clone, Copy)]
struct OddsSummary {
    max: f32,
    min: f32,
    sum: f32,
    n: u32,
}

impl Default for OddsSummary {
    fn default() -> Self {
        OddsSummary {
            max: f32::NEG_INFINITY,
            min: f32::INFINITY,
            sum: 0.0,
            n: 0,
        }
    }
}

impl OddsSummary {
    fn extend(&mut self, v: Option<f32>) {
        if let Some(v) = v {
            self.max = self.max.max(v);
            self.min = self.min.min(v);
            self.sum += v;
            self.n += 1;
        }
    }

    fn merge(&mut self, o: &OddsSummary) {
        self.max = self.max.max(o.max);
        self.min = self.min.min(o.min);
        self.sum += o.sum;
        self.n += o.n;
    }

    // An unknown token says nothing: 0 is the prior's log-odds.
    fn max(&self) -> f64 {
        if self.n > 0 {
            f64::from(self.max)
        } else {
            0.0
        }
    }

    fn min(&self) -> f64 {
        if self.n > 0 {
            f64::from(self.min)
        } else {
            0.0
        }
    }

    fn mean(&self) -> f64 {
        if self.n > 0 {
            f64::from(self.sum) / f64::from(self.n)
        } else {
            0.0
        }
    }
}

/// What one container's tokens contribute: class hints as bits, the vocabulary columns
/// they set on blocks of its own and on blocks below it, and their log-odds.
#[derive(Default)]
struct ContainerTokens {
    hints: u32,
    own_cols: Vec<usize>,
    ancestor_cols: Vec<usize>,
    own_odds: OddsSummary,
    ancestor_odds: OddsSummary,
}

impl ContainerTokens {
    fn of(meanings: impl Iterator<Item = TokenMeaning>) -> Self {
        let mut out = ContainerTokens::default();
        for m in meanings {
            out.hints |= m.hint;
            out.own_cols.extend(m.own_col.map(column));
            out.ancestor_cols.extend(m.ancestor_col.map(column));
            out.own_odds.extend(m.own_odds);
            out.ancestor_odds.extend(m.ancestor_odds);
        }
        out
    }
}

fn column(c: NonZeroU32) -> usize {
    c.get() as usize
}

/// The containers above `container` whose tokens count as a block's ancestors'.
fn ancestors_of(page: &Page, container: usize) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(page.containers[container].parent, |&c| {
        page.containers[c].parent
    })
    .take(MAX_ANCESTRY)
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
    // Most blocks hold no currency sign: find one by its bytes before decoding characters.
    let bytes = text.as_bytes();
    let has_sign = memchr::memchr3_iter(b'$', 0xC2, 0xE2, bytes).any(|i| {
        matches!(
            &bytes[i..bytes.len().min(i + 3)],
            [b'$', ..] | [0xC2, 0xA3 | 0xA5, ..] | [0xE2, 0x82, 0xAC | 0xBD | 0xB9 | 0xB4]
        )
    });
    if !has_sign {
        return 0.0;
    }
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

/// Class hints as 0/1 values, from a bit set of [`ClassHint`]s.
fn hints(mask: u32) -> [f64; CLASS_HINTS] {
    std::array::from_fn(|h| f64::from((mask >> h) & 1))
}

/// What one pass over a block's text finds; shared by the block's own features and the
/// aggregates of its containers.
struct TextStats {
    word_chars: usize,
    stop: usize,
    second: usize,
    first_plural: usize,
    capitalised: usize,
    digits: usize,
    letters: usize,
    upper: usize,
    sentence: usize,
    questions: usize,
    exclaims: usize,
    commas: usize,
    cues: [u32; lexicon::CUES],
    appeal_hits: u32,
    /// Cue hits in the paths of the block's links.
    link_cues: [u32; lexicon::CUES],
    mentions_site: bool,
}

impl TextStats {
    /// `lower` is the block's text lowercased, `cues` its lexicon hits, `site` a searcher for
    /// the page's site name.
    fn new(
        b: &crate::segment::Block,
        lower: &str,
        cues: [u32; lexicon::CUES],
        site: Option<&memchr::memmem::Finder<'_>>,
    ) -> Self {
        let mut t = TextStats {
            word_chars: 0,
            stop: 0,
            second: 0,
            first_plural: 0,
            capitalised: 0,
            digits: 0,
            letters: 0,
            upper: 0,
            sentence: 0,
            questions: 0,
            exclaims: 0,
            commas: 0,
            cues,
            appeal_hits: 0,
            link_cues: [0; lexicon::CUES],
            mentions_site: site.is_some_and(|f| f.find(lower.as_bytes()).is_some()),
        };
        // One pass over the characters: word shape, word roles and character classes. ASCII
        // text (most blocks) is read byte by byte, without decoding.
        if b.text.is_ascii() {
            t.scan_ascii(&b.text);
        } else {
            t.scan(&b.text, b.text.char_indices());
        }
        t.appeal_hits = lexicon::appeal_hits(&t.cues);
        t
    }
}

impl TextStats {
    /// Counts word shapes, word roles and character classes of `text`, given as
    /// (byte offset, character) pairs.
    fn scan(&mut self, text: &str, chars: impl Iterator<Item = (usize, char)>) {
        let mut word_start = None;
        for (i, ch) in chars {
            if crate::tokens::is_lone_word_char(ch) {
                // A word of its own (see `tokens::count_words`).
                if let Some(start) = word_start.take() {
                    self.add_word_roles(&text[start..i]);
                }
                self.word_chars += 1;
                self.add_word_roles(&text[i..i + ch.len_utf8()]);
            } else if crate::tokens::is_word_char(ch) {
                if word_start.is_none() {
                    word_start = Some(i);
                    self.capitalised += usize::from(ch.is_uppercase());
                }
                self.word_chars += 1;
            } else if let Some(start) = word_start.take() {
                self.add_word_roles(&text[start..i]);
            }
            if ch.is_ascii_digit() {
                self.digits += 1;
            } else if ch.is_alphabetic() {
                self.letters += 1;
                if ch.is_uppercase() {
                    self.upper += 1;
                }
            } else if matches!(ch, '.' | '!' | '?' | '。' | '！' | '？') {
                self.sentence += 1;
                self.questions += usize::from(matches!(ch, '?' | '？'));
                self.exclaims += usize::from(matches!(ch, '!' | '！'));
            } else if matches!(ch, ',' | '，' | '、') {
                self.commas += 1;
            }
        }
        if let Some(start) = word_start {
            self.add_word_roles(&text[start..]);
        }
    }

    /// [`TextStats::scan`] for ASCII text, byte by byte: the same counts, without decoding
    /// characters or asking Unicode tables (most blocks are ASCII).
    fn scan_ascii(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut word_start = None;
        for (i, &b) in bytes.iter().enumerate() {
            if b.is_ascii_alphanumeric() || b == b'_' {
                if word_start.is_none() {
                    word_start = Some(i);
                    self.capitalised += usize::from(b.is_ascii_uppercase());
                }
                self.word_chars += 1;
                if b.is_ascii_digit() {
                    self.digits += 1;
                } else if b != b'_' {
                    self.letters += 1;
                    self.upper += usize::from(b.is_ascii_uppercase());
                }
                continue;
            }
            if let Some(start) = word_start.take() {
                self.add_word_roles(&text[start..i]);
            }
            match b {
                b'.' => self.sentence += 1,
                b'?' => {
                    self.sentence += 1;
                    self.questions += 1;
                }
                b'!' => {
                    self.sentence += 1;
                    self.exclaims += 1;
                }
                b',' => self.commas += 1,
                _ => {}
            }
        }
        if let Some(start) = word_start {
            self.add_word_roles(&text[start..]);
        }
    }

    /// Counts a word's roles (stopword, "you", "we").
    fn add_word_roles(&mut self, word: &str) {
        let roles = lexicon::word_roles(word);
        self.stop += usize::from(roles & lexicon::STOPWORD != 0);
        self.second += usize::from(roles & lexicon::SECOND_PERSON_WORD != 0);
        self.first_plural += usize::from(roles & lexicon::FIRST_PERSON_PLURAL_WORD != 0);
    }
}

/// The tag features' groups of block tags.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagGroup {
    P,
    Div,
    Li,
    Cell,
    H1,
    Heading,
    Quote,
    Pre,
    Caption,
    Definition,
    Section,
    Form,
    Other,
}

fn tag_group(tag: &str) -> TagGroup {
    match tag {
        "p" => TagGroup::P,
        "div" => TagGroup::Div,
        "li" => TagGroup::Li,
        "td" | "th" => TagGroup::Cell,
        "h1" => TagGroup::H1,
        "h2" | "h3" | "h4" | "h5" | "h6" => TagGroup::Heading,
        "blockquote" => TagGroup::Quote,
        "pre" => TagGroup::Pre,
        "figcaption" | "caption" => TagGroup::Caption,
        "dd" | "dt" => TagGroup::Definition,
        "section" | "article" | "main" => TagGroup::Section,
        "form" | "fieldset" | "legend" => TagGroup::Form,
        _ => TagGroup::Other,
    }
}

/// The hand-written features of one block.
fn block_features(
    page: &Page,
    i: usize,
    t: &TextStats,
    (own, ancestors, boxed): (u32, u32, u32),
) -> BlockFeatures {
    let b = &page.blocks[i];
    let c = &page.containers[b.container];
    let words = f64::from(b.words);
    let last = b.text.chars().next_back().unwrap_or(' ');
    let cue = |c: Cue| ln1(f64::from(t.cues[c as usize]));
    let link = |c: Cue| ln1(f64::from(t.link_cues[c as usize]));
    let s = hints(own);
    let a = hints(ancestors);
    let boxed = hints(boxed);
    let flag = |f: u32| if c.flags & f != 0 { 1.0 } else { 0.0 };
    let tag = &*c.tag;
    // One dispatch on the tag instead of a list search per tag feature.
    let group = tag_group(tag);
    let is = |g: TagGroup| if group == g { 1.0 } else { 0.0 };
    let total_chars = page
        .blocks
        .last()
        .map(|l| f64::from(l.offset) + f64::from(l.chars))
        .unwrap_or(0.0);
    let you = ratio(t.second as f64, words);
    let we = ratio(t.first_plural as f64, words);
    let appeal = ratio(f64::from(t.appeal_hits), words.max(1.0)).min(1.0);
    BlockFeatures {
        log_words: ln1(words),
        log_chars: ln1(f64::from(b.chars)),
        mean_word_len: ratio(t.word_chars as f64, words).min(20.0),
        sentence_punct: ratio(t.sentence as f64, words).min(2.0),
        ends_with_punct: if matches!(last, '.' | '!' | '?' | ':' | '"' | '”' | '»' | '。') {
            1.0
        } else {
            0.0
        },
        question_share: ratio(t.questions as f64, t.sentence as f64),
        exclaim_share: ratio(t.exclaims as f64, t.sentence as f64),
        comma_rate: ratio(t.commas as f64, words).min(2.0),
        digit_share: ratio(t.digits as f64, f64::from(b.chars)),
        upper_share: ratio(t.upper as f64, t.letters as f64),
        capitalised_share: ratio(t.capitalised as f64, words),
        stopword_share: ratio(t.stop as f64, words),
        second_person: you,
        first_person_plural: we,
        mentions_site: if t.mentions_site { 1.0 } else { 0.0 },
        currency: ln1(count_currency(&b.text)),
        link_density: b.link_density(),
        log_links: ln1(f64::from(b.links)),
        control_share: ratio(f64::from(b.control_words), words),
        log_controls: ln1(f64::from(b.controls)),
        hidden_inline_share: ratio(f64::from(b.hidden_words), words),
        depth: (f64::from(c.depth) / 30.0).min(3.0),
        tag_p: is(TagGroup::P),
        tag_div: is(TagGroup::Div),
        tag_li: is(TagGroup::Li),
        tag_cell: is(TagGroup::Cell),
        tag_h1: is(TagGroup::H1),
        tag_heading: is(TagGroup::Heading),
        tag_quote: is(TagGroup::Quote),
        tag_pre: is(TagGroup::Pre),
        tag_caption: is(TagGroup::Caption),
        tag_definition: is(TagGroup::Definition),
        tag_section: is(TagGroup::Section),
        tag_form: is(TagGroup::Form),
        tag_other: is(TagGroup::Other),
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
        box_ad: boxed[ClassHint::Ad as usize],
        box_cookie: boxed[ClassHint::Cookie as usize],
        box_newsletter: boxed[ClassHint::Newsletter as usize],
        box_donate: boxed[ClassHint::Donate as usize],
        box_paywall: boxed[ClassHint::Paywall as usize],
        box_modal: boxed[ClassHint::Modal as usize],
        lex_donation: cue(Cue::Donation),
        lex_support: cue(Cue::Support),
        lex_paywall: cue(Cue::Paywall),
        lex_subscription: cue(Cue::Subscription),
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
        appeal_density: appeal,
        we_and_you: (we * you).sqrt(),
        we_and_appeal: (we * appeal).sqrt(),
        you_and_appeal: (you * appeal).sqrt(),
        link_appeal: ln1(f64::from(lexicon::appeal_hits(&t.link_cues))),
        link_donation: link(Cue::Donation),
        link_support: link(Cue::Support),
        link_paywall: link(Cue::Paywall),
        link_subscription: link(Cue::Subscription),
        link_membership: link(Cue::Membership),
        link_newsletter: link(Cue::Newsletter),
        // Filled in by the caller, which holds the token summaries.
        ..BlockFeatures::default()
    }
}

/// Page-level facts shared by all blocks' context features.
struct PageContext {
    words: f64,
    link_words: f64,
    tagpath_counts: Vec<u32>,
    /// Per block: how many blocks have its text, and whether one before it does.
    text_copies: Vec<(u32, bool)>,

    main_region: Option<(usize, usize)>,
    /// Per container, summed over its subtree: appeal-cue hits.
    appeal_hits: Vec<f64>,
    /// Per container: "we"/"you" words.
    address_words: Vec<f64>,
    /// Per container: form controls.
    controls: Vec<f64>,
    /// Per container: lexicon hits of each cue.
    cue_hits: Vec<[f64; lexicon::CUES]>,
    /// The page's prose: "we"/"you" words, appeal-cue hits and words in blocks naming the
    /// site, each per word.
    prose_address: f64,
    prose_appeal: f64,
    prose_site: f64,
}

impl PageContext {
    fn new(page: &Page, stats: &[TextStats]) -> Self {
        let words: f64 = page.blocks.iter().map(|b| f64::from(b.words)).sum();
        let link_words: f64 = page.blocks.iter().map(|b| f64::from(b.link_words)).sum();
        let path_of = |b: &crate::segment::Block| page.containers[b.container].path;
        let mut counts = vec![0u32; page.tag_paths];
        for b in &page.blocks {
            counts[path_of(b)] += 1;
        }
        let tagpath_counts = page.blocks.iter().map(|b| counts[path_of(b)]).collect();
        let mut copies: FxHashMap<&str, u32> = FxHashMap::default();
        let mut text_copies: Vec<(u32, bool)> = page
            .blocks
            .iter()
            .map(|b| {
                let n = copies.entry(b.text.as_str()).or_default();
                *n += 1;
                (0, *n > 1)
            })
            .collect();
        for (b, c) in page.blocks.iter().zip(&mut text_copies) {
            c.0 = copies[b.text.as_str()];
        }
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
        let n = page.containers.len();
        let (mut appeal_hits, mut address_words, mut controls) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let mut cue_hits = vec![[0.0; lexicon::CUES]; n];
        let (mut prose, mut address, mut appeal, mut site) = (0.0, 0.0, 0.0, 0.0);
        for (b, t) in page.blocks.iter().zip(stats) {
            for (sum, &hits) in cue_hits[b.container].iter_mut().zip(&t.cues) {
                *sum += f64::from(hits);
            }
            appeal_hits[b.container] += f64::from(t.appeal_hits);
            address_words[b.container] += (t.second + t.first_plural) as f64;
            controls[b.container] += f64::from(b.controls);
            if b.words >= PROSE_WORDS {
                let w = f64::from(b.words);
                prose += w;
                address += (t.second + t.first_plural) as f64;
                appeal += f64::from(t.appeal_hits);
                site += if t.mentions_site { w } else { 0.0 };
            }
        }
        for i in (0..n).rev() {
            if let Some(p) = page.containers[i].parent {
                let below = cue_hits[i];
                for (sum, hits) in cue_hits[p].iter_mut().zip(below) {
                    *sum += hits;
                }
                appeal_hits[p] += appeal_hits[i];
                address_words[p] += address_words[i];
                controls[p] += controls[i];
            }
        }
        PageContext {
            words,
            link_words,
            tagpath_counts,
            text_copies,
            main_region,
            appeal_hits,
            address_words,
            controls,
            cue_hits,
            prose_address: ratio(address, prose),
            prose_appeal: ratio(appeal, prose),
            prose_site: ratio(site, prose),
        }
    }
}

/// Blocks of at least this many words are the page's prose, against which
/// [`ContextFeatures`]' contrasts are measured.
pub const PROSE_WORDS: u32 = 10;

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
    let window = |f: fn(&BlockFeatures) -> f64| {
        (i.saturating_sub(2)..(i + 3).min(feats.len()))
            .filter(|&j| j != i)
            .map(|j| f(&feats[j]))
            .fold(0.0, f64::max)
    };
    let per_word = |sums: &[f64], c: Option<usize>| {
        c.map(|c| ratio(sums[c], f64::from(page.containers[c].words).max(1.0)).min(1.0))
            .unwrap_or(0.0)
    };
    let controls = |c: Option<usize>| c.map(|c| ln1(ctx.controls[c])).unwrap_or(0.0);
    let region = |cue: Cue| parent.map_or(0.0, |p| ln1(ctx.cue_hits[p][cue as usize]));
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
        window_appeal: window(|f| f.appeal_density),
        window_address: window(|f| f.second_person + f.first_person_plural),
        parent_appeal_density: per_word(&ctx.appeal_hits, parent),
        grand_appeal_density: per_word(&ctx.appeal_hits, grand),
        parent_address_density: per_word(&ctx.address_words, parent),
        parent_log_controls: controls(parent),
        grand_log_controls: controls(grand),
        page_log_words: ln1(ctx.words),
        page_log_blocks: ln1(page.blocks.len() as f64),
        page_link_density: ratio(ctx.link_words, ctx.words),
        address_contrast: me.second_person + me.first_person_plural - ctx.prose_address,
        appeal_contrast: me.appeal_density - ctx.prose_appeal,
        site_contrast: me.mentions_site - ctx.prose_site,
        text_log_copies: f64::from(ctx.text_copies[i].0).ln(),
        text_seen_before: f64::from(u8::from(ctx.text_copies[i].1)),
        region_donation: region(Cue::Donation),
        region_support: region(Cue::Support),
        region_paywall: region(Cue::Paywall),
        region_subscription: region(Cue::Subscription),
        region_membership: region(Cue::Membership),
        region_newsletter: region(Cue::Newsletter),
        region_cookie: region(Cue::Cookie),
        region_adblock: region(Cue::Adblock),
        region_ad: region(Cue::Ad),
        region_social: region(Cue::Social),
        region_nav: region(Cue::Nav),
        region_legal: region(Cue::Legal),
        region_related: region(Cue::Related),
        region_comments: region(Cue::Comments),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment_html;

    #[test]
    fn currency_amounts_are_counted() {
        assert_eq!(count_currency("only words – and “quotes”"), 0.0);
        assert_eq!(count_currency("give $5, 10 € or £20; ¥ alone"), 3.0);
        assert_eq!(count_currency("₽100 ₹ 7 ₴9"), 3.0);
    }

    #[test]
    fn names_are_unique_and_match_row_width() {
        let space = FeatureSpace::new(vec!["s:nav".into(), "a:content".into()], &TokenOdds::new());
        let names = space.names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        let (_, page) =
            segment_html("<body><div class='content'><p class='nav'>x y</p></div></body>");
        let x = space.extract(&page);
        assert_eq!(x.ncols(), names.len());
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        assert_eq!(x[[0, col("tok:s:nav")]], 1.0);
        assert_eq!(x[[0, col("tok:a:content")]], 1.0);
        assert_eq!(x[[0, col("s_nav")]], 1.0);
        assert_eq!(x[[0, col("log_words")]], 3f64.ln());
    }

    #[test]
    fn link_paths_name_the_kind_of_appeal() {
        let space = FeatureSpace::new(Vec::new(), &TokenOdds::new());
        let names = space.names();
        let (_, page) = segment_html(
            "<body><p><a href='https://x.org/spenden?src=box'>Jetzt unterstützen</a></p>\
             <p><a href='/abonnement?ref=top'>Jetzt unterstützen</a></p></body>",
        );
        let x = space.extract(&page);
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        // The same words, two asks: only the link's path tells them apart.
        assert!(x[[0, col("link_donation")]] > 0.0);
        assert_eq!(x[[0, col("link_subscription")]], 0.0);
        assert!(x[[1, col("link_subscription")]] > 0.0);
        assert_eq!(x[[1, col("link_donation")]], 0.0);
        assert_eq!(x[[0, col("lex_donation")]], x[[1, col("lex_donation")]]);
    }

    #[test]
    fn token_log_odds_are_summarised_per_block() {
        let odds: TokenOdds = [("a:story", 1.5), ("s:menu", -1.0), ("s:nav", -2.0)]
            .into_iter()
            .map(|(t, v)| (t.to_string(), v))
            .collect();
        let space = FeatureSpace::new(Vec::new(), &odds);
        let (_, page) = segment_html(
            "<body><div class='story'><p class='nav menu'>a b</p><p class='x'>c d</p></div>\
             <p class='unknown'>e f</p></body>",
        );
        let x = space.extract(&page);
        let names = space.names();
        let at = |row: usize, n: &str| x[[row, names.iter().position(|m| m == n).unwrap()]];
        assert_eq!(at(0, "tok_own_max"), -1.0);
        assert_eq!(at(0, "tok_own_min"), -2.0);
        assert_eq!(at(0, "tok_own_mean"), -1.5);
        assert_eq!(at(0, "tok_own_known"), 1.0);
        assert_eq!(at(0, "tok_anc_mean"), 1.5);
        assert_eq!(at(0, "tok_near_mean"), 1.5);
        // No known token says nothing: the prior's log-odds, 0.
        assert_eq!(at(1, "tok_own_known"), 0.0);
        assert_eq!(at(1, "tok_own_mean"), 0.0);
        assert_eq!(at(1, "tok_anc_max"), 1.5);
        assert_eq!(at(2, "tok_anc_mean"), 0.0);
    }

    #[test]
    fn contrasts_set_an_appeal_apart_from_the_prose_around_it() {
        let report = "<p>The council voted on Tuesday to close the old bridge to lorries \
                      while engineers inspect its piers over the winter months.</p>";
        let appeal = "<p>We need you: our reporting is free to read because readers like \
                      you support us every month.</p>";
        let (_, page) = segment_html(&format!("<body>{report}{appeal}{report}</body>"));
        let space = FeatureSpace::new(Vec::new(), &TokenOdds::new());
        let x = space.extract(&page);
        let names = space.names();
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        for name in ["address_contrast", "appeal_contrast"] {
            assert!(x[[1, col(name)]] > 0.05, "{name}");
            assert!(x[[0, col(name)]] < 0.0, "{name}");
        }
        // The outlet ("we") asks the reader ("you") for support: all three pairs are there.
        for name in ["we_and_you", "we_and_appeal", "you_and_appeal"] {
            assert!(x[[1, col(name)]] > 0.05, "{name}");
            assert_eq!(x[[0, col(name)]], 0.0, "{name}");
        }
        // On a page that is all appeal, no paragraph stands out.
        let (_, page) = segment_html(&format!("<body>{appeal}{appeal}</body>"));
        let x = space.extract(&page);
        assert!(x[[0, col("address_contrast")]].abs() < 1e-12);
        assert!(x[[0, col("appeal_contrast")]].abs() < 1e-12);
    }

    #[test]
    fn products_are_named_for_their_factors_and_equal_their_product() {
        let (_, page) = segment_html(
            "<body><article><p>The council met on Tuesday and voted on the bridge.</p>\
             <p>We need you: please support our journalism with a donation today.</p>\
             </article><nav><a href='/'>Home</a></nav></body>",
        );
        let space = FeatureSpace::new(Vec::new(), &TokenOdds::new());
        let x = space.extract(&page);
        let names = space.names();
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        assert_eq!(PRODUCT_NAMES.len(), 48);
        for name in PRODUCT_NAMES {
            let (a, b) = name.split_once('*').unwrap();
            for i in 0..page.blocks.len() {
                assert_eq!(x[[i, col(name)]], x[[i, col(a)]] * x[[i, col(b)]], "{name}");
            }
        }
        // The appeal in the article's paragraph lights its product up; the report does not.
        assert!(x[[1, col("we_and_appeal*tag_p")]] > 0.0);
        assert_eq!(x[[0, col("we_and_appeal*tag_p")]], 0.0);
    }

    #[test]
    fn questions_and_exclamations_are_shares_of_the_sentence_ends() {
        // The second block is not ASCII: both scans must count alike.
        let (_, page) = segment_html(
            "<body><p>Enjoying ad-free content? Support us. Thank you!</p>\
             <p>¿Te gusta leernos? ¡Apóyanos hoy!</p>\
             <p>Der Gemeinderat tagte am Dienstag.</p></body>",
        );
        let space = FeatureSpace::new(Vec::new(), &TokenOdds::new());
        let x = space.extract(&page);
        let names = space.names();
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        let (q, e) = (col("question_share"), col("exclaim_share"));
        assert!((x[[0, q]] - 1.0 / 3.0).abs() < 1e-12);
        assert!((x[[0, e]] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!((x[[1, q]], x[[1, e]]), (0.5, 0.5));
        assert_eq!((x[[2, q]], x[[2, e]]), (0.0, 0.0));
    }

    #[test]
    fn a_telling_name_counts_on_a_small_box_but_not_on_a_whole_article() {
        let story = "The council met on Tuesday and voted on the new bridge. ".repeat(20);
        let (_, page) = segment_html(&format!(
            "<body><div class='paywall-content'><p>{story}</p>\
             <div class='newsletter'><p>Get our letter every Friday.</p></div>\
             <p>{story}</p></div></body>"
        ));
        let space = FeatureSpace::new(Vec::new(), &TokenOdds::new());
        let x = space.extract(&page);
        let names = space.names();
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        assert_eq!(page.blocks.len(), 3);
        // Every block sits in the paywall-named body; only the sign-up box is small.
        for i in 0..3 {
            assert_eq!(x[[i, col("a_paywall")]], 1.0);
            assert_eq!(x[[i, col("box_paywall")]], 0.0);
        }
        assert_eq!(x[[1, col("box_newsletter")]], 1.0);
        assert_eq!(x[[0, col("box_newsletter")]], 0.0);
    }

    #[test]
    fn repeated_texts_are_counted_and_the_later_copies_marked() {
        let (_, page) = segment_html(
            "<body><nav><a href='/'>Home</a></nav><p>The story itself.</p>\
             <footer><a href='/'>Home</a></footer></body>",
        );
        let space = FeatureSpace::new(Vec::new(), &TokenOdds::new());
        let x = space.extract(&page);
        let names = space.names();
        let col = |n: &str| names.iter().position(|m| m == n).unwrap();
        let copies: Vec<f64> = (0..3).map(|i| x[[i, col("text_log_copies")]]).collect();
        assert_eq!(copies, [2f64.ln(), 0.0, 2f64.ln()]);
        let seen: Vec<f64> = (0..3).map(|i| x[[i, col("text_seen_before")]]).collect();
        assert_eq!(seen, [0.0, 0.0, 1.0]);
    }

    #[test]
    fn stacked_means_read_the_other_blocks_of_a_path_and_a_class() {
        let (_, page) = segment_html(
            "<body><ul><li class='card'>one</li><li class='card'>two</li>\
             <li class='card'>three</li></ul><p>alone</p></body>",
        );
        let x = stack_features(&page, &[0.2, 0.4, 0.9, 0.7]);
        let col = |n: &str| StackFeatures::NAMES.iter().position(|m| *m == n).unwrap();
        // The other cards' word-weighted mean (one word each).
        assert!((x[[0, col("stack_tagpath_mean")]] - 0.65).abs() < 1e-12);
        assert!((x[[2, col("stack_class_mean")]] - 0.3).abs() < 1e-12);
        // A block alone on its path, without class tokens, reads its own probability.
        assert_eq!(x[[3, col("stack_tagpath_mean")]], 0.7);
        assert_eq!(x[[3, col("stack_class_mean")]], 0.7);
        assert_eq!(x[[1, col("stack_page_max")]], 0.9);
    }

    /// Removes `data-label="…"` and `data-kind="…"` attributes from HTML text.
    fn strip_label_attrs(html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(pos) = rest.find(" data-") {
            let after = &rest[pos + 1..];
            let name_end = after.find('=').unwrap_or(0);
            let name = &after[..name_end];
            if name == crate::segment::LABEL_ATTR || name == crate::segment::KIND_ATTR {
                out.push_str(&rest[..pos]);
                let value = &after[name_end + 1..];
                let quote = value.chars().next().unwrap();
                let close = value[1..].find(quote).unwrap() + 2;
                rest = &value[close..];
            } else {
                out.push_str(&rest[..pos + 1]);
                rest = &rest[pos + 1..];
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn features_never_see_the_label_attributes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data");
        let space = FeatureSpace::new(
            vec!["s:content".into(), "a:article".into()],
            &TokenOdds::new(),
        );
        let mut pages = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("html") {
                continue;
            }
            let html = std::fs::read_to_string(&path).unwrap();
            let stripped = strip_label_attrs(&html);
            assert!(!stripped.contains("data-label="), "{}", path.display());
            let (_, a) = segment_html(&html);
            let (_, b) = segment_html(&stripped);
            assert_eq!(space.extract(&a), space.extract(&b), "{}", path.display());
            pages += 1;
        }
        assert!(pages >= 20);
    }
}
