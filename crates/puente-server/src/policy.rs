//! Authorisation, in one place: what a role may do, to which records. Every handler asks
//! [`authorize`] before it reads or changes anything; templates never decide access.
//!
//! Two answers refuse: [`Decision::Forbidden`] when the role never allows the action (an analyst
//! opening a case: 403), and [`Decision::Hidden`] when the role allows it but the record is outside
//! the user's scope (another organisation's case, or a colleague's case for an advocate): 404, so
//! that the existence of a record is not revealed.

use puente_store::Role;

/// Something a user may try to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// List the cases in scope (with names).
    ListCases,
    /// Open a new case.
    CreateCase,
    /// Read a case, with the person's identifying data.
    ViewCase,
    /// Change a case: person, victim context, events, consent, status.
    EditCase,
    /// Add a note to a case.
    AddNote,
    /// Run and store a screening in a case.
    ScreenCase,
    /// Read the audit trail of a case.
    ViewCaseAudit,
    /// Give a case to a user of the organisation (or take it from its owner).
    AssignCase,
    /// Read the organisation's whole audit log.
    ViewOrganisationAudit,
    /// Create users and assign roles.
    ManageUsers,
    /// Change the organisation's settings.
    ManageSettings,
    /// See de-identified counts.
    ViewAggregates,
    /// Search the service directory and list organisations (no survivor data).
    SearchDirectory,
    /// Refer a case to another organisation, with the person's consent.
    ReferCase,
    /// Revoke a referral the organisation sent (ends the receiver's access to the case).
    RevokeReferral,
    /// List the organisation's referrals and notifications.
    ViewReferrals,
    /// Accept, reject or complete a referral the organisation received.
    AnswerReferral,
    /// Read the shared parts of a case referred to the organisation (identifying data).
    ViewReferredCase,
    /// See the organisation's likely duplicates of a person being entered.
    CheckDuplicates,
    /// Merge two person records, or mark them as different people.
    MergePersons,
    /// Start "match with partners" and fetch its results (the organisation's consenting persons,
    /// encoded for a linkage unit).
    MatchWithPartners,
    /// Attach a document to a case, and list and download a case's documents.
    AttachDocument,
    /// Void a screening of a case, with a reason.
    VoidScreening,
    /// Download a case file as PDF (identifying data).
    ExportCase,
    /// Download the case list as XLSX or CSV (names of every case in scope).
    ExportCaseList,
    /// See the perpetrators of every case of the organisation, linked into persons (identifying).
    ViewPerpetratorLinks,
}

impl Action {
    pub const ALL: [Action; 26] = [
        Action::ListCases,
        Action::CreateCase,
        Action::ViewCase,
        Action::EditCase,
        Action::AddNote,
        Action::ScreenCase,
        Action::ViewCaseAudit,
        Action::AssignCase,
        Action::ViewOrganisationAudit,
        Action::ManageUsers,
        Action::ManageSettings,
        Action::ViewAggregates,
        Action::SearchDirectory,
        Action::ReferCase,
        Action::RevokeReferral,
        Action::ViewReferrals,
        Action::AnswerReferral,
        Action::ViewReferredCase,
        Action::CheckDuplicates,
        Action::MergePersons,
        Action::MatchWithPartners,
        Action::AttachDocument,
        Action::VoidScreening,
        Action::ExportCase,
        Action::ExportCaseList,
        Action::ViewPerpetratorLinks,
    ];

    /// Whether the action concerns one case (and so depends on its organisation and owner).
    pub fn is_about_a_case(self) -> bool {
        matches!(
            self,
            Action::ViewCase
                | Action::EditCase
                | Action::AddNote
                | Action::ScreenCase
                | Action::ViewCaseAudit
                | Action::AssignCase
                | Action::ReferCase
                | Action::RevokeReferral
                | Action::AttachDocument
                | Action::VoidScreening
                | Action::ExportCase
        )
    }
}

/// Who asks: the user's id, organisation and role, and whether their organisation lets
/// advocates and case workers see the team's cases (the organisation's setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    pub user_id: i64,
    pub organisation_id: i64,
    pub role: Role,
    pub sees_team_cases: bool,
}

