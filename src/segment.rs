//! Segmentation: one pass over the parsed DOM that cuts the page into text blocks.
//!
//! A block is a run of inline content inside a block-level element (`p`, `div`, `li`, `td`,
//! headings, ...). A block-level element whose text is interrupted by a nested block-level
//! element yields several runs, so blocks stay in document order. Every block-level element
//! that holds a block, directly or below, is recorded as a [`Container`] with the structural
//! facts that features need (tag, class/id tokens, semantic flags, subtree aggregates).
//!
//! The walk is iterative (`ego_tree`'s traversal), so absurdly deep pages cannot overflow the
//! stack. `<noscript>` content, which the parser keeps as raw text, is parsed as HTML and its
//! blocks are flagged; hidden elements become flagged blocks instead of vanishing.

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use html5ever::LocalName;
use scraper::{Html, Node};

/// Attribute that marks hand-labelled training pages. Features never read it.
pub const LABEL_ATTR: &str = "data-label";
/// Attribute that names the kind of a labelled boilerplate element.
pub const KIND_ATTR: &str = "data-kind";

/// Bit flags describing where a container sits (inherited from its ancestors).
pub mod flags {
    /// Hidden by `hidden`, `aria-hidden="true"` or inline `display:none`/`visibility:hidden`.
    pub const HIDDEN: u32 = 1 << 0;
    /// Inside `<noscript>`.
    pub const NOSCRIPT: u32 = 1 << 1;
    /// Inside `<article>`.
    pub const ARTICLE: u32 = 1 << 2;
    /// Inside `<main>` or `role="main"`.
    pub const MAIN: u32 = 1 << 3;
    /// Inside `<nav>` or `role="navigation"`.
    pub const NAV: u32 = 1 << 4;
    /// Inside `<header>` or `role="banner"`.
    pub const HEADER: u32 = 1 << 5;
    /// Inside `<footer>` or `role="contentinfo"`.
    pub const FOOTER: u32 = 1 << 6;
    /// Inside `<aside>` or `role="complementary"`.
    pub const ASIDE: u32 = 1 << 7;
    /// Inside `<form>`.
    pub const FORM: u32 = 1 << 8;
    /// Inside an element with `itemprop="articleBody"`.
    pub const ARTICLE_BODY: u32 = 1 << 9;
    /// Inside a list item.
    pub const LIST: u32 = 1 << 10;
    /// Inside a table.
    pub const TABLE: u32 = 1 << 11;
    /// Inside `<dialog>` or `role="dialog"`/`"alertdialog"`.
    pub const DIALOG: u32 = 1 << 12;
    /// Inside `<figure>`.
    pub const FIGURE: u32 = 1 << 13;
    /// Inside `<blockquote>`.
    pub const QUOTE: u32 = 1 << 14;
}

/// A hand label read from [`LABEL_ATTR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Article content.
    Content,
    /// Everything else.
    Boilerplate,
}

/// A block-level element that holds at least one block in its subtree.
#[derive(Debug, Clone)]
pub struct Container {
    /// Lowercase tag name.
    pub tag: LocalName,
    /// Index of the enclosing container, `None` for the outermost one.
    pub parent: Option<usize>,
    /// Number of containers above this one.
    pub depth: u32,
    /// 1-based position among sibling containers of the same tag (for the locator).
    pub nth_of_type: u32,
    /// Index of its tag path (the tag names from the root down to it) among the page's
    /// distinct tag paths, `0..Page::tag_paths`: blocks that share one are the repeated
    /// parts of a template (menu items, cards, comments).
    pub path: usize,
    /// Index in [`Page::token_lists`] of the lowercased tokens of its class, id, role,
    /// aria-label and itemprop (see [`Page::tokens`]).
    pub tokens: usize,
    /// [`flags`] of this element and its ancestors.
    pub flags: u32,
    /// Node in the main document tree; `None` inside parsed `<noscript>` content.
    pub node: Option<NodeId>,
    /// Hand label inherited from the nearest labelled ancestor-or-self.
    pub label: Option<Label>,
    /// Hand-labelled kind inherited from the nearest ancestor-or-self that names one.
    pub kind: Option<String>,
    /// Words of all blocks in its subtree.
    pub words: u32,
    /// Words inside links in its subtree.
    pub link_words: u32,
    /// Blocks in its subtree.
    pub blocks: u32,
    /// Index one past the last container of its subtree (containers are in preorder).
    pub subtree_end: usize,
}

/// A run of text: the unit that is classified.
#[derive(Debug, Clone)]
pub struct Block {
    /// Whitespace-normalised text.
    pub text: String,
    /// Index of the block-level element holding the run.
    pub container: usize,
    /// 0-based index of this run within its container.
    pub run: u32,
    /// `\w+` tokens in the text.
    pub words: u32,
    /// Characters of the text.
    pub chars: u32,
    /// Words inside `<a href>`.
    pub link_words: u32,
    /// Number of links.
    pub links: u32,
    /// Where its links lead: each target's path and query, lowercased, with punctuation as
    /// spaces, one per line ("/donate/?utm_source=x" → " donate  utm source x"). A call to
    /// action names its goal in the address even when its words do not.
    pub link_targets: String,
    /// Words inside buttons, labels, selects and text areas.
    pub control_words: u32,
    /// Number of `<input>`, `<button>`, `<select>` and `<textarea>` elements.
    pub controls: u32,
    /// Words inside hidden inline elements.
    pub hidden_words: u32,
    /// Tokens of class/id/role/aria-label/itemprop of the inline elements in the run.
    pub inline_tokens: Tokens,
    /// Top-level nodes of the run in the main tree (children of the container's node), as a
    /// range of [`Page::run_nodes`] (see [`Page::block_nodes`]).
    pub nodes: std::ops::Range<usize>,
    /// Character offset of the block's start within the page text.
    pub offset: u32,
    /// Hand label carried by most of the block's words (see [`LABEL_ATTR`]).
    pub label: Option<Label>,
    /// Hand-labelled kind carried by most of the block's words (see [`KIND_ATTR`]).
    pub kind: Option<String>,
}

