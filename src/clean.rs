//! Cleaning: classify a page's blocks with a model and render what is kept as text, as
//! HTML with boilerplate removed, or as per-block records.

use crate::corpus::{self, Limits};
use crate::error::{Error, Result};
use crate::markdown;
use crate::model::{first_copies, is_appeal, Cutoff, Model, Scores};
use crate::segment::{self, Page};
use ego_tree::NodeId;
use html5ever::serialize::{serialize, SerializeOpts, TraversalScope};
use rustc_hash::FxHashMap;
use scraper::node::Text;
use scraper::{Html, Node};
use serde::Serialize;

/// Cleans pages with one model and threshold.
#[derive(Debug, Clone)]
pub struct Cleaner {
    model: Model,
    cutoff: Cutoff,
    limits: Limits,
    keep: Keep,
    kinds: bool,
    whole_document: bool,
}

/// Which blocks a cleaner keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Keep {
    /// The content only: every kind of boilerplate goes.
    #[default]
    Content,
    /// Everything but appeals and ads ([`crate::model::APPEAL_KINDS`]): the whole page
    /// minus the begging,
    /// for reader apps and archives.
    AllButAppeals,
    /// The content and the boilerplate of these kinds (e.g. `related`, `comments`).
    ContentAnd(Vec<&'static str>),
}

/// A classified page.
pub struct Cleaned {
    /// The parsed document.
    pub doc: Html,
    /// Its blocks.
    pub page: Page,
    /// Probability of content per block.
    pub probabilities: Vec<f64>,
    /// Whether the model calls each block content (probability at or above the page's
    /// cutoff).
    pub content: Vec<bool>,
    /// The kind of each block the model calls boilerplate, when kinds were asked for (see
    /// [`Cleaner::with_kinds`]); `None` for content, or when not computed.
    pub kinds: Vec<Option<&'static str>>,
    /// Whether each block is kept: its content decision, widened by [`Keep`].
    pub keep: Vec<bool>,
    /// Name of the encoding the page was decoded from.
    pub encoding: &'static str,
}

/// One block as reported by `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct BlockRecord<'a> {
    /// Position in document order.
    pub index: usize,
    /// CSS-like path of the block's element.
    pub locator: String,
    /// Tag of the block's element.
    pub tag: &'a str,
    /// `content` or `boilerplate`: the model's decision.
    pub label: &'static str,
    /// For boilerplate, its kind (`donation`, `navigation`, …), when kinds were computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Whether the block is kept in the output.
    pub kept: bool,
    /// Probability of content.
    pub probability: f64,
    /// The index of the earlier content block whose text this one repeats under another
    /// element: a copy is not kept however likely it is content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<usize>,
    /// Hidden by markup.
    pub hidden: bool,
    /// From `<noscript>`.
    pub noscript: bool,
    /// The block's text.
    pub text: &'a str,
}

impl Cleaner {
    /// A cleaner using the model's own cutoff.
    pub fn new(model: Model) -> Self {
        let cutoff = model.cutoff();
        Cleaner {
            model,
            cutoff,
            limits: Limits::default(),
            keep: Keep::Content,
            kinds: false,
            whole_document: false,
        }
    }

    /// Keeps more than the content (see [`Keep`]). Fails when the policy needs kinds and
    /// the model names none.
    pub fn with_keep(mut self, keep: Keep) -> Result<Self> {
        if keep != Keep::Content && !self.model.has_kinds() {
            return Err(Error::ModelInvalid(
                "this model names no kinds of boilerplate (it was trained without hand-labelled \
                 kinds), so it cannot keep or drop blocks by kind"
                    .into(),
            ));
        }
        self.kinds |= keep != Keep::Content;
        self.keep = keep;
        Ok(self)
    }

    /// Also names the kind of every boilerplate block (in [`Cleaned::kinds`] and the block
    /// records), at the cost of one more product per kind and block.
    pub fn with_kinds(mut self, kinds: bool) -> Self {
        self.kinds = kinds || self.keep != Keep::Content;
        self
    }

