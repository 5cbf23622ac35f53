//! Harness for end-to-end tests: starts the real `sync-server` binary on a free port with a
//! temporary data folder, `chromedriver` with Debian's Chromium (headless), and gives each
//! test browser sessions with helpers that wait for conditions instead of sleeping.
//!
//! Child processes run in their own process groups and the whole group is killed on drop, so
//! a failed test does not leave Chromium running.

pub mod bench;
mod slow_link;

pub use slow_link::{phone_link_proxy, slow_sync_proxy};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The workspace root (where `dist/` and `target/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// A child process killed with its whole process group on drop.
pub struct Group {
    child: Child,
}

impl Group {
    fn spawn(command: &mut Command) -> Result<Group> {
        command.process_group(0).kill_on_drop(true);
        let child = command.spawn()?;
        Ok(Group { child })
    }

    fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Whether the process has ended.
    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` (e.g. "KILL", "TERM") to the whole group and waits for the child.
    pub async fn signal_and_wait(&mut self, signal: &str) -> Result<()> {
        if let Some(pid) = self.pid() {
            let _ = std::process::Command::new("kill")
                .args([format!("-{signal}"), "--".into(), format!("-{pid}")])
                .status();
        }
        tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .context("process did not exit")??;
        Ok(())
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pid) = self.pid() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The operator token the test server runs with.
pub const ADMIN_TOKEN: &str = "e2e-admin-token";

/// A document created over the HTTP API, as the home page's "New document" does.
pub struct NewDoc {
    pub id: String,
    pub owner_token: String,
    /// `/d/{id}#t={owner_token}`
    pub path: String,
}

/// A running Gather server.
pub struct GatherServer {
    pub addr: String,
    process: Group,
}

impl GatherServer {
    /// Starts `target/debug/sync-server` (or `$GATHER_SERVER_BIN`) serving `dist/`.
    pub async fn start(data: &Path, addr: &str) -> Result<GatherServer> {
        let root = workspace_root();
        let bin = std::env::var_os("GATHER_SERVER_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/debug/sync-server"));
        if !bin.exists() {
            bail!(
                "{} is missing: run the README's test command",
                bin.display()
            );
        }
        let assets = root.join("dist");
        if !assets.join("index.html").exists() {
            bail!("dist/index.html is missing: run the README's test command");
        }
        let mut command = Command::new(bin);
        command
            .arg("--addr")
            .arg(addr)
            .arg("--data")
            .arg(data)
            .arg("--assets")
            .arg(&assets)
            .arg("--admin-token")
            .arg(ADMIN_TOKEN)
            .env("GATHER_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut process = Group::spawn(&mut command)?;
        let stdout = process.child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(addr) = line.strip_prefix("gather listening on http://") {
                    return Ok::<_, anyhow::Error>(addr.trim().to_owned());
                }
            }
            Err(anyhow!("server exited before listening"))
        })
        .await
        .context("server did not start")??;
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(GatherServer { addr, process })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Creates a form from a template with `POST /api/docs` and returns its owner link.
    pub async fn create_form(&self, template: &str, lang: &str) -> Result<NewDoc> {
        self.create(&serde_json::json!({ "template": template, "lang": lang }))
            .await
    }

    /// Creates a document with `POST /api/docs` and returns its owner link.
    pub async fn create_doc(&self, title: &str) -> Result<NewDoc> {
        self.create(&serde_json::json!({ "title": title })).await
    }

    /// Creates a respondent link (a fill link) to `form` labelled `label`; the server's answer
    /// (`url` is the fill page's address, `token` the link's token).
    pub async fn respondent_link(&self, form: &NewDoc, label: &str) -> Result<serde_json::Value> {
        let (status, link) = self
            .http(
                "POST",
                &format!("/api/docs/{}/links", form.id),
                Some(&form.owner_token),
                &serde_json::json!({ "role": "respondent", "label": label }),
            )
            .await?;
        if status != 201 {
            bail!("creating a respondent link answered {status}: {link}");
        }
        Ok(link)
    }

    async fn create(&self, request: &serde_json::Value) -> Result<NewDoc> {
        let (status, body) = self.http("POST", "/api/docs", None, request).await?;
        if status != 201 {
            bail!("creating a document answered {status}: {body}");
        }
        let field = |name: &str| {
            body[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow!("no {name} in {body}"))
        };
        Ok(NewDoc {
            id: field("id")?,
            owner_token: field("owner_token")?,
            path: field("url")?,
        })
    }

    /// A JSON request to the server's API; the status and the JSON answer.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<(u16, serde_json::Value)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await?;
        let body = body.to_string();
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        let status = response.get(9..12).context("short response")?.parse()?;
        let json = response
            .split_once("\r\n\r\n")
            .and_then(|(_, body)| serde_json::from_str(body).ok())
            .unwrap_or(serde_json::Value::Null);
        Ok((status, json))
    }

    /// A GET with a bearer token; the status, the lower-cased head and the body's bytes (not
    /// chunked: the photo and file routes send a length).
    pub async fn get_bytes(&self, path: &str, token: &str) -> Result<(u16, String, Vec<u8>)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n",
            self.addr
        );
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .context("no end of head")?;
        let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
        let status = head.get(9..12).context("short response")?.parse()?;
        Ok((status, head, response[split + 4..].to_vec()))
    }

    /// Stops the server the way an operator does (SIGTERM): it closes connections with 4503.
    pub async fn stop(mut self) -> Result<()> {
        self.process.signal_and_wait("TERM").await
    }

    /// Kills the server at once (no clean shutdown), like a crash or power loss.
    pub async fn crash(mut self) -> Result<String> {
        self.process.signal_and_wait("KILL").await?;
        Ok(self.addr.clone())
    }
}

