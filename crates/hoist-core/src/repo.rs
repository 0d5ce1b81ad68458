//! Reading a GitOps repository with gix.
