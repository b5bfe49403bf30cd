# Referrals: urgency, reason in words, contact person.
referral-urgency = Urgency
referral-pick-urgency = Choose how urgent the referral is.
referral-reason-note = Reason in words
referral-reason-note-hint = Why you refer and what is needed; write no more about the person than you share.
referral-contact = Contact person
referral-contact-name = Name
referral-contact-details = Phone or e-mail
referral-needs-contact = Say whom the other organisation can call.

# The organisation's setting of who sees which cases.
admin-advocates-see-team-cases = Advocates and case workers see the whole team's cases
admin-advocates-see-team-cases-hint = Unticked, each sees only the cases they own or were assigned.
