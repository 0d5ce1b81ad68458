//! The bundles' icons: every one `tauri.conf.json` names exists in the
//! top-level `icons/`, and together they are what each platform's bundle
//! needs (PNGs for Linux and the window, an `.icns` for macOS, an `.ico`
//! for Windows), at the sizes their names say.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A PNG's width and height, from its header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let word = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    Some((word(16)?, word(20)?))
}

#[test]
fn every_bundle_icon_is_there_in_its_format_and_size() {
    let config: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("src-tauri/tauri.conf.json")).expect("tauri.conf.json"),
    )
    .expect("JSON");
    let named: Vec<&str> = config["bundle"]["icon"]
        .as_array()
        .expect("bundle.icon")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for ext in ["png", "icns", "ico"] {
        assert!(
            named.iter().any(|n| n.ends_with(&format!(".{ext}"))),
            "no .{ext} among {named:?}"
        );
    }
    for name in named {
        assert!(name.starts_with("../icons/"), "{name} is outside icons/");
        let path = root().join("src-tauri").join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        match path.extension().and_then(|e| e.to_str()) {
            Some("png") => {
                let (w, h) = png_size(&bytes).unwrap_or_else(|| panic!("{name} is not a PNG"));
                assert_eq!(w, h, "{name} is square");
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                // `128x128@2x` is 256 pixels; `32x32` is 32.
                if let Some((size, scale)) = stem.split_once('x').map(|(w, rest)| {
                    (
                        w,
                        rest.split_once('@')
                            .map_or("1", |(_, s)| s.trim_end_matches('x')),
                    )
                }) && let (Ok(size), Ok(scale)) = (size.parse::<u32>(), scale.parse::<u32>())
                {
                    assert_eq!(w, size * scale, "{name}");
                }
            }
            Some("icns") => assert_eq!(&bytes[..4], b"icns", "{name}"),
            Some("ico") => assert_eq!(&bytes[..4], b"\0\0\x01\0", "{name}"),
            other => panic!("{name}: unexpected format {other:?}"),
        }
    }
}
