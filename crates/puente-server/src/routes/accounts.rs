//! One's own account and an admin's care of others', as API endpoints and pages: the password
//! (changed, or set again through a one-time link an admin gives), the second factor with its QR
//! code and recovery codes, notification e-mails, and deactivating and reactivating a user.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use minijinja::context;
use puente_core::Lang;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{
    self, see_other, PageUser, PageUserEnrolling, Principal, RequestLang, LOGIN_CSRF_COOKIE,
};
use crate::error::{AppError, ErrorAnswer, PageError};
use crate::extract::ApiJson;
use crate::forms::{CheckedForm, FieldRefusal, FormFields, FormRefusal, TypedForm};
use crate::i18n::t;
use crate::services::accounts::{self as account_service, TotpEnrolment};
use crate::templates::{page, public_page};
use crate::AppState;

/// A new password typed twice, as typed (passwords are never trimmed); refused on the
/// confirmation when the two differ.
fn new_password_of(fields: &FormFields) -> Result<String, FieldRefusal> {
    let new_password = fields.as_typed("new_password");
    if new_password != fields.as_typed("confirm_password") {
        return Err(FieldRefusal {
            field: "confirm_password",
            error: AppError::localized("account-password-mismatch", ""),
        });
    }
    Ok(new_password)
}

/// The account's password form: the current password and the new one typed twice.
#[derive(Debug)]
pub struct PasswordChangeForm {
    pub current_password: String,
    pub new_password: String,
}

impl TryFrom<FormFields> for PasswordChangeForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(PasswordChangeForm {
                new_password: new_password_of(fields)?,
                current_password: fields.as_typed("current_password"),
            })
        })
    }
}

/// The one-time link's form: the new password typed twice.
#[derive(Debug)]
pub struct PasswordResetForm {
    pub new_password: String,
}

impl TryFrom<FormFields> for PasswordResetForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(PasswordResetForm {
                new_password: new_password_of(fields)?,
            })
        })
    }
}

/// The second factor's form: the offer shown (sealed), the password, the app's code, and the
/// current factor's code when one is replaced.
#[derive(Debug)]
pub struct TotpForm {
    pub enrolment: String,
    pub password: String,
    pub code: String,
    pub current_code: Option<String>,
}

impl TryFrom<FormFields> for TotpForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(TotpForm {
            enrolment: fields.as_typed("enrolment"),
            password: fields.as_typed("password"),
            code: fields.as_typed("code"),
            current_code: fields.get("current_code").map(str::to_string),
        })
    }
}

/// A form that only confirms the password (new recovery codes).
#[derive(Debug)]
pub struct PasswordConfirmationForm {
    pub password: String,
}

impl TryFrom<FormFields> for PasswordConfirmationForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(PasswordConfirmationForm {
            password: fields.as_typed("password"),
        })
    }
}

/// The notification e-mails' form: a checkbox, on when sent.
#[derive(Debug)]
pub struct EmailNotificationsForm {
    pub on: bool,
}

impl TryFrom<FormFields> for EmailNotificationsForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(EmailNotificationsForm {
            on: fields.get("email_notifications").is_some(),
        })
    }
}

/// A new second-factor secret offered by the server, as the account page and the API show it.
struct TotpOffer {
    secret: String,
    sealed: String,
    provisioning_uri: String,
    qr_code_svg: Option<String>,
}

fn totp_offer(state: &AppState, principal: &Principal) -> TotpOffer {
    let offer = auth::TotpEnrolmentOffer::new(
        &state.config.secrets_key,
        principal.user.id,
        auth::now_unix(),
    );
    let provisioning_uri = auth::totp_provisioning_uri(&offer.secret, &principal.user.email);
    TotpOffer {
        qr_code_svg: auth::totp_qr_code_svg(&provisioning_uri),
        secret: offer.secret,
        sealed: offer.sealed,
        provisioning_uri,
    }
}

// ---- The API ----

/// `GET /api/v1/account`: the user's account settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountAnswer {
    pub second_factor: bool,
    /// How many recovery codes are left unused.
    pub recovery_codes_left: u32,
    pub email_notifications: bool,
}

