-- A referral says how soon the receiver is asked to act (`urgency`, a code of
-- puente_core::sharing::ReferralUrgency), why in words (`reason_note`, beside the coded reason) and
-- whom to call at the sending organisation (`contact_name`, `contact_details`: a phone or e-mail).
-- Referrals made before these columns existed are routine, with their creator as the contact.
ALTER TABLE referrals ADD COLUMN urgency TEXT NOT NULL DEFAULT 'routine';
ALTER TABLE referrals ADD COLUMN reason_note TEXT;
ALTER TABLE referrals ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN contact_details TEXT;
UPDATE referrals SET contact_name = created_by WHERE contact_name = '';
