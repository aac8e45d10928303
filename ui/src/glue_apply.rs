//! The applying half of the glue: the form pages, pickers, materials,
//! review and done pages, mirrored from the controller like the rest
//! (see [`super::glue`]).

use super::glue::{Kiosk, sync_model};
use super::{
    ApplyState, DoneState, FieldRow, FormState, MaterialPlanRow, PickOption, ReviewRow, RowKind,
};
use crate::apply::{self, Application, DatePick, FieldPath, Provision};
use crate::controller::{Done, Page as CPage, PrintStatus, RATING_REASONS, SessionController};
use onevisit_core::applicant::PrefillSource;
use onevisit_core::form::merged::ShapeView;
use onevisit_core::form::{FormError, FormField};
use slint::{ComponentHandle, SharedString};
use std::rc::{Rc, Weak};

/// The keyboard for a typed kind, and how long its text may be: the
/// form's own rule (`onevisit_core::form::input::input_for`).
pub use onevisit_core::form::input::input_for as keyboard_for;

fn with(weak: &Weak<Kiosk>, f: impl FnOnce(&Kiosk)) {
    if let Some(k) = weak.upgrade() {
        f(&k);
    }
}

impl Kiosk {
    /// Opens the keyboard when the field being edited is typed, and closes
    /// one left open for another field when it is not: a tap on a date or
    /// a choice above the keyboard opens its picker, which the keyboard
    /// would otherwise cover. What was typed is already in the form (each
    /// key sends it).
    pub fn open_text_input(self: &Rc<Self>) {
        let (path, kind, text, label) = {
            let c = self.controller();
            let Some((path, kind, text)) = editing(&c) else {
                return;
            };
            let label = c
                .application()
                .and_then(|a| a.label(&path))
                .unwrap_or_default();
            (path, kind, text, label)
        };
        let Some((layout, max)) = keyboard_for(&kind) else {
            self.keyboard.close();
            return;
        };
        let w = Rc::downgrade(self);
        let p = path.clone();
        let on_change = move |text: String| with(&w, |k| k.update(|c| c.set_field(&p, &text)));
        let w = Rc::downgrade(self);
        let on_done = move |_text: String| with(&w, |k| k.update(SessionController::edit_done));
        self.keyboard.open(layout, &text, max, on_change, on_done);
        self.keyboard.set_label(&label);
    }

    pub(super) fn close_text_input(&self) {
        self.keyboard.close();
    }

    pub(super) fn install_apply_callbacks(self: &Rc<Self>) {
        let form = self.window().global::<FormState>();
        let w = Rc::downgrade(self);
        form.on_edit(move |path| {
            if let Some(k) = w.upgrade()
                && let Some(p) = FieldPath::decode(&path)
            {
                k.update(|c| c.edit(p));
                k.open_text_input();
            }
        });
        let w = Rc::downgrade(self);
        form.on_add_record(move |list| with(&w, |k| k.update(|c| c.add_record(&list))));
        let w = Rc::downgrade(self);
        form.on_accept_offer(move |path| {
            if let Some(p) = FieldPath::decode(&path) {
                with(&w, |k| k.update(|c| c.accept_offer(&p)));
            }
        });
        let w = Rc::downgrade(self);
        form.on_accept_record_offer(move |list, i| {
            with(&w, |k| {
                k.update(|c| c.accept_record_offer(&list, i.max(0) as usize))
            })
        });
        let w = Rc::downgrade(self);
        form.on_remove_record(move |list, i| {
            with(&w, |k| {
                k.update(|c| c.remove_record(&list, i.max(0) as usize))
            })
        });
        let w = Rc::downgrade(self);
        form.on_pick(move |id| {
            with(&w, |k| {
                k.update(|c| {
                    let Some((path, kind, text)) = editing(c) else {
                        return;
                    };
                    let multi = matches!(
                        kind,
                        onevisit_core::form::kind::FieldKind::MultiChoice { .. }
                    );
                    c.set_field(&path, &apply::pick(&kind, &text, &id));
                    if !multi {
                        c.edit_done();
                    }
                })
            })
        });
        let w = Rc::downgrade(self);
        form.on_date_step(move |part, delta| {
            with(&w, |k| {
                k.update(|c| edit_date(c, |d| d.step(&part, delta)));
            })
        });
        let w = Rc::downgrade(self);
        form.on_date_open_ended_toggle(move || {
            with(&w, |k| {
                k.update(|c| edit_date(c, DatePick::toggle_open_ended))
            })
        });
        let w = Rc::downgrade(self);
        form.on_edit_done(move || {
            with(&w, |k| {
                k.close_text_input();
                k.update(SessionController::edit_done)
            })
        });
        let w = Rc::downgrade(self);
        form.on_next(move || {
            with(&w, |k| {
                k.close_text_input();
                k.update(SessionController::form_next)
            })
        });

        let a = self.window().global::<ApplyState>();
        let w = Rc::downgrade(self);
        a.on_toggle_later(move |m| with(&w, |k| k.update(|c| c.toggle_later(&m))));
        let w = Rc::downgrade(self);
        a.on_materials_next(move || with(&w, |k| k.update(SessionController::materials_next)));
        let w = Rc::downgrade(self);
        a.on_review_edit(move |s| with(&w, |k| k.update(|c| c.review_edit(s.max(0) as usize))));
        let w = Rc::downgrade(self);
        a.on_toggle_declaration(move || {
            with(&w, |k| k.update(SessionController::toggle_declaration))
        });
        let w = Rc::downgrade(self);
        a.on_submit(move || {
            with(&w, |k| {
                k.update(SessionController::submit);
                k.send_print_jobs();
            })
        });

        let d = self.window().global::<DoneState>();
        let w = Rc::downgrade(self);
        d.on_rate(move |s| with(&w, |k| k.update(|c| c.rate(s.clamp(0, 5) as u8))));
        let w = Rc::downgrade(self);
        d.on_reason(move |r| with(&w, |k| k.update(|c| c.rate_reason(&r))));
        let w = Rc::downgrade(self);
        d.on_send_rating(move || with(&w, |k| k.update(SessionController::send_rating)));
        let w = Rc::downgrade(self);
        d.on_reprint(move || {
            with(&w, |k| {
                k.update(SessionController::reprint_receipt);
                k.send_print_jobs();
            })
        });
    }

