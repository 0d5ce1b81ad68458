//! The exact bytes of a scalar in the text, and how a new value is written
//! there in the same style.

use std::ops::Range;

use saphyr_parser::ScalarStyle;

use crate::tree::Scalar;

/// Where a scalar's value sits in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Raw {
    /// The whole written scalar, quotes included: what a rewrite replaces.
    pub outer: Range<usize>,
    /// The value's bytes, quotes excluded.
    pub inner: Range<usize>,
    /// Whether `text[inner]` is the value itself (no escapes, no folding),
    /// so a part of it can be addressed by byte offsets.
    pub verbatim: bool,
}

/// Finds the written scalar inside the parser's span, which can start at an
/// anchor or tag and, for quoted scalars, run past the closing quote.
pub(crate) fn raw(text: &str, scalar: &Scalar) -> Option<Raw> {
    let mut start = scalar.span.start;
    // Skip node properties: `&anchor` and `!tag`, each followed by blanks.
    while matches!(text.as_bytes().get(start), Some(b'&' | b'!')) {
        let rest = &text[start..];
        let end = rest.find([' ', '\t', '\r', '\n'])?;
        start += end;
        start += text[start..].len() - text[start..].trim_start().len();
    }
    match scalar.style {
        ScalarStyle::Plain => {
            let end = scalar.span.end.max(start);
            let written = text.get(start..end)?.trim_end();
            let end = start + written.len();
            Some(Raw {
                outer: start..end,
                inner: start..end,
                verbatim: written == scalar.value,
            })
        }
        ScalarStyle::SingleQuoted => quoted(text, start, b'\'', &scalar.value),
        ScalarStyle::DoubleQuoted => quoted(text, start, b'"', &scalar.value),
        ScalarStyle::Literal | ScalarStyle::Folded => None,
    }
}

fn quoted(text: &str, start: usize, quote: u8, value: &str) -> Option<Raw> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&quote) {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => {
                let inner = start + 1..i;
                return Some(Raw {
                    verbatim: &text[inner.clone()] == value,
                    inner,
                    outer: start..i + 1,
                });
            }
            _ => i += 1,
        }
    }
    None
}

/// How `new` is written in place of a scalar of `style` whose value was `old`,
/// so that it reads back as `new` and keeps the type `old` had (a string stays
/// a string: `v1` → `1.10` gets quotes rather than becoming a number).
pub(crate) fn render(
    style: ScalarStyle,
    old: &str,
    new: &str,
    json: bool,
) -> Result<String, String> {
    if new.is_empty() {
        return Err("a version cannot be empty".to_owned());
    }
    if new.chars().any(char::is_control) {
        return Err("a version cannot contain line breaks or control characters".to_owned());
    }
    Ok(match style {
        ScalarStyle::Plain if json => {
            if kind(new) == Kind::Number && kind(old) == Kind::Number {
                new.to_owned()
            } else {
                double_quoted(new)
            }
        }
        ScalarStyle::Plain => {
            let keeps_type = kind(old) != Kind::String || kind(new) == Kind::String;
            if keeps_type && plain_safe(new) {
                new.to_owned()
            } else {
                double_quoted(new)
            }
        }
        ScalarStyle::SingleQuoted => format!("'{}'", new.replace('\'', "''")),
        ScalarStyle::DoubleQuoted => double_quoted(new),
        ScalarStyle::Literal | ScalarStyle::Folded => {
            return Err(
                "the value is a block scalar (`|` or `>`); write versions on one line".to_owned(),
            );
        }
    })
}

/// Double-quoted with the escapes YAML and JSON share.
fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `value` can be written as a plain scalar in block or flow context
/// and read back as the same string.
fn plain_safe(value: &str) -> bool {
    let first = value.chars().next();
    let indicator_start = matches!(
        first,
        Some(
            '[' | ']'
                | '{'
                | '}'
                | '#'
                | '&'
                | '*'
                | '!'
                | '|'
                | '>'
                | '\''
                | '"'
                | '%'
                | '@'
                | '`'
                | ','
        )
    ) || (matches!(first, Some('-' | '?' | ':'))
        && value.chars().nth(1).is_none_or(|c| c == ' '));
    !indicator_start
        && value.trim() == value
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.contains([',', '[', ']', '{', '}'])
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    String,
    Number,
    Other,
}

/// The type a plain scalar resolves to under YAML's core schema.
fn kind(plain: &str) -> Kind {
    const OTHER: [&str; 14] = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf",
        ".nan", "-.inf",
    ];
    if OTHER.contains(&plain)
        || matches!(plain, ".Inf" | ".INF" | ".NaN" | ".NAN" | "+.inf" | "-.Inf")
    {
        return Kind::Other;
    }
    let digits = plain.strip_prefix(['-', '+']).unwrap_or(plain);
    let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let octal_or_hex = plain
        .strip_prefix("0o")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| (b'0'..=b'7').contains(&b)))
        || plain
            .strip_prefix("0x")
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_hexdigit()));
    let float = {
        let (mantissa, exponent) = match digits.find(['e', 'E']) {
            Some(i) => (&digits[..i], Some(&digits[i + 1..])),
            None => (digits, None),
        };
        let mantissa_ok = mantissa.bytes().filter(|b| *b == b'.').count() <= 1
            && mantissa.bytes().any(|b| b.is_ascii_digit())
            && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let exponent_ok = exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
        mantissa_ok && exponent_ok
    };
    if integer || octal_or_hex || float {
        Kind::Number
    } else {
        Kind::String
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_kinds() {
        for n in ["1", "-2", "1.10", "1e3", "0x1f", "0o17", ".5"] {
            assert_eq!(kind(n), Kind::Number, "{n}");
        }
        for s in ["v1", "1.2.3", "1.0-rc1", "latest", "sha256:abc", "1e", "0x"] {
            assert_eq!(kind(s), Kind::String, "{s}");
        }
        for o in ["true", "null", "~", ""] {
            assert_eq!(kind(o), Kind::Other, "{o}");
        }
    }

    #[test]
    fn plain_strings_stay_strings() {
        assert_eq!(
            render(ScalarStyle::Plain, "v1.2.3", "1.10", false).unwrap(),
            "\"1.10\""
        );
        assert_eq!(
            render(ScalarStyle::Plain, "1.2.3", "1.3.0", false).unwrap(),
            "1.3.0"
        );
        assert_eq!(
            render(ScalarStyle::Plain, "1.9", "1.10", false).unwrap(),
            "1.10"
        );
        assert_eq!(
            render(ScalarStyle::Plain, "1.2.3", "a: b", false).unwrap(),
            "\"a: b\""
        );
        assert_eq!(
            render(ScalarStyle::SingleQuoted, "1", "it's", false).unwrap(),
            "'it''s'"
        );
        assert_eq!(
            render(ScalarStyle::DoubleQuoted, "1", "a\"b", false).unwrap(),
            "\"a\\\"b\""
        );
        assert!(render(ScalarStyle::Plain, "1", "a\nb", false).is_err());
        assert!(render(ScalarStyle::Plain, "1", "", false).is_err());
    }
}
