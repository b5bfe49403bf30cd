//! The web application: an axum server with a server-rendered UI in Spanish and English
//! and a JSON API under `/api/v1`, over Puente's store.
//!
//! # A guided tour
//!
//! A request passes through [`auth::session_layer`] (session, language, CSRF check), then a
//! handler in [`routes`]. Handlers take a [`auth::Principal`] (API) or [`auth::PageUser`] (pages),
//! ask [`policy`] whether the user may do what they ask, then call [`cases`] (the shared glue between
//! forms, JSON, the screening engine and the store) and answer JSON or a page from [`templates`].
//! Every failure is an [`error::AppError`], answered as `{"error": {"code", "message"}}` or as a
//! page. [`demo`] fills a database for `puente serve --demo`.

/// Sessions, passwords, TOTP, login throttling and CSRF protection.
pub mod auth;
/// The glue between requests, the screening engine and the store for cases.
pub mod cases;
/// Charts drawn on the server as SVG (the dashboard).
pub mod charts;
/// Demo organisations, users and cases for `puente serve --demo`.
pub mod demo;
/// The one error type and how it is answered.
pub mod error;
/// Spanish and English messages (Fluent).
pub mod i18n;
/// The OpenAPI document of `/api/v1`.
pub mod openapi;
/// Authorisation: role × action × ownership, in one place.
pub mod policy;
/// The handlers.
pub mod routes;
/// Server-rendered pages.
pub mod templates;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use puente_store::Store;

/// How the server runs.
#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (the server is reached over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client's address from the last entry of `X-Forwarded-For` (set when a reverse
    /// proxy that appends it stands in front; otherwise anyone could claim any address).
    pub trust_forwarded_for: bool,
    pub throttle: auth::ThrottlePolicy,
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
/// finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