impl Block {
    /// Share of the block's words that sit inside links.
    pub fn link_density(&self) -> f64 {
        if self.words == 0 {
            0.0
        } else {
            f64::from(self.link_words) / f64::from(self.words)
        }
    }
}

/// A segmented page: its blocks in document order and their containers.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Blocks in document order.
    pub blocks: Vec<Block>,
    /// Block-level elements, in preorder; a parent always precedes its children.
    pub containers: Vec<Container>,
    /// The site's name, lowercased, from `og:site_name` or the title's last part.
    pub site_name: Option<String>,
    /// All blocks' run nodes, block after block: one list for the page rather than one per
    /// block.
    pub run_nodes: Vec<NodeId>,
    /// The distinct token lists of the containers, each once: pages repeat the same class
    /// lists on many elements, and whatever is derived from a list is derived once.
    pub token_lists: Vec<Tokens>,
    /// Number of distinct tag paths (see [`Container::path`]).
    pub tag_paths: usize,
}

impl Page {
    /// A container's class/id/role/aria-label/itemprop tokens.
    pub fn tokens(&self, container: usize) -> &Tokens {
        &self.token_lists[self.containers[container].tokens]
    }

    /// The top-level nodes of a block's run in the main tree.
    pub fn block_nodes(&self, block: usize) -> &[NodeId] {
        self.blocks
            .get(block)
            .and_then(|b| self.run_nodes.get(b.nodes.clone()))
            .unwrap_or(&[])
    }

    /// Iterates over the containers above `container`, nearest first, itself included.
    pub fn ancestry(&self, container: usize) -> impl Iterator<Item = &Container> + '_ {
        let mut next = Some(container);
        std::iter::from_fn(move || {
            let i = next?;
            let c = &self.containers[i];
            next = c.parent;
            Some(c)
        })
    }

    /// A CSS-like path to the block's element through block-level elements, with `::text(n)`
    /// when the element holds more than one run. Stable for the same input.
    pub fn locator(&self, block: usize) -> String {
        let b = &self.blocks[block];
        let mut parts: Vec<String> = self
            .ancestry(b.container)
            .map(|c| {
                if c.nth_of_type > 1 {
                    format!("{}:nth-of-type({})", c.tag, c.nth_of_type)
                } else {
                    c.tag.to_string()
                }
            })
            .collect();
        parts.reverse();
        let mut path = parts.join(">");
        if b.run > 0 {
            path.push_str(&format!("::text({})", b.run + 1));
        }
        path
    }

    /// The hand label of a block, from [`LABEL_ATTR`]; unlabelled blocks are boilerplate.
    pub fn hand_label(&self, block: usize) -> bool {
        self.blocks[block].label == Some(Label::Content)
    }

    /// The hand-labelled kind of a block, if any.
    pub fn hand_kind(&self, block: usize) -> Option<&str> {
        self.blocks[block].kind.as_deref()
    }
}

/// Elements whose content is never page text.
fn is_skipped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "head"
            | "object"
            | "embed"
            | "canvas"
            | "audio"
            | "video"
            | "map"
    )
}

/// Elements that start a block of their own.
pub fn is_block_level(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "noscript"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Inline elements that browsers render apart from their neighbours.
fn separates_words(tag: &str) -> bool {
    matches!(
        tag,
        "br" | "img" | "input" | "button" | "select" | "textarea" | "option" | "label" | "wbr"
    )
}

fn is_control(tag: &str) -> bool {
    matches!(
        tag,
        "button" | "label" | "select" | "option" | "textarea" | "input"
    )
}

/// What the walk asks of a tag name, worked out once per distinct name on a page: an
/// element's name is an interned atom, cheaper to look up than to match as a string
/// against the tag lists above several times per element.
#[derive(Clone, Copy)]
struct TagInfo {
    skipped: bool,
    block: bool,
    separates: bool,
    control: bool,
    form_control: bool,
    anchor: bool,
}

impl TagInfo {
    fn of(tag: &str) -> Self {
        TagInfo {
            skipped: is_skipped(tag),
            block: is_block_level(tag),
            separates: separates_words(tag),
            control: is_control(tag),
            form_control: matches!(tag, "input" | "button" | "select" | "textarea"),
            anchor: tag == "a",
        }
    }
}

/// Lowercased class/id tokens, kept space-separated in one string: one allocation per
/// element instead of one per token (pages carry thousands of class names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    text: String,
    len: usize,
}

impl Tokens {
    /// The tokens, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.text.split(' ').filter(|t| !t.is_empty())
    }

    fn clear(&mut self) {
        self.text.clear();
        self.len = 0;
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a token (which must hold no space).
    pub fn push(&mut self, token: &str) {
        self.begin();
        self.text.push_str(token);
        self.len += 1;
    }

    /// Appends all of `other`'s tokens.
    fn append(&mut self, other: &Tokens) {
        if other.len > 0 {
            self.begin();
            self.text.push_str(&other.text);
            self.len += other.len;
        }
    }

    /// All tokens as one space-separated string: equal strings, equal tokens.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn push_ascii_lowercase(&mut self, token: &str) {
        let start = self.begin();
        self.text.push_str(token);
        self.text[start..].make_ascii_lowercase();
        self.len += 1;
    }

    fn last(&self) -> Option<&str> {
        if self.len == 0 {
            None
        } else {
            self.text.rsplit(' ').next()
        }
    }

    /// Starts a token in place; returns where its text begins.
    fn begin(&mut self) -> usize {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.len()
    }

    /// Keeps the token written since `start` if `keep`, else removes it and its separator.
    fn end(&mut self, start: usize, keep: bool) {
        if keep {
            self.len += 1;
        } else {
            // `begin` put a separator before every token but the first.
            self.text.truncate(start.saturating_sub(1));
        }
    }
}

