//! Every route, in one table.

/// One's own account and an admin's care of others': passwords, one-time links, the second
/// factor and its recovery codes, notification e-mails, deactivation.
pub mod accounts;
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
/// Handing over: a case opened from a referral, and messages on a referral.
pub mod handover;
/// A case's legal protection: relief options, relief questions, the legal track.
pub mod legal;
/// The legal track's JSON API and the perpetrators linked across cases.
pub mod legal_api;
/// "Match with partners": runs at a linkage unit, matches on cases, coordination requests.
pub mod matching;
/// The pages of "match with partners".
pub mod matching_pages;
/// The organisation's settings in the API, and the admin form's reading of them.
pub mod organisation_settings;
/// Pages that are not about one case: login, language, account, admin, overview.
pub mod pages;
/// Merging two person records without loss, and undoing a merge.
pub mod person_merges;
/// A case's records: documents, voided screenings, the history of changes, exports.
pub mod records;
/// Referrals between organisations and their notifications.
pub mod referrals;
/// Tasks on a case, the task lists and the "my work" page.
pub mod tasks;

use axum::routing::{get, post};
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The JSON API under `/api/v1`: the router and the OpenAPI document, from one table. Each line
/// adds the handlers of one path (each carries `#[utoipa::path]` with its method and path) to both;
/// a handler routed any other way would be served undocumented, so there is no other way.
pub fn api_routes() -> OpenApiRouter<AppState> {
    api_routes_with_document_limit(crate::attachments::DEFAULT_MAX_BYTES)
}

/// The API's routes, documents taken up to `max_document_bytes` (the document is the same for
/// any limit).
pub fn api_routes_with_document_limit(max_document_bytes: u64) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::login))
        .routes(routes!(api::logout))
        .routes(routes!(api::me))
        .routes(routes!(api::list_cases, api::create_case))
        .routes(routes!(api::get_case, api::update_case))
        .routes(routes!(consents::list_consents, consents::give_consent))
        .routes(routes!(consents::withdraw_consent))
        .routes(routes!(api::list_notes, api::add_note))
        .routes(routes!(api::list_screenings, api::create_screening))
        .routes(routes!(api::get_screening))
        .routes(routes!(records::case_history))
        .routes(document_body_limited(
            routes!(records::list_attachments, records::upload_attachment),
            max_document_bytes,
        ))
        .routes(routes!(records::download_attachment))
        .routes(routes!(records::void_screening))
        .routes(routes!(records::export_case_pdf))
        .routes(routes!(records::export_cases_xlsx))
        .routes(routes!(records::export_cases_csv))
        .routes(routes!(records::download_referred_attachment))
        .routes(routes!(api::assign_case))
        .routes(routes!(api::audit))
        .routes(routes!(api::list_users, api::create_user))
        .routes(routes!(api::update_user))
        .routes(routes!(dashboard::stats))
        .routes(routes!(dashboard::stats_csv))
        .routes(routes!(directory::search_services))
        .routes(routes!(directory::list_organisations))
        .routes(routes!(
            referrals::case_referrals,
            referrals::create_referral
        ))
        .routes(routes!(referrals::list_referrals))
        .routes(routes!(referrals::get_referral))
        .routes(routes!(referrals::shared_case))
        .routes(routes!(referrals::accept_referral))
        .routes(routes!(referrals::reject_referral))
        .routes(routes!(referrals::complete_referral))
        .routes(routes!(referrals::revoke_referral))
        .routes(routes!(referrals::list_notifications))
        .routes(routes!(referrals::read_all_notifications))
        .routes(routes!(referrals::read_notification))
        .routes(routes!(duplicates::check_duplicates))
        .routes(routes!(
            person_merges::merge_preview,
            person_merges::merge_persons
        ))
        .routes(routes!(person_merges::undo_merge))
        .routes(routes!(duplicates::mark_distinct))
        .routes(routes!(pages::api_account_notices))
        .routes(routes!(accounts::api_account))
        .routes(routes!(accounts::api_change_password))
        .routes(routes!(accounts::api_totp_offer))
        .routes(routes!(accounts::api_enrol_totp))
        .routes(routes!(accounts::api_regenerate_recovery_codes))
        .routes(routes!(accounts::api_email_notifications))
        .routes(routes!(accounts::api_issue_password_reset))
        .routes(routes!(accounts::api_reset_password))
        .routes(routes!(accounts::api_deactivate_user))
        .routes(routes!(accounts::api_reactivate_user))
        .routes(routes!(tasks::case_tasks, tasks::create_task))
        .routes(routes!(tasks::list_tasks))
        .routes(routes!(tasks::complete_task))
        .routes(routes!(tasks::reopen_task))
        .routes(routes!(handover::assign_case))
        .routes(routes!(handover::list_messages, handover::post_message))
        .routes(routes!(matching::list_runs, matching::start_run))
        .routes(routes!(matching::refresh_run))
        .routes(routes!(matching::case_matches))
        .routes(routes!(matching::decide))
        .routes(routes!(legal_api::get_legal_track))
        .routes(routes!(legal_api::list_reports, legal_api::create_report))
        .routes(routes!(legal_api::create_proceeding))
        .routes(routes!(legal_api::create_stage))
        .routes(routes!(legal_api::create_participation))
        .routes(routes!(legal_api::create_certification))
        .routes(routes!(legal_api::decide_certification))
        .routes(routes!(legal_api::create_application))
        .routes(routes!(legal_api::application_step))
        .routes(routes!(
            legal_api::case_perpetrators,
            legal_api::create_perpetrator
        ))
        .routes(routes!(legal_api::list_perpetrators))
        .routes(routes!(
            organisation_settings::get_settings,
            organisation_settings::put_settings
        ))
        .routes(routes!(crate::openapi::openapi))
}

