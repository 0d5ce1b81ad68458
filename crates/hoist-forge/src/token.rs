//! A forge token and Hoist's keyring entry for it, one per host.
//!
//! Invariant: a [`Token`] is never printed, logged or serialised; the only way
//! to its text is [`Token::expose`], called where a request is authorised.

/// The keyring service Hoist's entries are stored under; the account is the host.
const SERVICE: &str = "hoist";

/// A forge token. Its `Debug` hides it and it has no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// A token from its text, trimmed; `None` when blank.
    pub fn new(text: &str) -> Option<Token> {
        let text = text.trim();
        (!text.is_empty()).then(|| Token(text.to_owned()))
    }

    /// The token's text, for the `Authorization` header and the keyring only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Why the keyring could not be used.
#[derive(Debug, thiserror::Error)]
#[error(
    "the OS keyring (Secret Service) is not available: {0}; is a keyring daemon such as gnome-keyring running and unlocked?"
)]
pub struct KeyringError(String);

fn entry(host: &str) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, host).map_err(|e| KeyringError(e.to_string()))
}

/// Stores `token` for `host` in the OS keyring, replacing any earlier one.
pub fn store(host: &str, token: &Token) -> Result<(), KeyringError> {
    entry(host)?
        .set_password(token.expose())
        .map_err(|e| KeyringError(e.to_string()))
}

/// Removes the keyring entry for `host`; `false` when there was none.
pub fn forget(host: &str) -> Result<bool, KeyringError> {
    match entry(host)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(KeyringError(e.to_string())),
    }
}

/// The token stored in the keyring for `host`, if any.
pub fn stored(host: &str) -> Result<Option<Token>, KeyringError> {
    match entry(host)?.get_password() {
        Ok(text) => Ok(Token::new(&text)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeyringError(e.to_string())),
    }
}
