//! USB printer class (0x07) specifics.

/// bRequest of the class request GET_DEVICE_ID (IEEE 1284 ID string).
pub const GET_DEVICE_ID: u8 = 0x00;
/// bRequest of the class request GET_PORT_STATUS (one status byte).
pub const GET_PORT_STATUS: u8 = 0x01;
/// bRequest of SOFT_RESET.
pub const SOFT_RESET: u8 = 0x02;

/// The GET_PORT_STATUS byte, as laid down by the USB Printer Class
/// specification 1.1 §4.2.2 (the same bits as Linux usblp's LP_POUTPA
/// 0x20, LP_PSELECD 0x10, LP_PERRORP 0x08): bit 5 paper empty, bit 4
/// selected, bit 3 not error.
///
/// Note: the project's reference sheet lists bit 3 as paper empty and bit 5
/// as no error; that swaps the specification's bits and is not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct UsbPortStatus {
    pub paper_empty: bool,
    pub selected: bool,
    pub no_error: bool,
}

impl UsbPortStatus {
    pub fn from_byte(byte: u8) -> Self {
        Self {
            paper_empty: byte & 0x20 != 0,
            selected: byte & 0x10 != 0,
            no_error: byte & 0x08 != 0,
        }
    }

    /// True when the port says the printer can take a job.
    pub fn ready(&self) -> bool {
        !self.paper_empty && self.selected && self.no_error
    }

    /// Chinese description for staff.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.paper_empty {
            parts.push("缺纸 (paper empty)");
        }
        if !self.selected {
            parts.push("未联机 (not selected)");
        }
        if !self.no_error {
            parts.push("打印机报告故障 (error)");
        }
        if parts.is_empty() {
            "端口状态正常 (ready)".into()
        } else {
            parts.join("；")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_status_bits() {
        assert!(UsbPortStatus::from_byte(0x18).ready());
        let empty = UsbPortStatus::from_byte(0x38);
        assert!(empty.paper_empty && !empty.ready());
        assert!(empty.summary().contains("缺纸"));
        let err = UsbPortStatus::from_byte(0x10);
        assert!(!err.no_error && !err.ready());
        assert!(!UsbPortStatus::from_byte(0x08).selected);
    }
}
