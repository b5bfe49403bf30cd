//! Accounts over HTTP: changing one's password, an admin's one-time link to set a new one,
//! deactivating and reactivating a user, the second factor's recovery codes, and notification
//! e-mails that name nobody, each with its role matrix.

use crate::helpers::*;
use puente_store::AuditQuery;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "otra clave larga de lluvia";

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.store.user_by_email(email).await.unwrap().unwrap().id
}

async fn actions_about(app: &TestApp, user_id: i64) -> Vec<(String, String)> {
    app.store
        .audit_entries(&AuditQuery {
            record_type: Some("user".into()),
            record_id: Some(user_id.to_string()),
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.action, entry.detail))
        .collect()
}

/// Logs in through the API with a second-factor code (the app's or a recovery code).
async fn login_with_code(app: &TestApp, email: &str, password: &str, code: &str) -> StatusCode {
    plain_client()
        .post(app.url("/api/v1/login"))
        .json(&json!({ "email": email, "password": password, "totp": code }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_user_changes_their_password_with_the_current_one_and_their_other_sessions_end() {
    let app = spawn_app().await;
    let kept = app.token(ADVOCATE).await;
    let other = app.token(ADVOCATE).await;
    let path = "/api/v1/account/password";
    let wrong_current = app
        .post(
            &kept,
            path,
            &json!({ "current_password": "not it", "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(wrong_current.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let weak = app
        .post(
            &kept,
            path,
            &json!({ "current_password": PASSWORD, "new_password": "password1234" }),
        )
        .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(weak).await, "invalid");
    assert_eq!(
        app.api_login(ADVOCATE, PASSWORD).await.status(),
        StatusCode::OK,
        "nothing changed yet"
    );
    let anonymous = plain_client()
        .post(app.url(path))
        .json(&json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let changed = app
        .post(
            &kept,
            path,
            &json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&kept, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&other, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the other sessions ended"
    );
    assert_eq!(
        app.api_login(ADVOCATE, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api_login(ADVOCATE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let actions = actions_about(&app, user_id(&app, ADVOCATE).await).await;
    assert!(
        actions
            .iter()
            .any(|(action, _)| action == "change_password"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_account_page_refuses_a_password_change_with_the_message_next_to_the_field() {
    let app = spawn_app().await;
    let client = browser();
    app.web_login(&client, ADVOCATE, PASSWORD).await;
    let page = app.page(&client, "/account", StatusCode::OK).await;
    assert!(page.contains("Contraseña actual"), "the page is in Spanish");
    let csrf = csrf_token_of(&page);
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf_token", csrf.clone())];
        form.extend(fields);
        client.post(app.url("/account/password")).form(&form).send()
    };
    let mismatch = post(vec![
        ("current_password", PASSWORD.into()),
        ("new_password", NEW_PASSWORD.into()),
        ("confirm_password", "something else entirely".into()),
    ])
    .await
    .unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = mismatch.text().await.unwrap();
    assert!(html.contains("id=\"confirm-password-error\""), "{html}");
    assert!(html.contains("no coinciden"));
    let wrong = post(vec![
        ("current_password", "not the password".into()),
        ("new_password", NEW_PASSWORD.into()),
        ("confirm_password", NEW_PASSWORD.into()),
    ])
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("id=\"current-password-error\""), "{html}");
    assert!(
        !html.contains(NEW_PASSWORD),
        "a password is never sent back to the browser"
    );
    let weak = post(vec![
        ("current_password", PASSWORD.into()),
        ("new_password", "qwertyuiop123".into()),
        ("confirm_password", "qwertyuiop123".into()),
    ])
    .await
    .unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak
        .text()
        .await
        .unwrap()
        .contains("id=\"new-password-error\""));
    let done = post(vec![
        ("current_password", PASSWORD.into()),
        ("new_password", NEW_PASSWORD.into()),
        ("confirm_password", NEW_PASSWORD.into()),
    ])
    .await
    .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/account?done=password");
    let page = app
        .page(&client, "/account?done=password", StatusCode::OK)
        .await;
    assert!(page.contains("Su contraseña cambió"));
}

#[tokio::test]
async fn only_an_admin_gives_a_one_time_link_for_users_of_their_organisation_but_not_themself() {
    let app = spawn_app().await;
    let advocate_id = user_id(&app, ADVOCATE).await;
    let path = format!("/api/v1/users/{advocate_id}/password-reset");
    for (email, status) in [(ADVOCATE, 403), (SUPERVISOR, 403), (ANALYST, 403)] {
        let token = app.token(email).await;
        let response = app.post(&token, &path, &json!({})).await;
        assert_eq!(response.status().as_u16(), status, "{email}");
    }
    let admin = app.token(ADMIN).await;
    let shelter_worker = user_id(&app, CASE_WORKER).await;
    let elsewhere = app
        .post(
            &admin,
            &format!("/api/v1/users/{shelter_worker}/password-reset"),
            &json!({}),
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    let admin_id = user_id(&app, ADMIN).await;
    let own = app
        .post(
            &admin,
            &format!("/api/v1/users/{admin_id}/password-reset"),
            &json!({}),
        )
        .await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let issued = app.post(&admin, &path, &json!({})).await;
    assert_eq!(issued.status(), StatusCode::CREATED);
    let body: Value = issued.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(body["link"], format!("/reset-password/{token}"));
    // The token is kept nowhere but in the answer: not in the audit log either.
    let actions = actions_about(&app, advocate_id).await;
    assert!(actions
        .iter()
        .any(|(action, _)| action == "password_reset_issued"));
    assert!(!actions.iter().any(|(_, detail)| detail.contains(&token)));
}

#[tokio::test]
async fn a_one_time_link_sets_a_new_password_once_from_a_page_in_spanish() {
    let app = spawn_app().await;
    let advocate_id = user_id(&app, ADVOCATE).await;
    let still_open = app.token(ADVOCATE).await;
    let admin = app.token(ADMIN).await;
    let body: Value = app
        .post(
            &admin,
            &format!("/api/v1/users/{advocate_id}/password-reset"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let link = body["link"].as_str().unwrap().to_string();
    let visitor = browser();
    let page = app.page(&visitor, &link, StatusCode::OK).await;
    assert!(page.contains("Elegir una contraseña nueva"), "{page}");
    assert!(page.contains(ADVOCATE));
    // Each page of the form carries its own token (a refused form comes back with a new one).
    let post = |csrf: String, new: &'static str, confirm: &'static str| {
        visitor
            .post(app.url(&link))
            .form(&[
                ("csrf_token", csrf),
                ("new_password", new.to_string()),
                ("confirm_password", confirm.to_string()),
            ])
            .send()
    };
    let mismatch = post(
        csrf_token_of(&page),
        NEW_PASSWORD,
        "not the same one at all",
    )
    .await
    .unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = mismatch.text().await.unwrap();
    assert!(page.contains("id=\"confirm-password-error\""), "{page}");
    let weak = post(csrf_token_of(&page), "password1234", "password1234")
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = weak.text().await.unwrap();
    assert!(page.contains("id=\"new-password-error\""), "{page}");
    let set = post(csrf_token_of(&page), NEW_PASSWORD, NEW_PASSWORD)
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert_eq!(set.headers()["location"], "/login");
    assert_eq!(
        app.get(&still_open, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "a reset ends every session"
    );
    assert_eq!(
        app.api_login(ADVOCATE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    // Spent: the page says so, and neither the form nor the API takes it again.
    let spent = app.page(&visitor, &link, StatusCode::NOT_FOUND).await;
    assert!(spent.contains("Este enlace ya no sirve"), "{spent}");
    let again = plain_client()
        .post(app.url("/api/v1/password-reset"))
        .json(&json!({ "token": body["token"], "new_password": "una tercera clave muy larga" }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.api_login(ADVOCATE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let actions = actions_about(&app, advocate_id).await;
    assert!(actions.iter().any(|(action, _)| action == "password_reset"));
}

#[tokio::test]
async fn a_deactivated_user_is_logged_out_at_once_and_cannot_log_in_until_reactivated() {
    let app = spawn_app().await;
    let advocate = app.token(ADVOCATE).await;
    let advocate_id = user_id(&app, ADVOCATE).await;
    let deactivate = format!("/api/v1/users/{advocate_id}/deactivate");
    let reactivate = format!("/api/v1/users/{advocate_id}/reactivate");
    for email in [ADVOCATE, SUPERVISOR, ANALYST, CASE_WORKER] {
        let token = app.token(email).await;
        let response = app.post(&token, &deactivate, &json!({})).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{email}");
    }
    let admin = app.token(ADMIN).await;
    let admin_id = user_id(&app, ADMIN).await;
    let own = app
        .post(
            &admin,
            &format!("/api/v1/users/{admin_id}/deactivate"),
            &json!({}),
        )
        .await;
    assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app
        .post(&admin, "/api/v1/users/999999/deactivate", &json!({}))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let response = app.post(&admin, &deactivate, &json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "id": advocate_id, "active": false }));
    assert_eq!(
        app.get(&advocate, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api_login(ADVOCATE, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The admin page shows the account as deactivated, with the button to reactivate it.
    let client = browser();
    app.web_login(&client, ADMIN, PASSWORD).await;
    let page = app.page(&client, "/admin", StatusCode::OK).await;
    assert!(page.contains(&format!("/admin/users/{advocate_id}/activation/reactivate")));
    let csrf = csrf_token_of(&page);
    let response = client
        .post(app.url(&format!("/admin/users/{advocate_id}/activation/reactivate")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.api_login(ADVOCATE, PASSWORD).await.status(),
        StatusCode::OK
    );
    let again = app.post(&admin, &reactivate, &json!({})).await;
    assert_eq!(again.status(), StatusCode::OK);
    let actions = actions_about(&app, advocate_id).await;
    assert!(actions
        .iter()
        .any(|(action, _)| action == "deactivate_user"));
    assert!(actions
        .iter()
        .any(|(action, _)| action == "reactivate_user"));
}

#[tokio::test]
async fn enrolling_totp_through_the_api_gives_ten_recovery_codes_each_good_once() {
    // This test fails logins on purpose more often than throttling lets pass unslowed.
    let app = spawn_app_with(puente_server::ServerConfig {
        throttle: puente_server::auth::ThrottlePolicy {
            free_failures_per_account_and_address: 20,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let token = app.token(SUPERVISOR).await;
    let offer: Value = app
        .post(&token, "/api/v1/account/totp/offer", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = offer["secret"].as_str().unwrap();
    assert!(offer["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Puente:"));
    assert!(offer["qr_code_svg"].as_str().unwrap().contains("<svg"));
    let code = puente_server::auth::totp_code_now(secret).unwrap();
    let wrong = app
        .post(
            &token,
            "/api/v1/account/totp",
            &json!({ "enrolment": offer["enrolment"], "password": "wrong", "code": code }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let enrolled = app
        .post(
            &token,
            "/api/v1/account/totp",
            &json!({ "enrolment": offer["enrolment"], "password": PASSWORD, "code": code }),
        )
        .await;
    assert_eq!(enrolled.status(), StatusCode::OK);
    let codes: Vec<String> = enrolled.json::<Value>().await.unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    // Stored only as keyed hashes.
    let supervisor_id = user_id(&app, SUPERVISOR).await;
    let hash = app.secrets_key.recovery_code_hash(
        supervisor_id,
        &puente_server::auth::normalize_recovery_code(&codes[0]).unwrap(),
    );
    assert_ne!(hash, codes[0]);

    assert_eq!(
        app.api_login(SUPERVISOR, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with_code(&app, SUPERVISOR, PASSWORD, &codes[0].to_uppercase()).await,
        StatusCode::OK,
        "a recovery code stands in for the app's code"
    );
    assert_eq!(
        login_with_code(&app, SUPERVISOR, PASSWORD, &codes[0]).await,
        StatusCode::UNAUTHORIZED,
        "each recovery code works once"
    );
    assert_eq!(
        login_with_code(&app, SUPERVISOR, "wrong password", &codes[1]).await,
        StatusCode::UNAUTHORIZED
    );
    let account: Value = app
        .get(&token, "/api/v1/account")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(account["second_factor"], true);
    assert_eq!(account["recovery_codes_left"], 9);

    // New codes replace the old ones, once the password is confirmed.
    let refused = app
        .post(
            &token,
            "/api/v1/account/recovery-codes",
            &json!({ "password": "wrong" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fresh: Value = app
        .post(
            &token,
            "/api/v1/account/recovery-codes",
            &json!({ "password": PASSWORD }),
        )
        .await
        .json()
        .await
        .unwrap();
    let fresh = fresh["recovery_codes"].as_array().unwrap().clone();
    assert_eq!(fresh.len(), 10);
    assert_eq!(
        login_with_code(&app, SUPERVISOR, PASSWORD, &codes[2]).await,
        StatusCode::UNAUTHORIZED,
        "the earlier codes no longer work"
    );
    assert_eq!(
        login_with_code(&app, SUPERVISOR, PASSWORD, fresh[0].as_str().unwrap()).await,
        StatusCode::OK
    );
    let actions = actions_about(&app, supervisor_id).await;
    assert!(actions
        .iter()
        .any(|(action, _)| action == "recovery_code_used"));
    // Without a second factor there are no recovery codes to make.
    let advocate = app.token(ADVOCATE).await;
    let none = app
        .post(
            &advocate,
            "/api/v1/account/recovery-codes",
            &json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_first_enrolment_on_the_page_shows_the_recovery_codes_once() {
    let app = spawn_app().await;
    let client = browser();
    app.web_login(&client, ADVOCATE, PASSWORD).await;
    let account = app.page(&client, "/account", StatusCode::OK).await;
    let (secret, offer) = totp_enrolment_of(&account);
    let code = puente_server::auth::totp_code_now(&secret).unwrap();
    let response = client
        .post(app.url("/account/totp"))
        .form(&[
            ("csrf_token", csrf_token_of(&account).as_str()),
            ("enrolment", offer.as_str()),
            ("password", PASSWORD),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/account/recovery-codes");
    let shown = app
        .page(&client, "/account/recovery-codes", StatusCode::OK)
        .await;
    let codes: Vec<&str> = shown
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap())
        .collect();
    assert_eq!(codes.len(), 10, "{shown}");
    assert!(shown.contains("no se mostrarán otra vez"));
    // Shown once: the page leads back to the account afterwards.
    let again = client
        .get(app.url("/account/recovery-codes"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        login_with_code(&app, ADVOCATE, PASSWORD, codes[3]).await,
        StatusCode::OK
    );
    let account = app.page(&client, "/account", StatusCode::OK).await;
    assert!(account.contains("Le quedan 9 códigos"), "{account}");
}

/// A tiny SMTP server on a loopback port that keeps each message's envelope and content.
async fn smtp_sink() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut lines = BufReader::new(reader).lines();
                writer.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut message = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            sender.send(std::mem::take(&mut message)).unwrap();
                            writer.write_all(b"250 kept\r\n").await.unwrap();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let command = line.to_ascii_uppercase();
                    let answer: &[u8] = if command.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if command.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if command.starts_with("QUIT") {
                        writer.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        message.push_str(&line);
                        message.push('\n');
                        b"250 ok\r\n"
                    };
                    writer.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, receiver)
}

/// A mail's text with its quoted-printable body decoded (soft line breaks joined, `=XX` read).
fn quoted_printable_decoded(mail: &str) -> String {
    let joined = mail.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'=')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u8::from_str_radix(digits, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[tokio::test]
async fn a_notification_e_mail_is_sent_to_who_asked_and_names_nobody() {
    let (port, mut mails) = smtp_sink().await;
    let config = puente_server::ServerConfig {
        mail: puente_server::mail::MailSettings {
            smtp: Some(puente_server::mail::SmtpSettings {
                connection: puente_server::mail::SmtpConnection::Url(format!(
                    "smtp://127.0.0.1:{port}"
                )),
                from: "Puente <puente@puente.test>".into(),
                public_url: "https://puente.test".into(),
                poll_interval: std::time::Duration::from_millis(100),
            }),
        },
        ..Default::default()
    };
    let app = spawn_app_with(config).await;
    // An analyst never opens notifications: the setting is not theirs to turn on.
    let analyst = app.token(ANALYST).await;
    let refused = app
        .put(
            &analyst,
            "/api/v1/account/email-notifications",
            &json!({ "on": true }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let worker = app.token(CASE_WORKER).await;
    let response = app
        .put(
            &worker,
            "/api/v1/account/email-notifications",
            &json!({ "on": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let account: Value = app
        .get(&worker, "/api/v1/account")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(account["email_notifications"], true);

    let advocate = app.token(ADVOCATE).await;
    let case_id = app
        .post(
            &advocate,
            "/api/v1/cases",
            &json!({ "person": { "given_name": "Xiomara", "surname": "Quiroa", "sex": "F",
                                  "nationality": "GT", "phone": "+50255559876" } }),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let referral = app
        .post(
            &advocate,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &json!({ "to_org": "shelter-demo", "services": ["shelter-demo-casa-ninas"],
                     "share": ["identity"], "consent": true }),
        )
        .await;
    assert_eq!(referral.status(), StatusCode::CREATED);

    let mail = tokio::time::timeout(std::time::Duration::from_secs(20), mails.recv())
        .await
        .expect("a mail within 20 seconds")
        .unwrap();
    let mail = quoted_printable_decoded(&mail);
    assert!(mail.contains(&format!("RCPT TO:<{CASE_WORKER}>")), "{mail}");
    assert!(
        mail.contains("https://puente.test/notifications/"),
        "{mail}"
    );
    assert!(
        mail.contains("Hay algo nuevo para usted en Puente"),
        "{mail}"
    );
    assert!(
        mail.contains("Subject: Puente: hay algo nuevo para usted"),
        "{mail}"
    );
    let lowered = mail.to_lowercase();
    for identifying in [
        "xiomara",
        "quiroa",
        "55559876",
        "hotline",
        "casa",
        "/cases/",
        "/referrals/",
    ] {
        assert!(!lowered.contains(identifying), "{identifying} in {mail}");
    }
    // One mail per notification and user: nothing more arrives, not for the advocate's
    // organisation either.
    let more = tokio::time::timeout(std::time::Duration::from_millis(600), mails.recv()).await;
    assert!(more.is_err(), "{more:?}");
}

/// Posts the login form from a new browser asking for `language`, with the password and the two
/// second-factor fields as given (the app's code, a recovery code); returns the status and page.
async fn web_login_with_second_factor(
    app: &TestApp,
    language: &str,
    email: &str,
    app_code: &str,
    recovery_code: &str,
) -> (StatusCode, String) {
    let client = browser();
    let form = client
        .get(app.url("/login"))
        .header("Accept-Language", language)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = client
        .post(app.url("/login"))
        .header("Accept-Language", language)
        .form(&[
            ("csrf_token", csrf_token_of(&form).as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("code", app_code),
            ("recovery_code", recovery_code),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_spent_recovery_code_on_the_login_form_is_refused_next_to_its_field() {
    let app = spawn_app().await;
    let token = app.token(SUPERVISOR).await;
    let offer: Value = app
        .post(&token, "/api/v1/account/totp/offer", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let code = puente_server::auth::totp_code_now(offer["secret"].as_str().unwrap()).unwrap();
    let enrolled: Value = app
        .post(
            &token,
            "/api/v1/account/totp",
            &json!({ "enrolment": offer["enrolment"], "password": PASSWORD, "code": code }),
        )
        .await
        .json()
        .await
        .unwrap();
    let recovery_code = enrolled["recovery_codes"][0].as_str().unwrap().to_string();
    let (status, _) =
        web_login_with_second_factor(&app, "es", SUPERVISOR, "", &recovery_code).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the first use logs in");

    for (language, message) in [
        (
            "es",
            "Ese código de recuperación no es correcto o ya se usó",
        ),
        ("en", "That recovery code is not right or was used already"),
    ] {
        let (status, page) =
            web_login_with_second_factor(&app, language, SUPERVISOR, "", &recovery_code).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let field = page
            .split("name=\"recovery_code\"")
            .nth(1)
            .expect("the form has the recovery code's field");
        assert!(
            field.contains("aria-describedby=\"recovery-code-error\""),
            "{page}"
        );
        let after_field = field.split("</label>").nth(1).unwrap();
        assert!(
            after_field
                .trim_start()
                .starts_with("<p class=\"error\" role=\"alert\" id=\"recovery-code-error\">"),
            "the message follows the field: {page}"
        );
        assert!(after_field.contains(message), "{language}: {page}");
        assert!(page.contains("<details open>"), "the field is unfolded");
    }

    // A wrong app code still says so above the form, with the recovery code's field folded.
    let right_code = puente_server::auth::totp_code_now(offer["secret"].as_str().unwrap()).unwrap();
    let wrong_code = if right_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (status, page) = web_login_with_second_factor(&app, "es", SUPERVISOR, wrong_code, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Esta cuenta necesita el código"), "{page}");
    assert!(!page.contains("recovery-code-error"), "{page}");
    assert!(!page.contains("<details open>"), "{page}");
}
