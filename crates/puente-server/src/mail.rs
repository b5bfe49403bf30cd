//! Notification e-mails through SMTP (with `lettre`): off unless configured. When a notification
//! arrives for users who turned e-mails on, each gets a short mail that says only that there is
//! something new in Puente, with a link to it: never a name, a case number, an organisation or
//! any other detail of a case, since mail leaves the organisation's control.
//!
//! The mailer runs beside the server: every few seconds it asks the store which e-mails are owed
//! (notifications created since each user turned e-mails on, neither read nor mailed yet), sends
//! them, and records each one sent, so a mail server that is down delays mails without losing
//! them and no mail is sent twice.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use puente_core::Lang;
use puente_store::PendingNotificationEmail;

use crate::i18n::translations;
use crate::policy::{authorize, Action, Decision, Subject};
use crate::AppState;

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// A plain connection upgraded with STARTTLS, which must succeed (usually port 587).
    StartTls,
    /// No encryption: only for a relay on the same machine or a test sink.
    None,
}

impl SmtpSecurity {
    fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::None => 25,
        }
    }
}

/// Where the mail server is.
#[derive(Clone, PartialEq, Eq)]
pub enum SmtpConnection {
    /// A `lettre` connection URL: `smtps://user:password@host:465`,
    /// `smtp://user:password@host:587?tls=required`, or `smtp://127.0.0.1:2525` without TLS.
    Url(String),
    /// The host, port, protection and credentials one by one.
    Parts {
        host: String,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<(String, String)>,
    },
}

impl fmt::Debug for SmtpConnection {
    /// Never shows a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmtpConnection::Url(_) => f.write_str("SmtpConnection::Url(..)"),
            SmtpConnection::Parts {
                host,
                port,
                security,
                credentials,
            } => f
                .debug_struct("SmtpConnection::Parts")
                .field("host", host)
                .field("port", port)
                .field("security", security)
                .field("user", &credentials.as_ref().map(|(user, _)| user))
                .finish_non_exhaustive(),
        }
    }
}

/// The mail settings of a server that sends notification e-mails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpSettings {
    pub connection: SmtpConnection,
    /// The sender, as `Puente <puente@example.org>` or a bare address.
    pub from: String,
    /// The address the links in mails start with (`https://puente.example.org`).
    pub public_url: String,
    /// How often the mailer looks for e-mails owed.
    pub poll_interval: Duration,
}

/// Notification e-mails: off (`None`) unless configured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailSettings {
    pub smtp: Option<SmtpSettings>,
}

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailSettingsError {
    #[error("the environment variable {variable} is `{value}`: {problem}")]
    Invalid {
        variable: &'static str,
        value: String,
        problem: &'static str,
    },
    #[error("{variable} is set but {missing} is not: both are needed to send e-mails")]
    Missing {
        variable: &'static str,
        missing: &'static str,
    },
    #[error("cannot set up the mail server connection: {0}")]
    Transport(#[from] lettre::transport::smtp::Error),
}

/// The environment variables read by [`MailSettings::from_environment`].
pub const SMTP_URL_VARIABLE: &str = "PUENTE_SMTP_URL";

impl MailSettings {
    /// Reads the settings through `variable` (the process environment in `puente serve`):
    /// `PUENTE_SMTP_URL`, or `PUENTE_SMTP_HOST` with `PUENTE_SMTP_PORT`, `PUENTE_SMTP_SECURITY`
    /// (`tls`, `starttls`, the default, or `none`), `PUENTE_SMTP_USER` and
    /// `PUENTE_SMTP_PASSWORD`; then `PUENTE_SMTP_FROM` (needed) and `PUENTE_PUBLIC_URL` (the
    /// links' start, by default `http://localhost:8080`). Neither URL nor host: e-mails are off.
    pub fn from_environment(
        variable: impl Fn(&str) -> Option<String>,
    ) -> Result<MailSettings, MailSettingsError> {
        let get = |name: &str| variable(name).filter(|value| !value.trim().is_empty());
        let connection = if let Some(url) = get(SMTP_URL_VARIABLE) {
            SmtpConnection::Url(url.trim().to_string())
        } else if let Some(host) = get("PUENTE_SMTP_HOST") {
            let security = match get("PUENTE_SMTP_SECURITY").as_deref().map(str::trim) {
                None | Some("starttls") => SmtpSecurity::StartTls,
                Some("tls") => SmtpSecurity::Tls,
                Some("none") => SmtpSecurity::None,
                Some(other) => {
                    return Err(MailSettingsError::Invalid {
                        variable: "PUENTE_SMTP_SECURITY",
                        value: other.to_string(),
                        problem: "it must be tls, starttls or none",
                    })
                }
            };
            let port = match get("PUENTE_SMTP_PORT") {
                None => security.default_port(),
                Some(text) => text
                    .trim()
                    .parse()
                    .map_err(|_| MailSettingsError::Invalid {
                        variable: "PUENTE_SMTP_PORT",
                        value: text.clone(),
                        problem: "it is not a port number (1 to 65535)",
                    })?,
            };
            let credentials = match (get("PUENTE_SMTP_USER"), get("PUENTE_SMTP_PASSWORD")) {
                (Some(user), Some(password)) => Some((user, password)),
                (None, None) => None,
                (Some(_), None) => {
                    return Err(MailSettingsError::Missing {
                        variable: "PUENTE_SMTP_USER",
                        missing: "PUENTE_SMTP_PASSWORD",
                    })
                }
                (None, Some(_)) => {
                    return Err(MailSettingsError::Missing {
                        variable: "PUENTE_SMTP_PASSWORD",
                        missing: "PUENTE_SMTP_USER",
                    })
                }
            };
            SmtpConnection::Parts {
                host: host.trim().to_string(),
                port,
                security,
                credentials,
            }
        } else {
            return Ok(MailSettings::default());
        };
        let from = get("PUENTE_SMTP_FROM").ok_or(MailSettingsError::Missing {
            variable: "PUENTE_SMTP_URL or PUENTE_SMTP_HOST",
            missing: "PUENTE_SMTP_FROM",
        })?;
        if from.trim().parse::<Mailbox>().is_err() {
            return Err(MailSettingsError::Invalid {
                variable: "PUENTE_SMTP_FROM",
                value: from,
                problem: "it is not an e-mail address",
            });
        }
        let public_url = get("PUENTE_PUBLIC_URL")
            .unwrap_or_else(|| "http://localhost:8080".to_string())
            .trim()
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(MailSettingsError::Invalid {
                variable: "PUENTE_PUBLIC_URL",
                value: public_url,
                problem: "it must start with https:// or http://",
            });
        }
        let settings = SmtpSettings {
            connection,
            from: from.trim().to_string(),
            public_url,
            poll_interval: Duration::from_secs(10),
        };
        // A URL that lettre cannot read is refused at the start, not at the first mail.
        settings.transport_builder()?;
        Ok(MailSettings {
            smtp: Some(settings),
        })
    }
}