/// `GET /api/v1/account`: whether the user has a second factor, how many recovery codes are
/// left, whether notification e-mails are on.
#[utoipa::path(get, path = "/api/v1/account", responses(
    (status = 200, description = "The user's account settings", body = AccountAnswer),
    (status = 401, description = "Not logged in", body = ErrorAnswer),
))]
pub async fn api_account(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<AccountAnswer>, AppError> {
    Ok(Json(AccountAnswer {
        second_factor: principal.user.totp_secret.is_some(),
        recovery_codes_left: state.store.unused_recovery_codes(principal.user.id).await?,
        email_notifications: principal.user.email_notifications,
    }))
}

/// The body of `POST /api/v1/account/password`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// At least 12 characters, and not easy to guess.
    #[schema(min_length = 12)]
    pub new_password: String,
}

/// `POST /api/v1/account/password`: a new password for oneself; the current one is asked. The
/// user's other sessions end. 204.
#[utoipa::path(post, path = "/api/v1/account/password", request_body = ChangePasswordRequest, responses(
    (status = 204, description = "The password was changed; the other sessions ended"),
    (status = 401, description = "Not logged in", body = ErrorAnswer),
    (status = 422, description = "The current password is wrong, or the new one is too short or easy to guess", body = ErrorAnswer),
))]
pub async fn api_change_password(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, AppError> {
    account_service::change_own_password(
        &state,
        &principal,
        &request.current_password,
        &request.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer of `POST /api/v1/account/totp/offer`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpOfferAnswer {
    /// The new secret (base32), made by the server.
    pub secret: String,
    /// The `otpauth://` address an authenticator app reads.
    pub otpauth_uri: String,
    /// The same address as a QR code, in SVG.
    pub qr_code_svg: Option<String>,
    /// The sealed offer to send back with the first code (good for 30 minutes).
    pub enrolment: String,
}

/// `POST /api/v1/account/totp/offer`: a new second-factor secret made by the server, with its
/// `otpauth://` address and QR code. Nothing changes until a code of it is confirmed.
#[utoipa::path(post, path = "/api/v1/account/totp/offer", responses(
    (status = 200, description = "A new secret to add to an authenticator app", body = TotpOfferAnswer),
    (status = 401, description = "Not logged in", body = ErrorAnswer),
))]
pub async fn api_totp_offer(
    State(state): State<AppState>,
    principal: Principal,
) -> Json<TotpOfferAnswer> {
    let offer = totp_offer(&state, &principal);
    Json(TotpOfferAnswer {
        secret: offer.secret,
        otpauth_uri: offer.provisioning_uri,
        qr_code_svg: offer.qr_code_svg,
        enrolment: offer.sealed,
    })
}

/// The body of `POST /api/v1/account/totp`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpEnrolmentRequest {
    /// The sealed offer of `POST /api/v1/account/totp/offer`.
    pub enrolment: String,
    pub password: String,
    /// The code the app shows for the new secret.
    pub code: String,
    /// To replace a second factor: a current code of the one in use.
    #[serde(default)]
    pub current_code: Option<String>,
}

/// The recovery codes just made, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesAnswer {
    /// Ten codes, each good once instead of a code of the app (none when a factor was replaced:
    /// the codes the user has keep working).
    pub recovery_codes: Vec<String>,
}

/// `POST /api/v1/account/totp`: turns the second factor on (or replaces it) once a code of the
/// offered secret is confirmed; a first factor comes with ten recovery codes, shown only now.
#[utoipa::path(post, path = "/api/v1/account/totp", request_body = TotpEnrolmentRequest, responses(
    (status = 200, description = "The second factor is on; the recovery codes, shown once", body = RecoveryCodesAnswer),
    (status = 401, description = "Not logged in", body = ErrorAnswer),
    (status = 422, description = "The offer expired, or the password or a code is wrong", body = ErrorAnswer),
))]
pub async fn api_enrol_totp(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<TotpEnrolmentRequest>,
) -> Result<Json<RecoveryCodesAnswer>, AppError> {
    let codes = account_service::enrol_totp(
        &state,
        &principal,
        TotpEnrolment {
            enrolment: &request.enrolment,
            password: &request.password,
            code: &request.code,
            current_code: request.current_code.as_deref(),
        },
    )
    .await?;
    Ok(Json(RecoveryCodesAnswer {
        recovery_codes: codes.unwrap_or_default(),
    }))
}

