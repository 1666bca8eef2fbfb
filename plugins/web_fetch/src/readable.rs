//! HTML to readable text: the title, headings, paragraphs, lists, table rows and links
//! (with absolute URLs), as Markdown-flavoured plain text; scripts, styles and other
//! non-content elements are left out. html5ever (through scraper) builds the tree exactly
//! as a browser would from broken markup; the walk over it is iterative, so deeply nested
//! input cannot overflow the stack.

use scraper::Html;
use scraper::node::Node;
use serde::Serialize;
use toolhost_sdk::JsonSchema;
use url::Url;

/// Elements whose content is not text for a reader.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas",
    "select", "head",
];

/// Elements that start and end a block of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "blockquote",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "address",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "center",
    "body",
    "hr",
    "tr",
];

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Heading {
    /// 1 for `<h1>` ... 6 for `<h6>`.
    pub level: u8,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Link {
    pub text: String,
    /// Absolute, resolved against the page URL (or its `<base href>`).
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Readable {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Headings as `#` lines, list items as `-` or `1.` lines, links as `[text](url)`,
    /// preformatted text fenced with ```; blocks separated by blank lines.
    pub text: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
}

pub fn extract(html: &str, page: &Url) -> Readable {
    let doc = Html::parse_document(html);
    let base = doc
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .find(|e| e.name() == "base" && e.attr("href").is_some())
        .and_then(|e| page.join(e.attr("href")?.trim()).ok())
        .unwrap_or_else(|| page.clone());
    let mut w = Writer::new(base);
    // The title lives in <head>, which is otherwise skipped.
    w.title = doc
        .tree
        .nodes()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "title"))
        .map(|t| {
            let raw: String = t
                .descendants()
                .filter_map(|d| d.value().as_text().map(|s| s.to_string()))
                .collect();
            collapse(&raw)
        })
        .filter(|t| !t.is_empty());
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Element(e) => w.open(e),
                Node::Text(t) => w.text(t),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    w.close(e.name());
                }
            }
        }
    }
    w.finish()
}

/// Whitespace runs become one space; the ends are trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct List {
    ordered: bool,
    next: u64,
}

/// What a block is, which decides how it joins the one before it.
#[derive(Clone, Copy, PartialEq)]
enum Joint {
    Paragraph,
    Item,
    Row,
    /// After a `<br>`: the same block goes on, on the next line.
    Break,
}

struct Writer {
    base: Url,
    title: Option<String>,
    /// Each block's kind, how an element asked it to join the one before (if it did), and
    /// its text.
    blocks: Vec<(Joint, Option<Joint>, String)>,
    line: String,
    prefix: String,
    /// Depth inside skipped elements.
    skip: usize,
    /// Depth inside `<pre>`.
    pre: usize,
    lists: Vec<List>,
    /// Open link: where its text starts in `line`, and its absolute URL.
    link: Option<(usize, String)>,
    /// Open heading: its level and its plain text so far.
    heading: Option<(u8, String)>,
    /// `<li>` elements open around the current text.
    items_open: usize,
    /// How the next block joins the one before, when an element decided it (a `<br>`
    /// continues on the next line; a new top-level list starts after a blank line).
    next_joint: Option<Joint>,
    headings: Vec<Heading>,
    links: Vec<Link>,
}

impl Writer {
    fn new(base: Url) -> Self {
        Writer {
            base,
            title: None,
            blocks: Vec::new(),
            line: String::new(),
            prefix: String::new(),
            skip: 0,
            pre: 0,
            lists: Vec::new(),
            link: None,
            heading: None,
            items_open: 0,
            next_joint: None,
            headings: Vec::new(),
            links: Vec::new(),
        }
    }

