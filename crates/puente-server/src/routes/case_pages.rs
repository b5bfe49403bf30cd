//! Case pages: the list, a new case, a case with its timeline, notes, consents and screenings,
//! edits (with optimistic concurrency), screenings one question at a time, and the audit trail.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use puente_core::domain::{Case, TraffickingEvent};
use puente_core::htcds::{
    CaseStatus, ConsentScope, Gender, MethodOfControl, MethodOfRecruitment,
    RelationshipToTrafficker, TraffickingEventType, TraffickingStatus, TraffickingStatusDecidedBy,
    TypeOfExploitation, TypeOfLabour, TypeOfSexExploitation, Vulnerability,
};
use puente_core::{Lang, Vocabulary};
use puente_screening::questionnaire::{
    Answer, AnswerKind, Answers, QuestionKey, Questionnaire, QuestionnaireKind,
};
use puente_store::cases::today_iso;
use puente_store::CaseSort;
use serde::{Deserialize, Serialize};

use crate::auth::{see_other, PageUser};
use crate::case_search::{self, CaseListParameters};
use crate::cases::{self, FormFields};
use crate::error::{AppError, PageError};
use crate::forms::{refused, CheckedForm, FormRefusal, TypedForm};
use crate::i18n::t;
use crate::policy::{self, authorize, Action, CaseScope, Decision};
use crate::services::case_rows::{labels, level_label, person_rows, victim_rows};
use crate::services::duplicates::{self, DuplicateWarning};
use crate::templates::{country_choices, page, vocabulary_choices, Choice};
use crate::AppState;

#[derive(Debug, Serialize)]
struct CaseRow {
    id: i64,
    name: String,
    status: String,
    sex: String,
    age: String,
    nationality: String,
    opened_on: String,
}

/// A page link of the case list: its number and address.
#[derive(Debug, Serialize)]
struct PageLink {
    number: u32,
    href: String,
}

/// The cases page: the search box, the filters, the sort and one page of cards. A filter that
/// cannot be read is shown again as typed, with its message, and no cases.
pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(parameters): Query<CaseListParameters>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    policy::require(&user.subject(), Action::ListCases, None)?;
    let found = case_search::find_cases(&state, &user.principal, &parameters).await;
    let (found_page, error, status) = match found {
        Ok(page) => (Some(page), None, StatusCode::OK),
        Err(error) if error.field().is_some() => (
            None,
            Some((error.field().map(str::to_string), error.message(lang))),
            error.status(),
        ),
        Err(error) => return Err(PageError(error)),
    };
    let rows: Vec<CaseRow> = found_page
        .iter()
        .flat_map(|page| page.cases.iter())
        .map(|summary| CaseRow {
            id: summary.id,
            name: summary.person_name.clone(),
            status: summary.status.label_in(lang).to_string(),
            sex: summary
                .sex
                .map(|sex| sex.label_in(lang).to_string())
                .unwrap_or_default(),
            age: summary
                .age_at_intake
                .map(|age| age.to_string())
                .unwrap_or_default(),
            nationality: summary
                .nationality
                .map(|country| country.name(lang).to_string())
                .unwrap_or_default(),
            opened_on: summary.opened_on.clone(),
        })
        .collect();
    let (total, page_number, pages) = match &found_page {
        Some(page) => (
            page.total,
            page.page,
            page.total.div_ceil(u64::from(page.per_page)).max(1) as u32,
        ),
        None => (0, 1, 1),
    };
    // The next page starts after this one's last case (a cursor, cheap however deep); the page
    // before is found by its number.
    let next_cursor = found_page
        .as_ref()
        .and_then(|page| page.next_cursor.clone());
    let link = |number: u32, cursor: Option<String>| {
        let mut link = parameters.clone();
        link.page = Some(number.to_string());
        link.cursor = cursor;
        PageLink {
            number,
            href: format!(
                "/cases?{}",
                serde_urlencoded::to_string(&link).unwrap_or_default()
            ),
        }
    };
    let previous = (page_number > 1).then(|| link(page_number - 1, None));
    let next = (page_number < pages).then(|| link(page_number + 1, next_cursor));
    let sorts: Vec<Choice> = CaseSort::ALL
        .iter()
        .map(|sort| Choice {
            value: sort.code().to_string(),
            label: t(lang, &format!("cases-sort-{}", sort.code())),
        })
        .collect();
    let (error_field, error_message) = error.unzip();
    let can_export_list =
        authorize(&user.subject(), Action::ExportCaseList, None) == Decision::Allow;
    // The exports hold every case the list shows for its filters (every page); a refused filter
    // is left out of them, so that the links export the whole list rather than fail.
    let export_query = if found_page.is_some() {
        let filters = CaseListParameters {
            page: None,
            per_page: None,
            cursor: None,
            ..parameters.clone()
        };
        serde_urlencoded::to_string(&filters).unwrap_or_default()
    } else {
        String::new()
    };
    let body = page(
        &user,
        "/cases",
        "cases.html",
        context! {
            cases => rows,
            filters => parameters,
            statuses => vocabulary_choices::<CaseStatus>(lang),
            countries => country_choices(lang),
            sorts => sorts,
            total => total,
            page_number => page_number,
            pages => pages,
            previous => previous,
            next => next,
            error_field => error_field.flatten(),
            error_message => error_message,
            can_export_list => can_export_list,
            export_query => export_query,
        },
    )?;
    Ok((status, body).into_response())
}

