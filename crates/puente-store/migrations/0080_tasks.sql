-- Tasks on a case: a follow-up a user of the organisation is to do by a day or a moment.
--
-- `due_on` is the day (YYYY-MM-DD, UTC); `due_at` the moment (RFC 3339, UTC) when the task has a
-- time, as a statutory clock does. `source` says where the task came from: `manual` (a user
-- added it), `statutory` (a clock of the child screen) or `legal` (a deadline of the relief
-- screener or the legal track). A task made from a deadline carries a `source_key` naming the
-- deadline; one case has at most one task per key, so saving the same screening again adds none.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    due_at TEXT,
    assignee_user_id INTEGER NOT NULL REFERENCES users (id),
    source TEXT NOT NULL CHECK (source IN ('manual', 'statutory', 'legal')),
    source_key TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    completed_by TEXT,
    completed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tasks_case ON tasks (case_id);
CREATE INDEX tasks_assignee ON tasks (assignee_user_id, completed_at, due_on);
CREATE UNIQUE INDEX tasks_deadline ON tasks (case_id, source_key);
