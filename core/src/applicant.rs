//! What the kiosk knows about the applicant before they type anything:
//! the ID card they placed on the reader and, when they already run a
//! business, their business licence. Both prefill the merged form.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of identity document read from the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居民身份证
    Resident,
    /// 港澳台居民居住证 (card type 'J')
    HmtResidence,
    /// 外国人永久居留身份证 (card types 'I' and 'Y')
    ForeignPermanent,
}

impl DocumentType {
    pub fn id(self) -> &'static str {
        match self {
            DocumentType::Resident => "resident",
            DocumentType::HmtResidence => "hmt_residence",
            DocumentType::ForeignPermanent => "foreign_permanent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Unknown,
}

/// What an identity card gives. Dates are `YYYY-MM-DD`; `valid_to` is
/// `None` for a card valid 长期 (without end).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardData {
    pub document_type: DocumentType,
    pub name: String,
    #[serde(default)]
    pub english_name: Option<String>,
    pub gender: Gender,
    /// The ethnicity's name (汉); absent on foreigners' cards.
    #[serde(default)]
    pub ethnicity: Option<String>,
    pub birth_date: String,
    #[serde(default)]
    pub address: Option<String>,
    pub id_number: String,
    pub issuing_authority: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
}

impl fmt::Debug for CardData {
    /// Masked, so that a `{:?}` in a log line cannot leak personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardData")
            .field("document_type", &self.document_type)
            .field("name", &crate::form::validate::mask_person_name(&self.name))
            .field("id_number", &crate::ids::mask_id_text(&self.id_number))
            .finish_non_exhaustive()
    }
}

/// What an existing business licence gives (from the applicant's scan of
/// its QR code or the platform's shared data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceData {
    pub name: String,
    pub uscc: String,
    pub legal_representative: String,
    pub address: String,
    #[serde(default)]
    pub scope: Option<String>,
    /// An option id of the entity type field (llc, branch, ...).
    #[serde(default)]
    pub entity_type: Option<String>,
}

/// Where the kiosk asks for what the platform's shared data holds about a
/// scanned business licence: the uplink's client
/// (`onevisit_uplink::LicenceLookup`) in the kiosk. `Ok(None)`: the
/// platform holds no such licence. Blocking: the UI asks off its thread.
pub trait LicenceSource: Send + Sync {
    fn licence(&self, uscc: &str) -> Result<Option<LicenceData>, crate::platform::PlatformError>;
}

/// Everything known about the applicant up front.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    #[serde(default)]
    pub card: Option<CardData>,
    #[serde(default)]
    pub licence: Option<LicenceData>,
}

/// Where a prefilled value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrefillSource {
    IdCard,
    Licence,
    /// The guide's questionnaire settled it (公司 → 有限责任公司).
    Questionnaire,
    /// The bundle itself settles it (a restaurant is 餐饮服务经营者).
    Bundle,
}

impl Applicant {
    /// The value for a catalog prefill key (`card.name`, `licence.uscc`),
    /// written as an applicant would type it, or `None` when not known.
    pub fn prefill(&self, key: &str) -> Option<(String, PrefillSource)> {
        let (scope, field) = key.split_once('.')?;
        match scope {
            "card" => {
                let c = self.card.as_ref()?;
                let v = match field {
                    "name" => Some(c.name.clone()),
                    "gender" => match c.gender {
                        Gender::Male => Some("male".into()),
                        Gender::Female => Some("female".into()),
                        Gender::Unknown => None,
                    },
                    "ethnicity" => c.ethnicity.clone(),
                    "birth_date" => Some(c.birth_date.clone()),
                    "address" => c.address.clone(),
                    "id_number" => Some(c.id_number.clone()),
                    "issuing_authority" => Some(c.issuing_authority.clone()),
                    "valid_from" => Some(c.valid_from.clone()),
                    "valid_to" => Some(c.valid_to.clone().unwrap_or_else(|| "长期".into())),
                    "document_type" => Some(c.document_type.id().into()),
                    _ => None,
                }?;
                Some((v, PrefillSource::IdCard))
            }
            "licence" => {
                let l = self.licence.as_ref()?;
                let v = match field {
                    "name" => Some(l.name.clone()),
                    "uscc" => Some(l.uscc.clone()),
                    "legal_representative" => Some(l.legal_representative.clone()),
                    "address" => Some(l.address.clone()),
                    "scope" => l.scope.clone(),
                    "entity_type" => l.entity_type.clone(),
                    _ => None,
                }?;
                Some((v, PrefillSource::Licence))
            }
            _ => None,
        }
    }
}

impl From<&onevisit_drivers::idcard::CardRecord> for CardData {
    /// What the reader decoded, as the form's prefill needs it.
    fn from(r: &onevisit_drivers::idcard::CardRecord) -> Self {
        use onevisit_drivers::idcard::{CardType, Gender as CardGender};
        CardData {
            document_type: match r.card_type {
                CardType::Resident => DocumentType::Resident,
                CardType::HkMacauTaiwanResidence => DocumentType::HmtResidence,
                CardType::ForeignPermanent2017 | CardType::ForeignPermanent2023 => {
                    DocumentType::ForeignPermanent
                }
            },
            name: r.name.clone(),
            english_name: r.english_name.clone(),
            gender: match r.gender {
                CardGender::Male => Gender::Male,
                CardGender::Female => Gender::Female,
                CardGender::Unknown | CardGender::NotStated => Gender::Unknown,
            },
            ethnicity: r.ethnicity.clone(),
            birth_date: r.birth_date.clone(),
            // The additional address (a move recorded on the chip) is the
            // current one when present.
            address: r.additional_address.clone().or_else(|| r.address.clone()),
            id_number: r.id_number.clone(),
            issuing_authority: r.issuing_authority.clone().unwrap_or_default(),
            valid_from: r.valid_from.clone(),
            valid_to: r.valid_to.clone(),
            nationality: r.nationality.clone(),
        }
    }
}
