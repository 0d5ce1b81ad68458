//! Drives the real Hoist window: a private Xvfb display, `tauri-driver`
//! (which starts WebKitWebDriver), and the built `hoist-app`, spoken to in
//! plain W3C WebDriver over HTTP. Every process is stopped when its guard drops.
//!
//! A missing tool is a test failure with the command that installs it,
//! never a skip: CI installs them with `scripts/setup.sh`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// A child process killed (and reaped) on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The app under test, one window, until dropped.
pub struct App {
    session: String,
    base: String,
    agent: ureq::Agent,
    // Dropped in this order: the driver (and its window), the display, then
    // the turn, so the next window starts only when this one is gone.
    _driver: Process,
    _home: Scratch,
    _display: Display,
    _turn: MutexGuard<'static, ()>,
}

/// A directory removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One window at a time: two WebKitWebDriver sessions side by side under
/// Xvfb crash each other's web processes now and then.
static WINDOWS: Mutex<()> = Mutex::new(());

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn tool(name: &str, install: &str) -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([home.join(".cargo/bin")]);
    for dir in candidates {
        let path = dir.join(name);
        if path.is_file() {
            return path;
        }
    }
    panic!("{name} is not installed; install it with `{install}` (scripts/setup.sh does)");
}

/// The built app: `$HOIST_APP`, or `target/debug/hoist-app` of this workspace.
fn app_binary() -> PathBuf {
    let path = std::env::var_os("HOIST_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| hoist_fixtures::workspace_root().join("target/debug/hoist-app"));
    assert!(
        path.is_file(),
        "{} does not exist; build it with `npm --prefix ui run build && cargo build -p hoist-app --features custom-protocol` (scripts/test.sh does)",
        path.display()
    );
    path
}

/// An Xvfb server on display `:n`, killed when dropped. A killed server
/// leaves its lock file and socket behind, so they go with it: otherwise
/// every run would use up one of the displays for good.
struct Display {
    process: Process,
    n: u32,
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.process.0.kill();
        let _ = self.process.0.wait();
        forget_display(self.n);
    }
}

fn forget_display(n: u32) {
    let _ = std::fs::remove_file(format!("/tmp/.X{n}-lock"));
    let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
}

/// Whether display `:n` is taken: its lock file names a live process.
/// (A lock whose process is gone was left by a run that was killed.)
fn display_taken(n: u32) -> bool {
    let Ok(lock) = std::fs::read_to_string(format!("/tmp/.X{n}-lock")) else {
        return Path::new(&format!("/tmp/.X11-unix/X{n}")).exists();
    };
    match lock.trim().parse::<u32>() {
        Ok(pid) if !Path::new(&format!("/proc/{pid}")).exists() => {
            forget_display(n);
            false
        }
        _ => true,
    }
}

