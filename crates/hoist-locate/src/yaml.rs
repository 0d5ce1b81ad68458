//! Locators that search the YAML (or JSON) tree: key paths, kustomize
//! images, container images and Flux markers. Each returns the matching
//! scalars; the caller insists on exactly one.

use std::ops::Range;

use crate::image;
use crate::path::{self, Segment};
use crate::tree::{Node, NodeId, Tree};

/// A scalar matched by a locator, and the part of its value that is the version.
pub(crate) struct Hit {
    pub node: NodeId,
    /// The version's range within the scalar's value (`None`: the whole value).
    pub part: Option<Range<usize>>,
}

/// Follows `segments` from every document root. On no match, the error
/// says how far the path got.
pub(crate) fn follow(tree: &Tree, segments: &[Segment]) -> Result<Vec<Hit>, String> {
    let mut current: Vec<NodeId> = tree.documents.clone();
    if current.is_empty() {
        return Err("the file has no YAML documents".to_owned());
    }
    for (depth, segment) in segments.iter().enumerate() {
        let mut next = Vec::new();
        for &node in &current {
            let node = tree.resolve(node);
            match segment {
                Segment::Key(key) => next.extend(tree.get(node, key)),
                Segment::Index(i) => {
                    if let Node::Sequence(items) = &tree.nodes[node] {
                        next.extend(items.get(*i).copied());
                    }
                }
                Segment::Select { key, value } => {
                    if let Node::Sequence(items) = &tree.nodes[node] {
                        next.extend(items.iter().copied().filter(|item| {
                            tree.get(*item, key)
                                .iter()
                                .any(|v| tree.scalar(*v).is_some_and(|s| s.value == *value))
                        }));
                    }
                }
            }
        }
        if next.is_empty() {
            return Err(missing(tree, &current, &segments[..depth], segment));
        }
        // One node reached twice (through aliases) is one place; keeping
        // both would multiply at every segment, without bound for a file
        // that lists the same alias thousands of times.
        let mut seen = std::collections::HashSet::new();
        next.retain(|node| seen.insert(tree.resolve(*node)));
        current = next;
    }
    Ok(current
        .into_iter()
        .map(|node| Hit { node, part: None })
        .collect())
}

/// Explains why `segment` found nothing under the nodes reached by `done`.
fn missing(tree: &Tree, at: &[NodeId], done: &[Segment], segment: &Segment) -> String {
    let place = if done.is_empty() {
        "the document".to_owned()
    } else {
        format!("`{}`", path::render(done))
    };
    let node = at[0];
    match segment {
        Segment::Key(key) => match &tree.nodes[tree.resolve(node)] {
            Node::Mapping(_) => {
                let keys = tree.keys(node);
                format!("{place} has no key `{key}`; it has {}", list(&keys))
            }
            _ => format!(
                "{place} is {}, not a mapping with key `{key}`",
                tree.kind(node)
            ),
        },
        Segment::Index(i) => match &tree.nodes[tree.resolve(node)] {
            Node::Sequence(items) => format!("{place} has {} items, so no [{i}]", items.len()),
            _ => format!("{place} is {}, not a list", tree.kind(node)),
        },
        Segment::Select { key, value } => match &tree.nodes[tree.resolve(node)] {
            Node::Sequence(items) => {
                let seen: Vec<String> = items
                    .iter()
                    .flat_map(|item| tree.get(*item, key))
                    .filter_map(|v| tree.scalar(v).map(|s| s.value.clone()))
                    .collect();
                format!(
                    "no item of {place} has {key}: {value}; the items have {key} {}",
                    list(&seen)
                )
            }
            _ => format!("{place} is {}, not a list", tree.kind(node)),
        },
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `images:` entry of a kustomization whose `name` is `image`, field `field`.
pub(crate) fn kustomize(tree: &Tree, image: &str, field: &str) -> Result<Vec<Hit>, String> {
    let segments = [
        Segment::Key("images".to_owned()),
        Segment::Select {
            key: "name".to_owned(),
            value: image.to_owned(),
        },
        Segment::Key(field.to_owned()),
    ];
    follow(tree, &segments)
}

/// The tag (or digest) of the `image:` of every container named `name`, in
/// any `containers:` or `initContainers:` list of any document.
pub(crate) fn container(tree: &Tree, name: &str) -> Result<Vec<Hit>, String> {
    let mut hits = Vec::new();
    let mut seen = Vec::new();
    for (key, value) in tree.entries() {
        let is_list = tree
            .scalar(key)
            .is_some_and(|k| k.value == "containers" || k.value == "initContainers");
        let Node::Sequence(items) = &tree.nodes[tree.resolve(value)] else {
            continue;
        };
        if !is_list {
            continue;
        }
        for item in items {
            let names: Vec<String> = tree
                .get(*item, "name")
                .iter()
                .filter_map(|n| tree.scalar(*n).map(|s| s.value.clone()))
                .collect();
            seen.extend(names.iter().cloned());
            if !names.iter().any(|n| n == name) {
                continue;
            }
            for image_node in tree.get(*item, "image") {
                let scalar = tree
                    .scalar(image_node)
                    .ok_or("the container's `image` is not a scalar")?;
                let part = image::version(&scalar.value)
                    .map_err(|why| format!("container {name}: image {:?} {why}", scalar.value))?;
                hits.push(Hit {
                    node: image_node,
                    part: Some(part),
                });
            }
        }
    }
    if hits.is_empty() {
        return Err(if seen.is_empty() {
            "no `containers:` list with named containers in any document".to_owned()
        } else {
            format!(
                "no container is named `{name}`; the containers are {}",
                list(&seen)
            )
        });
    }
    Ok(hits)
}

/// The value on each line carrying the Flux marker `{"$imagepolicy": "<policy>"}`.
/// `ns:name:tag` (and `:digest`) markers hold the version itself;
/// `ns:name` markers hold an image reference whose tag is the version.
pub(crate) fn flux(tree: &Tree, text: &str, policy: &str) -> Result<Vec<Hit>, String> {
    let whole_value = policy.split(':').count() == 3;
    let marked_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| marker(line).is_some_and(|p| p == policy))
        .map(|(i, _)| i + 1)
        .collect();
    if marked_lines.is_empty() {
        return Err(format!(
            "no line carries the marker {{\"$imagepolicy\": \"{policy}\"}}"
        ));
    }
    let mut hits = Vec::new();
    for (_, value) in tree.entries() {
        let Node::Scalar(scalar) = &tree.nodes[value] else {
            continue;
        };
        if !marked_lines.contains(&scalar.line) {
            continue;
        }
        let part =
            if whole_value {
                None
            } else {
                Some(image::version(&scalar.value).map_err(|why| {
                    format!("line {}: image {:?} {why}", scalar.line, scalar.value)
                })?)
            };
        hits.push(Hit { node: value, part });
    }
    if hits.is_empty() {
        return Err(format!(
            "the marker for {policy} is on line {} but no `key: value` is there",
            marked_lines[0]
        ));
    }
    Ok(hits)
}

/// The policy named by a Flux setter comment on `line`, if any.
fn marker(line: &str) -> Option<&str> {
    let at = line.find("\"$imagepolicy\"")?;
    let rest = line[at + "\"$imagepolicy\"".len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}
