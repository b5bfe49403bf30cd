//! `puente serve`: the web application and the JSON API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use puente_server::{AppState, ServerConfig};
use puente_store::{Store, StoreLocation};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    /// Create the demo organisations, users and synthetic cases where absent. The demo password is
    /// `$PUENTE_DEMO_PASSWORD`, else generated and printed once.
    #[arg(long)]
    pub demo: bool,
    /// Mark cookies `Secure`: set this when users reach the server over HTTPS (through a proxy that
    /// terminates TLS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Take each client's address from the last entry of `X-Forwarded-For`: set this only behind a
    /// reverse proxy that appends it (login throttling counts failures per address).
    #[arg(long)]
    pub trust_forwarded_for: bool,
    /// The file holding the key that seals second-factor secrets in the database, created (readable
    /// by its owner only) at the first start. Keep it apart from copies of the database. Default:
    /// beside the database, named after it with `.secrets-key`.
    #[arg(long, env = puente_server::secrets::KEY_FILE_VARIABLE, value_name = "FILE")]
    pub secrets_key_file: Option<PathBuf>,
}

pub fn run(db: Option<PathBuf>, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let location = super::store_location(db)?;
    let runtime = super::runtime()?;
    runtime.block_on(serve(location, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(location: StoreLocation, args: ServeArgs) -> anyhow::Result<()> {
    let store = super::open_store(&location).await?;
    let key_file = args
        .secrets_key_file
        .clone()
        .unwrap_or_else(|| store.file_beside("secrets-key"));
    let secrets_key = puente_server::secrets::SecretsKey::load_or_create(&key_file)?;
    if args.demo {
        let (password, generated) = match std::env::var("PUENTE_DEMO_PASSWORD") {
            Ok(password) if !password.is_empty() => (password, false),
            _ => (puente_server::demo::generate_demo_password(), true),
        };
        let report = puente_server::demo::ensure_demo(store.as_ref(), &password)
            .await
            .context("cannot create the demo data")?;
        println!(
            "Demo: {} organisations, {} users and {} cases created (what existed was kept).",
            report.organisations_created,
            report.users_created.len(),
            report.cases_created
        );
        if !report.users_created.is_empty() {
            let source = if generated {
                "generated; shown only now"
            } else {
                "from PUENTE_DEMO_PASSWORD"
            };
            println!("Demo users ({source}), password: {password}");
            for email in &report.users_created {
                println!("  {email}");
            }
        } else {
            println!("The demo users existed already and keep their passwords.");
        }
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    println!("Puente is listening on http://{address}/ (Ctrl-C to stop)");
    let config = ServerConfig {
        secure_cookies: args.secure_cookies,
        trust_forwarded_for: args.trust_forwarded_for,
        secrets_key,
        ..ServerConfig::default()
    };
    let state = AppState::new(store.clone(), config);
    let checkpoints = tokio::spawn(write_audit_checkpoints(store.clone()));
    let served = puente_server::serve(listener, state, shutdown_signal()).await;
    checkpoints.abort();
    // Closing writes the last checkpoint.
    store.close().await;
    served.context("the server stopped with an error")?;
    println!("Puente stopped.");
    Ok(())
}

/// Appends a signed audit checkpoint every minute while serving (when the log changed), so that a
/// deleted tail or an inserted entry is found by `puente audit verify`.
async fn write_audit_checkpoints(store: Arc<dyn Store>) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    every_minute.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every_minute.tick().await;
        if let Err(error) = store.write_audit_checkpoint().await {
            tracing::error!(error = %error, "cannot write the audit checkpoint");
        }
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
