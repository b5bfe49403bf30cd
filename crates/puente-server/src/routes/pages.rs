//! Pages that are not about one case: login and logout, the language switch, the user's account
//! (language, second factor), and the organisation admin's page.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use minijinja::context;
use puente_core::Lang;
use puente_store::accounts::{NewUser, OrganisationSettings, SessionKind};
use puente_store::Role;
use serde::{Deserialize, Serialize};

use crate::auth::{
    self, see_other, ClientAddress, LoginCsrfCookie, PageUser, PageUserEnrolling, Principal,
    RequestLang, LANGUAGE_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::cases::FormFields;
use crate::error::{AppError, InLanguage, PageError};
use crate::i18n::t;
use crate::policy::{self, authorize, Action, Decision};
use crate::templates::{page, public_page, Choice};
use crate::AppState;

/// The first page: the login page for a visitor, else the main page of the user's role.
pub async fn home(principal: Option<Extension<Arc<Principal>>>) -> Response {
    let Some(Extension(principal)) = principal else {
        return see_other("/login");
    };
    let subject = principal.subject();
    let allowed = |action| authorize(&subject, action, None) == Decision::Allow;
    let target = if allowed(Action::ListCases) {
        "/cases"
    } else if allowed(Action::ManageUsers) {
        "/admin"
    } else if allowed(Action::ViewAggregates) {
        "/dashboard"
    } else {
        "/account"
    };
    see_other(target)
}

/// The stylesheet, embedded.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// Any other address.
pub async fn not_found(uri: Uri, RequestLang(lang): RequestLang) -> Response {
    if uri.path().starts_with("/api/") {
        return AppError::NotFound.into_json_response(lang);
    }
    PageError {
        error: AppError::NotFound,
        lang,
    }
    .into_response()
}

fn login_page_response(
    state: &AppState,
    lang: Lang,
    existing_token: Option<String>,
    email: &str,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let token = existing_token
        .filter(|token| token.len() == 64)
        .unwrap_or_else(|| auth::random_token(32));
    let html = public_page(
        lang,
        "/login",
        "login.html",
        context! { login_csrf => token.clone(), email => email, message => message },
    )?;
    let cookie = auth::set_cookie(
        LOGIN_CSRF_COOKIE,
        &token,
        60 * 60,
        state.config.secure_cookies,
    );
    Ok((status, [(header::SET_COOKIE, cookie)], html).into_response())
}

/// The login form.
pub async fn login_page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Extension(LoginCsrfCookie(existing)): Extension<LoginCsrfCookie>,
    principal: Option<Extension<Arc<Principal>>>,
) -> Result<Response, PageError> {
    if principal.is_some() {
        return Ok(see_other("/"));
    }
    login_page_response(&state, lang, existing, "", None, StatusCode::OK)
}

/// The login form, posted. (Its CSRF token was checked by the session layer against the
/// login-form cookie.)
pub async fn login_submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    ClientAddress(address): ClientAddress,
    Extension(LoginCsrfCookie(existing)): Extension<LoginCsrfCookie>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = FormFields(pairs);
    let email = fields.get("email").unwrap_or_default().to_string();
    let password = fields
        .0
        .iter()
        .find(|(key, _)| key == "password")
        .map(|(_, value)| value.as_str());
    let result = auth::log_in(
        &state,
        &email,
        password.unwrap_or_default(),
        fields.get("code"),
        &address,
        SessionKind::Cookie,
    )
    .await;
    match result {
        Ok(issued) => {
            let secure = state.config.secure_cookies;
            let session_cookie = auth::set_cookie(
                SESSION_COOKIE,
                &issued.token,
                auth::SESSION_LIFETIME_SECONDS,
                secure,
            );
            let clear_login_cookie = auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure);
            let mut response = see_other("/");
            let headers = response.headers_mut();
            for cookie in [session_cookie, clear_login_cookie] {
                if let Ok(value) = cookie.parse() {
                    headers.append(header::SET_COOKIE, value);
                }
            }
            Ok(response)
        }
        Err(
            error @ (AppError::InvalidCredentials
            | AppError::SecondFactorRequired
            | AppError::Throttled { .. }),
        ) => {
            let status = error.status();
            login_page_response(
                &state,
                lang,
                existing,
                &email,
                Some(error.message(lang)),
                status,
            )
        }
        Err(error) => Err(PageError { error, lang }),
    }
}

