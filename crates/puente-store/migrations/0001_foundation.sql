-- The foundation: the append-only, hash-chained audit log and the imported CTDC dataset.

-- Every read of identifying data, every change, every export and every login is an entry here,
-- written in the same transaction as what it records. Entries are never updated or deleted: the
-- triggers below refuse it, and each entry carries the hash of the one before it, so that a change
-- made behind the application's back is found by `puente audit verify`.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    organisation_id INTEGER,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;

-- One row per CTDC file imported.
CREATE TABLE ctdc_imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    records INTEGER NOT NULL
);

-- The CTDC Global Dataset, one row per record, columns named as the dataset names them. NULL is a
-- missing value. Rows keep the order of the files they came from (by id).
CREATE TABLE ctdc_records (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES ctdc_imports (id),
    "yearOfRegistration" INTEGER,
    "Datasource" TEXT,
    "gender" TEXT,
    "ageBroad" TEXT,
    "majorityStatus" TEXT,
    "majorityStatusAtExploit" TEXT,
    "majorityEntry" TEXT,
    "citizenship" TEXT,
    "meansOfControlDebtBondage" INTEGER CHECK ("meansOfControlDebtBondage" IN (0, 1)),
    "meansOfControlTakesEarnings" INTEGER CHECK ("meansOfControlTakesEarnings" IN (0, 1)),
    "meansOfControlRestrictsFinancialAccess" INTEGER CHECK ("meansOfControlRestrictsFinancialAccess" IN (0, 1)),
    "meansOfControlThreats" INTEGER CHECK ("meansOfControlThreats" IN (0, 1)),
    "meansOfControlPsychologicalAbuse" INTEGER CHECK ("meansOfControlPsychologicalAbuse" IN (0, 1)),
    "meansOfControlPhysicalAbuse" INTEGER CHECK ("meansOfControlPhysicalAbuse" IN (0, 1)),
    "meansOfControlSexualAbuse" INTEGER CHECK ("meansOfControlSexualAbuse" IN (0, 1)),
    "meansOfControlFalsePromises" INTEGER CHECK ("meansOfControlFalsePromises" IN (0, 1)),
    "meansOfControlPsychoactiveSubstances" INTEGER CHECK ("meansOfControlPsychoactiveSubstances" IN (0, 1)),
    "meansOfControlRestrictsMovement" INTEGER CHECK ("meansOfControlRestrictsMovement" IN (0, 1)),
    "meansOfControlRestrictsMedicalCare" INTEGER CHECK ("meansOfControlRestrictsMedicalCare" IN (0, 1)),
    "meansOfControlExcessiveWorkingHours" INTEGER CHECK ("meansOfControlExcessiveWorkingHours" IN (0, 1)),
    "meansOfControlUsesChildren" INTEGER CHECK ("meansOfControlUsesChildren" IN (0, 1)),
    "meansOfControlThreatOfLawEnforcement" INTEGER CHECK ("meansOfControlThreatOfLawEnforcement" IN (0, 1)),
    "meansOfControlWithholdsNecessities" INTEGER CHECK ("meansOfControlWithholdsNecessities" IN (0, 1)),
    "meansOfControlWithholdsDocuments" INTEGER CHECK ("meansOfControlWithholdsDocuments" IN (0, 1)),
    "meansOfControlOther" INTEGER CHECK ("meansOfControlOther" IN (0, 1)),
    "meansOfControlNotSpecified" INTEGER CHECK ("meansOfControlNotSpecified" IN (0, 1)),
    "meansOfControlConcatenated" TEXT,
    "isForcedLabour" INTEGER CHECK ("isForcedLabour" IN (0, 1)),
    "isSexualExploit" INTEGER CHECK ("isSexualExploit" IN (0, 1)),
    "isOtherExploit" INTEGER CHECK ("isOtherExploit" IN (0, 1)),
    "isSexAndLabour" INTEGER CHECK ("isSexAndLabour" IN (0, 1)),
    "isForcedMarriage" INTEGER CHECK ("isForcedMarriage" IN (0, 1)),
    "isForcedMilitary" INTEGER CHECK ("isForcedMilitary" IN (0, 1)),
    "isOrganRemoval" INTEGER CHECK ("isOrganRemoval" IN (0, 1)),
    "isSlaveryAndPractices" INTEGER CHECK ("isSlaveryAndPractices" IN (0, 1)),
    "typeOfExploitConcatenated" TEXT,
    "typeOfLabourAgriculture" INTEGER CHECK ("typeOfLabourAgriculture" IN (0, 1)),
    "typeOfLabourAquafarming" INTEGER CHECK ("typeOfLabourAquafarming" IN (0, 1)),
    "typeOfLabourBegging" INTEGER CHECK ("typeOfLabourBegging" IN (0, 1)),
    "typeOfLabourConstruction" INTEGER CHECK ("typeOfLabourConstruction" IN (0, 1)),
    "typeOfLabourDomesticWork" INTEGER CHECK ("typeOfLabourDomesticWork" IN (0, 1)),
    "typeOfLabourHospitality" INTEGER CHECK ("typeOfLabourHospitality" IN (0, 1)),
    "typeOfLabourIllicitActivities" INTEGER CHECK ("typeOfLabourIllicitActivities" IN (0, 1)),
    "typeOfLabourManufacturing" INTEGER CHECK ("typeOfLabourManufacturing" IN (0, 1)),
    "typeOfLabourMiningOrDrilling" INTEGER CHECK ("typeOfLabourMiningOrDrilling" IN (0, 1)),
    "typeOfLabourPeddling" INTEGER CHECK ("typeOfLabourPeddling" IN (0, 1)),
    "typeOfLabourTransportation" INTEGER CHECK ("typeOfLabourTransportation" IN (0, 1)),
    "typeOfLabourOther" INTEGER CHECK ("typeOfLabourOther" IN (0, 1)),
    "typeOfLabourNotSpecified" INTEGER CHECK ("typeOfLabourNotSpecified" IN (0, 1)),
    "typeOfLabourConcatenated" TEXT,
    "typeOfSexProstitution" INTEGER CHECK ("typeOfSexProstitution" IN (0, 1)),
    "typeOfSexPornography" INTEGER CHECK ("typeOfSexPornography" IN (0, 1)),
    "typeOfSexRemoteInteractiveServices" INTEGER CHECK ("typeOfSexRemoteInteractiveServices" IN (0, 1)),
    "typeOfSexPrivateSexualServices" INTEGER CHECK ("typeOfSexPrivateSexualServices" IN (0, 1)),
    "typeOfSexConcatenated" TEXT,
    "isAbduction" INTEGER CHECK ("isAbduction" IN (0, 1)),
    "RecruiterRelationship" TEXT,
    "CountryOfExploitation" TEXT,
    "recruiterRelationIntimatePartner" INTEGER CHECK ("recruiterRelationIntimatePartner" IN (0, 1)),
    "recruiterRelationFriend" INTEGER CHECK ("recruiterRelationFriend" IN (0, 1)),
    "recruiterRelationFamily" INTEGER CHECK ("recruiterRelationFamily" IN (0, 1)),
    "recruiterRelationOther" INTEGER CHECK ("recruiterRelationOther" IN (0, 1)),
    "recruiterRelationUnknown" INTEGER CHECK ("recruiterRelationUnknown" IN (0, 1))
);
CREATE INDEX ctdc_records_import ON ctdc_records (import_id);
