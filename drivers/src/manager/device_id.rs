//! The kiosk's devices by name: one enum instead of "idreader", "scanner",
//! "printer" and "camera" spelled in each module that reports or reads health.

use std::fmt;

/// A supervised device. Serialized (health maps, saved device states,
/// diagnostics) as its stable short name.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DeviceId {
    /// The ID card reader (SAM module).
    #[serde(rename = "idreader")]
    IdReader,
    /// The barcode / QR scanner (serial or USB HID).
    #[serde(rename = "scanner")]
    Scanner,
    /// The ESC/POS receipt printer.
    #[serde(rename = "printer")]
    Printer,
    /// The document camera (高拍仪, V4L2 UVC).
    #[serde(rename = "camera")]
    Camera,
}

impl DeviceId {
    /// Every device a kiosk expects, in the staff screen's order.
    pub const ALL: [DeviceId; 4] = [
        DeviceId::IdReader,
        DeviceId::Scanner,
        DeviceId::Printer,
        DeviceId::Camera,
    ];

    /// The stable short name (logs, thread names, saved states).
    pub const fn as_str(self) -> &'static str {
        match self {
            DeviceId::IdReader => "idreader",
            DeviceId::Scanner => "scanner",
            DeviceId::Printer => "printer",
            DeviceId::Camera => "camera",
        }
    }

    /// What staff read on the screen.
    pub const fn label_zh(self) -> &'static str {
        match self {
            DeviceId::IdReader => "身份证阅读器",
            DeviceId::Scanner => "扫码器",
            DeviceId::Printer => "打印机",
            DeviceId::Camera => "高拍仪",
        }
    }

    /// The device with this short name, if any.
    pub fn parse(name: &str) -> Option<DeviceId> {
        DeviceId::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for d in DeviceId::ALL {
            assert_eq!(DeviceId::parse(d.as_str()), Some(d));
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{d}\""));
        }
        assert_eq!(DeviceId::parse("camera"), Some(DeviceId::Camera));
        assert_eq!(DeviceId::parse("webcam"), None);
    }
}