/// The values of the case form, as the template shows them.
#[derive(Debug, Default, Serialize)]
struct CaseFormValues {
    given_name: String,
    middle_name: String,
    surname: String,
    second_surname: String,
    alias: String,
    sex: String,
    date_of_birth: String,
    estimated_age: String,
    nationality: String,
    languages: String,
    phone: String,
    current_country: String,
    current_place: String,
    trafficking_status: String,
    types_of_exploitation: Vec<String>,
    recruitment_methods: Vec<String>,
    methods_of_control: Vec<String>,
    status_decided_by: String,
    types_of_labour: Vec<String>,
    types_of_sex_exploitation: Vec<String>,
    relationship_to_trafficker: Vec<String>,
    vulnerabilities: Vec<String>,
    status: String,
}

impl CaseFormValues {
    fn of_case(case: &Case) -> CaseFormValues {
        let person = &case.person;
        let codes = |values: Vec<&'static str>| values.into_iter().map(str::to_string).collect();
        CaseFormValues {
            given_name: person.given_name.clone(),
            middle_name: person.middle_name.clone().unwrap_or_default(),
            surname: person.surname.clone(),
            second_surname: person.second_surname.clone().unwrap_or_default(),
            alias: person.alias.clone().unwrap_or_default(),
            sex: person
                .sex
                .map(|sex| sex.code().to_string())
                .unwrap_or_default(),
            date_of_birth: person
                .date_of_birth
                .map(|date| date.to_string())
                .unwrap_or_default(),
            estimated_age: person
                .estimated_age
                .map(|age| age.to_string())
                .unwrap_or_default(),
            nationality: person
                .nationality
                .map(|c| c.alpha_2().to_string())
                .unwrap_or_default(),
            languages: person.languages.join(", "),
            phone: person
                .phone
                .as_ref()
                .map(|phone| phone.to_string())
                .unwrap_or_default(),
            current_country: person
                .current_country
                .map(|c| c.alpha_2().to_string())
                .unwrap_or_default(),
            current_place: person.current_place.clone().unwrap_or_default(),
            trafficking_status: case
                .victim
                .trafficking_status
                .map(|s| s.code().to_string())
                .unwrap_or_default(),
            types_of_exploitation: codes(
                case.victim
                    .types_of_exploitation
                    .iter()
                    .map(|v| v.code())
                    .collect(),
            ),
            recruitment_methods: codes(
                case.victim
                    .recruitment_methods
                    .iter()
                    .map(|v| v.code())
                    .collect(),
            ),
            methods_of_control: codes(
                case.victim
                    .methods_of_control
                    .iter()
                    .map(|v| v.code())
                    .collect(),
            ),
            status_decided_by: case
                .victim
                .status_decided_by
                .map(|by| by.code().to_string())
                .unwrap_or_default(),
            types_of_labour: codes_of(&case.victim.types_of_labour),
            types_of_sex_exploitation: codes_of(&case.victim.types_of_sex_exploitation),
            relationship_to_trafficker: codes_of(&case.victim.relationship_to_trafficker),
            vulnerabilities: codes_of(&case.victim.vulnerabilities),
            status: case.status.code().to_string(),
        }
    }

    /// The form as posted, to show it again with an error.
    fn of_form(fields: &FormFields) -> CaseFormValues {
        let text = |name: &str| fields.get(name).unwrap_or_default().to_string();
        let list = |name: &str| fields.all(name).into_iter().map(str::to_string).collect();
        CaseFormValues {
            given_name: text("given_name"),
            middle_name: text("middle_name"),
            surname: text("surname"),
            second_surname: text("second_surname"),
            alias: text("alias"),
            sex: text("sex"),
            date_of_birth: text("date_of_birth"),
            estimated_age: text("estimated_age"),
            nationality: text("nationality"),
            languages: text("languages"),
            phone: text("phone"),
            current_country: text("current_country"),
            current_place: text("current_place"),
            trafficking_status: text("trafficking_status"),
            types_of_exploitation: list("types_of_exploitation"),
            recruitment_methods: list("recruitment_methods"),
            methods_of_control: list("methods_of_control"),
            status_decided_by: text("status_decided_by"),
            types_of_labour: list("types_of_labour"),
            types_of_sex_exploitation: list("types_of_sex_exploitation"),
            relationship_to_trafficker: list("relationship_to_trafficker"),
            vulnerabilities: list("vulnerabilities"),
            status: text("status"),
        }
    }
}

/// The codes of vocabulary values, for a form.
fn codes_of<V: Vocabulary>(values: &[V]) -> Vec<String> {
    values
        .iter()
        .map(|value| value.code().to_string())
        .collect()
}

fn case_form_choices(lang: Lang) -> Value {
    context! {
        sexes => vocabulary_choices::<Gender>(lang),
        countries => country_choices(lang),
        trafficking_statuses => vocabulary_choices::<TraffickingStatus>(lang),
        exploitation_types => vocabulary_choices::<TypeOfExploitation>(lang),
        recruitment_methods => vocabulary_choices::<MethodOfRecruitment>(lang),
        methods_of_control => vocabulary_choices::<MethodOfControl>(lang),
        decided_by => vocabulary_choices::<TraffickingStatusDecidedBy>(lang),
        labour_types => vocabulary_choices::<TypeOfLabour>(lang),
        sex_exploitation_types => vocabulary_choices::<TypeOfSexExploitation>(lang),
        relationships => vocabulary_choices::<RelationshipToTrafficker>(lang),
        vulnerabilities => vocabulary_choices::<Vulnerability>(lang),
        statuses => vocabulary_choices::<CaseStatus>(lang),
    }
}

