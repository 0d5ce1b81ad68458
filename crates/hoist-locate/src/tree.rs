//! A YAML stream as a small tree of nodes that remember where they are in
//! the text. Built from saphyr-parser's events; nothing is re-serialised, so
//! edits are made on the original bytes.

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};

/// Index of a node in [`Tree::nodes`].
pub(crate) type NodeId = usize;

/// How deep collections may nest. Kubernetes manifests and Helm values stay
/// within a few dozen levels; the cap keeps every recursive walk of a tree
/// (here and in the writers) far from the end of a thread's stack, which a
/// hostile file nested 100,000 deep would otherwise reach and crash the
/// process, as a stack overflow cannot be caught.
pub(crate) const MAX_DEPTH: usize = 256;

/// A parsed YAML stream (JSON is parsed the same way: it is YAML's flow style).
#[derive(Debug)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    /// The root node of each document, in order.
    pub documents: Vec<NodeId>,
    anchors: HashMap<usize, NodeId>,
}

#[derive(Debug)]
pub(crate) enum Node {
    Scalar(Scalar),
    /// Key and value pairs in written order (duplicates kept: they are an ambiguity).
    Mapping(Vec<(NodeId, NodeId)>),
    Sequence(Vec<NodeId>),
    /// `*name`: the anchor id it refers to.
    Alias(usize),
}

#[derive(Debug)]
pub(crate) struct Scalar {
    /// The value after unquoting and unescaping.
    pub value: String,
    pub style: ScalarStyle,
    /// Byte range the parser reports. It may include an anchor or tag before
    /// the value; [`crate::scalar`] finds the value's exact bytes.
    pub span: Range<usize>,
    /// 1-based line where the scalar starts.
    pub line: usize,
}

/// A parse failure with a 1-based line and column.
pub(crate) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub problem: String,
}

