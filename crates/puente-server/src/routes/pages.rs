//! Pages that are not about one case: login and logout, the language switch, the user's account
//! (language, second factor), and the organisation admin's page.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use minijinja::context;
use puente_core::Lang;
use puente_store::accounts::SessionKind;
use puente_store::Role;
use serde::{Deserialize, Serialize};

use crate::auth::{
    self, see_other, ClientAddress, PageUser, PageUserEnrolling, Principal, RequestLang,
    LANGUAGE_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::{AppError, PageError};
use crate::forms::{FormFields, FormRefusal, TypedForm};
use crate::i18n::t;
use crate::policy::{self, authorize, Action, Decision};
use crate::services::account_notices::{self, AccountNoticeAnswer};
use crate::services::organisation_settings::SettingsForm;
use crate::templates::{page, public_page, Choice};
use crate::AppState;

/// The first page: the login page for a visitor, else the main page of the user's role.
pub async fn home(principal: Option<Extension<Arc<Principal>>>) -> Response {
    let Some(Extension(principal)) = principal else {
        return see_other("/login");
    };
    let subject = principal.subject();
    let allowed = |action| authorize(&subject, action, None) == Decision::Allow;
    // Advocates and case workers start from their work of the day; supervisors from the cases.
    let works_own_cases = matches!(
        principal.user.role,
        puente_store::Role::Advocate | puente_store::Role::CaseWorker
    );
    let target = if allowed(Action::ListCases) && works_own_cases {
        "/my-work"
    } else if allowed(Action::ListCases) {
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
    PageError(AppError::NotFound).into_response()
}

/// What the login form says when it comes back refused: a message above the form, or one next
/// to the recovery code's field when that code was the one refused.
#[derive(Debug, Default)]
struct LoginRefusal {
    message: Option<String>,
    recovery_code_error: Option<String>,
}

fn login_page_response(
    state: &AppState,
    lang: Lang,
    email: &str,
    refusal: LoginRefusal,
    status: StatusCode,
) -> Result<Response, PageError> {
    // A new token every time the form is shown, signed by the server: a value planted in the
    // browser's cookie by someone else is never taken over.
    let token = state.config.secrets_key.new_login_form_token();
    let html = public_page(
        lang,
        "/login",
        "login.html",
        context! {
            login_csrf => token.clone(),
            email => email,
            message => refusal.message,
            recovery_code_error => refusal.recovery_code_error,
        },
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
    principal: Option<Extension<Arc<Principal>>>,
) -> Result<Response, PageError> {
    if principal.is_some() {
        return Ok(see_other("/"));
    }
    login_page_response(&state, lang, "", LoginRefusal::default(), StatusCode::OK)
}

/// The login form: the email, the password as typed, and the app's code or a recovery code.
#[derive(Debug)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub code: Option<String>,
    pub recovery_code: Option<String>,
}

impl LoginForm {
    /// The app's code, or a recovery code typed in its own field instead.
    pub fn second_factor_code(&self) -> Option<&str> {
        self.code.as_deref().or(self.recovery_code.as_deref())
    }

    /// Whether only a recovery code was typed (its refusal goes next to its field).
    fn recovery_code_only(&self) -> bool {
        self.code.is_none() && self.recovery_code.is_some()
    }
}

impl TryFrom<FormFields> for LoginForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(LoginForm {
            email: fields.text("email"),
            password: fields.as_typed("password"),
            code: fields.get("code").map(str::to_string),
            recovery_code: fields.get("recovery_code").map(str::to_string),
        })
    }
}

