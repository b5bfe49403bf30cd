//! The load benchmark's clients: many case workers using one running `puente serve` at once,
//! through the JSON API, with the database checked afterwards for every write the server
//! acknowledged.
//!
//! ```sh
//! cargo run --release -p puente-server --example load -- \
//!     --url http://127.0.0.1:8080 --password DEMO_PASSWORD --clients 50 --seconds 60 --label sqlite
//! ```
//!
//! The server must hold the demo organisations and users (`puente serve --demo`). Before the
//! measured part, the demo organisation admin creates one advocate account per pair of clients
//! (`load-advocate-N@hotline.demo`, with the demo password) and each pair's advocate opens two
//! cases the pair shares. Then every client, until the time is up, runs sessions: it logs in once
//! (argon2 makes a login cost what it costs, so a session does many requests, not one), does
//! `--session-requests` operations drawn from a fixed mix, and logs out; the first session of
//! each client is shorter, by a random amount, so that logins do not all come at once, and the
//! clock starts once every client is logged in (that first login is not counted). The mix:
//! - list the cases in its scope (15 %), read a case (30 %), open a new case of a synthetic person
//!   (10 %), add a note (20 %);
//! - edit a shared case (25 %): read it, change the alias, save it naming the version it read.
//!   The other client of the pair edits the same cases, so some saves come too late and must be
//!   refused with 409; one edit in eight sends again a case read before the client's own last save
//!   (a stale browser tab), which must be refused too.
//!
//! Afterwards, unmeasured, the demo supervisor reads back every acknowledged case, note and edit
//! (from the case history): a missing one is a lost write. A stale save accepted is a save of an
//! outdated version answered 200, or two accepted saves of one case from the same version.
//! Prints requests per second, the 50th and 99th percentiles of latency, errors, lost writes and
//! stale saves accepted, overall and per operation. Exit 1 when the server lost a write or
//! accepted a stale save.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const ADMIN: &str = "admin@hotline.demo";
const SUPERVISOR: &str = "supervisor@hotline.demo";
/// Every how many edits a client sends again a case it read before its own last save.
const STALE_EDIT_EVERY: u64 = 8;

#[derive(Clone, Debug)]
struct Options {
    url: String,
    password: String,
    clients: usize,
    seconds: u64,
    session_requests: usize,
    label: String,
    seed: u64,
}

const USAGE: &str = "usage: load --url URL --password PASSWORD [--clients N] [--seconds S] \
                     [--session-requests N] [--label NAME] [--seed N]";

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        url: String::new(),
        password: String::new(),
        clients: 30,
        seconds: 60,
        session_requests: 100,
        label: "puente".into(),
        seed: 1,
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(flag) = arguments.next() {
        let mut value = || {
            arguments
                .next()
                .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))
        };
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: `{text}` is not a whole number"))
        };
        match flag.as_str() {
            "--url" => options.url = value()?.trim_end_matches('/').to_string(),
            "--password" => options.password = value()?,
            "--clients" => options.clients = number(value()?)? as usize,
            "--seconds" => options.seconds = number(value()?)?,
            "--session-requests" => options.session_requests = number(value()?)? as usize,
            "--label" => options.label = value()?,
            "--seed" => options.seed = number(value()?)?,
            "--help" | "-h" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    if options.url.is_empty() || options.password.is_empty() {
        return Err(format!("--url and --password are required; {USAGE}"));
    }
    if options.clients == 0 || options.seconds == 0 || options.session_requests == 0 {
        return Err("--clients, --seconds and --session-requests must be above 0".into());
    }
    Ok(options)
}

/// What a request was, for the figures per operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Operation {
    Login,
    Logout,
    ListCases,
    ReadCase,
    CreateCase,
    AddNote,
    EditCase,
}

impl Operation {
    const ALL: [Operation; 7] = [
        Operation::Login,
        Operation::ListCases,
        Operation::ReadCase,
        Operation::CreateCase,
        Operation::AddNote,
        Operation::EditCase,
        Operation::Logout,
    ];

    fn name(self) -> &'static str {
        match self {
            Operation::Login => "login",
            Operation::Logout => "logout",
            Operation::ListCases => "list cases",
            Operation::ReadCase => "read case",
            Operation::CreateCase => "create case",
            Operation::AddNote => "add note",
            Operation::EditCase => "edit case",
        }
    }
}

