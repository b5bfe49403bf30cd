# Puente's user interface in English. Every id here has its twin in es/main.ftl (a test checks it).

nav-cases = Cases
nav-new-case = New case
nav-overview = Overview
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

overview-title = Overview
overview-suppression = De-identified counts of your organisation's cases. Counts under 3 are shown as "<3"; a count shown as "*" is hidden so that the small ones cannot be worked out from the total.
overview-not-recorded = Not recorded
overview-by-status = By status
overview-by-sex = By sex
overview-by-age_group = By age group at intake
overview-by-nationality = By nationality