fn case_form_page(
    user: &PageUser,
    path: &str,
    case_id: Option<i64>,
    version: Option<i64>,
    values: CaseFormValues,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let html = page(
        user,
        path,
        "case_form.html",
        context! {
            case_id => case_id,
            version => version,
            form => values,
            message => message,
            ..case_form_choices(user.lang)
        },
    )?;
    Ok((status, html).into_response())
}

/// The form for a new case.
pub async fn new_form(user: PageUser) -> Result<Response, PageError> {
    policy::require(&user.subject(), Action::CreateCase, None)?;
    case_form_page(
        &user,
        "/cases/new",
        None,
        None,
        CaseFormValues::default(),
        None,
        StatusCode::OK,
    )
}

/// The case form (new and edit): the person and the victim context it shows. It keeps the raw
/// form: the duplicate warning sends it again, and a refused form comes back filled in from it.
#[derive(Debug)]
pub struct CaseForm {
    pub person: puente_core::domain::Person,
    pub victim: cases::VictimFormPart,
    pub fields: FormFields,
}

impl TryFrom<FormFields> for CaseForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(CaseForm {
                person: cases::person_from_form(fields)?,
                victim: cases::VictimFormPart::read(fields)?,
                fields: fields.clone(),
            })
        })
    }
}

/// The raw form of a case form, and the person and victim context read from it or the error
/// that refused it (answered where the page answers its own validation).
type ReadCaseForm = (
    FormFields,
    Result<(puente_core::domain::Person, cases::VictimFormPart), AppError>,
);

fn read_case_form(form: Result<CaseForm, FormRefusal>) -> ReadCaseForm {
    match form {
        Ok(CaseForm {
            person,
            victim,
            fields,
        }) => (fields, Ok((person, victim))),
        Err(FormRefusal { fields, error, .. }) => (fields, Err(error)),
    }
}

/// The warning page answered instead of saving a person with likely duplicates: it posts the
/// same form to `action` again with `not_a_duplicate=yes`.
fn duplicate_warning_page(
    user: &PageUser,
    action: &str,
    warning: DuplicateWarning,
) -> Result<Response, PageError> {
    let html = page(
        user,
        action,
        "duplicate_warning.html",
        context! {
            action => action,
            fields => warning.fields,
            duplicates => warning.duplicates,
            entered => warning.entered,
        },
    )?;
    Ok((StatusCode::OK, html).into_response())
}