    /// Mirrors the applying pages. Every model is rewritten (or emptied)
    /// on every refresh, so nothing outlives the controller's state.
    pub(super) fn refresh_apply(&self, c: &SessionController) {
        let w = self.window();
        let on_form = c.page() == CPage::Form;
        let f = w.global::<FormState>();
        let message: SharedString = c.message().unwrap_or_default().into();
        match c.application().filter(|_| on_form) {
            Some(a) => show_form(&f, c, a),
            None => {
                f.set_bundle_name(SharedString::new());
                f.set_section_title(SharedString::new());
                f.set_section(0);
                f.set_sections(0);
                sync_model(f.get_rows(), Vec::new(), |m| f.set_rows(m));
                open_at_top(&f);
            }
        }
        f.set_message(if on_form {
            message.clone()
        } else {
            SharedString::new()
        });
        show_pickers(&f, c);

        let ap = w.global::<ApplyState>();
        let app = c.application();
        let materials = app
            .filter(|_| matches!(c.page(), CPage::Materials | CPage::Review))
            .map(|a| material_rows(a, self.has_camera()))
            .unwrap_or_default();
        sync_model(ap.get_materials(), materials, |m| ap.set_materials(m));
        ap.set_later_deadline(
            app.map(|a| a.later_deadline().format("%Y-%m-%d").to_string())
                .unwrap_or_default()
                .into(),
        );
        let review = app
            .filter(|_| c.page() == CPage::Review)
            .map(|a| review_rows(a, c.reveal_ids()))
            .unwrap_or_default();
        sync_model(ap.get_review(), review, |m| ap.set_review(m));
        ap.set_declared(app.is_some_and(Application::declared));
        let on_apply_pages = matches!(c.page(), CPage::Materials | CPage::Review);
        ap.set_message(if on_apply_pages {
            message.clone()
        } else {
            SharedString::new()
        });

        let d = w.global::<DoneState>();
        match c.done() {
            Some(done) => {
                show_done(&d, done, c.print_status());
                d.set_can_reprint(c.can_reprint());
            }
            None => {
                d.set_can_reprint(false);
                d.set_receipt(SharedString::new());
                d.set_bundle_name(SharedString::new());
                d.set_window(SharedString::new());
                sync_model(d.get_next_steps(), Vec::new(), |m| d.set_next_steps(m));
                d.set_print_status(SharedString::new());
                d.set_print_failed(false);
                d.set_score(0);
                d.set_ask_reason(false);
                sync_model(d.get_reasons(), Vec::new(), |m| d.set_reasons(m));
                d.set_rated(false);
                d.set_seconds_left(0);
            }
        }
        d.set_message(if c.page() == CPage::Done {
            message
        } else {
            SharedString::new()
        });
    }
}

