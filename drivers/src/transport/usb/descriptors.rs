//! Plain copies of the USB descriptors the drivers need, and what kind of
//! kiosk device a USB device looks like.

/// The transfer type of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TransferKind {
    Control,
    Isochronous,
    Bulk,
    Interrupt,
}

/// One endpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsbEndpointInfo {
    /// Bit 7 set for IN.
    pub address: u8,
    pub transfer: TransferKind,
    pub max_packet_size: u16,
}

impl UsbEndpointInfo {
    /// Device-to-host.
    pub fn is_in(&self) -> bool {
        self.address & 0x80 != 0
    }
}

/// One interface (alternate setting 0).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsbInterfaceInfo {
    pub number: u8,
    pub class: u8,
    pub subclass: u8,
    pub protocol: u8,
    pub endpoints: Vec<UsbEndpointInfo>,
}

/// One device as enumerated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsbDeviceInfo {
    pub bus: u8,
    pub address: u8,
    pub vid: u16,
    pub pid: u16,
    /// Device class (0 = per interface).
    pub class: u8,
    pub interfaces: Vec<UsbInterfaceInfo>,
}

/// USB class codes used here.
pub mod class {
    pub const CDC_DATA: u8 = 0x0A;
    pub const COMM: u8 = 0x02;
    pub const HID: u8 = 0x03;
    pub const PRINTER: u8 = 0x07;
    pub const VENDOR: u8 = 0xFF;
}

/// What a USB device is to the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum DeviceKind {
    IdCardReader,
    Scanner,
    Printer,
    Unknown,
}

impl DeviceKind {
    /// Chinese name for listings.
    pub fn name_zh(self) -> &'static str {
        match self {
            DeviceKind::IdCardReader => "身份证读卡器",
            DeviceKind::Scanner => "扫码枪",
            DeviceKind::Printer => "打印机",
            DeviceKind::Unknown => "未知设备",
        }
    }
}

/// SAM readers seen with the raw protocol over USB (reference §1).
const READERS: &[(u16, u16)] = &[(0x0400, 0xC35A)];
/// Scanner vendors (reference §3): Honeywell, Zebra/Symbol, Datalogic,
/// Newland, Intermec.
const SCANNER_VIDS: &[u16] = &[0x0C2E, 0x05E0, 0x05F9, 0x1EAB, 0x067E];
/// Printer vendors (reference §4): Epson, Star, Citizen, Bixolon, SNBC.
const PRINTER_VIDS: &[u16] = &[0x04B8, 0x0519, 0x1D90, 0x1504, 0x154F];
/// Printers behind generic chip vendors' IDs: Xprinter, Zjiang.
const PRINTER_IDS: &[(u16, u16)] = &[(0x1FC9, 0x2016), (0x0416, 0x5011)];

/// Guesses the kind from the IDs in the reference, then from the
/// interface class (printer class 7 is unambiguous; HID alone is not).
pub fn classify(info: &UsbDeviceInfo) -> DeviceKind {
    let id = (info.vid, info.pid);
    if READERS.contains(&id) {
        return DeviceKind::IdCardReader;
    }
    if PRINTER_IDS.contains(&id) || PRINTER_VIDS.contains(&info.vid) {
        return DeviceKind::Printer;
    }
    if SCANNER_VIDS.contains(&info.vid) {
        return DeviceKind::Scanner;
    }
    if info.class == class::PRINTER || info.interfaces.iter().any(|i| i.class == class::PRINTER) {
        return DeviceKind::Printer;
    }
    DeviceKind::Unknown
}

/// The first interface of `class` (any class when `None`) with a bulk IN
/// and a bulk OUT endpoint: `(interface, in, out)`.
pub fn find_bulk_pair(info: &UsbDeviceInfo, class: Option<u8>) -> Option<(u8, u8, u8)> {
    info.interfaces
        .iter()
        .filter(|i| class.is_none_or(|c| i.class == c))
        .find_map(|i| {
            let bulk = |inward: bool| {
                i.endpoints
                    .iter()
                    .find(|e| e.transfer == TransferKind::Bulk && e.is_in() == inward)
                    .map(|e| e.address)
            };
            Some((i.number, bulk(true)?, bulk(false)?))
        })
}

/// The first interface of `class` with an interrupt IN endpoint:
/// `(interface, endpoint, max packet size)`.
pub fn find_interrupt_in(info: &UsbDeviceInfo, class: u8) -> Option<(u8, u8, u16)> {
    info.interfaces
        .iter()
        .filter(|i| i.class == class)
        .find_map(|i| {
            i.endpoints
                .iter()
                .find(|e| e.transfer == TransferKind::Interrupt && e.is_in())
                .map(|e| (i.number, e.address, e.max_packet_size))
        })
}