/// The new case, posted.
pub async fn create(
    State(state): State<AppState>,
    user: PageUser,
    CheckedForm(form): CheckedForm<CaseForm>,
) -> Result<Response, PageError> {
    let (fields, read) = read_case_form(form);
    // Likely duplicates in the organisation are shown before a new person is saved.
    if let Some(warning) =
        duplicates::warning_before_saving(&state, &user.principal, &fields, None, user.lang).await?
    {
        return duplicate_warning_page(&user, "/cases", warning);
    }
    let created = match read {
        Ok((person, victim)) => {
            let mut case = Case::new(person);
            victim.apply_to(&mut case.victim);
            cases::create_case(&state, &user.principal, case).await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok(id) => {
            duplicates::remember_different_person(&state, &user.principal, &fields, id).await?;
            Ok(see_other(&format!("/cases/{id}")))
        }
        Err(error) if error.is_validation() => case_form_page(
            &user,
            "/cases/new",
            None,
            None,
            CaseFormValues::of_form(&fields),
            Some(error.message(user.lang)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => Err(PageError(error)),
    }
}

#[derive(Debug, Serialize)]
struct EventRow {
    kind: String,
    country: String,
    place: String,
    date: String,
    description: String,
}

#[derive(Debug, Serialize)]
struct ConsentRow {
    id: i64,
    scopes: String,
    with_organisation: String,
    given_on: String,
    recorded_by: String,
    active: bool,
    withdrawn_on: String,
}

#[derive(Debug, Serialize)]
struct ScreeningRow {
    id: i64,
    created_at: String,
    level: String,
    level_label: String,
    questionnaire: String,
    rule_set_version: String,
    performed_by: String,
    void: bool,
}

/// A size as people read it: bytes, kB or MB.
fn shown_size(bytes: i64) -> String {
    match bytes {
        ..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.0} kB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

#[derive(Debug, Deserialize)]
pub struct CaseNotice {
    done: Option<String>,
}

/// A case: the person, the victim context, screenings, the route as a timeline, consents, notes,
/// status and history. Audited as a view of identifying data.
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Query(notice): Query<CaseNotice>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let stored = cases::read_case(&state, &user.principal, Action::ViewCase, case_id).await?;
    let organisation_id = stored.organisation_id;
    let notes = state.store.notes(organisation_id, case_id).await?;
    let screenings = state.store.screenings_for_case(case_id).await?;
    let access = puente_store::case_access::CaseAccess {
        case_id,
        organisation_id,
        owner_user_id: stored.owner_user_id,
        version: stored.version,
    };
    let history = cases::history_with_changes(&state, &user.principal, &access).await?;
    let case = &stored.case;
    // The route as a timeline: by date, undated steps last, in the order they were recorded.
    let mut ordered_events: Vec<&puente_core::domain::TraffickingEvent> =
        case.events.iter().collect();
    ordered_events.sort_by_key(|event| (event.date.is_none(), event.date));
    let events: Vec<EventRow> = ordered_events
        .into_iter()
        .map(|event| EventRow {
            kind: event.kind.label_in(lang).to_string(),
            country: event
                .country
                .map(|c| c.name(lang).to_string())
                .unwrap_or_default(),
            place: event.place.clone().unwrap_or_default(),
            date: event
                .date
                .map(|date| date.to_string())
                .unwrap_or_else(|| "?".into()),
            description: event.description.clone().unwrap_or_default(),
        })
        .collect();
    let organisations = state.store.list_organisations().await?;
    let organisation_name = |slug: &str| {
        organisations
            .iter()
            .find(|organisation| organisation.organisation.slug == slug)
            .map(|organisation| organisation.organisation.name.clone())
            .unwrap_or_else(|| slug.to_string())
    };
    // The organisations a consent may name: every other organisation, by name (the value kept
    // in the consent is the organisation's slug).
    let consent_organisations: Vec<Choice> = organisations
        .iter()
        .filter(|organisation| organisation.id != organisation_id)
        .map(|organisation| Choice {
            value: organisation.organisation.slug.clone(),
            label: organisation.organisation.name.clone(),
        })
        .collect();
    let consents: Vec<ConsentRow> = case
        .consents
        .iter()
        .map(|consent| ConsentRow {
            id: consent.id.unwrap_or_default(),
            scopes: labels(&consent.scopes, lang),
            with_organisation: consent
                .with_organisation
                .as_deref()
                .map(organisation_name)
                .unwrap_or_else(|| user.principal.organisation.organisation.name.clone()),
            given_on: consent.given_on.to_string(),
            recorded_by: consent.recorded_by.clone(),
            active: consent.is_active(),
            withdrawn_on: consent
                .withdrawn_on
                .map(|date| date.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let screening_rows: Vec<ScreeningRow> = screenings
        .iter()
        .rev()
        .map(|screening| ScreeningRow {
            id: screening.id,
            created_at: screening.created_at.clone(),
            level: screening.level.clone(),
            level_label: level_label(&screening.level, lang),
            questionnaire: crate::audit_view::questionnaire_label(&screening.questionnaire, lang),
            rule_set_version: screening.rule_set_version.clone(),
            performed_by: screening.performed_by.clone(),
            void: screening.is_void(),
        })
        .collect();
    let scope = CaseScope {
        organisation_id,
        owner_user_id: stored.owner_user_id,
    };
    let can_attach =
        authorize(&user.subject(), Action::AttachDocument, Some(scope)) == Decision::Allow;
    let can_export = authorize(&user.subject(), Action::ExportCase, Some(scope)) == Decision::Allow;
    let attachments: Vec<Value> = if can_attach {
        state
            .store
            .attachments(organisation_id, case_id)
            .await?
            .iter()
            .map(|attachment| {
                context! {
                    id => attachment.id,
                    file_name => attachment.file_name.clone(),
                    size => shown_size(attachment.size_bytes),
                    uploaded_by => attachment.uploaded_by.clone(),
                    created_at => attachment.created_at.clone(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let can_view_audit =
        authorize(&user.subject(), Action::ViewCaseAudit, Some(scope)) == Decision::Allow;
    let can_assign = authorize(&user.subject(), Action::AssignCase, Some(scope)) == Decision::Allow;
    let colleagues = state.store.users_in_organisation(organisation_id).await?;
    let owner_name = stored
        .owner_user_id
        .and_then(|owner| colleagues.iter().find(|colleague| colleague.id == owner))
        .map(|owner| owner.display_name.clone());
    let assignable: Vec<Value> = if can_assign {
        colleagues
            .iter()
            .filter(|colleague| cases::can_own_cases(colleague))
            .map(|colleague| {
                context! {
                    id => colleague.id,
                    name => colleague.display_name.clone(),
                    current => Some(colleague.id) == stored.owner_user_id,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let now = time::OffsetDateTime::now_utc();
    let task_rows: Vec<Value> = state
        .store
        .tasks_of_case(organisation_id, case_id)
        .await?
        .iter()
        .map(|task| Value::from_serialize(crate::tasks::task_json(task, lang, now)))
        .collect();
    let task_assignees: Vec<Value> = colleagues
        .iter()
        .filter(|colleague| {
            cases::can_own_cases(colleague) && colleague.id != user.principal.user.id
        })
        .map(|colleague| context! { id => colleague.id, name => colleague.display_name.clone() })
        .collect();
    let message = match notice.done.as_deref() {
        Some("saved") => Some(t(lang, "notice-saved")),
        Some("attached") => Some(t(lang, "notice-attached")),
        _ => None,
    };
    let html = page(
        &user,
        &format!("/cases/{case_id}"),
        "case.html",
        context! {
            message => message,
            case => context! {
                id => stored.id,
                version => stored.version,
                status => case.status.label_in(lang),
                status_code => case.status.code(),
                opened_on => stored.opened_on.clone(),
            },
            person => context! { name => case.person.full_name(), rows => person_rows(&case.person, lang) },
            victim => victim_rows(case, lang),
            events => events,
            consents => consents,
            notes => notes,
            tasks => task_rows,
            task_assignees => task_assignees,
            screenings => screening_rows,
            history => history.iter().map(|version| context! {
                version => version.version.version,
                changed_by => version.version.changed_by.clone(),
                changed_at => version.version.changed_at.clone(),
                first => version.version.version == 1,
                changes => version.changes.iter().map(|change| context! {
                    label => change.label.get(lang),
                    before => change.before.as_ref().map(|value| value.get(lang).to_string()).unwrap_or_else(|| t(lang, "history-empty")),
                    after => change.after.as_ref().map(|value| value.get(lang).to_string()).unwrap_or_else(|| t(lang, "history-empty")),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            can_attach => can_attach,
            can_export => can_export,
            attachments => attachments,
            attachment_max_megabytes => state.config.attachments.max_bytes / (1024 * 1024),
            can_view_audit => can_view_audit,
            can_assign => can_assign,
            owner_name => owner_name,
            assignable => assignable,
            today => today_iso(),
            event_kinds => vocabulary_choices::<TraffickingEventType>(lang),
            countries => country_choices(lang),
            consent_scopes => vocabulary_choices::<ConsentScope>(lang),
            consent_organisations => consent_organisations,
            statuses => vocabulary_choices::<CaseStatus>(lang),
        },
    )?;
    Ok(html.into_response())
}

/// The form to edit a case's person, victim context and status.
pub async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    let stored = cases::read_case(&state, &user.principal, Action::EditCase, case_id).await?;
    case_form_page(
        &user,
        &format!("/cases/{case_id}/edit"),
        Some(case_id),
        Some(stored.version),
        CaseFormValues::of_case(&stored.case),
        None,
        StatusCode::OK,
    )
}

/// After a change: back to the case, or, when someone else saved first, a page that says so (409)
/// and nothing overwritten.
fn after_change(result: Result<i64, AppError>, case_id: i64) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(see_other(&format!("/cases/{case_id}?done=saved"))),
        Err(error) => Err(PageError(error)),
    }
}

/// The edited case, posted with the version it was loaded at.
pub async fn edit_submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    CheckedForm(form): CheckedForm<CaseForm>,
) -> Result<Response, PageError> {
    let (fields, read) = read_case_form(form);
    let version = fields.number("version")?;
    // Likely duplicates in the organisation are shown before an edited person is saved.
    cases::authorize_case(&state, &user.principal, Action::EditCase, case_id).await?;
    if let Some(warning) = duplicates::warning_before_saving(
        &state,
        &user.principal,
        &fields,
        Some(case_id),
        user.lang,
    )
    .await?
    {
        return duplicate_warning_page(&user, &format!("/cases/{case_id}/edit"), warning);
    }
    let result = cases::change_case(
        &state,
        &user.principal,
        Action::EditCase,
        case_id,
        version,
        |case| {
            let (person, victim) = read?;
            case.person = person;
            victim.apply_to(&mut case.victim);
            if fields.get("status").is_some() {
                case.status = cases::required_code::<CaseStatus>(&fields, "status")?;
            }
            Ok(())
        },
    )
    .await;
    match result {
        Err(error) if error.is_validation() => case_form_page(
            &user,
            &format!("/cases/{case_id}/edit"),
            Some(case_id),
            Some(version),
            CaseFormValues::of_form(&fields),
            Some(error.message(user.lang)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Someone else saved first: nothing was saved. The form comes back with what this user
        // typed, so nothing is lost, and the version now stored: saving again is a choice made
        // after reading the case as it is now, never a silent overwrite.
        Err(AppError::StaleVersion { yours, current }) => case_form_page(
            &user,
            &format!("/cases/{case_id}/edit"),
            Some(case_id),
            Some(current),
            CaseFormValues::of_form(&fields),
            Some(crate::i18n::translations().text_with(
                user.lang,
                "case-form-stale",
                &[
                    ("yours", yours.into()),
                    ("current", current.into()),
                    ("case", case_id.into()),
                ],
            )),
            StatusCode::CONFLICT,
        ),
        Ok(version) => {
            duplicates::remember_different_person(&state, &user.principal, &fields, case_id)
                .await?;
            after_change(Ok(version), case_id)
        }
        other => after_change(other, case_id),
    }
}

/// A change of a case posted with the version it was loaded at: the version is read first (a
/// form without one is refused at once); any other refusal is answered after the case's checks
/// (may the user change it, is the version current), as the case's own validation is.
fn version_of<T>(
    form: &Result<T, FormRefusal>,
    version: impl Fn(&T) -> i64,
) -> Result<i64, AppError> {
    match form {
        Ok(form) => Ok(version(form)),
        Err(refusal) => refusal.fields.number("version"),
    }
}

/// The form of a step of the route: the version, the kind of step, where and when.
#[derive(Debug)]
pub struct EventForm {
    pub version: i64,
    pub event: TraffickingEvent,
}

impl TryFrom<FormFields> for EventForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(EventForm {
                version: fields.required_number("version")?,
                event: TraffickingEvent {
                    kind: cases::required_code::<TraffickingEventType>(fields, "kind")
                        .map_err(refused("kind"))?,
                    country: cases::country_from_form(fields, "country")
                        .map_err(refused("country"))?,
                    place: fields.get("place").map(str::to_string),
                    date: cases::date_field(fields, "date").map_err(refused("date"))?,
                    description: fields.get("description").map(str::to_string),
                },
            })
        })
    }
}

/// A step of the route, posted.
pub async fn add_event(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    CheckedForm(form): CheckedForm<EventForm>,
) -> Result<Response, PageError> {
    let version = version_of(&form, |form| form.version)?;
    let result = cases::change_case(
        &state,
        &user.principal,
        Action::EditCase,
        case_id,
        version,
        |case| {
            let form = form.map_err(|refusal| refusal.error)?;
            case.events.push(form.event);
            Ok(())
        },
    )
    .await;
    after_change(result, case_id)
}

/// The note form: a text that is not blank and within its bounds.
#[derive(Debug)]
pub struct NoteForm {
    pub text: String,
}

impl TryFrom<FormFields> for NoteForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            let text = fields
                .get("text")
                .ok_or_else(|| AppError::localized("note-empty", ""))
                .map_err(refused("text"))?;
            cases::validate_note(text).map_err(refused("text"))?;
            Ok(NoteForm {
                text: text.to_string(),
            })
        })
    }
}

/// A note, posted. Notes are added, never edited, so they need no version.
pub async fn add_note(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    TypedForm(form): TypedForm<NoteForm>,
) -> Result<Response, PageError> {
    let access = cases::authorize_case(&state, &user.principal, Action::AddNote, case_id).await?;
    state
        .store
        .add_note(&user.actor(), access.organisation_id, case_id, &form.text)
        .await?;
    Ok(see_other(&format!("/cases/{case_id}?done=saved")))
}

/// The assignment form: the new owner's id, or none.
#[derive(Debug)]
pub struct AssignForm {
    pub owner: Option<i64>,
}

impl TryFrom<FormFields> for AssignForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            let owner = fields
                .get("owner_user_id")
                .map(|text| {
                    text.parse::<i64>()
                        .map_err(|_| AppError::BadRequest(format!("`{text}` is not a user")))
                })
                .transpose()
                .map_err(refused("owner_user_id"))?;
            Ok(AssignForm { owner })
        })
    }
}

/// A new owner for the case, posted by a supervisor.
pub async fn assign(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    TypedForm(form): TypedForm<AssignForm>,
) -> Result<Response, PageError> {
    cases::assign_case(&state, &user.principal, case_id, form.owner).await?;
    Ok(see_other(&format!("/cases/{case_id}?done=saved")))
}

/// The status form: the version and the new status.
#[derive(Debug)]
pub struct StatusForm {
    pub version: i64,
    pub status: CaseStatus,
}

impl TryFrom<FormFields> for StatusForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            Ok(StatusForm {
                version: fields.required_number("version")?,
                status: cases::required_code::<CaseStatus>(fields, "status")
                    .map_err(refused("status"))?,
            })
        })
    }
}

/// A status change, posted with the version.
pub async fn change_status(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    CheckedForm(form): CheckedForm<StatusForm>,
) -> Result<Response, PageError> {
    let version = version_of(&form, |form| form.version)?;
    let result = cases::change_case(
        &state,
        &user.principal,
        Action::EditCase,
        case_id,
        version,
        |case| {
            case.status = form.map_err(|refusal| refusal.error)?.status;
            Ok(())
        },
    )
    .await;
    after_change(result, case_id)
}

pub use crate::services::audit::case_audit_entries;

/// The audit trail of a case, for supervisors and admins, with the state of the hash chain.
pub async fn audit_trail(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let access =
        cases::authorize_case(&state, &user.principal, Action::ViewCaseAudit, case_id).await?;
    let entries = case_audit_entries(&state, access.organisation_id, case_id).await?;
    let chain = state.store.verify_audit_since_checkpoint().await?;
    let names = crate::audit_view::organisation_names_by_slug(&state).await?;
    let html = page(
        &user,
        &format!("/cases/{case_id}/audit"),
        "case_audit.html",
        context! {
            case_id => case_id,
            entries => crate::audit_view::audit_rows(&entries, &names, lang),
            chain_intact => chain.is_intact(),
            chain_entries => chain.entries,
            chain_first_broken => chain.first_broken,
        },
    )?;
    Ok(html.into_response())
}

#[derive(Debug, Deserialize)]
pub struct ScreeningKind {
    kind: Option<String>,
}

fn questionnaire_kind(text: Option<&str>) -> Result<QuestionnaireKind, AppError> {
    text.unwrap_or("quick")
        .parse()
        .map_err(AppError::BadRequest)
}

fn questionnaire_label(kind: QuestionnaireKind, lang: Lang) -> String {
    let id = match kind {
        QuestionnaireKind::Quick => "screening-start-quick",
        QuestionnaireKind::Full => "screening-start-full",
        QuestionnaireKind::Child => "screening-start-child",
    };
    t(lang, id)
}

fn kind_code(kind: QuestionnaireKind) -> &'static str {
    match kind {
        QuestionnaireKind::Quick => "quick",
        QuestionnaireKind::Full => "full",
        QuestionnaireKind::Child => "child",
    }
}