/// The field being edited, its kind and its current text.
fn editing(
    c: &SessionController,
) -> Option<(FieldPath, onevisit_core::form::kind::FieldKind, String)> {
    let path = c.editing()?.clone();
    let a = c.application()?;
    let kind = a.kind(&path)?.clone();
    let text = a.text(&path);
    Some((path, kind, text))
}

fn edit_date(c: &mut SessionController, f: impl FnOnce(&mut DatePick)) {
    let Some((path, kind, text)) = editing(c) else {
        return;
    };
    if let Some(mut d) = DatePick::parse(&kind, &text, onevisit_core::calendar::today()) {
        f(&mut d);
        c.set_field(&path, &d.text());
    }
}

fn show_pickers(f: &FormState, c: &SessionController) {
    let current = editing(c).filter(|_| c.page() == CPage::Form);
    // The picker names the field being chosen: 出资方式, not the list
    // (股东) it belongs to.
    let title = |p: &FieldPath| c.application().and_then(|a| a.label(p)).unwrap_or_default();
    match current
        .as_ref()
        .and_then(|(p, k, t)| Some((p, apply::picker_options(k)?, t)))
    {
        Some((path, (options, multi), text)) => {
            f.set_picker_visible(true);
            f.set_picker_title(title(path).into());
            f.set_picker_multi(multi);
            let chosen: Vec<&str> = text.split(',').map(str::trim).collect();
            let rows = options
                .into_iter()
                .map(|(id, label)| PickOption {
                    selected: chosen.contains(&id.as_str()),
                    id: id.into(),
                    label: label.into(),
                })
                .collect();
            sync_model(f.get_picker_options(), rows, |m| f.set_picker_options(m));
        }
        None => {
            f.set_picker_visible(false);
            f.set_picker_title(SharedString::new());
            f.set_picker_multi(false);
            sync_model(f.get_picker_options(), Vec::new(), |m| {
                f.set_picker_options(m)
            });
        }
    }
    let today = onevisit_core::calendar::today();
    match current
        .as_ref()
        .and_then(|(p, k, t)| Some((p, DatePick::parse(k, t, today)?)))
    {
        Some((path, d)) => {
            use chrono::Datelike;
            f.set_date_visible(true);
            f.set_date_title(title(path).into());
            f.set_date_range(d.range);
            f.set_date_start_year(d.start.year());
            f.set_date_start_month(d.start.month() as i32);
            f.set_date_start_day(d.start.day() as i32);
            let end = d.end.unwrap_or(d.start);
            f.set_date_end_year(end.year());
            f.set_date_end_month(end.month() as i32);
            f.set_date_end_day(end.day() as i32);
            f.set_date_open_ended(d.range && d.end.is_none());
        }
        None => {
            f.set_date_visible(false);
            f.set_date_title(SharedString::new());
            f.set_date_range(false);
            for set in [
                FormState::set_date_start_year,
                FormState::set_date_start_month,
                FormState::set_date_start_day,
                FormState::set_date_end_year,
                FormState::set_date_end_month,
                FormState::set_date_end_day,
            ] {
                set(f, 0);
            }
            f.set_date_open_ended(false);
        }
    }
}

fn placeholder(field: &FormField) -> &'static str {
    match &field.shape {
        ShapeView::Kind(k) if apply::picker_options(k).is_some() => "点击选择",
        ShapeView::Kind(
            onevisit_core::form::kind::FieldKind::Date
            | onevisit_core::form::kind::FieldKind::DateRange,
        ) => "点击选择日期",
        _ => "点击填写",
    }
}

