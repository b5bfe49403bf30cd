# Puente's user interface in English. Every id here has its twin in es/main.ftl (a test checks it).

nav-cases = Cases
nav-new-case = New case
nav-audit = Audit
nav-admin = Users and settings
nav-account = My account
nav-logout = Log out
footer-note = Puente: case management and screening for counter-trafficking work. A screening result is an aid, never a legal determination.

role-advocate = Advocate
role-case_worker = Case worker
role-supervisor = Supervisor
role-org_admin = Organisation admin
role-analyst = Analyst

login-title = Log in
login-email = Email
login-password = Password
login-code = Code from your authenticator app
login-code-hint = Only if your account uses a second factor.
login-submit = Log in

error-title = Something went wrong
error-back = Back to the start
error-unauthenticated = You are not logged in.
error-invalid_credentials = The email or the password is wrong.
error-second_factor_required = This account needs the code from its authenticator app, and the code was missing or wrong.
error-too_many_attempts = Too many failed logins. Try again in { $seconds } seconds.
error-forbidden = Your role does not allow this.
error-second_factor_enrolment_required = Your organisation asks admins to use a second factor: set it up first.
error-csrf_rejected = The form has expired or did not come from Puente. Reload the page and try again.
error-not_found = Not found.
error-stale_version = Someone else changed this case since you opened it (your version { $yours }, now { $current }). Nothing was overwritten: open the case again, then make your change.
error-conflict = This conflicts with what is stored.
error-invalid = Something in the form is not valid.
error-bad_request = The request could not be read.
error-internal = An internal error happened. It has been logged; please try again.

invalid-person-name = The person needs a given name or an alias (write "unknown" if it is not known).
invalid-country = "{ $value }" is not a country code.
invalid-code = "{ $value }" is not one of the values this field takes.
invalid-age = "{ $value }" is not an age in years.
invalid-phone = "{ $value }" is not a phone number (write it with the country code, for example +502 5555 1234).
invalid-date = "{ $value }" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD.
invalid-consent-scopes = A consent needs at least one thing that may be shared.
invalid-consent-date = A consent needs the date it was given.
invalid-owner = User { $value } is not an advocate, case worker or supervisor of this organisation.
invalid-role = "{ $value }" is not a role.
invalid-password-length = The password must have at least { $value } characters.
invalid-user-name = The user needs a name.
invalid-own-role = You cannot change your own role.

cases-title = Cases
cases-empty = No cases yet.
case-person = Person
case-status = Status
case-age = Age
case-opened = Opened
case-title = Case { $id }
case-new-title = New case
case-edit-title = Edit case { $id }
case-edit = Edit
case-version = version { $version }
case-audit-link = Audit trail
case-victim-context = Victim context (HTCDS)
case-screenings = Screenings
case-route = Route: recruitment, transit, exploitation
case-consents = Consent
case-notes = Notes
case-history = History
case-owner = Responsible
case-no-owner = no one yet
case-assign = Assign
case-nothing-yet = Nothing recorded yet.

person-given-name = Given name
person-middle-name = Second given name
person-surname = First surname
person-second-surname = Second surname
person-alias = Known as
person-sex = Sex
person-date-of-birth = Date of birth
person-estimated-age = Estimated age
person-nationality = Nationality
person-languages = Languages
person-phone = Phone
person-current-country = Country where the person is now
person-current-place = Place where the person is now
date-placeholder = YYYY, YYYY-MM or YYYY-MM-DD

victim-trafficking-status = Trafficking status
victim-types-of-exploitation = Types of exploitation
victim-recruitment-methods = How the person was recruited
victim-methods-of-control = Methods of control

victim-status-decided-by = Status decided by
victim-types-of-labour = Types of labour exploitation
victim-types-of-sex-exploitation = Types of sexual exploitation
victim-relationship-to-trafficker = Relationship to the trafficker
victim-vulnerabilities = Vulnerabilities

form-save = Save
notice-saved = Saved.

event-add = Add a step of the route
event-kind = Step
event-country = Country
event-place = Place
event-date = Date
event-description = What happened

consent-add = Record a consent
consent-with = Shared with
consent-given-on = Given on
consent-recorded-by = recorded by
consent-withdraw = Withdraw
consent-withdrawn = withdrawn on

note-text = Note
note-add = Add note
note-empty = A note needs text.
status-change = Change status

audit-title = Audit trail of case { $id }
audit-back = Back to the case
audit-organisation-title = Audit log of the organisation
audit-filter = Filter
audit-latest = The latest { $count } entries, newest first.
audit-record = Record
audit-at = When
audit-actor = Who
audit-action = What
audit-detail = Detail
audit-chain-intact = The audit log's hash chain is intact ({ $entries } entries).
audit-chain-broken = The audit log has been tampered with: the chain breaks at entry { $entry }.