/// Shows the next question of a questionnaire run, or `None` when none is left.
fn question_page(
    user: &PageUser,
    case_id: i64,
    kind: QuestionnaireKind,
    answers: &Answers,
    message: Option<String>,
) -> Result<Option<Response>, PageError> {
    let lang = user.lang;
    let questionnaire = Questionnaire::of_kind(kind);
    let Some(question) = questionnaire.next_question(answers) else {
        return Ok(None);
    };
    let progress = questionnaire.progress(answers);
    let answers_json =
        serde_json::to_string(answers).map_err(|error| PageError(AppError::internal(error)))?;
    let html = page(
        user,
        &format!("/cases/{case_id}/screenings/new?kind={}", kind_code(kind)),
        "screening_question.html",
        context! {
            case_id => case_id,
            kind => kind_code(kind),
            questionnaire_label => questionnaire_label(kind, lang),
            answers => answers_json,
            question_key => question.key.code(),
            question_text => question.text(lang, questionnaire.audience(answers)),
            section => question.section.label().get(lang),
            is_number => question.kind() == AnswerKind::Number,
            answered => progress.answered,
            total => progress.total(),
            message => message,
        },
    )?;
    Ok(Some(html.into_response()))
}

/// Starts a screening: the first question.
pub async fn screening_start(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    Query(kind): Query<ScreeningKind>,
) -> Result<Response, PageError> {
    let kind = questionnaire_kind(kind.kind.as_deref())?;
    // The age the case knows (from the date of birth or the estimated age) is not asked again.
    let stored = cases::read_case(&state, &user.principal, Action::ScreenCase, case_id).await?;
    let mut answers = Answers::default();
    answers.know_age(cases::person_context(&stored.case.person).age);
    match question_page(&user, case_id, kind, &answers, None)? {
        Some(response) => Ok(response),
        None => Err(PageError(AppError::BadRequest(
            "empty questionnaire".into(),
        ))),
    }
}