fn field_row(
    a: &Application,
    c: &SessionController,
    field: &FormField,
    path: FieldPath,
    errors: &[FormError],
) -> FieldRow {
    let text = a.text(&path);
    let empty = text.trim().is_empty();
    let (value, masked) = match &field.shape {
        ShapeView::Kind(k) => apply::screen_value(k, &text, c.reveal_ids()),
        ShapeView::Records { .. } => (text, false),
    };
    FieldRow {
        kind: RowKind::Field,
        label: field.label.clone().into(),
        value: value.into(),
        placeholder: placeholder(field).into(),
        prefilled: match a.prefilled_from(&path) {
            Some(PrefillSource::IdCard) => "来自身份证".into(),
            Some(PrefillSource::Licence) => "来自营业执照".into(),
            Some(PrefillSource::Questionnaire) => "按您的回答".into(),
            Some(PrefillSource::Bundle) => "按所办事项".into(),
            None => SharedString::new(),
        },
        error: a.shown_error(&path, errors).unwrap_or_default().into(),
        // The one-tap offer, while the field is still empty.
        offer: a
            .offer(&path)
            .filter(|_| empty)
            .map(|(label, _)| label)
            .unwrap_or_default()
            .into(),
        masked,
        required: field.required,
        editing: c.editing() == Some(&path),
        in_record: path.record.is_some(),
        path: path.encode().into(),
        list: SharedString::new(),
        index: 0,
        removable: false,
    }
}

fn list_row(kind: RowKind, label: String, list: &str, index: usize, removable: bool) -> FieldRow {
    FieldRow {
        kind,
        path: SharedString::new(),
        label: label.into(),
        value: SharedString::new(),
        placeholder: SharedString::new(),
        prefilled: SharedString::new(),
        error: SharedString::new(),
        offer: SharedString::new(),
        masked: false,
        required: false,
        editing: false,
        in_record: false,
        list: list.into(),
        index: index as i32,
        removable,
    }
}

/// A page of the form opens scrolled to its top, with no room kept for a
/// keyboard opened on the page before. Set here, in the same update as the
/// page's rows, so the applicant's first tap lands on what is drawn (a
/// scroll reset left to a change handler in the page raced that tap).
fn open_at_top(f: &FormState) {
    f.set_scroll_y(0.0);
    f.set_tail(0.0);
}

fn show_form(f: &FormState, c: &SessionController, a: &Application) {
    let errors = a.all_errors();
    let index = a.section_index();
    let Some(section) = a.form().sections.get(index) else {
        return;
    };
    f.set_bundle_name(a.notice().bundle.name.clone().into());
    f.set_section_title(section.title.clone().into());
    if f.get_section() != index as i32 + 1 {
        open_at_top(f);
    }
    f.set_section(index as i32 + 1);
    f.set_sections(a.section_count() as i32);
    let mut rows = Vec::new();
    for field in section.fields.iter().filter(|f| a.shown(f)) {
        match &field.shape {
            ShapeView::Kind(_) => rows.push(field_row(
                a,
                c,
                field,
                FieldPath::scalar(&field.id),
                &errors,
            )),
            ShapeView::Records { fields, min, max } => {
                let records = a.records(&field.id);
                let min = if field.required { (*min).max(1) } else { *min };
                if records.is_empty() {
                    // The list's own problem (至少填写1条) under its name.
                    let mut heading = field_row(a, c, field, FieldPath::scalar(&field.id), &errors);
                    heading.value = "还没有填写".into();
                    heading.kind = RowKind::RecordHeading;
                    heading.label = format!("{}（至少 {min} 条）", field.label).into();
                    // 同申请人 on the empty list adds its first record.
                    heading.offer = a.record_offer(&field.id).unwrap_or_default().into();
                    heading.list = field.id.clone().into();
                    heading.index = 0;
                    rows.push(heading);
                }
                for n in 0..records.len() {
                    let mut heading = list_row(
                        RowKind::RecordHeading,
                        format!("{} 第 {} 条", field.label, n + 1),
                        &field.id,
                        n,
                        records.len() > min,
                    );
                    // Only on the first record: one applicant is one person.
                    if n == 0 {
                        heading.offer = a.record_offer(&field.id).unwrap_or_default().into();
                    }
                    rows.push(heading);
                    for sub in fields {
                        rows.push(field_row(
                            a,
                            c,
                            sub,
                            FieldPath::in_record(&field.id, n, &sub.id),
                            &errors,
                        ));
                    }
                }
                if records.len() < *max {
                    rows.push(list_row(
                        RowKind::AddRecord,
                        field.label.clone(),
                        &field.id,
                        0,
                        false,
                    ));
                }
            }
        }
    }
    sync_model(f.get_rows(), rows, |m| f.set_rows(m));
}

