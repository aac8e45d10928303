//! The platform's shared data on existing business licences (电子证照), as
//! a few sample licences: a kiosk that scans one of these QR codes gets its
//! 主体名称, 住所, 主体类型 and 经营范围 filled in. A real platform answers
//! from the market regulator's register; the contract is the same
//! (`GET /v1/licences/{uscc}`, docs/platform-api.md).

use super::api_error;
use axum::extract::Path as UrlPath;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use onevisit_core::platform::contract::SharedLicence;
use onevisit_core::visit::materials::HeldLicence;

/// The sample licences: made-up businesses with valid credit codes
/// (GB 32100-2015 check character), none of them real.
pub fn samples() -> Vec<SharedLicence> {
    let licence =
        |uscc: &str, name: &str, rep: &str, address: &str, scope: &str, kind: &str| SharedLicence {
            uscc: uscc.into(),
            name: name.into(),
            legal_representative: rep.into(),
            address: address.into(),
            scope: Some(scope.into()),
            entity_type: Some(kind.into()),
        };
    vec![
        licence(
            "91410902MA45PY0H16",
            "濮阳市华龙区示例餐饮有限公司",
            "王示例",
            "河南省濮阳市华龙区胜利路100号",
            "餐饮服务；食品销售",
            "llc",
        ),
        licence(
            "91410902MA46C7RD4G",
            "濮阳市示例大药房有限公司华龙分公司",
            "李示例",
            "河南省濮阳市华龙区人民路20号",
            "药品零售；医疗器械经营",
            "branch",
        ),
        licence(
            "91350200776049653A",
            "示例茶饮有限公司",
            "赵示例",
            "福建省厦门市思明区示例路8号",
            "茶饮服务；预包装食品销售",
            "llc",
        ),
    ]
}

/// `GET /v1/licences/{uscc}`: the licence, or 404 `unknown_licence`.
pub(super) async fn licence(UrlPath(uscc): UrlPath<String>) -> Response {
    let uscc = uscc.trim().to_ascii_uppercase();
    match samples().into_iter().find(|l| l.uscc == uscc) {
        Some(l) => axum::Json(l).into_response(),
        None => api_error(
            StatusCode::NOT_FOUND,
            "unknown_licence",
            format!("no licence with credit code {uscc}"),
        ),
    }
}

/// The sample 电子证照 held for people: the simulator's test card 测试甲
/// and the example submission's applicant (both made up). Keyed by the
/// catalog material they stand for; a real platform answers from the
/// province's licence library (电子证照库) under the same contract
/// (`POST /v1/elicences/lookup`, docs/platform-api.md).
pub fn held_samples() -> Vec<(&'static str, HeldLicence)> {
    let held = |material: &str, title: &str, no: &str, issuer: &str| HeldLicence {
        material: material.into(),
        title: title.into(),
        licence_no: no.into(),
        issuer: issuer.into(),
    };
    vec![
        (
            "410902199003071234",
            held(
                "premises_proof",
                "不动产权证书",
                "豫(2024)濮阳市不动产权第0012345号",
                "濮阳市自然资源和规划局",
            ),
        ),
        (
            "410902199003071234",
            held(
                "business_licence",
                "营业执照",
                "91410902MA45PY0H16",
                "濮阳市华龙区市场监督管理局",
            ),
        ),
        (
            "410902198503120026",
            held(
                "premises_proof",
                "不动产权证书",
                "豫(2023)濮阳市不动产权第0007788号",
                "濮阳市自然资源和规划局",
            ),
        ),
    ]
}

/// The sample licences `id_number` holds among `materials`.
pub fn held_by(id_number: &str, materials: &[String]) -> Vec<HeldLicence> {
    held_samples()
        .into_iter()
        .filter(|(id, l)| *id == id_number && materials.contains(&l.material))
        .map(|(_, l)| l)
        .collect()
}