/// The case an action concerns: whose organisation it belongs to and who owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseScope {
    pub organisation_id: i64,
    pub owner_user_id: Option<i64>,
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The role never allows the action: 403.
    Forbidden,
    /// The record is outside the user's scope: 404, as if it did not exist.
    Hidden,
}

/// Which cases a user sees in lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseListScope {
    /// The cases the user owns.
    Own,
    /// Every case of the organisation.
    Organisation,
    /// None.
    Nothing,
}

/// How far a role reaches over cases: advocates and case workers reach the cases they own (or
/// are assigned), or the organisation's when it lets them see the team's cases.
fn case_reach(role: Role, sees_team_cases: bool) -> CaseListScope {
    match role {
        Role::Advocate | Role::CaseWorker if sees_team_cases => CaseListScope::Organisation,
        Role::Advocate | Role::CaseWorker => CaseListScope::Own,
        Role::Supervisor => CaseListScope::Organisation,
        Role::OrgAdmin | Role::Analyst => CaseListScope::Nothing,
    }
}

/// Which cases the user's lists show.
pub fn case_list_scope(subject: &Subject) -> CaseListScope {
    case_reach(subject.role, subject.sees_team_cases)
}

/// Whether the role allows the action at all, whatever the record.
fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    // The directory holds no survivor data: every role may search it.
    if action == SearchDirectory {
        return true;
    }
    // Duplicate warnings come with entering persons; merging records is a supervisor's decision.
    if action == CheckDuplicates {
        return matches!(role, Role::Advocate | Role::CaseWorker | Role::Supervisor);
    }
    // Merging records and matching with partners are a supervisor's decisions.
    if matches!(action, MergePersons | MatchWithPartners) {
        return role == Role::Supervisor;
    }
    // Documents, voiding a screening and a case file are case work, on the cases in reach.
    if matches!(action, AttachDocument | VoidScreening | ExportCase) {
        return matches!(role, Role::Advocate | Role::CaseWorker | Role::Supervisor);
    }
    // A list of every case with names leaves the system in one file: a supervisor's decision.
    if action == ExportCaseList {
        return role == Role::Supervisor;
    }
    // Perpetrators across every case of the organisation are oversight: a supervisor's.
    if action == ViewPerpetratorLinks {
        return role == Role::Supervisor;
    }
    // Referrals are case work: the roles that work cases send, answer and read them.
    if matches!(
        action,
        ReferCase | RevokeReferral | ViewReferrals | AnswerReferral | ViewReferredCase
    ) {
        return matches!(role, Role::Advocate | Role::CaseWorker | Role::Supervisor);
    }
    match role {
        Role::Advocate | Role::CaseWorker => {
            matches!(
                action,
                ListCases | CreateCase | ViewCase | EditCase | AddNote | ScreenCase
            )
        }
        Role::Supervisor => matches!(
            action,
            ListCases
                | CreateCase
                | ViewCase
                | EditCase
                | AddNote
                | ScreenCase
                | ViewCaseAudit
                | AssignCase
                | ViewOrganisationAudit
                | ViewAggregates
        ),
        Role::OrgAdmin => matches!(
            action,
            ViewCaseAudit | ViewOrganisationAudit | ManageUsers | ManageSettings | ViewAggregates
        ),
        Role::Analyst => matches!(action, ViewAggregates),
    }
}

/// Decides whether `subject` may do `action`, to `case` when the action concerns one.
///
/// An action about a case with no case given is refused as hidden (a programming error should
/// fail closed).
pub fn authorize(subject: &Subject, action: Action, case: Option<CaseScope>) -> Decision {
    if !role_allows(subject.role, action) {
        return Decision::Forbidden;
    }
    if !action.is_about_a_case() {
        return Decision::Allow;
    }
    let Some(case) = case else {
        return Decision::Hidden;
    };
    if case.organisation_id != subject.organisation_id {
        return Decision::Hidden;
    }
    // Reading a case's audit trail is oversight: organisation-wide for the roles that have it.
    if action == Action::ViewCaseAudit {
        return Decision::Allow;
    }
    match case_reach(subject.role, subject.sees_team_cases) {
        CaseListScope::Organisation => Decision::Allow,
        CaseListScope::Own if case.owner_user_id == Some(subject.user_id) => Decision::Allow,
        CaseListScope::Own | CaseListScope::Nothing => Decision::Hidden,
    }
}