/// A save the server accepted: the case, the version it was made from, the version it made, and
/// the alias it wrote.
#[derive(Clone, Debug)]
struct AcceptedEdit {
    case_id: i64,
    base_version: i64,
    new_version: i64,
    alias: String,
}

/// Everything one client saw.
#[derive(Debug, Default)]
struct ClientReport {
    /// Latency in microseconds of every answered request, by operation.
    latencies: HashMap<Operation, Vec<u32>>,
    errors: u64,
    /// The first few errors, to print.
    error_samples: Vec<String>,
    /// Saves refused with 409 because the case had changed since it was read.
    stale_refused: u64,
    /// Saves of a version known to be outdated that the server accepted.
    stale_accepted: u64,
    created_cases: Vec<i64>,
    /// (case, note id, text) of every acknowledged note.
    notes: Vec<(i64, i64, String)>,
    edits: Vec<AcceptedEdit>,
}

impl ClientReport {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_samples.len() < 5 {
            self.error_samples.push(what);
        }
    }
}

/// One answered request: its status and body.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    /// The elements of a JSON array body, or the cases of a page of the case list
    /// (`{"cases": [...], ...}`); none for another body.
    fn items(&self) -> impl Iterator<Item = &Value> {
        self.body
            .as_array()
            .or_else(|| self.body["cases"].as_array())
            .into_iter()
            .flatten()
    }
}

/// A client of the API: one connection pool, as a browser has.
struct Api {
    client: Client,
    url: String,
}

