//! The two backends keep one schema: every SQLite migration has a PostgreSQL migration of the same
//! name and the other way round, and, when `PUENTE_TEST_DATABASE_URL` points at a PostgreSQL
//! server, both schemas built from their migrations have the same tables, columns (of matching
//! types and nullability), primary keys, unique constraints, foreign keys, named indexes and
//! triggers. The PostgreSQL schema is built in a schema of its own, dropped at the end, so the
//! test needs no right to create databases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use puente_store::SqliteStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row, SqlitePool};

/// The table sqlx keeps its record of applied migrations in, on either backend.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

fn migration_names(directory: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(directory);
    std::fs::read_dir(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect()
}

#[test]
fn every_migration_exists_for_both_backends() {
    let sqlite = migration_names("migrations");
    let postgres = migration_names("migrations-postgres");
    assert!(!sqlite.is_empty(), "no SQLite migrations found");
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "migrations must come in pairs of the same name; only in migrations/: {only_sqlite:?}; \
         only in migrations-postgres/: {only_postgres:?}"
    );
}

#[test]
fn postgres_migrations_use_the_postgres_types() {
    // sqlx reads an i64 only from BIGINT, and the dialect binds flags as bool: a PostgreSQL
    // migration declares neither INTEGER nor SQLite-only forms.
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations-postgres");
    for name in migration_names("migrations-postgres") {
        let text = std::fs::read_to_string(directory.join(&name)).unwrap();
        for (index, line) in text.lines().enumerate() {
            let code = line.split("--").next().unwrap_or("").to_uppercase();
            for forbidden in [
                " INTEGER",
                " INT ",
                " SMALLINT",
                "AUTOINCREMENT",
                "WITHOUT ROWID",
                "COLLATE NOCASE",
                " BLOB",
                "PRAGMA",
                "STRFTIME",
                "DATETIME(",
                "JSON_",
            ] {
                assert!(
                    !code.contains(forbidden),
                    "migrations-postgres/{name}, line {}: `{}` is not PostgreSQL's form: {line}",
                    index + 1,
                    forbidden.trim()
                );
            }
        }
    }
}

/// A column as the comparison sees it: its type family and whether it may be NULL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    family: &'static str,
    nullable: bool,
}

/// One backend's schema, in terms both backends share.
#[derive(Debug, Default)]
struct Schema {
    /// Table -> column -> column.
    tables: BTreeMap<String, BTreeMap<String, Column>>,
    /// (table, primary key columns in order).
    primary_keys: BTreeSet<(String, Vec<String>)>,
    /// (table, columns in order) of every UNIQUE constraint written in a table's definition.
    unique_constraints: BTreeSet<(String, Vec<String>)>,
    /// (table, column, referenced table, referenced column).
    foreign_keys: BTreeSet<(String, String, String, String)>,
    /// Index name -> (table, columns in order, unique, partial), for indexes made by CREATE INDEX;
    /// a column that is an expression is written as an empty name on both backends.
    indexes: BTreeMap<String, (String, Vec<String>, bool, bool)>,
    /// (table, trigger name).
    triggers: BTreeSet<(String, String)>,
    /// (table, column) of SQLite INTEGER columns checked to hold only 0 or 1.
    flag_columns: BTreeSet<(String, String)>,
}

/// The type family of a SQLite declared type. Flags (0/1 integers) are told apart afterwards.
fn sqlite_family(declared: &str) -> &'static str {
    match declared.to_uppercase().as_str() {
        "INTEGER" => "integer",
        "TEXT" => "text",
        "REAL" => "real",
        "BLOB" => "blob",
        other => panic!("SQLite column type {other} is not one the backends share"),
    }
}

/// The type family of a PostgreSQL data type (as information_schema names it).
fn postgres_family(data_type: &str) -> &'static str {
    match data_type {
        "bigint" => "integer",
        "boolean" => "flag",
        "text" => "text",
        "double precision" => "real",
        "bytea" => "blob",
        other => panic!(
            "PostgreSQL column type {other} is not one the backends share (integers are BIGINT)"
        ),
    }
}