/// [`authorize`] as a result: `Ok` to go on, or the error to answer.
pub fn require(
    subject: &Subject,
    action: Action,
    case: Option<CaseScope>,
) -> Result<(), crate::error::AppError> {
    match authorize(subject, action, case) {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(crate::error::AppError::Forbidden),
        Decision::Hidden => Err(crate::error::AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Decision::*;

    const ME: i64 = 7;
    const COLLEAGUE: i64 = 8;
    const MY_ORGANISATION: i64 = 1;
    const OTHER_ORGANISATION: i64 = 2;

    fn subject(role: Role) -> Subject {
        Subject {
            user_id: ME,
            organisation_id: MY_ORGANISATION,
            role,
            sees_team_cases: false,
        }
    }

    #[test]
    fn the_team_setting_opens_colleagues_cases_to_advocates_and_case_workers_only() {
        for role in [Role::Advocate, Role::CaseWorker] {
            let alone = subject(role);
            let team = Subject {
                sees_team_cases: true,
                ..alone
            };
            for action in [ViewCase, EditCase, AddNote, ExportCase] {
                assert_eq!(authorize(&alone, action, Some(colleagues_case())), Hidden);
                assert_eq!(authorize(&team, action, Some(colleagues_case())), Allow);
                assert_eq!(authorize(&team, action, Some(own_case())), Allow);
                // Another organisation's cases stay hidden whatever the setting.
                assert_eq!(
                    authorize(&team, action, Some(other_organisations_case())),
                    Hidden
                );
            }
            assert_eq!(case_list_scope(&alone), CaseListScope::Own);
            assert_eq!(case_list_scope(&team), CaseListScope::Organisation);
            // The setting widens what is seen, never what the role may do.
            assert_eq!(
                authorize(&team, AssignCase, Some(colleagues_case())),
                Forbidden
            );
            assert_eq!(authorize(&team, ExportCaseList, None), Forbidden);
        }
        for role in [Role::OrgAdmin, Role::Analyst] {
            let team = Subject {
                sees_team_cases: true,
                ..subject(role)
            };
            assert_eq!(case_list_scope(&team), CaseListScope::Nothing);
            assert_eq!(authorize(&team, ViewCase, Some(own_case())), Forbidden);
        }
    }

    /// The three kinds of case a user can meet.
    fn own_case() -> CaseScope {
        CaseScope {
            organisation_id: MY_ORGANISATION,
            owner_user_id: Some(ME),
        }
    }
    fn colleagues_case() -> CaseScope {
        CaseScope {
            organisation_id: MY_ORGANISATION,
            owner_user_id: Some(COLLEAGUE),
        }
    }
    fn other_organisations_case() -> CaseScope {
        CaseScope {
            organisation_id: OTHER_ORGANISATION,
            owner_user_id: Some(ME),
        }
    }

    /// The whole matrix, role × action × ownership, written out as the expected decisions for an
    /// own case, a colleague's case and another organisation's case (for actions about a case), or
    /// one decision (for the others).
    #[test]
    fn the_role_matrix_holds() {
        let case_rows: [(Role, Action, [Decision; 3]); 30] = [
            (
                Role::Advocate,
                AssignCase,
                [Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::CaseWorker,
                AssignCase,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::Supervisor, AssignCase, [Allow, Allow, Hidden]),
            (
                Role::OrgAdmin,
                AssignCase,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::Analyst, AssignCase, [Forbidden, Forbidden, Forbidden]),
            (Role::Advocate, ViewCase, [Allow, Hidden, Hidden]),
            (Role::Advocate, EditCase, [Allow, Hidden, Hidden]),
            (Role::Advocate, AddNote, [Allow, Hidden, Hidden]),
            (Role::Advocate, ScreenCase, [Allow, Hidden, Hidden]),
            (
                Role::Advocate,
                ViewCaseAudit,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::CaseWorker, ViewCase, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, EditCase, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, AddNote, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, ScreenCase, [Allow, Hidden, Hidden]),
            (
                Role::CaseWorker,
                ViewCaseAudit,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::Supervisor, ViewCase, [Allow, Allow, Hidden]),
            (Role::Supervisor, EditCase, [Allow, Allow, Hidden]),
            (Role::Supervisor, AddNote, [Allow, Allow, Hidden]),
            (Role::Supervisor, ScreenCase, [Allow, Allow, Hidden]),
            (Role::Supervisor, ViewCaseAudit, [Allow, Allow, Hidden]),
            (Role::OrgAdmin, ViewCase, [Forbidden, Forbidden, Forbidden]),
            (Role::OrgAdmin, EditCase, [Forbidden, Forbidden, Forbidden]),
            (Role::OrgAdmin, AddNote, [Forbidden, Forbidden, Forbidden]),
            (
                Role::OrgAdmin,
                ScreenCase,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::OrgAdmin, ViewCaseAudit, [Allow, Allow, Hidden]),
            (Role::Analyst, ViewCase, [Forbidden, Forbidden, Forbidden]),
            (Role::Analyst, EditCase, [Forbidden, Forbidden, Forbidden]),
            (Role::Analyst, AddNote, [Forbidden, Forbidden, Forbidden]),
            (Role::Analyst, ScreenCase, [Forbidden, Forbidden, Forbidden]),
            (
                Role::Analyst,
                ViewCaseAudit,
                [Forbidden, Forbidden, Forbidden],
            ),
        ];
        let mut covered = std::collections::HashSet::new();
        for (role, action, expected) in case_rows {
            let cases = [own_case(), colleagues_case(), other_organisations_case()];
            for (case, expected) in cases.into_iter().zip(expected) {
                assert_eq!(
                    authorize(&subject(role), action, Some(case)),
                    expected,
                    "{role} {action:?} {case:?}"
                );
            }
            // Without the case, an action about a case never goes through.
            assert_ne!(
                authorize(&subject(role), action, None),
                Allow,
                "{role} {action:?}"
            );
            covered.insert((role, action));
        }

        let other_rows: [(Role, [Decision; 6]); 5] = [
            // ListCases, CreateCase, ViewOrganisationAudit, ManageUsers, ManageSettings, ViewAggregates
            (
                Role::Advocate,
                [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::CaseWorker,
                [Allow, Allow, Forbidden, Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::Supervisor,
                [Allow, Allow, Allow, Forbidden, Forbidden, Allow],
            ),
            (
                Role::OrgAdmin,
                [Forbidden, Forbidden, Allow, Allow, Allow, Allow],
            ),
            (
                Role::Analyst,
                [Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allow],
            ),
        ];
        let actions = [
            ListCases,
            CreateCase,
            ViewOrganisationAudit,
            ManageUsers,
            ManageSettings,
            ViewAggregates,
        ];
        for (role, expected) in other_rows {
            for (action, expected) in actions.into_iter().zip(expected) {
                assert_eq!(
                    authorize(&subject(role), action, None),
                    expected,
                    "{role} {action:?}"
                );
                covered.insert((role, action));
            }
        }
        // Referring, revoking, documents, voids and the case file are about one case of the
        // user's organisation.
        let referral_case_rows: [(Role, Action, [Decision; 3]); 25] = [
            (Role::Advocate, ReferCase, [Allow, Hidden, Hidden]),
            (Role::Advocate, RevokeReferral, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, ReferCase, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, RevokeReferral, [Allow, Hidden, Hidden]),
            (Role::Supervisor, ReferCase, [Allow, Allow, Hidden]),
            (Role::Supervisor, RevokeReferral, [Allow, Allow, Hidden]),
            (Role::OrgAdmin, ReferCase, [Forbidden, Forbidden, Forbidden]),
            (
                Role::OrgAdmin,
                RevokeReferral,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::Analyst, ReferCase, [Forbidden, Forbidden, Forbidden]),
            (
                Role::Analyst,
                RevokeReferral,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::Advocate, AttachDocument, [Allow, Hidden, Hidden]),
            (Role::Advocate, VoidScreening, [Allow, Hidden, Hidden]),
            (Role::Advocate, ExportCase, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, AttachDocument, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, VoidScreening, [Allow, Hidden, Hidden]),
            (Role::CaseWorker, ExportCase, [Allow, Hidden, Hidden]),
            (Role::Supervisor, AttachDocument, [Allow, Allow, Hidden]),
            (Role::Supervisor, VoidScreening, [Allow, Allow, Hidden]),
            (Role::Supervisor, ExportCase, [Allow, Allow, Hidden]),
            (
                Role::OrgAdmin,
                AttachDocument,
                [Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::OrgAdmin,
                VoidScreening,
                [Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::OrgAdmin,
                ExportCase,
                [Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::Analyst,
                AttachDocument,
                [Forbidden, Forbidden, Forbidden],
            ),
            (
                Role::Analyst,
                VoidScreening,
                [Forbidden, Forbidden, Forbidden],
            ),
            (Role::Analyst, ExportCase, [Forbidden, Forbidden, Forbidden]),
        ];
        for (role, action, expected) in referral_case_rows {
            let cases = [own_case(), colleagues_case(), other_organisations_case()];
            for (case, expected) in cases.into_iter().zip(expected) {
                assert_eq!(
                    authorize(&subject(role), action, Some(case)),
                    expected,
                    "{role} {action:?} {case:?}"
                );
            }
            assert_ne!(authorize(&subject(role), action, None), Allow);
            covered.insert((role, action));
        }
        // The receiving side is scoped by the store to the user's organisation (a referral to
        // another organisation is not found); the role decides the rest.
        let referral_rows: [(Role, [Decision; 7]); 5] = [
            // SearchDirectory, ViewReferrals, AnswerReferral, ViewReferredCase, CheckDuplicates,
            // MergePersons, MatchWithPartners
            (
                Role::Advocate,
                [Allow, Allow, Allow, Allow, Allow, Forbidden, Forbidden],
            ),
            (
                Role::CaseWorker,
                [Allow, Allow, Allow, Allow, Allow, Forbidden, Forbidden],
            ),
            (
                Role::Supervisor,
                [Allow, Allow, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                Role::OrgAdmin,
                [
                    Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
                ],
            ),
            (
                Role::Analyst,
                [
                    Allow, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
                ],
            ),
        ];
        let referral_actions = [
            SearchDirectory,
            ViewReferrals,
            AnswerReferral,
            ViewReferredCase,
            CheckDuplicates,
            MergePersons,
            MatchWithPartners,
        ];
        for (role, expected) in referral_rows {
            for (action, expected) in referral_actions.into_iter().zip(expected) {
                assert_eq!(
                    authorize(&subject(role), action, None),
                    expected,
                    "{role} {action:?}"
                );
                covered.insert((role, action));
            }
        }
        // Documents, voids and the case file follow the reach of case work (in the rows above); the
        // list export is a supervisor's.
        for (role, expected) in [
            (Role::Advocate, Forbidden),
            (Role::CaseWorker, Forbidden),
            (Role::Supervisor, Allow),
            (Role::OrgAdmin, Forbidden),
            (Role::Analyst, Forbidden),
        ] {
            assert_eq!(
                authorize(&subject(role), ExportCaseList, None),
                expected,
                "{role}"
            );
            covered.insert((role, ExportCaseList));
            assert_eq!(
                authorize(&subject(role), ViewPerpetratorLinks, None),
                expected,
                "{role}"
            );
            covered.insert((role, ViewPerpetratorLinks));
        }
        // Every role and every action is in the matrix.
        assert_eq!(covered.len(), Role::ALL.len() * Action::ALL.len());
    }

    #[test]
    fn list_scopes_follow_the_roles() {
        assert_eq!(
            case_list_scope(&subject(Role::Advocate)),
            CaseListScope::Own
        );
        assert_eq!(
            case_list_scope(&subject(Role::CaseWorker)),
            CaseListScope::Own
        );
        assert_eq!(
            case_list_scope(&subject(Role::Supervisor)),
            CaseListScope::Organisation
        );
        assert_eq!(
            case_list_scope(&subject(Role::OrgAdmin)),
            CaseListScope::Nothing
        );
        assert_eq!(
            case_list_scope(&subject(Role::Analyst)),
            CaseListScope::Nothing
        );
    }
}