    /// Parses the whole page. Otherwise the contents of script and style elements and of
    /// inline `<svg>` and `<math>` drawings are skipped before parsing (they hold none of
    /// the text that blocks are made of, and 45 % of the bytes of the WCXB pages; see
    /// [`crate::prescan`]), and [`Cleaned::html`] and [`Cleaned::annotated_html`] write
    /// those elements empty.
    pub fn with_whole_document(mut self, whole: bool) -> Self {
        self.whole_document = whole;
        self
    }

    /// A cleaner with the embedded default model.
    pub fn with_default_model() -> Result<Self> {
        Ok(Cleaner::new(Model::embedded()?))
    }

    /// Overrides the decision threshold (higher: more precision, less recall).
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.cutoff.threshold = threshold;
        self
    }

    /// Overrides the relative threshold: the share of the page's highest probability that
    /// a content block must also reach (0 turns it off; see [`Cutoff`]).
    pub fn with_relative_threshold(mut self, relative: f64) -> Self {
        self.cutoff.relative = relative;
        self
    }

    /// Overrides the input size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The cutoff the cleaner applies: the model's, or its overrides.
    pub fn cutoff(&self) -> Cutoff {
        self.cutoff
    }

    /// Cleans raw page bytes: gzip is inflated, the encoding detected.
    pub fn clean_bytes(&self, bytes: Vec<u8>) -> Result<Cleaned> {
        self.clean_bytes_scored(bytes).map(|(cleaned, _)| cleaned)
    }

    /// Like [`Cleaner::clean_bytes`], also returning the feature matrices behind the
    /// probabilities, for explanations without classifying the page twice.
    pub fn clean_bytes_scored(&self, bytes: Vec<u8>) -> Result<(Cleaned, Scores)> {
        self.clean_bytes_inner(bytes, None)
    }

    /// Like [`Cleaner::clean_bytes`], for a page served with an HTTP `Content-Type`
    /// charset: it ranks after a byte order mark and before `<meta charset>`, as in browsers.
    pub fn clean_bytes_with_charset(
        &self,
        bytes: Vec<u8>,
        charset: Option<&str>,
    ) -> Result<Cleaned> {
        self.clean_bytes_inner(bytes, charset)
            .map(|(cleaned, _)| cleaned)
    }

    fn clean_bytes_inner(
        &self,
        bytes: Vec<u8>,
        charset: Option<&str>,
    ) -> Result<(Cleaned, Scores)> {
        let bytes = corpus::unpack(bytes, &self.limits)?;
        let decoded = corpus::decode_owned_with_hint(bytes, charset)?;
        let (mut cleaned, scores) = self.classify(&decoded.text)?;
        cleaned.encoding = decoded.encoding.name();
        Ok((cleaned, scores))
    }

    /// Cleans a page given as text; fails only when the page exceeds a limit.
    pub fn clean_str(&self, html: &str) -> Result<Cleaned> {
        self.classify(html).map(|(cleaned, _)| cleaned)
    }

    fn classify(&self, html: &str) -> Result<(Cleaned, Scores)> {
        let (doc, page) = if self.whole_document {
            corpus::parse_whole_page(html, &self.limits)?
        } else {
            corpus::parse_page(html, &self.limits)?
        };
        let scores = self.model.score(&page);
        let probabilities = scores.probabilities.clone();
        let content = self.model.decide(&page, &scores, self.cutoff);
        let kinds = if self.kinds {
            self.model.kinds(&page, &scores, &content)
        } else {
            vec![None; content.len()]
        };
        let keep = content
            .iter()
            .zip(&kinds)
            .map(|(&c, k)| match &self.keep {
                Keep::Content => c,
                Keep::AllButAppeals => c || !k.is_some_and(is_appeal),
                Keep::ContentAnd(set) => c || k.is_some_and(|k| set.contains(&k)),
            })
            .collect();
        let cleaned = Cleaned {
            doc,
            page,
            probabilities,
            content,
            kinds,
            keep,
            encoding: "UTF-8",
        };
        Ok((cleaned, scores))
    }
}