impl Api {
    fn new(url: &str) -> Api {
        Api {
            client: Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            url: url.to_string(),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|error| error.to_string())?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|error| error.to_string())?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// Sends a request and records its latency under `operation` in `report`.
    async fn timed(
        &self,
        report: &mut ClientReport,
        operation: Operation,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Option<Answer> {
        let started = Instant::now();
        let answer = self.send(method, path, token, body).await;
        let micros = started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        match answer {
            Ok(answer) => {
                report.latencies.entry(operation).or_default().push(micros);
                Some(answer)
            }
            Err(error) => {
                report.error(format!("{} {path}: {error}", operation.name()));
                None
            }
        }
    }

    /// An unmeasured `GET`, for preparing and for checking.
    async fn get(&self, path: &str, token: &str) -> Result<Answer, String> {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// A measured `GET` that must answer 200: anything else is counted as an error, named `what`.
    async fn timed_read(
        &self,
        report: &mut ClientReport,
        operation: Operation,
        path: &str,
        token: &str,
        what: &str,
    ) -> Option<Answer> {
        let answer = self
            .timed(
                report,
                operation,
                reqwest::Method::GET,
                path,
                Some(token),
                None,
            )
            .await?;
        if answer.status != StatusCode::OK {
            report.error(format!("{what}: {}", answer.status));
            return None;
        }
        Some(answer)
    }

    async fn login(&self, email: &str, password: &str) -> Result<String, String> {
        let answer = self
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(&json!({ "email": email, "password": password })),
            )
            .await?;
        token_of(&answer).ok_or_else(|| format!("login of {email}: {}", answer.status))
    }
}

fn token_of(answer: &Answer) -> Option<String> {
    (answer.status == StatusCode::OK)
        .then(|| answer.body["token"].as_str().map(str::to_string))
        .flatten()
}

/// The account the clients `2 * pair` and `2 * pair + 1` share.
fn pair_email(pair: usize) -> String {
    format!("load-advocate-{pair}@hotline.demo")
}

/// A new case of a synthetic person (never a real one), as `POST /api/v1/cases` takes it.
fn new_case_body(generated: &puente_synth::demo::DemoCase) -> Value {
    let case = serde_json::to_value(&generated.case).expect("a case serialises");
    json!({
        "person": case["person"],
        "victim": case["victim"],
        "events": case["events"],
    })
}

/// Creates the missing pair accounts and two shared cases per pair; returns the cases of each pair.
async fn prepare(options: &Options, api: &Api) -> Result<Vec<Vec<i64>>, String> {
    let pairs = options.clients.div_ceil(2);
    let admin = api.login(ADMIN, &options.password).await?;
    let users = api.get("/api/v1/users", &admin).await?;
    let existing: BTreeSet<String> = users
        .items()
        .filter_map(|user| user["email"].as_str().map(str::to_string))
        .collect();
    for pair in 0..pairs {
        let email = pair_email(pair);
        if existing.contains(&email) {
            continue;
        }
        let answer = api
            .send(
                reqwest::Method::POST,
                "/api/v1/users",
                Some(&admin),
                Some(&json!({
                    "email": email,
                    "display_name": format!("Defensora de carga {pair}"),
                    "role": "advocate",
                    "password": options.password,
                })),
            )
            .await?;
        if answer.status != StatusCode::CREATED {
            return Err(format!(
                "creating {email}: {} {}",
                answer.status, answer.body
            ));
        }
    }
    let today = time::OffsetDateTime::now_utc().date();
    let mut shared = Vec::new();
    for pair in 0..pairs {
        let token = api.login(&pair_email(pair), &options.password).await?;
        let mut cases = Vec::new();
        for generated in
            puente_synth::demo::generate_cases(options.seed * 1_000 + pair as u64, 2, today)
        {
            let answer = api
                .send(
                    reqwest::Method::POST,
                    "/api/v1/cases",
                    Some(&token),
                    Some(&new_case_body(&generated)),
                )
                .await?;
            let id = answer.body["id"]
                .as_i64()
                .filter(|_| answer.status == StatusCode::CREATED)
                .ok_or_else(|| {
                    format!("creating a shared case: {} {}", answer.status, answer.body)
                })?;
            cases.push(id);
        }
        shared.push(cases);
    }
    Ok(shared)
}

/// The state a client keeps between its requests.
struct ClientState {
    number: usize,
    rng: StdRng,
    shared_cases: Vec<i64>,
    /// Cases this client may read: the shared ones, its own, and those its last list showed.
    known_cases: Vec<i64>,
    /// Synthetic cases waiting to be opened.
    to_create: Vec<puente_synth::demo::DemoCase>,
    created_batches: u64,
    edits: u64,
    notes: u64,
    /// Per shared case, the body read before the client's own last accepted save of it.
    outdated_reads: HashMap<i64, Value>,
}

async fn run_client(
    options: Arc<Options>,
    number: usize,
    shared_cases: Vec<i64>,
    start: Arc<tokio::sync::Barrier>,
) -> ClientReport {
    let api = Api::new(&options.url);
    let mut report = ClientReport::default();
    let mut state = ClientState {
        number,
        rng: StdRng::seed_from_u64(options.seed * 1_000_003 + number as u64),
        known_cases: shared_cases.clone(),
        shared_cases,
        to_create: Vec::new(),
        created_batches: 0,
        edits: 0,
        notes: 0,
        outdated_reads: HashMap::new(),
    };
    let email = pair_email(number / 2);
    // Users do not all log in at the same moment: the first session of each client is cut short
    // at random, so that the sessions of the clients begin and end at different times.
    let mut session_requests = state.rng.gen_range(1..=options.session_requests);
    // The measurement starts with every client in a session, as in a working day: the first
    // login is made before it and not counted; every later one is.
    let mut session = match api.login(&email, &options.password).await {
        Ok(token) => Some(token),
        Err(error) => {
            report.error(format!("first login: {error}"));
            None
        }
    };
    start.wait().await;
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    while Instant::now() < deadline {
        let token = match session.take() {
            Some(token) => token,
            None => {
                let login = json!({ "email": email, "password": options.password });
                let Some(answer) = api
                    .timed(
                        &mut report,
                        Operation::Login,
                        reqwest::Method::POST,
                        "/api/v1/login",
                        None,
                        Some(&login),
                    )
                    .await
                else {
                    continue;
                };
                let Some(token) = token_of(&answer) else {
                    report.error(format!("login: {} {}", answer.status, answer.body));
                    continue;
                };
                token
            }
        };
        for _ in 0..session_requests {
            if Instant::now() >= deadline {
                break;
            }
            let draw = state.rng.gen_range(0..100);
            match draw {
                0..15 => list_cases(&api, &token, &mut state, &mut report).await,
                15..45 => read_case(&api, &token, &mut state, &mut report).await,
                45..55 => create_case(&api, &token, &mut state, &mut report).await,
                55..75 => add_note(&api, &token, &mut state, &mut report).await,
                _ => edit_shared_case(&api, &token, &mut state, &mut report).await,
            }
        }
        if let Some(answer) = api
            .timed(
                &mut report,
                Operation::Logout,
                reqwest::Method::POST,
                "/api/v1/logout",
                Some(&token),
                None,
            )
            .await
        {
            if answer.status != StatusCode::NO_CONTENT {
                report.error(format!("logout: {}", answer.status));
            }
        }
        session_requests = options.session_requests;
    }
    report
}

async fn list_cases(api: &Api, token: &str, state: &mut ClientState, report: &mut ClientReport) {
    let Some(answer) = api
        .timed_read(
            report,
            Operation::ListCases,
            "/api/v1/cases",
            token,
            "list cases",
        )
        .await
    else {
        return;
    };
    let mut known: BTreeSet<i64> = answer
        .items()
        .filter_map(|case| case["id"].as_i64())
        .collect();
    known.extend(&state.shared_cases);
    state.known_cases = known.into_iter().collect();
}

async fn read_case(api: &Api, token: &str, state: &mut ClientState, report: &mut ClientReport) {
    let case_id = state.known_cases[state.rng.gen_range(0..state.known_cases.len())];
    let path = format!("/api/v1/cases/{case_id}");
    api.timed_read(report, Operation::ReadCase, &path, token, "read case")
        .await;
}

async fn create_case(api: &Api, token: &str, state: &mut ClientState, report: &mut ClientReport) {
    if state.to_create.is_empty() {
        state.created_batches += 1;
        let seed = 7_000_000 + state.number as u64 * 10_000 + state.created_batches;
        state.to_create =
            puente_synth::demo::generate_cases(seed, 50, time::OffsetDateTime::now_utc().date());
    }
    let generated = state.to_create.pop().expect("a generated case");
    let Some(answer) = api
        .timed(
            report,
            Operation::CreateCase,
            reqwest::Method::POST,
            "/api/v1/cases",
            Some(token),
            Some(&new_case_body(&generated)),
        )
        .await
    else {
        return;
    };
    match answer.body["id"].as_i64() {
        Some(id) if answer.status == StatusCode::CREATED => {
            report.created_cases.push(id);
            state.known_cases.push(id);
        }
        _ => report.error(format!("create case: {} {}", answer.status, answer.body)),
    }
}

async fn add_note(api: &Api, token: &str, state: &mut ClientState, report: &mut ClientReport) {
    state.notes += 1;
    let case_id = state.known_cases[state.rng.gen_range(0..state.known_cases.len())];
    let text = format!(
        "Seguimiento telefónico {} del cliente de carga {}.",
        state.notes, state.number
    );
    let path = format!("/api/v1/cases/{case_id}/notes");
    let Some(answer) = api
        .timed(
            report,
            Operation::AddNote,
            reqwest::Method::POST,
            &path,
            Some(token),
            Some(&json!({ "text": text })),
        )
        .await
    else {
        return;
    };
    match answer.body["id"].as_i64() {
        Some(id) if answer.status == StatusCode::CREATED => report.notes.push((case_id, id, text)),
        _ => report.error(format!("add note: {} {}", answer.status, answer.body)),
    }
}

/// Reads a shared case and saves it with a new alias, naming the version read; one time in
/// [`STALE_EDIT_EVERY`], saves instead a copy read before the client's own last save.
async fn edit_shared_case(
    api: &Api,
    token: &str,
    state: &mut ClientState,
    report: &mut ClientReport,
) {
    state.edits += 1;
    let case_id = state.shared_cases[state.rng.gen_range(0..state.shared_cases.len())];
    let path = format!("/api/v1/cases/{case_id}");
    let alias = format!("carga-{}-{}", state.number, state.edits);
    let outdated = state
        .edits
        .is_multiple_of(STALE_EDIT_EVERY)
        .then(|| state.outdated_reads.get(&case_id).cloned())
        .flatten();
    let (mut body, known_outdated) = match outdated {
        Some(body) => (body, true),
        None => {
            let Some(answer) = api
                .timed_read(
                    report,
                    Operation::ReadCase,
                    &path,
                    token,
                    "read case to edit",
                )
                .await
            else {
                return;
            };
            (answer.body, false)
        }
    };
    let Some(base_version) = body["version"].as_i64() else {
        report.error("read case to edit: no version".into());
        return;
    };
    let read = body.clone();
    if let Some(object) = body.as_object_mut() {
        // Consents have their own endpoints: a case update that carries them is refused.
        object.retain(|key, _| !key.starts_with("consent"));
    }
    body["person"]["alias"] = json!(alias);
    let Some(answer) = api
        .timed(
            report,
            Operation::EditCase,
            reqwest::Method::PUT,
            &path,
            Some(token),
            Some(&body),
        )
        .await
    else {
        return;
    };
    match answer.status {
        StatusCode::OK => {
            let new_version = answer.body["version"].as_i64().unwrap_or(-1);
            if known_outdated {
                report.stale_accepted += 1;
            }
            report.edits.push(AcceptedEdit {
                case_id,
                base_version,
                new_version,
                alias,
            });
            state.outdated_reads.insert(case_id, read);
        }
        StatusCode::CONFLICT if answer.body["error"]["code"] == "stale_version" => {
            report.stale_refused += 1;
        }
        status => report.error(format!("edit case: {status} {}", answer.body)),
    }
}

/// What reading everything back found.
#[derive(Debug, Default)]
struct Verification {
    lost_cases: u64,
    lost_notes: u64,
    lost_edits: u64,
    /// Accepted saves made from a version another accepted save of the case was already made from.
    same_base_accepted: u64,
    samples: Vec<String>,
}

impl Verification {
    fn lost(&mut self, what: String) {
        if self.samples.len() < 5 {
            self.samples.push(what);
        }
    }
}

async fn verify(options: &Options, reports: &[ClientReport]) -> Result<Verification, String> {
    let api = Api::new(&options.url);
    let token = api.login(SUPERVISOR, &options.password).await?;
    let mut verification = Verification::default();

    // Every page of the case list, each after the one before (its cursor).
    let mut stored: BTreeSet<i64> = BTreeSet::new();
    let mut path = "/api/v1/cases?per_page=100".to_string();
    loop {
        let listed = api.get(&path, &token).await?;
        if listed.status != StatusCode::OK {
            return Err(format!("GET {path} answered {}", listed.status));
        }
        stored.extend(listed.items().filter_map(|case| case["id"].as_i64()));
        match listed.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/cases?per_page=100&cursor={cursor}"),
            None => break,
        }
    }
    for id in reports.iter().flat_map(|report| &report.created_cases) {
        if !stored.contains(id) {
            verification.lost_cases += 1;
            verification.lost(format!("case {id} was acknowledged and is not stored"));
        }
    }

