//! The token in a real Secret Service (gnome-keyring under dbus-run-session,
//! as `scripts/test.sh` runs the suite): stored, found first, forgotten.

use hoist_github::Token;
use hoist_github::token::{self, Source};

#[test]
fn a_stored_token_is_found_first_and_forgotten_on_logout() {
    // A host of its own, so runs never see each other's entries.
    let host = format!("keyring-test-{}.github.invalid", std::process::id());
    let token = Token::new("ghp_keyringtest0123456789").expect("a token");
    if let Err(e) = token::store(&host, &token) {
        panic!("{e} (run the suite through scripts/test.sh, which starts one)");
    }
    assert_eq!(token::stored(&host).expect("readable"), Some(token.clone()));
    let (found, source) = token::find(&host).expect("found");
    assert_eq!(
        (found, source),
        (token.clone(), Source::Keyring),
        "the keyring comes before GH_TOKEN and the GitHub CLI"
    );

    let replacement = Token::new("ghp_replacement").expect("a token");
    token::store(&host, &replacement).expect("replaced");
    assert_eq!(token::stored(&host).expect("readable"), Some(replacement));

    assert!(token::forget(&host).expect("forgotten"));
    assert_eq!(token::stored(&host).expect("readable"), None);
    assert!(
        !token::forget(&host).expect("nothing left"),
        "a second logout finds nothing"
    );
}