/// The body of `POST /api/v1/account/recovery-codes`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecoveryCodesRequest {
    pub password: String,
}

/// `POST /api/v1/account/recovery-codes`: ten new recovery codes (the earlier ones stop
/// working), for a user with a second factor who confirms their password.
#[utoipa::path(post, path = "/api/v1/account/recovery-codes", request_body = RecoveryCodesRequest, responses(
    (status = 200, description = "The new recovery codes, shown once", body = RecoveryCodesAnswer),
    (status = 401, description = "Not logged in", body = ErrorAnswer),
    (status = 422, description = "No second factor, or a wrong password", body = ErrorAnswer),
))]
pub async fn api_regenerate_recovery_codes(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<RecoveryCodesRequest>,
) -> Result<Json<RecoveryCodesAnswer>, AppError> {
    let codes =
        account_service::regenerate_recovery_codes(&state, &principal, &request.password).await?;
    Ok(Json(RecoveryCodesAnswer {
        recovery_codes: codes,
    }))
}

/// The body and answer of `PUT /api/v1/account/email-notifications`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct EmailNotificationsSetting {
    /// Whether a mail (that names nobody) is sent when something new arrives.
    pub on: bool,
}

/// `PUT /api/v1/account/email-notifications`: turns notification e-mails on or off.
#[utoipa::path(put, path = "/api/v1/account/email-notifications", request_body = EmailNotificationsSetting, responses(
    (status = 200, description = "The setting as saved", body = EmailNotificationsSetting),
    (status = 401, description = "Not logged in", body = ErrorAnswer),
    (status = 403, description = "The role never opens notifications", body = ErrorAnswer),
))]
pub async fn api_email_notifications(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<EmailNotificationsSetting>,
) -> Result<Json<EmailNotificationsSetting>, AppError> {
    account_service::set_email_notifications(&state, &principal, request.on).await?;
    Ok(Json(request))
}

/// The answer of `POST /api/v1/users/{id}/password-reset`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetAnswer {
    /// The one-time link's path (`/reset-password/{token}`), shown only now: give it to the user.
    pub link: String,
    /// The token in the link.
    pub token: String,
    /// When the link stops working (seconds since the Unix epoch).
    pub expires_at_unix: i64,
}

/// `POST /api/v1/users/{id}/password-reset` (org admin): a one-time link for a user of the
/// organisation to set a new password; it works once, for a day, and only its hash is kept.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", params(("id" = i64, Path, description = "The user")), responses(
    (status = 201, description = "The link, shown once", body = PasswordResetAnswer),
    (status = 403, description = "Only organisation admins reset passwords", body = ErrorAnswer),
    (status = 404, description = "No such user in the organisation", body = ErrorAnswer),
    (status = 422, description = "One's own account, or a deactivated one", body = ErrorAnswer),
))]
pub async fn api_issue_password_reset(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<i64>,
) -> Result<Response, AppError> {
    let issued = account_service::issue_password_reset(&state, &principal, user_id).await?;
    let answer = PasswordResetAnswer {
        link: account_service::password_reset_path(&issued.token),
        token: issued.token,
        expires_at_unix: issued.expires_at_unix,
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The body of `POST /api/v1/password-reset`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    /// The token of the one-time link.
    pub token: String,
    #[schema(min_length = 12)]
    pub new_password: String,
}

/// `POST /api/v1/password-reset` (no login): sets a new password through a one-time link, which
/// is then spent; every session of the user ends. 204.
#[utoipa::path(post, path = "/api/v1/password-reset", request_body = PasswordResetRequest, responses(
    (status = 204, description = "The new password is set"),
    (status = 422, description = "The link is unknown, used or expired, or the password is too short or easy to guess", body = ErrorAnswer),
))]
pub async fn api_reset_password(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PasswordResetRequest>,
) -> Result<StatusCode, AppError> {
    account_service::reset_password_with_link(&state, &request.token, &request.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer of deactivating or reactivating a user.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActiveAnswer {
    pub id: i64,
    pub active: bool,
}

async fn set_active(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    active: bool,
) -> Result<Json<ActiveAnswer>, AppError> {
    account_service::set_user_active(state, principal, user_id, active).await?;
    Ok(Json(ActiveAnswer {
        id: user_id,
        active,
    }))
}

/// `POST /api/v1/users/{id}/deactivate` (org admin): the user cannot log in any more and their
/// sessions end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", params(("id" = i64, Path, description = "The user")), responses(
    (status = 200, description = "The user is deactivated", body = ActiveAnswer),
    (status = 403, description = "Only organisation admins deactivate users", body = ErrorAnswer),
    (status = 404, description = "No such user in the organisation", body = ErrorAnswer),
    (status = 422, description = "One's own account", body = ErrorAnswer),
))]
pub async fn api_deactivate_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<i64>,
) -> Result<Json<ActiveAnswer>, AppError> {
    set_active(&state, &principal, user_id, false).await
}