/// The largest body of a route that takes a document: the document limit plus the multipart
/// framing around it; a larger body is refused (413) before it is read whole.
fn document_body_limit(max_document_bytes: u64) -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(
        usize::try_from(max_document_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(64 * 1024),
    )
}

/// The routes of one path that take a document, with the body limit of documents.
fn document_body_limited(
    (schemas, paths, method_router): utoipa_axum::router::UtoipaMethodRouter<AppState>,
    max_document_bytes: u64,
) -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    (
        schemas,
        paths,
        method_router.layer(document_body_limit(max_document_bytes)),
    )
}

/// The application's routes behind the session layer.
pub fn router(state: AppState) -> Router {
    let (api, _document) =
        api_routes_with_document_limit(state.config.attachments.max_bytes).split_for_parts();
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route(
            "/lang/{tag}",
            get(pages::switch_language).post(pages::switch_language_and_remember),
        )
        .route("/account", get(accounts::account_page))
        .route("/account/language", post(pages::account_language))
        .route("/account/totp", post(accounts::account_totp))
        .route("/account/password", post(accounts::account_password))
        .route(
            "/account/recovery-codes",
            get(accounts::recovery_codes_page).post(accounts::account_recovery_codes),
        )
        .route(
            "/account/email-notifications",
            post(accounts::account_email_notifications),
        )
        .route(
            "/reset-password/{token}",
            get(accounts::reset_password_page).post(accounts::reset_password_submit),
        )
        .route(
            "/admin/users/{id}/password-reset",
            post(accounts::admin_password_reset),
        )
        .route(
            "/admin/users/{id}/activation/{action}",
            post(accounts::admin_user_activation),
        )
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
        .route(
            "/persons/merge",
            get(person_merges::merge_compare_page).post(person_merges::merge_form),
        )
        .route("/persons/merges/{id}", get(person_merges::merge_page))
        .route(
            "/persons/merges/{id}/undo",
            post(person_merges::undo_merge_form),
        )
        .route("/persons/distinct", post(duplicates::distinct_form))
        .route("/matching", get(matching_pages::matching_page))
        .route("/matching/runs", post(matching_pages::start_form))
        .route(
            "/matching/runs/{id}/refresh",
            post(matching_pages::refresh_form),
        )
        .route(
            "/cases/{id}/matches",
            get(matching_pages::case_matches_page),
        )
        .route(
            "/coordination-requests/{id}/decision",
            post(matching_pages::decision_form),
        )
        .route("/notifications", get(referrals::notifications_page))
        .route("/notifications/{id}", get(referrals::open_notification))
        .route("/my-work", get(tasks::my_work_page))
        .route("/cases/{id}/tasks", post(tasks::add_task_form))
        .route("/tasks/{id}/{action}", post(tasks::task_action_form))
        .route("/referrals/{id}/messages", post(handover::message_form))
        .route("/referrals/{id}/open-case", post(handover::open_case_form))
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
            post(records::upload_attachment_form)
                .layer(document_body_limit(state.config.attachments.max_bytes)),
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
        .route("/cases/{id}/legal/{form}", post(legal::legal_form))
        .route(
            "/cases/{id}/legal/{form}/{record_id}",
            post(legal::legal_record_form),
        )
        .route("/perpetrators", get(legal::perpetrators_page))
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
        .fallback(pages::not_found);
    // Layers, from the handler outwards: the session; the error pages (the response layer that
    // renders every page's error in the request's language, the session's refusals too); the
    // timeouts (a client that sends its body
    // too slowly, or a request that takes too long, is answered 408 rather than holding the
    // connection); every API error as the JSON error; the security headers; compression.
    api.merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::session_layer,
        ))
        .layer(axum::middleware::from_fn(crate::error_pages::error_pages))
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The source directory of the server.
    fn source() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    /// The `.rs` files directly in `directory`, by their module name.
    fn modules_in(directory: &Path) -> Vec<(String, String)> {
        let mut modules: Vec<(String, String)> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
            .map(|path| {
                (
                    path.file_stem().unwrap().to_string_lossy().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                )
            })
            .collect();
        modules.sort();
        modules
    }

    /// The lines of a file that are code (not comments).
    fn code_lines(text: &str) -> impl Iterator<Item = &str> {
        text.lines()
            .filter(|line| !line.trim_start().starts_with("//"))
    }

    /// What follows each `prefix` in `line` that starts a path (not the tail of a longer name),
    /// as far as the path goes: `duplicates::warning_before_saving`, `{a, b}`, ...
    fn paths_after<'a>(line: &'a str, prefix: &str) -> Vec<&'a str> {
        line.match_indices(prefix)
            .filter(|(index, _)| {
                line[..*index]
                    .chars()
                    .next_back()
                    .is_none_or(|before| !(before.is_alphanumeric() || before == '_'))
            })
            .map(|(index, _)| {
                let rest = &line[index + prefix.len()..];
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{'))
                    .unwrap_or(rest.len());
                rest[..end].trim_end_matches(':')
            })
            .collect()
    }

    /// The items of the first group `prefix{...}` on a line.
    fn group_after<'a>(line: &'a str, prefix: &str) -> Vec<&'a str> {
        let Some(start) = line.find(&format!("{prefix}{{")) else {
            return Vec::new();
        };
        let group = &line[start + prefix.len() + 1..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        group
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect()
    }

    /// Every other route module a route module names through `crate::routes::` or `super::`
    /// (alone or in a group `{...}`), with what it names; `super::*` and `super::Item` of a
    /// test module name the module itself and are not counted.
    fn route_to_route_uses() -> Vec<(String, String)> {
        let modules = modules_in(&source().join("routes"));
        let is_route_module = |name: &str, own: &str| {
            name != own && name != "mod" && modules.iter().any(|(module, _)| module == name)
        };
        let mut uses = Vec::new();
        for (module, text) in &modules {
            if module == "mod" {
                continue;
            }
            for line in code_lines(text) {
                for prefix in ["crate::routes::", "super::"] {
                    for named in paths_after(line, prefix) {
                        // A group `{a, b::c}` names each of its items (on this line).
                        let items: Vec<&str> = match named.strip_prefix('{') {
                            Some(_) => group_after(line, prefix),
                            None => vec![named],
                        };
                        for item in items {
                            let first = item.split("::").next().unwrap_or_default();
                            if is_route_module(first, module) {
                                uses.push((module.clone(), item.to_string()));
                            }
                        }
                    }
                }
            }
        }
        uses.sort();
        uses.dedup();
        uses
    }

    #[test]
    fn no_route_module_uses_another() {
        let uses = route_to_route_uses();
        assert!(
            uses.is_empty(),
            "route modules use other route modules (move what they share into a service): {uses:?}"
        );
    }

    /// Modules outside `routes/` that name the routes: only `lib.rs`, which builds the router
    /// from the route table, and `openapi.rs`, which builds the document from the same table.
    const BUILD_FROM_THE_ROUTE_TABLE: &[&str] = &["lib", "openapi"];

    /// Every module outside `routes/` (the services, the other layers) that names `crate::routes`
    /// or `super::routes`, with the line.
    fn uses_of_routes_outside_them() -> Vec<(String, String)> {
        let mut uses = Vec::new();
        let mut files = modules_in(&source());
        files.extend(
            modules_in(&source().join("services"))
                .into_iter()
                .map(|(module, text)| (format!("services::{module}"), text)),
        );
        for (module, text) in files {
            if BUILD_FROM_THE_ROUTE_TABLE.contains(&module.as_str()) {
                continue;
            }
            for line in code_lines(&text) {
                if line.contains("crate::routes") || line.contains("super::routes") {
                    uses.push((module.clone(), line.trim().to_string()));
                }
            }
        }
        uses
    }

    #[test]
    fn no_service_or_other_layer_names_the_routes() {
        let uses = uses_of_routes_outside_them();
        assert!(
            uses.is_empty(),
            "modules below the routes name them (a module cycle): {uses:?}"
        );
    }

    /// The type names a file imports from the store: every name that starts with a capital
    /// letter in its `use puente_store::...;` items (an `as` name too).
    fn names_imported_from_the_store(text: &str) -> Vec<String> {
        let code: String = code_lines(text).collect::<Vec<_>>().join("\n");
        let mut names = Vec::new();
        for (start, _) in code.match_indices("use puente_store::") {
            let item = &code[start..];
            let item = &item[..item.find(';').unwrap_or(item.len())];
            names.extend(
                item.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
                    .map(str::to_string),
            );
        }
        names.sort();
        names.dedup();
        names
    }

    /// The `Json<...>` answers of a file that are a store type: `Json<puente_store::...>`, the same
    /// in a `Vec` or an `Option`, or a type the file imports from the store; with the line.
    fn store_types_answered(text: &str) -> Vec<String> {
        let imported = names_imported_from_the_store(text);
        let mut found = Vec::new();
        for line in code_lines(text) {
            for (index, _) in line.match_indices("Json<") {
                // `ApiJson<...>` is a request body, not an answer.
                let before = line[..index].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let mut answered = line[index + "Json<".len()..].trim_start();
                while let Some(inner) = answered
                    .strip_prefix("Vec<")
                    .or_else(|| answered.strip_prefix("Option<"))
                {
                    answered = inner.trim_start();
                }
                let name: String = answered
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if answered.starts_with("puente_store::") || imported.contains(&name) {
                    found.push(line.trim().to_string());
                }
            }
        }
        found
    }

    /// A file without its test module (at its end), which holds no handlers.
    fn without_tests(text: &str) -> String {
        match text.find("#[cfg(test)]\nmod tests") {
            Some(start) => text[..start].to_string(),
            None => text.to_string(),
        }
    }

    /// The files that hold `/api/v1` handlers (and the linkage unit's API), without their tests.
    fn files_with_api_handlers() -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = modules_in(&source().join("routes"))
            .into_iter()
            .map(|(module, text)| (format!("routes/{module}.rs"), without_tests(&text)))
            .collect();
        for name in ["tasks.rs", "linkage_unit.rs"] {
            let text = std::fs::read_to_string(source().join(name)).unwrap();
            files.push((name.to_string(), without_tests(&text)));
        }
        files
    }

    #[test]
    fn no_api_handler_answers_a_store_type() {
        let files = files_with_api_handlers();
        assert!(files.len() > 10, "the route modules were not found");
        let answers: Vec<(String, String)> = files
            .iter()
            .flat_map(|(file, text)| {
                store_types_answered(text)
                    .into_iter()
                    .map(move |line| (file.clone(), line))
            })
            .collect();
        assert!(
            answers.is_empty(),
            "handlers answer the store's types (answer a type of the server's own, made from \
             the store's field by field, as in api_types.rs): {answers:?}"
        );
    }

    #[test]
    fn a_store_type_answered_is_seen_in_every_form() {
        let text = "use puente_store::{AuditAction, StoredConsent as Kept};\n\
                    use puente_store::referrals::{\n    SharedCase,\n};\n\
                    fn a() -> Result<Json<puente_store::StoredCase>, AppError> {}\n\
                    fn b() -> Result<Json<Vec<puente_store::AuditEntry>>, AppError> {}\n\
                    fn c() -> Result<Json<Vec<Kept>>, AppError> {}\n\
                    fn d() -> Result<Json<SharedCase>, AppError> {}\n\
                    fn e(ApiJson(body): ApiJson<SharedCase>) -> Result<Json<CaseAnswer>, E> {}\n\
                    // fn f() -> Json<SharedCase> (a comment)\n";
        assert_eq!(
            names_imported_from_the_store(text),
            ["AuditAction", "Kept", "SharedCase", "StoredConsent"]
        );
        let found = store_types_answered(text);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().all(|line| !line.contains("CaseAnswer")));
    }

    #[test]
    fn a_use_of_another_route_module_is_seen_in_every_form() {
        assert_eq!(
            paths_after(
                "    crate::routes::duplicates::warning_before_saving(&state)",
                "crate::routes::"
            ),
            ["duplicates::warning_before_saving"]
        );
        assert_eq!(
            paths_after("use super::{directory, pages};", "super::"),
            ["{directory"]
        );
        assert_eq!(
            group_after("use super::{directory, pages::notice};", "super::"),
            ["directory", "pages::notice"]
        );
        assert_eq!(paths_after("use super::*;", "super::"), [""]);
        assert!(paths_after("x = my_super::thing", "super::").is_empty());
    }
}