/// What a screening step's form asks: stop and compute the result, or answer one question.
#[derive(Debug)]
pub enum ScreeningStep {
    Finish,
    /// The question answered, and the answer (none when it cannot be read: the question is
    /// asked again with a message).
    Answer {
        key: QuestionKey,
        answer: Option<Answer>,
    },
}

/// The form of a screening step: the questionnaire, the answers so far (carried by the form) and
/// this step.
#[derive(Debug)]
pub struct ScreeningStepForm {
    pub kind: QuestionnaireKind,
    pub answers: Answers,
    pub step: ScreeningStep,
}

impl TryFrom<FormFields> for ScreeningStepForm {
    type Error = FormRefusal;
    fn try_from(fields: FormFields) -> Result<Self, FormRefusal> {
        fields.typed(|fields| {
            let kind = questionnaire_kind(fields.get("kind")).map_err(refused("kind"))?;
            let answers: Answers = match fields.get("answers") {
                Some(json) => serde_json::from_str(json)
                    .map_err(|error| {
                        AppError::BadRequest(format!("the answers so far cannot be read: {error}"))
                    })
                    .map_err(refused("answers"))?,
                None => Answers::default(),
            };
            let choice = fields.get("choice").unwrap_or_default();
            let step = if choice == "finish" {
                ScreeningStep::Finish
            } else {
                let key: QuestionKey = fields
                    .get("question")
                    .unwrap_or_default()
                    .parse()
                    .map_err(AppError::BadRequest)
                    .map_err(refused("question"))?;
                let answer = match choice {
                    "yes" => Ok(Answer::Yes),
                    "no" => Ok(Answer::No),
                    "unknown" => Ok(Answer::Unknown),
                    _ => Answer::parse(fields.get("answer").unwrap_or_default(), key.kind()),
                };
                ScreeningStep::Answer {
                    key,
                    answer: answer.ok(),
                }
            };
            Ok(ScreeningStepForm {
                kind,
                answers,
                step,
            })
        })
    }
}