screening-title = Screening
screening-start-quick = Quick screen
screening-start-full = Full assessment
screening-start-child = Child screen
screening-progress = { $answered } of about { $total } questions
screening-back-to-case = Back to the case
screening-years = Years
screening-next = Next
screening-yes = Yes
screening-no = No
screening-unknown = Don't know / prefers not to say
screening-finish-now = Finish now and see the result
screening-answer-invalid = That answer does not fit the question. Please try again.
screening-result-title = Screening result
screening-rules-version = rules { $version }
screening-disclaimer = This result is an aid for your work, not a legal determination. Each conclusion names the facts and the rule it rests on.
screening-urgent = Urgent
screening-next-steps = Next steps
screening-explanation = Why
screening-frameworks = Legal frameworks
screening-met = met
screening-not-met = not met
screening-facts = Facts recorded
framework-palermo = Palermo Protocol, art. 3
framework-tvpa-sex = US TVPA: sex trafficking
framework-tvpa-labor = US TVPA: labor trafficking
framework-ilo-forced-labour = ILO forced labour

admin-title = Users and settings
admin-users = Users
admin-name = Name
admin-role = Role
admin-second-factor = Second factor
admin-new-user = New user
admin-initial-password = Initial password (at least 12 characters)
admin-change-role = Change
admin-create-user = Create user
admin-user-created = The user was created.
admin-reset-second-factor = Remove (lost phone)
admin-settings = Settings
admin-require-totp = Organisation admins must log in with a second factor (authenticator app)

account-title = My account
account-language = Language
account-language-browser = As my browser says
account-second-factor = Second factor
account-must-enrol = Your organisation requires a second factor for admins. Set it up below to go on.
account-totp-on = Your account uses a second factor.
account-totp-explain = Add this secret to an authenticator app (or open the link on your phone), then type the code it shows.
account-totp-enable = Turn on the second factor
account-totp-enabled = The second factor is on.
account-totp-wrong-code = That code is not right for this secret. Check the time on your phone and try again.


## Issue 5: the service directory, referrals, notifications and the dashboard.

nav-dashboard = Dashboard
nav-referrals = Referrals
nav-notifications = Notifications
nav-directory = Services

directory-title = Service directory
directory-need = Need
directory-any = Any
directory-country = Country
directory-place = Town or department
directory-age = Age
directory-sex = Sex
directory-language = Languages
directory-search = Search
directory-results = { $count ->
    [one] One matching service, best first
   *[other] { $count } matching services, best first
}
directory-trafficking-specific = specialised in trafficking
directory-nothing = No service matches. Try without the place or the age, or look at the gap report on the dashboard.

services-title = Suggested services
services-no-screening = This case has no screening yet: run one to get suggestions from its next steps, or search the directory.
services-gap = No service in the directory matches this need for this person: a gap.
services-search-directory = Search the directory
case-services-link = Suggested services and referrals

referrals-title = Referrals
referrals-received = Received
referrals-sent = Sent
referrals-from = From
referrals-to = To
referrals-case = Case
referrals-status = Status
referrals-shared = Shared
referrals-date = Date
referrals-none = None yet.

referral-new = Refer this case
referral-refer-here = Refer here
referral-back-to-case = Back to the case
referral-title = Referral { $id }
referral-reason = Reason
referral-services = Services
referral-answered = Answered
referral-completed = Completed
referral-revoked = Revoked
referral-accept = Accept
referral-reject = Reject
referral-reject-note = Short reason (no personal data)
referral-complete = Record the services as delivered
referral-revoke = Revoke the referral
referral-revoke-hint = Revoking ends the other organisation's access to the case.
referral-shared-case = What was shared
referral-shared-only = Only these parts of the case were shared, with the person's consent: { $parts }.
referral-part-identity = Identity
referral-part-contact = Contact
referral-part-screening = Screening results
referral-part-events = Route
referral-part-notes = Notes
referral-name = Name
referral-birth = Date of birth
referral-nationality = Nationality
referral-phone = Phone
referral-what-to-share = What to share
referral-consent = The person consents to sharing these parts with this organisation
referral-consent-hint = The consent is recorded on the case with your name and today's date. Without it, nothing is shared.
referral-send = Send the referral
referral-pick-organisation = Choose the organisation to refer to.

notifications-title = Notifications
notifications-none = No notifications.
notifications-mark-read = Mark all as read

