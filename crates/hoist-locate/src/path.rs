//! Key paths into YAML and JSON documents: `image.tag`,
//! `apps[name=api].version`, `containers[0].image`, `"app.kubernetes.io/version"`.

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
    /// The sequence elements that are mappings whose `key` is the scalar `value`.
    Select {
        /// The key compared in each element.
        key: String,
        /// The value it must have.
        value: String,
    },
}

/// Parses a key path; the error says what is wrong, as the end of a sentence.
pub(crate) fn parse(path: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = path.trim();
    if rest.is_empty() {
        return Err("the key path is empty".to_owned());
    }
    let mut expect_key = !rest.starts_with('[');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = closing_bracket(after)
                .ok_or_else(|| format!("`[` without a matching `]` in {path:?}"))?;
            segments.push(bracket(&after[..end], path)?);
            rest = &after[end + 1..];
            expect_key = false;
        } else if let Some(after) = rest.strip_prefix('.') {
            if expect_key {
                return Err(format!("an empty key in {path:?}"));
            }
            rest = after;
            expect_key = true;
        } else if expect_key {
            let (key, after) = key(rest, path)?;
            segments.push(Segment::Key(key));
            rest = after;
            expect_key = false;
        } else {
            return Err(format!("expected `.` or `[` before {rest:?} in {path:?}"));
        }
    }
    if expect_key {
        return Err(format!("{path:?} ends with `.`"));
    }
    Ok(segments)
}

/// A key up to the next `.` or `[`; double quotes allow both inside.
fn key<'a>(rest: &'a str, path: &str) -> Result<(String, &'a str), String> {
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted
            .find('"')
            .ok_or_else(|| format!("unterminated quote in {path:?}"))?;
        return Ok((quoted[..end].to_owned(), &quoted[end + 1..]));
    }
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let key = rest[..end].trim();
    if key.is_empty() {
        return Err(format!("an empty key in {path:?}"));
    }
    if key.contains([']', '"']) {
        return Err(format!(
            "unexpected `]` or `\"` in key {key:?} of {path:?}; quote the whole key"
        ));
    }
    Ok((key.to_owned(), &rest[end..]))
}

/// The position of the `]` closing a bracket, skipping quoted text.
fn closing_bracket(s: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn bracket(inside: &str, path: &str) -> Result<Segment, String> {
    let inside = inside.trim();
    if let Some((key, value)) = inside.split_once('=') {
        let (key, value) = (unquote(key.trim()), unquote(value.trim()));
        if key.is_empty() {
            return Err(format!("`[{inside}]` selects by an empty key in {path:?}"));
        }
        return Ok(Segment::Select { key, value });
    }
    inside.parse().map(Segment::Index).map_err(|_| {
        format!(
            "`[{inside}]` in {path:?} is neither an index like [0] nor a selection like [name=api]"
        )
    })
}

fn unquote(s: &str) -> String {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
        .to_owned()
}

/// Renders segments back as a path, for messages about partial matches.
pub(crate) fn render(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if k.contains(['.', '[']) {
                    out.push_str(&format!("\"{k}\""));
                } else {
                    out.push_str(k);
                }
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Select { key, value } => out.push_str(&format!("[{key}={value}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.to_owned())
    }

    #[test]
    fn parses_keys_indices_and_selections() {
        assert_eq!(parse("image.tag"), Ok(vec![key("image"), key("tag")]));
        assert_eq!(
            parse("apps[name=api].version"),
            Ok(vec![
                key("apps"),
                Segment::Select {
                    key: "name".into(),
                    value: "api".into()
                },
                key("version")
            ])
        );
        assert_eq!(
            parse("containers[0].image"),
            Ok(vec![key("containers"), Segment::Index(0), key("image")])
        );
        assert_eq!(
            parse(r#"metadata.labels."app.kubernetes.io/version""#),
            Ok(vec![
                key("metadata"),
                key("labels"),
                key("app.kubernetes.io/version")
            ])
        );
        assert_eq!(parse("[1].tag"), Ok(vec![Segment::Index(1), key("tag")]));
        assert_eq!(
            parse(r#"images[name="ghcr.io/a.b"].newTag"#),
            Ok(vec![
                key("images"),
                Segment::Select {
                    key: "name".into(),
                    value: "ghcr.io/a.b".into()
                },
                key("newTag")
            ])
        );
    }

    #[test]
    fn rejects_malformed_paths_with_a_reason() {
        for bad in [
            "",
            "image..tag",
            "image.",
            ".image",
            "a[",
            "a[x]",
            "a]b",
            "a[=b]",
            "\"a",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn render_round_trips() {
        for path in [
            "image.tag",
            "apps[name=api].version",
            "a[0][1].b",
            "\"a.b\".c",
        ] {
            assert_eq!(render(&parse(path).unwrap()), path);
        }
    }
}
