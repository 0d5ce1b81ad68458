//! The window's size, position and maximised state, kept between runs in
//! Hoist's config directory as `window.json`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tauri::{PhysicalPosition, PhysicalSize, Runtime, WebviewWindow, Window};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Saved {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
    maximized: bool,
}

/// A monitor's area in physical pixels: x, y, width, height.
type Area = (i32, i32, u32, u32);

fn file() -> Option<PathBuf> {
    hoist_github::connect::config_dir().map(|dir| dir.join("window.json"))
}

/// Whether enough of the saved window (its top 40 pixels, where the title
/// bar is) would be on some monitor to grab it; a monitor unplugged since
/// must not leave the window out of reach.
fn reachable(saved: &Saved, monitors: &[Area]) -> bool {
    let (left, top) = (i64::from(saved.x), i64::from(saved.y));
    let right = left + i64::from(saved.width);
    monitors.iter().any(|&(x, y, w, h)| {
        let (mx, my) = (i64::from(x), i64::from(y));
        let overlap_x = right.min(mx + i64::from(w)) - left.max(mx);
        let overlap_y = (top + 40).min(my + i64::from(h)) - top.max(my);
        overlap_x >= 100 && overlap_y >= 20
    })
}

/// Puts the window where it was when it last closed, if that is still on screen.
pub fn restore<R: Runtime>(window: &WebviewWindow<R>) {
    let Some(saved) = file()
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|bytes| serde_json::from_slice::<Saved>(&bytes).ok())
    else {
        return;
    };
    let monitors: Vec<Area> = window
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let (p, s) = (m.position(), m.size());
            (p.x, p.y, s.width, s.height)
        })
        .collect();
    if !reachable(&saved, &monitors) {
        return;
    }
    let _ = window.set_size(PhysicalSize::new(saved.width, saved.height));
    let _ = window.set_position(PhysicalPosition::new(saved.x, saved.y));
    if saved.maximized {
        let _ = window.maximize();
    }
}

/// Remembers where the window is. Written to a temporary file and renamed,
/// so a crash never leaves half a file.
pub fn save<R: Runtime>(window: &Window<R>) {
    let (Ok(position), Ok(size), Some(path)) =
        (window.outer_position(), window.inner_size(), file())
    else {
        return;
    };
    let saved = Saved {
        x: position.x,
        y: position.y,
        width: size.width,
        height: size.height,
        maximized: window.is_maximized().unwrap_or(false),
    };
    let Ok(json) = serde_json::to_vec(&saved) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let temporary = path.with_extension("json.tmp");
    if std::fs::write(&temporary, json).is_ok() {
        let _ = std::fs::rename(&temporary, &path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Area = (0, 0, 1920, 1080);

    fn at(x: i32, y: i32) -> Saved {
        Saved {
            x,
            y,
            width: 1200,
            height: 760,
            maximized: false,
        }
    }

    #[test]
    fn a_window_on_screen_is_put_back() {
        assert!(reachable(&at(100, 100), &[SCREEN]));
        // Partly off the right edge, but its title bar can still be grabbed.
        assert!(reachable(&at(1700, 0), &[SCREEN]));
    }

    #[test]
    fn a_window_left_on_an_unplugged_monitor_is_not() {
        assert!(!reachable(&at(2000, 100), &[SCREEN]));
        assert!(!reachable(&at(100, 1070), &[SCREEN]));
        assert!(!reachable(&at(-1190, 100), &[SCREEN]));
        assert!(reachable(&at(2000, 100), &[SCREEN, (1920, 0, 1920, 1080)]));
        assert!(!reachable(&at(100, 100), &[]));
    }
}
