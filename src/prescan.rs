//! Finding, before parsing, the parts of a page that hold no text for its blocks: the
//! contents of `<script>` and `<style>` elements and of inline `<svg>` and `<math>`
//! drawings, which the segmenter skips. They are about 45 % of the bytes of the WCXB pages,
//! and the parser never needs to read them.
//!
//! The scan follows the tokenizer and tree builder of the HTML standard wherever the
//! answer depends on them: tags and their quoted attribute values, comments and bogus
//! comments, the raw text of `<style>`, `<textarea>`, `<title>`, `<xmp>`, `<iframe>`,
//! `<noembed>`, `<noframes>` and `<noscript>` (scripting on, as the parser runs), the
//! escaped and double-escaped text of `<script>`, `<plaintext>`, and inside a drawing the
//! SVG and MathML elements with their CDATA sections and end tags. Where the parser's
//! course depends on more than a scan can know (an HTML tag inside a drawing, a
//! `<frameset>`) it stops removing: what is left is parsed as it is. A page parsed without
//! these parts gives the same tree as the whole page, save for them: a property test checks
//! this against the parser on generated markup, and it held on every WCXB page.

use scraper::Html;
use std::borrow::Cow;
use std::ops::Range;

/// `markup` without the contents of its `<script>`, `<style>`, `<svg>` and `<math>`
/// elements (their tags stay); borrowed when there is nothing to remove.
pub fn without_textless_parts(markup: &str) -> Cow<'_, str> {
    let removed = textless_parts(markup);
    if removed.is_empty() {
        return Cow::Borrowed(markup);
    }
    let len = markup.len() - removed.iter().map(|r| r.len()).sum::<usize>();
    let mut out = String::with_capacity(len);
    out.extend(kept_parts(markup, &removed));
    Cow::Owned(out)
}

/// Parses `markup` as [`Html::parse_document`] does, without its textless parts: the tree
/// is the page's, with empty script, style, `<svg>` and `<math>` elements.
pub fn parse_document(markup: &str) -> Html {
    // One string rather than the pieces in turn: the parser pays more per piece it is
    // handed than the copy costs (about 60 µs a page on WCXB).
    Html::parse_document(&without_textless_parts(markup))
}

/// The non-empty pieces of `markup` between the `removed` ranges.
fn kept_parts<'a>(markup: &'a str, removed: &'a [Range<usize>]) -> impl Iterator<Item = &'a str> {
    let starts = std::iter::once(0).chain(removed.iter().map(|r| r.end));
    let ends = removed.iter().map(|r| r.start).chain([markup.len()]);
    starts
        .zip(ends)
        .map(|(from, to)| &markup[from..to])
        .filter(|part| !part.is_empty())
}

