//! The notice (一次告知单) as a whole answer: its 办理流程 from the
//! catalog, its 咨询电话 from the hall's kiosk.toml (（待核实） until set).

use crate::common::visit;
use onevisit_core::catalog::{Catalog, Consult, Verified};
use onevisit_core::visit::session::SessionController;
use std::collections::BTreeMap;

fn hall_consult() -> BTreeMap<String, Consult> {
    BTreeMap::from([(
        "market".to_string(),
        Consult {
            phone: Some("0393-8888888".into()),
            hours: Some("工作日 9:00—17:00".into()),
            verified: Verified::Flag(false),
        },
    )])
}

#[test]
fn the_notice_carries_each_items_process_from_the_catalog() {
    let mut c = SessionController::new(Catalog::load_default().unwrap());
    visit::to_notice(&mut c, "B01");
    let n = c.notice().unwrap();
    let company = n
        .items
        .iter()
        .find(|i| i.code == "company_registration")
        .expect("the typical B01 path registers a company");
    let steps: Vec<&str> = company.process.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(steps, ["受理", "审查登记", "签发营业执照", "统一发证"]);
    assert!(company.process.iter().all(|s| s.verified.is_verified()));
    let food = n
        .items
        .iter()
        .find(|i| i.code == "food_business_licence")
        .unwrap();
    assert!(food.process.iter().any(|s| s.name == "现场核查"));
}

#[test]
fn the_halls_consult_phones_replace_the_catalogs_and_survive_a_catalog_update() {
    let catalog = Catalog::load_default().unwrap();
    let (mut c, unknown) = SessionController::new(catalog.clone()).with_consult(hall_consult());
    assert!(unknown.is_empty());
    visit::to_notice(&mut c, "B01");
    let n = c.notice().unwrap();
    assert_eq!(
        n.consult[0].department, n.lead_department.id,
        "the lead first"
    );
    let market = n.consult.iter().find(|l| l.department == "market").unwrap();
    assert_eq!(market.phone.as_deref(), Some("0393-8888888"));
    assert_eq!(market.hours.as_deref(), Some("工作日 9:00—17:00"));
    assert!(market.verified, "set by the hall");
    let ids: Vec<&str> = n.consult.iter().map(|l| l.department.as_str()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "each department once");
    // Without the hall's setting: no phone, unverified.
    let mut plain = SessionController::new(catalog.clone());
    visit::to_notice(&mut plain, "B01");
    let line = plain.notice().unwrap().consult[0].clone();
    assert!(line.phone.is_none() && !line.verified);
    // A catalog update between visits keeps the hall's phones.
    c.finish();
    assert!(c.replace_catalog(catalog));
    visit::to_notice(&mut c, "B01");
    assert!(c.notice().unwrap().consult[0].verified);
    // An id the catalog lacks is returned, not silently taken.
    let mut bad = hall_consult();
    bad.insert("nowhere".into(), Consult::default());
    let (_, unknown) = SessionController::new(Catalog::load_default().unwrap()).with_consult(bad);
    assert_eq!(unknown, ["nowhere"]);
}
