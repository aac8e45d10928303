//! Speed of the core, against the targets of the foundation issue:
//! catalog load + validation < 5 ms, one guide step < 50 µs, a full merged
//! form built and validated < 1 ms; and the time to enumerate every path of
//! all 13 bundles. Run: `cargo bench -p onevisit-core --bench core`.

use criterion::{Criterion, criterion_group, criterion_main};
use onevisit_core::applicant::Applicant;
use onevisit_core::catalog::{Catalog, load_dir};
use onevisit_core::form::{self, FormValues};
use onevisit_core::guide::{self, Answers, Outcome};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn catalog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let dir = catalog_dir();
    c.bench_function("catalog load + validation (target < 5 ms)", |b| {
        b.iter(|| load_dir(black_box(&dir)).unwrap())
    });

    let catalog: Catalog = load_dir(&dir).unwrap();
    let mid_way: Answers = [("new_entity", "new"), ("entity_type", "company")]
        .into_iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect();
    c.bench_function(
        "one guide step to the next question (target < 50 µs)",
        |b| b.iter(|| guide::step(&catalog, "B01", black_box(&mid_way)).unwrap()),
    );
    let answers: Answers = toml::from_str(&fixture("b01-answers.toml")).unwrap();
    c.bench_function("one guide step to the notice (target < 50 µs)", |b| {
        b.iter(|| guide::step(&catalog, "B01", black_box(&answers)).unwrap())
    });

    c.bench_function("enumerate every path of all 13 bundles", |b| {
        b.iter(|| {
            catalog
                .bundles
                .iter()
                .map(|bundle| guide::enumerate(&catalog, bundle).len())
                .sum::<usize>()
        })
    });

    let Outcome::Notice { notice } = guide::step(&catalog, "B01", &answers).unwrap() else {
        panic!("fixture answers must end in a notice");
    };
    let applicant: Applicant = serde_json::from_str(&fixture("applicant.json")).unwrap();
    let values: FormValues = toml::from_str(&fixture("b01-values.toml")).unwrap();
    c.bench_function(
        "build + validate a full merged form, generate applications (target < 1 ms)",
        |b| {
            b.iter(|| {
                let f = form::build_form(&catalog, black_box(&notice), &applicant);
                let checked = form::validate_form(&f, black_box(&values)).unwrap();
                form::applications(&catalog, &notice, &f, &checked)
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