/// The login form, posted. (Its CSRF token was checked by the session layer against the
/// login-form cookie.)
pub async fn login_submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    ClientAddress(address): ClientAddress,
    TypedForm(form): TypedForm<LoginForm>,
) -> Result<Response, PageError> {
    let email = form.email.clone();
    let result = auth::log_in(
        &state,
        &email,
        &form.password,
        form.second_factor_code(),
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
            let mut response = match issued.user.language {
                // The user's setting becomes this browser's language.
                Some(language) => with_language_cookie(&state, see_other("/"), Some(language)),
                None => see_other("/"),
            };
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
            // A recovery code typed instead of the app's code and refused: the message goes
            // next to its field, and says that each code is good once.
            let recovery_code_refused =
                matches!(error, AppError::SecondFactorRequired) && form.recovery_code_only();
            let refusal = if recovery_code_refused {
                LoginRefusal {
                    message: None,
                    recovery_code_error: Some(t(lang, "login-recovery-code-refused")),
                }
            } else {
                LoginRefusal {
                    message: Some(error.message(lang)),
                    recovery_code_error: None,
                }
            };
            login_page_response(&state, lang, &email, refusal, status)
        }
        Err(error) => Err(PageError(error)),
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
        .await?;
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

/// The page to go to after the language switch: only a path on this site, never another site.
/// The value is looked at as a browser would: control characters (which browsers drop from an
/// address) are removed first, and it is decoded once more, so neither `/\t/evil.example` nor
/// `/%2F/evil.example` can become `//evil.example`. Anything else leads to the first page.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".to_string();
    };
    let cleaned: String = next.chars().filter(|c| !c.is_control()).collect();
    let decoded_again = auth::percent_decode_lossy(&cleaned);
    let decoded_again: String = decoded_again.chars().filter(|c| !c.is_control()).collect();
    let same_site =
        |path: &str| path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if !same_site(&cleaned) || !same_site(&decoded_again) {
        return "/".to_string();
    }
    // A `Location` header carries visible ASCII only: anything else is percent-encoded.
    let mut location = String::with_capacity(cleaned.len());
    for byte in cleaned.bytes() {
        if byte.is_ascii_graphic() {
            location.push(byte as char);
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    location
}

/// A response that leads to `location` and remembers `lang` in the language cookie.
fn with_language_cookie(state: &AppState, mut response: Response, lang: Option<Lang>) -> Response {
    let cookie = match lang {
        Some(lang) => auth::set_cookie(
            LANGUAGE_COOKIE,
            lang.tag(),
            365 * 24 * 60 * 60,
            state.config.secure_cookies,
        ),
        None => auth::set_cookie(LANGUAGE_COOKIE, "", 0, state.config.secure_cookies),
    };
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The language switch on every page (a link): shows the pages in that language in this browser
/// (a cookie). It changes nothing stored: a link can be followed by anyone's page.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    Query(next): Query<NextPage>,
) -> Result<Response, PageError> {
    let lang = Lang::from_tag(&tag).ok_or(PageError(AppError::NotFound))?;
    let response = see_other(&safe_next(next.next.as_deref()));
    Ok(with_language_cookie(&state, response, Some(lang)))
}

/// The language switch as a form (with its anti-forgery token): for a logged-in user it also
/// becomes their setting.
pub async fn switch_language_and_remember(
    State(state): State<AppState>,
    Path(tag): Path<String>,
    principal: Option<Extension<Arc<Principal>>>,
    TypedForm(form): TypedForm<NextForm>,
) -> Result<Response, PageError> {
    let lang = Lang::from_tag(&tag).ok_or(PageError(AppError::NotFound))?;
    if let Some(Extension(principal)) = principal {
        state
            .store
            .set_user_language(principal.user.id, Some(lang))
            .await?;
    }
    let response = see_other(&safe_next(form.next.as_deref()));
    Ok(with_language_cookie(&state, response, Some(lang)))
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

/// The language switch's form: the page to go back to.
#[derive(Debug)]
pub struct NextForm {
    pub next: Option<String>,
}

impl TryFrom<FormFields> for NextForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(NextForm {
            next: fields.get("next").map(str::to_string),
        })
    }
}

/// The account's language form: a language, or none (the browser's).
#[derive(Debug)]
pub struct LanguageForm {
    pub language: Option<Lang>,
}

impl TryFrom<FormFields> for LanguageForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(LanguageForm {
            language: fields.get("language").and_then(Lang::from_tag),
        })
    }
}

/// Saves the user's language setting.
pub async fn account_language(
    State(state): State<AppState>,
    PageUserEnrolling(user): PageUserEnrolling,
    TypedForm(LanguageForm { language }): TypedForm<LanguageForm>,
) -> Result<Response, PageError> {
    state
        .store
        .set_user_language(user.principal.user.id, language)
        .await?;
    // The language cookie of this browser follows the new setting.
    Ok(with_language_cookie(
        &state,
        see_other("/account?done=saved"),
        language,
    ))
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
    active: bool,
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
    policy::require(&user.subject(), Action::ManageUsers, None)?;
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
pub struct NewUserForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
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
        .await?;
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
            active: account.active,
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
            advocates_see_team_cases => user.principal.settings.advocates_see_team_cases,
            new_user => form,
            errors => errors,
        },
    )
}

pub use crate::services::users::{change_user_role, create_user_in_organisation};

/// The admin's form to change a user's role (the role's code, checked by the service).
#[derive(Debug)]
pub struct RoleForm {
    pub role: String,
}

impl TryFrom<FormFields> for RoleForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(RoleForm {
            role: fields.text("role"),
        })
    }
}

/// The admin's form to change a user's role.
pub async fn admin_change_role(
    State(state): State<AppState>,
    user: PageUser,
    Path(user_id): Path<i64>,
    TypedForm(form): TypedForm<RoleForm>,
) -> Result<Response, PageError> {
    change_user_role(&state, &user.principal, user_id, &form.role).await?;
    Ok(see_other("/admin?done=saved"))
}

