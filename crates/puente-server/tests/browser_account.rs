//! An advocate on a 360 px phone, in Spanish, looks after her own account: she opens "Mi cuenta",
//! turns the second factor on from the page's QR code and secret (the test reads the secret from
//! the page and computes the app's code as an authenticator app would: RFC 6238, HMAC-SHA1, 30 s,
//! six digits), sees her ten recovery codes once, logs in with her password and the app's code,
//! then with a recovery code instead, and sees that the same recovery code is refused the second
//! time, with a Spanish message next to its field. Last she changes her password on the account
//! page and logs in with the new one. Every page fits the phone and shows labels, not codes; the
//! screenshots are saved under `target/tmp` (`puente-account-*.png`).
//!
//! Like `browser.rs`, it needs Debian's `chromium` and `chromium-driver`, and FAILS without them
//! unless `PUENTE_SKIP_BROWSER_TESTS=1` is set.

mod browser_support;
#[allow(dead_code)]
#[path = "http/helpers.rs"]
mod helpers;

use std::time::Duration;

use browser_support::{
    browser_session, check_page_fits, click_and_wait_for_new_page, save_screenshot, Step,
};
use fantoccini::Locator;
use helpers::{spawn_app, TestApp, ADVOCATE, PASSWORD};

/// The advocate's new password, typed on the account page.
const NEW_PASSWORD: &str = "puente-nueva-clave-2026";

/// How the advocate proves her second factor at the login form.
enum SecondFactor<'a> {
    /// The six digits her authenticator app shows.
    AppCode(&'a str),
    /// One of her recovery codes, typed in its own field under "¿Perdió el teléfono?".
    RecoveryCode(&'a str),
}

/// Checks that the current page fits the phone and shows no codes, and saves its screenshot as
/// `puente-account-{name}.png`.
async fn check_and_save(client: &fantoccini::Client, name: &str) -> Step<()> {
    check_page_fits(client, &format!("account-{name}")).await?;
    save_screenshot(client, &format!("puente-account-{name}.png")).await?;
    Ok(())
}

/// [`check_and_save`] with the part of the page `selector` finds scrolled to the top of the
/// screen, so that the screenshot shows the step rather than the page's header.
async fn check_and_save_at(client: &fantoccini::Client, name: &str, selector: &str) -> Step<()> {
    let element = client.find(Locator::Css(selector)).await?;
    client
        .execute(
            "arguments[0].scrollIntoView({ block: 'start' });",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    check_and_save(client, name).await
}

/// Types `text` into the field `selector` finds.
async fn type_into(client: &fantoccini::Client, selector: &str, text: &str) -> Step<()> {
    client
        .find(Locator::Css(selector))
        .await?
        .send_keys(text)
        .await?;
    Ok(())
}

/// The text of what `selector` finds, once the page shows it (ten seconds at most).
async fn text_when_shown(client: &fantoccini::Client, selector: &str) -> Step<String> {
    let element = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(selector))
        .await?;
    Ok(element.text().await?)
}

/// The visible text of the page's main part.
async fn main_text(client: &fantoccini::Client) -> Step<String> {
    Ok(client.find(Locator::Css("main")).await?.text().await?)
}

/// Fills the login form with the e-mail, the password and the second factor, and sends it (the
/// page it leads to is not awaited beyond the old page going away).
async fn submit_login(
    client: &fantoccini::Client,
    app: &TestApp,
    password: &str,
    second_factor: SecondFactor<'_>,
) -> Step<()> {
    client.delete_all_cookies().await?;
    client.goto(&format!("{}/login", app.address)).await?;
    type_into(client, "input[name=email]", ADVOCATE).await?;
    type_into(client, "input[name=password]", password).await?;
    match second_factor {
        SecondFactor::AppCode(code) => {
            type_into(client, "input[name=code]", code).await?;
        }
        SecondFactor::RecoveryCode(code) => {
            // The recovery code's field is folded away until the user says she lost the phone.
            client
                .find(Locator::Css("form[action='/login'] details summary"))
                .await?
                .click()
                .await?;
            type_into(client, "input[name=recovery_code]", code).await?;
        }
    }
    click_and_wait_for_new_page(
        client,
        Locator::Css("form[action='/login'] button[type=submit]"),
    )
    .await
}

/// Logs in and waits for the menu, the sign that the login worked.
async fn log_in_with(
    client: &fantoccini::Client,
    app: &TestApp,
    password: &str,
    second_factor: SecondFactor<'_>,
) -> Step<()> {
    submit_login(client, app, password, second_factor).await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("nav a[href='/account']"))
        .await?;
    Ok(())
}

/// Logs out with the button in the page's header and waits for the login form.
async fn log_out(client: &fantoccini::Client) -> Step<()> {
    click_and_wait_for_new_page(client, Locator::Css("form.logout button[type=submit]")).await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form[action='/login']"))
        .await?;
    assert!(
        client
            .find_all(Locator::Css("form.logout"))
            .await?
            .is_empty(),
        "after logging out the page offers no logout"
    );
    Ok(())
}

