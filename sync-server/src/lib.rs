//! Gather's sync server: relays y-websocket updates between the people on a document, commits
//! every update to SQLite before relaying it, enforces what each share link may do, and serves
//! the app and its HTTP API.
//!
//! [`app`] builds the router from a [`ServerState`] (tests drive it directly); [`serve`] binds,
//! runs until the shutdown future completes, then closes every connection cleanly.

pub mod access;
pub mod admission;
mod api;
pub mod assets;
pub mod backup;
mod client_addr;
pub mod config;
pub mod doc_images;
pub mod export;
pub mod forms;
pub mod history;
pub mod outbox;
mod pictures;
pub mod rooms;
pub mod store;
mod upgrade;
mod ws;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use gather_doc::DocId;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tower_http::services::ServeDir;

use crate::access::Access;
use crate::admission::Admission;
use crate::assets::AppShell;
use crate::client_addr::ClientAddr;
use crate::config::Config;
use crate::rooms::Rooms;
use crate::store::{SqliteStore, Store};

/// What every request handler can reach.
#[derive(Clone)]
pub struct ServerState {
    pub rooms: Rooms,
    /// How many sync handshakes run at once, and when to say "busy".
    pub admission: Admission,
    pub access: Access,
    pub forms: forms::Forms,
    /// Pictures in documents.
    pub images: doc_images::DocImages,
    /// Versions of documents.
    pub history: history::History,
    pub shell: AppShell,
    pub max_message_bytes: usize,
    /// Take the client's address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    pub shutdown: watch::Receiver<bool>,
}

impl ServerState {
    pub fn new(
        config: &Config,
        store: Arc<dyn Store>,
        access: Access,
        forms: forms::Forms,
        images: doc_images::DocImages,
        history: history::History,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        ServerState {
            rooms: Rooms::new(
                store,
                config.max_doc_bytes,
                Some(history.clone()),
                std::time::Duration::from_millis(config.commit_gap_ms),
            ),
            admission: Admission::new(
                config.max_handshakes,
                config.max_waiting_handshakes,
                config.busy_retry_secs,
            ),
            access,
            forms,
            images,
            history,
            shell: AppShell::load(&config.assets),
            max_message_bytes: config.max_message_bytes,
            trust_forwarded_for: config.trust_forwarded_for,
            shutdown,
        }
    }
}

/// The HTTP routes.
pub fn app(state: ServerState, config: &Config) -> Router {
    let csp = state.shell.csp.clone();
    Router::new()
        .route("/", get(index))
        .route("/d/{doc_id}", get(index_for_doc))
        .route("/f/{doc_id}", get(fill_page))
        .route("/d/{doc_id}/{view}", get(organise_page))
        .route("/sw.js", get(service_worker))
        .route("/healthz", get(|| async { "ok" }))
        .route("/sync/{doc_id}", get(sync_socket))
        .merge(api::routes())
        .merge(forms::routes())
        .merge(doc_images::routes())
        .merge(history::routes())
        .nest_service("/snippets", revalidated(&config.assets.join("snippets")))
        .nest_service(
            "/fill/snippets",
            revalidated(&config.assets.join("fill/snippets")),
        )
        .nest_service(
            "/organise/snippets",
            revalidated(&config.assets.join("organise/snippets")),
        )
        .fallback_service(static_files(&config.assets))
        .layer(axum::middleware::map_response(move |mut res: Response| {
            let csp = csp.clone();
            async move {
                for (name, value) in assets::security_headers(&csp) {
                    // A handler's own, stricter policy (an exported page) stays.
                    if name == header::CONTENT_SECURITY_POLICY && res.headers().contains_key(&name)
                    {
                        continue;
                    }
                    res.headers_mut().insert(name, value);
                }
                res
            }
        }))
        .with_state(state)
}