/// chromedriver driving headless Debian Chromium.
pub struct Driver {
    port: u16,
    _process: Group,
    profiles: tempfile::TempDir,
}

impl Driver {
    pub async fn start() -> Result<Driver> {
        // Tests of one binary start their drivers one at a time: two picking the same free
        // port at once left one test talking to the other's chromedriver, which went away
        // with the other test.
        static STARTING: std::sync::LazyLock<tokio::sync::Mutex<()>> =
            std::sync::LazyLock::new(|| tokio::sync::Mutex::new(()));
        let _one_at_a_time = STARTING.lock().await;
        for _ in 0..3 {
            let port = free_port()?;
            let mut command = Command::new("chromedriver");
            command
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut process = Group::spawn(&mut command).context("chromedriver not installed")?;
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if process.exited() {
                    // Someone else took the port meanwhile: try another.
                    break;
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
                    && !process.exited()
                {
                    return Ok(Driver {
                        port,
                        _process: process,
                        profiles: tempfile::tempdir()?,
                    });
                }
                if Instant::now() > deadline {
                    bail!("chromedriver did not start");
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        bail!("chromedriver exited at start three times")
    }

    /// A new browser (its own profile) with a phone-sized or desktop window.
    pub async fn browser(&self, name: &str, width: u32, height: u32) -> Result<Browser> {
        let profile = self.profiles.path().join(name);
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.display()),
        ];
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?;
        Ok(Browser { client })
    }
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// One browser session with helpers for the editor.
pub struct Browser {
    pub client: Client,
}

/// The document's last top-level node, as a JS expression: the editor shows a long document
/// in parts beside its editing host (`app/src/editor/page.rs`), so the host's last child is
/// not always the document's.
pub const LAST_BLOCK: &str =
    "(() => { const p = document.querySelector('[data-testid=editor-page]'); \
    if (!p) return null; \
    const parts = [...p.querySelectorAll(':scope > .flow')].filter(c => c.lastElementChild); \
    return parts.length ? parts[parts.length - 1].lastElementChild : null; })()";

/// How long a condition may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);

impl Browser {
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        Ok(())
    }

    /// Runs `script` (a function body) and returns its value.
    pub async fn js(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Polls `script` until it returns `true`, or fails after `timeout`.
    pub async fn wait_js(&self, script: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.js(script).await? == serde_json::Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("timed out waiting for: {script}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Polls `script` until it returns something other than `null`, and returns that; fails
    /// after `timeout`.
    pub async fn wait_value(&self, script: &str, timeout: Duration) -> Result<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.js(script).await?;
            if !value.is_null() {
                return Ok(value);
            }
            if Instant::now() > deadline {
                bail!("nothing within {timeout:?} from: {script}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Closes the current tab and goes on in a new one: a person who closes the tab and opens
    /// the link again later (no page of the first visit kept alive, frozen for Back).
    pub async fn reopen_tab(&self) -> Result<()> {
        let tab = self.client.new_window(true).await?;
        self.client.close_window().await?;
        self.client.switch_to_window(tab.handle).await?;
        Ok(())
    }

    pub async fn wait_online(&self) -> Result<()> {
        self.wait_js(
            "return document.querySelector('[data-testid=status]')?.dataset.state === 'online';",
            WAIT,
        )
        .await
    }

    /// The editor's text, blocks (in lists, quotes and tables too) separated by newlines.
    pub async fn editor_text(&self) -> Result<String> {
        let v = self
            .js("return Array.from(document.querySelectorAll('[data-testid=editor-page] [data-b]')).map(b => b.textContent).join('\\n');")
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the editor shows `text`, within `timeout`.
    pub async fn wait_text(&self, text: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = self.editor_text().await?;
            if now == text {
                return Ok(());
            }
            if Instant::now() > deadline {
                let page = self
                    .js("return location.href + ' | ' + document.body.innerText.slice(0, 300);")
                    .await
                    .unwrap_or_default();
                bail!("editor shows {now:?}, expected {text:?}; the page: {page}");
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// Focuses the editor and puts the caret at the end of its content.
    pub async fn caret_to_end(&self) -> Result<()> {
        self.js(
            "const e = document.querySelector('[data-testid=editor]'); e.focus();
             const page = document.querySelector('[data-testid=editor-page]');
             const all = page.querySelectorAll('[data-b]'); const last = all[all.length - 1];
             const r = document.createRange();
             if (last) { r.selectNodeContents(last); r.collapse(false);
               if (last.lastChild && last.lastChild.nodeName === 'BR' && !last.lastChild.hasAttribute('data-hard')) r.setEndBefore(last.lastChild), r.collapse(false); }
             else { r.selectNodeContents(e); r.collapse(false); }
             const s = getSelection(); s.removeAllRanges(); s.addRange(r); return true;",
        )
        .await?;
        Ok(())
    }

    /// Imports the Markdown file `md` at the end of the document through the editor's "Import
    /// Markdown" button, and waits until the document's last block shows `end`.
    pub async fn import_markdown(&self, md: &Path, end: &str) -> Result<()> {
        self.caret_to_end().await?;
        self.find_testid("import-md")
            .await?
            .send_keys(&md.display().to_string())
            .await?;
        self.wait_js(
            &format!(
                "const last = {LAST_BLOCK}; return !!last && last.textContent.includes({});",
                serde_json::json!(end)
            ),
            Duration::from_secs(60),
        )
        .await
    }

    /// Types through WebDriver key events into the focused element.
    pub async fn type_keys(&self, keys: &str) -> Result<()> {
        let active = self.client.active_element().await?;
        active.send_keys(keys).await?;
        Ok(())
    }

    /// The element with `data-testid={id}`, waiting for the app to render it (pages mount
    /// after the wasm loads, and some controls appear once the server has answered).
    pub async fn find_testid(&self, id: &str) -> Result<fantoccini::elements::Element> {
        self.wait_js(
            &format!("return !!document.querySelector('[data-testid={id}]');"),
            WAIT,
        )
        .await?;
        Ok(self
            .client
            .find(Locator::Css(&format!("[data-testid={id}]")))
            .await?)
    }

    /// Types `text` into the form field named `name` (`<input name=…>`), once it is there.
    pub async fn type_into(&self, name: &str, text: &str) -> Result<()> {
        let input = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&format!("[name='{name}']")))
            .await?;
        input.send_keys(text).await?;
        Ok(())
    }

    /// Clicks the choice `value` of the question named `name` until it is checked.
    pub async fn tick(&self, name: &str, value: &str) -> Result<()> {
        let script = format!(
            "const el = document.querySelector(\"input[name='{name}'][value='{value}']\"); \
             if (!el) return false; el.click(); return el.checked;"
        );
        self.wait_js(&script, WAIT).await
    }

    /// Picks the option shown as `label` in the `<select name=name>`, once the list has it (the
    /// region lists fill in as the division table loads and the level above is chosen).
    pub async fn pick(&self, name: &str, label: &str) -> Result<()> {
        let has_option = format!(
            "const s = document.querySelector(\"select[name='{name}']\"); \
             return !!s && !s.disabled && [...s.options].some(o => o.text.trim() === '{label}');"
        );
        self.wait_js(&has_option, WAIT).await?;
        let select = self
            .client
            .find(Locator::Css(&format!("select[name='{name}']")))
            .await?;
        select.select_by_label(label).await?;
        let chosen = format!(
            "const s = document.querySelector(\"select[name='{name}']\"); \
             return s.selectedIndex >= 0 && s.options[s.selectedIndex].text.trim() === '{label}';"
        );
        self.wait_js(&chosen, WAIT).await
    }

    /// Sends a Chrome DevTools Protocol command (through chromedriver).
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Result<serde_json::Value> {
        let command = Cdp {
            body: serde_json::json!({ "cmd": cmd, "params": params }).to_string(),
        };
        Ok(self.client.issue_cmd(command).await?)
    }

    /// Types `composed` through an input method, as pinyin input does: a composition showing
    /// `preedit` (e.g. "ni hao"), then the committed characters.
    pub async fn ime_type(&self, preedit: &str, composed: &str) -> Result<()> {
        let len = preedit.encode_utf16().count();
        self.cdp(
            "Input.imeSetComposition",
            serde_json::json!({ "text": preedit, "selectionStart": len, "selectionEnd": len }),
        )
        .await?;
        self.cdp("Input.insertText", serde_json::json!({ "text": composed }))
            .await?;
        Ok(())
    }

    /// Lets the page download files into `dir` (headless Chromium refuses downloads otherwise).
    pub async fn allow_downloads(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        self.cdp(
            "Browser.setDownloadBehavior",
            serde_json::json!({ "behavior": "allow", "downloadPath": dir.display().to_string() }),
        )
        .await?;
        Ok(())
    }

    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.client.screenshot().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

#[derive(Debug)]
struct Cdp {
    body: String,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.clone()))
    }
}

/// The first file with extension `ext` downloaded into `dir` (blocking: call it from
/// `spawn_blocking`), waiting up to [`WAIT`] for it.
pub fn wait_for_download(dir: &Path, ext: &str) -> Result<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        // Chromium reserves the file's name (empty) before it writes the download to a
        // `.crdownload` file and renames that over it: done is the name with content and no
        // download in progress.
        if let Ok(entries) = std::fs::read_dir(dir) {
            let paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            let writing = paths
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == "crdownload"));
            for path in &paths {
                let done = path.extension().is_some_and(|e| e == ext)
                    && std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
                if done && !writing {
                    return Ok(std::fs::read_to_string(path)?);
                }
            }
        }
        if Instant::now() > deadline {
            bail!("no .{ext} file was downloaded");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