/// Splits a class/id value into lowercase tokens: the whole name plus its parts split on
/// `-`, `_`, spaces and camelCase, so `articleBody__text` gives `articlebody__text`,
/// `article`, `body` and `text`.
pub fn split_name_tokens(value: &str, out: &mut Tokens) {
    // Each name yields its parts and itself: about twice its length.
    out.text.reserve(2 * value.len() + 2);
    for name in value.split_ascii_whitespace() {
        if name.len() > 64 {
            continue;
        }
        if name.is_ascii() {
            split_ascii_name(name, out);
        } else {
            split_unicode_name(name, out);
        }
    }
}

fn is_name_separator(c: char) -> bool {
    matches!(c, '-' | '_' | ':' | '.' | '/')
}

/// [`split_name_tokens`] for one ASCII name (nearly all of them): parts are found by byte
/// and copied as slices.
fn split_ascii_name(name: &str, out: &mut Tokens) {
    let bytes = name.as_bytes();
    let before = out.len();
    // A part is kept when it has two characters or more and not only digits.
    let push_part = |out: &mut Tokens, from: usize, to: usize| {
        let part = &bytes[from..to];
        if part.len() >= 2 && !part.iter().all(u8::is_ascii_digit) {
            out.push_ascii_lowercase(&name[from..to]);
        }
    };
    let mut from = 0;
    let mut prev_lower = false;
    for (i, &b) in bytes.iter().enumerate() {
        if is_name_separator(char::from(b)) {
            push_part(out, from, i);
            from = i + 1;
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower {
            push_part(out, from, i);
            from = i;
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    push_part(out, from, bytes.len());
    let parts = out.len() - before;
    // Tokens are lowercase, so a case-insensitive match is a match with the lowercased name.
    let same_as_part = parts == 1 && out.last().is_some_and(|l| l.eq_ignore_ascii_case(name));
    if name.len() >= 2 && !same_as_part {
        out.push_ascii_lowercase(name);
    }
}

/// [`split_name_tokens`] for one name with non-ASCII characters.
fn split_unicode_name(name: &str, out: &mut Tokens) {
    let before = out.len();
    let mut part: Option<usize> = None;
    let mut prev_lower = false;
    let close = |out: &mut Tokens, part: &mut Option<usize>| {
        if let Some(start) = part.take() {
            let t = &out.text[start..];
            let keep = t.chars().nth(1).is_some() && !t.chars().all(|c| c.is_ascii_digit());
            out.end(start, keep);
        }
    };
    for c in name.chars() {
        if is_name_separator(c) {
            close(out, &mut part);
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            close(out, &mut part);
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        if part.is_none() {
            part = Some(out.begin());
        }
        out.text.extend(c.to_lowercase());
    }
    close(out, &mut part);
    let parts = out.len() - before;
    let whole = || name.chars().flat_map(char::to_lowercase);
    let long_enough = whole().nth(1).is_some();
    let same_as_part = parts == 1 && out.last().is_some_and(|last| last.chars().eq(whole()));
    if long_enough && !same_as_part {
        let start = out.begin();
        out.text.extend(whole());
        out.end(start, true);
    }
}

/// The attributes segmentation reads, gathered in one pass over an element's attributes
/// (a lookup by name costs an atom conversion and a scan each time).
#[derive(Default)]
struct Attrs<'a> {
    class: Option<&'a str>,
    id: Option<&'a str>,
    role: Option<&'a str>,
    itemprop: Option<&'a str>,
    aria_label: Option<&'a str>,
    aria_hidden: Option<&'a str>,
    style: Option<&'a str>,
    label: Option<&'a str>,
    kind: Option<&'a str>,
    href: Option<&'a str>,
    hidden: bool,
}

impl<'a> Attrs<'a> {
    fn of(el: &'a scraper::node::Element) -> Self {
        let mut a = Attrs::default();
        for (name, value) in el.attrs() {
            match name {
                "class" => a.class = Some(value),
                "id" => a.id = Some(value),
                "role" => a.role = Some(value),
                "itemprop" => a.itemprop = Some(value),
                "aria-label" => a.aria_label = Some(value),
                "aria-hidden" => a.aria_hidden = Some(value),
                "style" => a.style = Some(value),
                "href" => a.href = Some(value),
                "hidden" => a.hidden = true,
                LABEL_ATTR => a.label = Some(value),
                KIND_ATTR => a.kind = Some(value),
                _ => {}
            }
        }
        a
    }

    fn tokens(&self, out: &mut Tokens, cache: &mut TokenCache) {
        if let Some(v) = self.class {
            cache.split(v, out);
        }
        // An id is unique to its element: caching its split would only cost.
        if let Some(v) = self.id {
            split_name_tokens(v, out);
        }
        for v in [self.role, self.itemprop].into_iter().flatten() {
            cache.split(v, out);
        }
        if let Some(v) = self.aria_label {
            for w in crate::tokens::words(v).take(6) {
                let start = out.begin();
                out.text.extend(w.chars().flat_map(char::to_lowercase));
                out.end(start, true);
            }
        }
    }

    fn flags(&self, tag: &str) -> u32 {
        let mut f = match tag {
            "article" => flags::ARTICLE,
            "main" => flags::MAIN,
            "nav" => flags::NAV,
            "header" => flags::HEADER,
            "footer" => flags::FOOTER,
            "aside" => flags::ASIDE,
            "form" => flags::FORM,
            "li" | "dd" | "dt" => flags::LIST,
            "table" => flags::TABLE,
            "dialog" => flags::DIALOG,
            "figure" => flags::FIGURE,
            "blockquote" => flags::QUOTE,
            "noscript" => flags::NOSCRIPT,
            _ => 0,
        };
        if let Some(role) = self.role {
            f |= match role.trim().to_ascii_lowercase().as_str() {
                "main" => flags::MAIN,
                "navigation" | "menu" | "menubar" => flags::NAV,
                "banner" => flags::HEADER,
                "contentinfo" => flags::FOOTER,
                "complementary" => flags::ASIDE,
                "dialog" | "alertdialog" => flags::DIALOG,
                "article" => flags::ARTICLE,
                _ => 0,
            };
        }
        if self
            .itemprop
            .is_some_and(|v| v.split_ascii_whitespace().any(|p| p == "articleBody"))
        {
            f |= flags::ARTICLE_BODY;
        }
        if self.is_hidden() {
            f |= flags::HIDDEN;
        }
        f
    }

    fn is_hidden(&self) -> bool {
        if self.hidden {
            return true;
        }
        if self
            .aria_hidden
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        {
            return true;
        }
        if let Some(style) = self.style {
            // Most styles hide nothing: look for the values before normalising.
            let mentions = |word: &[u8]| {
                style
                    .as_bytes()
                    .windows(word.len())
                    .any(|w| w.eq_ignore_ascii_case(word))
            };
            if !mentions(b"none") && !mentions(b"hidden") {
                return false;
            }
            let compact: String = style
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect();
            return compact.contains("display:none") || compact.contains("visibility:hidden");
        }
        false
    }

    fn label(&self) -> Option<Label> {
        match self.label?.trim() {
            "content" => Some(Label::Content),
            "boilerplate" => Some(Label::Boilerplate),
            _ => None,
        }
    }

    fn kind(&self) -> Option<String> {
        self.kind.map(|k| k.trim().to_string())
    }

    fn has_label(&self) -> bool {
        self.label.is_some() || self.kind.is_some()
    }
}

/// Split attribute values seen on this page: a page repeats the same class lists on many
/// elements (cards, list items, menus), and copying tokens costs less than splitting.
#[derive(Default)]
struct TokenCache {
    split: rustc_hash::FxHashMap<Box<str>, Tokens>,
}

impl TokenCache {
    /// Bounds the cache on pages that never repeat a value.
    const MAX_ENTRIES: usize = 4096;

    fn split(&mut self, value: &str, out: &mut Tokens) {
        if let Some(tokens) = self.split.get(value) {
            out.append(tokens);
            return;
        }
        let mut tokens = Tokens::default();
        split_name_tokens(value, &mut tokens);
        out.append(&tokens);
        if self.split.len() < Self::MAX_ENTRIES {
            self.split.insert(value.into(), tokens);
        }
    }
}

/// What an open inline element added to the nesting state, undone when it closes.
#[derive(Clone, Copy)]
struct InlineOpen {
    link: bool,
    control: bool,
    hidden: bool,
    labelled: bool,
}

/// The run being accumulated for the innermost open container.
#[derive(Default)]
struct Run {
    text: String,
    pending_space: bool,
    /// Words of `text`, counted as nodes are appended.
    words: u32,
    link_words: u32,
    links: u32,
    link_targets: String,
    control_words: u32,
    controls: u32,
    hidden_words: u32,
    inline_tokens: Tokens,
    /// Words per (label, kind) they were written under, for the run's majority label; words
    /// under no label at all (every word of an unlabelled page) are counted apart, without
    /// an allocation per run.
    labelled_words: Vec<(Option<Label>, Option<String>, u32)>,
    unlabelled_words: u32,
    /// Where the unlabelled count stands among `labelled_words` in first-seen order.
    unlabelled_at: Option<usize>,
}

impl Run {
    /// The (label, kind) most of the run's words were written under; the latest seen wins a
    /// tie.
    fn majority_label(&mut self) -> (Option<Label>, Option<String>) {
        let entries = std::mem::take(&mut self.labelled_words);
        let n = entries.len();
        let mut best: Option<(Option<Label>, Option<String>, u32)> = None;
        let mut consider = |e: (Option<Label>, Option<String>, u32)| {
            if best.as_ref().is_none_or(|b| e.2 >= b.2) {
                best = Some(e);
            }
        };
        for (i, e) in entries.into_iter().enumerate() {
            if self.unlabelled_at == Some(i) {
                consider((None, None, self.unlabelled_words));
            }
            consider(e);
        }
        if self.unlabelled_at == Some(n) {
            consider((None, None, self.unlabelled_words));
        }
        best.map(|(l, k, _)| (l, k)).unwrap_or((None, None))
    }
}

struct Frame {
    container: usize,
    /// Main-tree node of the container, to recognise its direct children.
    node: Option<NodeId>,
    run: Run,
    runs: u32,
    /// The open inline element that is a direct child of the container, if any.
    open_top: Option<NodeId>,
    /// Whether a block-level element opened inside `open_top`: it then spans several runs,
    /// and its text nodes, not itself, belong to each run.
    top_split: bool,
}

/// Appends the path and query of `href` to `out` as [`Block::link_targets`] holds them.
fn push_link_target(out: &mut String, href: &str) {
    // The host is the site's own name, or a share or ad server's: the path says what for.
    let path = match href.find("://") {
        Some(i) => href[i + 3..].find('/').map_or("", |j| &href[i + 3 + j..]),
        None => href,
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out.extend(path.chars().take(200).map(|c| {
        if c.is_alphanumeric() {
            c.to_lowercase().next().unwrap_or(c)
        } else {
            ' '
        }
    }));
}

/// Inline state that nests: how many open links, controls, hidden elements enclose the text.
#[derive(Default, Clone, Copy)]
struct InlineDepth {
    link: u32,
    control: u32,
    hidden: u32,
}

struct Segmenter {
    page: Page,
    frames: Vec<Frame>,
    inline: InlineDepth,
    /// Labels of open inline elements that carry [`LABEL_ATTR`] or [`KIND_ATTR`].
    inline_labels: Vec<(Option<Label>, Option<String>)>,
    /// One entry per open inline element, in nesting order.
    open_inlines: Vec<InlineOpen>,
    tokens: TokenCache,
    offset: u32,
    /// Where the innermost frame's current run starts in [`Page::run_nodes`]: only the
    /// innermost frame ever has a run under way (opening a child flushes its parent's).
    run_start: usize,
    /// Text nodes seen inside the innermost frame's `open_top` before it was split.
    top_texts: Vec<NodeId>,
    /// Child containers counted by (parent, tag), for nth-of-type.
    nth_counts: rustc_hash::FxHashMap<(usize, LocalName), u32>,
    /// Emptied run-text buffers of closed frames: a run's text grows piece by piece, and a
    /// buffer that has grown before saves the reallocations.
    text_buffers: Vec<String>,
    scratch_tokens: Tokens,
    /// Index of each distinct token list in [`Page::token_lists`].
    token_list_of: rustc_hash::FxHashMap<Box<str>, usize>,
    /// Each container's tag path, hashed, for its children's.
    path_hashes: Vec<u64>,
    /// Index of each distinct tag path hash (see [`Container::path`]).
    path_of: rustc_hash::FxHashMap<u64, usize>,
    tag_info: rustc_hash::FxHashMap<LocalName, TagInfo>,
}

/// Segments a parsed document into blocks.
pub fn segment(doc: &Html) -> Page {
    let mut s = Segmenter {
        page: Page::default(),
        frames: Vec::new(),
        inline: InlineDepth::default(),
        inline_labels: Vec::new(),
        open_inlines: Vec::new(),
        tokens: TokenCache::default(),
        offset: 0,
        run_start: 0,
        top_texts: Vec::new(),
        nth_counts: rustc_hash::FxHashMap::default(),
        text_buffers: Vec::new(),
        scratch_tokens: Tokens::default(),
        token_list_of: rustc_hash::FxHashMap::default(),
        path_hashes: Vec::new(),
        path_of: rustc_hash::FxHashMap::default(),
        tag_info: rustc_hash::FxHashMap::default(),
    };
    s.walk(doc.tree.root(), true, 0);
    let mut page = s.finish();
    page.site_name = site_name(doc);
    page
}

/// The site's name: `<meta property="og:site_name">`, else the part of the `<title>` after
/// its last separator (`Story headline | Site`). Appeals name their own outlet.
fn site_name(doc: &Html) -> Option<String> {
    let head = doc
        .tree
        .root()
        .children()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "html"))
        .flat_map(|html| html.children())
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "head"))?;
    let mut title = None;
    for node in head.descendants().take(2000) {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if el.name() == "meta" && el.attr("property") == Some("og:site_name") {
            if let Some(name) = el.attr("content").map(str::trim).filter(|n| !n.is_empty()) {
                return usable_site_name(name);
            }
        }
        if el.name() == "title" && title.is_none() {
            title = Some(
                node.children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect::<String>(),
            );
        }
    }
    let title = title?;
    let last = [" | ", " - ", " — ", " – ", " :: ", " · ", " « ", " » "]
        .iter()
        .filter_map(|sep| title.rfind(sep).map(|i| (i, sep.len())))
        .max_by_key(|(i, _)| *i)
        .map(|(i, len)| &title[i + len..])?;
    usable_site_name(last)
}

