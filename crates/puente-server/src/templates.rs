//! Server-rendered pages with minijinja. Templates are embedded at compile time; every text in them
//! comes from the Fluent messages through the `t` function, in the language of the request.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::Html;
use minijinja::value::Kwargs;
use minijinja::{context, Environment, Error, ErrorKind, State, Value};
use puente_core::Lang;
use serde::Serialize;

use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::i18n::translations;
use crate::policy::{authorize, Action, Decision};

/// Every template, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("cases.html", include_str!("../templates/cases.html")),
    (
        "case_form.html",
        include_str!("../templates/case_form.html"),
    ),
    ("case.html", include_str!("../templates/case.html")),
    ("my_work.html", include_str!("../templates/my_work.html")),
    ("matching.html", include_str!("../templates/matching.html")),
    (
        "case_matches.html",
        include_str!("../templates/case_matches.html"),
    ),
    (
        "consent_withdraw.html",
        include_str!("../templates/consent_withdraw.html"),
    ),
    (
        "legal_case.html",
        include_str!("../templates/legal_case.html"),
    ),
    (
        "legal_question.html",
        include_str!("../templates/legal_question.html"),
    ),
    (
        "legal_annual.html",
        include_str!("../templates/legal_annual.html"),
    ),
    (
        "perpetrators.html",
        include_str!("../templates/perpetrators.html"),
    ),
    (
        "case_audit.html",
        include_str!("../templates/case_audit.html"),
    ),
    ("audit.html", include_str!("../templates/audit.html")),
    (
        "screening_question.html",
        include_str!("../templates/screening_question.html"),
    ),
    (
        "screening_result.html",
        include_str!("../templates/screening_result.html"),
    ),
    ("admin.html", include_str!("../templates/admin.html")),
    ("account.html", include_str!("../templates/account.html")),
    (
        "recovery_codes.html",
        include_str!("../templates/recovery_codes.html"),
    ),
    (
        "password_reset.html",
        include_str!("../templates/password_reset.html"),
    ),
    (
        "password_reset_link.html",
        include_str!("../templates/password_reset_link.html"),
    ),
    // The directory, referrals, notifications and the dashboard.
    (
        "directory.html",
        include_str!("../templates/directory.html"),
    ),
    (
        "service_matches.html",
        include_str!("../templates/service_matches.html"),
    ),
    (
        "case_services.html",
        include_str!("../templates/case_services.html"),
    ),
    (
        "referrals.html",
        include_str!("../templates/referrals.html"),
    ),
    ("referral.html", include_str!("../templates/referral.html")),
    (
        "referral_form.html",
        include_str!("../templates/referral_form.html"),
    ),
    (
        "notifications.html",
        include_str!("../templates/notifications.html"),
    ),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    // Likely duplicate persons.
    (
        "duplicate_warning.html",
        include_str!("../templates/duplicate_warning.html"),
    ),
    (
        "duplicate_list.html",
        include_str!("../templates/duplicate_list.html"),
    ),
    (
        "case_duplicates.html",
        include_str!("../templates/case_duplicates.html"),
    ),
    (
        "merge_compare.html",
        include_str!("../templates/merge_compare.html"),
    ),
    (
        "merge_confirm.html",
        include_str!("../templates/merge_confirm.html"),
    ),
    (
        "merge_done.html",
        include_str!("../templates/merge_done.html"),
    ),
];

/// The `t` function of templates: `{{ t("login-title") }}` or `{{ t("x", count=3) }}`, in the
/// language held by the `lang` variable of the page.
fn translate(state: &State, id: &str, arguments: Kwargs) -> Result<String, Error> {
    let lang = state
        .lookup("lang")
        .and_then(|value| value.as_str().and_then(Lang::from_tag))
        .unwrap_or_default();
    let mut fluent_arguments = Vec::new();
    for name in arguments.args() {
        let value: Value = arguments.get(name)?;
        let fluent_value = match value.as_i64() {
            Some(number) => fluent_bundle::FluentValue::from(number),
            None => fluent_bundle::FluentValue::from(value.to_string()),
        };
        fluent_arguments.push((name, fluent_value));
    }
    if !translations().has(lang, id) {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("no message `{id}`"),
        ));
    }
    Ok(translations().text_with(lang, id, &fluent_arguments))
}

