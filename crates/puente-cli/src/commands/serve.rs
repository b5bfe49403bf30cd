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
    /// Serve as a linkage unit: a Puente that holds no cases and matches the encodings partner
    /// instances upload (projects, uploads, runs and results under `/api/v1/projects`).
    #[arg(long, conflicts_with_all = ["demo", "partnerships"])]
    pub linkage_unit: bool,
    /// With `--linkage-unit`: the file holding the operator's token, who creates projects;
    /// created (readable by its owner only) at the first start. Default: beside the database,
    /// named after it with `.unit-token`.
    #[arg(long, requires = "linkage_unit", value_name = "FILE")]
    pub unit_token_file: Option<PathBuf>,
    /// The partnerships this instance matches with partners in: a JSON file naming each
    /// partnership, its linkage unit's address and the secret the partners share (which is never
    /// sent to the unit). Keep it readable by its owner only.
    #[arg(long, value_name = "FILE")]
    pub partnerships: Option<PathBuf>,
    /// The directory of the documents attached to cases (kept encrypted under the secrets key).
    /// Default: beside the database, named after it with `.attachments` (for PostgreSQL in
    /// `$PUENTE_DATA_DIR`, else the current directory).
    #[arg(long, env = "PUENTE_ATTACHMENT_DIR", value_name = "DIR")]
    pub attachment_dir: Option<PathBuf>,
    /// The largest document that may be attached, in bytes (25 MB by default).
    #[arg(long, env = puente_server::attachments::MAX_BYTES_VARIABLE, value_name = "BYTES",
          default_value_t = puente_server::attachments::DEFAULT_MAX_BYTES)]
    pub attachment_max_bytes: u64,
}

pub fn run(db: Option<PathBuf>, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let location = super::store_location(db)?;
    let runtime = super::runtime()?;
    runtime.block_on(serve(location, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(location: StoreLocation, args: ServeArgs) -> anyhow::Result<()> {
    if args.linkage_unit {
        return serve_linkage_unit(location, args).await;
    }
    let partnerships = match &args.partnerships {
        None => puente_server::partnerships::Partnerships::default(),
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the partnerships file {}", file.display()))?;
            puente_server::partnerships::Partnerships::from_json(
                &file.display().to_string(),
                &text,
            )?
        }
    };
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
    // Notification e-mails: off unless `PUENTE_SMTP_URL` or `PUENTE_SMTP_HOST` is set.
    let mail = puente_server::mail::MailSettings::from_environment(|name| std::env::var(name).ok())
        .context("cannot use the mail settings of the environment")?;
    if let Some(smtp) = &mail.smtp {
        println!(
            "Notification e-mails are on: links start with {}",
            smtp.public_url
        );
    }
    let config = ServerConfig {
        mail,
        secure_cookies: args.secure_cookies,
        trust_forwarded_for: args.trust_forwarded_for,
        secrets_key,
        partnerships,
        attachments: puente_server::attachments::AttachmentSettings {
            directory: args.attachment_dir.clone(),
            max_bytes: args.attachment_max_bytes,
        },
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

/// `puente serve --linkage-unit`: the unit's API over its own database, with the operator's token
/// from its file (created at the first start).
async fn serve_linkage_unit(location: StoreLocation, args: ServeArgs) -> anyhow::Result<()> {
    let store = super::open_store(&location).await?;
    let token_file = args
        .unit_token_file
        .clone()
        .unwrap_or_else(|| store.file_beside("unit-token"));
    let operator_token = load_or_create_token(&token_file)?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    println!(
        "Puente linkage unit listening on http://{address}/ (operator token in {}; Ctrl-C to stop)",
        token_file.display()
    );
    let state = puente_server::linkage_unit::UnitState::new(store.clone(), &operator_token);
    let checkpoints = tokio::spawn(write_audit_checkpoints(store.clone()));
    let served = puente_server::serve_router(
        listener,
        puente_server::linkage_unit::router(state),
        puente_server::ConnectionLimits {
            // A large upload takes a while on a slow link.
            body_read_timeout: std::time::Duration::from_secs(600),
            request_timeout: std::time::Duration::from_secs(1200),
            ..puente_server::ConnectionLimits::default()
        },
        shutdown_signal(),
    )
    .await;
    checkpoints.abort();
    store.close().await;
    served.context("the linkage unit stopped with an error")?;
    println!("Puente linkage unit stopped.");
    Ok(())
}

/// Reads the operator's token from `file`, or writes a new random one there (readable by its
/// owner only) when the file does not exist.
fn load_or_create_token(file: &std::path::Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(file) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_string()),
        Ok(_) => anyhow::bail!("the unit token file {} is empty", file.display()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", file.display())),
    }
    let token = puente_server::auth::random_token(32);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut opened = options
        .open(file)
        .with_context(|| format!("cannot create the unit token file {}", file.display()))?;
    std::io::Write::write_all(&mut opened, format!("{token}\n").as_bytes())
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(token)
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