fn usable_site_name(name: &str) -> Option<String> {
    let name = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let n = name.chars().count();
    (3..=60).contains(&n).then_some(name)
}

/// Parses `html` and segments it.
pub fn segment_html(html: &str) -> (Html, Page) {
    let doc = Html::parse_document(html);
    let page = segment(&doc);
    (doc, page)
}

impl Segmenter {
    /// Walks the subtree under `root` (exclusive of `root` itself when it is not an element).
    /// `main_tree` is false for parsed `<noscript>` fragments, whose nodes cannot be edited.
    fn walk(&mut self, root: NodeRef<'_, Node>, main_tree: bool, noscript_depth: u32) {
        let mut skipping: Option<NodeId> = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(node) => {
                    if skipping.is_some() {
                        continue;
                    }
                    match node.value() {
                        Node::Text(t) => self.text(node, t, main_tree),
                        Node::Element(el) => {
                            let tag = el.name();
                            let info = self.tag_info(el);
                            if info.skipped {
                                skipping = Some(node.id());
                                continue;
                            }
                            if !main_tree && tag == "html" {
                                // The fragment parser's wrapper, not page structure.
                                continue;
                            }
                            if info.block {
                                self.open_container(node, el, main_tree);
                                if tag == "noscript" {
                                    skipping = Some(node.id());
                                    if noscript_depth == 0 {
                                        let raw: String = node
                                            .children()
                                            .filter_map(|c| c.value().as_text())
                                            .map(|t| &**t)
                                            .collect();
                                        let frag = Html::parse_fragment(&raw);
                                        self.walk(frag.tree.root(), false, noscript_depth + 1);
                                    }
                                    self.close_container();
                                }
                            } else {
                                self.open_inline(node, el, info, main_tree);
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(node) => {
                    if let Some(id) = skipping {
                        if id == node.id() {
                            skipping = None;
                        }
                        continue;
                    }
                    if let Node::Element(el) = node.value() {
                        if !main_tree && el.name() == "html" {
                            continue;
                        }
                        let info = self.tag_info(el);
                        if info.block {
                            self.close_container();
                        } else {
                            self.close_inline(node, info);
                        }
                    }
                }
            }
        }
    }

    /// Records which nodes make up the current run, so that HTML rendering can remove a
    /// boilerplate run without touching its neighbours: direct children of the container,
    /// or text nodes inside a direct child that also holds block-level elements.
    fn note_child(&mut self, node: NodeRef<'_, Node>, main_tree: bool) {
        if !main_tree {
            return;
        }
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let direct = frame.node.is_some() && node.parent().map(|p| p.id()) == frame.node;
        if direct {
            self.page.run_nodes.push(node.id());
            if node.value().is_element() {
                frame.open_top = Some(node.id());
                frame.top_split = false;
                self.top_texts.clear();
            }
        } else if frame.open_top.is_some() && node.value().is_text() {
            if frame.top_split {
                self.page.run_nodes.push(node.id());
            } else {
                self.top_texts.push(node.id());
            }
        }
    }

    fn text(&mut self, node: NodeRef<'_, Node>, t: &scraper::node::Text, main_tree: bool) {
        if self.frames.is_empty() {
            return;
        }
        self.note_child(node, main_tree);
        // Whitespace between tags, the commonest text node, only separates words.
        if !t.is_empty() && t.bytes().all(|b| matches!(b, b' ' | b'\t'..=b'\r')) {
            if let Some(frame) = self.frames.last_mut() {
                frame.run.pending_space = true;
            }
            return;
        }
        let inline = self.inline;
        let (label, kind) = self.current_label();
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let run = &mut frame.run;
        let start = run.text.len();
        let prev_ends_word = run
            .text
            .chars()
            .next_back()
            .is_some_and(crate::tokens::continues_word);
        // Whitespace runs collapse to one space, written only between words.
        for (k, piece) in t.split(char::is_whitespace).enumerate() {
            if k > 0 {
                run.pending_space = true;
            }
            if !piece.is_empty() {
                if run.pending_space && !run.text.is_empty() {
                    run.text.push(' ');
                }
                run.pending_space = false;
                run.text.push_str(piece);
            }
        }
        // Words added by this node; a word glued to the previous node's last word counts once.
        let appended = &run.text[start..];
        let glued = prev_ends_word
            && appended
                .chars()
                .next()
                .is_some_and(crate::tokens::continues_word);
        let added = (crate::tokens::count_words(appended) - usize::from(glued)) as u32;
        run.words += added;
        if inline.link > 0 {
            run.link_words += added;
        }
        if inline.control > 0 {
            run.control_words += added;
        }
        if inline.hidden > 0 {
            run.hidden_words += added;
        }
        if added > 0 && label.is_none() && kind.is_none() {
            run.unlabelled_at.get_or_insert(run.labelled_words.len());
            run.unlabelled_words += added;
        } else if added > 0 {
            match run
                .labelled_words
                .iter_mut()
                .find(|(l, k, _)| *l == label && *k == kind)
            {
                Some(entry) => entry.2 += added,
                None => run.labelled_words.push((label, kind, added)),
            }
        }
    }

    /// The hand label and kind in force at the current position.
    fn current_label(&self) -> (Option<Label>, Option<String>) {
        if let Some(top) = self.inline_labels.last() {
            return top.clone();
        }
        match self.frames.last() {
            Some(f) => {
                let c = &self.page.containers[f.container];
                (c.label, c.kind.clone())
            }
            None => (None, None),
        }
    }

    fn tag_info(&mut self, el: &scraper::node::Element) -> TagInfo {
        if let Some(&info) = self.tag_info.get(&el.name.local) {
            return info;
        }
        let info = TagInfo::of(el.name());
        self.tag_info.insert(el.name.local.clone(), info);
        info
    }

    fn open_inline(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &scraper::node::Element,
        info: TagInfo,
        main_tree: bool,
    ) {
        if self.frames.is_empty() {
            return;
        }
        self.note_child(node, main_tree);
        let attrs = Attrs::of(el);
        let open = InlineOpen {
            link: info.anchor && attrs.href.is_some(),
            control: info.control,
            hidden: attrs.is_hidden(),
            labelled: attrs.has_label(),
        };
        self.open_inlines.push(open);
        if open.link {
            self.inline.link += 1;
            if let Some(f) = self.frames.last_mut() {
                f.run.links += 1;
                push_link_target(&mut f.run.link_targets, attrs.href.unwrap_or_default());
            }
        }
        if open.control {
            self.inline.control += 1;
        }
        if open.hidden {
            self.inline.hidden += 1;
        }
        if open.labelled {
            let (label, kind) = self.current_label();
            self.inline_labels
                .push((attrs.label().or(label), attrs.kind().or(kind)));
        }
        if let Some(f) = self.frames.last_mut() {
            if info.form_control {
                f.run.controls += 1;
            }
            if info.separates {
                f.run.pending_space = true;
            }
            if f.run.inline_tokens.len() < 64 {
                attrs.tokens(&mut f.run.inline_tokens, &mut self.tokens);
            }
        }
    }

    fn close_inline(&mut self, node: NodeRef<'_, Node>, info: TagInfo) {
        if self.frames.is_empty() {
            return;
        }
        if let Some(f) = self.frames.last_mut() {
            if f.open_top == Some(node.id()) {
                f.open_top = None;
                f.top_split = false;
                self.top_texts.clear();
            }
        }
        let Some(open) = self.open_inlines.pop() else {
            return;
        };
        if open.link {
            self.inline.link = self.inline.link.saturating_sub(1);
        }
        if open.control {
            self.inline.control = self.inline.control.saturating_sub(1);
        }
        if open.hidden {
            self.inline.hidden = self.inline.hidden.saturating_sub(1);
        }
        if open.labelled {
            self.inline_labels.pop();
        }
        if let Some(f) = self.frames.last_mut() {
            if info.separates {
                f.run.pending_space = true;
            }
        }
    }

    fn open_container(
        &mut self,
        node: NodeRef<'_, Node>,
        el: &scraper::node::Element,
        main_tree: bool,
    ) {
        if let Some(f) = self.frames.last_mut() {
            if let Some(top) = f.open_top.filter(|_| !f.top_split) {
                // The open inline parent now spans runs: its text nodes stand for it.
                let run = &mut self.page.run_nodes;
                let mut kept = self.run_start;
                for i in self.run_start..run.len() {
                    if run[i] != top {
                        run[kept] = run[i];
                        kept += 1;
                    }
                }
                run.truncate(kept);
                run.append(&mut self.top_texts);
                f.top_split = true;
            }
        }
        self.flush_run();
        let tag = el.name.local.clone();
        let parent_path = self
            .frames
            .last()
            .map_or(0xcbf2_9ce4_8422_2325, |f| self.path_hashes[f.container]);
        let path_hash = tag
            .as_bytes()
            .iter()
            .chain(b">")
            .fold(parent_path, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        self.path_hashes.push(path_hash);
        let next_path = self.path_of.len();
        let path = *self.path_of.entry(path_hash).or_insert(next_path);
        self.page.tag_paths = self.path_of.len();
        let (parent, parent_flags, parent_label, parent_kind, depth, nth) =
            match self.frames.last_mut() {
                Some(f) => {
                    let count = self
                        .nth_counts
                        .entry((f.container, tag.clone()))
                        .or_insert(0);
                    *count += 1;
                    let nth = *count;
                    let p = &self.page.containers[f.container];
                    (
                        Some(f.container),
                        p.flags,
                        p.label,
                        p.kind.clone(),
                        p.depth + 1,
                        nth,
                    )
                }
                None => (None, 0, None, None, 0, 1),
            };
        let attrs = Attrs::of(el);
        // Built in a reused buffer, kept only when this page has not seen the list yet.
        let mut scratch = std::mem::take(&mut self.scratch_tokens);
        scratch.clear();
        attrs.tokens(&mut scratch, &mut self.tokens);
        let tokens = match self.token_list_of.get(scratch.as_str()) {
            Some(&i) => i,
            None => {
                let i = self.page.token_lists.len();
                self.token_list_of.insert(scratch.as_str().into(), i);
                self.page.token_lists.push(scratch.clone());
                i
            }
        };
        self.scratch_tokens = scratch;
        let kind = attrs.kind().or(parent_kind);
        let index = self.page.containers.len();
        self.page.containers.push(Container {
            tag,
            parent,
            depth,
            nth_of_type: nth,
            path,
            tokens,
            flags: parent_flags | attrs.flags(el.name()),
            node: if main_tree { Some(node.id()) } else { None },
            label: attrs.label().or(parent_label),
            kind,
            words: 0,
            link_words: 0,
            blocks: 0,
            subtree_end: index + 1,
        });
        self.frames.push(Frame {
            container: index,
            node: if main_tree { Some(node.id()) } else { None },
            run: Run {
                text: self.text_buffers.pop().unwrap_or_default(),
                ..Run::default()
            },
            runs: 0,
            open_top: None,
            top_split: false,
        });
    }

    fn close_container(&mut self) {
        self.flush_run();
        if let Some(frame) = self.frames.pop() {
            self.text_buffers.push(frame.run.text);
        }
        // A block boundary separates words even inside an inline parent run.
        if let Some(f) = self.frames.last_mut() {
            f.run.pending_space = true;
        }
    }

    fn flush_run(&mut self) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let mut run = std::mem::take(&mut frame.run);
        // The block gets exact copies; the grown buffers stay with the frame.
        let mut buffer = std::mem::take(&mut run.text);
        let text = buffer.as_str().to_owned();
        buffer.clear();
        frame.run.text = buffer;
        let mut inline = std::mem::take(&mut run.inline_tokens);
        let inline_tokens = inline.clone();
        inline.clear();
        frame.run.inline_tokens = inline;
        let nodes = self.run_start..self.page.run_nodes.len();
        if text.is_empty() {
            // Keep the node list empty-run free; nodes with no text need no decision.
            self.page.run_nodes.truncate(nodes.start);
            return;
        }
        self.run_start = nodes.end;
        let words = run.words;
        let chars = text.chars().count() as u32;
        let index = frame.runs;
        frame.runs += 1;
        let offset = self.offset;
        self.offset = self.offset.saturating_add(chars + 1);
        let (label, kind) = run.majority_label();
        self.page.blocks.push(Block {
            container: frame.container,
            run: index,
            words,
            chars,
            link_words: run.link_words.min(words),
            links: run.links,
            link_targets: std::mem::take(&mut run.link_targets),
            control_words: run.control_words.min(words),
            controls: run.controls,
            hidden_words: run.hidden_words.min(words),
            inline_tokens,
            nodes,
            offset,
            label,
            kind,
            text,
        });
    }

    fn finish(mut self) -> Page {
        while !self.frames.is_empty() {
            self.close_container();
        }
        let page = &mut self.page;
        for b in &page.blocks {
            let c = &mut page.containers[b.container];
            c.words += b.words;
            c.link_words += b.link_words;
            c.blocks += 1;
        }
        // Preorder: children follow their parent, so one reverse pass sums subtrees.
        for i in (0..page.containers.len()).rev() {
            if let Some(p) = page.containers[i].parent {
                let (words, link_words, blocks, end) = {
                    let c = &page.containers[i];
                    (c.words, c.link_words, c.blocks, c.subtree_end)
                };
                let parent = &mut page.containers[p];
                parent.words += words;
                parent.link_words += link_words;
                parent.blocks += blocks;
                parent.subtree_end = parent.subtree_end.max(end);
            }
        }
        self.page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<String> {
        let (_, page) = segment_html(html);
        page.blocks.into_iter().map(|b| b.text).collect()
    }

    #[test]
    fn blocks_follow_document_order_and_split_runs() {
        let t = texts(
            "<html><body><div>intro <b>bold</b><p>para one</p>tail text</div>\
             <ul><li>a</li><li>b<br>c</li></ul><script>var x=1;</script></body></html>",
        );
        assert_eq!(t, vec!["intro bold", "para one", "tail text", "a", "b c"]);
    }

    #[test]
    fn words_never_glue_across_blocks() {
        let t = texts("<table><tr><td>one</td><td>two</td></tr></table><p>x<br>y</p>");
        assert_eq!(t, vec!["one", "two", "x y"]);
    }

    #[test]
    fn noscript_is_parsed_and_flagged() {
        let (_, page) =
            segment_html("<body><noscript><div><p>Post text here</p></div></noscript></body>");
        assert_eq!(page.blocks.len(), 1);
        assert_eq!(page.blocks[0].text, "Post text here");
        let c = &page.containers[page.blocks[0].container];
        assert!(c.flags & flags::NOSCRIPT != 0);
        assert!(c.node.is_none());
    }

    #[test]
    fn hidden_elements_become_flagged_blocks() {
        let (_, page) = segment_html(
            "<body><div style='display: none'>secret</div><p aria-hidden=true>x</p><p>seen</p></body>",
        );
        let hidden: Vec<bool> = page
            .blocks
            .iter()
            .map(|b| page.containers[b.container].flags & flags::HIDDEN != 0)
            .collect();
        assert_eq!(hidden, vec![true, true, false]);
    }

    #[test]
    fn link_words_and_locators() {
        let (_, page) = segment_html(
            "<body><div><p>one</p><p>see <a href='/x'>this link</a> now</p></div></body>",
        );
        assert_eq!(page.blocks[1].words, 4);
        assert_eq!(page.blocks[1].link_words, 2);
        assert_eq!(page.locator(1), "html>body>div>p:nth-of-type(2)");
    }

    #[test]
    fn words_split_by_markup_count_once_and_ideographs_count_each() {
        let (_, page) = segment_html(
            "<body><p>lo<b>ng</b> word</p><p>支持<a href='/d'>独立</a>新闻</p><p>ニュー<i>ス</i></p></body>",
        );
        let counts: Vec<(u32, u32)> = page
            .blocks
            .iter()
            .map(|b| (b.words, b.link_words))
            .collect();
        assert_eq!(counts, vec![(2, 0), (6, 2), (1, 0)]);
    }

    #[test]
    fn link_targets_keep_path_and_query_without_the_host() {
        let (_, page) = segment_html(
            "<body><p>Help <a href='https://News.example/Donate/?utm_source=box'>us</a> or \
             <a href='/abo/plus'>subscribe</a></p><p>none</p></body>",
        );
        assert_eq!(
            page.blocks[0].link_targets,
            " donate  utm source box\n abo plus"
        );
        assert_eq!(page.blocks[1].link_targets, "");
    }

    #[test]
    fn labels_are_inherited_nearest_first() {
        let (_, page) = segment_html(
            "<body data-label='boilerplate'><article data-label='content'><p>a</p>\
             <div data-label='boilerplate' data-kind='donation'><p>give</p></div></article><p>c</p></body>",
        );
        let labels: Vec<bool> = (0..page.blocks.len()).map(|i| page.hand_label(i)).collect();
        assert_eq!(labels, vec![true, false, false]);
        assert_eq!(page.hand_kind(1), Some("donation"));
    }

    #[test]
    fn inline_labels_count_by_majority_of_words() {
        let (_, page) = segment_html(
            "<body data-label='content'><p><span data-label='boilerplate' data-kind='other'>By Ann Lee, \
             June 3</span> x</p><p>Long paragraph with many words <a data-label='boilerplate'>link</a></p></body>",
        );
        assert!(!page.hand_label(0));
        assert_eq!(page.hand_kind(0), Some("other"));
        assert!(page.hand_label(1));
    }

    proptest::proptest! {
        /// The byte-wise path for ASCII names splits exactly as the general one does.
        #[test]
        fn ascii_and_unicode_splitting_agree(name in "[a-zA-Z0-9_./:-]{1,70}") {
            let (mut fast, mut general) = (Tokens::default(), Tokens::default());
            split_ascii_name(&name, &mut fast);
            split_unicode_name(&name, &mut general);
            proptest::prop_assert_eq!(&fast, &general);
            proptest::prop_assert_eq!(fast.iter().count(), fast.len());
        }
    }

    #[test]
    fn class_names_split_into_tokens() {
        let mut out = Tokens::default();
        split_name_tokens("articleBody__text nav-main x", &mut out);
        assert_eq!(out.len(), 7);
        assert_eq!(
            out.iter().collect::<Vec<_>>(),
            vec![
                "article",
                "body",
                "text",
                "articlebody__text",
                "nav",
                "main",
                "nav-main"
            ]
        );
    }

    #[test]
    fn site_name_from_og_or_title() {
        let (_, page) = segment_html(
            "<html><head><title>Vote passes | The Estuary Post</title></head><body><p>x</p></body></html>",
        );
        assert_eq!(page.site_name.as_deref(), Some("the estuary post"));
        let (_, page) = segment_html(
            "<html><head><meta property='og:site_name' content='Kestrel'><title>A - B</title></head></html>",
        );
        assert_eq!(page.site_name.as_deref(), Some("kestrel"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let (_, page) = segment_html(&html);
        assert_eq!(page.blocks.len(), 1);
    }
}