/// Ends the session.
pub async fn logout(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
) -> Result<Response, PageError> {
    state
        .store
        .close_session(user.principal.session_id, &user.principal.user)
        .await
        .in_language(user.lang)?;
    let mut response = see_other("/login");
    let cookie = auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct NextPage {
    next: Option<String>,
}

/// Only a path on this site is followed after the switch (never another site).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

/// The language switch on every page: remembers the choice in a cookie and, for a logged-in user,
/// in their setting.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(next): Query<NextPage>,
    principal: Option<Extension<Arc<Principal>>>,
) -> Result<Response, PageError> {
    let lang = Lang::from_tag(&tag).ok_or(PageError {
        error: AppError::NotFound,
        lang: Lang::Es,
    })?;
    if let Some(Extension(principal)) = principal {
        state
            .store
            .set_user_language(principal.user.id, Some(lang))
            .await
            .in_language(lang)?;
    }
    let mut response = see_other(safe_next(next.next.as_deref()));
    let cookie = auth::set_cookie(
        LANGUAGE_COOKIE,
        lang.tag(),
        365 * 24 * 60 * 60,
        state.config.secure_cookies,
    );
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    done: Option<String>,
}

fn notice_text(lang: Lang, done: Option<&str>) -> Option<String> {
    match done {
        Some("saved") => Some(t(lang, "notice-saved")),
        Some("totp") => Some(t(lang, "account-totp-enabled")),
        Some("user") => Some(t(lang, "admin-user-created")),
        _ => None,
    }
}

/// The user's account: language setting and second factor.
pub async fn account_page(
    PageUserEnrolling(user): PageUserEnrolling,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    let secret = auth::new_totp_secret();
    let message = notice_text(user.lang, notice.done.as_deref());
    Ok(account_html(&user, message, &secret, None)?.into_response())
}

/// The account page, with a notice, the secret to set up and, for a refused code, the message
/// next to the code field.
fn account_html(
    user: &PageUser,
    message: Option<String>,
    secret: &str,
    code_error: Option<String>,
) -> Result<axum::response::Html<String>, PageError> {
    let principal = &user.principal;
    page(
        user,
        "/account",
        "account.html",
        context! {
            message => message,
            must_enrol => principal.must_enrol_second_factor(),
            language => principal.user.language.map(Lang::tag),
            has_totp => principal.user.totp_secret.is_some(),
            new_secret => secret,
            provisioning_uri => auth::totp_provisioning_uri(secret, &principal.user.email),
            code_error => code_error,
        },
    )
}

/// Saves the user's language setting.
pub async fn account_language(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = FormFields(pairs);
    let language = fields.get("language").and_then(Lang::from_tag);
    state
        .store
        .set_user_language(user.principal.user.id, language)
        .await
        .in_language(user.lang)?;
    Ok(see_other("/account?done=saved"))
}

/// Turns the second factor on, once the user proves their app shows the right code.
pub async fn account_totp(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = FormFields(pairs);
    let secret = fields.get("secret").unwrap_or_default();
    let code = fields.get("code").unwrap_or_default();
    if secret.len() < 26 || !auth::totp_code_is_valid(secret, code) {
        // The same secret comes back, so the app already set up keeps working, with the message
        // next to the code.
        let secret = if secret.len() < 26 {
            auth::new_totp_secret()
        } else {
            secret.to_string()
        };
        let message = AppError::localized("account-totp-wrong-code", "").message(user.lang);
        let html = account_html(&user, None, &secret, Some(message))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    state
        .store
        .set_user_totp_secret(&user.actor(), user.principal.user.id, Some(secret))
        .await
        .in_language(user.lang)?;
    Ok(see_other("/account?done=totp"))
}

#[derive(Debug, Serialize)]
struct UserRow {
    id: i64,
    is_me: bool,
    role_code: String,
    email: String,
    display_name: String,
    role: String,
    totp: bool,
}

/// The roles an admin can give, labelled.
fn role_choices(lang: Lang) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|role| Choice {
            value: role.code().to_string(),
            label: t(lang, &format!("role-{}", role.code())),
        })
        .collect()
}

/// The organisation admin's page: users and settings.
pub async fn admin_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(notice): Query<Notice>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ManageUsers, None).in_language(user.lang)?;
    let message = notice_text(user.lang, notice.done.as_deref());
    let html = admin_html(
        &state,
        &user,
        message,
        &NewUserForm::default(),
        &NewUserErrors::default(),
    )
    .await?;
    Ok(html.into_response())
}

/// What the new-user form holds when it comes back refused. The password is never sent back to
/// the browser: it is typed again.
#[derive(Debug, Default, Serialize)]
struct NewUserForm {
    email: String,
    display_name: String,
    role: String,
}