/// The app's code for `secret` now; when the 30-second step is about to end, waits for the next
/// one so that the code is still good when the form arrives.
async fn app_code_now(secret: &str) -> String {
    let seconds_into_step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 30;
    if seconds_into_step >= 27 {
        tokio::time::sleep(Duration::from_secs(30 - seconds_into_step)).await;
    }
    puente_server::auth::totp_code_now(secret).expect("the page's secret is a base32 TOTP secret")
}

/// What the advocate keeps from the enrolment: the secret her app holds and the recovery codes
/// shown once.
struct Enrolled {
    secret: String,
    codes: Vec<String>,
}

/// Opens "Mi cuenta", turns the second factor on, and returns the secret and the recovery codes.
async fn enrol_the_second_factor(client: &fantoccini::Client, app: &TestApp) -> Step<Enrolled> {
    browser_support::log_in(client, &app.address, ADVOCATE, PASSWORD).await?;
    let account_link = client.find(Locator::Css("nav a[href='/account']")).await?;
    assert_eq!(account_link.text().await?, "Mi cuenta");
    click_and_wait_for_new_page(client, Locator::Css("nav a[href='/account']")).await?;
    let heading = client.find(Locator::Css("main h1")).await?.text().await?;
    assert_eq!(heading, "Mi cuenta");
    let body = main_text(client).await?;
    assert!(body.contains("Segundo factor"), "{body}");
    assert!(
        body.contains("Añada este secreto a una aplicación de autenticación"),
        "the page explains the second factor in Spanish: {body}"
    );
    // The QR code is an SVG drawn by the server, and the same secret is shown as text.
    let qr_code = client
        .find(Locator::Css("figure.qr-code svg"))
        .await?
        .rectangle()
        .await?;
    let qr_code_width = qr_code.2;
    assert!(
        qr_code_width >= 150.0 && qr_code_width <= f64::from(browser_support::PHONE_WIDTH),
        "the QR code is large enough to scan and fits the phone: {qr_code:?}"
    );
    let secret = client
        .find(Locator::Css("code.secret"))
        .await?
        .text()
        .await?;
    assert!(
        secret.len() >= 32
            && secret
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
        "the secret is shown in base32: {secret:?}"
    );
    check_and_save_at(client, "1-second-factor-offer", "figure.qr-code").await?;

    // A wrong code is refused next to its field, and a new offer is made.
    let wrong_code = if app_code_now(&secret).await == "000000" {
        "111111"
    } else {
        "000000"
    };
    fill_the_enrolment(client, wrong_code).await?;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form#totp p.error#code-error"))
        .await?;
    let refusal = client
        .find(Locator::Css("form#totp p.error#code-error"))
        .await?
        .text()
        .await?;
    assert!(
        refusal.starts_with("Ese código no corresponde a este secreto."),
        "the refusal is in Spanish: {refusal}"
    );
    check_and_save_at(client, "2-wrong-code", "form#totp").await?;

    let secret = client
        .find(Locator::Css("code.secret"))
        .await?
        .text()
        .await?;
    let code = app_code_now(&secret).await;
    fill_the_enrolment(client, &code).await?;
    let list = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("ol.recovery-codes"))
        .await?;
    assert!(client
        .current_url()
        .await?
        .path()
        .ends_with("/account/recovery-codes"));
    let mut codes = Vec::new();
    for item in list.find_all(Locator::Css("li code")).await? {
        codes.push(item.text().await?);
    }
    assert_eq!(codes.len(), 10, "ten recovery codes: {codes:?}");
    let mut distinct = codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10, "the recovery codes differ: {codes:?}");
    assert!(codes
        .iter()
        .all(|code| code.len() == 11 && code.as_bytes()[5] == b'-'));
    let body = main_text(client).await?;
    assert!(body.contains("no se mostrarán otra vez"), "{body}");
    check_and_save(client, "3-recovery-codes").await?;

    // Shown once: back on the account page, and the codes' page leads to it from now on.
    click_and_wait_for_new_page(client, Locator::Css("main a.button[href='/account']")).await?;
    let body = main_text(client).await?;
    assert!(body.contains("Su cuenta usa un segundo factor."), "{body}");
    assert!(
        body.contains("Le quedan 10 códigos de recuperación sin usar."),
        "{body}"
    );
    check_and_save_at(client, "4-second-factor-on", "form#recovery-codes").await?;
    client
        .goto(&format!("{}/account/recovery-codes", app.address))
        .await?;
    assert!(client.current_url().await?.path().ends_with("/account"));
    assert!(client
        .find_all(Locator::Css("ol.recovery-codes"))
        .await?
        .is_empty());
    Ok(Enrolled { secret, codes })
}

/// Fills the account page's second-factor form with the password and `code`, and sends it.
async fn fill_the_enrolment(client: &fantoccini::Client, code: &str) -> Step<()> {
    type_into(client, "form#totp input[name=password]", PASSWORD).await?;
    type_into(client, "form#totp input[name=code]", code).await?;
    click_and_wait_for_new_page(client, Locator::Css("form#totp button[type=submit]")).await
}

