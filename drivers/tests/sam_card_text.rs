//! Property tests of the text block: encode → decode is the identity for
//! every card type, and arbitrary blocks never panic the decoder.

use onevisit_drivers::idcard::{CardRecord, CardType, Gender, decode_text, encode_text};
use onevisit_drivers::sam::frame::{Command, RawFrame, encode_response};
use proptest::prelude::*;

/// Text without leading/trailing padding characters (they are trimmed by
/// design) and without NUL.
fn field(max_chars: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("([\\u{{4e00}}-\\u{{9fa5}}A-Z0-9]([\\u{{4e00}}-\\u{{9fa5}}A-Z0-9 ,.]{{0,{}}}[\\u{{4e00}}-\\u{{9fa5}}A-Z0-9])?)", max_chars.saturating_sub(2)))
        .unwrap()
}

fn date() -> impl Strategy<Value = String> {
    (1900u32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn gender() -> impl Strategy<Value = Gender> {
    prop_oneof![
        Just(Gender::Unknown),
        Just(Gender::Male),
        Just(Gender::Female),
        Just(Gender::NotStated)
    ]
}

fn opt(s: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(s)
}

fn record() -> impl Strategy<Value = CardRecord> {
    let common = (
        gender(),
        date(),
        date(),
        proptest::option::of(date()),
        "[0-9]{17}[0-9X]",
        field(15),
    );
    let kind = prop_oneof![
        Just(CardType::Resident),
        Just(CardType::HkMacauTaiwanResidence),
        Just(CardType::ForeignPermanent2017),
        Just(CardType::ForeignPermanent2023)
    ];
    let extra = (
        opt(field(35)),
        opt(field(15)),
        1u8..=56,
        opt(field(60)),
        opt("[A-Z]{3}"),
        opt("[A-Z0-9]{9}"),
        proptest::option::of(0u32..100),
        opt("[0-9]{2}"),
        opt("[0-9]{3}"),
    );
    (kind, common, extra).prop_map(
        |(
            card_type,
            (gender, birth, from, to, number, name),
            (address, authority, eth, english, nat, pass, count, version, link),
        )| {
            let mut r = CardRecord {
                card_type,
                name,
                english_name: None,
                gender,
                ethnicity_code: None,
                ethnicity: None,
                birth_date: birth,
                address: None,
                additional_address: None,
                id_number: number,
                issuing_authority: None,
                valid_from: from,
                valid_to: to,
                nationality: None,
                pass_number: None,
                issue_count: None,
                card_version: None,
                previous_number_link: None,
            };
            match card_type {
                CardType::Resident | CardType::HkMacauTaiwanResidence => {
                    r.address = address;
                    r.issuing_authority = authority;
                    if card_type == CardType::Resident {
                        r.ethnicity_code = Some(eth);
                        r.ethnicity = onevisit_drivers::idcard::ethnicity::ethnicity_name(eth)
                            .map(str::to_string);
                    } else {
                        r.pass_number = pass;
                        r.issue_count = count;
                    }
                }
                CardType::ForeignPermanent2017 => {
                    r.id_number = r.id_number[..15].to_string();
                    r.english_name = english;
                    r.nationality = nat;
                    r.card_version = version;
                    r.issuing_authority = authority
                        .map(|a| a.chars().take(4).collect::<String>().trim().to_string())
                        .filter(|a| !a.is_empty());
                }
                CardType::ForeignPermanent2023 => {
                    r.english_name = english
                        .map(|e| e.chars().take(46).collect::<String>().trim().to_string())
                        .filter(|e| !e.is_empty());
                    r.nationality = nat;
                    r.issue_count = count;
                    r.previous_number_link = link;
                }
            }
            r
        },
    )
}

proptest! {
    #[test]
    fn text_block_round_trips(record in record()) {
        let block = encode_text(&record).unwrap();
        let decoded = decode_text(&block).unwrap();
        prop_assert_eq!(decoded, record);
    }

    #[test]
    fn arbitrary_text_blocks_never_panic(block in proptest::collection::vec(any::<u8>(), 256)) {
        let _ = decode_text(&block);
    }

    #[test]
    fn request_encode_decode_round_trips(n in any::<u8>(), which in 0usize..10) {
        let commands = [Command::ResetSam, Command::SamStatus, Command::ReadSamId, Command::FindCard,
            Command::SelectCard, Command::ReadTextPhoto, Command::ReadAdditionalAddress,
            Command::ReadTextPhotoFingerprint, Command::ReadChipSerial, Command::SetMaxRfFrameSize(n)];
        let command = commands[which];
        let frame = RawFrame::parse(&command.encode()).unwrap();
        prop_assert_eq!(Command::from_payload(&frame.payload), Some(command));
    }

    #[test]
    fn response_encode_decode_round_trips(status in any::<u8>(), data in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let bytes = encode_response(onevisit_drivers::sam::SamStatus::from_code(status), &data);
        let response = RawFrame::parse(&bytes).unwrap().into_response().unwrap();
        prop_assert_eq!(response.status.code(), status);
        prop_assert_eq!(response.data, data);
    }
}

#[test]
fn wrong_sized_blocks_are_refused() {
    assert!(decode_text(&[0x20; 255]).is_err());
    assert!(decode_text(&[]).is_err());
}
