//! Adding a version where a file does not set one yet: a missing key under
//! an existing block mapping (`image.tag` in a values file that only sets
//! `image.repository`), or a new `images:` entry in a kustomization.
//!
//! An environment that inherits its version from a base gets its own value
//! this way, in its own file. Invariant, as for writes: the new bytes are
//! inserted as whole lines; every byte of the original text stays, in order.

use crate::path::Segment;
use crate::scalar;
use crate::tree::{Node, NodeId, Tree};

/// Lines to insert at a byte offset (always the start of a line, or the end
/// of the text), or why the value cannot be added.
pub(crate) struct Insertion {
    pub at: usize,
    pub lines: String,
}

/// Where `segments` stop existing in the tree, and the new lines that add the
/// rest of the path with `value` at its end. Only mapping keys can be added;
/// the existing prefix may use selections and indices.
pub(crate) fn key_path(
    tree: &Tree,
    text: &str,
    segments: &[Segment],
    value: &str,
) -> Result<Insertion, String> {
    // The deepest node the path reaches, in each document where it reaches it.
    let mut best: Vec<(usize, NodeId)> = Vec::new();
    for &root in &tree.documents {
        let (depth, node) = reach(tree, root, segments);
        match best.first() {
            Some((d, _)) if *d > depth => {}
            Some((d, _)) if *d == depth => best.push((depth, node)),
            _ => best = vec![(depth, node)],
        }
    }
    let Some(&(depth, node)) = best.first() else {
        return Err("the file has no YAML documents to add the key to".to_owned());
    };
    if best.len() > 1 {
        return Err(format!(
            "{} documents match the path equally far; the key would have no single place",
            best.len()
        ));
    }
    if depth == segments.len() {
        return Err("the key is already there".to_owned());
    }
    let rest = &segments[depth..];
    let mut keys = Vec::with_capacity(rest.len());
    for segment in rest {
        match segment {
            Segment::Key(k) => keys.push(k.as_str()),
            Segment::Index(_) | Segment::Select { .. } => {
                return Err(
                    "the missing part of the path selects a list item, which Hoist does not create; add the item by hand".to_owned(),
                );
            }
        }
    }
    let node = tree.resolve(node);
    let Node::Mapping(entries) = &tree.nodes[node] else {
        return Err(format!(
            "the path reaches {} where it needs a mapping to add `{}` to",
            tree.kind(node),
            keys[0]
        ));
    };
    let block = block_mapping(tree, text, entries)?;
    let step = indent_step(tree, text).unwrap_or(2);
    let value = render_value(value)?;
    let mut lines = String::new();
    if block.open {
        lines.push_str(block.newline);
    }
    for (i, key) in keys.iter().enumerate() {
        let pad = " ".repeat(block.indent + i * step);
        if i + 1 == keys.len() {
            lines.push_str(&format!("{pad}{}: {value}", render_key(key)));
        } else {
            lines.push_str(&format!("{pad}{}:", render_key(key)));
        }
        lines.push_str(block.newline);
    }
    Ok(Insertion {
        at: block.end,
        lines,
    })
}

