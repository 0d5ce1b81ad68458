//! Ordering versions as release managers write them: `1.4.2`, `v2.0.0-rc.1`,
//! `1.10`. Versions that are not dotted numbers (digests, commit ids, names)
//! have no order here.

use std::cmp::Ordering;

/// A dotted numeric version with an optional pre-release part.
#[derive(Debug, PartialEq, Eq)]
struct Dotted<'a> {
    numbers: Vec<u64>,
    pre: Option<&'a str>,
}

fn parse(v: &str) -> Option<Dotted<'_>> {
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let v = v.split_once('+').map_or(v, |(core, _build)| core);
    let (core, pre) = match v.split_once('-') {
        Some((core, pre)) if !pre.is_empty() => (core, Some(pre)),
        Some(_) => return None,
        None => (v, None),
    };
    let numbers = core
        .split('.')
        .map(|n| {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                n.parse().ok()
            }
        })
        .collect::<Option<Vec<u64>>>()?;
    (1..=4)
        .contains(&numbers.len())
        .then_some(Dotted { numbers, pre })
}

/// Semver's pre-release order: identifiers compared one by one, numeric ones
/// numerically and below alphanumeric ones; a longer list wins a tie.
fn compare_pre(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Compares two versions, or `None` when either has no numeric order.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (parse(a)?, parse(b)?);
    let width = a.numbers.len().max(b.numbers.len());
    let at = |v: &Dotted<'_>, i: usize| v.numbers.get(i).copied().unwrap_or(0);
    for i in 0..width {
        let order = at(&a, i).cmp(&at(&b, i));
        if order != Ordering::Equal {
            return Some(order);
        }
    }
    Some(match (a.pre, b.pre) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (Some(x), Some(y)) => compare_pre(x, y),
    })
}

/// Whether moving from `from` to `to` goes back to an older version.
pub fn is_downgrade(from: &str, to: &str) -> bool {
    compare(to, from) == Some(Ordering::Less)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_parts_compare_as_numbers() {
        assert_eq!(compare("1.10.0", "1.9.9"), Some(Ordering::Greater));
        assert_eq!(compare("v2.0.0", "1.99.0"), Some(Ordering::Greater));
        assert_eq!(compare("1.4", "1.4.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.4.2+build.7", "1.4.2"), Some(Ordering::Equal));
    }

    #[test]
    fn pre_releases_sort_before_their_release() {
        assert_eq!(compare("2.0.0-rc.1", "2.0.0"), Some(Ordering::Less));
        assert_eq!(compare("2.0.0-rc.2", "2.0.0-rc.10"), Some(Ordering::Less));
        assert_eq!(
            compare("2.0.0-alpha", "2.0.0-alpha.1"),
            Some(Ordering::Less)
        );
        assert_eq!(compare("2.0.0-1", "2.0.0-alpha"), Some(Ordering::Less));
    }

    #[test]
    fn digests_and_names_have_no_order() {
        assert_eq!(compare("sha256:abcd", "1.0.0"), None);
        assert_eq!(compare("latest", "stable"), None);
        assert_eq!(compare("1.0.0-", "1.0.0"), None);
        assert_eq!(compare("1..0", "1.0"), None);
        assert!(!is_downgrade("abc123", "def456"));
    }

    #[test]
    fn downgrades() {
        assert!(is_downgrade("1.5.0", "1.4.2"));
        assert!(!is_downgrade("1.4.2", "1.5.0"));
        assert!(!is_downgrade("1.4.2", "1.4.2"));
    }
}
