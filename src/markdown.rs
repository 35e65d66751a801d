//! Rendering a cleaned document as Markdown: headings, paragraphs, lists, links, tables,
//! quotes and code blocks, in document order. The walk is iterative, as every walk here, so
//! a deeply nested page cannot overflow the stack.

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use rustc_hash::FxHashMap;
use scraper::{Html, Node};

/// Renders `doc` (already stripped of boilerplate) as Markdown. `noscript` gives, for a
/// `<noscript>` element, the text of its kept blocks, since the tree holds its content as
/// raw text.
pub fn render(doc: &Html, noscript: &FxHashMap<NodeId, Vec<&str>>) -> String {
    let mut w = Writer::default();
    let mut skip: Option<NodeId> = None;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => w.text(t),
                    Node::Element(e) => {
                        let tag = e.name();
                        if tag == "noscript" {
                            for text in noscript.get(&node.id()).into_iter().flatten() {
                                w.block();
                                w.text(text);
                                w.block();
                            }
                        }
                        if SKIPPED.contains(&tag) {
                            skip = Some(node.id());
                        } else {
                            w.open(tag, e.attr("href"));
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip == Some(node.id()) {
                    skip = None;
                } else if skip.is_none() {
                    if let Node::Element(e) = node.value() {
                        w.close(e.name());
                    }
                }
            }
        }
    }
    w.finish()
}

/// Elements whose content is not page text.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "template", "noscript", "svg", "math", "iframe", "object", "select",
    "textarea", "canvas", "video", "audio",
];

/// Elements that start and end a paragraph of their own.
fn is_block(tag: &str) -> bool {
    crate::segment::is_block_level(tag) || matches!(tag, "br" | "hr" | "img" | "input")
}

struct List {
    ordered: bool,
    next: u32,
}

/// A table being collected: rows of cells, written when the table closes.
#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    header_rows: usize,
    in_head: bool,
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Line breaks owed before the next text: 1 within a block, 2 between blocks.
    breaks: u8,
    /// A space is owed before the next text on the same line.
    space: bool,
    /// A list-item or heading marker owed before the next text.
    marker: Option<String>,
    lists: Vec<List>,
    quotes: usize,
    pre: usize,
    /// Inline openers owed before the next text (`[` of a link, `` ` `` of code), with the
    /// closer to write if they were opened.
    inline: Vec<(&'static str, Option<String>, bool)>,
    table: Option<Table>,
    table_depth: usize,
    cell: Option<String>,
    /// The current output line has text after its prefix and marker.
    line_has_text: bool,
    /// Quote depth of the current output line.
    line_quotes: usize,
}

impl Writer {
    fn block(&mut self) {
        self.close_inline_all();
        if !self.out.is_empty() {
            self.breaks = 2;
        }
        self.space = false;
    }