async fn sqlite_schema(pool: &SqlitePool) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> $1 ORDER BY name",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, definition) in &tables {
        let definition = definition.replace('"', "");
        let mut columns = BTreeMap::new();
        let mut primary_key: Vec<(i64, String)> = Vec::new();
        for row in sqlx::query(&format!("PRAGMA table_info(\"{table}\")"))
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let name: String = row.get("name");
            let declared: String = row.get("type");
            let not_null: i64 = row.get("notnull");
            let key_position: i64 = row.get("pk");
            if key_position > 0 {
                primary_key.push((key_position, name.clone()));
            }
            let mut family = sqlite_family(&declared);
            if family == "integer" && definition.contains(&format!("CHECK ({name} IN (0, 1))")) {
                family = "flag";
                schema.flag_columns.insert((table.clone(), name.clone()));
            }
            columns.insert(
                name,
                Column {
                    family,
                    nullable: not_null == 0 && key_position == 0,
                },
            );
        }
        primary_key.sort();
        schema.primary_keys.insert((
            table.clone(),
            primary_key.into_iter().map(|(_, name)| name).collect(),
        ));
        schema.tables.insert(table.clone(), columns);

        for row in sqlx::query(&format!("PRAGMA index_list(\"{table}\")"))
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let index: String = row.get("name");
            let unique: i64 = row.get("unique");
            let origin: String = row.get("origin");
            let partial: i64 = row.get("partial");
            let index_columns: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
            ))
            .fetch_all(pool)
            .await
            .unwrap();
            match origin.as_str() {
                "u" => {
                    schema
                        .unique_constraints
                        .insert((table.clone(), index_columns));
                }
                "c" => {
                    schema.indexes.insert(
                        index,
                        (table.clone(), index_columns, unique != 0, partial != 0),
                    );
                }
                // The primary key's own index ("pk") is compared as the primary key.
                _ => {}
            }
        }

        for row in sqlx::query(&format!("PRAGMA foreign_key_list(\"{table}\")"))
            .fetch_all(pool)
            .await
            .unwrap()
        {
            let column: String = row.get("from");
            let referenced_table: String = row.get("table");
            let referenced_column: Option<String> = row.get("to");
            schema.foreign_keys.insert((
                table.clone(),
                column,
                referenced_table,
                referenced_column.unwrap_or_else(|| "id".into()),
            ));
        }
    }
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    schema.triggers = triggers.into_iter().collect();
    schema
}

/// A PostgreSQL constraint: its kind (`p`, `u` or `f`), table, columns, and for a foreign key the
/// referenced table and columns.
type ConstraintRow = (
    String,
    String,
    Vec<String>,
    Option<String>,
    Option<Vec<String>>,
);

async fn postgres_schema(pool: &PgPool, namespace: &str) -> Schema {
    let mut schema = Schema::default();
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' AND c.table_name <> $2
         ORDER BY c.table_name, c.ordinal_position",
    )
    .bind(namespace)
    .bind(MIGRATIONS_TABLE)
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, column, data_type, nullable) in columns {
        schema.tables.entry(table).or_default().insert(
            column,
            Column {
                family: postgres_family(&data_type),
                nullable: nullable == "YES",
            },
        );
    }

    // Constraints, with their columns in the order the constraint lists them.
    let constraints: Vec<ConstraintRow> =
        sqlx::query_as(
            "SELECT CAST(c.contype AS TEXT), CAST(t.relname AS TEXT),
                    ARRAY(SELECT CAST(a.attname AS TEXT)
                          FROM unnest(c.conkey) WITH ORDINALITY AS k(number, position)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.number
                          ORDER BY k.position),
                    CAST(referenced.relname AS TEXT),
                    CASE WHEN c.contype = 'f' THEN
                        ARRAY(SELECT CAST(a.attname AS TEXT)
                              FROM unnest(c.confkey) WITH ORDINALITY AS k(number, position)
                              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.number
                              ORDER BY k.position)
                    END
             FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             LEFT JOIN pg_class referenced ON referenced.oid = c.confrelid
             WHERE n.nspname = $1 AND t.relname <> $2 AND c.contype IN ('p', 'u', 'f')",
        )
        .bind(namespace)
        .bind(MIGRATIONS_TABLE)
        .fetch_all(pool)
        .await
        .unwrap();
    for (kind, table, columns, referenced_table, referenced_columns) in constraints {
        match kind.as_str() {
            "p" => {
                schema.primary_keys.insert((table, columns));
            }
            "u" => {
                schema.unique_constraints.insert((table, columns));
            }
            _ => {
                let referenced_table = referenced_table.unwrap_or_default();
                for (column, referenced_column) in columns
                    .into_iter()
                    .zip(referenced_columns.unwrap_or_default())
                {
                    schema.foreign_keys.insert((
                        table.clone(),
                        column,
                        referenced_table.clone(),
                        referenced_column,
                    ));
                }
            }
        }
    }

    // Indexes made by CREATE INDEX: those no constraint owns.
    let indexes: Vec<(String, String, Vec<String>, bool, bool)> = sqlx::query_as(
        "SELECT CAST(index_class.relname AS TEXT), CAST(table_class.relname AS TEXT),
                ARRAY(SELECT COALESCE(CAST(a.attname AS TEXT), '')
                      FROM unnest(ix.indkey) WITH ORDINALITY AS k(number, position)
                      LEFT JOIN pg_attribute a
                        ON a.attrelid = ix.indrelid AND a.attnum = k.number
                      ORDER BY k.position),
                ix.indisunique, ix.indpred IS NOT NULL
         FROM pg_index ix
         JOIN pg_class index_class ON index_class.oid = ix.indexrelid
         JOIN pg_class table_class ON table_class.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = table_class.relnamespace
         WHERE n.nspname = $1
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
    )
    .bind(namespace)
    .fetch_all(pool)
    .await
    .unwrap();
    for (index, table, columns, unique, partial) in indexes {
        schema
            .indexes
            .insert(index, (table, columns, unique, partial));
    }

    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(t.relname AS TEXT), CAST(trigger.tgname AS TEXT)
         FROM pg_trigger trigger
         JOIN pg_class t ON t.oid = trigger.tgrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = $1 AND NOT trigger.tgisinternal",
    )
    .bind(namespace)
    .fetch_all(pool)
    .await
    .unwrap();
    schema.triggers = triggers.into_iter().collect();
    schema
}

