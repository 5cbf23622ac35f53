//! Markdown to [`Node`]s: pulldown-cmark's events folded into a tree with an explicit stack
//! (no recursion, so deep input cannot overflow), then [`normalize`]d.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use yrs::Any;

use crate::rich_text::schema::normalize;
use crate::rich_text::tree::{empty_object, int, safe_href, Node, Props, MAX_DEPTH};

/// The Markdown dialect: CommonMark with GitHub's tables, task lists and strikethrough.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH
}

/// What a `Start` event opened, so its `End` undoes the same.
enum Opened {
    Element,
    Mark,
    Image { src: String, title: String },
    Ignored,
}

struct Frame {
    tag: &'static str,
    attrs: Props,
    children: Vec<Node>,
}

struct Builder {
    /// The open elements; the first is the body itself.
    stack: Vec<Frame>,
    opened: Vec<Opened>,
    marks: Props,
    /// Mark names in the order they were opened, to close the right one.
    mark_order: Vec<String>,
    /// The alt text of the image being read.
    alt: Option<String>,
    in_table_head: bool,
}

/// Reads Markdown into schema-valid nodes. Raw HTML stays text; links whose address is not a
/// [`safe_href`] keep only their text; images need a safe address.
pub fn markdown_to_nodes(markdown: &str) -> Vec<Node> {
    let mut builder = Builder {
        stack: vec![Frame {
            tag: "doc",
            attrs: Props::new(),
            children: Vec::new(),
        }],
        opened: Vec::new(),
        marks: Props::new(),
        mark_order: Vec::new(),
        alt: None,
        in_table_head: false,
    };
    for event in Parser::new_ext(markdown, options()) {
        builder.event(event);
    }
    while builder.stack.len() > 1 {
        builder.close_element();
    }
    let root = builder.stack.pop().map(|f| f.children).unwrap_or_default();
    normalize(root)
}