/// The app's files, compressed when the browser accepts it: the build's brotli or gzip copy
/// (`scripts/setup.sh`) when there is one, else gzip on the fly. Cached for a year, since trunk
/// puts a content hash in every file name (`index.html`, which names them, is never cached).
fn static_files(assets: &std::path::Path) -> axum::routing::MethodRouter {
    let files = tower_http::compression::Compression::new(serve_dir(assets));
    let cached = tower_http::set_header::SetResponseHeader::if_not_present(
        files,
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    axum::routing::get_service(cached)
}

/// Files from `dir`, with their precompressed copies if the build made them.
fn serve_dir(dir: &std::path::Path) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// wasm-bindgen's JS modules (`snippets/<crate>-<hash>/…`): their folder's name does not change
/// with their content, so the browser must ask again each time (a conditional request).
fn revalidated(dir: &std::path::Path) -> axum::routing::MethodRouter {
    let files = tower_http::compression::Compression::new(serve_dir(dir));
    let cached = tower_http::set_header::SetResponseHeader::overriding(
        files,
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    axum::routing::get_service(cached)
}

/// The service worker: revalidated on every visit (a new app brings a new one), allowed to
/// control the whole origin.
async fn service_worker(State(state): State<ServerState>) -> Response {
    match state.shell.service_worker.clone() {
        Some(script) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
                (
                    header::HeaderName::from_static("service-worker-allowed"),
                    "/",
                ),
            ],
            script,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "No service worker: build the app first.",
        )
            .into_response(),
    }
}

async fn index(State(state): State<ServerState>) -> Response {
    page(state.shell.index_html.as_ref())
}

/// A form's fill page: its own small build (the whole app does not carry the fill page).
async fn fill_page(State(state): State<ServerState>, Path(doc_id): Path<String>) -> Response {
    if DocId::parse(&doc_id).is_err() {
        return (StatusCode::NOT_FOUND, "No such document address.").into_response();
    }
    page(state.shell.fill_html.as_ref())
}

/// A form's responses, day view, totals or roster: the organiser's page, its own build (the document
/// page does not carry these views). Whether the link may see them is the API's to say.
async fn organise_page(
    State(state): State<ServerState>,
    Path((doc_id, view)): Path<(String, String)>,
) -> Response {
    if DocId::parse(&doc_id).is_err()
        || !matches!(view.as_str(), "responses" | "today" | "totals" | "roster")
    {
        return (StatusCode::NOT_FOUND, "No such page.").into_response();
    }
    page(state.shell.organise_html.as_ref())
}

