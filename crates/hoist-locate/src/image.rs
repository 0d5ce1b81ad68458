//! The version inside a container image reference:
//! `registry:5000/org/app:1.2.3` → `1.2.3`, `org/app@sha256:…` → `sha256:…`.

use std::ops::Range;

/// The byte range of the version in `image`, or why there is none.
pub(crate) fn version(image: &str) -> Result<Range<usize>, &'static str> {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    // A `:` after the last `/` starts the tag; one before it is a registry port.
    let last_component = name.rfind('/').map_or(0, |i| i + 1);
    let tag = name[last_component..]
        .rfind(':')
        .map(|i| last_component + i + 1);
    match (tag, digest) {
        (Some(_), Some(_)) => Err(
            "pins the image by tag and digest; the digest decides what runs, so use a regex locator for the part to change",
        ),
        (Some(start), None) if start < name.len() => Ok(start..name.len()),
        (None, Some(d)) if !d.is_empty() => Ok(name.len() + 1..image.len()),
        _ => Err("is an image reference without a tag or digest"),
    }
}

/// Whether `value` can replace a tag or digest inside an image reference.
pub(crate) fn valid(value: &str, digest: bool) -> bool {
    if digest {
        return value.split_once(':').is_some_and(|(algorithm, hex)| {
            !algorithm.is_empty()
                && algorithm
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+.-_".contains(&b))
                && !hex.is_empty()
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        });
    }
    // Docker's tag grammar: [\w][\w.-]{0,127}
    value.len() <= 128
        && value
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(image: &str) -> Result<&str, &'static str> {
        version(image).map(|r| &image[r])
    }

    #[test]
    fn finds_tags_and_digests() {
        assert_eq!(v("ghcr.io/acme/api:1.2.3"), Ok("1.2.3"));
        assert_eq!(v("registry:5000/api:v2"), Ok("v2"));
        assert_eq!(v("acme/api@sha256:abcd"), Ok("sha256:abcd"));
        assert!(v("registry:5000/api").is_err());
        assert!(v("nginx").is_err());
        assert!(v("nginx:1.2@sha256:ab").is_err());
        assert!(v("nginx:").is_err());
    }

    #[test]
    fn validates_replacements() {
        assert!(valid("1.2.3-rc.1", false));
        assert!(!valid("1.2 3", false));
        assert!(!valid("-1", false));
        assert!(valid("sha256:abc123", true));
        assert!(!valid("sha256:xyz", true));
    }
}