/// A HID interface of the boot subclass (1) with the keyboard protocol
/// (1): it sends 8-byte boot keyboard reports once put in boot protocol.
/// A scanner in keyboard ("wedge") mode presents itself so, because that
/// is what makes it type into any PC's BIOS and OS.
pub fn is_boot_keyboard(interface: &UsbInterfaceInfo) -> bool {
    interface.class == class::HID && interface.subclass == 1 && interface.protocol == 1
}

/// The interface that carries all four SAM endpoints (0x02, 0x06, 0x81,
/// 0x85).
pub fn find_sam_interface(info: &UsbDeviceInfo) -> Option<u8> {
    use super::sam::{EP_IN_BODY, EP_IN_HEADER, EP_OUT_BODY, EP_OUT_HEADER};
    info.interfaces
        .iter()
        .find(|i| {
            [EP_OUT_HEADER, EP_OUT_BODY, EP_IN_HEADER, EP_IN_BODY]
                .iter()
                .all(|ep| i.endpoints.iter().any(|e| e.address == *ep))
        })
        .map(|i| i.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(address: u8, transfer: TransferKind) -> UsbEndpointInfo {
        UsbEndpointInfo {
            address,
            transfer,
            max_packet_size: 64,
        }
    }

    fn device(vid: u16, pid: u16, interfaces: Vec<UsbInterfaceInfo>) -> UsbDeviceInfo {
        UsbDeviceInfo {
            bus: 1,
            address: 2,
            vid,
            pid,
            class: 0,
            interfaces,
        }
    }

    fn iface(number: u8, class: u8, endpoints: Vec<UsbEndpointInfo>) -> UsbInterfaceInfo {
        UsbInterfaceInfo {
            number,
            class,
            subclass: 0,
            protocol: 0,
            endpoints,
        }
    }

    #[test]
    fn kinds_from_ids_and_classes() {
        assert_eq!(
            classify(&device(0x0400, 0xC35A, vec![])),
            DeviceKind::IdCardReader
        );
        assert_eq!(
            classify(&device(0x0C2E, 0x0001, vec![])),
            DeviceKind::Scanner
        );
        assert_eq!(
            classify(&device(0x04B8, 0x0E15, vec![])),
            DeviceKind::Printer
        );
        assert_eq!(
            classify(&device(0x0416, 0x5011, vec![])),
            DeviceKind::Printer
        );
        // Same generic chip vendor, other product: not a printer.
        assert_eq!(
            classify(&device(0x0416, 0x0001, vec![])),
            DeviceKind::Unknown
        );
        let generic_printer = device(0x9999, 1, vec![iface(0, class::PRINTER, vec![])]);
        assert_eq!(classify(&generic_printer), DeviceKind::Printer);
    }

    #[test]
    fn endpoints_are_found_by_class_and_type() {
        let info = device(
            0x1FC9,
            0x2016,
            vec![
                iface(0, class::HID, vec![ep(0x83, TransferKind::Interrupt)]),
                iface(
                    1,
                    class::PRINTER,
                    vec![ep(0x01, TransferKind::Bulk), ep(0x82, TransferKind::Bulk)],
                ),
            ],
        );
        assert_eq!(
            find_bulk_pair(&info, Some(class::PRINTER)),
            Some((1, 0x82, 0x01))
        );
        assert_eq!(find_bulk_pair(&info, Some(class::VENDOR)), None);
        assert_eq!(find_interrupt_in(&info, class::HID), Some((0, 0x83, 64)));
        assert_eq!(find_sam_interface(&info), None);
        let reader = device(
            0x0400,
            0xC35A,
            vec![iface(
                0,
                class::VENDOR,
                [0x02, 0x06, 0x81, 0x85]
                    .iter()
                    .map(|a| ep(*a, TransferKind::Bulk))
                    .collect(),
            )],
        );
        assert_eq!(find_sam_interface(&reader), Some(0));
    }

    #[test]
    fn a_boot_keyboard_is_hid_subclass_1_protocol_1() {
        let mut keyboard = iface(0, class::HID, vec![]);
        keyboard.subclass = 1;
        keyboard.protocol = 1;
        assert!(is_boot_keyboard(&keyboard));
        // A boot mouse, a plain HID (HID POS), another class: not one.
        let mouse = UsbInterfaceInfo {
            protocol: 2,
            ..keyboard.clone()
        };
        assert!(!is_boot_keyboard(&mouse));
        assert!(!is_boot_keyboard(&iface(0, class::HID, vec![])));
        let vendor = UsbInterfaceInfo {
            class: class::VENDOR,
            ..keyboard
        };
        assert!(!is_boot_keyboard(&vendor));
    }
}