impl Tree {
    pub fn parse(text: &str) -> Result<Tree, SyntaxError> {
        let offsets = ByteOffsets::new(text);
        let mut events = Vec::new();
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| syntax(&e))?;
            events.push((event, span));
        }
        let mut builder = Builder {
            tree: Tree {
                nodes: Vec::new(),
                documents: Vec::new(),
                anchors: HashMap::new(),
            },
            offsets,
            depth: 0,
        };
        let mut events = events.into_iter();
        while let Some((event, span)) = events.next() {
            if let Event::DocumentStart(_) = event {
                // An empty document (`---` alone) still starts and ends; give it no root.
                if let Some(root) = builder.node(&mut events)? {
                    builder.tree.documents.push(root);
                }
            }
            let _ = span;
        }
        Ok(builder.tree)
    }

    /// The node itself, or for an alias the anchored node it stands for.
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match &self.nodes[id] {
            Node::Alias(anchor) => self.anchors.get(anchor).copied().unwrap_or(id),
            _ => id,
        }
    }

    pub fn scalar(&self, id: NodeId) -> Option<&Scalar> {
        match &self.nodes[self.resolve(id)] {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Values of `key` in a mapping, including those merged in with `<<:`
    /// (explicit keys win over merged ones, as YAML's merge key says; merged
    /// sources are searched depth first in their written order).
    ///
    /// Iterative, and each mapping is searched once: merges of merges can be
    /// as deep as a file has anchors, and a lattice of `<<: [*a, *a]` would
    /// take exponential time if shared sources were searched again (a source
    /// searched before found nothing, or the search would have ended).
    pub fn get(&self, mapping: NodeId, key: &str) -> Vec<NodeId> {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![mapping];
        while let Some(next) = stack.pop() {
            let id = self.resolve(next);
            if !seen.insert(id) {
                continue;
            }
            let Node::Mapping(entries) = &self.nodes[id] else {
                continue;
            };
            let own: Vec<NodeId> = entries
                .iter()
                .filter(|(k, _)| self.scalar(*k).is_some_and(|s| s.value == key))
                .map(|(_, v)| *v)
                .collect();
            if !own.is_empty() {
                return own;
            }
            let mut sources = Vec::new();
            for (k, v) in entries {
                if self
                    .scalar(*k)
                    .is_some_and(|s| s.value == "<<" && s.style == ScalarStyle::Plain)
                {
                    match &self.nodes[self.resolve(*v)] {
                        Node::Sequence(items) => sources.extend(items.iter().copied()),
                        _ => sources.push(*v),
                    }
                }
            }
            stack.extend(sources.into_iter().rev());
        }
        Vec::new()
    }

    /// Keys of a mapping, for "it has …" hints.
    pub fn keys(&self, mapping: NodeId) -> Vec<String> {
        match &self.nodes[self.resolve(mapping)] {
            Node::Mapping(entries) => entries
                .iter()
                .filter_map(|(k, _)| self.scalar(*k).map(|s| s.value.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every mapping value reachable from the documents (aliases not
    /// followed, so a value shared through an anchor is seen once), depth first.
    pub fn entries(&self) -> Vec<(NodeId, NodeId)> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = self.documents.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            match &self.nodes[id] {
                Node::Mapping(entries) => {
                    out.extend(entries.iter().copied());
                    stack.extend(entries.iter().rev().map(|(_, v)| *v));
                }
                Node::Sequence(items) => stack.extend(items.iter().rev()),
                Node::Scalar(_) | Node::Alias(_) => {}
            }
        }
        out
    }

    /// A short description of what a node is, for messages.
    pub fn kind(&self, id: NodeId) -> &'static str {
        match &self.nodes[self.resolve(id)] {
            Node::Scalar(_) => "a scalar",
            Node::Mapping(_) => "a mapping",
            Node::Sequence(_) => "a list",
            Node::Alias(_) => "an alias to an unknown anchor",
        }
    }

    /// The 1-based line a node starts on (the first scalar inside it).
    pub fn line(&self, id: NodeId) -> usize {
        match &self.nodes[id] {
            Node::Scalar(s) => s.line,
            Node::Mapping(entries) => entries.first().map_or(0, |(k, _)| self.line(*k)),
            Node::Sequence(items) => items.first().map_or(0, |i| self.line(*i)),
            Node::Alias(_) => 0,
        }
    }
}

struct Builder {
    tree: Tree,
    offsets: ByteOffsets,
    /// Collections open around the node being read.
    depth: usize,
}

impl Builder {
    /// Reads one node (and its children) from the events; `None` at the end
    /// of a document or collection.
    fn node<'input>(
        &mut self,
        events: &mut impl Iterator<Item = (Event<'input>, Span)>,
    ) -> Result<Option<NodeId>, SyntaxError> {
        let Some((event, span)) = events.next() else {
            return Ok(None);
        };
        let node = match event {
            Event::Scalar(value, style, anchor, _) => {
                let node = Node::Scalar(Scalar {
                    value: value.into_owned(),
                    style,
                    span: self.offsets.byte(span.start.index())
                        ..self.offsets.byte(span.end.index()),
                    line: span.start.line(),
                });
                return Ok(Some(self.push(node, anchor)));
            }
            Event::Alias(anchor) => {
                // Anchors are recorded when their node is complete, so an
                // alias to one not yet recorded is inside the node it names:
                // a cycle (`a: &x {<<: *x}`), which no lookup could finish.
                if !self.tree.anchors.contains_key(&anchor) {
                    return Err(SyntaxError {
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        problem: "an alias inside the node it refers to (a cycle)".to_owned(),
                    });
                }
                Node::Alias(anchor)
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if self.depth >= MAX_DEPTH => {
                return Err(SyntaxError {
                    line: span.start.line(),
                    column: span.start.col() + 1,
                    problem: format!("collections nested more than {MAX_DEPTH} deep"),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.depth += 1;
                let mut entries = Vec::new();
                while let Some(key) = self.node(events)? {
                    let value = self.node(events)?.ok_or_else(|| SyntaxError {
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        problem: "a mapping key without a value".to_owned(),
                    })?;
                    entries.push((key, value));
                }
                self.depth -= 1;
                return Ok(Some(self.push(Node::Mapping(entries), anchor)));
            }
            Event::SequenceStart(anchor, _) => {
                self.depth += 1;
                let mut items = Vec::new();
                while let Some(item) = self.node(events)? {
                    items.push(item);
                }
                self.depth -= 1;
                return Ok(Some(self.push(Node::Sequence(items), anchor)));
            }
            Event::MappingEnd
            | Event::SequenceEnd
            | Event::DocumentEnd
            | Event::StreamEnd
            | Event::StreamStart
            | Event::DocumentStart(_)
            | Event::Nothing => return Ok(None),
        };
        Ok(Some(self.push(node, 0)))
    }

    fn push(&mut self, node: Node, anchor: usize) -> NodeId {
        let id = self.tree.nodes.len();
        self.tree.nodes.push(node);
        // Anchor id 0 means "no anchor".
        if anchor != 0 {
            self.tree.anchors.insert(anchor, id);
        }
        id
    }
}

fn syntax(e: &ScanError) -> SyntaxError {
    SyntaxError {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        problem: e.info().to_owned(),
    }
}

/// The parser counts characters; edits need bytes.
struct ByteOffsets(Option<Vec<usize>>);

impl ByteOffsets {
    fn new(text: &str) -> ByteOffsets {
        if text.is_ascii() {
            return ByteOffsets(None);
        }
        let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        starts.push(text.len());
        ByteOffsets(Some(starts))
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.0 {
            None => char_index,
            Some(starts) => starts
                .get(char_index)
                .copied()
                .unwrap_or_else(|| *starts.last().unwrap_or(&0)),
        }
    }
}