/// `POST /api/v1/users/{id}/reactivate` (org admin): the user can log in again.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", params(("id" = i64, Path, description = "The user")), responses(
    (status = 200, description = "The user is active again", body = ActiveAnswer),
    (status = 403, description = "Only organisation admins reactivate users", body = ErrorAnswer),
    (status = 404, description = "No such user in the organisation", body = ErrorAnswer),
    (status = 422, description = "One's own account", body = ErrorAnswer),
))]
pub async fn api_reactivate_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<i64>,
) -> Result<Json<ActiveAnswer>, AppError> {
    set_active(&state, &principal, user_id, true).await
}

// ---- The pages ----

#[derive(Debug, Deserialize)]
pub struct AccountNotice {
    done: Option<String>,
}

/// The messages of a refused form of the account page, each shown next to its field.
#[derive(Debug, Default, Serialize)]
struct AccountErrors {
    current_password: Option<String>,
    new_password: Option<String>,
    confirm_password: Option<String>,
    totp_code: Option<String>,
    totp_form: Option<String>,
    recovery_password: Option<String>,
}

impl AccountErrors {
    /// A refusal of the password form, next to the field it is about.
    fn of_password_change(error: &AppError, lang: Lang) -> AccountErrors {
        let message = Some(error.message(lang));
        match error {
            AppError::Localized { id, .. } if id.starts_with("invalid-password") => AccountErrors {
                new_password: message,
                ..AccountErrors::default()
            },
            _ => AccountErrors {
                current_password: message,
                ..AccountErrors::default()
            },
        }
    }
}

fn account_notice_text(lang: Lang, done: Option<&str>) -> Option<String> {
    let id = match done? {
        "saved" => "notice-saved",
        "totp" => "account-totp-enabled",
        "password" => "account-password-changed",
        "email-on" => "account-email-on",
        "email-off" => "account-email-off",
        _ => return None,
    };
    Some(t(lang, id))
}

/// The account page, with a notice, a new second-factor secret offered by the server (as text,
/// a link and a QR code) and the messages of a refused form next to their fields.
async fn account_html(
    state: &AppState,
    user: &PageUser,
    message: Option<String>,
    errors: &AccountErrors,
) -> Result<axum::response::Html<String>, PageError> {
    let principal = &user.principal;
    let offer = totp_offer(state, principal);
    let recovery_codes_left = state.store.unused_recovery_codes(principal.user.id).await?;
    let opens_notifications = crate::policy::authorize(
        &principal.subject(),
        crate::policy::Action::ViewReferrals,
        None,
    ) == crate::policy::Decision::Allow;
    page(
        user,
        "/account",
        "account.html",
        context! {
            message => message,
            must_enrol => principal.must_enrol_second_factor(),
            language => principal.user.language.map(Lang::tag),
            has_totp => principal.user.totp_secret.is_some(),
            new_secret => offer.secret,
            enrolment_offer => offer.sealed,
            provisioning_uri => offer.provisioning_uri,
            qr_code => offer.qr_code_svg.map(minijinja::Value::from_safe_string),
            recovery_codes_left => recovery_codes_left,
            opens_notifications => opens_notifications,
            email_notifications => principal.user.email_notifications,
            errors => errors,
        },
    )
}