    fn open(&mut self, tag: &str, href: Option<&str>) {
        if self.table_depth > 0 {
            self.open_in_table(tag, href);
            return;
        }
        match tag {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.block();
                let level = usize::from(tag.as_bytes()[1] - b'0');
                self.marker = Some(format!("{} ", "#".repeat(level)));
            }
            "ul" | "ol" | "menu" => {
                self.block();
                self.lists.push(List {
                    ordered: tag == "ol",
                    next: 1,
                });
            }
            "li" => {
                self.close_inline_all();
                if !self.out.is_empty() {
                    self.breaks = self.breaks.max(1);
                }
                self.space = false;
                let marker = match self.lists.last_mut() {
                    Some(l) if l.ordered => {
                        l.next += 1;
                        format!("{}. ", l.next - 1)
                    }
                    _ => "- ".to_string(),
                };
                self.marker = Some(marker);
            }
            "blockquote" => {
                self.block();
                self.quotes += 1;
            }
            "pre" => {
                self.block();
                self.pre += 1;
                if self.pre == 1 {
                    self.write_line_start();
                    self.out.push_str("```\n");
                    self.write_prefix();
                }
            }
            "table" => {
                self.block();
                self.table = Some(Table::default());
                self.table_depth = 1;
            }
            "br" => {
                if self.pre > 0 {
                    self.out.push('\n');
                } else {
                    self.breaks = self.breaks.max(1);
                    self.space = false;
                }
            }
            "hr" => {
                self.block();
                self.write_line_start();
                self.out.push_str("---");
                self.block();
            }
            "a" => {
                self.inline.push(("[", link_closer(href), false));
            }
            "code" | "kbd" | "samp" if self.pre == 0 => {
                self.inline.push(("`", Some("`".into()), false));
            }
            t if is_block(t) => self.block(),
            _ => {}
        }
    }

    fn close(&mut self, tag: &str) {
        if self.table_depth > 0 {
            self.close_in_table(tag);
            return;
        }
        match tag {
            "ul" | "ol" | "menu" => {
                self.block();
                self.lists.pop();
            }
            "li" => {
                self.close_inline_all();
                self.breaks = self.breaks.max(1);
                self.marker = None;
            }
            "blockquote" => {
                self.block();
                self.quotes = self.quotes.saturating_sub(1);
            }
            "pre" => {
                self.pre = self.pre.saturating_sub(1);
                if self.pre == 0 {
                    if !self.out.ends_with('\n') {
                        self.out.push('\n');
                    }
                    self.write_prefix();
                    self.out.push_str("```");
                    self.block();
                }
            }
            "a" | "code" | "kbd" | "samp" => self.close_inline(),
            t if is_block(t) => self.block(),
            _ => {}
        }
    }

    fn open_in_table(&mut self, tag: &str, href: Option<&str>) {
        let Some(table) = self.table.as_mut() else {
            return;
        };
        match tag {
            // A table inside a cell is flattened into the cell's text.
            "table" => self.table_depth += 1,
            "thead" => table.in_head = true,
            "tr" if self.table_depth == 1 => table.rows.push(Vec::new()),
            "td" | "th" if self.table_depth == 1 => {
                if table.rows.is_empty() {
                    table.rows.push(Vec::new());
                }
                if tag == "th" && table.rows.len() == 1 || table.in_head {
                    table.header_rows = table.rows.len();
                }
                self.cell = Some(String::new());
            }
            "a" => {
                self.inline.push(("[", link_closer(href), false));
            }
            "br" | "p" | "div" | "li" => self.space = true,
            _ => {}
        }
    }

    fn close_in_table(&mut self, tag: &str) {
        match tag {
            "table" => {
                self.table_depth -= 1;
                if self.table_depth == 0 {
                    self.write_table();
                }
            }
            "thead" => {
                if let Some(t) = self.table.as_mut() {
                    t.in_head = false;
                }
            }
            "td" | "th" if self.table_depth == 1 => {
                self.close_inline_all();
                if let (Some(cell), Some(t)) = (self.cell.take(), self.table.as_mut()) {
                    if let Some(row) = t.rows.last_mut() {
                        row.push(cell.trim().to_string());
                    }
                }
                self.space = false;
            }
            "a" => self.close_inline(),
            _ => {}
        }
    }

    fn write_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let rows: Vec<Vec<String>> = table
            .rows
            .into_iter()
            .filter(|r| r.iter().any(|c| !c.is_empty()))
            .collect();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        if width == 0 {
            return;
        }
        // A one-column table is layout, not data: its cells become paragraphs.
        if width == 1 {
            for row in rows {
                self.block();
                self.write_line_start();
                self.out.push_str(&row[0]);
            }
            self.block();
            return;
        }
        let header = table.header_rows.clamp(1, rows.len());
        let line = |row: &[String]| {
            let mut s = String::from("|");
            for i in 0..width {
                s.push(' ');
                s.push_str(row.get(i).map_or("", String::as_str));
                s.push_str(" |");
            }
            s
        };
        self.block();
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            self.write_prefix_or_start(i == 0);
            self.out.push_str(&line(row));
            if i + 1 == header {
                self.out.push('\n');
                self.write_prefix();
                self.out.push('|');
                self.out.push_str(&" --- |".repeat(width));
            }
        }
        self.block();
    }

    fn write_prefix_or_start(&mut self, first: bool) {
        if first {
            self.write_line_start();
        } else {
            self.write_prefix();
        }
    }

    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            let prefix = self.prefix();
            self.out
                .push_str(&text.replace('\n', &format!("\n{prefix}")));
            return;
        }
        let mut words = text.split_whitespace().peekable();
        if text.starts_with(|c: char| c.is_whitespace()) {
            self.space = true;
        }
        if words.peek().is_none() {
            return;
        }
        let mut first = true;
        for word in words {
            if self.cell.is_some() {
                let cell_started = self.cell.as_ref().is_some_and(|c| !c.is_empty());
                if (self.space || !first) && cell_started {
                    self.push(" ");
                }
            } else if self.breaks > 0 || self.out.is_empty() {
                self.write_line_start();
            } else if self.space || !first {
                self.out.push(' ');
            }
            self.space = false;
            self.open_inline();
            let in_code = self.inline.iter().any(|(opener, _, _)| *opener == "`");
            if in_code {
                self.push(word);
            } else {
                let at_line_start = self.cell.is_none() && !self.line_has_text;
                let escaped = escape(word, at_line_start, self.cell.is_some());
                self.push(&escaped);
            }
            if self.cell.is_none() {
                self.line_has_text = true;
            }
            first = false;
        }
        if text.ends_with(|c: char| c.is_whitespace()) {
            self.space = true;
        }
    }

    fn push(&mut self, s: &str) {
        match self.cell.as_mut() {
            Some(cell) => cell.push_str(s),
            None => self.out.push_str(s),
        }
    }

    fn prefix(&self) -> String {
        let mut p = "> ".repeat(self.quotes);
        p.push_str(&"   ".repeat(self.lists.len().saturating_sub(1)));
        if self.marker.is_none() && !self.lists.is_empty() && self.pre == 0 {
            p.push_str("   ");
        }
        p
    }

    fn write_prefix(&mut self) {
        let p = self.prefix();
        self.out.push_str(&p);
    }

    /// Ends the current line with the owed breaks and writes the next line's prefix and
    /// marker.
    fn write_line_start(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.out.is_empty() {
            // A blank line inside a quote stays in it; one that leaves or enters it does not.
            let quote = "> ".repeat(self.quotes.min(self.line_quotes));
            for i in 0..self.breaks.max(1) {
                if i > 0 {
                    self.out.push_str(quote.trim_end());
                }
                self.out.push('\n');
            }
        }
        self.breaks = 0;
        self.line_quotes = self.quotes;
        self.line_has_text = false;
        let mut prefix = "> ".repeat(self.quotes);
        prefix.push_str(&"   ".repeat(self.lists.len().saturating_sub(1)));
        match self.marker.take() {
            Some(m) => {
                prefix.push_str(&m);
            }
            None if !self.lists.is_empty() => prefix.push_str("   "),
            None => {}
        }
        self.out.push_str(&prefix);
    }

    fn open_inline(&mut self) {
        let mut opened = String::new();
        for (opener, closer, open) in self.inline.iter_mut() {
            if !*open && closer.is_some() {
                *open = true;
                opened.push_str(opener);
            }
        }
        self.push(&opened);
    }

    fn close_inline(&mut self) {
        if let Some((_, Some(closer), true)) = self.inline.pop() {
            self.push(&closer);
        }
    }

    fn close_inline_all(&mut self) {
        while !self.inline.is_empty() {
            self.close_inline();
        }
    }

    fn finish(mut self) -> String {
        self.close_inline_all();
        let mut out = self.out.trim_end().to_string();
        out.push('\n');
        if out.trim().is_empty() {
            out.clear();
        }
        out
    }
}