/// The byte ranges of `markup` that hold the contents of its `<script>`, `<style>`,
/// `<svg>` and `<math>` elements, in order; empty when the page is best parsed whole.
pub fn textless_parts(markup: &str) -> Vec<Range<usize>> {
    let b = markup.as_bytes();
    let mut removed: Vec<Range<usize>> = Vec::new();
    let mut remove = |from: usize, to: usize| {
        if to > from {
            removed.push(from..to);
        }
    };
    // The open <svg> and <math> elements and the elements inside them (their names), which
    // the parser reads as foreign content, and where the outermost one's contents begin.
    let mut foreign: Vec<std::ops::Range<usize>> = Vec::new();
    let mut drawing = 0;
    let (mut i, mut last_lt) = (0, 0);
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + off;
        i = lt + 1;
        last_lt = lt;
        match b.get(i) {
            Some(b'!') => {
                i = after_markup_declaration(b, i + 1, !foreign.is_empty());
                continue;
            }
            Some(b'?') => {
                i = after_gt(b, i);
                continue;
            }
            Some(b'/') => {
                match b.get(i + 1) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let Some(tag) = Tag::read(b, i + 1) else {
                            break;
                        };
                        i = tag.end;
                        if foreign.is_empty() {
                            continue;
                        }
                        // In foreign content an end tag closes the nearest open element of
                        // its name; with none, the parser goes on to close HTML elements.
                        let Some(k) = foreign.iter().rposition(|n| tag.is(b, &b[n.clone()])) else {
                            break;
                        };
                        foreign.truncate(k);
                        if foreign.is_empty() {
                            remove(drawing, lt);
                        }
                    }
                    Some(b'>') => i += 2,
                    Some(_) => i = after_gt(b, i + 1),
                    None => break,
                }
                continue;
            }
            Some(c) if c.is_ascii_alphabetic() => {}
            _ => continue,
        }
        let Some(tag) = Tag::read(b, i) else {
            break;
        };
        i = tag.end;
        let drawing_root = tag.is(b, b"svg") || tag.is(b, b"math");
        if let Some(current) = foreign.last() {
            // Inside <title>, <desc> or <mi> the parser reads HTML, which elements stay
            // open there is beyond a scan; so is what an HTML tag does inside a drawing.
            let in_html = is_integration_point(&b[current.clone()]);
            if in_html || !(drawing_root || is_foreign_element(b, &tag)) || foreign.len() > 512 {
                break;
            }
            if !tag.self_closing {
                foreign.push(tag.name);
            }
            continue;
        }
        if drawing_root {
            if !tag.self_closing {
                drawing = tag.end;
                foreign.push(tag.name);
            }
            continue;
        }
        if tag.is(b, b"script") {
            let end = script_end(b, i).unwrap_or(b.len());
            remove(i, end);
            i = end;
        } else if tag.is(b, b"style") {
            let end = raw_text_end(b, i, b"style").unwrap_or(b.len());
            remove(i, end);
            i = end;
        } else if let Some(name) = [
            &b"textarea"[..],
            b"title",
            b"xmp",
            b"iframe",
            b"noembed",
            b"noframes",
            b"noscript",
        ]
        .into_iter()
        .find(|n| tag.is(b, n))
        {
            i = raw_text_end(b, i, name).unwrap_or(b.len());
        } else if tag.is(b, b"frameset") {
            // Whether the parser takes a <frameset> depends on the text before it, drawings'
            // too, and the tree builder ignores a <script> after it: leave such pages whole.
            return Vec::new();
        } else if tag.is(b, b"plaintext") {
            break;
        }
    }
    // Where the scan stopped, a <frameset> may still follow: leave the page whole then.
    let frameset = memchr::memchr_iter(b'<', &b[last_lt..]).any(|k| {
        b.get(last_lt + k + 1..last_lt + k + 9)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"frameset"))
    });
    if frameset {
        return Vec::new();
    }
    removed
}