    let mut notes_by_case: BTreeMap<i64, Vec<(i64, &str)>> = BTreeMap::new();
    for (case_id, note_id, text) in reports.iter().flat_map(|report| &report.notes) {
        notes_by_case
            .entry(*case_id)
            .or_default()
            .push((*note_id, text.as_str()));
    }
    for (case_id, notes) in notes_by_case {
        let answer = api
            .get(&format!("/api/v1/cases/{case_id}/notes"), &token)
            .await?;
        let stored: HashMap<i64, String> = answer
            .items()
            .filter_map(|note| Some((note["id"].as_i64()?, note["text"].as_str()?.to_string())))
            .collect();
        for (note_id, text) in notes {
            if stored.get(&note_id).map(String::as_str) != Some(text) {
                verification.lost_notes += 1;
                verification.lost(format!(
                    "note {note_id} of case {case_id} is not stored as acknowledged"
                ));
            }
        }
    }

    let mut edits_by_case: BTreeMap<i64, Vec<&AcceptedEdit>> = BTreeMap::new();
    for edit in reports.iter().flat_map(|report| &report.edits) {
        edits_by_case.entry(edit.case_id).or_default().push(edit);
    }
    for (case_id, edits) in edits_by_case {
        let mut bases = BTreeSet::new();
        for edit in &edits {
            if !bases.insert(edit.base_version) || edit.new_version != edit.base_version + 1 {
                verification.same_base_accepted += 1;
            }
        }
        let answer = api
            .get(&format!("/api/v1/cases/{case_id}/history"), &token)
            .await?;
        let aliases: HashMap<i64, String> = answer
            .items()
            .filter_map(|version| {
                Some((
                    version["version"].as_i64()?,
                    version["snapshot"]["person"]["alias"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ))
            })
            .collect();
        for edit in edits {
            if aliases.get(&edit.new_version) != Some(&edit.alias) {
                verification.lost_edits += 1;
                verification.lost(format!(
                    "version {} of case {case_id} does not hold the acknowledged save",
                    edit.new_version
                ));
            }
        }
    }
    Ok(verification)
}

fn percentile(sorted: &[u32], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64) * fraction).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

