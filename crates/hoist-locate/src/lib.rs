//! Version locators: how to find an app's version inside one file, and how to
//! write a new one there while every other byte of the file stays as it was.
//!
//! Invariant for every locator: `read(write(content, v)) == v`, and `write`
//! changes only the bytes of the located value (plus the quotes a plain
//! value may need so the file still parses to the same type). `write`
//! checks the first half itself before returning.

use std::fmt;
use std::ops::Range;

mod error;
mod image;
mod insert;
mod path;
mod scalar;
mod tree;
mod yaml;

pub use error::Error;

use tree::Tree;
use yaml::Hit;

/// Where an app's version lives inside a file. Serialised in `.hoist.yaml`
/// as a single-key map, e.g. `{ yaml: image.tag }`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Locator {
    /// A key path in a YAML file: `image.tag`, `apps[name=api].version`, `containers[0].image`.
    Yaml(String),
    /// A kustomize `images:` entry selected by `name`.
    Kustomize {
        /// The `name` of the entry in `images:`.
        image: String,
        /// Which field holds the version.
        #[serde(default, skip_serializing_if = "KustomizeField::is_new_tag")]
        field: KustomizeField,
    },
    /// The tag of a container image in Kubernetes manifests, selected by container name.
    Container(String),
    /// A key path in a JSON file, e.g. `drySha`.
    Json(String),
    /// A Flux image-automation marker, e.g. `flux-system:podinfo:tag`.
    Flux(String),
    /// A regular expression with exactly one capture group around the version.
    Regex(String),
}

/// The field of a kustomize image entry that carries the version.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum KustomizeField {
    /// `newTag`
    #[default]
    NewTag,
    /// `digest`
    Digest,
}

impl KustomizeField {
    /// Whether this is `newTag`, the default, left out when written.
    pub fn is_new_tag(&self) -> bool {
        *self == KustomizeField::NewTag
    }

    fn key(self) -> &'static str {
        match self {
            KustomizeField::NewTag => "newTag",
            KustomizeField::Digest => "digest",
        }
    }
}

/// A version found in a file, with the bytes it occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The version as a plain string (unquoted, unescaped).
    pub value: String,
    /// Byte range of the value in the file, quotes excluded.
    pub span: Range<usize>,
    /// 1-based line of the value.
    pub line: usize,
}

/// The one place a locator found, and how a new value is written there.
struct Site {
    located: Located,
    /// The bytes a write replaces (quotes included for a whole scalar).
    outer: Range<usize>,
    form: Form,
}

/// How a new value must be written at a [`Site`].
enum Form {
    /// A whole YAML or JSON scalar, rewritten in its own style.
    Scalar {
        style: saphyr_parser::ScalarStyle,
        json: bool,
    },
    /// The tag or digest inside an image reference.
    ImagePart { digest: bool },
    /// Text matched by a regex capture group.
    Text,
}

impl Site {
    /// The text that replaces `outer`, or why `new` cannot go there.
    fn replacement(&self, new: &str) -> Result<String, String> {
        match self.form {
            Form::Scalar { style, json } => scalar::render(style, &self.located.value, new, json),
            Form::ImagePart { digest } if image::valid(new, digest) => Ok(new.to_owned()),
            Form::ImagePart { digest: true } => Err("an image digest looks like sha256:<hex>".to_owned()),
            Form::ImagePart { digest: false } => Err(
                "an image tag has at most 128 letters, digits, `_`, `.` and `-`, and does not start with `.` or `-`"
                    .to_owned(),
            ),
            Form::Text if new.is_empty() || new.chars().any(char::is_control) => {
                Err("a version must be non-empty text on one line".to_owned())
            }
            Form::Text => Ok(new.to_owned()),
        }
    }
}

impl Locator {
    /// Checks the locator's own syntax, before any file is read.
    pub fn validate(&self) -> Result<(), Error> {
        let problem = match self {
            Locator::Yaml(p) | Locator::Json(p) => path::parse(p).err(),
            Locator::Container(name) if name.trim().is_empty() => {
                Some("the container name is empty".to_owned())
            }
            Locator::Kustomize { image, .. } if image.trim().is_empty() => Some(
                "the image name is empty; write the `name` of the entry in `images:`".to_owned(),
            ),
            Locator::Flux(policy) => {
                let parts: Vec<&str> = policy.split(':').collect();
                match parts.as_slice() {
                    [ns, name] | [ns, name, "tag" | "digest"]
                        if !ns.is_empty() && !name.is_empty() =>
                    {
                        None
                    }
                    [_, _, "name"] => {
                        Some("a `:name` marker holds the image name, not a version".to_owned())
                    }
                    _ => Some(format!(
                        "{policy:?} is not a Flux policy; write <namespace>:<policy> or <namespace>:<policy>:tag"
                    )),
                }
            }
            Locator::Regex(pattern) => match regex::Regex::new(pattern) {
                Err(e) => Some(format!("the regex does not compile: {e}")),
                Ok(re) if re.captures_len() != 2 => Some(format!(
                    "the regex has {} capture groups; it needs exactly one, around the version",
                    re.captures_len() - 1
                )),
                Ok(_) => None,
            },
            Locator::Container(_) | Locator::Kustomize { .. } => None,
        };
        match problem {
            Some(problem) => Err(Error::Invalid {
                locator: self.to_string(),
                problem,
            }),
            None => Ok(()),
        }
    }