fn start_display() -> (Display, String) {
    let xvfb = tool("Xvfb", "apt-get install xvfb");
    for n in 90..190 {
        if display_taken(n) {
            continue;
        }
        let display = format!(":{n}");
        let child = Command::new(&xvfb)
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut process = Process(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (Display { process, n }, display);
            }
            if let Ok(Some(_)) = process.0.try_wait() {
                break; // Another run took this display first; try the next.
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(process);
    }
    panic!("no free X display between :90 and :189 for Xvfb");
}

impl App {
    /// Starts the app on `repository` and waits for its window.
    pub fn launch(repository: &Path) -> App {
        App::start(vec![repository.to_string_lossy().into_owned()], &[])
    }

    /// Starts the app without a repository: it opens the built-in demo.
    pub fn launch_demo() -> App {
        App::start(Vec::new(), &[])
    }

    /// The demo with extra environment variables (a GTK theme, say).
    pub fn launch_demo_with(env: &[(&str, &str)]) -> App {
        App::start(Vec::new(), env)
    }

    fn start(args: Vec<String>, env: &[(&str, &str)]) -> App {
        let driver_bin = tool(
            "tauri-driver",
            "cargo install tauri-driver --locked --version ^2",
        );
        tool("WebKitWebDriver", "apt-get install webkit2gtk-driver");
        let app = app_binary();
        // A test that failed while holding the turn poisons it; the next may still go.
        let turn = WINDOWS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (display_process, display) = start_display();
        let (port, native) = (free_port(), free_port());
        // Each window gets its own data and cache directories: two WebKit
        // processes sharing one profile crash each other, and tests must not
        // touch the user's real ones.
        let home = std::env::temp_dir().join(format!("hoist-e2e-{}-{port}", std::process::id()));
        let driver = Command::new(driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", &display)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver starts");
        let driver = Process(driver);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not answer on {base}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": app,
            "args": args,
        }}}});
        let created = request(&agent, "POST", &format!("{base}/session"), Some(caps));
        let session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        App {
            session,
            base,
            agent,
            _driver: driver,
            _home: Scratch(home),
            _display: display_process,
            _turn: turn,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        try_request(&self.agent, method, &url, body)
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// How long an asynchronous script may run before the driver gives up on it.
    pub fn script_timeout(&self, limit: Duration) {
        self.call(
            "POST",
            "/timeouts",
            Some(json!({"script": u64::try_from(limit.as_millis()).unwrap_or(u64::MAX)})),
        );
    }

    /// Runs `script` asynchronously: it ends by calling `arguments[arguments.length - 1]`
    /// with its result (frame timings, say).
    pub fn script_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Waits until `script` returns something other than null/false.
    pub fn wait_for(&self, what: &str, script: &str) -> Value {
        self.wait_up_to(what, script, Duration::from_secs(30))
    }

    /// [`App::wait_for`] for work that takes minutes in a debug build (a monorepo's status).
    pub fn wait_for_long(&self, what: &str, script: &str) -> Value {
        self.wait_up_to(what, script, Duration::from_secs(300))
    }

    fn wait_up_to(&self, what: &str, script: &str, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let value = self.script(script, json!([]));
            if !(value.is_null() || value == json!(false)) {
                return value;
            }
            let text = self.script(
                "return document.body ? document.body.innerText : ''",
                json!([]),
            );
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the window shows:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element `selector` matches, waiting for it to exist and be enabled.
    pub fn click(&self, selector: &str) {
        let script = format!(
            "const e = document.querySelector({sel}); if (!e || e.disabled) return false; e.click(); return true;",
            sel = json!(selector)
        );
        self.wait_for(&format!("{selector} to be clickable"), &script);
    }

    /// Types `text` into the input or text area `selector` matches.
    pub fn fill(&self, selector: &str, text: &str) {
        let script = format!(
            "const e = document.querySelector({sel}); if (!e) return false; e.value = {text}; e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); return true;",
            sel = json!(selector),
            text = json!(text)
        );
        self.wait_for(&format!("{selector} to fill"), &script);
    }

    /// The text of the element `selector` matches, once it exists.
    pub fn text(&self, selector: &str) -> String {
        let script = format!(
            "return document.querySelector({sel})?.innerText ?? null",
            sel = json!(selector)
        );
        self.wait_for(selector, &script)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Saves a PNG of the window to `target/e2e/<name>.png` and returns its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        // Let the compositor paint the last DOM change before capturing.
        let _ = self.try_call(
            "POST",
            "/execute/async",
            Some(json!({"script": "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));", "args": []})),
        );
        // WebKitWebDriver sometimes answers a screenshot with "unknown error"
        // while the window is still being mapped; ask again for a moment.
        let deadline = Instant::now() + Duration::from_secs(10);
        let encoded = loop {
            match self.try_call("GET", "/screenshot", None) {
                Ok(value) => break value,
                Err(e) if Instant::now() >= deadline => panic!("{e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        };
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("base64 screenshot"))
            .expect("valid base64");
        let dir = hoist_fixtures::workspace_root().join("target/e2e");
        std::fs::create_dir_all(&dir).expect("create target/e2e");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
    }
}

/// One WebDriver request; a WebDriver error fails the test with its message.
fn request(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Value {
    try_request(agent, method, url, body).unwrap_or_else(|e| panic!("{e}"))
}

/// One WebDriver request: its `value`, or the error the driver reported.
fn try_request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        (_, Some(body)) => agent.post(url).send_json(body),
        (_, None) => agent.post(url).send_json(json!({})),
    };
    let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let json: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} {url}: HTTP {status}, body is not JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!("{method} {url}: HTTP {status}: {json}"));
    }
    Ok(json["value"].clone())
}