/// The messages of a refused new-user form, each shown next to its field.
#[derive(Debug, Default, Serialize)]
struct NewUserErrors {
    email: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    password: Option<String>,
    form: Option<String>,
}

impl NewUserErrors {
    /// Puts a refusal next to the field it is about.
    fn of(error: &AppError, lang: Lang) -> NewUserErrors {
        let message = Some(error.message(lang));
        match error {
            AppError::Conflict(_) => NewUserErrors {
                email: Some(t(lang, "admin-email-taken")),
                ..NewUserErrors::default()
            },
            AppError::Localized { id, .. } if id.starts_with("invalid-password") => NewUserErrors {
                password: message,
                ..NewUserErrors::default()
            },
            AppError::Localized { id, .. } if id.starts_with("invalid-role") => NewUserErrors {
                role: message,
                ..NewUserErrors::default()
            },
            AppError::Localized { id, .. } if id.starts_with("invalid-user-name") => {
                NewUserErrors {
                    display_name: message,
                    ..NewUserErrors::default()
                }
            }
            AppError::Localized { id, .. } if id.starts_with("invalid-email") => NewUserErrors {
                email: message,
                ..NewUserErrors::default()
            },
            _ => NewUserErrors {
                form: message,
                ..NewUserErrors::default()
            },
        }
    }
}

async fn admin_html(
    state: &AppState,
    user: &PageUser,
    message: Option<String>,
    form: &NewUserForm,
    errors: &NewUserErrors,
) -> Result<axum::response::Html<String>, PageError> {
    let users = state
        .store
        .users_in_organisation(user.principal.user.organisation_id)
        .await
        .in_language(user.lang)?;
    let rows: Vec<UserRow> = users
        .iter()
        .map(|account| UserRow {
            id: account.id,
            is_me: account.id == user.principal.user.id,
            role_code: account.role.code().to_string(),
            email: account.email.clone(),
            display_name: account.display_name.clone(),
            role: t(user.lang, &format!("role-{}", account.role.code())),
            totp: account.totp_secret.is_some(),
        })
        .collect();
    page(
        user,
        "/admin",
        "admin.html",
        context! {
            message => message,
            users => rows,
            roles => role_choices(user.lang),
            require_totp_for_admins => user.principal.settings.require_totp_for_admins,
            new_user => form,
            errors => errors,
        },
    )
}

/// The shortest password an admin may give.
pub const MINIMUM_PASSWORD_LENGTH: usize = 12;

/// Creates a user in the admin's organisation. Shared with the API.
pub async fn create_user_in_organisation(
    state: &AppState,
    principal: &Principal,
    email: &str,
    display_name: &str,
    role: &str,
    password: &str,
) -> Result<puente_store::accounts::User, AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::localized("invalid-role", role))?;
    if password.chars().count() < MINIMUM_PASSWORD_LENGTH {
        return Err(AppError::localized(
            "invalid-password-length",
            MINIMUM_PASSWORD_LENGTH,
        ));
    }
    if display_name.trim().is_empty() {
        return Err(AppError::localized("invalid-user-name", ""));
    }
    let password_hash = auth::hash_password_blocking(password.to_string()).await?;
    let user = state
        .store
        .create_user(
            &principal.actor(),
            &NewUser {
                organisation_id: principal.user.organisation_id,
                email: email.to_string(),
                display_name: display_name.to_string(),
                role,
                password_hash,
                language: None,
            },
        )
        .await?;
    Ok(user)
}

/// Gives a user of the admin's organisation another role. An admin cannot change their own role,
/// so that an organisation is never left without an admin by mistake. Shared with the API.
pub async fn change_user_role(
    state: &AppState,
    principal: &Principal,
    user_id: i64,
    role: &str,
) -> Result<(), AppError> {
    policy::require(&principal.subject(), Action::ManageUsers, None)?;
    let role: Role = role
        .parse()
        .map_err(|_| AppError::localized("invalid-role", role))?;
    if user_id == principal.user.id {
        return Err(AppError::localized("invalid-own-role", ""));
    }
    state
        .store
        .set_user_role(
            &principal.actor(),
            principal.user.organisation_id,
            user_id,
            role,
        )
        .await?;
    Ok(())
}

