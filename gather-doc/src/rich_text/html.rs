//! [`Node`]s as HTML for export and printing: every text and attribute escaped, only known
//! elements written, links only with a [`safe_href`], images only with a [`safe_image_src`].

use yrs::Any;

use super::tree::{attr_int, attr_str, safe_href, safe_image_src, Node, MAX_DEPTH};

/// Marks in the order they nest, outermost first.
const MARK_TAGS: [(&str, &str); 6] = [
    ("bold", "strong"),
    ("italic", "em"),
    ("underline", "u"),
    ("strike", "s"),
    ("highlight", "mark"),
    ("code", "code"),
];

/// The body's HTML (no `<html>` or `<body>`), best of [`super::normalize`]d nodes.
pub fn nodes_to_html(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        block(node, &mut out, 0);
    }
    out
}

/// A complete printable page: `<!doctype html>`, UTF-8, the title, a small inline style (the
/// only style; no scripts), and the body.
pub fn standalone_html(title: &str, lang: &str, nodes: &[Node]) -> String {
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(35)
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1 class=\"title\">{}</h1>\n{}</main>\n</body>\n</html>\n",
        escape(title),
        escape(title),
        nodes_to_html(nodes)
    )
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,\"PingFang SC\",\"Microsoft YaHei\",\
sans-serif;line-height:1.6;color:#111;margin:0}main{max-width:46rem;margin:2rem auto;padding:0 1rem}\
pre{background:#f4f4f4;padding:.75rem;overflow-x:auto;white-space:pre-wrap}\
code{font-family:ui-monospace,Menlo,Consolas,monospace}\
blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1rem;color:#444}\
table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem;vertical-align:top}\
img{max-width:100%}ul.tasks{list-style:none;padding-left:1.2rem}\
@media print{main{margin:0;max-width:none}a{color:inherit}pre{white-space:pre-wrap}\
tr,img,pre{break-inside:avoid}}";

/// Text or an attribute value with `& < > " '` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn children(nodes: &[Node], out: &mut String, depth: usize) {
    for node in nodes {
        block(node, out, depth + 1);
    }
}

fn block(node: &Node, out: &mut String, depth: usize) {
    let Node::Element {
        tag,
        children: kids,
        ..
    } = node
    else {
        inlines(std::slice::from_ref(node), out);
        return;
    };
    if depth > MAX_DEPTH * 2 {
        return;
    }
    match tag.as_str() {
        "paragraph" => wrap("p", "", kids, out, inlines),
        "heading" => {
            let level = attr_int(node.attr("level")).unwrap_or(1).clamp(1, 6);
            wrap(&format!("h{level}"), "", kids, out, inlines);
        }
        "codeBlock" => {
            let class = attr_str(node.attr("language"))
                .map(|l| format!(" class=\"language-{}\"", escape(l)))
                .unwrap_or_default();
            out.push_str(&format!(
                "<pre><code{class}>{}</code></pre>\n",
                escape(&node.plain_text())
            ));
        }
        "blockquote" => wrap("blockquote", "", kids, out, |k, o| children(k, o, depth)),
        "bulletList" => wrap("ul", "", kids, out, |k, o| children(k, o, depth)),
        "orderedList" => {
            let start = attr_int(node.attr("start")).unwrap_or(1);
            let attrs = if start == 1 {
                String::new()
            } else {
                format!(" start=\"{start}\"")
            };
            wrap("ol", &attrs, kids, out, |k, o| children(k, o, depth));
        }
        "taskList" => wrap("ul", " class=\"tasks\"", kids, out, |k, o| {
            children(k, o, depth)
        }),
        "listItem" => wrap("li", "", kids, out, |k, o| children(k, o, depth)),
        "taskItem" => {
            let checked = matches!(node.attr("checked"), Some(Any::Bool(true)));
            out.push_str("<li><input type=\"checkbox\" disabled");
            out.push_str(if checked { " checked>" } else { ">" });
            children(kids, out, depth);
            out.push_str("</li>\n");
        }
        "table" => wrap("table", "", kids, out, |k, o| children(k, o, depth)),
        "tableRow" => wrap("tr", "", kids, out, |k, o| children(k, o, depth)),
        "tableCell" | "tableHeader" => {
            let name = if tag == "tableHeader" { "th" } else { "td" };
            let mut attrs = String::new();
            for key in ["colspan", "rowspan"] {
                if let Some(n) = attr_int(node.attr(key)).filter(|n| *n > 1) {
                    attrs.push_str(&format!(" {key}=\"{}\"", n.min(1000)));
                }
            }
            wrap(name, &attrs, kids, out, |k, o| children(k, o, depth));
        }
        "horizontalRule" => out.push_str("<hr>\n"),
        "image" => {
            if let Some(src) = attr_str(node.attr("src")).and_then(safe_image_src) {
                let alt = attr_str(node.attr("alt")).unwrap_or("");
                out.push_str(&format!(
                    "<p><img src=\"{}\" alt=\"{}\"",
                    escape(&src),
                    escape(alt)
                ));
                if let Some(title) = attr_str(node.attr("title")) {
                    out.push_str(&format!(" title=\"{}\"", escape(title)));
                }
                out.push_str("></p>\n");
            }
        }
        "hardBreak" => out.push_str("<br>"),
        // Unknown elements: their content, escaped.
        _ => children(kids, out, depth),
    }
}

fn wrap(
    name: &str,
    attrs: &str,
    kids: &[Node],
    out: &mut String,
    inner: impl FnOnce(&[Node], &mut String),
) {
    out.push_str(&format!("<{name}{attrs}>"));
    inner(kids, out);
    out.push_str(&format!("</{name}>\n"));
}

fn inlines(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text { text, marks } => {
                let link = match marks.get("link") {
                    Some(Any::Map(map)) => attr_str(map.get("href")).and_then(safe_href),
                    _ => None,
                };
                if let Some(href) = &link {
                    out.push_str(&format!(
                        "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">",
                        escape(href)
                    ));
                }
                let open: Vec<&str> = MARK_TAGS
                    .iter()
                    .filter(|(name, _)| marks.contains_key(*name))
                    .map(|(_, tag)| *tag)
                    .collect();
                for tag in &open {
                    out.push_str(&format!("<{tag}>"));
                }
                out.push_str(&escape(text));
                for tag in open.iter().rev() {
                    out.push_str(&format!("</{tag}>"));
                }
                if link.is_some() {
                    out.push_str("</a>");
                }
            }
            Node::Element { tag, .. } if tag == "hardBreak" => out.push_str("<br>"),
            Node::Element { .. } => out.push_str(&escape(&node.plain_text())),
        }
    }
}
