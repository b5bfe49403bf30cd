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

# Merging two records of one person.
merge-title = Merge two records of the same person
merge-compare-hint = Pick, field by field, the value that stays. The value that is not empty is preset, and when both have one, the most recent. Nothing is lost: both records are kept with the merge.
merge-record-kept = Record kept
merge-record-merged = Record merged in
merge-empty = empty
merge-review = Review the merge
merge-confirm-title = Confirm the merge
merge-confirm-hint = This is how the person of cases { $kept } and { $merged } will read. Nothing has changed yet.
merge-from-merged = from the record merged in
merge-confirm = Confirm the merge
merge-change-choices = Change the choices
merge-done-title = Merge { $id }
merge-moved-cases = Cases moved to the person kept
merge-fields-from-merged = Fields taken from the merged record
merge-nothing-from-merged = None
merge-by = Merged by
merge-history-hint = The values before are in each case's history.
merge-undo = Undo the merge
merge-undo-hint = Both records go back to what they were, and the cases go back to their person.
merge-undone = Merge undone by { $who }
audit-action-person_merge_undo = Undid a merge of records