    /// Reads the version from `content`; `file` is used in error messages only.
    pub fn read(&self, file: &str, content: &[u8]) -> Result<Located, Error> {
        self.find(file, content).map(|site| site.located)
    }

    /// Returns `content` with the version replaced by `new`, every other byte unchanged.
    pub fn write(&self, file: &str, content: &[u8], new: &str) -> Result<Vec<u8>, Error> {
        let site = self.find(file, content)?;
        let bad = |problem: String| Error::BadVersion {
            file: file.to_owned(),
            version: new.to_owned(),
            problem,
        };
        let replacement = site.replacement(new).map_err(bad)?;
        let mut out = Vec::with_capacity(content.len() + replacement.len());
        out.extend_from_slice(&content[..site.outer.start]);
        out.extend_from_slice(replacement.as_bytes());
        out.extend_from_slice(&content[site.outer.end..]);
        match self.read(file, &out) {
            Ok(found) if found.value == new => Ok(out),
            Ok(found) => Err(bad(format!(
                "the locator would then read {:?}",
                found.value
            ))),
            Err(e) => Err(bad(format!("the locator would then fail: {e}"))),
        }
    }

    /// Adds the version to a file that does not set it yet: the missing keys
    /// of a key path under its deepest existing block mapping, or a new
    /// `images:` entry in a kustomization. Where the file already sets the
    /// version, this is [`Locator::write`]. Every original byte is kept; the
    /// result reads back as `new`.
    pub fn insert(&self, file: &str, content: &[u8], new: &str) -> Result<Vec<u8>, Error> {
        match self.find(file, content) {
            Ok(_) => return self.write(file, content, new),
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        let cannot = |problem: String| Error::CannotInsert {
            file: file.to_owned(),
            locator: self.to_string(),
            problem,
        };
        let text = std::str::from_utf8(content).map_err(|_| Error::NotText {
            file: file.to_owned(),
        })?;
        let tree = Tree::parse(text).map_err(|e| Error::Syntax {
            file: file.to_owned(),
            line: e.line,
            column: e.column,
            problem: e.problem,
        })?;
        let insertion = match self {
            Locator::Yaml(p) => {
                let segments = path::parse(p).map_err(|problem| Error::Invalid {
                    locator: self.to_string(),
                    problem,
                })?;
                insert::key_path(&tree, text, &segments, new)
            }
            Locator::Kustomize { image, field } => {
                let segments = [
                    path::Segment::Key("images".to_owned()),
                    path::Segment::Select {
                        key: "name".to_owned(),
                        value: image.clone(),
                    },
                    path::Segment::Key(field.key().to_owned()),
                ];
                // An entry for the image without the field (only `newName`) gets the field;
                // no entry gets a new one.
                match yaml::follow(&tree, &segments[..2]) {
                    Ok(_) => insert::key_path(&tree, text, &segments, new),
                    Err(_) => insert::kustomize_image(&tree, text, image, field.key(), new),
                }
            }
            Locator::Json(_) => Err("Hoist adds keys to YAML files only; add it to the JSON file by hand".to_owned()),
            Locator::Container(_) | Locator::Flux(_) | Locator::Regex(_) => Err(
                "this kind of locator can only change a value that is already written; set it in the file by hand, or use a yaml or kustomize locator".to_owned(),
            ),
        }
        .map_err(cannot)?;
        let mut out = Vec::with_capacity(content.len() + insertion.lines.len());
        out.extend_from_slice(&content[..insertion.at]);
        out.extend_from_slice(insertion.lines.as_bytes());
        out.extend_from_slice(&content[insertion.at..]);
        match self.read(file, &out) {
            Ok(found) if found.value == new => Ok(out),
            Ok(found) => Err(cannot(format!(
                "the added lines would read back as {:?}",
                found.value
            ))),
            Err(e) => Err(cannot(format!("the added lines would not read back: {e}"))),
        }
    }

    /// Finds the single match, and a way to render a new value in its place.
    fn find(&self, file: &str, content: &[u8]) -> Result<Site, Error> {
        self.validate()?;
        let text = std::str::from_utf8(content).map_err(|_| Error::NotText {
            file: file.to_owned(),
        })?;
        if let Locator::Regex(pattern) = self {
            return regex_find(self, file, text, pattern);
        }
        let tree = Tree::parse(text).map_err(|e| Error::Syntax {
            file: file.to_owned(),
            line: e.line,
            column: e.column,
            problem: e.problem,
        })?;
        let hits = match self {
            Locator::Yaml(p) | Locator::Json(p) => {
                yaml::follow(&tree, &path::parse(p).unwrap_or_default())
            }
            Locator::Kustomize { image, field } => yaml::kustomize(&tree, image, field.key()),
            Locator::Container(name) => yaml::container(&tree, name),
            Locator::Flux(policy) => yaml::flux(&tree, text, policy),
            Locator::Regex(_) => unreachable!("handled above"),
        }
        .map_err(|detail| Error::NotFound {
            file: file.to_owned(),
            locator: self.to_string(),
            detail,
        })?;
        let hit = self.single(file, &tree, hits)?;
        self.scalar_edit(file, text, &tree, hit)
    }

    fn single(&self, file: &str, tree: &Tree, mut hits: Vec<Hit>) -> Result<Hit, Error> {
        // One value reached twice through an alias is one place, not two.
        hits.dedup_by_key(|h| tree.resolve(h.node));
        if hits.len() > 1 {
            return Err(Error::Ambiguous {
                file: file.to_owned(),
                locator: self.to_string(),
                lines: hits
                    .iter()
                    .map(|h| tree.line(tree.resolve(h.node)))
                    .collect(),
            });
        }
        Ok(hits.remove(0))
    }

    fn scalar_edit(&self, file: &str, text: &str, tree: &Tree, hit: Hit) -> Result<Site, Error> {
        let node = tree.resolve(hit.node);
        let unusable = |line: usize, problem: String| Error::Unusable {
            file: file.to_owned(),
            line,
            locator: self.to_string(),
            problem,
        };
        let Some(scalar) = tree.scalar(node) else {
            return Err(unusable(
                tree.line(node),
                format!("finds {}, not a version", tree.kind(node)),
            ));
        };
        let line = scalar.line;
        let Some(raw) = scalar::raw(text, scalar) else {
            let value = scalar.value.trim_end().to_owned();
            return Err(unusable(
                line,
                format!(
                    "finds {value:?} in a block scalar (`|` or `>`); write versions on one line"
                ),
            ));
        };
        match hit.part {
            None => Ok(Site {
                located: Located {
                    value: scalar.value.clone(),
                    span: raw.inner,
                    line,
                },
                outer: raw.outer,
                form: Form::Scalar {
                    style: scalar.style,
                    json: matches!(self, Locator::Json(_)),
                },
            }),
            Some(_) if !raw.verbatim => Err(unusable(
                line,
                "finds an image reference written with escapes or line folds".to_owned(),
            )),
            Some(part) => {
                let span = raw.inner.start + part.start..raw.inner.start + part.end;
                let value = scalar.value[part].to_owned();
                Ok(Site {
                    form: Form::ImagePart {
                        digest: value.contains(':'),
                    },
                    located: Located {
                        value,
                        span: span.clone(),
                        line,
                    },
                    outer: span,
                })
            }
        }
    }
}

fn regex_find(locator: &Locator, file: &str, text: &str, pattern: &str) -> Result<Site, Error> {
    let re = regex::Regex::new(pattern).map_err(|e| Error::Invalid {
        locator: locator.to_string(),
        problem: e.to_string(),
    })?;
    let groups: Vec<Range<usize>> = re
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.range()))
        .collect();
    let line = |at: usize| text[..at].bytes().filter(|b| *b == b'\n').count() + 1;
    match groups.as_slice() {
        [] => Err(Error::NotFound {
            file: file.to_owned(),
            locator: locator.to_string(),
            detail: "the regex (or its capture group) matches no text".to_owned(),
        }),
        [span] => Ok(Site {
            located: Located {
                value: text[span.clone()].to_owned(),
                span: span.clone(),
                line: line(span.start),
            },
            outer: span.clone(),
            form: Form::Text,
        }),
        many => Err(Error::Ambiguous {
            file: file.to_owned(),
            locator: locator.to_string(),
            lines: many.iter().map(|s| line(s.start)).collect(),
        }),
    }
}

/// The locator as written in `.hoist.yaml`'s flow style, for messages.
impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Locator::Yaml(p) => write!(f, "{{yaml: {p}}}"),
            Locator::Json(p) => write!(f, "{{json: {p}}}"),
            Locator::Container(c) => write!(f, "{{container: {c}}}"),
            Locator::Flux(p) => write!(f, "{{flux: {p}}}"),
            Locator::Regex(r) => write!(f, "{{regex: {r:?}}}"),
            Locator::Kustomize {
                image,
                field: KustomizeField::NewTag,
            } => write!(f, "{{kustomize: {{image: {image}}}}}"),
            Locator::Kustomize {
                image,
                field: KustomizeField::Digest,
            } => {
                write!(f, "{{kustomize: {{image: {image}, field: digest}}}}")
            }
        }
    }
}