impl Builder {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                if let Some(alt) = &mut self.alt {
                    alt.push_str(&code);
                } else {
                    let mut marks = self.marks.clone();
                    marks.insert("code".into(), empty_object());
                    self.push(Node::Text {
                        text: code.to_string(),
                        marks,
                    });
                }
            }
            Event::Html(html) if self.top_tag() == "paragraph" => {
                // An HTML block, shown as its text, line by line.
                let html = html.strip_suffix('\n').unwrap_or(&html);
                for (i, line) in html.split('\n').enumerate() {
                    if i > 0 {
                        self.push(Node::element("hardBreak", Vec::new()));
                    }
                    self.text(line);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            Event::InlineMath(math) | Event::DisplayMath(math) => self.text(&math),
            Event::FootnoteReference(label) => self.text(&format!("[^{label}]")),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => {
                if self.top_tag() == "codeBlock" {
                    self.text("\n");
                } else {
                    self.push(Node::element("hardBreak", Vec::new()));
                }
            }
            Event::Rule => self.push(Node::element("horizontalRule", Vec::new())),
            Event::TaskListMarker(checked) => self.task_marker(checked),
        }
    }

    fn top_tag(&self) -> &'static str {
        self.stack.last().map_or("doc", |f| f.tag)
    }

    fn push(&mut self, node: Node) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let inline = matches!(&node, Node::Text { .. }) || node.tag() == Some("hardBreak");
        if inline && matches!(frame.tag, "listItem" | "taskItem") {
            // A tight item's text comes without a paragraph: it is one all the same.
            match frame.children.last_mut() {
                Some(Node::Element { tag, children, .. }) if tag == "paragraph" => {
                    children.push(node)
                }
                _ => frame.children.push(Node::element("paragraph", vec![node])),
            }
            return;
        }
        frame.children.push(node);
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(alt) = &mut self.alt {
            alt.push_str(text);
            return;
        }
        let marks = if self.top_tag() == "codeBlock" {
            Props::new()
        } else {
            self.marks.clone()
        };
        self.push(Node::Text {
            text: text.to_owned(),
            marks,
        });
    }

    fn open(&mut self, tag: &'static str, attrs: Props) {
        if self.stack.len() >= MAX_DEPTH - 4 || self.alt.is_some() {
            self.opened.push(Opened::Ignored);
            return;
        }
        self.stack.push(Frame {
            tag,
            attrs,
            children: Vec::new(),
        });
        self.opened.push(Opened::Element);
    }

    fn open_mark(&mut self, name: &str, value: Any) {
        if self.marks.contains_key(name) {
            self.opened.push(Opened::Ignored);
            return;
        }
        self.marks.insert(name.to_owned(), value);
        self.mark_order.push(name.to_owned());
        self.opened.push(Opened::Mark);
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.open("paragraph", Props::new()),
            Tag::Heading { level, .. } => {
                let attrs = Props::from([("level".to_owned(), int(level as i64))]);
                self.open("heading", attrs);
            }
            Tag::BlockQuote(_) => self.open("blockquote", Props::new()),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map_or(Any::Null, Any::from)
                    }
                    CodeBlockKind::Indented => Any::Null,
                };
                self.open("codeBlock", Props::from([("language".into(), language)]));
            }
            Tag::List(Some(start)) => {
                let start = int(start.min(999_999_999) as i64);
                self.open("orderedList", Props::from([("start".into(), start)]));
            }
            Tag::List(None) => self.open("bulletList", Props::new()),
            Tag::Item => self.open("listItem", Props::new()),
            Tag::Table(_) => self.open("table", Props::new()),
            Tag::TableHead => {
                self.in_table_head = true;
                self.open("tableRow", Props::new());
            }
            Tag::TableRow => self.open("tableRow", Props::new()),
            Tag::TableCell => {
                let tag = if self.in_table_head {
                    "tableHeader"
                } else {
                    "tableCell"
                };
                self.open(tag, Props::new());
            }
            Tag::Emphasis => self.open_mark("italic", empty_object()),
            Tag::Strong => self.open_mark("bold", empty_object()),
            Tag::Strikethrough => self.open_mark("strike", empty_object()),
            Tag::Link {
                dest_url, title, ..
            } => match safe_href(&dest_url) {
                Some(href) => self.open_mark("link", link_attrs(href, &title)),
                None => self.opened.push(Opened::Ignored),
            },
            Tag::Image {
                dest_url, title, ..
            } if self.alt.is_none() => {
                self.alt = Some(String::new());
                self.opened.push(Opened::Image {
                    src: dest_url.to_string(),
                    title: title.to_string(),
                });
            }
            _ => self.opened.push(Opened::Ignored),
        }
    }

    fn end(&mut self, end: TagEnd) {
        if end == TagEnd::TableHead {
            self.in_table_head = false;
        }
        match self.opened.pop() {
            Some(Opened::Element) => self.close_element(),
            Some(Opened::Mark) => {
                if let Some(name) = self.mark_order.pop() {
                    self.marks.remove(&name);
                }
            }
            Some(Opened::Image { src, title }) => {
                let alt = self.alt.take().unwrap_or_default();
                let mut image = Node::element("image", Vec::new())
                    .with_attr("src", src)
                    .with_attr("alt", alt);
                image = if title.is_empty() {
                    image.with_attr("title", Any::Null)
                } else {
                    image.with_attr("title", title)
                };
                self.push(image);
            }
            Some(Opened::Ignored) | None => {}
        }
    }

    fn close_element(&mut self) {
        if self.stack.len() < 2 {
            return;
        }
        let Some(Frame {
            tag,
            attrs,
            mut children,
        }) = self.stack.pop()
        else {
            return;
        };
        if tag == "codeBlock" {
            if let Some(Node::Text { text, .. }) = children.last_mut() {
                if text.ends_with('\n') {
                    text.pop();
                }
            }
        }
        self.push(Node::Element {
            tag: tag.to_owned(),
            attrs,
            children,
        });
    }

    /// `[ ]` or `[x]` at the start of an item: the item becomes a task, its list a task list.
    fn task_marker(&mut self, checked: bool) {
        let Some(at) = self.stack.iter().rposition(|f| f.tag == "listItem") else {
            return;
        };
        self.stack[at].tag = "taskItem";
        self.stack[at]
            .attrs
            .insert("checked".into(), Any::Bool(checked));
        if at > 0 {
            self.stack[at - 1].tag = "taskList";
            self.stack[at - 1].attrs.clear();
            // Items read before this one become tasks too.
            for item in &mut self.stack[at - 1].children {
                if let Node::Element { tag, attrs, .. } = item {
                    if tag == "listItem" {
                        *tag = "taskItem".into();
                        attrs.insert("checked".into(), Any::Bool(false));
                    }
                }
            }
        }
    }
}

/// A link mark's attributes as Tiptap stores them.
fn link_attrs(href: String, title: &str) -> Any {
    let mut attrs = std::collections::HashMap::new();
    attrs.insert("href".to_owned(), Any::from(href));
    attrs.insert("target".to_owned(), Any::Null);
    attrs.insert("rel".to_owned(), Any::from("noopener noreferrer nofollow"));
    attrs.insert("class".to_owned(), Any::Null);
    if !title.is_empty() {
        attrs.insert("title".to_owned(), Any::from(title));
    }
    Any::from(attrs)
}