dashboard-title = Dashboard
dashboard-table = The numbers
dashboard-cases = Cases
dashboard-total = Total
dashboard-overlapping = A case can be counted under several values here, so the rows do not add up to the total.
dashboard-csv = Download as CSV
dashboard-gaps = Service gaps
dashboard-gaps-hint = Needs that no service in the directory meets, by country and population.
dashboard-population = Population
dashboard-no-gaps = No gaps found.
dashboard-ctdc = Imported CTDC dataset ({ $count } records)
dashboard-unknown = Not recorded
dashboard-not-referred = Not referred
dashboard-no-service-yet = No service yet
dashboard-days = { $days } days
dashboard-ctdc-gender = Gender
dashboard-ctdc-age_group = Age group
dashboard-ctdc-nationality = Citizenship
dashboard-ctdc-country_of_exploitation = Country of exploitation
dashboard-ctdc-year = Year of registration

## Issue 6: likely duplicate persons.

case-duplicates-link = Likely duplicates
duplicates-title = Likely duplicates of this person
duplicates-none = No other record of your organisation looks like this person.
duplicates-warning-title = This person may already be recorded
duplicates-warning = Your organisation has records that look like { $name }. Check them before saving: one person with two records splits her history.
duplicates-hidden-name = A record of your organisation (you cannot open its case; ask a supervisor)
duplicates-probability = { $percent }% likely the same person
duplicates-cases = Cases
duplicates-explanation-hint = Each line says how a field compares and how much it weighs: positive for the same person, negative against.
duplicates-save-anyway = It is a different person: save
duplicates-cancel = Cancel
duplicates-merge = Merge into this case's person
duplicates-distinct = Different people
duplicates-field-given_name = Given names
duplicates-field-surname = Surnames
duplicates-field-date_of_birth = Date of birth
duplicates-field-sex = Sex
duplicates-field-nationality = Nationality
duplicates-field-phone = Phone
duplicates-level-exact = the same
duplicates-level-nickname = a nickname of the same name
duplicates-level-jaro_winkler_0_92 = almost the same spelling
duplicates-level-jaro_winkler_0_80 = a similar spelling
duplicates-level-phonetic = sounds the same
duplicates-level-one_name_in_common = one name in common
duplicates-level-reordered_or_particles = the same surnames, reordered or with particles
duplicates-level-one_surname_in_common = one surname in common
duplicates-level-day_month_swapped = day and month swapped
duplicates-level-one_digit = one digit different
duplicates-level-partial_agrees = agrees as far as it is known
duplicates-level-same_year = the same year
duplicates-level-same_national_number = the same number without the country code
duplicates-level-else = different

## Security: second factors, passwords, bounds and API errors.
account-totp-replace = Replace the second factor
account-totp-replace-explain = To move to a new phone: add this new secret to your app, then confirm with your password, a current code of the factor you use now and the new code.
account-totp-qr-label = QR code of the secret for your authenticator app
account-totp-open-link = Open in this phone's authenticator app
account-totp-current-code = Current code (of the factor you use now)
account-totp-new-code = Code the app shows for the new secret
account-totp-offer-expired = This secret offer has expired or is not yours. Go back to your account page: it shows a new secret to add to your app.
account-totp-wrong-password = The password is not right.
account-totp-wrong-current-code = The current code does not match the second factor you use now.
invalid-password-too-long = The password can have at most { $value } bytes.
invalid-password-weak = That password is easy to guess (it is common, repeats characters, follows the keyboard or uses the name or email). Choose a phrase of several uncommon words.
error-invalid_parameter = The address parameter “{ $field }” is not valid: { $value }
error-invalid_field = The field “{ $field }” is not valid: { $detail }
error-method_not_allowed = This address does not answer this method.
error-payload_too_large = The request is too large.
error-unsupported_media_type = The request body is not of a type this address reads (JSON is expected).
error-request_timeout = The request took too long.
bound-too-long = “{ $field }” has more than { $max } characters.
bound-too-many = “{ $field }” has more than { $max } entries.
bound-out-of-range = “{ $field }” must be between { $min } and { $max } (got { $value }).
bound-in-the-future = “{ $field }” cannot be a date in the future (got { $value }).
bound-too-early = “{ $field }” cannot be before { $earliest } (got { $value }).
error-form_unreadable = The form cannot be read: it holds characters that are not valid text (UTF-8). Type the fields again and try again.
account-notices-title = Privileged accounts
account-notice-created = { $actor } created the account { $user } with the role { $role }: it can read every case or manage the accounts.
account-notice-promoted = { $actor } gave the role { $role } to the account { $user }: it can read every case or manage the accounts.
