//! Every route, in one table.

/// The JSON API under `/api/v1`.
pub mod api;
/// Case pages: list, new, detail, edits, screenings, audit trail.
pub mod case_pages;
/// Consents of a case: given and withdrawn through their own actions, never by a case update.
pub mod consents;
/// The dashboard: published case counts, SVG charts, CSV, service gaps.
pub mod dashboard;
/// The service directory: search, organisations, suggestions for a case.
pub mod directory;
/// Likely duplicate persons while entering a person; merges and distinct pairs.
pub mod duplicates;
/// A case's legal protection: relief options, relief questions, the legal track.
pub mod legal;
/// Pages that are not about one case: login, language, account, admin, overview.
pub mod pages;
/// A case's records: documents, voided screenings, the history of changes, exports.
pub mod records;
/// Referrals between organisations and their notifications.
pub mod referrals;

use axum::routing::{get, post, put};
use axum::Router;

use crate::AppState;

/// The routes of the JSON API, as (method, path) pairs: the OpenAPI document is checked against it.
pub const API_ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{id}"),
    ("put", "/api/v1/cases/{id}"),
    ("get", "/api/v1/cases/{id}/consents"),
    ("post", "/api/v1/cases/{id}/consents"),
    ("post", "/api/v1/cases/{id}/consents/{consent_id}/withdraw"),
    ("get", "/api/v1/cases/{id}/notes"),
    ("post", "/api/v1/cases/{id}/notes"),
    ("get", "/api/v1/cases/{id}/screenings"),
    ("post", "/api/v1/cases/{id}/screenings"),
    ("get", "/api/v1/cases/{id}/screenings/{screening_id}"),
    ("get", "/api/v1/cases/{id}/history"),
    ("get", "/api/v1/cases/{id}/attachments"),
    ("post", "/api/v1/cases/{id}/attachments"),
    ("get", "/api/v1/cases/{id}/attachments/{attachment_id}"),
    ("post", "/api/v1/cases/{id}/screenings/{screening_id}/void"),
    ("get", "/api/v1/cases/{id}/export.pdf"),
    ("get", "/api/v1/cases/export.xlsx"),
    ("get", "/api/v1/cases/export.csv"),
    ("get", "/api/v1/referrals/{id}/attachments/{attachment_id}"),
    ("put", "/api/v1/cases/{id}/owner"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("put", "/api/v1/users/{id}"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/stats.csv"),
    ("get", "/api/v1/services"),
    ("get", "/api/v1/orgs"),
    ("get", "/api/v1/cases/{id}/referrals"),
    ("post", "/api/v1/cases/{id}/referrals"),
    ("get", "/api/v1/referrals"),
    ("get", "/api/v1/referrals/{id}"),
    ("get", "/api/v1/referrals/{id}/case"),
    ("post", "/api/v1/referrals/{id}/accept"),
    ("post", "/api/v1/referrals/{id}/reject"),
    ("post", "/api/v1/referrals/{id}/complete"),
    ("post", "/api/v1/referrals/{id}/revoke"),
    ("get", "/api/v1/notifications"),
    ("post", "/api/v1/notifications/{id}/read"),
    ("post", "/api/v1/notifications/read"),
    ("post", "/api/v1/persons/duplicates"),
    ("post", "/api/v1/persons/merge"),
    ("post", "/api/v1/persons/distinct"),
    ("get", "/api/v1/account-notices"),
    ("get", "/api/v1/openapi.json"),
];

/// The application's routes behind the session layer.
pub fn router(state: AppState) -> Router {
    // A document may be as large as the limit, plus the multipart framing around it; a larger
    // body is refused (413) before it is read whole.
    let attachment_body_limit = axum::extract::DefaultBodyLimit::max(
        usize::try_from(state.config.attachments.max_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(64 * 1024),
    );
    let api = Router::new()
        .route("/api/v1/login", post(api::login))
        .route("/api/v1/logout", post(api::logout))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/cases", get(api::list_cases).post(api::create_case))
        .route(
            "/api/v1/cases/{id}",
            get(api::get_case).put(api::update_case),
        )
        .route(
            "/api/v1/cases/{id}/consents",
            get(consents::list_consents).post(consents::give_consent),
        )
        .route(
            "/api/v1/cases/{id}/consents/{consent_id}/withdraw",
            post(consents::withdraw_consent),
        )
        .route(
            "/api/v1/cases/{id}/notes",
            get(api::list_notes).post(api::add_note),
        )
        .route(
            "/api/v1/cases/{id}/screenings",
            get(api::list_screenings).post(api::create_screening),
        )
        .route(
            "/api/v1/cases/{id}/screenings/{screening_id}",
            get(api::get_screening),
        )
        .route("/api/v1/cases/{id}/history", get(records::case_history))
        .route(
            "/api/v1/cases/{id}/attachments",
            get(records::list_attachments)
                .post(records::upload_attachment)
                .layer(attachment_body_limit),
        )
        .route(
            "/api/v1/cases/{id}/attachments/{attachment_id}",
            get(records::download_attachment),
        )
        .route(
            "/api/v1/cases/{id}/screenings/{screening_id}/void",
            post(records::void_screening),
        )
        .route(
            "/api/v1/cases/{id}/export.pdf",
            get(records::export_case_pdf),
        )
        .route("/api/v1/cases/export.xlsx", get(records::export_cases_xlsx))
        .route("/api/v1/cases/export.csv", get(records::export_cases_csv))
        .route(
            "/api/v1/referrals/{id}/attachments/{attachment_id}",
            get(records::download_referred_attachment),
        )
        .route("/api/v1/cases/{id}/owner", put(api::assign_case))
        .route("/api/v1/audit", get(api::audit))
        .route("/api/v1/users", get(api::list_users).post(api::create_user))
        .route("/api/v1/users/{id}", put(api::update_user))
        .route("/api/v1/stats", get(dashboard::stats))
        .route("/api/v1/stats.csv", get(dashboard::stats_csv))
        .route("/api/v1/services", get(directory::search_services))
        .route("/api/v1/orgs", get(directory::list_organisations))
        .route(
            "/api/v1/cases/{id}/referrals",
            get(referrals::case_referrals).post(referrals::create_referral),
        )
        .route("/api/v1/referrals", get(referrals::list_referrals))
        .route("/api/v1/referrals/{id}", get(referrals::get_referral))
        .route("/api/v1/referrals/{id}/case", get(referrals::shared_case))
        .route(
            "/api/v1/referrals/{id}/accept",
            post(referrals::accept_referral),
        )
        .route(
            "/api/v1/referrals/{id}/reject",
            post(referrals::reject_referral),
        )
        .route(
            "/api/v1/referrals/{id}/complete",
            post(referrals::complete_referral),
        )
        .route(
            "/api/v1/referrals/{id}/revoke",
            post(referrals::revoke_referral),
        )
        .route("/api/v1/notifications", get(referrals::list_notifications))
        .route(
            "/api/v1/notifications/read",
            post(referrals::read_all_notifications),
        )
        .route(
            "/api/v1/notifications/{id}/read",
            post(referrals::read_notification),
        )
        .route(
            "/api/v1/persons/duplicates",
            post(duplicates::check_duplicates),
        )
        .route("/api/v1/persons/merge", post(duplicates::merge_persons))
        .route("/api/v1/persons/distinct", post(duplicates::mark_distinct))
        .route("/api/v1/account-notices", get(pages::api_account_notices))
        .route("/api/v1/openapi.json", get(api::openapi));
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route(
            "/lang/{tag}",
            get(pages::switch_language).post(pages::switch_language_and_remember),
        )
        .route("/account", get(pages::account_page))
        .route("/account/language", post(pages::account_language))
        .route("/account/totp", post(pages::account_totp))
        .route("/admin", get(pages::admin_page))
        .route("/admin/users", post(pages::admin_create_user))
        .route("/admin/settings", post(pages::admin_settings))
        .route("/admin/users/{id}/role", post(pages::admin_change_role))
        .route(
            "/admin/users/{id}/reset-second-factor",
            post(pages::admin_reset_second_factor),
        )
        .route("/overview", get(pages::overview))
        .route("/dashboard", get(dashboard::dashboard_page))
        .route("/dashboard/annual", get(legal::annual_report_page))
        .route("/directory", get(directory::directory_page))
        .route("/cases/{id}/services", get(directory::case_services_page))
        .route(
            "/cases/{id}/refer",
            get(referrals::refer_form).post(referrals::refer_submit),
        )
        .route("/referrals", get(referrals::referrals_page))
        .route("/referrals/{id}", get(referrals::referral_page))
        .route(
            "/referrals/{id}/{action}",
            post(referrals::referral_action_form),
        )
        .route(
            "/cases/{id}/duplicates",
            get(duplicates::case_duplicates_page),
        )
        .route("/persons/merge", post(duplicates::merge_form))
        .route("/persons/distinct", post(duplicates::distinct_form))
        .route("/notifications", get(referrals::notifications_page))
        .route(
            "/notifications/read",
            post(referrals::notifications_read_form),
        )
        .route(
            "/notifications/badge.svg",
            get(referrals::notifications_badge),
        )
        .route("/audit", get(pages::organisation_audit))
        .route("/cases", get(case_pages::list).post(case_pages::create))
        .route("/cases/new", get(case_pages::new_form))
        .route("/cases/{id}", get(case_pages::show))
        .route(
            "/cases/{id}/edit",
            get(case_pages::edit_form).post(case_pages::edit_submit),
        )
        .route("/cases/{id}/events", post(case_pages::add_event))
        .route("/cases/{id}/consents", post(consents::add_consent_form))
        .route(
            "/cases/{id}/consents/{consent_id}/withdraw",
            get(consents::withdraw_confirmation_page).post(consents::withdraw_consent_form),
        )
        .route("/cases/{id}/notes", post(case_pages::add_note))
        .route(
            "/cases/{id}/attachments",
            post(records::upload_attachment_form).layer(attachment_body_limit),
        )
        .route(
            "/cases/{id}/screenings/{screening_id}/void",
            post(records::void_screening_form),
        )
        .route("/cases/{id}/status", post(case_pages::change_status))
        .route("/cases/{id}/owner", post(case_pages::assign))
        .route("/cases/{id}/audit", get(case_pages::audit_trail))
        .route("/cases/{id}/legal", get(legal::legal_page))
        .route(
            "/cases/{id}/legal/questions",
            get(legal::question_page).post(legal::question_answer),
        )
        .route("/cases/{id}/legal/reports", post(legal::add_report))
        .route(
            "/cases/{id}/screenings/new",
            get(case_pages::screening_start),
        )
        .route(
            "/cases/{id}/screenings/step",
            post(case_pages::screening_step),
        )
        .route(
            "/cases/{id}/screenings/{screening_id}",
            get(case_pages::screening_show),
        )
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(crate::error::page_rejections));
    // Layers, from the handler outwards: the session; the timeouts (a client that sends its body
    // too slowly, or a request that takes too long, is answered 408 rather than holding the
    // connection); every API error as the JSON error; the security headers; compression.
    api.merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::session_layer,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.body_read_timeout,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.limits.request_timeout,
        ))
        .layer(axum::middleware::from_fn(crate::error::api_errors_as_json))
        .layer(axum::middleware::map_response(security_headers))
        // Pages are small but a country list is not: gzip makes them light on a 3G phone.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Headers on every answer: no framing, no type sniffing, no referrer, scripts and styles only
/// from Puente itself, and no caching of anything but the stylesheet (pages hold identifying
/// data, and phones are shared).
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