/// The `moment` filter: an RFC 3339 time as people read it, to the minute (`2026-11-22 02:48 UTC`).
fn moment(value: String) -> String {
    match (value.get(..10), value.get(11..16)) {
        (Some(date), Some(time)) if value.ends_with('Z') => format!("{date} {time} UTC"),
        _ => value,
    }
}

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        // The templates are compiled in and rendered by the tests; a syntax error is a build defect.
        environment
            .add_template(name, source)
            .expect("the embedded templates parse");
    }
    environment.add_function("t", translate);
    environment.add_filter("moment", moment);
    environment
});

/// Renders a template with a context.
pub fn render(name: &str, context: Value) -> Result<Html<String>, AppError> {
    let template = ENVIRONMENT.get_template(name).map_err(AppError::internal)?;
    template
        .render(context)
        .map(Html)
        .map_err(AppError::internal)
}

/// What the layout shows of the logged-in user, and which menu entries their role has.
#[derive(Clone, Debug, Serialize)]
pub struct LayoutUser {
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub role_label: String,
    pub organisation: String,
    pub can_list_cases: bool,
    pub can_create_case: bool,
    pub can_manage_users: bool,
    pub can_view_aggregates: bool,
    pub can_view_organisation_audit: bool,
    pub can_view_referrals: bool,
    pub can_match_with_partners: bool,
}

impl LayoutUser {
    pub fn of(user: &PageUser) -> LayoutUser {
        let subject = user.subject();
        let allowed = |action| authorize(&subject, action, None) == Decision::Allow;
        let principal = &user.principal;
        LayoutUser {
            display_name: principal.user.display_name.clone(),
            email: principal.user.email.clone(),
            role: principal.user.role.code().to_string(),
            role_label: translations()
                .text(user.lang, &format!("role-{}", principal.user.role.code())),
            organisation: principal.organisation.organisation.name.clone(),
            can_list_cases: allowed(Action::ListCases),
            can_create_case: allowed(Action::CreateCase),
            can_manage_users: allowed(Action::ManageUsers),
            can_view_aggregates: allowed(Action::ViewAggregates),
            can_view_organisation_audit: allowed(Action::ViewOrganisationAudit),
            can_view_referrals: allowed(Action::ViewReferrals),
            can_match_with_partners: allowed(Action::MatchWithPartners),
        }
    }
}

/// Renders a page for a logged-in user: the layout's variables plus the page's own.
pub fn page(
    user: &PageUser,
    path: &str,
    name: &str,
    page_context: Value,
) -> Result<Html<String>, PageError> {
    let layout = context! {
        lang => user.lang.tag(),
        user => LayoutUser::of(user),
        csrf_token => user.principal.csrf_token.clone(),
        path => path,
    };
    render(name, context! { ..page_context, ..layout }).map_err(PageError)
}

/// Renders a page for a visitor who is not logged in.
pub fn public_page(
    lang: Lang,
    path: &str,
    name: &str,
    page_context: Value,
) -> Result<Html<String>, PageError> {
    let layout = context! { lang => lang.tag(), user => Value::from(()), path => path };
    render(name, context! { ..page_context, ..layout }).map_err(PageError)
}

/// The error page. Never fails: if the template cannot render, a plain page says the same.
pub fn render_error_page(lang: Lang, status: StatusCode, message: &str) -> Html<String> {
    let context = context! {
        lang => lang.tag(),
        user => Value::from(()),
        path => "/",
        status => status.as_u16(),
        message => message,
    };
    render("error.html", context).unwrap_or_else(|error| {
        tracing::error!(
            error = format!("{error:#}"),
            "the error page does not render"
        );
        Html(format!(
            "<!doctype html><title>{}</title><p>{}</p>",
            status.as_u16(),
            html_escape(message)
        ))
    })
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The value and label of one option of a select.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The options of a controlled vocabulary, labelled in `lang`.
pub fn vocabulary_choices<V: puente_core::Vocabulary>(lang: Lang) -> Vec<Choice> {
    V::all()
        .iter()
        .map(|value| Choice {
            value: value.code().to_string(),
            label: value.label_in(lang).to_string(),
        })
        .collect()
}

/// Every country, labelled and sorted in `lang`, the countries of Puente's region first.
/// The collation of the language (Unicode CLDR's, through ICU4X): "Bélgica" sorts with the
/// "B"s, before "Bután", and "Ñ" after "N", as a Spanish reader expects.
pub fn collator(lang: Lang) -> &'static icu_collator::CollatorBorrowed<'static> {
    static SPANISH: LazyLock<icu_collator::CollatorBorrowed<'static>> =
        LazyLock::new(|| collator_for(icu_locale_core::locale!("es")));
    static ENGLISH: LazyLock<icu_collator::CollatorBorrowed<'static>> =
        LazyLock::new(|| collator_for(icu_locale_core::locale!("en")));
    match lang {
        Lang::Es => &SPANISH,
        Lang::En => &ENGLISH,
    }
}

fn collator_for(locale: icu_locale_core::Locale) -> icu_collator::CollatorBorrowed<'static> {
    icu_collator::Collator::try_new(
        (&locale).into(),
        icu_collator::options::CollatorOptions::default(),
    )
    .expect("the collation data of Spanish and English is compiled in")
}