/// One answer, posted with the answers so far; the next question, or, at the end (or when the
/// screener stops), the result is computed, stored with the rule-set version, and shown.
pub async fn screening_step(
    State(state): State<AppState>,
    user: PageUser,
    Path(case_id): Path<i64>,
    CheckedForm(form): CheckedForm<ScreeningStepForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    cases::authorize_case(&state, &user.principal, Action::ScreenCase, case_id).await?;
    // The case is checked before the form.
    let ScreeningStepForm {
        kind,
        mut answers,
        step,
    } = form?;
    if let ScreeningStep::Answer { key, answer } = step {
        let recorded = answer
            .ok_or(())
            .and_then(|answer| answers.set(key, answer).map_err(|_| ()));
        if recorded.is_err() {
            let message = Some(t(lang, "screening-answer-invalid"));
            if let Some(response) = question_page(&user, case_id, kind, &answers, message)? {
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response());
            }
        }
        if let Some(response) = question_page(&user, case_id, kind, &answers, None)? {
            return Ok(response);
        }
    }
    let outcome = Questionnaire::of_kind(kind).outcome(&answers);
    let (stored, _) = cases::screen_case(
        &state,
        &user.principal,
        case_id,
        kind_code(kind),
        outcome.input,
        lang,
    )
    .await?;
    Ok(see_other(&format!(
        "/cases/{case_id}/screenings/{}",
        stored.id
    )))
}

#[derive(Debug, Serialize)]
struct FrameworkRow {
    name: String,
    met: bool,
    missing: String,
}