fn assert_same<T: std::fmt::Debug + Ord + Clone>(
    what: &str,
    sqlite: &BTreeSet<T>,
    postgres: &BTreeSet<T>,
) {
    let only_sqlite: Vec<_> = sqlite.difference(postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "{what} differ between the backends; only in SQLite: {only_sqlite:?}; only in PostgreSQL: {only_postgres:?}"
    );
}

fn compare(sqlite: &Schema, postgres: &Schema) {
    let sqlite_tables: BTreeSet<_> = sqlite.tables.keys().cloned().collect();
    let postgres_tables: BTreeSet<_> = postgres.tables.keys().cloned().collect();
    assert_same("tables", &sqlite_tables, &postgres_tables);
    let columns = |schema: &Schema| -> BTreeSet<(String, String, Column)> {
        schema
            .tables
            .iter()
            .flat_map(|(table, columns)| {
                columns
                    .iter()
                    .map(move |(name, column)| (table.clone(), name.clone(), column.clone()))
            })
            .collect()
    };
    assert_same(
        "columns (table, name, type family, nullable)",
        &columns(sqlite),
        &columns(postgres),
    );
    assert_same("primary keys", &sqlite.primary_keys, &postgres.primary_keys);
    assert_same(
        "unique constraints",
        &sqlite.unique_constraints,
        &postgres.unique_constraints,
    );
    assert_same("foreign keys", &sqlite.foreign_keys, &postgres.foreign_keys);
    let indexes = |schema: &Schema| -> BTreeSet<_> { schema.indexes.clone().into_iter().collect() };
    assert_same(
        "indexes (name, table, columns, unique, partial)",
        &indexes(sqlite),
        &indexes(postgres),
    );
    // PostgreSQL has more triggers than SQLite (TRUNCATE, which SQLite lacks, is refused too):
    // each SQLite trigger must have its namesake on the same table.
    let missing: Vec<_> = sqlite.triggers.difference(&postgres.triggers).collect();
    assert!(
        missing.is_empty(),
        "SQLite triggers without a PostgreSQL trigger of the same name and table: {missing:?}"
    );
}

fn migrations_directory(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

#[tokio::test]
async fn both_schemas_agree_table_by_table() {
    let Ok(url) = std::env::var("PUENTE_TEST_DATABASE_URL") else {
        eprintln!("PUENTE_TEST_DATABASE_URL is not set: the PostgreSQL schema is not compared");
        return;
    };
    let directory = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&directory.path().join("parity.db"))
        .await
        .unwrap();
    let sqlite = sqlite_schema(store.reader()).await;
    store.close().await;
    assert!(
        !sqlite.flag_columns.is_empty(),
        "no 0/1 flag column found in SQLite"
    );

    let namespace = format!(
        "schema_parity_{}_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    let administration = PgPool::connect(&url)
        .await
        .unwrap_or_else(|error| panic!("PUENTE_TEST_DATABASE_URL does not connect: {error}"));
    sqlx::query(&format!("CREATE SCHEMA {namespace}"))
        .execute(&administration)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", namespace.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let migrated = async {
        sqlx::migrate::Migrator::new(migrations_directory("migrations-postgres"))
            .await?
            .run(&pool)
            .await
    }
    .await;
    let postgres = match &migrated {
        Ok(()) => Some(postgres_schema(&pool, &namespace).await),
        Err(_) => None,
    };
    pool.close().await;
    sqlx::query(&format!("DROP SCHEMA {namespace} CASCADE"))
        .execute(&administration)
        .await
        .unwrap();
    administration.close().await;
    if let Err(error) = migrated {
        panic!("the PostgreSQL migrations do not apply in order to an empty schema: {error}");
    }
    let postgres = postgres.unwrap();
    for (what, count) in [
        ("tables", postgres.tables.len()),
        ("foreign keys", postgres.foreign_keys.len()),
        ("indexes", postgres.indexes.len()),
        ("unique constraints", postgres.unique_constraints.len()),
        ("triggers", postgres.triggers.len()),
    ] {
        assert!(count > 0, "no {what} read from PostgreSQL");
    }
    compare(&sqlite, &postgres);
}