/// Logs in with the app's code, then with a recovery code, and sees the recovery code refused
/// the second time.
async fn log_in_with_the_second_factor(
    client: &fantoccini::Client,
    app: &TestApp,
    enrolled: &Enrolled,
) -> Step<()> {
    let codes = &enrolled.codes;
    log_out(client).await?;
    // Without the second factor the password alone is not enough any more.
    submit_login(client, app, PASSWORD, SecondFactor::AppCode("")).await?;
    let refusal = text_when_shown(client, "main > p.error").await?;
    assert!(refusal.contains("aplicación de autenticación"), "{refusal}");
    check_and_save(client, "5-login-needs-code").await?;

    let code = app_code_now(&enrolled.secret).await;
    log_in_with(client, app, PASSWORD, SecondFactor::AppCode(&code)).await?;
    check_and_save(client, "6-logged-in-with-app-code").await?;
    log_out(client).await?;

    log_in_with(client, app, PASSWORD, SecondFactor::RecoveryCode(&codes[0])).await?;
    client.goto(&format!("{}/account", app.address)).await?;
    let body = main_text(client).await?;
    assert!(
        body.contains("Le quedan 9 códigos de recuperación sin usar."),
        "{body}"
    );
    check_and_save_at(
        client,
        "7-logged-in-with-recovery-code",
        "form#recovery-codes",
    )
    .await?;
    log_out(client).await?;

    // The same recovery code a second time: refused, next to its field, in Spanish.
    submit_login(client, app, PASSWORD, SecondFactor::RecoveryCode(&codes[0])).await?;
    let message = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("p.error#recovery-code-error"))
        .await?;
    let text = message.text().await?;
    assert!(
        text.contains("código de recuperación") && text.contains("una sola vez"),
        "the refusal says, in Spanish, that a recovery code is good once: {text}"
    );
    let field = client
        .find(Locator::Css("input[name=recovery_code]"))
        .await?;
    assert_eq!(
        field.attr("aria-invalid").await?.as_deref(),
        Some("true"),
        "the field is marked as the one refused"
    );
    assert_eq!(
        field.attr("aria-describedby").await?.as_deref(),
        Some("recovery-code-error")
    );
    // The message sits right under the field it is about, unfolded.
    let (_, field_top, _, field_height) = field.rectangle().await?;
    let (_, message_top, _, _) = message.rectangle().await?;
    let field_bottom = field_top + field_height;
    assert!(
        message_top >= field_bottom - 1.0 && message_top <= field_bottom + 60.0,
        "the message is next to the field: the field ends at {field_bottom}, the message starts at {message_top}"
    );
    assert!(client
        .find_all(Locator::Css("nav a[href='/account']"))
        .await?
        .is_empty());
    check_and_save(client, "8-recovery-code-used-twice").await?;
    Ok(())
}

/// Changes the password on the account page and logs in with the new one.
async fn change_the_password(
    client: &fantoccini::Client,
    app: &TestApp,
    codes: &[String],
) -> Step<()> {
    log_in_with(client, app, PASSWORD, SecondFactor::RecoveryCode(&codes[1])).await?;
    click_and_wait_for_new_page(client, Locator::Css("nav a[href='/account']")).await?;
    for (name, value) in [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
        ("confirm_password", NEW_PASSWORD),
    ] {
        type_into(client, &format!("form#password input[name={name}]"), value).await?;
    }
    click_and_wait_for_new_page(client, Locator::Css("form#password button[type=submit]")).await?;
    let notice = text_when_shown(client, "main p.notice").await?;
    assert!(notice.starts_with("Su contraseña cambió."), "{notice}");
    check_and_save(client, "9-password-changed").await?;
    log_out(client).await?;

    // The old password no longer opens the account; the new one does.
    submit_login(client, app, PASSWORD, SecondFactor::RecoveryCode(&codes[2])).await?;
    let refusal = text_when_shown(client, "main > p.error").await?;
    assert!(
        refusal.contains("El correo o la contraseña no son correctos."),
        "{refusal}"
    );
    log_in_with(
        client,
        app,
        NEW_PASSWORD,
        SecondFactor::RecoveryCode(&codes[2]),
    )
    .await?;
    let who = client
        .find(Locator::Css("header.top .who"))
        .await?
        .text()
        .await?;
    assert!(!who.is_empty());
    check_and_save(client, "10-logged-in-with-new-password").await?;
    Ok(())
}

async fn look_after_the_account(client: &fantoccini::Client, app: &TestApp) -> Step<()> {
    let enrolled = enrol_the_second_factor(client, app).await?;
    log_in_with_the_second_factor(client, app, &enrolled).await?;
    change_the_password(client, app, &enrolled.codes).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advocate_turns_on_the_second_factor_and_changes_her_password_on_a_phone_in_spanish() {
    let app = spawn_app().await;
    let Some((client, driver, _profile)) = browser_session().await else {
        return;
    };
    let outcome = look_after_the_account(&client, &app).await;
    let _ = client.close().await;
    drop(driver);
    outcome.expect("the advocate looks after her account");
}