/// `camera`: the kiosk has a document camera (materials it may take get
/// a 拍照 button).
fn material_rows(a: &Application, camera: bool) -> Vec<MaterialPlanRow> {
    a.materials()
        .into_iter()
        .map(|m| {
            let how = m.how(camera);
            let later = matches!(m.provision, Provision::Later(_));
            MaterialPlanRow {
                id: m.id.into(),
                name: m.name.into(),
                detail: m.detail.into(),
                source: m.source.into(),
                how: how.into(),
                may_come_later: m.may_come_later,
                later,
                can_capture: camera && m.may_capture,
                pages: match m.provision {
                    Provision::Captured(n) => n as i32,
                    _ => 0,
                },
            }
        })
        .collect()
}

/// The review page's rows; identity numbers masked unless `reveal` (the
/// eye button held).
fn review_rows(a: &Application, reveal: bool) -> Vec<ReviewRow> {
    let row =
        |heading: bool, section: i32, label: String, (value, masked): (String, bool)| ReviewRow {
            heading,
            section,
            label: label.into(),
            value: value.into(),
            masked,
        };
    let plain = |value: String| (value, false);
    let mut rows = Vec::new();
    for (i, s) in a.form().sections.iter().enumerate() {
        rows.push(row(true, i as i32, s.title.clone(), plain(String::new())));
        for field in s.fields.iter().filter(|f| a.shown(f)) {
            match &field.shape {
                ShapeView::Kind(k) => {
                    let text = a.text(&FieldPath::scalar(&field.id));
                    if !text.is_empty() {
                        rows.push(row(
                            false,
                            -1,
                            field.label.clone(),
                            apply::screen_value(k, &text, reveal),
                        ));
                    }
                }
                ShapeView::Records { fields, .. } => {
                    for (n, rec) in a.records(&field.id).iter().enumerate() {
                        let mut masked = false;
                        let value = fields
                            .iter()
                            .filter_map(|sub| {
                                let t = rec.get(&sub.id).filter(|t| !t.is_empty())?;
                                let shown = match &sub.shape {
                                    ShapeView::Kind(k) => {
                                        let (shown, hides) = apply::screen_value(k, t, reveal);
                                        masked |= hides;
                                        shown
                                    }
                                    ShapeView::Records { .. } => t.clone(),
                                };
                                Some(format!("{}：{}", sub.label, shown))
                            })
                            .collect::<Vec<_>>()
                            .join("；");
                        rows.push(row(
                            false,
                            -1,
                            format!("{} 第 {} 条", field.label, n + 1),
                            (value, masked),
                        ));
                    }
                }
            }
        }
    }
    rows.push(row(true, -1, "材料".into(), plain(String::new())));
    for m in a.materials() {
        // At review a paper not photographed is one to carry.
        let how = m.how(false);
        rows.push(row(false, -1, m.name, plain(how)));
    }
    rows
}

fn show_done(d: &DoneState, done: &Done, print: &PrintStatus) {
    d.set_receipt(done.receipt.clone().into());
    d.set_bundle_name(done.bundle_name.clone().into());
    d.set_window(done.window.clone().into());
    let mut steps = vec![format!("请带齐材料到{}核验，各部门同步办理", done.window)];
    if let Some(deadline) = &done.deadline {
        steps.push(format!(
            "容缺材料请在 {deadline} 前补交：{}",
            done.later.join("、")
        ));
    }
    steps.push("凭受理编号或回执上的二维码，可在本机“办件查询”查看进度".into());
    sync_model(
        d.get_next_steps(),
        steps.into_iter().map(SharedString::from).collect(),
        |m| d.set_next_steps(m),
    );
    let (text, failed) = match print {
        PrintStatus::Idle => (String::new(), false),
        PrintStatus::Printing => ("正在打印回执，请稍候…".into(), false),
        PrintStatus::Printed => ("回执已打印，请从出纸口取走".into(), false),
        PrintStatus::Failed(why) => (
            format!(
                "{why}。请记下上面的受理编号；打印机恢复后本页可补打回执，也可到窗口凭编号补打。"
            ),
            true,
        ),
    };
    d.set_print_status(text.into());
    d.set_print_failed(failed);
    d.set_score(done.score.map_or(0, i32::from));
    let ask = done.score.is_some_and(|s| s <= 2);
    d.set_ask_reason(ask);
    let reasons = if ask {
        RATING_REASONS
            .iter()
            .map(|r| PickOption {
                id: (*r).into(),
                label: (*r).into(),
                selected: done.reason.as_deref() == Some(r),
            })
            .collect()
    } else {
        Vec::new()
    };
    sync_model(d.get_reasons(), reasons, |m| d.set_reasons(m));
    d.set_rated(done.rated);
    d.set_seconds_left(done.seconds_left() as i32);
}
