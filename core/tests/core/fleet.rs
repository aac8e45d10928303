//! Fleet commands in the session, on a real staff database: a signed
//! command goes through the gate and `SessionController::remote_command`;
//! a reset never interrupts an applicant; out of service and back; help
//! answered; the state built from the overview holds no personal data.

use crate::common::visit::to_notice;
use crate::common::*;
use onevisit_core::fleet::{
    Action, Command, CommandGate, FleetError, KioskState, Token, command::DEFAULT_LIFETIME_MS,
};
use onevisit_core::signing;
use onevisit_core::staff::{Clock, ManualClock, StaffGate};
use onevisit_core::visit::{Page, SessionController, StaffServices};
use std::sync::Arc;

struct Kiosk {
    _dir: tempfile::TempDir,
    c: SessionController,
    gate: CommandGate,
    key: signing::SigningKey,
    clock: Arc<ManualClock>,
}

fn kiosk() -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(T0));
    let d = desk(dir.path(), clock.clone());
    let staff_gate = StaffGate::new(d.store().clone(), None, clock.clone()).unwrap();
    let ob = Arc::new(outbox(dir.path()));
    let key = signing::generate();
    let gate = CommandGate::new(
        &d,
        Token::new("hualong").unwrap(),
        Token::new("K0101").unwrap(),
        vec![key.verifying_key()],
    );
    let mut c = SessionController::new(catalog().clone());
    c.attach_staff(StaffServices::new(d, staff_gate, ob));
    Kiosk {
        _dir: dir,
        c,
        gate,
        key,
        clock,
    }
}

fn send(k: &mut Kiosk, action: Action) -> Result<(), FleetError> {
    let signed = Command::new(
        Token::new("hualong").unwrap(),
        Token::new("K0101").unwrap(),
        action,
        k.clock.now_ms(),
        DEFAULT_LIFETIME_MS,
    )
    .sign(&k.key)
    .to_json();
    let c = &mut k.c;
    let r = k.gate.handle(&signed, |cmd| c.remote_command(cmd.action));
    match r.error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

fn state(k: &Kiosk) -> KioskState {
    let s = k.c.staff().services().unwrap();
    let o = s
        .desk
        .overview(None, &s.outbox, None, Some("2026.11-1".into()))
        .unwrap();
    KioskState::from_overview(&o).unwrap()
}

#[test]
fn a_reset_waits_for_the_applicant_and_then_wipes() {
    let mut k = kiosk();
    to_notice(&mut k.c, "B01");
    assert!(k.c.mid_visit());
    assert_eq!(send(&mut k, Action::Reset), Err(FleetError::KioskBusy));
    assert_eq!(
        send(&mut k, Action::PrintTestPage),
        Err(FleetError::KioskBusy)
    );
    assert_eq!(k.c.page(), Page::Notice, "the visit goes on");
    assert!(!k.c.take_reset_request());
    assert!(k.c.take_print_jobs().is_empty());

    k.c.wipe();
    assert_eq!(send(&mut k, Action::Reset), Ok(()));
    assert!(
        k.c.take_reset_request(),
        "the glue reinitialises the devices"
    );
    assert_eq!(send(&mut k, Action::PrintTestPage), Ok(()));
    assert_eq!(k.c.take_print_jobs().len(), 1);
    let audit: Vec<String> =
        k.c.staff()
            .services()
            .unwrap()
            .desk
            .audit()
            .recent(4)
            .unwrap()
            .into_iter()
            .map(|a| format!("{} {} {}", a.who, a.action, a.result))
            .collect();
    assert_eq!(
        audit,
        [
            "hall fleet print_test_page ok",
            "hall fleet reset ok",
            "hall fleet print_test_page refused: fleet.kiosk_busy",
            "hall fleet reset refused: fleet.kiosk_busy",
        ]
    );
}

#[test]
fn out_of_service_and_back_and_help_answered() {
    let mut k = kiosk();
    assert_eq!(k.c.page(), Page::Welcome);
    assert_eq!(send(&mut k, Action::OutOfService), Ok(()));
    assert_eq!(k.c.page(), Page::OutOfService);
    assert!(state(&k).out_of_service);
    assert_eq!(send(&mut k, Action::InService), Ok(()));
    assert_eq!(k.c.page(), Page::Welcome);
    assert!(!state(&k).out_of_service);

    k.c.start();
    k.c.call_staff();
    let s = state(&k);
    assert_eq!(s.help.open, 1);
    assert_eq!(send(&mut k, Action::AckHelp), Ok(()), "even mid-visit");
    assert_eq!(state(&k).help.open, 0);
    assert_eq!(
        send(&mut k, Action::FetchCatalog),
        Err(FleetError::Unsupported),
        "the session has no catalog source: the binary does that"
    );
}

#[test]
fn the_published_state_holds_no_personal_data() {
    let mut k = kiosk();
    to_notice(&mut k.c, "B01");
    k.c.call_staff();
    let json = serde_json::to_string(&state(&k)).unwrap();
    let card = sample_card();
    for secret in [
        card.name.as_str(),
        card.id_number.as_str(),
        &card.id_number[14..],
    ] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(json.contains("\"kiosk\":\"K0101\""), "{json}");
}