/// A new entry `{name: image, <field>: value}` in a kustomization's `images:`
/// list, creating the list when the file has none.
pub(crate) fn kustomize_image(
    tree: &Tree,
    text: &str,
    image: &str,
    field: &str,
    value: &str,
) -> Result<Insertion, String> {
    let [root] = tree.documents.as_slice() else {
        return Err(
            "a kustomization is one YAML document; this file has several or none".to_owned(),
        );
    };
    let root = tree.resolve(*root);
    let Node::Mapping(entries) = &tree.nodes[root] else {
        return Err(format!(
            "the kustomization is {}, not a mapping",
            tree.kind(root)
        ));
    };
    let value = render_value(value)?;
    let name = render_value(image)?;
    let images = tree.get(root, "images");
    match images.as_slice() {
        [] => {
            let block = block_mapping(tree, text, entries)?;
            // Dashes indented like the file's other lists (`resources:`), else at the key's column.
            let dash = list_indent(tree, text, entries).unwrap_or(block.indent);
            let pad = " ".repeat(block.indent);
            let item = " ".repeat(dash);
            let nl = block.newline;
            let lead = if block.open { nl } else { "" };
            Ok(Insertion {
                at: block.end,
                lines: format!(
                    "{lead}{pad}images:{nl}{item}- name: {name}{nl}{item}  {field}: {value}{nl}"
                ),
            })
        }
        [list] => {
            let list = tree.resolve(*list);
            let Node::Sequence(items) = &tree.nodes[list] else {
                return Err(format!(
                    "`images` is {}, not a list of images",
                    tree.kind(list)
                ));
            };
            let Some(&first) = items.first() else {
                return Err(
                    "`images` is an empty flow list (`[]`); add the entry by hand".to_owned(),
                );
            };
            let first_key = first_scalar_start(tree, first)
                .ok_or("the first entry of `images` is not a mapping")?;
            let (line_start, column) = column_of(text, first_key);
            let before = &text[line_start..first_key];
            // `- name: x`: the dash sits two columns before the entry's keys.
            let Some(dash) = before.rfind('-').filter(|_| before.trim() == "-") else {
                return Err("`images` is written in flow style; add the entry by hand".to_owned());
            };
            let end = block_end(text, subtree_end(tree, list), dash);
            let nl = newline(text);
            let item = " ".repeat(dash);
            let inner = " ".repeat(column);
            Ok(Insertion {
                at: end.0,
                lines: format!(
                    "{}{item}- name: {name}{nl}{inner}{field}: {value}{nl}",
                    if end.1 { nl } else { "" }
                ),
            })
        }
        _ => Err("`images` appears twice".to_owned()),
    }
}

/// How far `segments` lead from `node`: the number followed and the node reached.
fn reach(tree: &Tree, node: NodeId, segments: &[Segment]) -> (usize, NodeId) {
    let mut at = node;
    for (depth, segment) in segments.iter().enumerate() {
        let here = tree.resolve(at);
        let next = match segment {
            Segment::Key(key) => match tree.get(here, key).as_slice() {
                [one] => Some(*one),
                _ => None,
            },
            Segment::Index(i) => match &tree.nodes[here] {
                Node::Sequence(items) => items.get(*i).copied(),
                _ => None,
            },
            Segment::Select { key, value } => match &tree.nodes[here] {
                Node::Sequence(items) => {
                    let matching: Vec<NodeId> = items
                        .iter()
                        .copied()
                        .filter(|item| {
                            tree.get(*item, key)
                                .iter()
                                .any(|v| tree.scalar(*v).is_some_and(|s| s.value == *value))
                        })
                        .collect();
                    match matching.as_slice() {
                        [one] => Some(*one),
                        _ => None,
                    }
                }
                _ => None,
            },
        };
        match next {
            Some(n) => at = n,
            None => return (depth, at),
        }
    }
    (segments.len(), at)
}

/// A block mapping's key column, where a new last entry goes, and the file's line ending.
struct Block {
    indent: usize,
    end: usize,
    /// The text ends at `end` without a line break: the new lines start with one.
    open: bool,
    newline: &'static str,
}

fn block_mapping(tree: &Tree, text: &str, entries: &[(NodeId, NodeId)]) -> Result<Block, String> {
    let Some(&(first_key, _)) = entries.first() else {
        return Err("the mapping is empty (`{}`); add the key by hand".to_owned());
    };
    let start = tree
        .scalar(first_key)
        .map(|s| s.span.start)
        .ok_or("the mapping's first key is not a scalar")?;
    let (line_start, column) = column_of(text, start);
    if !text[line_start..start].trim().is_empty() && !text[line_start..start].trim().ends_with('-')
    {
        return Err(
            "the mapping is written in flow style (`{ … }`); add the key by hand".to_owned(),
        );
    }
    let last = entries
        .iter()
        .map(|(k, v)| subtree_end(tree, *k).max(subtree_end(tree, *v)))
        .max()
        .unwrap_or(start);
    let (end, open) = block_end(text, last, column);
    Ok(Block {
        indent: column,
        end,
        open,
        newline: newline(text),
    })
}