impl Cleaned {
    /// The kept blocks' text in document order, separated by blank lines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (b, _) in self.page.blocks.iter().zip(&self.keep).filter(|(_, &k)| k) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&b.text);
        }
        out
    }

    /// Every block with its label and probability.
    pub fn blocks(&self) -> Vec<BlockRecord<'_>> {
        let copies = first_copies(&self.page, &self.content);
        self.page
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let c = &self.page.containers[b.container];
                BlockRecord {
                    index: i,
                    locator: self.page.locator(i),
                    tag: &c.tag,
                    label: if self.content[i] {
                        "content"
                    } else {
                        "boilerplate"
                    },
                    kind: self.kinds[i],
                    kept: self.keep[i],
                    probability: self.probabilities[i],
                    copy_of: copies[i],
                    hidden: c.flags & segment::flags::HIDDEN != 0,
                    noscript: c.flags & segment::flags::NOSCRIPT != 0,
                    text: &b.text,
                }
            })
            .collect()
    }

    /// The page's HTML with boilerplate removed: an element goes when every block under it
    /// is boilerplate; a boilerplate run inside a kept element loses its own nodes only.
    /// Script, style, `<svg>` and `<math>` elements are empty unless the cleaner parsed
    /// the whole page ([`Cleaner::with_whole_document`]).
    pub fn html(&self) -> String {
        serialize_html(&self.pruned())
    }

    /// The kept content as Markdown: headings, paragraphs, lists, links, tables and code
    /// blocks of the content, in document order.
    pub fn markdown(&self) -> String {
        // <noscript> holds raw text in the tree; its kept blocks are written from their text.
        let mut noscript: FxHashMap<NodeId, Vec<&str>> = FxHashMap::default();
        for (b, _) in self.page.blocks.iter().zip(&self.keep).filter(|(_, &k)| k) {
            let c = &self.page.containers[b.container];
            if c.flags & segment::flags::NOSCRIPT == 0 {
                continue;
            }
            if let Some(node) = self.page.ancestry(b.container).find_map(|c| c.node) {
                noscript.entry(node).or_default().push(&b.text);
            }
        }
        markdown::render(&self.pruned(), &noscript)
    }

    /// The original page with nothing removed: each element that holds blocks gets
    /// `data-boilerclass-label` (`content`, `boilerplate`, or `mixed` when its own runs
    /// differ), `data-boilerclass-kind` (the kind of its first boilerplate run, when
    /// kinds were computed) and `data-boilerclass-score` (the highest probability of
    /// content among its own runs), so that a downstream tool can decide. Script, style,
    /// `<svg>` and `<math>` elements are empty unless the cleaner parsed the whole page
    /// ([`Cleaner::with_whole_document`]).
    pub fn annotated_html(&self) -> String {
        type Own = (bool, bool, f64, Option<&'static str>);
        let mut own: Vec<Option<Own>> = vec![None; self.page.containers.len()];
        for (i, b) in self.page.blocks.iter().enumerate() {
            let (content, other, best, kind) =
                own[b.container].get_or_insert((false, false, 0.0, None));
            *content |= self.content[i];
            *other |= !self.content[i];
            *best = best.max(self.probabilities[i]);
            *kind = kind.or(self.kinds[i]);
        }
        let mut doc = self.doc.clone();
        for (c, own) in self.page.containers.iter().zip(own) {
            let (Some(node), Some((content, other, best, kind))) = (c.node, own) else {
                continue;
            };
            let label = match (content, other) {
                (true, true) => "mixed",
                (true, false) => "content",
                _ => "boilerplate",
            };
            if let Some(mut n) = doc.tree.get_mut(node) {
                if let Node::Element(e) = n.value() {
                    set_attr(e, "data-boilerclass-label", label);
                    if let Some(kind) = kind {
                        set_attr(e, "data-boilerclass-kind", kind);
                    }
                    set_attr(e, "data-boilerclass-score", &format!("{best:.3}"));
                }
            }
        }
        serialize_html(&doc)
    }

    /// The document with boilerplate elements and runs detached.
    fn pruned(&self) -> Html {
        let page = &self.page;
        let mut kept_below = vec![0u32; page.containers.len()];
        for (b, _) in page.blocks.iter().zip(&self.keep).filter(|(_, &k)| k) {
            kept_below[b.container] += 1;
        }
        for i in (0..page.containers.len()).rev() {
            if let Some(p) = page.containers[i].parent {
                kept_below[p] += kept_below[i];
            }
        }
        // Removed block-level elements leave a line break, so the text on either side of
        // them never glues into one word.
        let mut remove: Vec<(NodeId, bool)> = Vec::new();
        let mut removed = vec![false; page.containers.len()];
        for (i, c) in page.containers.iter().enumerate() {
            let parent_removed = c.parent.is_some_and(|p| removed[p]);
            removed[i] = parent_removed || (c.blocks > 0 && kept_below[i] == 0);
            if removed[i] && !parent_removed {
                if let Some(node) = c.node {
                    remove.push((node, true));
                }
            }
        }
        for (i, (b, &keep)) in page.blocks.iter().zip(&self.keep).enumerate() {
            if !keep && !removed[b.container] {
                remove.extend(page.block_nodes(i).iter().map(|&n| (n, false)));
            }
        }
        let mut doc = self.doc.clone();
        for (id, separate) in remove {
            if let Some(mut node) = doc.tree.get_mut(id) {
                if separate {
                    node.insert_before(Node::Text(Text {
                        text: scraper::StrTendril::from("\n"),
                    }));
                }
                node.detach();
            }
        }
        doc
    }
}