/// Elements of `<svg>` and `<math>` whose children the parser reads as HTML.
fn is_integration_point(name: &[u8]) -> bool {
    [&b"title"[..], b"desc", b"mi", b"mo", b"mn", b"ms", b"mtext"]
        .into_iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// The SVG and MathML elements that the scan follows inside `<svg>` and `<math>`; any
/// other tag there (HTML, `<style>`, `<script>`, `<foreignObject>`) ends the scan.
fn is_foreign_element(b: &[u8], tag: &Tag) -> bool {
    const NAMES: &[&[u8]] = &[
        b"a",
        b"animate",
        b"animatemotion",
        b"animatetransform",
        b"circle",
        b"clippath",
        b"defs",
        b"desc",
        b"ellipse",
        b"feblend",
        b"fecolormatrix",
        b"fecomponenttransfer",
        b"fecomposite",
        b"feconvolvematrix",
        b"fediffuselighting",
        b"fedisplacementmap",
        b"fedistantlight",
        b"fedropshadow",
        b"feflood",
        b"fefunca",
        b"fefuncb",
        b"fefuncg",
        b"fefuncr",
        b"fegaussianblur",
        b"feimage",
        b"femerge",
        b"femergenode",
        b"femorphology",
        b"feoffset",
        b"fepointlight",
        b"fespecularlighting",
        b"fespotlight",
        b"fetile",
        b"feturbulence",
        b"filter",
        b"g",
        b"image",
        b"line",
        b"lineargradient",
        b"marker",
        b"mask",
        b"metadata",
        b"mpath",
        b"path",
        b"pattern",
        b"polygon",
        b"polyline",
        b"radialgradient",
        b"rect",
        b"set",
        b"stop",
        b"switch",
        b"symbol",
        b"text",
        b"textpath",
        b"title",
        b"tspan",
        b"use",
        b"view",
        b"mi",
        b"mo",
        b"mn",
        b"ms",
        b"mtext",
        b"mrow",
        b"mfrac",
        b"msqrt",
        b"mroot",
        b"msub",
        b"msup",
        b"msubsup",
        b"munder",
        b"mover",
        b"munderover",
        b"mtable",
        b"mtr",
        b"mtd",
        b"mspace",
        b"mstyle",
        b"mpadded",
        b"mphantom",
        b"menclose",
        b"semantics",
        b"annotation",
        b"mmultiscripts",
        b"mprescripts",
        b"none",
        b"merror",
        b"maction",
    ];
    NAMES.iter().any(|n| tag.is(b, n))
}

/// Whitespace as the tokenizer knows it (carriage returns become newlines before it).
fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Just past the next `>` at or after `i`, or the end.
fn after_gt(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'>', &b[i.min(b.len())..]).map_or(b.len(), |k| i + k + 1)
}

/// Just past a construct that began with `<!`; `i` is the byte after the `!`.
fn after_markup_declaration(b: &[u8], i: usize, foreign: bool) -> usize {
    let rest = &b[i.min(b.len())..];
    if rest.starts_with(b"--") {
        return after_comment(b, i + 2);
    }
    if foreign && rest.starts_with(b"[CDATA[") {
        return memchr::memmem::find(&rest[7..], b"]]>").map_or(b.len(), |k| i + 7 + k + 3);
    }
    // A doctype ends at its first `>`, quoted or not; so does a bogus comment.
    after_gt(b, i)
}

/// Just past the end of a comment whose text starts at `i` (after `<!--`).
fn after_comment(b: &[u8], i: usize) -> usize {
    let rest = &b[i.min(b.len())..];
    // `<!-->` and `<!--->` are whole (empty) comments.
    if rest.starts_with(b">") {
        return i + 1;
    }
    if rest.starts_with(b"->") {
        return i + 2;
    }
    let mut j = i;
    while let Some(k) = memchr::memmem::find(&b[j.min(b.len())..], b"--") {
        let mut m = j + k + 2;
        while b.get(m) == Some(&b'-') {
            m += 1;
        }
        match (b.get(m), b.get(m + 1)) {
            (Some(b'>'), _) => return m + 1,
            (Some(b'!'), Some(b'>')) => return m + 2,
            (None, _) => return b.len(),
            _ => j = m,
        }
    }
    b.len()
}

/// A start or end tag read by the tokenizer's rules.
struct Tag {
    /// The name's bytes in the markup.
    name: std::ops::Range<usize>,
    /// Ends in `/>`.
    self_closing: bool,
    /// Just past its `>`.
    end: usize,
}