/// The admin's form to change a user's role.
pub async fn admin_change_role(
    State(state): State<AppState>,
    user: PageUser,
    Path(user_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = FormFields(pairs);
    change_user_role(
        &state,
        &user.principal,
        user_id,
        fields.get("role").unwrap_or_default(),
    )
    .await
    .in_language(user.lang)?;
    Ok(see_other("/admin?done=saved"))
}

/// Removes a user's second factor (a lost phone), so they can set up a new one at their next
/// login. Only for users of the admin's organisation, never the admin's own.
pub async fn admin_reset_second_factor(
    State(state): State<AppState>,
    user: PageUser,
    Path(user_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ManageUsers, None).in_language(lang)?;
    let target = state.store.user_by_id(user_id).await.in_language(lang)?;
    let in_organisation = target.is_some_and(|target| {
        target.organisation_id == user.principal.user.organisation_id
            && target.id != user.principal.user.id
    });
    if !in_organisation {
        return Err(PageError {
            error: AppError::NotFound,
            lang,
        });
    }
    state
        .store
        .set_user_totp_secret(&user.actor(), user_id, None)
        .await
        .in_language(lang)?;
    Ok(see_other("/admin?done=saved"))
}

/// The admin's form to create a user.
pub async fn admin_create_user(
    State(state): State<AppState>,
    user: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = FormFields(pairs);
    let password = fields
        .0
        .iter()
        .find(|(key, _)| key == "password")
        .map(|(_, value)| value.as_str());
    let created = create_user_in_organisation(
        &state,
        &user.principal,
        fields.get("email").unwrap_or_default(),
        fields.get("display_name").unwrap_or_default(),
        fields.get("role").unwrap_or_default(),
        password.unwrap_or_default(),
    )
    .await;
    match created {
        Ok(_) => Ok(see_other("/admin?done=user")),
        Err(error) if error.is_validation() || matches!(error, AppError::Conflict(_)) => {
            let status = error.status();
            let form = NewUserForm {
                email: fields.get("email").unwrap_or_default().to_string(),
                display_name: fields.get("display_name").unwrap_or_default().to_string(),
                role: fields.get("role").unwrap_or_default().to_string(),
            };
            let errors = NewUserErrors::of(&error, user.lang);
            let html = admin_html(&state, &user, None, &form, &errors).await?;
            Ok((status, html).into_response())
        }
        Err(error) => Err(PageError {
            error,
            lang: user.lang,
        }),
    }
}

/// The admin's settings form.
pub async fn admin_settings(
    State(state): State<AppState>,
    user: PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ManageSettings, None).in_language(user.lang)?;
    let fields = FormFields(pairs);
    let settings = OrganisationSettings {
        require_totp_for_admins: fields.get("require_totp_for_admins").is_some(),
    };
    state
        .store
        .update_organisation_settings(
            &user.actor(),
            user.principal.user.organisation_id,
            &settings.to_json(),
        )
        .await
        .in_language(user.lang)?;
    Ok(see_other("/admin?done=saved"))
}

#[derive(Debug, Deserialize)]
pub struct AuditFilter {
    actor: Option<String>,
}

/// How many entries the organisation's audit page shows, newest first.
const AUDIT_PAGE_ENTRIES: u32 = 300;

/// The organisation's audit log, newest first, optionally for one actor, with the state of the
/// hash chain (supervisors and organisation admins: who saw what, when).
pub async fn organisation_audit(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<AuditFilter>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ViewOrganisationAudit, None).in_language(lang)?;
    let actor = filter
        .actor
        .map(|actor| actor.trim().to_lowercase())
        .filter(|actor| !actor.is_empty());
    let entries = state
        .store
        .audit_entries(&puente_store::AuditQuery {
            organisation_id: Some(user.principal.user.organisation_id),
            actor: actor.clone(),
            limit: Some(AUDIT_PAGE_ENTRIES),
            newest_first: true,
            ..puente_store::AuditQuery::default()
        })
        .await
        .in_language(lang)?;
    let chain = state.store.verify_audit_chain().await.in_language(lang)?;
    let names = crate::audit_view::organisation_names_by_slug(&state)
        .await
        .in_language(lang)?;
    let html = page(
        &user,
        "/audit",
        "audit.html",
        context! {
            entries => crate::audit_view::audit_rows(&entries, &names, lang),
            actor => actor.unwrap_or_default(),
            chain_intact => chain.is_intact(),
            chain_entries => chain.entries,
            chain_first_broken => chain.first_broken,
        },
    )?;
    Ok(html.into_response())
}

/// The de-identified overview is the dashboard now (counts by the store's `StatsDimension`,
/// published through `puente-disclosure`): the old address leads there.
pub async fn overview() -> Response {
    see_other("/dashboard")
}
