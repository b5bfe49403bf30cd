
## A case's legal protection: immigration and victim relief options, and the legal track.
legal-title = Legal protection
legal-link = Legal protection
legal-aid-not-determination = An aid for the case worker and the lawyer they refer to, never a legal determination.
legal-relief-options = Relief options
legal-screen-first = Screen the case first: the options are computed from its screening.
legal-answer-questions = Answer the missing questions ({ $count })
legal-rules-version = Relief rule set version { $version }
legal-reports = Reports to authorities
legal-none = Nothing recorded yet.
legal-authority = Authority
legal-agency = Agency or office
legal-reported-on = Date of the report
legal-reference = Reference number (if any)
legal-add-report = Record the report
legal-proceedings = Criminal proceeding
legal-applications = Relief applications
legal-filed-on = filed on
legal-certifications = Law-enforcement certifications recorded: { $count }
legal-question-progress = Question { $done } · { $left } left
legal-back = Back to legal protection
legal-question-intro = Is this so for this person?