impl SmtpSettings {
    /// The SMTP transport of these settings (its connection pool needs a Tokio runtime).
    pub fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailSettingsError> {
        Ok(self
            .transport_builder()?
            .timeout(Some(Duration::from_secs(30)))
            .build())
    }

    /// The builder of the transport: checks the settings without connecting.
    fn transport_builder(
        &self,
    ) -> Result<lettre::transport::smtp::AsyncSmtpTransportBuilder, MailSettingsError> {
        let transport = match &self.connection {
            SmtpConnection::Url(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?,
            SmtpConnection::Parts {
                host,
                port,
                security,
                credentials,
            } => {
                let builder = match security {
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                    SmtpSecurity::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
                    }
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    }
                };
                let builder = builder.port(*port);
                match credentials {
                    Some((user, password)) => {
                        builder.credentials(Credentials::new(user.clone(), password.clone()))
                    }
                    None => builder,
                }
            }
        };
        Ok(transport)
    }
}

/// The subject and body of the mail about a notification, in `lang`: that there is something
/// new and where, nothing more.
pub fn notification_mail_text(
    lang: Lang,
    public_url: &str,
    notification_id: i64,
) -> (String, String) {
    let words = translations();
    let link = format!("{public_url}/notifications/{notification_id}");
    let account = format!("{public_url}/account");
    let subject = words.text_with(lang, "mail-notification-subject", &[]);
    let body = words.text_with(
        lang,
        "mail-notification-body",
        &[("link", link.into()), ("account", account.into())],
    );
    (subject, body)
}

/// Whether a role may open notifications (the mail links to one).
fn role_opens_notifications(pending: &PendingNotificationEmail) -> bool {
    let subject = Subject {
        user_id: pending.user_id,
        organisation_id: 0,
        role: pending.role,
        // Whether the role sees its team's cases does not decide whether it opens notifications.
        sees_team_cases: false,
    };
    authorize(&subject, Action::ViewReferrals, None) == Decision::Allow
}