/// Removes a user's second factor (a lost phone), so they can set up a new one at their next
/// login. Only for users of the admin's organisation, never the admin's own.
pub async fn admin_reset_second_factor(
    State(state): State<AppState>,
    user: PageUser,
    Path(user_id): Path<i64>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ManageUsers, None)?;
    let target = state.store.user_by_id(user_id).await?;
    let in_organisation = target.is_some_and(|target| {
        target.organisation_id == user.principal.user.organisation_id
            && target.id != user.principal.user.id
    });
    if !in_organisation {
        return Err(PageError(AppError::NotFound));
    }
    state
        .store
        .set_user_totp_secret(&user.actor(), user_id, None)
        .await?;
    Ok(see_other("/admin?done=saved"))
}

/// The admin's form to create a user: what the service checks (the email, the name, the role's
/// code, the password as typed).
#[derive(Debug)]
pub struct CreateUserForm {
    pub shown: NewUserForm,
    pub password: String,
}

impl TryFrom<FormFields> for CreateUserForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        Ok(CreateUserForm {
            shown: NewUserForm {
                email: fields.text("email"),
                display_name: fields.text("display_name"),
                role: fields.text("role"),
            },
            password: fields.as_typed("password"),
        })
    }
}

/// The admin's form to create a user.
pub async fn admin_create_user(
    State(state): State<AppState>,
    user: PageUser,
    TypedForm(CreateUserForm {
        shown: form,
        password,
    }): TypedForm<CreateUserForm>,
) -> Result<Response, PageError> {
    let created = create_user_in_organisation(
        &state,
        &user.principal,
        &form.email,
        &form.display_name,
        &form.role,
        &password,
    )
    .await;
    match created {
        Ok(_) => Ok(see_other("/admin?done=user")),
        Err(error) if error.is_validation() || matches!(error, AppError::Conflict(_)) => {
            let status = error.status();
            let errors = NewUserErrors::of(&error, user.lang);
            let html = admin_html(&state, &user, None, &form, &errors).await?;
            Ok((status, html).into_response())
        }
        Err(error) => Err(PageError(error)),
    }
}

/// The admin's settings form.
pub async fn admin_settings(
    State(state): State<AppState>,
    user: PageUser,
    TypedForm(SettingsForm(settings)): TypedForm<SettingsForm>,
) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::ManageSettings, None)?;
    state
        .store
        .update_organisation_settings(
            &user.actor(),
            user.principal.user.organisation_id,
            &settings.to_json(),
        )
        .await?;
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
    policy::require(&user.subject(), Action::ViewOrganisationAudit, None)?;
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
        .await?;
    let chain = state.store.verify_audit_since_checkpoint().await?;
    let names = crate::audit_view::organisation_names_by_slug(&state).await?;
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

/// `GET /api/v1/account-notices` (supervisors, organisation admins): the notices of privileged
/// roles given in the organisation, newest first, each with its sentence in the request's
/// language.
#[utoipa::path(get, path = "/api/v1/account-notices", responses(
    (status = 200, description = "Notices, each with its sentence in the request's language", body = Vec<AccountNoticeAnswer>),
))]
pub async fn api_account_notices(
    State(state): State<AppState>,
    principal: Principal,
    RequestLang(lang): RequestLang,
) -> Result<axum::Json<Vec<AccountNoticeAnswer>>, AppError> {
    policy::require(&principal.subject(), Action::ViewOrganisationAudit, None)?;
    Ok(axum::Json(
        account_notices::account_notices(&state, &principal, lang).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn the_login_form_keeps_the_password_as_typed_and_tells_a_recovery_code_apart() {
        let form = LoginForm::try_from(fields_of(&[
            ("email", " advocate@hotline.demo "),
            ("password", " spaced password "),
            ("code", ""),
            ("recovery_code", "abcd-efgh"),
        ]))
        .unwrap();
        assert_eq!(form.email, "advocate@hotline.demo");
        assert_eq!(form.password, " spaced password ");
        assert_eq!(form.second_factor_code(), Some("abcd-efgh"));
        assert!(form.recovery_code_only());
        let form = LoginForm::try_from(fields_of(&[("code", "123456")])).unwrap();
        assert_eq!(form.second_factor_code(), Some("123456"));
        assert!(!form.recovery_code_only());
    }

    #[test]
    fn the_language_and_user_forms_read_their_fields() {
        let form = LanguageForm::try_from(fields_of(&[("language", "en")])).unwrap();
        assert_eq!(form.language, Some(Lang::En));
        let form = LanguageForm::try_from(fields_of(&[("language", "")])).unwrap();
        assert_eq!(form.language, None);
        let form = CreateUserForm::try_from(fields_of(&[
            ("email", "new@hotline.demo"),
            ("display_name", "Nueva"),
            ("role", "advocate"),
            ("password", "a long passphrase"),
        ]))
        .unwrap();
        assert_eq!(
            (form.shown.email.as_str(), form.shown.role.as_str()),
            ("new@hotline.demo", "advocate")
        );
        assert_eq!(form.password, "a long passphrase");
        let form = NextForm::try_from(fields_of(&[("next", "/cases")])).unwrap();
        assert_eq!(form.next.as_deref(), Some("/cases"));
    }
}
