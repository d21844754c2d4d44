//! What a request runs with: the configuration, the secrets, the store, the
//! network for deliveries, the time and a seed for ids — all passed in by the
//! edge (or a test), so handlers never reach for a global. Handlers also leave
//! log lines and background tasks here for the edge to print and to run
//! after the response.

use std::cell::{Cell, RefCell};

use doi_core::{Config, EventId, IdKey, Keyring, SubscriberId, Timestamp};

use crate::http::ApiError;
use crate::secrets::Secrets;
use crate::store::Store;

/// An outgoing HTTP POST (a delivery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Where.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: String,
}

/// Sends outgoing requests: `fetch` in the Worker, a recorder in tests.
#[allow(async_fn_in_trait)]
pub trait Net: Clone + 'static {
    /// POSTs `request`; the response status, or why there is none.
    async fn post(&self, request: &Outgoing) -> Result<u16, String>;

    /// GETs `url` (an SNS signing certificate, a subscription confirmation):
    /// the status and body, or why there is none. A network that makes no
    /// GETs (a benchmark's) says so.
    async fn get(&self, url: &str) -> Result<(u16, Vec<u8>), String> {
        Err(format!("this network does not fetch {url}"))
    }

    /// POSTs `request` and reads the answer (Turnstile's siteverify): the
    /// status and body, or why there is none.
    async fn exchange(&self, request: &Outgoing) -> Result<(u16, Vec<u8>), String> {
        Err(format!(
            "this network does not exchange with {}",
            request.url
        ))
    }
}

/// Work that runs after the response (`ctx.waitUntil`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Rebuild a snapshot whose write failed, from the events, with backoff.
    RebuildSnapshot(SubscriberId),
    /// Mail a fresh preference link to this address if it is known
    /// (`hosted::manage`): decided after the answer, so that the answer
    /// cannot tell who is known.
    SendManageLink {
        /// The address typed on `/m` (never logged).
        email: doi_core::Email,
        /// The page's language.
        locale: doi_core::Locale,
    },
}

/// Everything one request runs with.
pub struct Ctx<S: Store, N: Net> {
    /// The parsed `doi.toml`.
    pub config: &'static Config,
    /// Secrets and variables.
    pub secrets: Secrets,
    /// KV (or the in-memory store).
    pub store: S,
    /// Outgoing HTTP.
    pub net: N,
    /// The time of the request.
    pub now: Timestamp,
    /// The origin links point at (`DOI_PUBLIC_URL` or the request's origin).
    pub base_url: String,
    seed: [u8; 32],
    counter: Cell<u32>,
    logs: RefCell<Vec<String>>,
    tasks: RefCell<Vec<Task>>,
    /// Whether this request already saw (or wrote) a fresh pulse.
    pulsed: Cell<bool>,
    /// Consent receipts this request signed (`receipts::SIGN_BUDGET`).
    pub receipts_signed: Cell<u32>,
    /// Changes stored unsigned for want of that budget, with their event
    /// key's metadata, for `receipts::deferred::queue`.
    pub deferred_receipts: RefCell<
        Vec<(
            doi_core::SubscriberId,
            doi_core::EventId,
            Option<serde_json::Value>,
        )>,
    >,
}

impl<S: Store, N: Net> Ctx<S, N> {
    /// A context; `seed` must be unique per request and unpredictable
    /// (random, or derived from a secret random value).
    pub fn new(
        config: &'static Config,
        secrets: Secrets,
        store: S,
        net: N,
        now: Timestamp,
        seed: [u8; 32],
    ) -> Self {
        Ctx {
            config,
            secrets,
            store,
            net,
            now,
            base_url: String::new(),
            seed,
            counter: Cell::new(0),
            receipts_signed: Cell::new(0),
            deferred_receipts: RefCell::new(Vec::new()),
            logs: RefCell::new(Vec::new()),
            tasks: RefCell::new(Vec::new()),
            pulsed: Cell::new(false),
        }
    }

    /// A new random id (derived from the request's seed).
    pub fn fresh_id(&self) -> EventId {
        let n = self.counter.get();
        self.counter.set(n.wrapping_add(1));
        EventId::derive(b"doi fresh v1", &[&self.seed, &n.to_be_bytes()])
    }

    /// The link-signing keys.
    pub fn keyring(&self) -> Result<Keyring, ApiError> {
        self.secrets.keyring()
    }

    /// The subscriber-id key.
    pub fn id_key(&self) -> Result<IdKey, ApiError> {
        self.secrets.id_key()
    }

    /// Records a log line. Callers pass subscriber ids, never addresses.
    pub fn log(&self, line: impl Into<String>) {
        self.logs.borrow_mut().push(line.into());
    }

    /// Queues work for after the response.
    pub fn defer(&self, task: Task) {
        let mut tasks = self.tasks.borrow_mut();
        if !tasks.contains(&task) {
            tasks.push(task);
        }
    }

    /// The log lines so far, emptied.
    pub fn take_logs(&self) -> Vec<String> {
        self.logs.take()
    }

    /// The queued tasks, emptied.
    pub fn take_tasks(&self) -> Vec<Task> {
        self.tasks.take()
    }

    /// Whether the repair pulse was already checked in this request (a batch
    /// of changes reads it once); marks it checked.
    pub fn pulse_checked(&self) -> bool {
        self.pulsed.replace(true)
    }
}