/// The countries for a select, the region's first, then every other by its name in the
/// language's collation.
pub fn country_choices(lang: Lang) -> Vec<Choice> {
    const REGION: [&str; 10] = ["GT", "HN", "SV", "MX", "US", "NI", "CR", "PA", "CO", "VE"];
    let mut region = Vec::new();
    let mut rest = Vec::new();
    for country in puente_core::Country::all() {
        let choice = Choice {
            value: country.alpha_2().to_string(),
            label: country.name(lang).to_string(),
        };
        if REGION.contains(&country.alpha_2()) {
            region.push(choice);
        } else {
            rest.push(choice);
        }
    }
    region.sort_by_key(|choice| REGION.iter().position(|code| *code == choice.value));
    let collator = collator(lang);
    rest.sort_by(|a, b| collator.compare(&a.label, &b.label));
    region.extend(rest);
    region
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_the_error_page_renders_in_both_languages() {
        LazyLock::force(&ENVIRONMENT);
        let context = context! { lang => "es", user => Value::from(()), path => "/", status => 404, message => "x" };
        let page = render("error.html", context)
            .map_err(|error| format!("{error:?}"))
            .unwrap();
        assert!(page.0.contains("(404)"), "{}", page.0);
        let spanish = render_error_page(Lang::Es, StatusCode::NOT_FOUND, "no <existe>").0;
        assert!(spanish.contains("lang=\"es\""), "{spanish}");
        assert!(spanish.contains("no &lt;existe&gt;"), "{spanish}");
        let english = render_error_page(Lang::En, StatusCode::NOT_FOUND, "missing").0;
        assert!(english.contains("lang=\"en\""), "{english}");
    }

    #[test]
    fn every_template_file_is_registered() {
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for file in std::fs::read_dir(directory).unwrap() {
            let name = file.unwrap().file_name().to_string_lossy().to_string();
            assert!(
                TEMPLATES.iter().any(|(registered, _)| *registered == name),
                "{name} is not registered"
            );
        }
    }

    #[test]
    fn times_are_shown_to_the_minute() {
        assert_eq!(
            moment("2026-11-22T02:48:03.524452726Z".into()),
            "2026-11-22 02:48 UTC"
        );
        assert_eq!(moment("2026-11-22".into()), "2026-11-22");
    }

    #[test]
    fn the_region_comes_first_in_country_lists() {
        let choices = country_choices(Lang::Es);
        assert_eq!(choices[0].value, "GT");
        assert!(choices.len() > 200);
        // Spanish collation: accented names with their letter, CLDR's names.
        let position = |name: &str| {
            choices
                .iter()
                .position(|choice| choice.label == name)
                .unwrap_or_else(|| panic!("{name} is not in the list"))
        };
        assert!(position("Bélgica") < position("Bután"));
        assert!(position("Argelia") < position("Argentina"));
        assert!(position("Islas Aland") < position("Islas Caimán"));
        assert!(position("Níger") < position("Nigeria"));
        assert!(position("Túnez") < position("Turquía"));
        for wrong in [
            "Algeria",
            "Burquina Faso",
            "Costa de Marfíl",
            "Surinám",
            "Tunez",
            "Islas Äland",
        ] {
            assert!(
                choices.iter().all(|choice| choice.label != wrong),
                "{wrong}"
            );
        }
    }
}