    fn open(&mut self, e: &scraper::node::Element) {
        let name = e.name();
        if SKIPPED.contains(&name) {
            self.skip += 1;
        }
        if self.skip > 0 {
            return;
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush(Joint::Paragraph);
                let level = name.as_bytes()[1] - b'0';
                self.prefix = format!("{} ", "#".repeat(level as usize));
                self.heading = Some((level, String::new()));
            }
            "ul" | "ol" | "menu" => {
                self.flush(self.context());
                if self.lists.is_empty() {
                    self.next_joint = Some(Joint::Paragraph);
                }
                let start = e.attr("start").and_then(|s| s.trim().parse().ok());
                self.lists.push(List {
                    ordered: name == "ol",
                    next: start.unwrap_or(1),
                });
            }
            "li" => {
                self.flush(Joint::Item);
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(l) if l.ordered => {
                        l.next += 1;
                        format!("{}.", l.next - 1)
                    }
                    _ => "-".to_owned(),
                };
                self.prefix = format!("{}{marker} ", "  ".repeat(depth));
                self.items_open += 1;
            }
            "pre" => {
                self.flush(self.context());
                self.pre += 1;
            }
            "br" => {
                self.flush(self.context());
                self.next_joint = Some(Joint::Break);
            }
            "td" | "th" if !self.line.trim().is_empty() => self.line.push_str(" | "),
            "a" => {
                let url = e
                    .attr("href")
                    .and_then(|h| self.base.join(h.trim()).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https" | "mailto" | "ftp"));
                if let Some(url) = url {
                    self.link = Some((self.line.len(), url.to_string()));
                }
            }
            "img" => {
                // A linked image says where the link goes through its alt text.
                if self.link.is_some()
                    && let Some(alt) = e.attr("alt")
                {
                    self.text(alt);
                }
            }
            _ if BLOCKS.contains(&name) => self.flush(self.context()),
            _ => {}
        }
    }

    /// Blocks inside a list item stay with the item.
    fn context(&self) -> Joint {
        if self.items_open > 0 {
            Joint::Item
        } else {
            Joint::Paragraph
        }
    }

    fn close(&mut self, name: &str) {
        if SKIPPED.contains(&name) {
            self.skip = self.skip.saturating_sub(1);
            return;
        }
        if self.skip > 0 {
            return;
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some((level, text)) = self.heading.take() {
                    let text = collapse(&text);
                    if !text.is_empty() {
                        self.headings.push(Heading { level, text });
                    }
                }
                self.flush(Joint::Paragraph);
            }
            "ul" | "ol" | "menu" => {
                self.flush(Joint::Item);
                self.lists.pop();
            }
            "li" => {
                self.flush(Joint::Item);
                self.items_open = self.items_open.saturating_sub(1);
            }
            "tr" => {
                let row = self.line.trim().trim_end_matches('|').trim_end().to_owned();
                self.line = row;
                self.flush(Joint::Row);
            }
            "pre" => {
                let code = self.line.trim_matches('\n').to_owned();
                self.line.clear();
                self.pre = self.pre.saturating_sub(1);
                if !code.trim().is_empty() {
                    self.push_block(Joint::Paragraph, format!("```\n{code}\n```"));
                }
            }
            "a" => self.close_link(),
            _ if BLOCKS.contains(&name) => self.flush(self.context()),
            _ => {}
        }
    }

    fn close_link(&mut self) {
        let Some((start, url)) = self.link.take() else {
            return;
        };
        let start = start.min(self.line.len());
        let text = collapse(&self.line[start..]);
        if text.is_empty() {
            return;
        }
        let lead = if self.line[start..].starts_with(' ') {
            " "
        } else {
            ""
        };
        self.line.truncate(start);
        self.line.push_str(&format!("{lead}[{text}]({url})"));
        if !self.links.iter().any(|l| l.text == text && l.url == url) {
            self.links.push(Link { text, url });
        }
    }

    fn text(&mut self, text: &str) {
        if self.skip > 0 {
            return;
        }
        if self.pre > 0 {
            self.line.push_str(text);
            return;
        }
        if let Some((_, h)) = &mut self.heading {
            h.push_str(text);
            h.push(' ');
        }
        for c in text.chars() {
            if c.is_whitespace() {
                if !self.line.is_empty() && !self.line.ends_with(' ') {
                    self.line.push(' ');
                }
            } else {
                self.line.push(c);
            }
        }
    }

    /// End the current block (if it has text). `kind` says how it joins the block before:
    /// items follow items and rows follow rows on the next line, a `<br>` continuation on
    /// the next line, anything else after a blank line.
    fn flush(&mut self, kind: Joint) {
        if self.pre > 0 {
            return;
        }
        let text = self.line.trim().to_owned();
        self.line.clear();
        if let Some((start, _)) = &mut self.link {
            *start = 0;
        }
        let prefix = std::mem::take(&mut self.prefix);
        if text.is_empty() {
            return;
        }
        self.push_block(kind, format!("{prefix}{text}"));
    }

    fn push_block(&mut self, kind: Joint, text: String) {
        let asked = self.next_joint.take();
        self.blocks.push((kind, asked, text));
    }

    fn finish(mut self) -> Readable {
        self.close_link();
        self.flush(Joint::Paragraph);
        let mut text = String::new();
        let mut previous: Option<Joint> = None;
        for (kind, asked, block) in &self.blocks {
            if let Some(prev) = previous {
                let close = match asked {
                    Some(j) => *j == Joint::Break,
                    None => matches!(
                        (prev, kind),
                        (Joint::Item, Joint::Item) | (Joint::Row, Joint::Row)
                    ),
                };
                text.push_str(if close { "\n" } else { "\n\n" });
            }
            text.push_str(block);
            previous = Some(*kind);
        }
        Readable {
            title: self.title,
            text,
            headings: self.headings,
            links: self.links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        "https://example.org/docs/intro.html".parse().unwrap()
    }

    #[test]
    fn headings_paragraphs_lists_and_links_become_readable_text() {
        let html = r#"<!doctype html><html><head><title> The  Guide </title>
            <style>p { color: red }</style><script>alert("no")</script></head>
            <body><nav><a href="/">Home</a></nav>
            <h1>Getting   started</h1>
            <p>Read the <a href="setup.html">setup   notes</a> first.</p>
            <ul><li>one</li><li>two <a href="https://other.net/x?y=1">elsewhere</a></li></ul>
            <ol start="3"><li>third</li><li>fourth</li></ol>
            <h2>Details</h2><p>line one<br>line two</p>
            <a href="javascript:void(0)">click</a></body></html>"#;
        let r = extract(html, &page());
        assert_eq!(r.title.as_deref(), Some("The Guide"));
        assert_eq!(
            r.text,
            "[Home](https://example.org/)\n\n\
             # Getting started\n\n\
             Read the [setup notes](https://example.org/docs/setup.html) first.\n\n\
             - one\n\
             - two [elsewhere](https://other.net/x?y=1)\n\n\
             3. third\n\
             4. fourth\n\n\
             ## Details\n\n\
             line one\n\
             line two\n\n\
             click"
        );
        assert_eq!(
            r.headings,
            vec![
                Heading {
                    level: 1,
                    text: "Getting started".into()
                },
                Heading {
                    level: 2,
                    text: "Details".into()
                },
            ]
        );
        let urls: Vec<&str> = r.links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://example.org/",
                "https://example.org/docs/setup.html",
                "https://other.net/x?y=1"
            ]
        );
        assert!(!r.text.contains("alert") && !r.text.contains("color"));
    }

    #[test]
    fn base_href_tables_nested_lists_and_pre_are_handled() {
        let html = "<html><head><base href='https://cdn.example.com/v2/'></head><body>\
            <table><tr><th>name</th><th>value</th></tr><tr><td>a</td><td>1</td></tr></table>\
            <ul><li>outer<ul><li>inner</li></ul></li></ul>\
            <pre>  let x = 1;\n  let y = 2;</pre>\
            <p><a href='img'><img alt='logo' src='l.png'></a></p></body></html>";
        let r = extract(html, &page());
        assert_eq!(
            r.text,
            "name | value\na | 1\n\n- outer\n  - inner\n\n```\n  let x = 1;\n  let y = 2;\n```\n\n\
             [logo](https://cdn.example.com/v2/img)"
        );
    }

    #[test]
    fn broken_markup_and_deep_nesting_do_not_break_extraction() {
        let r = extract("<p>unclosed <b>bold <i>both</p><p>next", &page());
        assert_eq!(r.text, "unclosed bold both\n\nnext");
        let deep = format!("{}deep{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
        assert_eq!(extract(&deep, &page()).text, "deep");
    }
}