/// The user's account: language, password, second factor and its recovery codes, e-mails. The
/// page offers a new secret made by the server; the form carries it back sealed, so the secret
/// enrolled is always one the server made for this user.
pub async fn account_page(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
    Query(notice): Query<AccountNotice>,
) -> Result<Response, PageError> {
    let message = account_notice_text(user.lang, notice.done.as_deref());
    Ok(
        account_html(&state, &user, message, &AccountErrors::default())
            .await?
            .into_response(),
    )
}

/// The cookie that carries new recovery codes, sealed, from the form that made them to the page
/// that shows them once.
const RECOVERY_CODES_COOKIE: &str = "puente_recovery_codes";
/// How long new recovery codes wait to be shown.
const RECOVERY_CODES_SHOWN_WITHIN_SECONDS: i64 = 10 * 60;

fn recovery_codes_purpose(user_id: i64) -> String {
    format!("recovery-codes-shown:user:{user_id}")
}

/// Leads to the page that shows new recovery codes once: they travel sealed for this user in a
/// short-lived cookie, so that reloading the page after a form does not post it again.
fn show_recovery_codes(state: &AppState, user: &PageUser, codes: &[String]) -> Response {
    let expires = auth::now_unix() + RECOVERY_CODES_SHOWN_WITHIN_SECONDS;
    let sealed = state.config.secrets_key.seal(
        &format!("{expires}:{}", codes.join(" ")),
        &recovery_codes_purpose(user.principal.user.id),
    );
    let cookie = auth::set_cookie(
        RECOVERY_CODES_COOKIE,
        &sealed,
        RECOVERY_CODES_SHOWN_WITHIN_SECONDS,
        state.config.secure_cookies,
    );
    let mut response = see_other("/account/recovery-codes");
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /account/recovery-codes`: the recovery codes just made, shown once (the cookie that
/// carried them is cleared); without them, the account page.
pub async fn recovery_codes_page(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let opened = auth::cookie_value(&headers, RECOVERY_CODES_COOKIE).and_then(|sealed| {
        state
            .config
            .secrets_key
            .open(&sealed, &recovery_codes_purpose(user.principal.user.id))
    });
    let codes: Option<Vec<String>> = opened.and_then(|text| {
        let (expires, codes) = text.split_once(':')?;
        let expires: i64 = expires.parse().ok()?;
        (auth::now_unix() <= expires).then(|| codes.split(' ').map(str::to_string).collect())
    });
    let Some(codes) = codes else {
        return Ok(see_other("/account"));
    };
    let html = page(
        &user,
        "/account",
        "recovery_codes.html",
        context! { codes => codes },
    )?;
    let mut response = html.into_response();
    let cleared = auth::set_cookie(RECOVERY_CODES_COOKIE, "", 0, state.config.secure_cookies);
    if let Ok(value) = cleared.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The account page again, refused (422), with the messages next to their fields.
async fn refused_account_page(
    state: &AppState,
    user: &PageUser,
    error: AppError,
    errors: AccountErrors,
) -> Result<Response, PageError> {
    let status = error.status();
    let html = account_html(state, user, None, &errors).await?;
    Ok((status, html).into_response())
}

/// Changes the user's password (the current one asked, the new one typed twice).
pub async fn account_password(
    State(state): State<AppState>,
    user: PageUser,
    CheckedForm(form): CheckedForm<PasswordChangeForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let form = match form {
        Ok(form) => form,
        Err(FormRefusal { error, .. }) => {
            let errors = AccountErrors {
                confirm_password: Some(error.message(lang)),
                ..AccountErrors::default()
            };
            return refused_account_page(&state, &user, error, errors).await;
        }
    };
    let changed = account_service::change_own_password(
        &state,
        &user.principal,
        &form.current_password,
        &form.new_password,
    )
    .await;
    match changed {
        Ok(()) => Ok(see_other("/account?done=password")),
        Err(error) if error.is_validation() => {
            let errors = AccountErrors::of_password_change(&error, lang);
            refused_account_page(&state, &user, error, errors).await
        }
        Err(error) => Err(PageError(error)),
    }
}

/// Turns the second factor on, or replaces it. A first factor shows its recovery codes once.
pub async fn account_totp(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
    TypedForm(form): TypedForm<TotpForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let enrolled = account_service::enrol_totp(
        &state,
        &user.principal,
        TotpEnrolment {
            enrolment: &form.enrolment,
            password: &form.password,
            code: &form.code,
            current_code: form.current_code.as_deref(),
        },
    )
    .await;
    match enrolled {
        Ok(Some(codes)) => Ok(show_recovery_codes(&state, &user, &codes)),
        Ok(None) => Ok(see_other("/account?done=totp")),
        Err(error) if error.is_validation() => {
            // The page comes back with the message next to the code and a new offer to set up.
            let message = Some(error.message(lang));
            let errors = match &error {
                AppError::Localized {
                    id: "account-totp-wrong-code",
                    ..
                } => AccountErrors {
                    totp_code: message,
                    ..AccountErrors::default()
                },
                _ => AccountErrors {
                    totp_form: message,
                    ..AccountErrors::default()
                },
            };
            refused_account_page(&state, &user, error, errors).await
        }
        Err(error) => Err(PageError(error)),
    }
}

/// New recovery codes, once the password is confirmed.
pub async fn account_recovery_codes(
    State(state): State<AppState>,
    user: PageUser,
    TypedForm(form): TypedForm<PasswordConfirmationForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let codes =
        account_service::regenerate_recovery_codes(&state, &user.principal, &form.password).await;
    match codes {
        Ok(codes) => Ok(show_recovery_codes(&state, &user, &codes)),
        Err(error) if error.is_validation() => {
            let errors = AccountErrors {
                recovery_password: Some(error.message(lang)),
                ..AccountErrors::default()
            };
            refused_account_page(&state, &user, error, errors).await
        }
        Err(error) => Err(PageError(error)),
    }
}

/// Turns notification e-mails on or off.
pub async fn account_email_notifications(
    State(state): State<AppState>,
    user: PageUser,
    TypedForm(EmailNotificationsForm { on }): TypedForm<EmailNotificationsForm>,
) -> Result<Response, PageError> {
    account_service::set_email_notifications(&state, &user.principal, on).await?;
    Ok(see_other(if on {
        "/account?done=email-on"
    } else {
        "/account?done=email-off"
    }))
}

/// The admin's button for a one-time link: the page shows the link once.
pub async fn admin_password_reset(
    State(state): State<AppState>,
    user: PageUser,
    Path(user_id): Path<i64>,
) -> Result<Response, PageError> {
    let issued = account_service::issue_password_reset(&state, &user.principal, user_id).await?;
    let html = page(
        &user,
        "/admin",
        "password_reset_link.html",
        context! {
            email => issued.user.email,
            display_name => issued.user.display_name,
            link => account_service::password_reset_path(&issued.token),
            hours => account_service::PASSWORD_RESET_LIFETIME_SECONDS / 3600,
        },
    )?;
    Ok(html.into_response())
}

/// The admin's buttons to deactivate (`deactivate`) or reactivate (`reactivate`) a user.
pub async fn admin_user_activation(
    State(state): State<AppState>,
    user: PageUser,
    Path((user_id, action)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let active = match action.as_str() {
        "deactivate" => false,
        "reactivate" => true,
        _ => return Err(PageError(AppError::NotFound)),
    };
    account_service::set_user_active(&state, &user.principal, user_id, active).await?;
    Ok(see_other("/admin?done=saved"))
}

/// The one-time link's page, for someone who is not logged in (or is: the session's own token
/// then guards the form).
fn reset_page_response(
    state: &AppState,
    lang: Lang,
    principal: Option<&Principal>,
    token: &str,
    context_values: minijinja::Value,
    status: StatusCode,
) -> Result<Response, PageError> {
    let path = account_service::password_reset_path(token);
    let form_token = match principal {
        Some(principal) => principal.csrf_token.clone(),
        None => state.config.secrets_key.new_login_form_token(),
    };
    let html = public_page(
        lang,
        &path,
        "password_reset.html",
        // What a page does not say is empty (the templates refuse undefined names); later maps
        // win.
        minijinja::value::merge_maps([
            context! { email => (), message => (), password_error => (), confirm_error => () },
            context_values,
            context! { form_token => form_token.clone(), action => path.clone() },
        ]),
    )?;
    let mut response = (status, html).into_response();
    if principal.is_none() {
        let cookie = auth::set_cookie(
            LOGIN_CSRF_COOKIE,
            &form_token,
            60 * 60,
            state.config.secure_cookies,
        );
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// `GET /reset-password/{token}`: the form to set a new password, or a page that says the link
/// no longer works.
pub async fn reset_password_page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    principal: Option<Extension<std::sync::Arc<Principal>>>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let principal = principal.map(|Extension(principal)| principal);
    match account_service::password_reset_user(&state, &token).await {
        Ok(user) => reset_page_response(
            &state,
            lang,
            principal.as_deref(),
            &token,
            context! { email => user.email, link_works => true },
            StatusCode::OK,
        ),
        Err(error) if error.is_validation() => reset_page_response(
            &state,
            lang,
            principal.as_deref(),
            &token,
            context! { link_works => false, message => error.message(lang) },
            StatusCode::NOT_FOUND,
        ),
        Err(error) => Err(PageError(error)),
    }
}

/// `POST /reset-password/{token}`: sets the new password (typed twice), then leads to the login page.
pub async fn reset_password_submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    principal: Option<Extension<std::sync::Arc<Principal>>>,
    Path(token): Path<String>,
    CheckedForm(form): CheckedForm<PasswordResetForm>,
) -> Result<Response, PageError> {
    let principal = principal.map(|Extension(principal)| principal);
    let refused = |error: AppError, field: &str| {
        let message = error.message(lang);
        let (password_error, confirm_error) = if field == "confirm" {
            (None, Some(message))
        } else {
            (Some(message), None)
        };
        reset_page_response(
            &state,
            lang,
            principal.as_deref(),
            &token,
            context! {
                link_works => true,
                password_error => password_error,
                confirm_error => confirm_error,
            },
            error.status(),
        )
    };
    let new_password = match form {
        Ok(form) => form.new_password,
        Err(FormRefusal { error, .. }) => return refused(error, "confirm"),
    };
    match account_service::reset_password_with_link(&state, &token, &new_password).await {
        Ok(_) => Ok(see_other("/login")),
        Err(AppError::Localized {
            id: "reset-link-invalid",
            value,
        }) => reset_page_response(
            &state,
            lang,
            principal.as_deref(),
            &token,
            context! {
                link_works => false,
                message => AppError::Localized { id: "reset-link-invalid", value }.message(lang),
            },
            StatusCode::NOT_FOUND,
        ),
        Err(error) if error.is_validation() => refused(error, "new_password"),
        Err(error) => Err(PageError(error)),
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn a_new_password_typed_twice_converts_and_a_mismatch_names_the_confirmation() {
        let form = PasswordChangeForm::try_from(fields_of(&[
            ("current_password", "old one"),
            ("new_password", " a new passphrase "),
            ("confirm_password", " a new passphrase "),
        ]))
        .unwrap();
        assert_eq!(form.new_password, " a new passphrase ");
        assert_eq!(form.current_password, "old one");
        let refusal = PasswordResetForm::try_from(fields_of(&[
            ("new_password", "a new passphrase"),
            ("confirm_password", "a new passphrase "),
        ]))
        .unwrap_err();
        assert_eq!(refusal.field, "confirm_password");
        assert!(matches!(
            refusal.error,
            AppError::Localized {
                id: "account-password-mismatch",
                ..
            }
        ));
        assert_eq!(refusal.fields.as_typed("new_password"), "a new passphrase");
    }

    #[test]
    fn the_second_factor_and_notification_forms_read_their_fields() {
        let form = TotpForm::try_from(fields_of(&[
            ("enrolment", "sealed"),
            ("password", "pw"),
            ("code", "123456"),
            ("current_code", ""),
        ]))
        .unwrap();
        assert_eq!((form.code.as_str(), form.current_code), ("123456", None));
        assert!(
            EmailNotificationsForm::try_from(fields_of(&[("email_notifications", "on")]))
                .unwrap()
                .on
        );
        assert!(!EmailNotificationsForm::try_from(fields_of(&[])).unwrap().on);
    }
}