/// Sets an attribute, replacing one of the same name (a page may carry our attributes
/// already, e.g. when annotated twice).
fn set_attr(e: &mut scraper::node::Element, name: &str, value: &str) {
    let value = scraper::StrTendril::from(value);
    if let Some(a) = e.attrs.iter_mut().find(|(n, _)| &*n.local == name) {
        a.1 = value;
    } else {
        let name =
            html5ever::QualName::new(None, html5ever::ns!(), html5ever::LocalName::from(name));
        e.attrs.push((name, value));
    }
}

fn serialize_html(doc: &Html) -> String {
    let opts = SerializeOpts {
        // The parser ran with scripting on, so <noscript> holds raw text to write as is.
        scripting_enabled: true,
        traversal_scope: TraversalScope::IncludeNode,
        create_missing_parent: false,
    };
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail, and html5ever writes valid UTF-8.
    let _ = serialize(&mut buf, doc, opts);
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static CLEANER: LazyLock<Cleaner> = LazyLock::new(|| Cleaner::with_default_model().unwrap());

    #[test]
    fn only_a_whole_document_cleaner_writes_scripts_styles_and_drawings_back() {
        let page = "<html><head><style>p{color:red}</style><script>var a = 1 < 2;</script>\
                    </head><body><article><h1>Bridge approved</h1><p>The council voted on \
                    Monday to build a new footbridge over the river, ending a long debate.</p>\
                    <svg><path d='M0 0'/></svg></article></body></html>";
        let skipped = CLEANER.clean_str(page).unwrap();
        let whole = CLEANER
            .clone()
            .with_whole_document(true)
            .clean_str(page)
            .unwrap();
        assert_eq!(skipped.text(), whole.text());
        assert!(skipped.text().contains("footbridge"));
        for (inside, empty) in [
            ("p{color:red}", "<style></style>"),
            ("var a = 1 < 2;", "<script></script>"),
            ("<path d=\"M0 0\">", "<svg></svg>"),
        ] {
            let html = whole.annotated_html();
            assert!(html.contains(inside), "{inside} missing from {html}");
            assert!(skipped.annotated_html().contains(empty));
        }
    }

    const TAGS: &[&str] = &[
        "div",
        "p",
        "span",
        "a",
        "li",
        "ul",
        "article",
        "nav",
        "footer",
        "section",
        "h1",
        "h2",
        "table",
        "td",
        "tr",
        "b",
        "button",
        "form",
        "aside",
        "noscript",
        "figure",
        "figcaption",
    ];
    const CLASSES: &[&str] = &[
        "content",
        "nav-main",
        "ad-slot",
        "newsletter",
        "post__body",
        "x",
    ];
    const WORDS: &[&str] = &[
        "the",
        "council",
        "voted",
        "donate",
        "subscribe",
        "river",
        "bridge",
        "cookies",
        "you",
        "we",
        "Monday",
        "ünïcode",
        "Привет",
        "12",
        "$5",
        "menu",
        "home",
        "news",
        "reading",
    ];

    /// Random well-formed-ish HTML from a small grammar, and the words it contains.
    fn html_tree() -> impl Strategy<Value = String> {
        let text =
            prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" "));
        text.prop_recursive(5, 64, 6, |inner| {
            (
                prop::sample::select(TAGS),
                prop::option::of(prop::sample::select(CLASSES)),
                prop::collection::vec(inner, 0..6),
                any::<bool>(),
            )
                .prop_map(|(tag, class, children, close)| {
                    let attr = class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default();
                    let href = if tag == "a" { " href=\"/x\"" } else { "" };
                    let end = if close {
                        format!("</{tag}>")
                    } else {
                        String::new()
                    };
                    format!("<{tag}{attr}{href}>{}{end}", children.join(" "))
                })
        })
    }

    /// Renders `html` with the given keep decisions, ignoring the model's.
    fn render_with(html: &str, keep: &[bool]) -> String {
        let mut c = CLEANER.clean_str(html).unwrap();
        assert_eq!(c.keep.len(), keep.len());
        c.keep = keep.to_vec();
        c.html()
    }

    /// A news page around `paragraphs`, each a `<p>` of the article.
    fn news_page(paragraphs: &[&str]) -> String {
        let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
        format!(
            "<html><head><title>Story | The Millbrook Herald</title></head><body>\
             <nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>\
             <article><h1>The headline of the story</h1>{body}</article>\
             <footer>© The Millbrook Herald</footer></body></html>"
        )
    }

    #[test]
    fn an_article_about_donations_keeps_every_paragraph() {
        let paragraphs = [
            "The Millbrook food bank raised a record sum in its winter appeal this year, \
             its organisers said on Monday, after more than two thousand residents donated.",
            "Most donations were small: the median gift was twelve pounds, and a third of \
             donors gave monthly rather than once, a change the charity had asked for.",
            "Volunteers say the support came as demand rose sharply in the autumn, when \
             energy bills climbed and the town's largest employer cut shifts.",
            "The charity will spend the money on fresh food and on a second van, and says \
             it still needs volunteers to contribute their time on Saturdays.",
        ];
        let cleaned = CLEANER.clean_str(&news_page(&paragraphs)).unwrap();
        let text = cleaned.text();
        for p in paragraphs {
            let start = &p[..40];
            assert!(text.contains(start), "paragraph lost: {start}…\n{text}");
        }
    }

    #[test]
    fn an_appeal_between_the_paragraphs_of_an_article_is_dropped() {
        let appeal = "Before you read on: the Herald has no paywall and no owner to answer \
                      to. Our reporting is paid for by readers like you. Please support \
                      our journalism with a donation today, monthly or once.";
        let paragraphs = [
            "The council voted on Tuesday to close the Millbrook swimming baths for two \
             years while the roof, the pool tank and the changing rooms are rebuilt.",
            "The work will cost four million pounds, most of it from a government grant, \
             and the nearest pool during the closure will be in Ashcombe, nine miles away.",
            appeal,
            "Swimming clubs said they would move their evening sessions to Ashcombe and \
             asked the council to pay for a minibus for the younger members.",
            "The baths opened in 1936 and were last refurbished in the 1980s; the new \
             building will keep the original façade on Mill Street.",
        ];
        let cleaned = CLEANER.clean_str(&news_page(&paragraphs)).unwrap();
        let text = cleaned.text();
        assert!(!text.contains("Before you read on"), "{text}");
        for p in paragraphs.iter().filter(|p| **p != appeal) {
            let start = &p[..40];
            assert!(text.contains(start), "paragraph lost: {start}…\n{text}");
        }
    }

    #[test]
    fn removing_a_run_never_removes_a_kept_block_inside_or_after_it() {
        let out = render_with(
            "<div>Advertisement<p>Article text.</p>Tail ad</div>",
            &[false, true, false],
        );
        assert!(out.contains("<p>Article text.</p>"), "{out}");
        assert!(
            !out.contains("Advertisement") && !out.contains("Tail ad"),
            "{out}"
        );
        let out = render_with(
            "<div><span>Sponsored <li>Kept item</li> more ad</span></div>",
            &[false, true, false],
        );
        assert!(out.contains("Kept item"), "{out}");
        assert!(
            !out.contains("Sponsored") && !out.contains("more ad"),
            "{out}"
        );
        let out = render_with("<p>one<div>gone</div>two</p>", &[true, false, true]);
        assert!(!out.contains("gone") && !out.contains("onetwo"), "{out}");
    }

    #[test]
    fn annotation_labels_each_element_by_its_own_runs_and_removes_nothing() {
        let html = "<div id=d>Sponsored links<p id=p>Article text.</p>Lead text</div>";
        let mut c = CLEANER.clean_str(html).unwrap();
        c.content = vec![false, true, true];
        c.probabilities = vec![0.1, 0.9, 0.7];
        let out = c.annotated_html();
        assert!(
            out.contains(
                r#"<div id="d" data-boilerclass-label="mixed" data-boilerclass-score="0.700">"#
            ),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<p id="p" data-boilerclass-label="content" data-boilerclass-score="0.900">"#
            ),
            "{out}"
        );
        assert!(out.contains("Sponsored links") && out.contains("Lead text"));
        c.content = vec![false, true, false];
        let out = c.annotated_html();
        assert!(
            out.contains(r#"data-boilerclass-label="boilerplate""#),
            "{out}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn cleaning_any_page_is_total_faithful_and_deterministic(body in html_tree()) {
            let html = format!("<html><head><title>T | Site</title></head><body>{body}</body></html>");
            let a = CLEANER.clean_str(&html).unwrap();
            let b = CLEANER.clean_str(&html).unwrap();
            prop_assert_eq!(a.text(), b.text());
            prop_assert_eq!(&a.probabilities, &b.probabilities);
            prop_assert!(a.probabilities.iter().all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
            // Every word of the output is a word the page was written with.
            let allowed: std::collections::HashSet<String> =
                WORDS.iter().flat_map(|w| crate::tokens::lower_words(w)).collect();
            // Inside a table the parser moves text out before the table but leaves the
            // whitespace between it in place (foster parenting), so `<table><span>a</span>
            // <span>b` shows "ab" in a browser too: there, the parsed text is the reference.
            let parsed: std::collections::HashSet<String> = if html.contains("<table") {
                let doc = scraper::Html::parse_document(&html);
                crate::tokens::lower_words(&doc.root_element().text().collect::<String>())
                    .into_iter()
                    .collect()
            } else {
                Default::default()
            };
            for w in crate::tokens::lower_words(&a.text()) {
                prop_assert!(
                    allowed.contains(&w) || parsed.contains(&w),
                    "word {:?} not in the page",
                    w
                );
            }
            // The HTML rendering keeps every content block's words, in order and unglued:
            // parsed again, each is found within the page's blocks. (A removed element between
            // two runs of one element lets them join into one block.)
            let again = CLEANER.clean_str(&a.html()).unwrap();
            let all: Vec<&str> = again.page.blocks.iter().map(|b| b.text.as_str()).collect();
            let all = format!(" {} ", all.join(" "));
            for (block, _) in a.page.blocks.iter().zip(&a.keep).filter(|(_, &k)| k) {
                let needle = format!(" {} ", block.text);
                prop_assert!(all.contains(&needle), "lost {:?} in {:?}", block.text, all);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
            if let Ok(c) = CLEANER.clean_bytes(bytes) {
                prop_assert!(c.probabilities.iter().all(|p| p.is_finite()));
                let _ = c.html();
            }
        }
    }
}
