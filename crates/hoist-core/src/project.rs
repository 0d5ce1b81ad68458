//! A repository opened together with its configuration.
