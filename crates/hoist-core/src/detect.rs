//! Detection: propose a `.hoist.yaml` for a repository that has none.