/// A stored screening, shown from what was stored (never recomputed with newer rules).
pub async fn screening_show(
    State(state): State<AppState>,
    user: PageUser,
    Path((case_id, screening_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let access = cases::authorize_case(&state, &user.principal, Action::ViewCase, case_id).await?;
    cases::audit_case_read(
        &state,
        &user.principal,
        &access,
        puente_store::AuditAction::ViewScreening,
    )
    .await?;
    let screening = state
        .store
        .screening(screening_id)
        .await?
        .filter(|screening| screening.case_id == case_id)
        .ok_or(PageError(AppError::NotFound))?;
    let mut result = screening.result.clone();
    cases::explain_stored_screening(&state, &screening.input, &mut result, lang).await?;
    let result = &result;
    let strings = |name: &str| -> Vec<String> {
        result[name]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let missing_label = |code: &str| -> String {
        serde_json::from_value::<puente_screening::Missing>(serde_json::json!(code))
            .map(|missing| missing.label().get(lang).to_string())
            .unwrap_or_else(|_| code.to_string())
    };
    let frameworks: Vec<FrameworkRow> = result["frameworks"]
        .as_object()
        .map(|frameworks| {
            frameworks
                .iter()
                .map(|(name, verdict)| FrameworkRow {
                    name: t(lang, &format!("framework-{}", name.replace('_', "-"))),
                    met: verdict["met"].as_bool().unwrap_or(false),
                    missing: verdict["missing"]
                        .as_array()
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(|item| item.as_str())
                                .map(missing_label)
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let sex = screening.input["person"]["sex"]
        .as_str()
        .and_then(puente_screening::Sex::from_code);
    let fact_label = |code: &str| -> String {
        puente_screening::Fact::from_code(code)
            .map(|fact| puente_screening::wording::fact_label(fact, lang, sex).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let facts: Vec<String> = screening.input["facts"]
        .as_array()
        .map(|facts| {
            facts
                .iter()
                .filter_map(|fact| fact.as_str())
                .map(fact_label)
                .collect()
        })
        .unwrap_or_default();
    let can_void = authorize(
        &user.subject(),
        Action::VoidScreening,
        Some(CaseScope {
            organisation_id: access.organisation_id,
            owner_user_id: access.owner_user_id,
        }),
    ) == Decision::Allow;
    let urgent: Vec<String> = strings("urgent")
        .iter()
        .map(|code| fact_label(code))
        .collect();
    let html = page(
        &user,
        &format!("/cases/{case_id}/screenings/{screening_id}"),
        "screening_result.html",
        context! {
            case_id => case_id,
            screening => &screening,
            level => screening.level.clone(),
            level_label => level_label(&screening.level, lang),
            urgent => urgent,
            next_steps => strings("next_steps"),
            explanation => strings("explanation"),
            frameworks => frameworks,
            facts => facts,
            can_void => can_void,
        },
    )?;
    Ok(html.into_response())
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::forms::fields_of;

    #[test]
    fn the_small_case_forms_convert_and_their_refusals_name_their_fields() {
        let form = EventForm::try_from(fields_of(&[
            ("version", "2"),
            ("kind", "Transit"),
            ("country", "GT"),
            ("place", " Tecún Umán "),
            ("date", "2025-06"),
        ]))
        .unwrap();
        assert_eq!(form.version, 2);
        assert_eq!(form.event.kind, TraffickingEventType::Transit);
        assert_eq!(form.event.place.as_deref(), Some("Tecún Umán"));
        let refusal =
            EventForm::try_from(fields_of(&[("version", "2"), ("kind", "Walking")])).unwrap_err();
        assert_eq!(refusal.field, "kind");
        assert_eq!(
            version_of(&Err::<EventForm, _>(refusal), |form| form.version).unwrap(),
            2
        );
        let refusal = EventForm::try_from(fields_of(&[("kind", "Transit")])).unwrap_err();
        assert_eq!(refusal.field, "version");
        let refusal =
            StatusForm::try_from(fields_of(&[("version", "1"), ("status", "Gone")])).unwrap_err();
        assert_eq!(refusal.field, "status");
        let form =
            StatusForm::try_from(fields_of(&[("version", "1"), ("status", "Closed")])).unwrap();
        assert_eq!(form.status, CaseStatus::Closed);
        let refusal = NoteForm::try_from(fields_of(&[("text", "   ")])).unwrap_err();
        assert_eq!(refusal.field, "text");
        let refusal = AssignForm::try_from(fields_of(&[("owner_user_id", "x")])).unwrap_err();
        assert_eq!(refusal.field, "owner_user_id");
        assert_eq!(AssignForm::try_from(fields_of(&[])).unwrap().owner, None);
    }

    #[test]
    fn a_case_form_converts_keeping_its_fields_and_its_refusals_name_their_fields() {
        let sent = fields_of(&[
            ("version", "3"),
            ("given_name", "María"),
            ("surname", "López"),
            ("nationality", "HN"),
            ("types_of_exploitation", "ForcedLabour"),
        ]);
        let form = CaseForm::try_from(sent.clone()).unwrap();
        assert_eq!(form.person.given_name, "María");
        assert_eq!(form.victim.types_of_exploitation.len(), 1);
        assert_eq!(form.fields, sent);
        let (fields, read) = read_case_form(Ok(form));
        assert_eq!(fields.number("version").unwrap(), 3);
        assert!(read.is_ok());
        for (name, value) in [
            ("nationality", "XX"),
            ("estimated_age", "200"),
            ("date_of_birth", "2009-13"),
            ("trafficking_status", "Maybe"),
            ("types_of_exploitation", "Nonsense"),
        ] {
            let sent = fields_of(&[("given_name", "Ana"), (name, value)]);
            let refusal = CaseForm::try_from(sent.clone()).unwrap_err();
            assert_eq!(refusal.field, name);
            assert!(refusal.error.is_validation(), "{name}");
            assert_eq!(refusal.fields, sent);
        }
    }

    #[test]
    fn a_screening_step_converts_and_its_refusals_name_their_fields() {
        let age = QuestionKey::Age.code();
        let form = ScreeningStepForm::try_from(fields_of(&[
            ("kind", "quick"),
            ("question", age),
            ("answer", "15"),
        ]))
        .unwrap();
        assert_eq!(form.kind, QuestionnaireKind::Quick);
        assert!(matches!(
            form.step,
            ScreeningStep::Answer {
                answer: Some(_),
                ..
            }
        ));
        let form =
            ScreeningStepForm::try_from(fields_of(&[("question", age), ("answer", "a lot")]))
                .unwrap();
        assert!(matches!(
            form.step,
            ScreeningStep::Answer { answer: None, .. }
        ));
        let form = ScreeningStepForm::try_from(fields_of(&[("choice", "finish")])).unwrap();
        assert!(matches!(form.step, ScreeningStep::Finish));
        let refusal = ScreeningStepForm::try_from(fields_of(&[("kind", "longest")])).unwrap_err();
        assert_eq!(refusal.field, "kind");
        let refusal =
            ScreeningStepForm::try_from(fields_of(&[("answers", "{not json")])).unwrap_err();
        assert_eq!(refusal.field, "answers");
        let refusal =
            ScreeningStepForm::try_from(fields_of(&[("question", "shoe_size")])).unwrap_err();
        assert_eq!(refusal.field, "question");
    }
}