/// One line of the table: requests, their rate, and the latency percentiles of `sorted`.
fn figures_line(out: &mut String, name: &str, sorted: &[u32], elapsed: f64) {
    let _ = writeln!(
        out,
        "  {:<13} {:>8} {:>8.1} {:>9.1} {:>9.1} {:>9.1}",
        name,
        sorted.len(),
        sorted.len() as f64 / elapsed,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        percentile(sorted, 1.0),
    );
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(options)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("load: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the benchmark and prints its figures; says whether no write was lost and no stale save
/// accepted.
async fn run(options: Options) -> Result<bool, String> {
    let setup = Api::new(&options.url);
    let shared = prepare(&options, &setup).await?;
    let options = Arc::new(options);
    let start = Arc::new(tokio::sync::Barrier::new(options.clients + 1));
    let clients: Vec<_> = (0..options.clients)
        .map(|number| {
            tokio::spawn(run_client(
                options.clone(),
                number,
                shared[number / 2].clone(),
                start.clone(),
            ))
        })
        .collect();
    start.wait().await;
    let started = Instant::now();
    let mut reports = Vec::new();
    for client in clients {
        reports.push(client.await.map_err(|error| error.to_string())?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let verification = verify(&options, &reports).await?;

    let mut by_operation: BTreeMap<Operation, Vec<u32>> = BTreeMap::new();
    for report in &reports {
        for (operation, latencies) in &report.latencies {
            by_operation
                .entry(*operation)
                .or_default()
                .extend(latencies);
        }
    }
    let mut all: Vec<u32> = by_operation.values().flatten().copied().collect();
    all.sort_unstable();
    let errors: u64 = reports.iter().map(|report| report.errors).sum();
    let stale_refused: u64 = reports.iter().map(|report| report.stale_refused).sum();
    // An outdated copy accepted also shows as a second accepted save from its version: the larger
    // count holds both kinds.
    let outdated_accepted: u64 = reports.iter().map(|report| report.stale_accepted).sum();
    let stale_accepted = verification.same_base_accepted.max(outdated_accepted);
    let lost = verification.lost_cases + verification.lost_notes + verification.lost_edits;
    let acknowledged_writes: usize = reports
        .iter()
        .map(|report| report.created_cases.len() + report.notes.len() + report.edits.len())
        .sum();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} clients, {:.0} s, sessions of {} requests",
        options.label, options.clients, elapsed, options.session_requests
    );
    let _ = writeln!(
        out,
        "  {:<13} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "operation", "requests", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    for operation in Operation::ALL {
        if let Some(latencies) = by_operation.get_mut(&operation) {
            latencies.sort_unstable();
            figures_line(&mut out, operation.name(), latencies, elapsed);
        }
    }
    figures_line(&mut out, "all", &all, elapsed);
    // A login costs its argon2 work (CPU, on purpose): the same figures without logins show what
    // the rest of the work costs while the logins share the cores.
    let mut without_logins: Vec<u32> = by_operation
        .iter()
        .filter(|(operation, _)| **operation != Operation::Login)
        .flat_map(|(_, latencies)| latencies.iter().copied())
        .collect();
    without_logins.sort_unstable();
    figures_line(&mut out, "all but login", &without_logins, elapsed);
    let _ = writeln!(
        out,
        "  errors {errors}; stale saves refused with 409: {stale_refused}; stale saves accepted: \
         {stale_accepted} ({outdated_accepted} of them outdated copies sent on purpose); lost \
         writes: {lost} of {acknowledged_writes} acknowledged ({} cases, {} notes, {} edits lost)",
        verification.lost_cases, verification.lost_notes, verification.lost_edits
    );
    let _ = writeln!(
        out,
        "RESULT label={} clients={} req_per_s={:.1} p50_ms={:.1} p99_ms={:.1} errors={errors} \
         lost_writes={lost} stale_accepted={stale_accepted} p99_without_logins_ms={:.1}",
        options.label,
        options.clients,
        all.len() as f64 / elapsed,
        percentile(&all, 0.50),
        percentile(&all, 0.99),
        percentile(&without_logins, 0.99),
    );
    print!("{out}");
    for sample in reports
        .iter()
        .flat_map(|report| &report.error_samples)
        .take(5)
        .chain(verification.samples.iter())
    {
        println!("  ! {sample}");
    }
    Ok(lost == 0 && stale_accepted == 0)
}