impl Tag {
    /// Reads the tag whose name starts at `start`; `None` when the markup ends inside it
    /// (the tokenizer then drops it, and nothing after it is markup).
    fn read(b: &[u8], start: usize) -> Option<Tag> {
        let n = b.len();
        let mut j = start;
        while j < n && !is_space(b[j]) && b[j] != b'/' && b[j] != b'>' {
            j += 1;
        }
        let name = start..j;
        loop {
            while j < n && is_space(b[j]) {
                j += 1;
            }
            match *b.get(j)? {
                b'>' => {
                    return Some(Tag {
                        name,
                        self_closing: false,
                        end: j + 1,
                    })
                }
                b'/' => {
                    j += 1;
                    if b.get(j) == Some(&b'>') {
                        return Some(Tag {
                            name,
                            self_closing: true,
                            end: j + 1,
                        });
                    }
                }
                _ => {
                    // An attribute name: its first character may be anything, even `=`.
                    j += 1;
                    while j < n && !is_space(b[j]) && !matches!(b[j], b'/' | b'>' | b'=') {
                        j += 1;
                    }
                    while j < n && is_space(b[j]) {
                        j += 1;
                    }
                    if b.get(j) != Some(&b'=') {
                        continue;
                    }
                    j += 1;
                    while j < n && is_space(b[j]) {
                        j += 1;
                    }
                    match *b.get(j)? {
                        q @ (b'"' | b'\'') => {
                            j += 1 + memchr::memchr(q, &b[j + 1..])? + 1;
                        }
                        b'>' => {}
                        _ => {
                            while j < n && !is_space(b[j]) && b[j] != b'>' {
                                j += 1;
                            }
                        }
                    }
                }
            }
        }
    }

    fn is(&self, b: &[u8], name: &[u8]) -> bool {
        b[self.name.clone()].eq_ignore_ascii_case(name)
    }
}