fn page(html: Option<&axum::body::Bytes>) -> Response {
    match html {
        Some(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            html.clone(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The app has not been built. Run the README's run command.",
        )
            .into_response(),
    }
}

async fn index_for_doc(state: State<ServerState>, Path(doc_id): Path<String>) -> Response {
    if DocId::parse(&doc_id).is_err() {
        return (StatusCode::NOT_FOUND, "No such document address.").into_response();
    }
    index(state).await
}

#[derive(serde::Deserialize)]
struct SyncQuery {
    token: Option<String>,
}

async fn sync_socket(
    State(state): State<ServerState>,
    ClientAddr(addr): ClientAddr,
    Path(doc_id): Path<String>,
    Query(query): Query<SyncQuery>,
    upgrade: upgrade::Upgrade,
) -> Response {
    let doc = match DocId::parse(&doc_id) {
        Ok(doc) => doc,
        Err(error) => {
            tracing::warn!(doc_id, %error, "refused websocket for a bad document id");
            return (StatusCode::BAD_REQUEST, error.to_string()).into_response();
        }
    };
    let limit = state.max_message_bytes;
    // Small socket buffers: thousands of mostly idle connections must not each hold tungstenite's
    // default 128 KiB read buffer. 512 bytes hold a keystroke's update and a presence message
    // with a selection (about 300 bytes); a larger frame grows the buffer to its length, read
    // in more steps. Frames queued together are written together (the writer flushes after
    // each batch); a longer message goes out in fragments of 16 KiB.
    let upgrade = upgrade.config(
        WebSocketConfig::default()
            .read_buffer_size(512)
            .write_buffer_size(16 * 1024)
            .max_message_size(Some(limit))
            .max_frame_size(Some(limit)),
    );
    // Refusals still upgrade, so the app can read the close code and say why.
    let grant = match state.access.authorize(&doc, query.token.as_deref(), addr) {
        Ok(grant) if !grant.role.can_read() => Err(gather_doc::CloseCode::RespondentOnly),
        Ok(grant) => Ok(grant),
        Err(denied) => {
            tracing::warn!(doc = %doc, addr = %addr, ?denied, "refused sync token");
            Err(denied.close_code())
        }
    };
    let grant = match grant {
        Ok(grant) => grant,
        Err(code) => return upgrade.on_upgrade(move |socket| ws::refuse(socket, code)),
    };
    if grant.unknown_doc {
        // The operator's token creates the documents it names (and adopts ones stored before
        // share links existed).
        let access = state.access.clone();
        let created = doc.clone();
        let registered =
            tokio::task::spawn_blocking(move || access.register_doc(&created, "")).await;
        if !matches!(registered, Ok(Ok(_))) {
            tracing::error!(doc = %doc, "could not register the document");
            let code = gather_doc::CloseCode::StorageFailed;
            return upgrade.on_upgrade(move |socket| ws::refuse(socket, code));
        }
    }
    // Past the waiting capacity a new connection is told to come back later, at once, rather
    // than slowing down everyone already waiting.
    let queued = match state.admission.queue() {
        Ok(queued) => queued,
        Err(busy) => {
            tracing::warn!(
                doc = %doc,
                addr = %addr,
                waiting = busy.waiting,
                retry_after_secs = busy.retry_after_secs,
                "server busy; turned a connection away"
            );
            let secs = busy.retry_after_secs;
            return upgrade.on_upgrade(move |socket| ws::refuse_busy(socket, secs));
        }
    };
    let session = ws::Session {
        doc,
        grant,
        addr,
        queued,
    };
    upgrade.on_upgrade(move |socket| {
        ws::serve_socket(
            Box::new(socket),
            Box::new(session),
            state.rooms,
            state.access,
            limit,
            state.shutdown,
        )
    })
}

/// Connections the kernel may hold for the server before it accepts them.
const LISTEN_BACKLOG: u32 = 8192;

/// Runs the server on `config.addr` until `shutdown` completes; then closes every sync
/// connection (code 4503), waits for pending commits, and returns.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let socket = if config.addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(config.addr)?;
    // Thousands of clients reconnecting at once after a restart must not overflow the accept
    // queue (tokio's default is 1,024; the kernel caps it at `net.core.somaxconn`).
    let listener = socket.listen(LISTEN_BACKLOG)?;
    serve_on(listener, config, shutdown).await
}

/// Like [`serve`], on a listener the caller bound (tests bind port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&config.data)?);
    let access = Access::open(&config.data, &config.key_path(), config.admin_token.clone())?;
    let forms = forms::Forms::open(&config.data)?.with_regions(&config.assets);
    let images = doc_images::DocImages::open(&config.data, doc_images::ImageLimits::default())?;
    let history =
        history::History::open(&config.data, Duration::from_secs(config.version_every_secs))?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = ServerState::new(&config, store, access, forms, images, history, stop_rx);
    let rooms = state.rooms.clone();
    let sessions = state.access.sessions().clone();
    // Responses past their form's retention are deleted now and every few minutes.
    {
        let (forms, access) = (state.forms.clone(), state.access.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(forms::SWEEP_EVERY);
            loop {
                every.tick().await;
                let (forms, access) = (forms.clone(), access.clone());
                let swept = tokio::task::spawn_blocking(move || {
                    forms::sweep(forms.db(), &access, access::now_ms())
                })
                .await;
                if let Ok(Err(error)) = swept {
                    tracing::error!(%error, "retention sweep failed");
                }
            }
        });
    }
    let router = app(state, &config);
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data = %config.data.display(), "listening");
    // A plain line on stdout, so scripts and tests can find the port.
    println!("gather listening on http://{addr}");
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            // First the flag (for connections still arriving), then every session there is.
            let _ = stop_tx.send(true);
            sessions.close_all(gather_doc::CloseCode::ShuttingDown);
        })
        .await?;
    // Upgraded websockets outlive hyper's graceful shutdown: wait for their rooms to close.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while rooms.loaded() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
