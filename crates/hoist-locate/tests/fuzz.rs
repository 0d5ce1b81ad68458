//! A mutation fuzzer for the YAML reader on stable Rust: seed documents of
//! the shapes GitOps repositories hold are mutated (bytes flipped, YAML's
//! structural tokens inserted, ranges cut or repeated) and every locator
//! reads, writes and inserts into each result. None may panic; a write that
//! succeeds must read back what it wrote.
//!
//! Deterministic (a fixed seed), bounded by `HOIST_FUZZ_ITERATIONS`
//! (default 10,000) so the suite's time stays put; set it higher, or
//! `HOIST_FUZZ_SEED`, to search further. A failure prints the input.

use std::panic::{AssertUnwindSafe, catch_unwind};

use hoist_locate::{KustomizeField, Locator};

const SEEDS: &[&str] = &[
    "# api values\nimage:\n  repository: ghcr.io/acme/api\n  tag: \"1.4.2\" # set by promotion\n  pullPolicy: IfNotPresent\nreplicas: 2\n",
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.4.2\n",
    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.4.2 # {\"$imagepolicy\": \"flux-system:api\"}\n---\nkind: Service\n",
    "defaults: &d\n  tag: 1.0.0\nimage:\n  <<: *d\n  repository: r\napps:\n  - {name: api, version: '2.0'}\n  - name: web\n    version: \"3.0\"\n",
    "{\"image\": {\"tag\": \"1.4.2\", \"repository\": \"r\"}, \"list\": [1, 2, {\"a\": null}]}\n",
    "spec:\n  chart:\n    spec:\n      version: 1.2.3\n      sourceRef: {kind: HelmRepository, name: podinfo}\n",
];

/// Tokens that steer mutations into YAML's interesting corners.
const TOKENS: &[&str] = &[
    "- ",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "<<: ",
    "\"",
    "'",
    ": ",
    "\n",
    "  ",
    "\t",
    "#",
    "---\n",
    "...\n",
    "!!str ",
    "!x ",
    "|\n",
    ">-\n",
    "? ",
    ",",
    "\\",
    "\r",
    "\u{feff}",
    "\u{20ac}",
    "%YAML 1.2\n",
    "tag",
    "image",
    "newTag",
    "*b",
    "&b ",
    "~",
    "\"\\u00e9\"",
    "0x1F",
    "1e3",
    "\0",
];

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..=rng.below(8) {
        let at = rng.below(input.len() + 1);
        match rng.below(6) {
            0 if !input.is_empty() => {
                let i = rng.below(input.len());
                input[i] ^= 1 << rng.below(8);
            }
            1 if !input.is_empty() => {
                let end = (at + rng.below(16)).min(input.len());
                input.drain(at.min(end)..end);
            }
            2 if !input.is_empty() => {
                let start = rng.below(input.len());
                let end = (start + rng.below(64)).min(input.len());
                let copy = input[start..end].to_vec();
                for _ in 0..=rng.below(3) {
                    input.splice(at..at, copy.iter().copied());
                }
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                input.splice(at..at, token.iter().copied());
            }
        }
    }
}

fn locators() -> Vec<Locator> {
    vec![
        Locator::Yaml("image.tag".into()),
        Locator::Yaml("apps[name=api].version".into()),
        Locator::Yaml("spec.chart.spec.version".into()),
        Locator::Json("image.tag".into()),
        Locator::Kustomize {
            image: "ghcr.io/acme/api".into(),
            field: KustomizeField::NewTag,
        },
        Locator::Container("api".into()),
        Locator::Flux("flux-system:api".into()),
    ]
}

fn exercise(locators: &[Locator], input: &[u8]) {
    for locator in locators {
        let _ = locator.read("f.yaml", input);
        if let Ok(written) = locator.write("f.yaml", input, "9.9.9") {
            let back = locator.read("f.yaml", &written).map(|l| l.value);
            assert_eq!(
                back.as_deref(),
                Ok("9.9.9"),
                "{locator:?} wrote but does not read back"
            );
        }
        let _ = locator.insert("f.yaml", input, "9.9.9");
    }
}

#[test]
fn mutated_documents_never_panic_the_reader() {
    let iterations: usize = std::env::var("HOIST_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let seed: u64 = std::env::var("HOIST_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x5eed_cafe_f00d_0001);
    let mut rng = Rng(seed);
    let locators = locators();
    for i in 0..iterations {
        let mut input = SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec();
        mutate(&mut rng, &mut input);
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&locators, &input)));
        assert!(
            outcome.is_ok(),
            "iteration {i} (seed {seed}) panicked on {:?}",
            String::from_utf8_lossy(&input)
        );
    }
}