/// Whether an end tag named `name` (any case) starts at `lt`, as the tokenizer ends raw
/// text: `</name` followed by whitespace, `/` or `>`.
fn is_end_tag(b: &[u8], lt: usize, name: &[u8]) -> bool {
    let at = lt + 2;
    b.get(lt + 1) == Some(&b'/')
        && b.get(at..at + name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
        && b.get(at + name.len())
            .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
}

/// Where the raw text (or escapable raw text) of an element named `name` that starts at
/// `i` ends: the `<` of its end tag; `None` when it runs to the end of the markup.
fn raw_text_end(b: &[u8], mut i: usize, name: &[u8]) -> Option<usize> {
    loop {
        let lt = i + memchr::memchr(b'<', &b[i..])?;
        if is_end_tag(b, lt, name) {
            return Some(lt);
        }
        i = lt + 1;
    }
}

/// The tokenizer's states inside a script's text.
#[derive(Clone, Copy)]
enum Script {
    Data,
    Escaped,
    EscapedDash,
    EscapedDashDash,
    Double,
    DoubleDash,
    DoubleDashDash,
}

/// Where the text of a script that starts at `i` ends: the `<` of its `</script` end tag,
/// found through the escaped (`<!--`) and double-escaped (`<!-- <script>`) states in
/// which the standard's tokenizer reads a script; `None` when it runs to the end.
fn script_end(b: &[u8], mut i: usize) -> Option<usize> {
    use Script::*;
    let mut s = Data;
    loop {
        match s {
            Data => {
                let lt = i + memchr::memchr(b'<', &b[i..])?;
                if is_end_tag(b, lt, b"script") {
                    return Some(lt);
                }
                if b[lt + 1..].starts_with(b"!--") {
                    s = EscapedDashDash;
                    i = lt + 4;
                } else {
                    i = lt + 1;
                }
                continue;
            }
            Escaped | Double => {
                i += memchr::memchr2(b'-', b'<', &b[i..])?;
            }
            _ => {}
        }
        let c = *b.get(i)?;
        if c == b'<' {
            let double = matches!(s, Double | DoubleDash | DoubleDashDash);
            if !double {
                if is_end_tag(b, i, b"script") {
                    return Some(i);
                }
                // `<script` followed by whitespace, `/` or `>` starts the double escape.
                let (named, len) = script_name(b, i + 1);
                s = if named { Double } else { Escaped };
                i += 1 + len;
            } else if b.get(i + 1) == Some(&b'/') {
                // `</script` followed by whitespace, `/` or `>` ends it.
                let (named, len) = script_name(b, i + 2);
                s = if named { Escaped } else { Double };
                i += 2 + len;
            } else {
                s = Double;
                i += 1;
            }
            continue;
        }
        s = match (s, c) {
            (Escaped, b'-') => EscapedDash,
            (EscapedDash | EscapedDashDash, b'-') => EscapedDashDash,
            (EscapedDashDash, b'>') => Data,
            (EscapedDash | EscapedDashDash, _) => Escaped,
            (Double, b'-') => DoubleDash,
            (DoubleDash | DoubleDashDash, b'-') => DoubleDashDash,
            (DoubleDashDash, b'>') => Data,
            (DoubleDash | DoubleDashDash, _) => Double,
            (other, _) => other,
        };
        i += 1;
    }
}

/// Whether the ASCII letters from `i` on spell `script` (any case) and end in whitespace,
/// `/` or `>`, and how many bytes the tokenizer consumes there: the letters, and the byte
/// that ends them when they spell it (otherwise that byte is read again).
fn script_name(b: &[u8], i: usize) -> (bool, usize) {
    let rest = &b[i.min(b.len())..];
    let n = rest
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let named = rest[..n].eq_ignore_ascii_case(b"script")
        && rest
            .get(n)
            .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>');
    (named, n + usize::from(named))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        without_textless_parts(s).into_owned()
    }

    #[test]
    fn removes_script_and_style_text_and_keeps_their_tags() {
        assert_eq!(
            strip("<p>a</p><script type=x>if (a<b) f('</p>')</script><style>p>b{}</STYLE ><p>b"),
            "<p>a</p><script type=x></script><style></STYLE ><p>b"
        );
        assert!(matches!(
            without_textless_parts("<p>no scripts</p>"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_script_ends_where_the_tokenizer_ends_it() {
        // Escaped text ends at `</script>` all the same...
        assert_eq!(
            strip("<script><!-- x() //--></script>z"),
            "<script></script>z"
        );
        // ...but not inside a double escape, opened by `<script` inside the comment.
        assert_eq!(
            strip("<script><!-- document.write('<script>x</script>') --></script>z"),
            "<script></script>z"
        );
        assert_eq!(strip("<script>a</scripts></script>z"), "<script></script>z");
        assert_eq!(strip("<script>never closed"), "<script>");
    }

    #[test]
    fn what_only_looks_like_a_script_stays() {
        for page in [
            "<!-- <script>x</script> -->",
            "<a title='<script>x</script>'>y</a>",
            "<textarea><script>x</script></textarea>",
            "<title><style>x</style></title>",
            "<noscript><script>x</script></noscript>",
            "<svg><script>x</script><style>y</style></svg>",
            "<math><style>y</style></math>",
            "<plaintext><script>x</script>",
            "<frameset><script>x</script>",
            "<svg><p>breaks out</svg><script>x</script>",
            "<svg><title><b>html</b></title></svg><script>x</script>",
        ] {
            assert_eq!(strip(page), page);
        }
        // A drawing loses its contents, up to the end tag that closes it (not one inside
        // CDATA); a self-closed <svg/> never opens.
        assert_eq!(
            strip("<svg><![CDATA[</svg><script>x</script>]]><g><path d='M0'/></g></svg>"),
            "<svg></svg>"
        );
        assert_eq!(
            strip("<svg a=b><g/><svg></svg></svg><svg/><math><mi>x</mi></math><script>x</script>"),
            "<svg a=b></svg><svg/><math></math><script></script>"
        );
    }

    /// The parsed tree, one line per node, without the text of HTML `<script>` and
    /// `<style>` elements or the contents of drawings.
    fn tree_without_raw_text(doc: &Html) -> Vec<String> {
        use ego_tree::iter::Edge;
        use scraper::Node;
        let mut lines = Vec::new();
        let is_raw_text = |node: ego_tree::NodeRef<'_, Node>| {
            node.value().is_text()
                && node
                    .parent()
                    .and_then(|p| p.value().as_element())
                    .is_some_and(|e| {
                        e.name.ns == html5ever::ns!(html) && matches!(e.name(), "script" | "style")
                    })
        };
        // The contents of <svg> and <math> elements are skipped too.
        let is_foreign = |node: Option<ego_tree::NodeRef<'_, Node>>| {
            node.and_then(|n| n.value().as_element().map(|e| e.name.ns.clone()))
                .is_some_and(|ns| ns == html5ever::ns!(svg) || ns == html5ever::ns!(mathml))
        };
        let mut drawing = None;
        for edge in doc.tree.root().traverse() {
            if let Some(id) = drawing {
                if let Edge::Close(node) = edge {
                    if node.id() == id {
                        drawing = None;
                        lines.push("/".to_string());
                    }
                }
                continue;
            }
            if let Edge::Open(node) = edge {
                if is_foreign(Some(node)) && !is_foreign(node.parent()) {
                    drawing = Some(node.id());
                }
            }
            match edge {
                Edge::Open(node) if !is_raw_text(node) => lines.push(match node.value() {
                    Node::Text(t) => format!("text {:?}", &**t),
                    Node::Element(e) => {
                        format!("<{:?} {:?}", e.name, e.attrs().collect::<Vec<_>>())
                    }
                    Node::Comment(c) => format!("comment {:?}", &**c),
                    other => format!("{other:?}"),
                }),
                Edge::Close(node) if !is_raw_text(node) => lines.push("/".to_string()),
                _ => {}
            }
        }
        lines
    }

    const PIECES: &[&str] = &[
        "<script>",
        "<script type='a>b'>",
        "</script>",
        "</SCRIPT >",
        "</script/>",
        "<SCRIPT",
        "<script/>",
        "<scripts>",
        "</scripts>",
        "<style>",
        "</style>",
        "<!--",
        "-->",
        "--!>",
        "<!-->",
        "<!--->",
        "<!",
        "<?x",
        "</",
        "</>",
        "<",
        ">",
        "'",
        "\"",
        "=",
        " ",
        "/",
        "-",
        "<svg>",
        "</svg>",
        "<svg/>",
        "<math>",
        "</math>",
        "<![CDATA[",
        "]]>",
        "<textarea>",
        "</textarea>",
        "<title>",
        "</title>",
        "<noscript>",
        "</noscript>",
        "<plaintext>",
        "<frameset>",
        "<p>",
        "</p>",
        "<div class=\"",
        "<a href=x",
        "<b>",
        "<foreignObject>",
        "</foreignObject>",
        "<desc>",
        "</desc>",
        "<mi>",
        "<table>",
        "<td>",
        "<select>",
        "<template>",
        "</template>",
        "<iframe>",
        "</iframe>",
        "<xmp>",
        "</xmp>",
        "text",
        "x",
        "\n",
        "<x y='<script>'>",
        "<!doctype html>",
        "<head>",
        "<body>",
        "<br/>",
        "<g>",
        "</g>",
        "<path d='<script>'/>",
        "</title>",
        "</mi>",
        "</p>",
        "</br>",
        "<font color=red>",
        "<div>",
        "</div>",
        "<style>p{}</style>",
        "<script>a<b</script>",
        "<i>",
        "</b>",
        "</i>",
        "<mtext>",
        "<a>",
        "</a>",
        "<text>",
        "</text>",
        "<image>",
        "</svg >",
        "<svg viewBox='0 0 1 1'>",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn parsing_without_raw_text_gives_the_same_tree(
            picks in proptest::collection::vec(0..PIECES.len(), 0..40)
        ) {
            let page: String = picks.iter().map(|&k| PIECES[k]).collect();
            proptest::prop_assert_eq!(
                tree_without_raw_text(&Html::parse_document(&page)),
                tree_without_raw_text(&parse_document(&page)),
                "page {:?} stripped to {:?}", page, without_textless_parts(&page)
            );
        }
    }

    /// Compares the trees of every page under `dir`; returns how many it read, after
    /// printing the share of their bytes that the parser was spared.
    fn same_trees_under(dir: &std::path::Path) -> usize {
        let limits = crate::corpus::Limits::default();
        let (mut pages, mut bytes_read, mut removed) = (0, 0, 0);
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let path = entry.expect("readable directory").into_path();
            if !crate::corpus::is_page_path(&path) {
                continue;
            }
            let bytes = crate::corpus::read_file(&path, &limits)
                .and_then(|b| crate::corpus::unpack(b, &limits))
                .expect("readable page");
            let page = crate::corpus::decode(&bytes).expect("decodable page").text;
            bytes_read += page.len();
            removed += page.len() - without_textless_parts(&page).len();
            assert!(
                tree_without_raw_text(&Html::parse_document(&page))
                    == tree_without_raw_text(&parse_document(&page)),
                "{} parses differently without its textless parts",
                path.display()
            );
            pages += 1;
        }
        eprintln!(
            "{pages} pages under {}: {:.1} % of their bytes never parsed",
            dir.display(),
            100.0 * removed as f64 / bytes_read.max(1) as f64
        );
        pages
    }

    #[test]
    fn the_pages_of_this_repository_parse_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let pages =
            same_trees_under(&root.join("training-data")) + same_trees_under(&root.join("tests"));
        assert!(pages > 150, "only {pages} pages read");
    }

    /// Slow in a debug build: `.ci/run` runs it with `cargo test --release -- --ignored`.
    #[test]
    #[ignore = "reads ../shared/data/wcxb-dev; run with --release -- --ignored"]
    fn every_wcxb_page_parses_the_same() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/wcxb-dev/html");
        if !dir.is_dir() {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        }
        assert_eq!(same_trees_under(&dir), 1497);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Character by character, from an alphabet made of what the scan looks at.
        #[test]
        fn parsing_characters_without_raw_text_gives_the_same_tree(
            page in "([<>/!?='\" \n-]|script|style|svg|math|title|mi|desc|g|p|b|!--|CDATA|\\[|\\]|a|x|frameset|textarea){0,60}"
        ) {
            proptest::prop_assert_eq!(
                tree_without_raw_text(&Html::parse_document(&page)),
                tree_without_raw_text(&parse_document(&page)),
                "page {:?} stripped to {:?}", page, without_textless_parts(&page)
            );
        }
    }

    #[test]
    fn pages_the_property_tests_once_failed_on_parse_the_same() {
        for page in [
            "<script><script><script><script>",
            "<!<svg><svg></math><style><script/>",
            "<svg><head><title></svg><script><SCRIPT",
            "<math>--></math><frameset>",
            "<g><math></g></math><script/>",
            "<svg viewBox='0 0 1 1'>--></svg ><svg viewBox='0 0 1 1'><title><frameset>",
        ] {
            assert_eq!(
                tree_without_raw_text(&Html::parse_document(page)),
                tree_without_raw_text(&parse_document(page)),
                "{page}"
            );
        }
    }

    #[test]
    fn comments_end_as_the_tokenizer_ends_them() {
        assert_eq!(strip("<!--><script>x</script>"), "<!--><script></script>");
        assert_eq!(strip("<!---><script>x</script>"), "<!---><script></script>");
        assert_eq!(
            strip("<!-- a --!><script>x</script>"),
            "<!-- a --!><script></script>"
        );
        assert_eq!(
            strip("<!-- a ---><script>x</script>"),
            "<!-- a ---><script></script>"
        );
        assert_eq!(
            strip("<! bogus <script>x</script>"),
            "<! bogus <script>x</script>"
        );
    }
}