/// The offset just past the last line of a block whose content is indented
/// more than `column` (or is the line holding `last`), and whether the text
/// ends there without a newline.
fn block_end(text: &str, last: usize, column: usize) -> (usize, bool) {
    // A block scalar's span ends after its last line break.
    let mut end = if last > 0 && text[..last].ends_with('\n') {
        last
    } else {
        match text[last..].find('\n') {
            Some(i) => last + i + 1,
            None => return (text.len(), true),
        }
    };
    let mut at = end;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = &text[at..line_end];
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let blank = content.trim().is_empty() || content.starts_with('#');
        if !blank {
            if indent <= column {
                break;
            }
            end = line_end;
        }
        at = line_end;
    }
    let open = end == text.len() && !text.ends_with('\n');
    (end, open)
}

/// The largest byte offset any scalar under `node` reaches (aliases are not followed).
fn subtree_end(tree: &Tree, node: NodeId) -> usize {
    match &tree.nodes[node] {
        Node::Scalar(s) => s.span.end,
        Node::Mapping(entries) => entries
            .iter()
            .map(|(k, v)| subtree_end(tree, *k).max(subtree_end(tree, *v)))
            .max()
            .unwrap_or(0),
        Node::Sequence(items) => items
            .iter()
            .map(|i| subtree_end(tree, *i))
            .max()
            .unwrap_or(0),
        Node::Alias(_) => 0,
    }
}

fn first_scalar_start(tree: &Tree, node: NodeId) -> Option<usize> {
    match &tree.nodes[tree.resolve(node)] {
        Node::Mapping(entries) => entries
            .first()
            .and_then(|(k, _)| tree.scalar(*k).map(|s| s.span.start)),
        _ => None,
    }
}

/// The start of the line holding `at`, and `at`'s column on it.
fn column_of(text: &str, at: usize) -> (usize, usize) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line_start, at - line_start)
}

/// The column of the dashes of the first block list among a mapping's values, if any.
fn list_indent(tree: &Tree, text: &str, entries: &[(NodeId, NodeId)]) -> Option<usize> {
    entries
        .iter()
        .find_map(|(_, v)| match &tree.nodes[tree.resolve(*v)] {
            Node::Sequence(items) => {
                let item = items.first()?;
                let start = match &tree.nodes[tree.resolve(*item)] {
                    Node::Scalar(s) => s.span.start,
                    Node::Mapping(_) => first_scalar_start(tree, *item)?,
                    _ => return None,
                };
                let (line_start, _) = column_of(text, start);
                let before = &text[line_start..start];
                (before.trim() == "-").then(|| before.find('-')).flatten()
            }
            _ => None,
        })
}

/// The indentation step the file uses: the smallest positive difference
/// between a block mapping's keys and its parent's.
fn indent_step(tree: &Tree, text: &str) -> Option<usize> {
    let mut step: Option<usize> = None;
    for (key, value) in tree.entries() {
        let (Some(k), Node::Mapping(children)) = (tree.scalar(key), &tree.nodes[value]) else {
            continue;
        };
        let Some(child) = children.first().and_then(|(c, _)| tree.scalar(*c)) else {
            continue;
        };
        let (_, parent_col) = column_of(text, k.span.start);
        let (start, child_col) = column_of(text, child.span.start);
        if !text[start..child.span.start].trim().is_empty() {
            continue;
        }
        if child_col > parent_col {
            let d = child_col - parent_col;
            step = Some(step.map_or(d, |s| s.min(d)));
        }
    }
    step
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// A version as a plain scalar when it reads back as the same string, else double-quoted.
fn render_value(value: &str) -> Result<String, String> {
    scalar::render(saphyr_parser::ScalarStyle::Plain, "x", value, false)
}

fn render_key(key: &str) -> String {
    render_value(key).unwrap_or_else(|_| format!("{key:?}"))
}
