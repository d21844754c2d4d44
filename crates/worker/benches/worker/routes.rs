//! Criterion: each route's own CPU through `app::handle`, and the steps of
//! `/v1/check` per address.

use std::cell::Cell;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use doi_core::Timestamp;
use doi_worker::subscribers::Snapshot;

use crate::harness::{one_click, routes, subscribe_request, World, NOW};

pub fn per_route(c: &mut Criterion) {
    let world = World::new();
    world.seed(0, 1_000);
    for (label, req) in routes(&world) {
        let id = format!("route/{label}");
        if label.starts_with("POST /u/") {
            // A write: each iteration on a fresh store holding one subscriber.
            c.bench_function(&id, |b| {
                b.iter_batched(
                    || {
                        let fresh = World::new();
                        fresh.seed(0, 2);
                        let token = fresh.token_of(1, "unsubscribe_url");
                        (fresh, one_click(&token))
                    },
                    |(fresh, req)| fresh.handle(black_box(&req)),
                    BatchSize::SmallInput,
                )
            });
        } else if label == "POST /v1/subscribe" {
            let n = Cell::new(0);
            c.bench_function(&id, |b| {
                b.iter_batched(
                    || {
                        n.set(n.get() + 1);
                        subscribe_request(1_000_000 + n.get())
                    },
                    |req| world.handle(black_box(&req)),
                    BatchSize::SmallInput,
                )
            });
        } else {
            c.bench_function(&id, |b| b.iter(|| world.handle(black_box(&req))));
        }
    }
    check_parts(c, &world);
    let import = format!(
        "route/POST /v1/import ×{} (new subscribers)",
        doi_core::limits::CHANGE_BATCH
    );
    c.bench_function(&import, |b| {
        b.iter_batched(
            World::new,
            |fresh| fresh.seed(0, doi_core::limits::CHANGE_BATCH),
            BatchSize::LargeInput,
        )
    });
}

/// Where `/v1/check`'s time goes, per address: the steps of `api::check`.
fn check_parts(c: &mut Criterion, world: &World) {
    let key = world
        .store
        .inner
        .keys()
        .into_iter()
        .find(|k| k.starts_with("snap/"))
        .expect("seeded");
    let snapshot = world.store.inner.peek(&key).expect("seeded");
    let id_key = world.secrets.id_key().expect("local secrets");
    let request = doi_core::SendRequest {
        list: doi_core::ListId::parse("newsletter").expect("a slug"),
        topic: doi_core::TopicId::parse("product"),
        frequency: None,
    };
    let state = Snapshot::parse(&snapshot).expect("a snapshot").state;
    c.bench_function("check, per address/parse the snapshot", |b| {
        b.iter(|| Snapshot::parse(black_box(&snapshot)))
    });
    c.bench_function("check, per address/parse the address, derive its id", |b| {
        b.iter(|| {
            id_key.subscriber_id(
                &doi_core::Email::parse(black_box("reader.7@scale.example")).expect("valid"),
            )
        })
    });
    c.bench_function("check, per address/may_send", |b| {
        b.iter(|| doi_core::may_send(black_box(&state), &request, Timestamp(NOW)))
    });
}
