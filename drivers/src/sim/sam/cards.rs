//! The simulator's test cards: every card type, an expired card and one
//! with a wrong check character.

use crate::idcard::{CardRecord, CardType, Gender};
use std::str::FromStr;

/// The test cards. Names are obviously fake (测试…), numbers are fake but
/// carry correct check characters (area 410902 = 濮阳市华龙区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TestCard {
    /// Resident card, no additional address.
    Resident,
    /// Resident card valid 长期, with an additional address.
    Permanent,
    /// 'J': Hong Kong/Macau/Taiwan residence permit.
    HkMacauTaiwan,
    /// 'I': foreigner's permanent residence card, 2017.
    Foreign2017,
    /// 'Y': foreigner's permanent residence card, 2023.
    Foreign2023,
    /// Resident card that expired in 2015.
    Expired,
    /// Resident card whose number fails its check character.
    BadCheckDigit,
}

impl TestCard {
    /// Every test card.
    pub const ALL: [TestCard; 7] = [
        TestCard::Resident,
        TestCard::Permanent,
        TestCard::HkMacauTaiwan,
        TestCard::Foreign2017,
        TestCard::Foreign2023,
        TestCard::Expired,
        TestCard::BadCheckDigit,
    ];

    /// The name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            TestCard::Resident => "resident",
            TestCard::Permanent => "permanent",
            TestCard::HkMacauTaiwan => "hkmo",
            TestCard::Foreign2017 => "foreign2017",
            TestCard::Foreign2023 => "foreign2023",
            TestCard::Expired => "expired",
            TestCard::BadCheckDigit => "bad-check",
        }
    }

    /// The card's record.
    pub fn record(self) -> CardRecord {
        let base = CardRecord {
            card_type: CardType::Resident,
            name: "测试甲".into(),
            english_name: None,
            gender: Gender::Male,
            ethnicity_code: Some(1),
            ethnicity: Some("汉".into()),
            birth_date: "1990-03-07".into(),
            address: Some("河南省濮阳市华龙区测试路1号".into()),
            additional_address: None,
            id_number: "410902199003071234".into(),
            issuing_authority: Some("濮阳市公安局华龙分局".into()),
            valid_from: "2020-01-01".into(),
            valid_to: Some("2040-01-01".into()),
            nationality: None,
            pass_number: None,
            issue_count: None,
            card_version: None,
            previous_number_link: None,
        };
        match self {
            TestCard::Resident => base,
            TestCard::Permanent => CardRecord {
                name: "测试乙".into(),
                ethnicity_code: Some(3),
                ethnicity: Some("回".into()),
                birth_date: "1960-01-01".into(),
                address: Some("河南省濮阳市华龙区测试街2号院3号楼".into()),
                additional_address: Some("河南省濮阳市华龙区新址路3号".into()),
                id_number: "410902196001013010".into(),
                valid_from: "2010-05-01".into(),
                valid_to: None,
                ..base
            },
            TestCard::HkMacauTaiwan => CardRecord {
                card_type: CardType::HkMacauTaiwanResidence,
                name: "测试丙".into(),
                ethnicity_code: None,
                ethnicity: None,
                birth_date: "1992-06-15".into(),
                address: Some("河南省濮阳市华龙区测试大道5号".into()),
                id_number: "810000199206150031".into(),
                valid_from: "2024-06-01".into(),
                valid_to: Some("2029-06-01".into()),
                pass_number: Some("H12345678".into()),
                issue_count: Some(1),
                ..base
            },
            TestCard::Foreign2017 => CardRecord {
                card_type: CardType::ForeignPermanent2017,
                name: "测试丁".into(),
                english_name: Some("TEST, ALPHA".into()),
                gender: Gender::Female,
                ethnicity_code: None,
                ethnicity: None,
                birth_date: "1988-08-08".into(),
                address: None,
                id_number: "USA310088080801".into(),
                issuing_authority: Some("1500".into()),
                valid_from: "2019-01-01".into(),
                valid_to: Some("2039-01-01".into()),
                nationality: Some("USA".into()),
                card_version: Some("20".into()),
                ..base
            },
            TestCard::Foreign2023 => CardRecord {
                card_type: CardType::ForeignPermanent2023,
                name: "测试戊".into(),
                english_name: Some("TEST, BETA EXAMPLE WITH A VERY LONG GIVEN NAME".into()),
                ethnicity_code: None,
                ethnicity: None,
                birth_date: "1988-08-08".into(),
                address: None,
                id_number: "933100198808081118".into(),
                issuing_authority: None,
                valid_from: "2023-12-01".into(),
                valid_to: Some("2033-12-01".into()),
                nationality: Some("CAN".into()),
                issue_count: Some(0),
                ..base
            },
            TestCard::Expired => CardRecord {
                name: "测试己".into(),
                birth_date: "1975-05-12".into(),
                id_number: "410902197505123453".into(),
                valid_from: "2005-01-01".into(),
                valid_to: Some("2015-01-01".into()),
                ..base
            },
            TestCard::BadCheckDigit => CardRecord {
                name: "测试庚".into(),
                gender: Gender::Female,
                birth_date: "2000-02-29".into(),
                id_number: "410902200002290781".into(),
                valid_from: "2018-01-01".into(),
                valid_to: Some("2028-01-01".into()),
                ..base
            },
        }
    }
}

impl FromStr for TestCard {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TestCard::ALL
            .into_iter()
            .find(|c| c.key() == text)
            .ok_or_else(|| {
                let keys: Vec<_> = TestCard::ALL.iter().map(|c| c.key()).collect();
                format!("没有测试卡“{text}”，可选: {}", keys.join(", "))
            })
    }
}