/// Why a round of the mailer stopped.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the store: {0}")]
    Store(#[from] puente_store::StoreError),
    #[error("the mail server: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("a mail cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("an address cannot be read: {0}")]
    Address(#[from] lettre::address::AddressError),
}

/// How many e-mails one round sends at most.
const MAILS_PER_ROUND: u32 = 100;

/// Sends the e-mails owed now and records each one sent; returns how many were sent. Stops at the
/// first mail the server refuses (the rest wait for the next round).
pub async fn send_owed_emails(
    state: &AppState,
    settings: &SmtpSettings,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
) -> Result<u32, MailError> {
    let from: Mailbox = settings.from.parse()?;
    let owed = state
        .store
        .pending_notification_emails(MAILS_PER_ROUND)
        .await?;
    let mut sent = 0;
    for pending in owed {
        if role_opens_notifications(&pending) {
            let (subject, body) = notification_mail_text(
                pending.language.unwrap_or(Lang::Es),
                &settings.public_url,
                pending.notification_id,
            );
            let message = Message::builder()
                .from(from.clone())
                .to(pending.email.parse()?)
                .subject(subject)
                .singlepart(
                    lettre::message::SinglePart::builder()
                        .header(lettre::message::header::ContentType::TEXT_PLAIN)
                        .header(lettre::message::header::ContentTransferEncoding::QuotedPrintable)
                        .body(body),
                )?;
            transport.send(message).await?;
            sent += 1;
        }
        state
            .store
            .record_notification_email(pending.notification_id, pending.user_id)
            .await?;
    }
    Ok(sent)
}

/// Runs the mailer until the process ends: a round every poll interval. Failures are logged
/// without any address or content, and the round is tried again later.
pub async fn run_mailer(state: AppState, settings: SmtpSettings) {
    let transport = match settings.transport() {
        Ok(transport) => transport,
        Err(error) => {
            tracing::error!(error = %error, "notification e-mails are off: the mail settings cannot be used");
            return;
        }
    };
    loop {
        match send_owed_emails(&state, &settings, &transport).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "notification e-mails sent"),
            Err(MailError::Smtp(error)) => {
                tracing::warn!(
                    permanent = error.is_permanent(),
                    "the mail server refused or could not be reached; trying again later"
                )
            }
            Err(error) => {
                tracing::warn!(error = %error, "notification e-mails wait for the next round")
            }
        }
        tokio::time::sleep(settings.poll_interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn without_a_url_or_host_mails_are_off() {
        let settings = MailSettings::from_environment(environment(&[])).unwrap();
        assert_eq!(settings, MailSettings::default());
    }

    #[test]
    fn the_settings_are_read_from_a_url_or_from_their_parts_and_bad_ones_are_named() {
        let settings = MailSettings::from_environment(environment(&[
            ("PUENTE_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("PUENTE_SMTP_FROM", "Puente <puente@example.org>"),
            ("PUENTE_PUBLIC_URL", "https://puente.example.org/"),
        ]))
        .unwrap();
        let smtp = settings.smtp.unwrap();
        assert_eq!(smtp.public_url, "https://puente.example.org");
        let parts = MailSettings::from_environment(environment(&[
            ("PUENTE_SMTP_HOST", "mail.example.org"),
            ("PUENTE_SMTP_USER", "puente"),
            ("PUENTE_SMTP_PASSWORD", "secret-password"),
            ("PUENTE_SMTP_FROM", "puente@example.org"),
        ]))
        .unwrap();
        let smtp = parts.smtp.unwrap();
        assert!(matches!(
            smtp.connection,
            SmtpConnection::Parts {
                port: 587,
                security: SmtpSecurity::StartTls,
                ..
            }
        ));
        assert!(!format!("{smtp:?}").contains("secret-password"));
        for (pairs, named) in [
            (
                vec![("PUENTE_SMTP_HOST", "mail.example.org")],
                "PUENTE_SMTP_FROM",
            ),
            (
                vec![
                    ("PUENTE_SMTP_HOST", "mail.example.org"),
                    ("PUENTE_SMTP_PORT", "seventy"),
                    ("PUENTE_SMTP_FROM", "puente@example.org"),
                ],
                "seventy",
            ),
            (
                vec![
                    ("PUENTE_SMTP_HOST", "mail.example.org"),
                    ("PUENTE_SMTP_USER", "puente"),
                    ("PUENTE_SMTP_FROM", "puente@example.org"),
                ],
                "PUENTE_SMTP_PASSWORD",
            ),
            (
                vec![
                    ("PUENTE_SMTP_URL", "smtp://127.0.0.1:2525"),
                    ("PUENTE_SMTP_FROM", "not an address"),
                ],
                "not an address",
            ),
        ] {
            let error = MailSettings::from_environment(environment(&pairs)).unwrap_err();
            assert!(error.to_string().contains(named), "{error}");
        }
    }

    #[test]
    fn the_mail_says_only_that_something_is_new_and_where_in_both_languages() {
        let (subject, body) = notification_mail_text(Lang::Es, "https://p.example", 41);
        assert!(subject.contains("Puente"), "{subject}");
        assert!(
            body.contains("https://p.example/notifications/41"),
            "{body}"
        );
        let (english, english_body) = notification_mail_text(Lang::En, "https://p.example", 41);
        assert_ne!(subject, english);
        assert!(english_body.contains("https://p.example/account"));
    }
}
