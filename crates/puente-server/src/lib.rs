//! The web application: an axum server with a server-rendered UI in Spanish and English
//! and a JSON API under `/api/v1`, over Puente's store.
//!
//! # A guided tour
//!
//! A request passes through [`auth::session_layer`] (session, language, CSRF check), then a
//! handler in [`routes`]. Handlers take a [`auth::Principal`] (API) or [`auth::PageUser`] (pages),
//! and a page's form as a typed form ([`forms`]); they ask [`policy`] whether the user may do what
//! they ask, then call [`cases`] (the shared glue between forms, JSON, the screening engine and the
//! store) and answer JSON or a page from [`templates`]. Every failure is an [`error::AppError`],
//! answered as `{"error": {"code", "message"}}`, or, from a page handler (with `?`, naming no
//! language), as an [`error::PageError`] that the response layer ([`error_pages`]) shows as a page
//! in the request's language. [`demo`] fills a database for `puente serve --demo`.

/// Typed answers and bodies of the JSON API shared by several route modules.
pub mod api_types;
/// Documents attached to cases: the allowlist, the size limit, the sealed files.
pub mod attachments;
/// Sessions, passwords, TOTP, login throttling and CSRF protection.
/// The audit log as a person reads it: labels in the reader's language instead of codes.
pub mod audit_view;
pub mod auth;
/// The case list's filters, shared by the list and its exports.
/// Finding cases: the list's parameters, the caller's scope, one page from the store.
pub mod case_search;
/// The glue between requests, the screening engine and the store for cases.
pub mod cases;
/// Charts drawn on the server as SVG (the dashboard).
pub mod charts;
/// Demo organisations, users and cases for `puente serve --demo`.
pub mod demo;
/// The legal track of the demo cases.
pub mod demo_legal;
/// The one error type and how it is answered.
pub mod error;
/// The response layer of the pages: errors of pages rendered in the request's language.
pub mod error_pages;
/// A case file as PDF, and the case list as XLSX and CSV.
pub mod exports;
/// Extractors of the JSON API: bodies read as the OpenAPI document describes them.
pub mod extract;
/// Page forms: the raw form, typed forms read from it, their extractors.
pub mod forms;
/// Spanish and English messages (Fluent).
pub mod i18n;
/// The linkage unit (`puente serve --linkage-unit`): projects, uploads, runs and results.
pub mod linkage_unit;
/// Notification e-mails through SMTP: naming nobody, off unless configured.
pub mod mail;
/// The OpenAPI document of `/api/v1`, generated from the handlers.
pub mod openapi;
/// The partnerships an instance matches in, with their shared secrets (never sent to the unit).
pub mod partnerships;
/// Authorisation: role × action × ownership, in one place.
pub mod policy;
/// The handlers.
pub mod routes;
/// Secrets sealed at rest (second-factor secrets) under a key kept outside the database.
pub mod secrets;
/// Operations shared by several route modules, between the routes and the store.
pub mod services;
/// Tasks: the due day or moment, the assignee check, the tasks deadlines become.
pub mod tasks;
/// Server-rendered pages.
pub mod templates;

use std::future::Future;
use std::sync::Arc;

use puente_store::Store;

/// How long the server waits for a slow client, and how many clients it serves at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this time, or the connection is closed.
    pub header_read_timeout: std::time::Duration,
    /// A request's body must arrive within this time, or the request is answered 408.
    pub body_read_timeout: std::time::Duration,
    /// A whole request must be answered within this time, or it is answered 408.
    pub request_timeout: std::time::Duration,
    /// The most connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(10),
            body_read_timeout: std::time::Duration::from_secs(30),
            request_timeout: std::time::Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// How the server runs.
#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (the server is reached over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client's address from the last entry of `X-Forwarded-For` (set when a reverse
    /// proxy that appends it stands in front; otherwise anyone could claim any address).
    pub trust_forwarded_for: bool,
    pub throttle: auth::ThrottlePolicy,
    /// The key that seals second-factor secrets in the database (`puente serve` reads it from a
    /// key file beside the database).
    pub secrets_key: secrets::SecretsKey,
    pub limits: ConnectionLimits,
    /// The partnerships this instance matches with partners in (`puente serve --partnerships`).
    pub partnerships: partnerships::Partnerships,
    /// Where attached documents are kept and how large one may be.
    pub attachments: attachments::AttachmentSettings,
    /// Notification e-mails (off unless an SMTP server is configured).
    pub mail: mail::MailSettings,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServerConfig>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The directory of the sealed attachment files: the configured one, else the one in the
    /// store's data directory (beside an SQLite file; `$PUENTE_DATA_DIR` for PostgreSQL).
    pub fn attachment_directory(&self) -> std::path::PathBuf {
        self.config
            .attachments
            .directory
            .clone()
            .unwrap_or_else(|| self.store.file_beside("attachments"))
    }

    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
        }
    }
}

/// The whole application as a router.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in flight
/// finish. Second-factor secrets stored before they were sealed are sealed first. Each connection
/// must send its headers within the header timeout, and at most `max_connections` are served at
/// once (see [`ConnectionLimits`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let key = state.config.secrets_key.clone();
    let sealed = state
        .store
        .seal_plain_totp_secrets(&secrets::is_sealed, &|user_id, secret| {
            key.seal_totp_secret(user_id, secret)
        })
        .await
        .map_err(std::io::Error::other)?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "second-factor secrets stored in plain text were sealed"
        );
    }
    let limits = state.config.limits;
    let mailer = state
        .config
        .mail
        .smtp
        .clone()
        .map(|settings| tokio::spawn(mail::run_mailer(state.clone(), settings)));
    let served = serve_router(listener, app(state), limits, shutdown).await;
    if let Some(mailer) = mailer {
        mailer.abort();
    }
    served
}

/// Serves `app` on `listener` with the header timeout and connection limit of `limits` until
/// `shutdown` completes, then lets requests in flight finish (the application and the linkage
/// unit alike).
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or a connection reset before it was accepted: wait
                    // a moment rather than spin.
                    tracing::warn!(error = %error, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                tower::ServiceExt::oneshot(app.clone(), request)
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or is too slow ends its own connection only.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
