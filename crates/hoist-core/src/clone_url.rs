//! The URL of a repository to clone, checked before git sees it: it comes
//! from a person or a paste, and `git clone` reads an argument starting with
//! `-` as an option (`--upload-pack=…` runs a command). Only https and ssh
//! (URL or scp-like `user@host:path`) are accepted: plain http sends
//! everything in clear text, `file://` and local paths are clones of what is
//! already here, and `ext::` runs a command by design.

use gix::url::Scheme;

/// Why a URL is not one Hoist clones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Nothing was given.
    #[error("no URL was given")]
    Empty,
    /// Control characters (a line break, say) have no place in a URL.
    #[error("{url:?} contains a control character")]
    Control {
        /// The URL as given.
        url: String,
    },
    /// It would reach git as an option.
    #[error("{url:?} starts with `-`, which git would read as an option, not a URL")]
    Option {
        /// The URL as given.
        url: String,
    },
    /// git would not understand it either.
    #[error("{url:?} is not a repository URL: {problem}")]
    Unparsable {
        /// The URL as given.
        url: String,
        /// What the URL parser said.
        problem: String,
    },
    /// A transport Hoist does not clone over.
    #[error(
        "{url:?} uses {scheme}; Hoist clones over https:// or ssh (ssh://… or git@host:owner/repo)"
    )]
    Transport {
        /// The URL as given.
        url: String,
        /// How it would be fetched, e.g. `http://` or `a local path`.
        scheme: String,
    },
    /// A host, user or path that ssh would read as an option.
    #[error("{url:?} has a {part} starting with `-`, which ssh would read as an option")]
    UnsafePart {
        /// The URL as given.
        url: String,
        /// `host`, `user` or `path`.
        part: &'static str,
    },
}

/// `url` fit to print: the user information of an http(s) URL (a token
/// pasted as `https://TOKEN@host/…` or `https://user:TOKEN@host/…`) is
/// replaced by `***`. Other forms carry no secret (an ssh user is a name).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return url.to_owned();
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// The URL to pass to `git clone` (after `--`), trimmed, or why not. The
/// errors name the URL without its credentials ([`redact`]).
pub fn check(input: &str) -> Result<String, Error> {
    let url = input.trim();
    let owned = || redact(url);
    if url.is_empty() {
        return Err(Error::Empty);
    }
    if url.chars().any(char::is_control) {
        return Err(Error::Control { url: owned() });
    }
    if url.starts_with('-') {
        return Err(Error::Option { url: owned() });
    }
    let parsed = gix::url::parse(url.as_bytes()).map_err(|e| Error::Unparsable {
        url: owned(),
        problem: e.to_string(),
    })?;
    let transport = |scheme: &str| {
        Err(Error::Transport {
            url: owned(),
            scheme: scheme.to_owned(),
        })
    };
    match &parsed.scheme {
        Scheme::Https => {}
        Scheme::Ssh => {
            if parsed.user_argument_safe().is_none() && parsed.user().is_some() {
                return Err(Error::UnsafePart {
                    url: owned(),
                    part: "user",
                });
            }
            if parsed.path_argument_safe().is_none() && !parsed.serialize_alternative_form {
                return Err(Error::UnsafePart {
                    url: owned(),
                    part: "path",
                });
            }
        }
        Scheme::Http => return transport("http://, which is not encrypted"),
        Scheme::File => return transport("a local path; open the folder instead"),
        Scheme::Git => return transport("git://, which is neither encrypted nor authenticated"),
        Scheme::Ext => return transport("ext::, which runs a command"),
        Scheme::Helper(name) | Scheme::HelperUrl(name) => {
            return transport(&format!("the remote helper {name:?}"));
        }
    }
    if parsed.host().is_none_or(str::is_empty) {
        return Err(Error::Unparsable {
            url: owned(),
            problem: "it names no host".to_owned(),
        });
    }
    if parsed.host_argument_safe().is_none() {
        return Err(Error::UnsafePart {
            url: owned(),
            part: "host",
        });
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{Error, check};

    #[test]
    fn credentials_are_not_repeated() {
        use super::redact;
        assert_eq!(
            redact("https://x-access-token:ghp_secret@github.com/a/b.git"),
            "https://***@github.com/a/b.git"
        );
        assert_eq!(
            redact("https://ghp_secret@github.com/a/b"),
            "https://***@github.com/a/b"
        );
        assert_eq!(
            redact("https://github.com/a/b?x=@y"),
            "https://github.com/a/b?x=@y"
        );
        assert_eq!(redact("git@github.com:a/b.git"), "git@github.com:a/b.git");
        assert_eq!(
            redact("ssh://git@github.com/a/b"),
            "ssh://git@github.com/a/b"
        );
        let e = check("http://user:ghp_secret@github.com/a/b").expect_err("http");
        assert!(!e.to_string().contains("ghp_secret"), "{e}");
        assert_eq!(
            check("https://user:ghp_secret@github.com/a/b").as_deref(),
            Ok("https://user:ghp_secret@github.com/a/b"),
            "what git gets is what was given"
        );
    }

    #[test]
    fn https_and_ssh_are_cloned_as_written() {
        for url in [
            "https://github.com/acme/gitops.git",
            "  https://github.com/acme/gitops  ",
            "ssh://git@github.com/acme/gitops.git",
            "ssh://git@git.acme.example:2222/acme/gitops",
            "git@github.com:acme/gitops.git",
        ] {
            assert_eq!(check(url).as_deref(), Ok(url.trim()), "{url}");
        }
    }

    #[test]
    fn options_commands_and_clear_text_are_refused() {
        let refused = |url: &str| check(url).expect_err(url);
        assert!(matches!(refused(""), Error::Empty));
        assert!(matches!(
            refused("--upload-pack=touch /tmp/pwned"),
            Error::Option { .. }
        ));
        assert!(matches!(refused("-uhttps://x/y"), Error::Option { .. }));
        assert!(matches!(
            refused("https://github.com/a/b\n--upload-pack=x"),
            Error::Control { .. }
        ));
        for url in [
            "http://github.com/acme/gitops",
            "git://github.com/acme/gitops",
            "file:///etc",
            "/home/me/gitops",
            "ext::sh -c touch% /tmp/pwned",
        ] {
            assert!(
                matches!(
                    refused(url),
                    Error::Transport { .. } | Error::Unparsable { .. }
                ),
                "{url}: {:?}",
                check(url)
            );
        }
        for url in [
            "ssh://-oProxyCommand=touch%20x/acme/gitops",
            "ssh://-oProxyCommand=x@host/acme/gitops",
        ] {
            assert!(
                matches!(
                    refused(url),
                    Error::UnsafePart { .. } | Error::Unparsable { .. }
                ),
                "{url}: {:?}",
                check(url)
            );
        }
    }
}