/// What closes a link's text: `](href)`, or nothing for links that lead nowhere outside
/// the page (empty, `#…`, `javascript:`), whose text is written plain.
fn link_closer(href: Option<&str>) -> Option<String> {
    let href = href
        .map(str::trim)
        .filter(|h| !h.is_empty() && !h.starts_with('#') && !h.starts_with("javascript:"))?;
    Some(format!("]({})", href.replace(' ', "%20")))
}

/// Escapes what Markdown would read as markup: emphasis, code, link brackets, and at the
/// start of a line the markers of headings, quotes, lists and ordered lists.
fn escape(word: &str, line_start: bool, in_cell: bool) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    if line_start {
        let bytes = word.as_bytes();
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if matches!(bytes.first(), Some(b'#' | b'>' | b'-' | b'+' | b'=')) {
            out.push('\\');
        } else if digits > 0 && matches!(bytes.get(digits), Some(b'.' | b')')) {
            out.push_str(&word[..digits]);
            out.push('\\');
            return out + &escape(&word[digits..], false, in_cell);
        }
    }
    for c in word.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<') || (in_cell && c == '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        render(&Html::parse_document(html), &FxHashMap::default())
    }

    #[test]
    fn headings_paragraphs_and_links() {
        let out =
            md("<h1>Bridge  opens</h1><p>The <a href=\"/v\">council</a> voted.</p><p>Next.</p>");
        assert_eq!(out, "# Bridge opens\n\nThe [council](/v) voted.\n\nNext.\n");
    }

    #[test]
    fn lists_nest_and_number() {
        let out = md("<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul><p>after</p>");
        assert_eq!(out, "- one\n- two\n\n   1. a\n   2. b\n\nafter\n");
    }

    #[test]
    fn tables_become_pipe_tables() {
        let out = md(
            "<table><tr><th>Name</th><th>Price</th></tr><tr><td>Tea | green</td><td>3 €</td></tr></table>",
        );
        assert_eq!(
            out,
            "| Name | Price |\n| --- | --- |\n| Tea \\| green | 3 € |\n"
        );
    }

    #[test]
    fn code_blocks_keep_their_whitespace() {
        let out = md("<p>Run:</p><pre><code>fn main() {\n    go();\n}</code></pre><p>Done <code>x_y</code>.</p>");
        assert_eq!(
            out,
            "Run:\n\n```\nfn main() {\n    go();\n}\n```\n\nDone `x_y`.\n"
        );
    }

    #[test]
    fn markup_in_text_is_escaped_and_words_never_glue() {
        let out =
            md("<div>1. not a list *really*</div><div>next<span>word</span> <b>bold</b></div>");
        assert_eq!(out, "1\\. not a list \\*really\\*\n\nnextword bold\n");
        let out = md("<p>before</p><blockquote><p>quoted</p><p>twice</p></blockquote><p>after</p>");
        assert_eq!(out, "before\n\n> quoted\n>\n> twice\n\nafter\n");
    }
}
